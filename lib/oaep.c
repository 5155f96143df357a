/*
 * oaep: EME-OAEP over Nettle's MGF1 (pss_mgf1) and the RSA primitives, per
 * RFC 8017 section 7.1.  Decoding touches every byte of the block the same
 * way whatever it holds, and folds all checks into one flag read at the
 * end, so that a caller that reports every failure alike is no padding
 * oracle (Manger's attack).
 */
#include <errno.h>
#include <string.h>

#include <gmp.h>
#include <nettle/bignum.h>
#include <nettle/memops.h>
#include <nettle/memxor.h>
#include <nettle/pss-mgf1.h>
#include <nettle/sha1.h>
#include <nettle/sha2.h>

#include "oaep.h"
#include "secret.h"

/* Room for the state of every hash OAEP is used with here. */
union oaep_hash_ctx {
	struct sha1_ctx sha1;
	struct sha256_ctx sha256;
	struct sha512_ctx sha512;
};

static int
hash_usable(const struct nettle_hash *hash)
{
	if (hash->context_size > sizeof(union oaep_hash_ctx) ||
	    hash->digest_size > SHA512_DIGEST_SIZE) {
		errno = EINVAL;
		return 0;
	}
	return 1;
}

static void
hash_bytes(const struct nettle_hash *hash, const uint8_t *in, size_t len,
    uint8_t *digest)
{
	union oaep_hash_ctx ctx;

	hash->init(&ctx);
	hash->update(&ctx, len, in);
	hash->digest(&ctx, hash->digest_size, digest);
}

/* mask = MGF1(seed, len); pss_mgf1 wants the seed already hashed in. */
static void
mgf1(const struct nettle_hash *hash, const uint8_t *seed, size_t seedlen,
    size_t len, uint8_t *mask)
{
	union oaep_hash_ctx ctx;

	hash->init(&ctx);
	hash->update(&ctx, seedlen, seed);
	pss_mgf1(&ctx, hash, len, mask);
	secret_wipe(&ctx, sizeof(ctx));
}

/* 1 when b is zero, else 0, without a branch. */
static size_t
ct_is_zero(uint8_t b)
{
	return ((uint32_t)b - 1) >> 31;
}

/*
 * buf[0 .. len) <<= shift bytes (shift <= len), zero-filled, one pass per
 * bit of len: the time and the addresses touched depend on len only.
 */
static void
ct_shift_left(uint8_t *buf, size_t len, size_t shift)
{
	size_t b, bit, i;
	uint8_t mask, src;

	for (b = 0; b < 8 * sizeof(len) && ((size_t)1 << b) <= len; b++) {
		bit = (size_t)1 << b;
		mask = (uint8_t)(0u - ((shift >> b) & 1));
		for (i = 0; i < len; i++) {
			src = i + bit < len ? buf[i + bit] : 0;
			buf[i] = (uint8_t)((buf[i] & ~mask) | (src & mask));
		}
	}
}

long
oaep_max_len(const struct nettle_hash *hash, size_t k)
{
	size_t hlen = hash->digest_size;

	if (k < 2 * hlen + 2)
		return -1;
	return (long)(k - 2 * hlen - 2);
}

int
oaep_encode(const struct nettle_hash *hash, const uint8_t *label,
    size_t label_len, void *random_ctx, nettle_random_func *random, size_t k,
    uint8_t *em, size_t mlen, const uint8_t *m)
{
	uint8_t lhash[SHA512_DIGEST_SIZE], *seed, *db;
	size_t hlen = hash->digest_size, dblen;
	long max;

	if (!hash_usable(hash))
		return -1;
	if ((max = oaep_max_len(hash, k)) < 0 || mlen > (size_t)max) {
		errno = EMSGSIZE;
		return -1;
	}
	dblen = k - hlen - 1;
	seed = em + 1;
	db = seed + hlen;
	em[0] = 0;
	random(random_ctx, hlen, seed);
	/* DB = lHash || PS || 0x01 || M, built by xoring into its mask. */
	mgf1(hash, seed, hlen, dblen, db);
	hash_bytes(hash, label, label_len, lhash);
	memxor(db, lhash, hlen);
	db[dblen - mlen - 1] ^= 0x01;
	memxor(db + dblen - mlen, m, mlen);
	mgf1(hash, db, dblen, hlen, lhash);
	memxor(seed, lhash, hlen);
	secret_wipe(lhash, sizeof(lhash));
	return 0;
}

/*
 * Unmasks em in place and leaves the message at em[0 .. *mlen).  scratch
 * holds k bytes.  Returns 1 when well formed, else 0; no branch or index
 * depends on the block's contents until that flag is read.
 */
static size_t
decode_block(const struct nettle_hash *hash, const uint8_t *label,
    size_t label_len, size_t k, uint8_t *em, uint8_t *scratch, size_t *mlen)
{
	uint8_t lhash[SHA512_DIGEST_SIZE], *seed, *db;
	size_t hlen = hash->digest_size, dblen, i, idx, found, good;
	size_t zero, one, first;

	dblen = k - hlen - 1;
	seed = em + 1;
	db = seed + hlen;
	mgf1(hash, db, dblen, hlen, scratch);
	memxor(seed, scratch, hlen);
	mgf1(hash, seed, hlen, dblen, scratch);
	memxor(db, scratch, dblen);
	secret_wipe(scratch, dblen);

	hash_bytes(hash, label, label_len, lhash);
	good = (size_t)memeql_sec(db, lhash, hlen) & ct_is_zero(em[0]);
	/* PS is zeros up to the first 0x01; any other byte first is bad. */
	found = 0;
	idx = hlen;
	for (i = hlen; i < dblen; i++) {
		zero = ct_is_zero(db[i]);
		one = ct_is_zero(db[i] ^ 0x01);
		first = one & (found ^ 1);
		idx ^= (idx ^ i) & (0 - first);
		good &= found | zero | one;
		found |= one;
	}
	good &= found;

	/* The message is db[idx + 1 .. dblen); move it to em[0]. */
	memmove(em, db + hlen + 1, dblen - hlen - 1);
	ct_shift_left(em, dblen - hlen - 1, idx - hlen);
	*mlen = dblen - idx - 1;
	secret_wipe(em + (dblen - hlen - 1), k - (dblen - hlen - 1));
	secret_wipe(lhash, sizeof(lhash));
	return good;
}

int
oaep_decode(const struct nettle_hash *hash, const uint8_t *label,
    size_t label_len, size_t k, uint8_t *em, size_t *mlen)
{
	uint8_t *scratch;
	size_t good;

	if (!hash_usable(hash))
		return -1;
	if (oaep_max_len(hash, k) < 0) {
		secret_wipe(em, k);
		errno = EBADMSG;
		return -1;
	}
	if ((scratch = secret_alloc(k)) == NULL)
		return -1;
	good = decode_block(hash, label, label_len, k, em, scratch, mlen);
	secret_free(scratch, k);
	if (!good) {
		secret_wipe(em, k);
		*mlen = 0;
		errno = EBADMSG;
		return -1;
	}
	return 0;
}

/* mpz_clear after wiping the limbs, for callers without secret_gmp_init. */
static void
mpz_wipe_clear(mpz_t x)
{
	size_t n = mpz_size(x);

	if (n > 0)
		secret_wipe(
		    mpz_limbs_modify(x, (mp_size_t)n), n * sizeof(mp_limb_t));
	mpz_clear(x);
}

int
oaep_encrypt(const struct rsa_public_key *pub, const struct nettle_hash *hash,
    const uint8_t *label, size_t label_len, void *random_ctx,
    nettle_random_func *random, size_t mlen, const uint8_t *m, uint8_t *c)
{
	size_t k = pub->size;
	uint8_t *em;
	mpz_t x;

	if ((em = secret_alloc(k)) == NULL)
		return -1;
	if (oaep_encode(hash, label, label_len, random_ctx, random, k, em, mlen,
		m) == -1) {
		secret_free(em, k);
		return -1;
	}
	mpz_init(x);
	nettle_mpz_set_str_256_u(x, k, em);
	secret_free(em, k);
	mpz_powm(x, x, pub->e, pub->n);
	nettle_mpz_get_str_256(k, c, x);
	mpz_wipe_clear(x);
	return 0;
}

int
oaep_decrypt(const struct rsa_public_key *pub,
    const struct rsa_private_key *key, const struct nettle_hash *hash,
    const uint8_t *label, size_t label_len, void *random_ctx,
    nettle_random_func *random, size_t clen, const uint8_t *c, size_t *mlen,
    uint8_t *m)
{
	size_t k = pub->size, good;
	uint8_t *em;
	mpz_t x, y;

	*mlen = 0;
	if (!hash_usable(hash))
		return -1;
	if ((em = secret_alloc(2 * k)) == NULL)
		return -1;
	mpz_init(x);
	mpz_init(y);
	good = clen == k && oaep_max_len(hash, k) >= 0;
	if (good) {
		nettle_mpz_set_str_256_u(y, clen, c);
		good = mpz_cmp(y, pub->n) < 0 &&
		    rsa_compute_root_tr(pub, key, random_ctx, random, x, y);
	}
	if (good) {
		nettle_mpz_get_str_256(k, em, x);
		good =
		    decode_block(hash, label, label_len, k, em, em + k, mlen);
	}
	if (good)
		memcpy(m, em, *mlen);
	else
		*mlen = 0;
	mpz_wipe_clear(x);
	mpz_clear(y);
	secret_free(em, 2 * k);
	if (!good) {
		errno = EBADMSG;
		return -1;
	}
	return 0;
}
