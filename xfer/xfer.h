/*
 * pk-xfer: what main hands its workers.  main parses the command line
 * only; each subcommand of `pk-xfer vault` is one worker (steps.c,
 * send.c, client.c) built from the connection (net.c), the frame dump
 * (trace.c), the client's files (state.c) and its keys (keys.c).
 */
#ifndef PK_XFER_H
#define PK_XFER_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "key.h"
#include "secret.h"
#include "vaultwire.h"

#define XFER_TIMEOUT 30 /* default seconds per network wait */
#define XFER_LINE_MAX 4096 /* longest line of transfer.info */
#define XFER_INFO_MAX (32 * 1024) /* largest me.info / transfer.info */
#define XFER_SPOOL_MAX 0xfffffff0u /* largest ciphertext: u32, whole blocks */

struct xfer_opts {
	int trace;
	int timeout; /* seconds */
	const char *keyfile; /* -k */
	const char *outfile; /* -o: NULL is stdout */
	const char *name; /* register NAME, --name */
	const char *ack; /* ok, retry, fail */
	long long size; /* --size, -1: from transfer.info */
	long long flip; /* --flip-byte, -1: none */
	struct secret_src pass;
};

/* transfer.info */
struct xfer_info {
	char server[XFER_LINE_MAX]; /* host:port */
	char name[VAULT_NAME];
	char path[XFER_LINE_MAX];
};

/* me.info; the key lines are read by keys.c when needed. */
struct xfer_me {
	char name[VAULT_NAME];
	uint8_t id[VAULT_ID];
};

/* One TCP connection to the vault service. */
struct xconn {
	int fd;
	int timeout_ms;
	int trace;
	const char *server;
	uint8_t id[VAULT_ID]; /* sent in every request header */
	uint8_t in[VAULT_RESP_HDR + VAULT_MSG_MAX];
	struct vault_msg reply; /* the last reply; payload in `in' */
};

/* net.c: every failure dies with exit 2, a 1607 reply with exit 1. */
void net_connect(struct xconn *c, const char *server, int timeout, int trace);
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

/* trace.c */
void trace_request(const uint8_t *hdr, const uint8_t *payload);
void trace_reply(const uint8_t *hdr, const uint8_t *payload);
/* The bytes of a reply that failed to parse. */
void trace_raw(const uint8_t *buf, size_t len);
/* One line for packets first .. last of an upload, not dumped. */
void trace_elided(uint32_t first, uint32_t last, uint32_t total);

/* state.c */
void info_read(struct xfer_info *t);
void me_read(struct xfer_me *m);
/* Writes me.info: name, id and, if der is not NULL, the key lines. */
void me_write(const struct xfer_me *m, const uint8_t *der, size_t len);
/* Writes priv.key: the base64 of der in 64-column lines. */
void privkey_write(const uint8_t *der, size_t len);
/* The PKCS#8 DER from me.info's key lines into buf (a secret); 0: none. */
size_t me_read_key(uint8_t *buf, size_t max);
/* Writes len bytes to path (0600), or to stdout when path is NULL. */
void out_write(const char *path, const uint8_t *buf, size_t len);
/* The base name a path is sent under (file_name fields). */
const char *base_name(const char *path);

/* keys.c */
void key_load_file(
    struct key_rsa *k, const char *path, const struct secret_src *pass);
/*
 * me.info's own key (unencrypted PKCS#8 DER in base64): 1, or 0 when
 * me.info has no key lines and need is 0 (else death).
 */
int key_load_me(struct key_rsa *k, int need);
void key_generate(struct key_rsa *k);
/*
 * The loads and key_generate hold k in lib/secrets.h's registry, wiped at
 * any exit; key_release clears it and lets it go (before k's frame ends).
 */
void key_release(struct key_rsa *k);
/* The 160-byte SPKI; dies naming path if the key is not RSA-1024 e=17. */
void key_vault_spki(
    const struct key_rsa *k, const char *path, uint8_t spki[VAULT_PUBKEY]);
/* Writes priv.key and the key lines of me.info for k. */
void key_save(const struct key_rsa *k, const struct xfer_me *m);
/* The AES key inside a 1602/1605 reply; dies with 1 if it does not open. */
void key_unwrap(
    const struct key_rsa *k, const uint8_t *wrapped, uint8_t aes[32]);

/* steps.c: the one-request subcommands. */
/*
 * Each protocol's command line: called by main with the whole argv
 * (options may come before or after the protocol's name); returns the exit
 * status or dies with it.
 */
int ca_main(int argc, char *argv[]);
int chat_main(int argc, char *argv[]);
int e2e_main(int argc, char *argv[]);
int keymanager_main(int argc, char *argv[]);
int vault_main(int argc, char *argv[]);

/* cli.c: usage errors, --help and -h (exit 0), options shared by protocols. */
/* A usage error: fmt (if not NULL) says what, then where help is; exit 2. */
_Noreturn void cli_usage(const char *proto, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
_Noreturn void cli_help(const char *synopsis, const char *options);
/* The usage of one step (the whole help if step is NULL or unknown). */
_Noreturn void cli_step_help(const char *synopsis, const char *options,
    const char *proto, const char *step);
struct cli_text {
	const char *proto, *synopsis, *options;
};
/* After the options (argv[0] the protocol's name): -h answered with the
 * step's usage; else a usage error unless argv[1] is there. */
void cli_operands(const struct cli_text *t, int want_help, int argc,
    char *argv[], const char *missing);
/*
 * A line of stdin after prompt (on stdout), without its line ending; NULL
 * at EOF.  Dies on a line longer than size - 2 bytes.
 */
/* A number in [min, max]; else exit 2 naming opt. */
long long cli_number(
    const char *opt, const char *s, long long min, long long max);
/*
 * --pass-env, --pass-fd or --pass-file (kind 'e', 'd' or 'f') into src;
 * exit 2 when src already names a source.
 */
void cli_pass(struct secret_src *src, int kind, const char *arg);
char *cli_prompt(const char *prompt, char *buf, size_t size);

/*
 * dial.c: a connected, non-blocking TCP socket to "host:port" (or
 * "[v6]:port") within timeout_ms; dies with one line naming addr.
 */
int dial(const char *addr, int timeout_ms);

int vault_register(const struct xfer_opts *o);
int vault_pubkey(const struct xfer_opts *o);
int vault_reconnect(const struct xfer_opts *o);
int vault_ack(const struct xfer_opts *o);
/* The exchanges client.c shares; each returns the reply's code. */
uint16_t step_register(struct xconn *c, const char *name, struct xfer_me *m);
void step_pubkey(struct xconn *c, const struct xfer_me *m,
    const uint8_t spki[VAULT_PUBKEY], uint8_t wrapped[VAULT_WRAPPED]);
uint16_t step_reconnect(
    struct xconn *c, struct xfer_me *m, uint8_t wrapped[VAULT_WRAPPED]);
void step_ack(struct xconn *c, uint16_t code, const char *name);
/* After a 1606: me.info gets the new id, the server our key (826). */
void step_denied(struct xconn *c, struct xfer_me *m, struct key_rsa *k,
    uint8_t wrapped[VAULT_WRAPPED]);

/* send.c: one upload of content_size ciphertext bytes. */
struct upload {
	int fd; /* plaintext (aes set) or ciphertext */
	const char *name;
	uint32_t content_size;
	uint32_t orig_size;
	long long flip; /* ciphertext byte to flip, or -1 */
	const uint8_t *aes; /* NULL: fd holds the ciphertext */
	uint32_t crc; /* of the plaintext, when aes is set */
};
int vault_send(const struct xfer_opts *o);
/* Streams the 828 packets and returns the cksum from the 1603 reply. */
uint32_t upload_run(struct xconn *c, struct upload *u);
/* Wipes the plaintext buffer and the AES key schedule (also at exit). */
void upload_wipe(void);

/* client.c */
int vault_client(const struct xfer_opts *o);

#endif
