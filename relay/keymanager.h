/*
 * keymanager: the relay's key manager service (keymanager.c, the
 * protocol's steps) and its two profiles (keymanager_profile.c, every
 * crypto choice that differs: faithful K3 and ECB, or hardened
 * RSA-OAEP, HKDF and an HMAC over the transcript).
 */
#ifndef PK_RELAY_KEYMANAGER_H
#define PK_RELAY_KEYMANAGER_H

#include <sys/queue.h>

#include <stddef.h>
#include <stdint.h>

#include <nettle/aes.h>
#include <nettle/rsa.h>

#include "key.h"
#include "kmhard.h"
#include "kmtrace.h"
#include "kmwire.h"
#include "service.h"

enum km_state {
	ST_IDLE,
	ST_WAITING, /* listed as a waiter */
	ST_PAIRED, /* getting K and IV, confirming */
	ST_STARTING, /* waiter: `start` sent, its reply awaited */
	ST_TRANSFER, /* the file goes peer to peer; counts awaited */
};

/* A hardened client's key and its pairing's transcript. */
struct km_hard {
	int have_pub; /* its `pubkey` frame came */
	struct rsa_public_key pub;
	uint8_t der[KM_FRAME_MAX]; /* the key as sent */
	size_t der_len;
	char command[KM_CMD_MAX + 1]; /* `wait P` or `conn ID MODE` */
	uint8_t k[KM_H_K]; /* the pairing's K */
	uint8_t wrapped[KEY_RSA_BITS_MAX / 8]; /* K under pub, as sent */
	size_t wrapped_len;
};

struct km_client {
	struct km_server *srv; /* the service's state */
	struct conn *c;
	unsigned id;
	enum km_state state;
	struct km_client *peer;
	int sender;
	enum km_mode mode;
	uint16_t port; /* waiter's listener */
	int confirm; /* 0 not yet, 1 okay, -1 error */
	int peer_failed; /* the peer failed its confirmation and left */
	int have_count;
	uint64_t count;
	uint8_t k[KM_BLOCK], iv[KM_BLOCK]; /* faithful */
	struct km_hard *h; /* hardened; NULL when faithful */
	struct km_trace tr; /* --trace: the conversation so far */
	TAILQ_ENTRY(km_client) wq;
};

struct km_cached {
	unsigned sender, waiter;
	enum km_mode mode;
	uint8_t k[KM_BLOCK], iv[KM_BLOCK];
};

/* The service's state (service.h's init). */
struct km_server {
	TAILQ_HEAD(, km_client) waiters;
	unsigned next_id;
	int hardened; /* pk-relay --hardened keymanager */
	struct aes128_ctx k3; /* faithful */
	struct aes128_ctx k3dec; /* --trace unwraps K and IV with it */
	struct km_cached *cache; /* KM_CACHE_MAX, wiped when freed */
	size_t ncache;
};

/* keymanager.c: one frame to the client (traced); -1 if it cannot go. */
int km_say(struct km_client *k, const void *msg, size_t len);
int km_says(struct km_client *k, const char *msg);

/*
 * keymanager_profile.c.  Each returns 0 (or what it says), -1 to drop
 * the client, -2 for a message the profile does not take now (answered
 * `unexpected command`).
 */
int kmp_init(struct relay_ctx *r, struct km_server *srv);
void kmp_fini(struct km_server *srv);
/* The greeting; hardened: the client's key state. */
int kmp_connect(struct km_client *k);
/*
 * Before the steps: 1 to dispatch m, 0 if it was the hardened key frame
 * (taken), -1 on a profile mismatch (logged), a bad key, or (faithful)
 * a hardened MAC frame, binary to the original.
 */
int kmp_gate(struct km_client *k, const struct km_msg *m);
/* A hardened client's `wait P` or `conn ID MODE`, for the transcript. */
void kmp_command(struct km_client *k, const uint8_t *p, size_t len);
/* The pair's K (and IV): faithful from the cache, hardened fresh. */
int kmp_session_keys(
    struct km_client *s, struct km_client *w, enum km_mode mode);
/* `get key` / `get iv`: the answer. */
int kmp_get(struct km_client *k, enum km_type what);
/* 1 if m is the client's good confirmation, 0 if not, -2 wrong kind. */
int kmp_confirm_ok(struct km_client *k, const struct km_msg *m);
/* The pairing ends, or the client leaves: its keys wiped (and freed). */
void kmp_unpair(struct km_client *k);
void kmp_close(struct km_client *k);

#endif
