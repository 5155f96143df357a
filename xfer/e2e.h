/*
 * e2e: what the files of `pk-xfer e2e` share (e2e.c the command line,
 * e2e_net.c keys and blocks, e2e_talk.c the interactive client,
 * e2e_steps.c the send and upload steps), over one link (link.h).
 */
#ifndef PK_XFER_E2E_H
#define PK_XFER_E2E_H

#include <stddef.h>
#include <stdint.h>

#include "e2ewire.h"
#include "key.h"
#include "link.h"
#include "secret.h"

#define E2E_KEEPALIVE_MS 25000 /* below the relay's default idle timeout */
#define E2E_LINE_MAX 4096 /* longest line of stdin read whole */
#define E2E_WINDOW 32 /* upload chunks sent ahead of their acks */
/* Frames read: one block; a longer one up to this is named as not one. */
#define E2E_FRAME_MAX (1 + 16 + 4096)

struct e2e_opts {
	const char *keyfile; /* -k: the shared client private key */
	const char *srvfile; /* -s: the server's public key */
	const char *name; /* upload --name */
	struct secret_src pass;
	int timeout_ms; /* -t */
	const struct trace_sink *sink; /* --trace, --trace-json; or NULL */
};

struct e2e_client {
	struct link net;
	const struct trace_sink *sink; /* --trace, --trace-json; or NULL */
	int upload; /* talks to the e2e-upload service */
	unsigned long long sent; /* blocks sent */
	struct key_rsa *me; /* the shared client key pair */
	struct key_rsa srv; /* the server's public key */
	const char *srvfile; /* its file, -s */
};

/* e2e_net.c: failures die (2 usage, keys, network; 1 data refused). */
void e2e_open(
    struct e2e_client *c, const struct e2e_opts *o, const char *server);
/* Encrypts text to the server key and sends it; -1 if the server left. */
int e2e_seal(struct e2e_client *c, const void *text, size_t len);
/*
 * The next block from the server decrypted into text (E2E_BLOCK bytes of
 * room), waiting at most -t; -1 when the server closed.  Dies with 1 for
 * a frame that is not one block or a block that does not decrypt with the
 * client key.
 */
int e2e_recv(struct e2e_client *c, uint8_t *text, size_t *len);
/*
 * 1 when text is the relay's E2E_ERR_DECRYPT, sent as it drops a client
 * whose block did not decrypt: then one line on stderr says so and names
 * the likely cause, the key given with -s.  Else 0.
 */
int e2e_dropped(const struct e2e_client *c, const uint8_t *text, size_t len);
/* Prints text on stdout with control characters shown as '?'. */
void e2e_print(const char *prefix, const uint8_t *text, size_t len);
/* Dies with 2 before any network use if text does not fit in a block. */
void e2e_check_len(size_t len);

/* The workers main calls; each returns the exit status. */
int e2e_talk(const struct e2e_opts *o, const char *server); /* e2e_talk.c */
int e2e_step_send(const struct e2e_opts *o, const char *server,
    const char *text); /* e2e_steps.c */
int e2e_step_upload(
    const struct e2e_opts *o, const char *server, const char *path);

#endif
