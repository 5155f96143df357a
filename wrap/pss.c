/*
 * pss: RSASSA-PSS verification with SHA-256 and MGF1-SHA-256 whatever the
 * salt length, as openssl's rsa_pss_saltlen:auto does: EMSA-PSS-VERIFY
 * (RFC 8017 9.1.2) reads the salt's length off the decoded block.  Nettle
 * verifies only a given length.  Everything here is public, so the
 * decoding may branch on it.
 */
#include <string.h>

#include <gmp.h>
#include <nettle/bignum.h>
#include <nettle/memops.h>
#include <nettle/memxor.h>
#include <nettle/pss-mgf1.h>
#include <nettle/rsa.h>
#include <nettle/sha2.h>

#include "key.h"
#include "wrap.h"

#define HLEN SHA256_DIGEST_SIZE

/* H' = SHA-256(8 zero octets || mHash || salt), compared with H. */
static int
hash_matches(const uint8_t *digest, const uint8_t *salt, size_t saltlen,
    const uint8_t *h)
{
	static const uint8_t zeros[8];
	struct sha256_ctx ctx;
	uint8_t h2[HLEN];

	sha256_init(&ctx);
	sha256_update(&ctx, sizeof(zeros), zeros);
	sha256_update(&ctx, HLEN, digest);
	sha256_update(&ctx, saltlen, salt);
	sha256_digest(&ctx, HLEN, h2);
	return memeql_sec(h, h2, HLEN);
}

/*
 * EMSA-PSS-VERIFY on em (emlen octets, embits bits): 1 when it encodes
 * digest with a salt of any length.
 */
static int
emsa_pss_verify(uint8_t *em, size_t emlen, size_t embits, const uint8_t *digest)
{
	struct sha256_ctx ctx;
	uint8_t mask[KEY_BITS_MAX / 8], *db = em, *h;
	uint8_t top = (uint8_t)(0xff >> (8 * emlen - embits));
	size_t dblen, i;

	if (emlen < HLEN + 2 || em[emlen - 1] != 0xbc)
		return 0;
	dblen = emlen - HLEN - 1;
	h = em + dblen;
	if ((db[0] & ~top) != 0)
		return 0;
	sha256_init(&ctx);
	sha256_update(&ctx, HLEN, h);
	pss_mgf1(&ctx, &nettle_sha256, dblen, mask);
	memxor(db, mask, dblen);
	db[0] &= top;
	/* DB = PS (zeros) || 0x01 || salt */
	for (i = 0; i < dblen && db[i] == 0; i++)
		;
	if (i == dblen || db[i] != 0x01)
		return 0;
	i++;
	return hash_matches(digest, db + i, dblen - i, h);
}

int
pss_verify_any_salt(
    const struct rsa_public_key *pub, const uint8_t *digest, const mpz_t s)
{
	uint8_t em[KEY_BITS_MAX / 8];
	size_t embits, emlen;
	mpz_t m;
	int ok;

	embits = mpz_sizeinbase(pub->n, 2) - 1;
	emlen = (embits + 7) / 8;
	if (mpz_sgn(s) < 0 || mpz_cmp(s, pub->n) >= 0 || emlen > sizeof(em))
		return 0;
	mpz_init(m);
	mpz_powm(m, s, pub->e, pub->n);
	/* The block must fit in embits bits (9.1.2 step 3 of RSAVP1's end). */
	ok = mpz_sizeinbase(m, 2) <= embits;
	if (ok) {
		nettle_mpz_get_str_256(emlen, em, m);
		ok = emsa_pss_verify(em, emlen, embits, digest);
	}
	mpz_clear(m);
	return ok;
}
