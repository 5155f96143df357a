/*
 * chat: what the files of `pk-xfer chat` share (chat.c the command line
 * and set-up, chat_talk.c the conversation, chat_profile.c the hardened
 * profile's differences), over one link (link.h).
 */
#ifndef PK_XFER_CHAT_H
#define PK_XFER_CHAT_H

#include <stddef.h>
#include <stdint.h>

#include <nettle/aes.h>

#include "chathard.h"
#include "chattrace.h"
#include "chatwire.h"
#include "key.h"
#include "link.h"
#include "trace.h"
#include "xfer.h"

#define CHAT_KEEPALIVE_MS 25000 /* below the relay's default idle timeout */

/* The hardened profile's state (chat_profile.c). */
struct chat_hard {
	uint8_t pin[CHAT_H_FP]; /* --server-key-sha256 */
	const struct key_rsa *key; /* the client's, for every rekey */
	uint8_t k[CHAT_H_K]; /* the K of epoch: secrets registry */
	uint32_t epoch;
	uint64_t up, down; /* the next sequence number each way */
	const uint8_t *tnext; /* --trace: a rekey frame's next K, or NULL */
};

struct chat_client {
	struct link link;
	int timeout_ms; /* for every set-up wait and every write */
	const struct trace_sink *sink; /* --trace, --trace-json; or NULL */
	const char *server; /* host:port, for messages */
	const char *name;
	struct aes128_ctx aes; /* the session key's schedule */
	uint8_t key[CHAT_KEY]; /* the session key, for --trace */
	int keyed; /* key holds it */
	const struct xfer_global *g; /* --hardened, and the profile message */
	struct chat_hard h; /* g->hardened */
};

/* The set-up's options, for chat_setup and chatp_setup. */
struct chat_opts {
	const char *keyfile; /* -k; NULL: make a key in memory */
	const char *save_key; /* --save-key */
	const char *pin; /* --server-key-sha256 */
};

/* chat.c */
/* "[+] line" on stderr: a set-up step. */
void chat_status(const char *line);
/*
 * The payload of the next set-up frame of step (shown with --trace but
 * for a wrapped key, shown once unwrapped); dies if the server is gone.
 */
const uint8_t *chat_expect(
    struct chat_client *c, enum chat_step step, const char *what, size_t *len);

/*
 * chat_profile.c: what the hardened profile does differently.
 * chatp_pin reads --server-key-sha256; chatp_faithful_check dies with
 * the profile mismatch when a faithful client meets a hardened relay;
 * chatp_setup is the hardened set-up, k kept for the rekeys;
 * chatp_send_line seals a line; chatp_received takes one frame after
 * set-up, dying with 1 on one that does not verify or comes out of order.
 */
void chatp_pin(struct chat_client *c, const struct chat_opts *o);
void chatp_faithful_check(
    const struct chat_client *c, const uint8_t *p, size_t len);
void chatp_setup(
    struct chat_client *c, const struct chat_opts *o, const struct key_rsa *k);
int chatp_send_line(struct chat_client *c, const uint8_t *text, size_t n);
void chatp_received(struct chat_client *c, const uint8_t *p, size_t len);

/* chat_talk.c */
/*
 * Sends one frame of step (shown with --trace); -1 if the server has
 * gone (EPIPE, ECONNRESET).
 */
int chat_send(
    struct chat_client *c, enum chat_step step, const void *p, size_t len);
/* --trace: shows the payload p of one frame of step, sent or received. */
void chat_show(struct chat_client *c, enum trace_dir dir, enum chat_step step,
    const uint8_t *p, size_t len);
/* "TIME prefix text" on stdout, control characters shown as '?'. */
void chat_print(const char *prefix, const uint8_t *text, size_t len);
/* Lines from stdin out, messages in; returns the exit code. */
int chat_talk(struct chat_client *c);

#endif
