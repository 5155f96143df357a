/*
 * hastad: Håstad's broadcast attack.  The same message m under e keys of
 * exponent e, c_i = m^e mod n_i, no padding: the CRT gives x = m^e mod
 * n_1...n_e, and since m < every n_i, m^e < their product, so x = m^e as
 * integers and m is x's integer e-th root.  Padded (OAEP) messages
 * differ under each key: no common m, no exact root.
 */
#include <err.h>
#include <getopt.h>
#include <stdlib.h>

#include <nettle/bignum.h>

#include "attack.h"
#include "rsa.h"

#define HASTAD_KEYS 16 /* the most pairs taken (e <= 16) */

static const struct option longopts[] = {
    {"key", required_argument, NULL, 'k'},
    {NULL, 0, NULL, 0},
};

/*
 * Folds c mod n into x mod prod (x mod prod, c mod n -> x mod prod*n);
 * returns 0 when n shares a factor with prod.
 */
static int
crt_add(mpz_t x, mpz_t prod, const mpz_t c, const mpz_t n)
{
	mpz_t inv, t;
	int ok;

	mpz_init(inv);
	mpz_init(t);
	if ((ok = mpz_invert(inv, prod, n) != 0)) {
		/* x += prod * ((c - x) * prod^-1 mod n) */
		mpz_sub(t, c, x);
		mpz_mul(t, t, inv);
		mpz_mod(t, t, n);
		mpz_addmul(x, prod, t);
		mpz_mul(prod, prod, n);
	}
	mpz_clear(inv);
	mpz_clear(t);
	return ok;
}

/* Loads the pairs and checks they can be combined: one e, e of them. */
static void
load(struct rsa_target *t, int n, char *keys[], char *ciphers[])
{
	int i;

	for (i = 0; i < n; i++) {
		rsa_target_load(&t[i], keys[i], ciphers[i]);
		if (mpz_cmp(t[i].key.pub.e, t[0].key.pub.e) != 0)
			errx(2, "%s: e differs from %s's", keys[i], keys[0]);
	}
	if (mpz_cmp_ui(t[0].key.pub.e, n) > 0)
		errx(2, "e = %lu needs %lu keys and ciphertexts, %d given",
		    mpz_get_ui(t[0].key.pub.e), mpz_get_ui(t[0].key.pub.e), n);
}

static int
hastad_main(int argc, char *argv[])
{
	struct rsa_target t[HASTAD_KEYS];
	char *keys[HASTAD_KEYS];
	mpz_t x, prod, m;
	int ch, n = 0, i, ok;

	while ((ch = attack_getopt(argc, argv, "k:", longopts)) != -1)
		if (ch == 'k' && n < HASTAD_KEYS)
			keys[n++] = optarg;
		else if (ch == 'k')
			errx(2, "-k: at most %d keys", HASTAD_KEYS);
	argc -= optind;
	argv += optind;
	if (n < 2 || argc != n)
		attack_usage();
	load(t, n, keys, argv);
	mpz_init(x);
	mpz_init_set_ui(prod, 1);
	mpz_init(m);
	for (i = 0; i < n; i++)
		if (!crt_add(x, prod, t[i].c, t[i].key.pub.n))
			errx(2,
			    "%s: the modulus shares a factor with another"
			    " (gcd > 1: factor them instead)",
			    keys[i]);
	attack_progress("CRT of %d ciphertexts: x mod a %zu-bit product", n,
	    mpz_sizeinbase(prod, 2));
	if ((ok = rsa_exact_root(m, x, t[0].key.pub.e))) {
		attack_stats(0, nettle_mpz_sizeinbase_256_u(m));
		rsa_output(m);
	} else
		attack_progress("x is no exact e-th power: not one message"
				" without padding, nothing recovered");
	mpz_clear(x);
	mpz_clear(prod);
	mpz_clear(m);
	for (i = 0; i < n; i++)
		rsa_target_clear(&t[i]);
	return ok ? 0 : 1;
}

const struct attack attack_hastad = {
    "hastad",
    "-k key1.pub -k key2.pub -k key3.pub c1 c2 c3",
    "one message to three e = 3 keys, no padding: CRT, then cube root",
    "  -k, --key file     a public key (give e of them, e the exponent),\n"
    "                     in the order of the ciphertexts\n"
    "  c1 c2 c3           pk-wrap -e --raw's outputs, one per key\n",
    hastad_main,
};
