/*
 * km-reuse: keymanager gives the same K and IV to every transfer of the
 * same sender, waiter and mode.  CFB encrypts block j as
 * C[j] = P[j] xor E(K, C[j-1]), C[0] = IV: whatever block's keystream
 * E(K, X) one transfer gives away (its known file, C xor P; its length
 * block, whose plaintext is the ciphertext's length), another transfer
 * under the same K and IV reuses wherever it encrypts after the same X.
 * So the first blocks are a two-time pad, C1 xor C2 = P1 xor P2, and the
 * pad goes on while the two files agree, one block further.  No K3
 * needed.  On the hardened profile no two transfers share a key.
 */
#include <err.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "km.h"
#include "pkcs7.h"

static const struct option longopts[] = {
    {"known", required_argument, NULL, 'p'},
    {NULL, 0, NULL, 0},
};

/* E(K, in) = ks; in NULL: the IV (C[0]). */
struct pad {
	const uint8_t *in;
	uint8_t ks[KM_BLOCK];
};

struct pads {
	struct pad *p;
	size_t n;
};

static void
pad_add(struct pads *d, const uint8_t *in, const uint8_t *c, const uint8_t *p)
{
	size_t i;

	for (i = 0; i < KM_BLOCK; i++)
		d->p[d->n].ks[i] = c[i] ^ p[i];
	d->p[d->n++].in = in;
}

static const uint8_t *
pad_find(const struct pads *d, const uint8_t *in)
{
	size_t i;

	for (i = 0; i < d->n; i++)
		if (in == NULL ? d->p[i].in == NULL
			       : d->p[i].in != NULL &&
			    memcmp(d->p[i].in, in, KM_BLOCK) == 0)
			return d->p[i].ks;
	return NULL;
}

/* The keystreams the known file and both length blocks give away. */
static void
pads_learn(struct pads *d, const struct km_xfer *x, const uint8_t *known)
{
	uint8_t size[KM_BLOCK];
	size_t j, i;

	if ((d->p = calloc(x[0].len / KM_BLOCK + 2, sizeof(*d->p))) == NULL)
		err(2, NULL);
	d->n = 0;
	for (i = 0; i < 2; i++) {
		km_size_block(x[i].len, size);
		pad_add(d, NULL, x[i].offer, size);
	}
	for (j = 0; j < x[0].len; j += KM_BLOCK)
		pad_add(d, j ? x[0].ct + j - KM_BLOCK : NULL, x[0].ct + j,
		    known + j);
}

/* The target's blocks in turn while their keystream is known. */
static size_t
recover(const struct pads *d, const struct km_xfer *t, uint8_t *out)
{
	const uint8_t *ks;
	size_t j, i;

	for (j = 0; j + KM_BLOCK <= t->len; j += KM_BLOCK) {
		ks = pad_find(d, j ? t->ct + j - KM_BLOCK : NULL);
		if (ks == NULL)
			break;
		for (i = 0; i < KM_BLOCK; i++)
			out[j + i] = t->ct[j + i] ^ ks[i];
	}
	return j;
}

/* Why the two transfers are no two-time pad, or NULL. */
static const char *
no_reuse(const struct km_xfer *x, size_t n, size_t hardened)
{
	if (n < 2)
		return hardened ? "fewer than two faithful transfers (hardened:"
				  " a fresh K and nonce per transfer)"
				: "fewer than two transfers in the capture";
	if (x[0].mode == KM_CBC || x[1].mode == KM_CBC)
		return "a CBC transfer: no keystream to reuse";
	if (x[0].have_k && x[1].have_k &&
	    (memcmp(x[0].wrapped_k, x[1].wrapped_k, KM_BLOCK) != 0 ||
		memcmp(x[0].wrapped_iv, x[1].wrapped_iv, KM_BLOCK) != 0))
		return "K and IV differ between the transfers";
	return NULL;
}

static int
attack(const struct km_xfer *x, const uint8_t *known)
{
	struct pads d;
	uint8_t *out;
	size_t got;
	long len;

	if ((out = malloc(x[1].len + 1)) == NULL)
		err(2, NULL);
	pads_learn(&d, x, known);
	got = recover(&d, &x[1], out);
	attack_progress("%zu of %zu blocks under a known keystream",
	    got / KM_BLOCK, x[1].len / KM_BLOCK);
	len = got == x[1].len ? pkcs7_strip(out, got, KM_BLOCK) : (long)got;
	if (got < x[1].len && got > 0)
		attack_progress("block %zu on: E(K, C[%zu]) is no keystream the"
				" known transfer gave away",
		    got / KM_BLOCK + 1, got / KM_BLOCK);
	if (len > 0) {
		attack_stats(0, (size_t)len);
		attack_output(out, (size_t)len);
	} else
		attack_progress("nothing recovered");
	free(d.p);
	free(out);
	return len > 0 ? 0 : 1;
}

static int
km_reuse_main(int argc, char *argv[])
{
	struct km_xfer x[KM_XFER_MAX];
	const char *known = NULL, *why;
	uint8_t *p = NULL;
	size_t n, len = 0, hardened;
	int ch, rv = 1;

	while ((ch = attack_getopt(argc, argv, "p:", longopts)) != -1)
		if (ch == 'p')
			known = optarg;
	argc -= optind;
	argv += optind;
	if (known == NULL || argc < 1)
		attack_usage();
	n = km_xfers(argv, (size_t)argc, x, &hardened);
	attack_progress("%zu transfers in the capture, %zu frames of the"
			" hardened profile",
	    n, hardened);
	if ((why = no_reuse(x, n, hardened)) != NULL)
		attack_progress("%s: nothing recovered", why);
	else {
		/* Room for the padding: the file is under x[0].len. */
		p = attack_slurp(known, x[0].len + KM_BLOCK, &len);
		if (len >= x[0].len || pkcs7_pad(p, len, KM_BLOCK) != x[0].len)
			errx(2, "%s: %zu bytes, not the first transfer's file",
			    known, len);
		rv = attack(x, p);
	}
	free(p);
	km_xfers_free(x, n);
	return rv;
}

const struct attack attack_km_reuse = {
    "km-reuse",
    "-p known capture.json ...",
    "keymanager: K and IV reused, CFB: a known file gives another away",
    "  -p, --known file   the plaintext of the capture's first transfer\n"
    "  capture.json       --trace-json captures of two CFB transfers\n"
    "                     between the same pair (the second is recovered)\n",
    km_reuse_main,
};
