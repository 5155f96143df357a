/*
 * vault: what the files of `pk-xfer vault` share (seed 001).  vault.c
 * parses the command line and calls one worker per step: the one-request
 * steps (vault_steps.c), the upload (vault_send.c) and the whole course
 * client (vault_client.c), built from the connection (vault_net.c), the
 * trace (vault_trace.c), the client's files (vault_state.c) and its
 * keys (vault_keys.c).
 */
#ifndef PK_XFER_VAULT_H
#define PK_XFER_VAULT_H

#include <stddef.h>
#include <stdint.h>

#include "key.h"
#include "secret.h"
#include "trace.h"
#include "vaultwire.h"

#define VAULT_LINE_MAX 4096 /* longest line of transfer.info */
#define VAULT_INFO_MAX (32 * 1024) /* largest me.info / transfer.info */
#define VAULT_SPOOL_MAX 0xfffffff0u /* largest ciphertext, whole blocks */
#define PKT_PAYLOAD (12 + VAULT_NAME + VAULT_PACKET) /* of an 828 */
#define PKT_SIZE (VAULT_REQ_HDR + PKT_PAYLOAD)
/* A hardened 828: a nonce before the content, a tag after it. */
#define PKT_PAYLOAD_H (PKT_PAYLOAD + VAULT_NONCE + VAULT_TAG)
#define PKT_SIZE_H (VAULT_REQ_HDR + PKT_PAYLOAD_H)
#define PKT_CONTENT (VAULT_REQ_HDR + 12 + VAULT_NAME) /* faithful */
#define PKT_CONTENT_H (PKT_CONTENT + VAULT_NONCE)

struct vault_opts {
	const struct trace_sink *sink; /* --trace, --trace-json; or NULL */
	int hardened; /* --hardened: the hardened profile (vault_profile.c) */
	int timeout_ms; /* -t */
	const char *keyfile; /* -k */
	const char *outfile; /* -o: NULL is stdout */
	const char *name; /* register NAME, --name */
	const char *ack; /* ok, retry, fail */
	long long size; /* --size, -1: from transfer.info */
	long long flip; /* --flip-byte, -1: none */
	struct secret_src pass;
};

/* transfer.info */
struct vault_info {
	char server[VAULT_LINE_MAX]; /* host:port */
	char name[VAULT_NAME];
	char path[VAULT_LINE_MAX];
};

/* me.info; the key lines are read by vault_keys.c when needed. */
struct vault_me {
	char name[VAULT_NAME];
	uint8_t id[VAULT_ID];
};

/* One TCP connection to the vault service. */
struct xconn {
	int fd;
	int timeout_ms;
	const struct trace_sink *sink; /* NULL: not traced */
	const char *server;
	uint8_t id[VAULT_ID]; /* sent in every request header */
	uint8_t in[VAULT_RESP_HDR + VAULT_MSG_MAX];
	struct vault_msg reply; /* the last reply; payload in `in' */
	struct vault_trace vt; /* the decoder's state: an upload's key */
	int hardened; /* speaks the hardened profile */
};

/* vault_net.c: every failure dies with exit 2, a 1607 reply with exit 1. */
void net_connect(
    struct xconn *c, const char *server, const struct vault_opts *o);
void net_close(struct xconn *c);
/* Sends one request: header from c->id, code and the payload. */
void net_request(
    struct xconn *c, uint16_t code, const uint8_t *payload, size_t len);
/* Writes raw bytes (already traced); returns -1 if the peer reset. */
int net_write(struct xconn *c, const void *buf, size_t len);
/*
 * Waits for one reply whose code is one of want (zero-terminated) and
 * whose client id, if it carries one, is c->id; returns its code.
 */
uint16_t net_reply(struct xconn *c, uint16_t req, const uint16_t *want);
/* After a request with no reply: half-close and wait for the server's
 * EOF, so that a 1607 is still seen. */
void net_finish(struct xconn *c, uint16_t req);
/* Dies at once if the server has already answered (a 1607) mid-upload. */
void net_check(struct xconn *c, uint16_t req);
/* Dies for a peer that stopped reading: shows its 1607 if one came. */
_Noreturn void net_lost(struct xconn *c, uint16_t req);

/* vault_trace.c: only while c->sink is set. */
/* One frame, malformed or not; to the JSON sink only unless text. */
void xtrace_frame(struct xconn *c, enum trace_dir dir, const uint8_t *p,
    size_t len, int text);
/* Packet i of an upload of total: only the first and last as text. */
void xtrace_packet(
    struct xconn *c, const uint8_t *p, uint32_t i, uint32_t total);

/* vault_state.c */
void info_read(struct vault_info *t);
void me_read(struct vault_me *m);
/* Writes me.info: name, id and, if der is not NULL, the key lines. */
void me_write(const struct vault_me *m, const uint8_t *der, size_t len);
/* Writes priv.key: the base64 of der in 64-column lines. */
void privkey_write(const uint8_t *der, size_t len);
/* The PKCS#8 DER from me.info's key lines into buf (a secret); 0: none. */
size_t me_read_key(uint8_t *buf, size_t max);

/* vault_keys.c: each key is held (files.c) so that it is wiped on exit. */
/*
 * me.info's own key (unencrypted PKCS#8 DER in base64): 1, or 0 when
 * me.info has no key lines and need is 0 (else death).
 */
int vault_key_me(struct key_rsa *k, int need);
/* A new RSA-1024 key with e = 17. */
void vault_key_new(struct key_rsa *k);
/* The 160-byte SPKI; dies naming path if the key is not RSA-1024 e=17. */
void vault_key_spki(
    const struct key_rsa *k, const char *path, uint8_t spki[VAULT_PUBKEY]);
/* Writes priv.key and the key lines of me.info for k. */
void vault_key_save(const struct key_rsa *k, const struct vault_me *m);
/* The AES key inside a 1602/1605 reply; dies with 1 if it does not open. */
void vault_key_unwrap(
    const struct key_rsa *k, const uint8_t *wrapped, uint8_t aes[32]);

/* vault_steps.c: the one-request steps. */
int vault_register(const struct vault_opts *o);
int vault_pubkey(const struct vault_opts *o);
int vault_reconnect(const struct vault_opts *o);
int vault_ack(const struct vault_opts *o);
/* The exchanges vault_client.c shares; each returns the reply's code. */
uint16_t step_register(struct xconn *c, const char *name, struct vault_me *m);
void step_pubkey(struct xconn *c, const struct vault_me *m,
    const uint8_t spki[VAULT_PUBKEY], uint8_t wrapped[VAULT_WRAPPED]);
uint16_t step_reconnect(
    struct xconn *c, struct vault_me *m, uint8_t wrapped[VAULT_WRAPPED]);
void step_ack(struct xconn *c, uint16_t code, const char *name);
/* After a 1606: me.info gets the new id, the server our key (826). */
void step_denied(struct xconn *c, struct vault_me *m, struct key_rsa *k,
    uint8_t wrapped[VAULT_WRAPPED]);

/* vault_send.c: one upload of content_size ciphertext bytes. */
struct vault_file {
	int fd; /* plaintext (aes set) or ciphertext */
	const char *name;
	uint32_t content_size;
	uint32_t orig_size;
	long long flip; /* ciphertext byte to flip, or -1 */
	const uint8_t *aes; /* NULL: fd holds the ciphertext */
	uint32_t crc; /* of the plaintext, when aes is set */
	/* Hardened (aes is the session secret): ours and the relay's. */
	uint8_t receipt[VAULT_RECEIPT], theirs[VAULT_RECEIPT];
};
int vault_send(const struct vault_opts *o);
/* Streams the 828 packets and returns the cksum from the 1603 reply. */
uint32_t vault_send_file(struct xconn *c, struct vault_file *u);
/* Wipes the plaintext buffer and the AES key schedule (also at exit). */
void vault_send_wipe(void);

/*
 * vault_profile.c: the client's side of the hardened profile.  The
 * session secret from a raw 32-byte file (send -k); one packet sealed in
 * its slot (the frame, header first: a fresh nonce, the content, the
 * tag); a 1603's receipt checked against ours (1 when they agree); the
 * proof after a reconnect's 1608: me.info's key signs the challenge
 * (829), the relay answers 1605, whose wrapped key goes to wrapped.
 */
void hard_secret_read(const char *path, uint8_t secret[32]);
struct vault_keys;
void hard_seal(uint8_t *slot, uint32_t index, const uint8_t *plain, size_t len,
    const struct vault_keys *k);
int hard_receipt_ok(const struct vault_file *u);
void hard_prove(
    struct xconn *c, const struct vault_me *m, uint8_t wrapped[VAULT_WRAPPED]);

/* vault_client.c */
int vault_client(const struct vault_opts *o);

#endif
