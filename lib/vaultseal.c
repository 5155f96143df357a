/*
 * vaultseal: the hardened vault profile's crypto (see vaultseal.h), each
 * function a thin use of Nettle (HKDF via lib/hkdf256.c): gcm.h, hmac.h,
 * sha2.h (GCM finished by lib/gcm256.c).
 */
#include <string.h>

#include <nettle/gcm.h>
#include <nettle/sha2.h>

#include "gcm256.h"
#include "hkdf256.h"
#include "secret.h"
#include "vaultseal.h"

static const char salt[] = "protokit vault hardened v4";

void
vault_keys_derive(struct vault_keys *k, const uint8_t secret[VAULT_SECRET])
{
	hkdf256(salt, secret, VAULT_SECRET, "upload key", k->upload,
	    sizeof(k->upload));
	hkdf256(salt, secret, VAULT_SECRET, "receipt key", k->receipt,
	    sizeof(k->receipt));
}

void
vault_aad(uint8_t aad[VAULT_AAD], const uint8_t *frame, uint32_t index)
{
	memcpy(aad, frame, VAULT_AAD - 4);
	vault_put_u32(aad + VAULT_AAD - 4, index);
}

/* The GCM state for one packet: key, nonce, associated data. */
static void
gcm_start(struct gcm_aes256_ctx *g, const uint8_t key[32],
    const uint8_t nonce[VAULT_NONCE], const uint8_t aad[VAULT_AAD])
{
	gcm_aes256_set_key(g, key);
	gcm_aes256_set_iv(g, VAULT_NONCE, nonce);
	gcm_aes256_update(g, VAULT_AAD, aad);
}

void
vault_seal(const uint8_t key[32], const uint8_t nonce[VAULT_NONCE],
    const uint8_t aad[VAULT_AAD], const uint8_t *in, size_t n, uint8_t *out,
    uint8_t tag[VAULT_TAG])
{
	struct gcm_aes256_ctx g;

	gcm_start(&g, key, nonce, aad);
	gcm256_seal(&g, n, out, in, VAULT_TAG, tag);
}

int
vault_open(const uint8_t key[32], const uint8_t nonce[VAULT_NONCE],
    const uint8_t aad[VAULT_AAD], const uint8_t *in, size_t n, uint8_t *out,
    const uint8_t tag[VAULT_TAG])
{
	struct gcm_aes256_ctx g;

	gcm_start(&g, key, nonce, aad);
	return gcm256_open(&g, n, out, in, VAULT_TAG, tag);
}

void
vault_receipt_init(struct hmac_sha256_ctx *h, const uint8_t key[32],
    const uint8_t id[VAULT_ID], const uint8_t name[VAULT_NAME], uint32_t size)
{
	uint8_t le[4];

	vault_put_u32(le, size);
	hmac_sha256_set_key(h, 32, key);
	hmac_sha256_update(h, VAULT_ID, id);
	hmac_sha256_update(h, VAULT_NAME, name);
	hmac_sha256_update(h, sizeof(le), le);
}

void
vault_receipt_update(struct hmac_sha256_ctx *h, const uint8_t *p, size_t n)
{
	hmac_sha256_update(h, n, p);
}

void
vault_receipt_digest(struct hmac_sha256_ctx *h, uint8_t mac[VAULT_RECEIPT])
{
	hmac_sha256_digest(h, VAULT_RECEIPT, mac);
	secret_wipe(h, sizeof(*h));
}

void
vault_proof_digest(uint8_t digest[32], const uint8_t id[VAULT_ID],
    const uint8_t challenge[VAULT_CHALLENGE_LEN])
{
	static const char label[] = "protokit vault reconnect proof v4";
	struct sha256_ctx s;

	sha256_init(&s);
	sha256_update(&s, sizeof(label) - 1, (const uint8_t *)label);
	sha256_update(&s, VAULT_ID, id);
	sha256_update(&s, VAULT_CHALLENGE_LEN, challenge);
	sha256_digest(&s, SHA256_DIGEST_SIZE, digest);
}
