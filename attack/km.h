/*
 * km: what the keymanager attacks (seed 000) read from a capture: the
 * faithful transfers it holds, each with the mode word, K and IV as the
 * key manager wrapped them under K3 (the control channel), the length
 * block and the file's ciphertext (the peer channel).  The steps and
 * fields are those lib/kmtrace.c named when the capture was made.
 */
#ifndef PK_ATTACK_KM_H
#define PK_ATTACK_KM_H

#include <stddef.h>
#include <stdint.h>

#include "attack.h"
#include "kmwire.h"

#define KM_XFER_MAX 16 /* transfers read from a capture at most */

struct km_xfer {
	enum km_mode mode; /* the last mode word before the offer, or 0 */
	int have_k, have_iv; /* the wrapped K and IV seen before the offer */
	uint8_t wrapped_k[KM_BLOCK], wrapped_iv[KM_BLOCK];
	uint8_t offer[KM_BLOCK]; /* the length block */
	uint8_t *ct; /* the file's ciphertext, its pieces joined */
	size_t len;
};

/*
 * The faithful transfers of the captures (read in order, as one), at
 * most KM_XFER_MAX; *hardened counts the hardened profile's frames
 * seen.  A transfer takes the mode, K and IV last seen before its offer:
 * with the control channel's capture given before the peer channel's,
 * that is the last pairing's for every transfer (one pairing, or K and
 * IV reused, as the attacks need).  Dies (2) on a capture it cannot read.
 */
size_t km_xfers(
    char *paths[], size_t npaths, struct km_xfer *x, size_t *hardened);
void km_xfers_free(struct km_xfer *x, size_t n);
/*
 * Decrypts x's file with K and IV in its mode (lib/kmtrace.c's
 * decryption) and strips the padding: the plaintext's length, or -1 if
 * the padding is bad (a wrong key).  out has room for x->len bytes.
 */
long km_xfer_open(const struct km_xfer *x, const uint8_t k[KM_BLOCK],
    const uint8_t iv[KM_BLOCK], uint8_t *out);
/* The length block's plaintext: the ciphertext's length, PKCS#7-padded. */
void km_size_block(uint64_t len, uint8_t out[KM_BLOCK]);

#endif
