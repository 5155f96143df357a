/*
 * chattrace: the one decoder of chat frames (seed 003) for --trace, used
 * by pk-xfer chat, the relay's chat service and the fuzz target.  It
 * names each field of a whole frame, its 4-byte length included, as
 * docs/chat.md's "Fields on the wire" table does, and where the tracing
 * side holds the session key it adds the plaintext under the ciphertext.
 */
#ifndef PK_CHATTRACE_H
#define PK_CHATTRACE_H

#include <stdint.h>

#include "chathard.h"
#include "chatwire.h"
#include "trace.h"

/* Which frame comes: the set-up ones in order, then typed frames. */
enum chat_step {
	CHAT_STEP_NAME, /* C->S: the user name */
	CHAT_STEP_SERVER_KEY, /* S->C: the server's SPKI PEM */
	CHAT_STEP_CLIENT_KEY, /* C->S: the client's SPKI PEM */
	CHAT_STEP_WRAPPED_KEY, /* S->C: the session key, RSA-OAEP-SHA1 */
	CHAT_STEP_TYPED, /* after set-up: message, notice, keepalive */
	/* The hardened profile (lib/chathard.h), key: its 32-byte K. */
	CHAT_STEP_H_HELLO, /* C->S: version, nonce, user name */
	CHAT_STEP_H_SERVER_KEY, /* S->C: the server's SPKI DER */
	CHAT_STEP_H_CLIENT_KEY, /* C->S: the client's SPKI DER */
	CHAT_STEP_H_WRAPPED, /* S->C: epoch, OAEP-SHA256(K), signature */
	CHAT_STEP_H_UP, /* C->S after set-up: sealed message, keepalive */
	CHAT_STEP_H_DOWN, /* S->C after set-up: message, notice, rekey */
};

/*
 * Names the fields of fr (trace_begin'ed on a whole frame) as the frame
 * of step.  key: the session key (CHAT_KEY bytes) the tracing side
 * holds, or NULL; with it the wrapped key frame gets the session key
 * under it and a message its plaintext, decrypted into plain
 * (CHAT_TEXT_MAX bytes, which fr points into until it is printed; the
 * caller wipes it after; a hardened key's fingerprint goes there too).
 * The hardened steps take the 32-byte K the frame is under (a sealed
 * frame's epoch's), and plain may be NULL.  A frame that does not fit
 * step is marked bad.
 */
void chat_trace(struct trace_frame *fr, enum chat_step step, const uint8_t *key,
    uint8_t *plain);

/*
 * A rekey frame's next K, which only the tracing side can add: the
 * relay made it, the client unwrapped it with its private key.
 */
void chat_trace_next(struct trace_frame *fr, const uint8_t next[CHAT_H_K]);

#endif
