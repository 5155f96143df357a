/*
 * cipher: the one place that picks Nettle's functions for a mode, a
 * direction and a key size.  CBC encryption, and CFB-128 encryption too,
 * go through Nettle's cbc_aesN_encrypt fast paths; CBC and CFB decryption
 * hand Nettle the whole buffer at once so that its AES code works on many
 * blocks per call.
 */
#include <string.h>

#include <nettle/aes.h>
#include <nettle/cbc.h>
#include <nettle/cfb.h>
#include <nettle/memxor.h>

#include "aes.h"
#include "secret.h"

void
aes_cipher_init(struct aes_cipher *c, enum aes_mode mode, int decrypt,
    const struct aes_key *k, const uint8_t iv[AES_BLOCK_SIZE])
{
	/* Only CBC decryption runs AES backwards; CFB uses E_K both ways. */
	int inverse = mode == AES_CBC && decrypt;

	c->mode = mode;
	c->decrypt = decrypt;
	c->key_len = k->len;
	memcpy(c->iv, iv, AES_BLOCK_SIZE);
	switch (k->len) {
	case AES128_KEY_SIZE:
		if (inverse)
			aes128_set_decrypt_key(&c->ctx.a128, k->bytes);
		else
			aes128_set_encrypt_key(&c->ctx.a128, k->bytes);
		c->block = inverse ? (nettle_cipher_func *)aes128_decrypt
				   : (nettle_cipher_func *)aes128_encrypt;
		break;
	case AES192_KEY_SIZE:
		if (inverse)
			aes192_set_decrypt_key(&c->ctx.a192, k->bytes);
		else
			aes192_set_encrypt_key(&c->ctx.a192, k->bytes);
		c->block = inverse ? (nettle_cipher_func *)aes192_decrypt
				   : (nettle_cipher_func *)aes192_encrypt;
		break;
	default:
		if (inverse)
			aes256_set_decrypt_key(&c->ctx.a256, k->bytes);
		else
			aes256_set_encrypt_key(&c->ctx.a256, k->bytes);
		c->block = inverse ? (nettle_cipher_func *)aes256_decrypt
				   : (nettle_cipher_func *)aes256_encrypt;
		break;
	}
}

static void
cbc_encrypt_fast(
    struct aes_cipher *c, uint8_t *dst, const uint8_t *src, size_t len)
{
	switch (c->key_len) {
	case AES128_KEY_SIZE:
		cbc_aes128_encrypt(&c->ctx.a128, c->iv, len, dst, src);
		break;
	case AES192_KEY_SIZE:
		cbc_aes192_encrypt(&c->ctx.a192, c->iv, len, dst, src);
		break;
	default:
		cbc_aes256_encrypt(&c->ctx.a256, c->iv, len, dst, src);
		break;
	}
}

/*
 * CFB-128 encryption through the CBC fast path (Nettle's cfb_encrypt makes
 * two calls a block).  With Y_0 = E(C_0) and Y_i = E(P_i ^ Y_{i-1}), which
 * is CBC encryption of P under the IV Y_0, the CFB ciphertext is
 * C_i = P_i ^ Y_{i-1}.  c->iv is the last ciphertext block, as in
 * cfb_encrypt.
 */
static void
cfb_encrypt_fast(
    struct aes_cipher *c, uint8_t *dst, const uint8_t *src, size_t len)
{
	size_t whole = len - len % AES_BLOCK_SIZE;
	uint8_t y[AES_BLOCK_SIZE];

	if (whole > 0) {
		c->block(&c->ctx, AES_BLOCK_SIZE, dst, c->iv);
		memcpy(c->iv, dst, AES_BLOCK_SIZE);
		if (whole > AES_BLOCK_SIZE)
			cbc_encrypt_fast(c, dst + AES_BLOCK_SIZE, src,
			    whole - AES_BLOCK_SIZE);
		memxor(dst, src, whole);
		memcpy(c->iv, dst + whole - AES_BLOCK_SIZE, AES_BLOCK_SIZE);
	}
	/* A partial block ends the stream. */
	if (len > whole) {
		c->block(&c->ctx, AES_BLOCK_SIZE, y, c->iv);
		memxor3(dst + whole, src + whole, y, len - whole);
		secret_wipe(y, sizeof(y));
	}
}

void
aes_cipher_run(
    struct aes_cipher *c, uint8_t *dst, const uint8_t *src, size_t len)
{
	if (len == 0)
		return;
	switch (c->mode) {
	case AES_CBC:
		if (c->decrypt)
			cbc_decrypt(&c->ctx, c->block, AES_BLOCK_SIZE, c->iv,
			    len, dst, src);
		else
			cbc_encrypt_fast(c, dst, src, len);
		break;
	case AES_CFB:
		if (c->decrypt)
			cfb_decrypt(&c->ctx, c->block, AES_BLOCK_SIZE, c->iv,
			    len, dst, src);
		else
			cfb_encrypt_fast(c, dst, src, len);
		break;
	case AES_CFB8:
		if (c->decrypt)
			cfb8_decrypt(&c->ctx, c->block, AES_BLOCK_SIZE, c->iv,
			    len, dst, src);
		else
			cfb8_encrypt(&c->ctx, c->block, AES_BLOCK_SIZE, c->iv,
			    len, dst, src);
		break;
	}
}

int
aes_cipher_whole_blocks(const struct aes_cipher *c)
{
	return c->mode == AES_CBC;
}

void
aes_cipher_wipe(struct aes_cipher *c)
{
	secret_wipe(c, sizeof(*c));
}
