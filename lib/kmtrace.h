/*
 * kmtrace: the one decoder of the key manager protocol (seed 000) for
 * lib/trace.h: names the fields of each frame of a client's conversation
 * with the key manager and of the peer channel, for pk-xfer keymanager
 * and the relay's keymanager service alike.  The names are those of
 * docs/keymanager.md's "Fields on the wire".  The state is what the
 * conversation so far says (the last command, the mode) and the keys the
 * tracing side holds: with K3, the wrapped K and IV are shown unwrapped,
 * and with K and IV, the confirmation and the file's plaintext under
 * their ciphertext.
 */
#ifndef PK_KMTRACE_H
#define PK_KMTRACE_H

#include <stddef.h>
#include <stdint.h>

#include <nettle/aes.h>

#include "kmhard.h"
#include "kmwire.h"
#include "trace.h"

struct key_rsa;

/* Who traces: which direction a frame comes from. */
enum km_side {
	KM_SIDE_CLIENT, /* a client, on its link to the key manager */
	KM_SIDE_RELAY, /* the key manager, on a client's connection */
	KM_SIDE_SENDER, /* the sender, on the peer channel */
	KM_SIDE_WAITER, /* the waiter, on the peer channel */
};

struct km_trace {
	enum km_side side;
	const struct aes128_ctx *k3; /* K3's decryption key, or NULL */
	enum km_type last; /* the client's last command */
	enum km_mode mode; /* 0 until the mode word (or km_trace_keys) */
	int have_k, have_iv;
	uint8_t k[KM_BLOCK], iv[KM_BLOCK];
	uint8_t chain[KM_BLOCK]; /* peer channel: the next piece's IV */
	int pieces; /* peer channel: file pieces so far */
	uint8_t plain[KM_CONFIRM_PADDED]; /* a control frame's plaintext */
	uint8_t *scratch; /* the file pieces' plaintext, or NULL: not shown */
	size_t scratch_size;
	/* The hardened profile (lib/kmhard.h): */
	int hardened; /* the greeting or the key frame said so */
	const struct key_rsa *rsa; /* a client's own key: K opened with it */
	int have_hk; /* K known: the keys HKDF makes of it */
	uint8_t hk[KM_H_K];
	struct km_h_keys keys;
	int have_nonce; /* peer channel: the offer's nonce */
	uint8_t nonce[KM_H_NONCE];
};

/* A fresh state for side, with K3's decryption key if the side holds it. */
void km_trace_init(
    struct km_trace *, enum km_side, const struct aes128_ctx *k3);
/* The session's mode, K and IV, for the peer channel. */
void km_trace_keys(struct km_trace *, enum km_mode, const uint8_t k[KM_BLOCK],
    const uint8_t iv[KM_BLOCK]);
/*
 * The hardened profile: the side's K (the relay's, or the client's once
 * opened), or a client's RSA key that opens it from the key frame.
 */
void km_trace_hard_k(struct km_trace *, const uint8_t k[KM_H_K]);
void km_trace_hard_rsa(struct km_trace *, const struct key_rsa *);
/*
 * Names the fields of one frame (its 4-byte header and payload, fr->buf,
 * fr->len and fr->dir set by trace_begin) and updates the state.  The
 * plaintext fields point into the state: print the frame before the next.
 */
void km_trace(struct trace_frame *fr, struct km_trace *);
/* The same for a piece of the file's ciphertext, raw on the peer channel. */
void km_trace_file(struct trace_frame *fr, struct km_trace *);

#endif
