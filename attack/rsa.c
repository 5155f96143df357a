/*
 * rsa: reads the textbook-RSA attacks' inputs (a public key and a raw
 * ciphertext) with lib/key, takes exact integer roots with GMP, and
 * writes a recovered number as bytes.
 */
#include <err.h>
#include <stdlib.h>

#include <nettle/bignum.h>

#include "attack.h"
#include "rsa.h"

#define CIPHER_MAX (KEY_RSA_BITS_MAX / 8) /* the longest ciphertext read */

void
rsa_target_load(struct rsa_target *t, const char *keypath, const char *cpath)
{
	char msg[512];
	uint8_t *buf;
	size_t len;
	int rv;

	key_init(&t->key);
	if ((rv = key_load(&t->key, keypath, NULL, 0)) != KEY_OK) {
		key_load_msg(rv, keypath, NULL, msg, sizeof(msg));
		errx(2, "%s", msg);
	}
	buf = attack_slurp(cpath, CIPHER_MAX, &len);
	if (len != t->key.pub.size)
		errx(2, "%s: %zu bytes, not %zu as the modulus of %s", cpath,
		    len, t->key.pub.size, keypath);
	mpz_init(t->c);
	nettle_mpz_set_str_256_u(t->c, len, buf);
	free(buf);
	if (mpz_cmp(t->c, t->key.pub.n) >= 0)
		errx(2, "%s: not below the modulus of %s", cpath, keypath);
}

void
rsa_target_clear(struct rsa_target *t)
{
	mpz_clear(t->c);
	key_clear(&t->key);
}

int
rsa_exact_root(mpz_t m, const mpz_t x, const mpz_t e)
{
	if (!mpz_fits_ulong_p(e) || mpz_cmp_ui(e, 2) < 0)
		return 0;
	return mpz_root(m, x, mpz_get_ui(e)) != 0;
}

void
rsa_output(const mpz_t m)
{
	uint8_t *buf;
	size_t n = nettle_mpz_sizeinbase_256_u(m);

	if ((buf = malloc(n ? n : 1)) == NULL)
		err(2, NULL);
	nettle_mpz_get_str_256(n, buf, m);
	attack_output(buf, mpz_sgn(m) ? n : 0);
	free(buf);
}
