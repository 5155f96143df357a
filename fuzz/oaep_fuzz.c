/*
 * oaep_fuzz: lib/oaep's constant-time decoder, fed any k-byte block (the
 * step after the RSA operation), must not crash and must agree with a
 * plain, branching reading of RFC 8017 7.1.2 step 3; and encode then
 * decode must give back the message.  Input: a flags byte, a label length
 * byte, the label, then the block.  Flags: bit 0 SHA-1 instead of
 * SHA-256; bit 1 the block is given unmasked (Y || seed || DB) and is
 * masked here, so that the fuzzer steers PS and the 0x01 separator; bit 2
 * (with bit 1) DB starts with the right lHash.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <nettle/nettle-meta.h>
#include <nettle/pss-mgf1.h>
#include <nettle/sha1.h>
#include <nettle/sha2.h>

#include "oaep.h"

#define K_MAX 1024

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
mgf1_xor(const struct nettle_hash *hash, const uint8_t *seed, size_t slen,
    uint8_t *out, size_t len)
{
	struct sha256_ctx ctx; /* larger than sha1_ctx */
	uint8_t mask[K_MAX];
	size_t i;

	hash->init(&ctx);
	hash->update(&ctx, slen, seed);
	pss_mgf1(&ctx, hash, len, mask);
	for (i = 0; i < len; i++)
		out[i] ^= mask[i];
}

/* The reference: returns the message length, or -1 for a bad block. */
static long
ref_decode(const struct nettle_hash *hash, const uint8_t *lhash, size_t k,
    const uint8_t *in, uint8_t *m)
{
	uint8_t em[K_MAX];
	size_t h = hash->digest_size, dblen = k - h - 1, i;

	memcpy(em, in, k);
	mgf1_xor(hash, em + 1 + h, dblen, em + 1, h);
	mgf1_xor(hash, em + 1, h, em + 1 + h, dblen);
	if (em[0] != 0 || memcmp(em + 1 + h, lhash, h) != 0)
		return -1;
	for (i = 1 + 2 * h; i < k && em[i] == 0; i++)
		;
	if (i == k || em[i] != 0x01)
		return -1;
	memcpy(m, em + i + 1, k - i - 1);
	return (long)(k - i - 1);
}

static uint64_t rng_state;

static void
fuzz_random(void *ctx, size_t n, uint8_t *dst)
{
	(void)ctx;
	while (n-- > 0) {
		rng_state ^= rng_state << 13;
		rng_state ^= rng_state >> 7;
		rng_state ^= rng_state << 17;
		*dst++ = (uint8_t)rng_state;
	}
}

static void
check_decode(const struct nettle_hash *hash, const uint8_t *label, size_t llen,
    size_t k, const uint8_t *block)
{
	uint8_t em[K_MAX], ref[K_MAX], lhash[SHA256_DIGEST_SIZE];
	struct sha256_ctx ctx;
	size_t mlen = 12345;
	long rlen = -1;
	int rv;

	hash->init(&ctx);
	hash->update(&ctx, llen, label);
	hash->digest(&ctx, hash->digest_size, lhash);
	memcpy(em, block, k);
	rv = oaep_decode(hash, label, llen, k, em, &mlen);
	if (oaep_max_len(hash, k) >= 0)
		rlen = ref_decode(hash, lhash, k, block, ref);
	if ((rv == 0) != (rlen >= 0))
		abort();
	if (rv == 0 && ((long)mlen != rlen || memcmp(em, ref, mlen) != 0))
		abort();
}

/* Applies the OAEP masks to an unmasked Y || seed || DB block. */
static void
mask_block(const struct nettle_hash *hash, size_t k, uint8_t *em)
{
	size_t h = hash->digest_size;

	mgf1_xor(hash, em + 1, h, em + 1 + h, k - h - 1);
	mgf1_xor(hash, em + 1 + h, k - h - 1, em + 1, h);
}

static void
check_roundtrip(const struct nettle_hash *hash, const uint8_t *label,
    size_t llen, size_t k, const uint8_t *msg)
{
	uint8_t em[K_MAX];
	size_t mlen, out = 0;
	long max = oaep_max_len(hash, k);

	if (max < 0) {
		if (oaep_encode(hash, label, llen, NULL, fuzz_random, k, em, 0,
			msg) != -1)
			abort();
		return;
	}
	mlen = msg[0] % ((size_t)max + 1);
	if (oaep_encode(
		hash, label, llen, NULL, fuzz_random, k, em, mlen, msg) == -1)
		abort();
	if (oaep_decode(hash, label, llen, k, em, &out) == -1 || out != mlen ||
	    memcmp(em, msg, mlen) != 0)
		abort();
	if (oaep_encode(hash, label, llen, NULL, fuzz_random, k, em,
		(size_t)max + 1, msg) != -1)
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const struct nettle_hash *hash;
	const uint8_t *label;
	uint8_t block[K_MAX];
	struct sha256_ctx ctx;
	size_t llen, k;
	int flags;

	if (size < 3)
		return 0;
	flags = data[0];
	hash = flags & 1 ? &nettle_sha1 : &nettle_sha256;
	llen = data[1];
	if (llen > size - 3)
		llen = size - 3;
	label = data + 2;
	data += 2 + llen;
	size -= 2 + llen;
	k = size < K_MAX ? size : K_MAX;
	memcpy(block, data, k);
	if ((flags & 2) && oaep_max_len(hash, k) >= 0) {
		if (flags & 4) {
			hash->init(&ctx);
			hash->update(&ctx, llen, label);
			hash->digest(&ctx, hash->digest_size,
			    block + 1 + hash->digest_size);
		}
		mask_block(hash, k, block);
	}
	check_decode(hash, label, llen, k, block);
	rng_state = 0x9e3779b97f4a7c15 ^ k ^ ((uint64_t)data[0] << 32);
	check_roundtrip(hash, label, llen, k, data);
	return 0;
}
