/*
 * cube-root: textbook RSA with a small exponent.  When m^e < n the
 * modulus never wraps, c = m^e as integers, and m is c's integer e-th
 * root (the cube root for e = 3): no key needed.  A padded message
 * (OAEP, pk-wrap's default) is as long as n, so c is no exact root.
 */
#include <getopt.h>
#include <stdlib.h>

#include <nettle/bignum.h>

#include "attack.h"
#include "rsa.h"

static const struct option longopts[] = {
    {"key", required_argument, NULL, 'k'},
    {NULL, 0, NULL, 0},
};

static int
cube_root_main(int argc, char *argv[])
{
	struct rsa_target t;
	const char *key = NULL;
	mpz_t m;
	int ch, ok;

	while ((ch = attack_getopt(argc, argv, "k:", longopts)) != -1)
		if (ch == 'k')
			key = optarg;
	argc -= optind;
	argv += optind;
	if (key == NULL || argc > 1)
		attack_usage();
	rsa_target_load(&t, key, argc ? argv[0] : "-");
	attack_progress("e = %lu, n of %zu bits: the integer e-th root of c",
	    mpz_get_ui(t.key.pub.e), mpz_sizeinbase(t.key.pub.n, 2));
	mpz_init(m);
	ok = rsa_exact_root(m, t.c, t.key.pub.e);
	if (ok) {
		attack_stats(0, nettle_mpz_sizeinbase_256_u(m));
		rsa_output(m);
	} else
		attack_progress("c is no exact e-th power: m^e wrapped around n"
				" (a padded or long message), nothing"
				" recovered");
	mpz_clear(m);
	rsa_target_clear(&t);
	return ok ? 0 : 1;
}

const struct attack attack_cube_root = {
    "cube-root",
    "-k key.pub [ciphertext]",
    "a short message under e = 3, no padding: c's integer cube root",
    "  -k, --key file     the RSA public key c was made with (PEM or DER)\n"
    "  ciphertext         pk-wrap -e --raw's output, k bytes (default:"
    " stdin)\n",
    cube_root_main,
};
