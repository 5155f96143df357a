/*
 * chathard: the chat protocol's hardened profile (seed 003, docs/chat.md
 * "Profiles"), shared by the relay, pk-xfer chat, the trace's decoder and
 * the fuzz target so that all of them compute the same bytes.  The
 * client pins the server key by the SHA-256 of its SPKI DER; the relay
 * proves it holds that key with an RSA-PSS-SHA256 signature over the
 * handshake's transcript; each client gets its own 32-byte session key
 * K, wrapped with RSA-OAEP-SHA256 under that client's key, and a fresh
 * one (epoch + 1) at every join and leave; HKDF-SHA256 splits K into a
 * key for each direction; every later frame is sealed with AES-256-GCM,
 * its nonce the frame's sequence number and its header the associated
 * data.  Nettle only.  Nothing here prints, allocates or exits.
 */
#ifndef PK_CHATHARD_H
#define PK_CHATHARD_H

#include <stddef.h>
#include <stdint.h>

#include <nettle/sha2.h>

#include "chatwire.h"

#define CHAT_H_VERSION 1 /* the hello's second byte: no user name has it */
#define CHAT_H_NONCE 32 /* the client's fresh random nonce in its hello */
#define CHAT_H_K 32 /* a session key, and each key HKDF makes of it */
#define CHAT_H_FP SHA256_DIGEST_SIZE /* a key's fingerprint */
#define CHAT_H_EPOCH 4 /* the key's number: 0 at set-up, +1 a rekey */
#define CHAT_H_SEQ 8 /* a sealed frame's number in its direction */
#define CHAT_H_TAG 16 /* GCM's tag */
#define CHAT_H_HDR (1 + CHAT_H_EPOCH + CHAT_H_SEQ) /* type, epoch, seq */
#define CHAT_H_SEALED_MIN (CHAT_H_HDR + CHAT_H_TAG)
#define CHAT_H_DER_MAX 1024 /* an RSA-4096 SPKI DER, and room */
#define CHAT_H_PSS_SALT 32 /* RSA-PSS salt bytes */
/* The largest payload: a sealed message of CHAT_TEXT_MAX bytes. */
#define CHAT_H_FRAME_MAX (CHAT_H_SEALED_MIN + CHAT_TEXT_MAX)

/* The first byte of every hardened frame (the keepalive is CHAT_PING). */
enum chat_h_type {
	CHAT_H_HELLO = 'h', /* C->S: version, nonce, user name */
	CHAT_H_SERVER = 'k', /* S->C: the server's SPKI DER */
	CHAT_H_CLIENT = 'c', /* C->S: the client's SPKI DER */
	CHAT_H_WRAPPED = 'w', /* S->C: epoch, OAEP(K), PSS signature */
	CHAT_H_MSG = 'm', /* sealed, both ways: "user: text" */
	CHAT_H_NOTICE = 'n', /* sealed, S->C: "bob joined the chat" */
	CHAT_H_REKEY = 'r', /* sealed, S->C: OAEP(next K) */
};

/* Which way a sealed frame goes: each has its own key. */
enum chat_h_dir {
	CHAT_H_UP, /* client to relay */
	CHAT_H_DOWN, /* relay to client */
};

/* A sealed frame's parts, pointing into its payload. */
struct chat_h_sealed {
	int type;
	uint32_t epoch;
	uint64_t seq;
	const uint8_t *hdr; /* CHAT_H_HDR bytes: the associated data */
	const uint8_t *body; /* the ciphertext */
	size_t len;
	const uint8_t *tag;
};

/*
 * The hello's payload p (len bytes): 1 when it starts as a hardened
 * hello does (type, version), which no faithful user name can.
 */
int chat_h_is_hello(const uint8_t *p, size_t len);

/*
 * Parses a sealed frame's payload: its type (m, n, r), or -1 when it is
 * shorter than a header and a tag, longer than CHAT_H_FRAME_MAX, of
 * another type, or a notice or rekey going up.
 */
int chat_h_parse(
    const uint8_t *p, size_t len, enum chat_h_dir, struct chat_h_sealed *s);
/*
 * The wrapped key frame: 'w', epoch (4 bytes), the wrapped K's length (2
 * bytes), the wrapped K, then the server's signature to the frame's end.
 */
#define CHAT_H_WRAPPED_HDR (1 + CHAT_H_EPOCH + 2)
struct chat_h_wrapped {
	uint32_t epoch;
	const uint8_t *wrapped, *sig;
	size_t wrapped_len, sig_len;
};
void chat_h_wrapped_header(
    uint8_t hdr[CHAT_H_WRAPPED_HDR], uint32_t epoch, size_t wrapped_len);
/* 0, or -1 when p is not a wrapped key frame with a signature after. */
int chat_h_wrapped_parse(
    const uint8_t *p, size_t len, struct chat_h_wrapped *w);

/* Writes a sealed frame's header. */
void chat_h_header(
    uint8_t hdr[CHAT_H_HDR], int type, uint32_t epoch, uint64_t seq);

/*
 * AES-256-GCM under dir's key of K (HKDF-SHA256), the nonce the header's
 * sequence number, the header the associated data.  chat_h_seal encrypts
 * len bytes of in to out and writes the tag; chat_h_open checks the tag
 * (memeql_sec) and returns 0, or -1 with out wiped.
 */
void chat_h_seal(const uint8_t k[CHAT_H_K], enum chat_h_dir,
    const uint8_t hdr[CHAT_H_HDR], const uint8_t *in, size_t len, uint8_t *out,
    uint8_t tag[CHAT_H_TAG]);
int chat_h_open(const uint8_t k[CHAT_H_K], enum chat_h_dir,
    const struct chat_h_sealed *s, uint8_t *out);

/* fp = SHA-256 of a key's SPKI DER; hex: its 64 lower-case digits. */
void chat_h_fingerprint(const uint8_t *der, size_t len, uint8_t fp[CHAT_H_FP]);
void chat_h_fp_hex(const uint8_t fp[CHAT_H_FP], char hex[2 * CHAT_H_FP + 1]);
/* Reads 64 hex digits (after an optional "sha256:"); 0, or -1. */
int chat_h_fp_parse(const char *s, uint8_t fp[CHAT_H_FP]);

/*
 * What the relay signs (RSA-PSS-SHA256) and the client verifies: SHA-256
 * of a label and the payloads of the hello, the server key, the client
 * key and the wrapped key frame up to its signature, each behind its
 * 4-byte length.
 */
struct chat_h_transcript {
	const uint8_t *hello, *server, *client, *wrapped;
	size_t hello_len, server_len, client_len, wrapped_len;
};
void chat_h_transcript_digest(
    const struct chat_h_transcript *, uint8_t digest[SHA256_DIGEST_SIZE]);

/* OAEP's label for every K, first and later. */
#define CHAT_H_OAEP_LABEL "protokit chat K"

#endif
