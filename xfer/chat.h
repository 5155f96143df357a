/*
 * chat: what the files of `pk-xfer chat` share (chat.c the command line
 * and set-up, chat_net.c the connection and frames, chat_talk.c the
 * conversation).
 */
#ifndef PK_XFER_CHAT_H
#define PK_XFER_CHAT_H

#include <stddef.h>
#include <stdint.h>

#include <nettle/aes.h>

#include "chatwire.h"
#include "frame.h"

#define CHAT_KEEPALIVE_MS 25000 /* below the relay's default idle timeout */

struct chat_client {
	int fd;
	int timeout_ms; /* for every set-up wait and every write */
	int trace;
	const char *server; /* host:port, for messages */
	const char *name;
	struct aes128_ctx aes; /* the session key's schedule */
	uint8_t in[FRAME_HDR + CHAT_FRAME_MAX];
	size_t inlen; /* bytes in `in' */
	size_t used; /* of which the last frame returned */
};

/* chat_net.c: failures die with exit 2. */
void chat_connect(struct chat_client *c);
/* Sends one frame; -1 if the server has gone (EPIPE, ECONNRESET). */
int chat_send(
    struct chat_client *c, const char *what, const void *p, size_t len);
/*
 * The next frame's payload, waiting at most timeout_ms (-1: forever) and
 * dying with 2 past it; NULL when the server closed the connection.
 * Dies with 1 for a frame over CHAT_FRAME_MAX or of length zero.
 */
const uint8_t *chat_recv(struct chat_client *c, int timeout_ms, size_t *len);
/* 1 when a whole frame is already buffered. */
int chat_pending(const struct chat_client *c);
void chat_trace(
    const char *dir, const char *what, const uint8_t *p, size_t len);

/* chat_talk.c: lines from stdin out, messages in; returns the exit code. */
int chat_talk(struct chat_client *c);

#endif
