/*
 * kmhard: the crypto of the key manager's hardened profile (seed 000,
 * docs/keymanager.md "Profiles"), shared by the relay, the client and
 * the trace decoder so that all three compute the same bytes: K (256
 * bits, fresh per pairing, sent to each client under its own RSA key
 * with OAEP-SHA256) is split by HKDF-SHA256 into a data key and a
 * confirmation key; the confirmation is HMAC-SHA256 over the pairing's
 * transcript; the peer channel is AES-256-GCM with a fresh random 12-byte
 * nonce per transfer, one tag per piece.  Nettle only.
 */
#ifndef PK_KMHARD_H
#define PK_KMHARD_H

#include <stddef.h>
#include <stdint.h>

#include "io.h"

#define KM_H_K 32 /* K, and each key HKDF makes of it */
#define KM_H_NONCE 12 /* the transfer's nonce, fresh and random */
#define KM_H_TAG 16 /* GCM's tag */
#define KM_H_MAC 32 /* the confirmation: HMAC-SHA256 */
#define KM_H_OFFER (KM_H_NONCE + 8 + KM_H_TAG) /* nonce, length, tag */
#define KM_H_PIECE IO_BLOCK /* the file's plaintext per piece at most */
#define KM_H_HELLO_MARK " [hardened]" /* ends the hardened greeting */
#define KM_H_PUBKEY "pubkey " /* the client's first frame: then SPKI DER */
#define KM_H_CONFIRM "confirm " /* then the MAC */
#define KM_H_OAEP_LABEL "protokit keymanager K" /* OAEP's label */

/* What GCM's one byte of associated data says a sealed message is. */
enum km_h_kind {
	KM_H_KIND_OFFER = 'o', /* the offer: the file's length */
	KM_H_KIND_PIECE = 'p', /* a piece with more to come */
	KM_H_KIND_LAST = 'l', /* the last piece (may be empty) */
};

/* The two keys made of K. */
struct km_h_keys {
	uint8_t data[KM_H_K]; /* AES-256-GCM, the peer channel */
	uint8_t confirm[KM_H_K]; /* HMAC-SHA256, the confirmation */
};

/*
 * The pairing as one client's connection carried it, in order: the
 * greeting, the client's public key (DER), its command (`wait P` or
 * `conn ID MODE`), the mode word and the wrapped K (OAEP's output).
 */
struct km_h_transcript {
	const uint8_t *hello, *pubkey, *wrapped;
	size_t hello_len, pubkey_len, wrapped_len;
	const char *command, *mode;
};

/* keys = HKDF-SHA256(K) with the labels of docs/keymanager.md. */
void km_h_derive(const uint8_t k[KM_H_K], struct km_h_keys *keys);
/* mac = HMAC-SHA256(keys->confirm, the transcript, each length-prefixed). */
void km_h_confirm_mac(const struct km_h_keys *keys,
    const struct km_h_transcript *t, uint8_t mac[KM_H_MAC]);
/*
 * AES-256-GCM of len bytes of buf in place under the data key, the
 * nonce being the transfer's XOR counter (0 the offer, 1.. the pieces):
 * km_h_seal writes the tag, km_h_open checks it (memeql_sec) and returns
 * 0, or -1 with buf wiped.
 */
void km_h_seal(const struct km_h_keys *keys, const uint8_t nonce[KM_H_NONCE],
    uint64_t counter, enum km_h_kind kind, size_t len, uint8_t *buf,
    uint8_t tag[KM_H_TAG]);
int km_h_open(const struct km_h_keys *keys, const uint8_t nonce[KM_H_NONCE],
    uint64_t counter, enum km_h_kind kind, size_t len, uint8_t *buf,
    const uint8_t tag[KM_H_TAG]);
/* The pieces of a file of len bytes (the last one short, maybe empty). */
uint64_t km_h_pieces(uint64_t len);

#endif
