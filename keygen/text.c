/*
 * text: pk-keygen info --text: the key's numbers in the layout of
 * `openssl rsa -text -noout` (`-pubin` for a public key), byte for byte,
 * so that a student can check the RSA maths by hand against either tool.
 * A number of 8 bytes or less is one line, "name: 65537 (0x10001)";
 * a larger one is its bytes in hex, 15 a line, led by 00 when its top bit
 * is set (ASN.1's sign), as OpenSSL's ASN1_bn_print does.
 */
#include <stdio.h>
#include <stdlib.h>

#include <gmp.h>
#include <nettle/bignum.h>

#include "keygen.h"

#define TEXT_ROW 15 /* bytes a line */

static int
number(const char *name, const mpz_t x)
{
	uint8_t *buf;
	size_t n, i;
	int rv = 0;

	if (mpz_sizeinbase(x, 256) <= 8)
		return gmp_printf("%s %Zu (0x%Zx)\n", name, x, x) < 0 ? -1 : 0;
	/* One byte more: a leading 00 when the top bit is set. */
	n = nettle_mpz_sizeinbase_256_s(x);
	buf = xsecret(n);
	nettle_mpz_get_str_256(n, buf, x);
	rv |= printf("%s\n", name) < 0;
	for (i = 0; i < n; i++)
		rv |= printf("%s%02x%s", i % TEXT_ROW ? "" : "    ", buf[i],
			  i + 1 == n			     ? "\n"
			      : i % TEXT_ROW == TEXT_ROW - 1 ? ":\n"
							     : ":") < 0;
	return rv ? -1 : 0;
}

void
print_text(const struct key_rsa *k, const char *path)
{
	const struct rsa_private_key *p = &k->priv;
	int rv;

	if (k->multi.extra)
		die(2, "%s: --text shows two-prime keys only", path);
	if (!k->has_private) {
		rv = printf("Public-Key: (%zu bit)\n",
			 mpz_sizeinbase(k->pub.n, 2)) < 0 ||
		    number("Modulus:", k->pub.n) ||
		    number("Exponent:", k->pub.e);
	} else {
		rv = printf("Private-Key: (%zu bit, 2 primes)\n",
			 mpz_sizeinbase(k->pub.n, 2)) < 0 ||
		    number("modulus:", k->pub.n) ||
		    number("publicExponent:", k->pub.e) ||
		    number("privateExponent:", p->d) ||
		    number("prime1:", p->p) || number("prime2:", p->q) ||
		    number("exponent1:", p->a) || number("exponent2:", p->b) ||
		    number("coefficient:", p->c);
	}
	if (rv || fflush(stdout) == EOF)
		die_errno(2, "stdout");
}
