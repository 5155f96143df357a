/*
 * chat: what chat.c, chat_key.c and chat_profile.c share: the server's
 * public key as sent to clients, the one session key of the run, each
 * client's state, and the hardened profile's entry points.
 */
#ifndef PK_RELAY_CHAT_H
#define PK_RELAY_CHAT_H

#include <sys/queue.h>

#include "chathard.h"
#include "chattrace.h"
#include "chatwire.h"
#include "key.h"
#include "service.h"

#define CHAT_SERVER_BITS 2048
#define CHAT_KEY_FILE "chat.key" /* in the state directory */
/*
 * Notices cost one frame per member per join or leave, O(n^2) for a room
 * filling up: above this many members they are skipped, as large IRC
 * channels hide joins and parts.
 */
#define CHAT_NOTICE_ROOM_MAX 256

enum chat_stage {
	ST_NAME, /* waiting for the user name (hardened: the hello) */
	ST_PUBKEY, /* server key sent, waiting for the client's */
	ST_JOINED, /* session key sent: in the room */
};

struct chat_hard; /* chat_profile.c's, per client */

struct chat_user {
	TAILQ_ENTRY(chat_user) link;
	struct chat_server *srv; /* the service's state */
	struct conn *conn;
	enum chat_stage stage;
	enum chat_step tstep; /* --trace: the step of the frame shown */
	const uint8_t *tkey; /* --trace, hardened: the K that frame is under */
	const uint8_t *tnext; /* ... and a rekey frame's next K, or NULL */
	char name[CHAT_NAME_MAX + 1];
	struct chat_hard *h; /* hardened: K, sequence numbers; else NULL */
};

/* The service's state (service.h's init). */
struct chat_server {
	TAILQ_HEAD(, chat_user) room; /* every client, joined or not */
	int joined; /* members in ST_JOINED */
	uint8_t spki_pem[KEY_PEM_MAX];
	size_t spki_len;
	uint8_t session_key[CHAT_KEY];
	uint8_t trace_plain[CHAT_TEXT_MAX]; /* --trace: a message opened */
	int hardened; /* pk-relay --hardened chat */
	struct key_rsa key; /* hardened: the server key, to sign with */
	uint8_t der[CHAT_H_DER_MAX]; /* hardened: its SPKI DER, as sent */
	size_t der_len;
};

/*
 * Loads STATE/chat.key (any RSA private key form, unencrypted), or makes
 * an RSA-2048 key and writes it there (PKCS#8 PEM, 0600) when missing;
 * keeps its SPKI PEM and draws the session key.  0, or -1 (logged).
 */
int chat_key_init(struct relay_ctx *, struct chat_server *);

/*
 * chat.c: --trace of one whole frame of step; a whole frame's sending,
 * traced only once queued; a set-up frame's sending.
 */
void chat_trace_one(struct chat_user *, enum trace_dir, enum chat_step,
    const uint8_t *, size_t);
int chat_send_traced(
    struct chat_user *, enum chat_step, const uint8_t *, size_t);
int chat_send_frame(struct chat_user *, enum chat_step, const void *, size_t);

/*
 * chat_profile.c: the profiles' differences, all of them.  chatp_init
 * keeps the server key when hardened (chat_key_init calls it with the
 * key it loaded, which it then owns); chatp_mismatch answers a first
 * frame of the other profile (1: done, return -1; 0: not one);
 * chatp_bytes is the hardened on_bytes; chatp_left tells the room and
 * rekeys it; chatp_close frees the client's state; chatp_fini the key.
 */
int chatp_key(struct chat_server *, struct key_rsa *);
int chatp_mismatch(struct chat_user *, const uint8_t *, size_t);
ssize_t chatp_bytes(struct chat_user *, const uint8_t *, size_t);
void chatp_left(struct chat_user *);
void chatp_close(struct chat_user *);
void chatp_fini(struct chat_server *);

#endif
