/*
 * km: the keymanager transfers of a capture, for the attacks km-k3 and
 * km-reuse.  A transfer is the peer channel's `offer` and the `file`
 * pieces after it, with the `mode`, `key` and `iv` frames of the control
 * channel seen before it (the captures of both channels given in the
 * order they were made).  Only the bytes on the wire are used: the
 * plaintext a tracing side added is not.
 */
#include <err.h>
#include <stdlib.h>
#include <string.h>

#include "km.h"
#include "kmtrace.h"
#include "pkcs7.h"

/* The field's bytes on the wire, if it is there and n bytes long. */
static const uint8_t *
wire(const struct capture_frame *fr, const char *name, size_t n)
{
	const struct capture_field *f = capture_field(fr, name);

	if (f == NULL || f->off < 0 || f->len != n ||
	    (size_t)f->off + n > fr->len)
		return NULL;
	return fr->buf + f->off;
}

static void
append(struct km_xfer *x, const struct capture_frame *fr)
{
	const struct capture_field *f = capture_field(fr, "ciphertext");
	uint8_t *p;

	if (f == NULL || f->off != 0 || f->len != fr->len)
		return;
	if ((p = realloc(x->ct, x->len + fr->len + 1)) == NULL)
		err(2, NULL);
	memcpy(p + x->len, fr->buf, fr->len);
	x->ct = p;
	x->len += fr->len;
}

/* The control frame's news for the next transfer, in cur. */
static void
control(struct km_xfer *cur, const struct capture_frame *fr)
{
	const uint8_t *p;

	if (strcmp(fr->step, "mode") == 0 && (p = wire(fr, "text", 3)) != NULL)
		cur->mode = memcmp(p, "cfb", 3) == 0 ? KM_CFB : KM_CBC;
	else if ((p = wire(fr, "wrapped_k", KM_BLOCK)) != NULL) {
		memcpy(cur->wrapped_k, p, KM_BLOCK);
		cur->have_k = 1;
	} else if ((p = wire(fr, "wrapped_iv", KM_BLOCK)) != NULL) {
		memcpy(cur->wrapped_iv, p, KM_BLOCK);
		cur->have_iv = 1;
	}
}

static size_t
walk(const struct capture *c, struct km_xfer *x, size_t n, struct km_xfer *cur,
    size_t *hardened)
{
	const struct capture_frame *fr;
	const uint8_t *p;
	size_t i;

	for (i = 0; i < c->n; i++) {
		fr = &c->fr[i];
		if (strcmp(fr->proto, "keymanager") != 0)
			continue;
		if (strstr(fr->step, "_hardened") != NULL ||
		    strcmp(fr->step, "pubkey") == 0)
			++*hardened;
		else if (strcmp(fr->step, "offer") == 0 &&
		    (p = wire(fr, "size_block", KM_BLOCK)) != NULL &&
		    n < KM_XFER_MAX) {
			x[n] = *cur;
			memcpy(x[n].offer, p, KM_BLOCK);
			x[n].ct = NULL;
			x[n++].len = 0;
		} else if (strcmp(fr->step, "file") == 0 && n > 0)
			append(&x[n - 1], fr);
		else
			control(cur, fr);
	}
	return n;
}

size_t
km_xfers(char *paths[], size_t npaths, struct km_xfer *x, size_t *hardened)
{
	struct km_xfer cur;
	struct capture c;
	size_t i, n = 0;

	memset(&cur, 0, sizeof(cur));
	*hardened = 0;
	for (i = 0; i < npaths; i++) {
		capture_read(&c, paths[i]);
		n = walk(&c, x, n, &cur, hardened);
		capture_free(&c);
	}
	return n;
}

void
km_xfers_free(struct km_xfer *x, size_t n)
{
	while (n-- > 0)
		free(x[n].ct);
}

long
km_xfer_open(const struct km_xfer *x, const uint8_t k[KM_BLOCK],
    const uint8_t iv[KM_BLOCK], uint8_t *out)
{
	struct trace_frame fr;
	struct km_trace t;

	km_trace_init(&t, KM_SIDE_WAITER, NULL);
	km_trace_keys(&t, x->mode, k, iv);
	t.scratch = out;
	t.scratch_size = x->len;
	trace_begin(&fr, "keymanager", TRACE_RECV, NULL, x->ct, x->len);
	km_trace_file(&fr, &t);
	explicit_bzero(&t, sizeof(t));
	if (fr.bad != NULL || x->len == 0)
		return -1;
	return pkcs7_strip(out, x->len, KM_BLOCK);
}

void
km_size_block(uint64_t len, uint8_t out[KM_BLOCK])
{
	int i;

	for (i = 0; i < 8; i++)
		out[i] = (uint8_t)(len >> (56 - 8 * i));
	memset(out + 8, 8, 8);
}
