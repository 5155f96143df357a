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
	const char *user; /* hardened -u: this client's name */
	const char *peers; /* hardened --peers: the others' NAME.pub */
	int hardened; /* --hardened (e2e_profile.c) */
	struct secret_src pass;
	int timeout_ms; /* -t */
	const struct trace_sink *sink; /* --trace, --trace-json; or NULL */
};

struct e2e_client {
	struct link net;
	const struct trace_sink *sink; /* --trace, --trace-json; or NULL */
	int upload; /* talks to the e2e-upload service */
	unsigned long long sent; /* blocks sent */
	struct key_rsa *me; /* the shared client key pair; hardened: ours */
	struct key_rsa srv; /* the server's public key */
	const char *srvfile; /* its file, -s */
	int hardened; /* --hardened (e2e_profile.c) */
	const char *user; /* hardened: our name */
	const char *peers; /* hardened: the directory of NAME.pub */
	unsigned long refused; /* hardened: messages refused (bad signature) */
};

/* e2e_net.c: failures die (2 usage, keys, network; 1 data refused). */
void e2e_open(
    struct e2e_client *c, const struct e2e_opts *o, const char *server);
/* Encrypts text to the server key and sends it; -1 if the server left. */
int e2e_seal(struct e2e_client *c, const void *text, size_t len);
/*
 * The next block from the server decrypted into text (E2E_BLOCK bytes of
 * room), waiting at most -t; -1 when the server closed, 1 (hardened)
 * when it held a message whose signature does not verify: then one line
 * on stderr said so and text holds nothing to show.  Dies with 1 for a
 * frame that is not one block or a block that does not decrypt with the
 * client key, with 2 for a frame of the other profile.
 */
int e2e_recv(struct e2e_client *c, uint8_t *text, size_t *len);
/*
 * 1 when text is the relay's E2E_ERR_DECRYPT, sent as it drops a client
 * whose block did not decrypt: then one line on stderr says so and names
 * the likely cause, the key given with -s.  Else 0.
 */
int e2e_dropped(const struct e2e_client *c, const uint8_t *text, size_t len);
/* Shows a frame (its payload p) with the plaintext under it, or NULL. */
void e2e_show(struct e2e_client *c, enum trace_dir dir, const uint8_t *p,
    size_t len, const uint8_t *text, size_t tlen);

/*
 * e2e_profile.c: the hardened profile, all of it (docs/e2e.md
 * "Profiles").  e2ex_key_check dies unless the key file is PBES2;
 * e2ex_hello sends our name and waits for the relay's welcome, sealed
 * to our key; e2ex_seal seals text to the server key and signs a
 * message (NAME/message) for its receiver; e2ex_open opens a payload
 * from the relay and checks a forwarded message's signature with the
 * sender's key in --peers (the returns of e2e_recv); e2ex_mismatch dies
 * with the one line when a faithful client meets a hardened frame.
 */
void e2ex_key_check(const struct e2e_opts *o);
void e2ex_hello(struct e2e_client *c);
int e2ex_seal(struct e2e_client *c, const void *text, size_t len);
int e2ex_open(struct e2e_client *c, const uint8_t *p, size_t plen,
    uint8_t *text, size_t *len);
void e2ex_mismatch(struct e2e_client *c, const uint8_t *p, size_t plen);

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
