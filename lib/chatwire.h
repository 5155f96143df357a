/*
 * chatwire: the messages of the chat protocol (seed 003) inside protokit's
 * frames (lib/frame.h), shared by the relay's chat service, pk-xfer chat
 * and the fuzz target.  After the set-up frames (user name, public keys,
 * wrapped session key) every frame starts with a type byte: a message
 * (IV and AES-128-CFB8 ciphertext of "user: text", relayed unchanged), a
 * plaintext notice from the server, or a keepalive.  Nothing here
 * allocates, prints or exits.
 */
#ifndef PK_CHATWIRE_H
#define PK_CHATWIRE_H

#include <stddef.h>
#include <stdint.h>

#define CHAT_NAME_MAX 64 /* user name, bytes of UTF-8 */
#define CHAT_KEY 16 /* AES-128 session key */
#define CHAT_IV 16
#define CHAT_TEXT_MAX 4096 /* plaintext "user: text", bytes */
#define CHAT_PEM_MAX 4096 /* a client's SPKI PEM */
#define CHAT_BITS_MIN 1024 /* client RSA key sizes accepted */
#define CHAT_BITS_MAX 4096
#define CHAT_FRAME_MAX (1 + CHAT_IV + CHAT_TEXT_MAX) /* largest payload */

enum chat_type {
	CHAT_MSG = 'M', /* C->S->others: IV || CFB8 ciphertext */
	CHAT_NOTICE = 'N', /* S->C: plaintext, e.g. "ira joined the chat" */
	CHAT_PING = 'P', /* C->S: keepalive, type byte only */
};

struct chat_msg {
	int type;
	const uint8_t *iv; /* CHAT_MSG: CHAT_IV bytes */
	const uint8_t *body; /* ciphertext, or the notice text */
	size_t len;
};

/*
 * The length of the PEM text pem[0..len) without its trailing newline:
 * the original sends its keys as PyCryptodome's export_key() gives them,
 * with none (450 bytes for an RSA-2048 SPKI PEM).  Keys are taken either
 * way on receipt.
 */
size_t chat_pem_len(const uint8_t *pem, size_t len);

/*
 * 0 when p holds 1 .. CHAT_NAME_MAX bytes of valid UTF-8 (shortest form,
 * no surrogates) with no control character; else -1.
 */
int chat_name_check(const uint8_t *p, size_t len);

/*
 * Parses the payload of one frame after set-up; returns its type, or -1
 * for anything else (unknown type, a message without ciphertext or over
 * CHAT_TEXT_MAX, a notice that is empty or not printable UTF-8, a ping
 * with a body).
 */
int chat_msg_parse(const uint8_t *p, size_t len, struct chat_msg *m);

#endif
