/*
 * gcm256: the end of an AES-256-GCM seal or open (Nettle's gcm.h) once the
 * caller has set the key, the nonce and the associated data: the tag
 * written, or checked with memeql_sec, and the context wiped; for the
 * hardened profiles (lib/vaultseal.c, lib/kmhard.c, lib/chathard.c).
 */
#ifndef PK_GCM256_H
#define PK_GCM256_H

#include <stddef.h>
#include <stdint.h>

#include <nettle/gcm.h>

/* n bytes of in encrypted into out (in == out is fine), the tag in tag. */
void gcm256_seal(struct gcm_aes256_ctx *g, size_t n, uint8_t *out,
    const uint8_t *in, size_t taglen, uint8_t *tag);
/*
 * n bytes of in decrypted into out; 0 when tag (taglen bytes, at most
 * GCM_DIGEST_SIZE) verifies, else -1 with out wiped.
 */
int gcm256_open(struct gcm_aes256_ctx *g, size_t n, uint8_t *out,
    const uint8_t *in, size_t taglen, const uint8_t *tag);

#endif
