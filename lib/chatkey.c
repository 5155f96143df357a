/*
 * chatkey: the chat's session key under RSA-OAEP-SHA1 (PyCryptodome's
 * PKCS1_OAEP defaults: SHA-1, MGF1-SHA-1, no label) and its messages in
 * AES-128-CFB8, as relay/chat.c and xfer/chat*.c do them.
 */
#include <errno.h>
#include <string.h>

#include <nettle/aes.h>
#include <nettle/cfb.h>
#include <nettle/sha1.h>
#include <nettle/sha2.h>

#include "chathard.h"
#include "chatkey.h"
#include "oaep.h"
#include "rand.h"
#include "secret.h"

int
chatkey_unwrap(const struct key_rsa *k, int hardened, const uint8_t *w,
    size_t len, uint8_t *key)
{
	static const char label[] = CHAT_H_OAEP_LABEL;
	uint8_t m[KEY_RSA_BITS_MAX / 8];
	size_t mlen = 0, want = hardened ? CHAT_H_K : CHAT_KEY;
	int rv;

	if (hardened)
		rv = oaep_decrypt(&k->pub, &k->priv, &nettle_sha256,
		    (const uint8_t *)label, sizeof(label) - 1, NULL,
		    rand_nettle, len, w, &mlen, m);
	else
		rv = oaep_decrypt(&k->pub, &k->priv, &nettle_sha1, NULL, 0,
		    NULL, rand_nettle, len, w, &mlen, m);
	if (rv == 0 && mlen == want)
		memcpy(key, m, want);
	secret_wipe(m, sizeof(m));
	if (rv == 0 && mlen != want) {
		errno = EBADMSG;
		return -1;
	}
	return rv;
}

int
chatkey_wrap(const struct rsa_public_key *pub, const uint8_t key[CHAT_KEY],
    uint8_t *out, size_t cap)
{
	if (cap < pub->size) {
		errno = ENOSPC;
		return -1;
	}
	return oaep_encrypt(
	    pub, &nettle_sha1, NULL, 0, NULL, rand_nettle, CHAT_KEY, key, out);
}

void
chatkey_cfb8(const uint8_t key[CHAT_KEY], const uint8_t iv[CHAT_IV],
    int encrypt, size_t len, uint8_t *dst, const uint8_t *src)
{
	struct aes128_ctx aes;
	uint8_t reg[CHAT_IV];

	aes128_set_encrypt_key(&aes, key);
	memcpy(reg, iv, CHAT_IV);
	if (encrypt)
		cfb8_encrypt(&aes, (nettle_cipher_func *)aes128_encrypt,
		    CHAT_IV, reg, len, dst, src);
	else
		cfb8_decrypt(&aes, (nettle_cipher_func *)aes128_encrypt,
		    CHAT_IV, reg, len, dst, src);
	secret_wipe(&aes, sizeof(aes));
}
