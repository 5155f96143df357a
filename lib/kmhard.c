/*
 * kmhard: the hardened key manager's keys, confirmation and sealing
 * (kmhard.h): HKDF-SHA256 (lib/hkdf256.c), HMAC-SHA256 (hmac.h) and
 * AES-256-GCM (gcm.h, finished by lib/gcm256.c: tags compared with
 * memeql_sec) from Nettle.
 */
#include <string.h>

#include <nettle/gcm.h>
#include <nettle/hmac.h>

#include "gcm256.h"
#include "hkdf256.h"
#include "kmhard.h"
#include "secret.h"

static const char salt[] = "protokit keymanager hardened";
static const char info[] = "data key, confirmation key";
static const char confirm_label[] = "protokit keymanager confirm v1";

void
km_h_derive(const uint8_t k[KM_H_K], struct km_h_keys *keys)
{
	uint8_t okm[2 * KM_H_K];

	hkdf256(salt, k, KM_H_K, info, okm, sizeof(okm));
	memcpy(keys->data, okm, KM_H_K);
	memcpy(keys->confirm, okm + KM_H_K, KM_H_K);
	secret_wipe(okm, sizeof(okm));
}

/* One item of the transcript: its length (4 bytes, big-endian), then it. */
static void
item(struct hmac_sha256_ctx *ctx, const void *p, size_t len)
{
	uint8_t be[4] = {(uint8_t)(len >> 24), (uint8_t)(len >> 16),
	    (uint8_t)(len >> 8), (uint8_t)len};

	hmac_sha256_update(ctx, sizeof(be), be);
	hmac_sha256_update(ctx, len, p);
}

void
km_h_confirm_mac(const struct km_h_keys *keys, const struct km_h_transcript *t,
    uint8_t mac[KM_H_MAC])
{
	struct hmac_sha256_ctx ctx;

	hmac_sha256_set_key(&ctx, KM_H_K, keys->confirm);
	item(&ctx, confirm_label, sizeof(confirm_label) - 1);
	item(&ctx, t->hello, t->hello_len);
	item(&ctx, t->pubkey, t->pubkey_len);
	item(&ctx, t->command, strlen(t->command));
	item(&ctx, t->mode, strlen(t->mode));
	item(&ctx, t->wrapped, t->wrapped_len);
	hmac_sha256_digest(&ctx, KM_H_MAC, mac);
	secret_wipe(&ctx, sizeof(ctx));
}

/* The key, the message's nonce and its one byte of associated data. */
static void
start(struct gcm_aes256_ctx *ctx, const struct km_h_keys *keys,
    const uint8_t nonce[KM_H_NONCE], uint64_t counter, enum km_h_kind kind)
{
	uint8_t n[KM_H_NONCE], ad = (uint8_t)kind;
	int i;

	memcpy(n, nonce, KM_H_NONCE);
	for (i = 0; i < 8; i++)
		n[KM_H_NONCE - 1 - i] ^= (uint8_t)(counter >> (8 * i));
	gcm_aes256_set_key(ctx, keys->data);
	gcm_aes256_set_iv(ctx, KM_H_NONCE, n);
	gcm_aes256_update(ctx, 1, &ad);
}

void
km_h_seal(const struct km_h_keys *keys, const uint8_t nonce[KM_H_NONCE],
    uint64_t counter, enum km_h_kind kind, size_t len, uint8_t *buf,
    uint8_t tag[KM_H_TAG])
{
	struct gcm_aes256_ctx ctx;

	start(&ctx, keys, nonce, counter, kind);
	gcm256_seal(&ctx, len, buf, buf, KM_H_TAG, tag);
}

int
km_h_open(const struct km_h_keys *keys, const uint8_t nonce[KM_H_NONCE],
    uint64_t counter, enum km_h_kind kind, size_t len, uint8_t *buf,
    const uint8_t tag[KM_H_TAG])
{
	struct gcm_aes256_ctx ctx;

	start(&ctx, keys, nonce, counter, kind);
	return gcm256_open(&ctx, len, buf, buf, KM_H_TAG, tag);
}

uint64_t
km_h_pieces(uint64_t len)
{
	return len / KM_H_PIECE + 1;
}
