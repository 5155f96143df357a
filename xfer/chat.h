/*
 * chat: what the files of `pk-xfer chat` share (chat.c the command line
 * and set-up, chat_talk.c the conversation), over one link (link.h).
 */
#ifndef PK_XFER_CHAT_H
#define PK_XFER_CHAT_H

#include <stddef.h>
#include <stdint.h>

#include <nettle/aes.h>

#include "chattrace.h"
#include "chatwire.h"
#include "link.h"
#include "trace.h"

#define CHAT_KEEPALIVE_MS 25000 /* below the relay's default idle timeout */

struct chat_client {
	struct link link;
	int timeout_ms; /* for every set-up wait and every write */
	const struct trace_sink *sink; /* --trace, --trace-json; or NULL */
	const char *server; /* host:port, for messages */
	const char *name;
	struct aes128_ctx aes; /* the session key's schedule */
	uint8_t key[CHAT_KEY]; /* the session key, for --trace */
	int keyed; /* key holds it */
};

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
/* Lines from stdin out, messages in; returns the exit code. */
int chat_talk(struct chat_client *c);

#endif
