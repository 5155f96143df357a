/*
 * vaultseal: the crypto of the vault protocol's hardened profile, shared
 * by the relay, pk-xfer and the trace's decoder so that all three agree
 * (docs/vault.md, "Profiles").  All from Nettle: HKDF-SHA256 splits the
 * 32-byte session secret (the AES key of 1602/1605) into an upload key
 * and a receipt key; each 828 packet is sealed with AES-256-GCM under a
 * fresh random 12-byte nonce, its header and its true index as the
 * associated data; the receipt in 1603 is HMAC-SHA256 over the client id,
 * the file name, the size and the plaintext; a reconnect is proved by an
 * RSA-PSS-SHA256 signature over the relay's challenge and the client id.
 * Nothing here prints, allocates or exits.
 */
#ifndef PK_VAULTSEAL_H
#define PK_VAULTSEAL_H

#include <stddef.h>
#include <stdint.h>

#include <nettle/hmac.h>

#include "vaultwire.h"

#define VAULT_SECRET 32 /* the session secret: 1602's AES key */

/* The two keys of a session secret. */
struct vault_keys {
	uint8_t upload[32]; /* AES-256-GCM of the 828 packets */
	uint8_t receipt[32]; /* HMAC-SHA256 of 1603's receipt */
};

void vault_keys_derive(struct vault_keys *, const uint8_t secret[VAULT_SECRET]);

/*
 * The associated data of packet index (its true number, not reduced
 * modulo 2^16): the frame's bytes before the nonce, then index as 4
 * little-endian bytes.  frame is the whole 828 (header first).
 */
#define VAULT_AAD (VAULT_REQ_HDR + 12 + VAULT_NAME + 4)
void vault_aad(uint8_t aad[VAULT_AAD], const uint8_t *frame, uint32_t index);

/* Seals the n bytes of in: out gets the ciphertext, tag the tag. */
void vault_seal(const uint8_t key[32], const uint8_t nonce[VAULT_NONCE],
    const uint8_t aad[VAULT_AAD], const uint8_t *in, size_t n, uint8_t *out,
    uint8_t tag[VAULT_TAG]);
/*
 * Opens n bytes of ciphertext into out: 0 when the tag verifies
 * (memeql_sec), else -1 with out wiped.
 */
int vault_open(const uint8_t key[32], const uint8_t nonce[VAULT_NONCE],
    const uint8_t aad[VAULT_AAD], const uint8_t *in, size_t n, uint8_t *out,
    const uint8_t tag[VAULT_TAG]);

/* The receipt: start, the plaintext in order, then the 32-byte MAC. */
void vault_receipt_init(struct hmac_sha256_ctx *, const uint8_t key[32],
    const uint8_t id[VAULT_ID], const uint8_t name[VAULT_NAME], uint32_t size);
void vault_receipt_update(struct hmac_sha256_ctx *, const uint8_t *, size_t);
void vault_receipt_digest(struct hmac_sha256_ctx *, uint8_t mac[VAULT_RECEIPT]);

/* What a reconnect's proof signs: SHA-256 of a label, id, challenge. */
void vault_proof_digest(uint8_t digest[32], const uint8_t id[VAULT_ID],
    const uint8_t challenge[VAULT_CHALLENGE_LEN]);
#define VAULT_PSS_SALT 32 /* RSA-PSS salt bytes */

#endif
