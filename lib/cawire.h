/*
 * cawire: the messages of the ca protocol (seed 004) inside protokit's
 * frames (lib/frame.h), shared by the relay's ca service, pk-xfer ca and
 * the fuzz target.  The sign-in dialog is one text frame per prompt and
 * per answer, with the original's words.  After `Welcome` each request is
 * one frame "TYPE NAME\nBODY" (the original's pickled dict {type, name,
 * key} or {type, name, request}); the type word is matched ignoring case.
 * The peer chat sends three frames per message: ciphertext, IV and the
 * password wrapped with RSA-OAEP-SHA256.  Nothing here allocates, prints
 * or exits.
 */
#ifndef PK_CAWIRE_H
#define PK_CAWIRE_H

#include <stddef.h>
#include <stdint.h>

#include "trace.h"
#include "x509.h"

/* The original's prompts and answers, verbatim. */
#define CA_ASK_USER "Please Enter your username"
#define CA_ASK_PASS "Enter password"
#define CA_BAD_PASS "incorrect password! try again"
#define CA_WELCOME "Welcome"
/* The current original's: two lines (an earlier one made them one). */
#define CA_NOT_FOUND                                                           \
	"Username not found!\nto sign up send \"r\", or send \"c\" to close "  \
	"connection"
#define CA_CHOOSE_USER "please choose a username"
#define CA_CHOOSE_PASS "please choose a password, min length = 3"
#define CA_ACK "ack"
#define CA_NO_CERT " certificate does not exist" /* after the id */
/* protokit's own answers. */
#define CA_NAME_TAKEN "username already taken"
#define CA_NAME_BAD "invalid username: 1 to 64 of A-Z a-z 0-9 . _ -"
#define CA_ERROR "error: " /* then the reason; the CA then closes */

#define CA_NAME_MAX X509_CN_MAX /* user and certificate names */
#define CA_PASS_MIN 3
#define CA_PASS_MAX 1024 /* bytes of password in a frame */
#define CA_FRAME_MAX (X509_PEM_MAX + 256) /* largest payload */

enum ca_op {
	CA_CSR, /* body: a PEM certification request */
	CA_CERTUP, /* body: a PEM certificate, stored for NAME */
	CA_CERTREQ, /* body: the id whose certificate is wanted */
};

struct ca_req {
	enum ca_op op;
	char name[CA_NAME_MAX + 1]; /* the sender's id (CERTUP: stored for) */
	const uint8_t *body; /* points into the frame */
	size_t bodylen;
};

/*
 * Copies a name frame into name as a C string: 0 when it is safe
 * (x509_cn_safe: 1 to 64 bytes of [A-Za-z0-9._-], no leading '.' or
 * '-'), else -1.
 */
int ca_name_parse(const uint8_t *p, size_t len, char name[CA_NAME_MAX + 1]);

/*
 * Parses a request frame "TYPE NAME\nBODY": the type word CSR, CERTUP or
 * CERTREQ in any case, a safe name and a non-empty body (CERTREQ: a safe
 * name too).  Returns 0, or -1 for anything else.
 */
int ca_req_parse(const uint8_t *p, size_t len, struct ca_req *r);

/* Writes a request frame's payload; -1 when it does not fit in max. */
int ca_req_format(enum ca_op op, const char *name, const uint8_t *body,
    size_t bodylen, uint8_t *out, size_t max, size_t *len);

/* "CSR", "CERTUP", "CERTREQ". */
const char *ca_op_name(enum ca_op op);

/* Peer chat: AES-256-CBC under SHA-256(password), PKCS#7 padding. */
#define CA_CHAT_IV 16
#define CA_CHAT_TEXT_MAX 4096 /* plaintext bytes per message */
#define CA_CHAT_CT_MAX (CA_CHAT_TEXT_MAX + 16)
#define CA_CHAT_WRAP_MIN 128 /* RSA-1024 .. RSA-8192 */
#define CA_CHAT_WRAP_MAX (KEY_RSA_BITS_MAX / 8)
#define CA_CHAT_FRAME_MAX CA_CHAT_CT_MAX /* largest of the three */

struct ca_chat {
	const uint8_t *ct; /* whole blocks, 16 .. CA_CHAT_CT_MAX */
	size_t ctlen;
	const uint8_t *iv;
	const uint8_t *wrapped; /* RSA-OAEP-SHA256(password) */
	size_t wrappedlen;
};

/*
 * Looks for one chat message, three frames, at the start of buf.  Returns
 * 1 with m and *used set, 0 when more bytes are needed, -1 when the bytes
 * cannot be one (a frame too long or empty, a ciphertext not whole
 * blocks, an IV not 16 bytes, a wrapped password of an odd size).
 */
int ca_chat_parse(
    const uint8_t *buf, size_t len, struct ca_chat *m, size_t *used);

/*
 * The hardened profile (docs/ca.md "Profiles"; pk-relay --hardened ca,
 * pk-xfer --hardened ca).  Sign-in: the CA's first prompt carries the
 * mark; the client answers "login NAME" or "register NAME" (a space: no
 * faithful name has one), then the password.  One answer for an unknown
 * name and a wrong password; a name with failures is held, then locked,
 * whichever connection asks.  A registration is answered alike whether
 * the name was free or taken: the sign-in after it tells.
 */
#define CA_H_MARK " [hardened]"
#define CA_H_ASK_USER                                                          \
	"Please Enter your username: login NAME or register NAME" CA_H_MARK
#define CA_H_LOGIN "login "
#define CA_H_REGISTER "register "
#define CA_H_BAD_LOGIN "incorrect username or password"
#define CA_H_REGISTERED "registered if the name was free: now login NAME"
/* The two holds: then the seconds to wait, "N s". */
#define CA_H_WAIT "too many failed sign-ins for this name: retry in "
#define CA_H_LOCKED "sign-in locked for this name: too many failures, retry in "

/*
 * The hardened peer chat, one frame each: first the key, then the
 * messages, then the end (so that a cut is seen).  K, 32 random bytes,
 * goes RSA-OAEP-SHA256 (label CA_H_OAEP_LABEL) under the receiver's
 * certified key; each message is AES-256-GCM under lib/kmhard.c's data
 * key of K, nonce the key frame's XOR the sequence number, the kind byte
 * as associated data.
 */
#define CA_H_CHAT_MAGIC "pk-ca-h1" /* opens the key frame */
#define CA_H_MAGIC_LEN 8
#define CA_H_K 32
#define CA_H_NONCE 12
#define CA_H_SEQ 8
#define CA_H_TAG 16
#define CA_H_OAEP_LABEL "protokit ca chat K"
#define CA_H_MSG 'p' /* a message: kind, seq, ciphertext, tag */
#define CA_H_END 'l' /* the sender's last frame: kind, seq, tag */

struct ca_hchat {
	int kind; /* 'k' the key frame, CA_H_MSG, CA_H_END */
	const uint8_t *nonce, *wrapped; /* 'k' */
	size_t wrappedlen;
	uint64_t seq; /* CA_H_MSG, CA_H_END */
	const uint8_t *ct, *tag; /* ct: ctlen bytes (0 for CA_H_END) */
	size_t ctlen;
};

/* 1 when the frame payload p opens with CA_H_CHAT_MAGIC. */
int ca_hchat_is_key(const uint8_t *p, size_t len);
/*
 * One hardened chat frame at the start of buf: 1 with m and *used set, 0
 * when more bytes are needed, -1 when it cannot be one.  key: 1 when the
 * key frame is the one expected.
 */
int ca_hchat_parse(
    const uint8_t *buf, size_t len, int key, struct ca_hchat *m, size_t *used);

/*
 * The trace of the ca protocol (lib/catrace.c): one frame, its 4-byte
 * header included, as named fields (lib/trace.h), for pk-xfer ca (both
 * links: the CA and the peer chat) and the relay's ca service.  The step
 * of a frame the client sends the CA depends on the last prompt: the
 * decoder follows the prompts it sees (or the relay sets at from its own
 * state).  The side that holds a plaintext (the chat message, the chat
 * password) gives it before the frame that carries it encrypted.
 */
enum ca_at {
	CA_AT_USER, /* the next client frame: the user name */
	CA_AT_PASS, /* its password */
	CA_AT_CHOICE, /* r or c */
	CA_AT_NEW_USER, /* a new user name */
	CA_AT_NEW_PASS, /* its password */
	CA_AT_OPS, /* requests */
};

struct ca_trace {
	int server; /* 1: the tracing side is the CA */
	enum ca_at at;
	int chat; /* a peer chat link: 1, 2, 3 the frame that comes next */
	int hardened; /* the hardened profile's frames (chat: once keyed) */
	const uint8_t *plain; /* the next ciphertext's message, or NULL */
	size_t plainlen;
	const uint8_t *pass; /* the next wrapped chat password, or NULL */
	size_t passlen;
	const char *with; /* how the side has them: the plaintexts' note */
	char note[192]; /* a PEM field's note, until the frame is printed */
};

/* Names the fields of the frame fr (trace_begin'd) and sets its step. */
void ca_trace(struct trace_frame *fr, struct ca_trace *t);

#endif
