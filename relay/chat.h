/*
 * chat: what chat.c and chat_key.c share: the server's public key as
 * sent to clients and the one session key of the run.
 */
#ifndef PK_RELAY_CHAT_H
#define PK_RELAY_CHAT_H

#include <sys/queue.h>

#include "chatwire.h"
#include "key.h"
#include "service.h"

#define CHAT_SERVER_BITS 2048
#define CHAT_KEY_FILE "chat.key" /* in the state directory */

/* The service's state (service.h's init). */
struct chat_user;
struct chat_server {
	TAILQ_HEAD(, chat_user) room; /* every client, joined or not */
	int joined; /* members in ST_JOINED */
	uint8_t spki_pem[KEY_PEM_MAX];
	size_t spki_len;
	uint8_t session_key[CHAT_KEY];
	uint8_t trace_plain[CHAT_TEXT_MAX]; /* --trace: a message opened */
};

/*
 * Loads STATE/chat.key (any RSA private key form, unencrypted), or makes
 * an RSA-2048 key and writes it there (PKCS#8 PEM, 0600) when missing;
 * keeps its SPKI PEM and draws the session key.  0, or -1 (logged).
 */
int chat_key_init(struct relay_ctx *, struct chat_server *);

#endif
