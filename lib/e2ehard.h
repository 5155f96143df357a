/*
 * e2ehard: the e2e protocol's hardened profile (seed 002, docs/e2e.md
 * "Profiles"), shared by the relay, pk-xfer e2e, the trace decoder and
 * the fuzz target.  Every hardened frame starts with the mark "E2H" and
 * a kind byte, so that no hardened frame is one 256-byte faithful block:
 *
 *   hello   C->S  "E2Hh" NAME           the client's name, in clear
 *   refuse  S->C  "E2Hr" TEXT           why the relay refuses, in clear
 *   block   both  "E2Hb" BLOCK [SIG]    one RSA-OAEP-SHA256 block (256),
 *                                       then an RSA-PSS-SHA256 signature
 *                                       (256) on a message
 *
 * Each client has its own key pair: a client seals its blocks to the
 * server key, the relay seals its blocks to the receiving client's own
 * key (STATE/e2e-clients/NAME.pub).  A message is signed by its sender
 * over (sender, receiver, message) and the signature travels with it to
 * the receiver, who checks it with the sender's public key it holds.
 * Nothing here allocates, prints or exits.
 */
#ifndef PK_E2EHARD_H
#define PK_E2EHARD_H

#include <stddef.h>
#include <stdint.h>

#include <nettle/rsa.h>

#include "e2ewire.h"

#define E2E_H_MARK "E2H" /* the first 3 bytes of every hardened frame */
#define E2E_H_HEAD 4 /* the mark and the kind */
#define E2E_H_SIG 256 /* RSA-PSS-SHA256 with an RSA-2048 key */
#define E2E_H_SALT 32 /* its salt */
#define E2E_H_NAME_MAX 32 /* a client's name */
#define E2E_H_REFUSE_MAX 190 /* a refusal's text */
/* The longest hardened frame: the head, a block and a signature. */
#define E2E_H_FRAME_MAX (E2E_H_HEAD + E2E_BLOCK + E2E_H_SIG)
/* The relay's first block to a client, sealed to the client's key. */
#define E2E_H_WELCOME "[*] Welcome %s"
#define E2E_H_WELCOME_START "[*] Welcome "
/* The faithful relay's answer to a hardened frame (sealed, 256 bytes). */
#define E2E_ERR_PROFILE "[*] Server Error: profile mismatch"

enum e2e_h_kind {
	E2E_H_HELLO = 'h',
	E2E_H_REFUSE = 'r',
	E2E_H_BLOCK = 'b',
};

/* One hardened frame's payload taken apart (pointers into it). */
struct e2e_h_frame {
	enum e2e_h_kind kind;
	const uint8_t *body; /* hello: the name; refuse: the text */
	size_t body_len;
	const uint8_t *block; /* kind block: E2E_BLOCK bytes */
	const uint8_t *sig; /* kind block: E2E_H_SIG bytes, or NULL */
};

/* 1 when a frame's payload starts with the hardened mark, else 0. */
int e2e_h_marked(const uint8_t *p, size_t len);
/*
 * Takes a hardened payload apart: 0, or -1 when it is not one (no mark,
 * an unknown kind, a bad name, a block of the wrong size).
 */
int e2e_h_parse(const uint8_t *p, size_t len, struct e2e_h_frame *f);
/* 0 when p is a client's name: 1 .. E2E_H_NAME_MAX of A-Z a-z 0-9 _ -. */
int e2e_h_name_check(const uint8_t *p, size_t len);
/*
 * Writes a frame's payload into out (E2E_H_FRAME_MAX bytes of room): the
 * head, then body (a name, a text, or a block and maybe a signature).
 * Returns its length.
 */
size_t e2e_h_put(uint8_t *out, enum e2e_h_kind kind, const uint8_t *body,
    size_t len, const uint8_t *sig);

/*
 * "NAME/message", the hardened client's text to the relay: a name as
 * above, the first '/', then the message (may be empty, may hold '/').
 * 0 and r set (r->host holds the name, r->port 0), or -1.
 */
int e2e_h_route_parse(const uint8_t *p, size_t len, struct e2e_route *r);
/* "FROM|message", the relay's forward: its length, or -1 (no room). */
long e2e_h_fwd_format(
    const char *from, const uint8_t *msg, size_t len, uint8_t *out, size_t max);

/* What a message's signature signs: SHA-256 of a label, from, to, text. */
void e2e_h_digest(uint8_t digest[32], const char *from, const char *to,
    const uint8_t *msg, size_t len);
/* Signs digest with an RSA-2048 key into sig; 0, or -1. */
int e2e_h_sign(const struct rsa_public_key *pub,
    const struct rsa_private_key *priv, const uint8_t digest[32],
    uint8_t sig[E2E_H_SIG]);
/* 1 when sig is pub's RSA-PSS-SHA256 signature of digest, else 0. */
int e2e_h_verify(const struct rsa_public_key *pub, const uint8_t digest[32],
    const uint8_t sig[E2E_H_SIG]);

/*
 * 1 when the key file at path is an encrypted PKCS#8 key (PBES2,
 * pk-keygen's default; PEM or DER), 0 when it is anything else (a legacy
 * "Proc-Type: 4,ENCRYPTED" PEM above all), -1 when it cannot be read.
 */
int e2e_h_pbes2(const char *path);

#endif
