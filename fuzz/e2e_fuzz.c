/*
 * e2e_fuzz: the e2e protocol's plaintext parsers on arbitrary bytes, as
 * the services and the client meet them once a block is decrypted: the
 * input is cut into frames by frame_decode against E2E_BLOCK (as the
 * relay cuts it), and each payload, cut to E2E_TEXT_MAX bytes (what one
 * block holds), goes through every parser.  Checks that nothing reads
 * past the input, that what is accepted lies inside it and obeys the
 * documented limits, and that accepted texts format back to the same
 * bytes.  The trace's decoder (e2e_trace) names each frame from every
 * side, with the payload as its plaintext and without one: its fields lie
 * inside the frame, or inside the plaintext.  The hardened profile's
 * frames (lib/e2ehard.h) are cut against E2E_H_FRAME_MAX: a payload
 * e2e_h_parse accepts lies inside the input and is rebuilt byte for byte
 * by e2e_h_put; "name/message" and "FROM|message" go back and forth.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "e2ehard.h"
#include "e2ewire.h"
#include "frame.h"

/* "ip:port/message" parses, and formats back to the same bytes. */
static void
check_route(const uint8_t *p, size_t len)
{
	struct e2e_route r;
	uint8_t back[E2E_BLOCK], fwd[E2E_TEXT_MAX];
	const uint8_t *src, *msg;
	size_t hlen, srclen, msglen;
	char peer[E2E_HOST_MAX + 16];
	long n;
	int k;

	if (e2e_route_parse(p, len, &r) == -1)
		return;
	hlen = strlen(r.host);
	if (hlen == 0 || hlen > E2E_HOST_MAX || r.port > 65535 ||
	    memchr(r.host, ':', hlen) != NULL ||
	    memchr(r.host, '/', hlen) != NULL || r.msg < p ||
	    r.msg + r.len != p + len)
		abort();
	k = snprintf((char *)back, sizeof(back), "%s:%u/", r.host, r.port);
	if (k < 0 || (size_t)k + r.len != len ||
	    memcmp(back, p, (size_t)k) != 0)
		abort();
	/* Forward it as if it came from that address. */
	snprintf(peer, sizeof(peer), "%s:%u", r.host, r.port);
	n = e2e_fwd_format(peer, r.msg, r.len, fwd, sizeof(fwd));
	if (n == -1)
		return;
	if (n < 0 || (size_t)n > sizeof(fwd))
		abort();
	if (memchr(r.host, '|', hlen) != NULL || memchr(r.host, 0, hlen))
		return;
	if (e2e_fwd_parse(fwd, (size_t)n, &src, &srclen, &msg, &msglen) == -1 ||
	    msglen != r.len || memcmp(msg, r.msg, r.len) != 0 ||
	    srclen != (size_t)n - r.len - 1)
		abort();
}

static void
check_fwd(const uint8_t *p, size_t len)
{
	const uint8_t *src, *msg;
	size_t srclen, msglen;

	if (e2e_fwd_parse(p, len, &src, &srclen, &msg, &msglen) == -1)
		return;
	if (src != p || srclen + 1 + msglen != len || msg != p + srclen + 1 ||
	    p[srclen] != '|' || memchr(p, '|', srclen) != NULL)
		abort();
}

static void
check_upload(const uint8_t *p, size_t len)
{
	char name[E2E_NAME_MAX + 1], back[E2E_BLOCK];
	uint64_t size;
	int k;

	if (e2e_upload_parse(p, len, UINT64_MAX, name, &size) == -1)
		return;
	if (e2e_name_check((const uint8_t *)name, strlen(name)) == -1 ||
	    name[0] == '.' || strchr(name, '/') != NULL)
		abort();
	k = snprintf(back, sizeof(back), E2E_UP_HELLO " %s %llu", name,
	    (unsigned long long)size);
	if (k < 0 || (size_t)k != len || memcmp(back, p, len) != 0)
		abort();
	/* A smaller limit never accepts a larger size. */
	if (size > 0 && e2e_upload_parse(p, len, size - 1, name, &size) == 0)
		abort();
}

/* The hardened "name/message" parses, and formats back the same. */
static void
check_h_route(const uint8_t *p, size_t len)
{
	struct e2e_route r;
	uint8_t fwd[E2E_TEXT_MAX];
	const uint8_t *src, *msg;
	size_t nlen, srclen, msglen;
	long n;

	if (e2e_h_route_parse(p, len, &r) == -1)
		return;
	nlen = strlen(r.host);
	if (e2e_h_name_check((const uint8_t *)r.host, nlen) == -1 ||
	    r.port != 0 || memcmp(r.host, p, nlen) != 0 || p[nlen] != '/' ||
	    r.msg != p + nlen + 1 || r.msg + r.len != p + len)
		abort();
	n = e2e_h_fwd_format(r.host, r.msg, r.len, fwd, sizeof(fwd));
	if (n == -1)
		return;
	if ((size_t)n != nlen + 1 + r.len ||
	    e2e_fwd_parse(fwd, (size_t)n, &src, &srclen, &msg, &msglen) == -1 ||
	    srclen != nlen || msglen != r.len || memcmp(msg, r.msg, r.len) != 0)
		abort();
}

/* A hardened payload: taken apart inside it, and put back the same. */
static void
check_hard(const uint8_t *p, size_t len)
{
	uint8_t back[E2E_H_FRAME_MAX];
	struct e2e_h_frame f;
	size_t n;

	if (e2e_h_parse(p, len, &f) == -1)
		return;
	if (!e2e_h_marked(p, len) || f.body != p + E2E_H_HEAD ||
	    f.body + f.body_len != p + len)
		abort();
	if (f.kind == E2E_H_BLOCK &&
	    (f.block != f.body ||
		(f.sig != NULL && f.sig != f.block + E2E_BLOCK) ||
		f.body_len != E2E_BLOCK + (f.sig != NULL ? E2E_H_SIG : 0)))
		abort();
	if (f.kind == E2E_H_HELLO && e2e_h_name_check(f.body, f.body_len) == -1)
		abort();
	if (f.kind != E2E_H_BLOCK && f.kind != E2E_H_HELLO &&
	    f.kind != E2E_H_REFUSE)
		abort();
	n = f.kind == E2E_H_BLOCK
	    ? e2e_h_put(back, f.kind, f.block, E2E_BLOCK, f.sig)
	    : e2e_h_put(back, f.kind, f.body, f.body_len, NULL);
	if (n != len || memcmp(back, p, len) != 0)
		abort();
}

/* Every field of fr within the frame, or within the plaintext text. */
static void
check_fields(const struct trace_frame *fr, const uint8_t *text, size_t len)
{
	size_t i;

	if (fr->step == NULL || fr->n > TRACE_FIELDS)
		abort();
	for (i = 0; i < fr->n; i++) {
		const struct trace_field *f = &fr->f[i];

		if (f->type != TRACE_PLAIN &&
		    (f->off > fr->len || f->len > fr->len - f->off))
			abort();
		if (f->type == TRACE_PLAIN &&
		    (text == NULL || f->data < text ||
			f->len > len - (size_t)(f->data - text)))
			abort();
	}
}

/* The frame at p (len bytes) as each side would trace it. */
static void
check_trace(const uint8_t *p, size_t len, const uint8_t *text, size_t tlen)
{
	struct trace_frame fr;
	struct e2e_seen s;
	unsigned k;

	for (k = 0; k < 32; k++) {
		s = (struct e2e_seen){.upload = k & 1,
		    .server = k >> 1 & 1,
		    .first = k >> 2 & 1,
		    .text = k >> 4 & 1 ? NULL : text,
		    .len = tlen};
		trace_begin(&fr, "e2e", k >> 3 & 1 ? TRACE_SENT : TRACE_RECV,
		    NULL, p, len);
		e2e_trace(&fr, &s);
		check_fields(&fr, s.text, tlen);
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const uint8_t *p;
	size_t plen, used, off = 0;

	check_trace(
	    data, size, data, size < E2E_TEXT_MAX ? size : E2E_TEXT_MAX);
	while (off < size &&
	    frame_decode(data + off, size - off, E2E_BLOCK, &p, &plen, &used) ==
		FRAME_OK) {
		if (p != data + off + FRAME_HDR || used != FRAME_HDR + plen ||
		    plen == 0 || plen > E2E_BLOCK || used > size - off)
			abort();
		if (plen > E2E_TEXT_MAX)
			plen = E2E_TEXT_MAX;
		check_trace(data + off, used, p, plen);
		check_route(p, plen);
		check_fwd(p, plen);
		check_upload(p, plen);
		if (e2e_name_check(p, plen) == 0 &&
		    (plen > E2E_NAME_MAX || p[0] == '.' ||
			memchr(p, '/', plen) != NULL))
			abort();
		off += used;
	}
	/* The hardened profile's frames, up to a block and a signature. */
	off = 0;
	while (off < size &&
	    frame_decode(data + off, size - off, E2E_H_FRAME_MAX, &p, &plen,
		&used) == FRAME_OK) {
		if (plen == 0 || plen > E2E_H_FRAME_MAX || used > size - off)
			abort();
		check_hard(p, plen);
		check_trace(data + off, used, p,
		    plen < E2E_TEXT_MAX ? plen : E2E_TEXT_MAX);
		check_h_route(p, plen < E2E_TEXT_MAX ? plen : E2E_TEXT_MAX);
		off += used;
	}
	return 0;
}
