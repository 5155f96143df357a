/*
 * e2e: the relay's `e2e` service, the routed messaging of seed 002 in
 * protokit frames.  Each frame holds one RSA-OAEP-SHA256 block to the
 * server key.  A client sends "ip:port/message"; the service decrypts it,
 * finds the client at that address as it sees it, and sends it
 * "('ip', port)|message" (the sender's address) encrypted to the one
 * client key all clients share.  Parse errors and unknown targets get the
 * original's error texts, encrypted.  "quit" leaves; an empty block is a
 * keepalive (protokit's: the relay closes idle clients).  The key loading
 * and the block layer serve e2e_upload.c too.  On the hardened profile
 * (pk-relay --hardened e2e) the keys, frames and routing are
 * e2e_profile.c's: each client's own key, routed by name, signed.
 */
#include <sys/queue.h>

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <nettle/sha2.h>

#include "e2e.h"
#include "e2ehard.h"
#include "frame.h"
#include "key.h"
#include "oaep.h"
#include "rand.h"
#include "secret.h"

struct e2e_client {
	struct e2e_who who; /* first: e2e_profile.c finds it from the conn */
	LIST_ENTRY(e2e_client) link;
	struct conn *conn;
};

/* The service's state: its keys first (e2e.h), then its clients. */
struct e2e_state {
	struct e2e_keys keys;
	LIST_HEAD(, e2e_client) clients;
	int nclients;
};

/* 0 when path exists; else logs how to make it and returns -1. */
static int
need_file(const char *service, const char *path, const char *how)
{
	if (access(path, R_OK) == 0)
		return 0;
	relay_log(
	    service, "%s: %s: make it with %s", path, strerror(errno), how);
	return -1;
}

static int
keys_load(struct relay_ctx *ctx, const char *service, struct e2e_keys *k)
{
	char key[PATH_MAX], pub[PATH_MAX];
	const char *dir = relay_state_dir(ctx);
	int rv;

	snprintf(key, sizeof(key), "%s/e2e.key", dir);
	if (snprintf(pub, sizeof(pub), "%s/e2e-client.pub", dir) >=
	    (int)sizeof(pub)) {
		relay_log(service, "%s: state directory path too long", dir);
		return -1;
	}
	if (need_file(service, key,
		"pk-keygen rsa --legacy --pass-file STATE/e2e.pass "
		"-o STATE/e2e") == -1 ||
	    need_file(service, pub,
		"pk-keygen rsa --legacy --pass-file client.pass -o client; "
		"cp client.pub STATE/e2e-client.pub") == -1)
		return -1;
	if (relay_service_key(ctx, "e2e", &k->server) == -1)
		return -1;
	if ((rv = key_load(&k->client, pub, NULL, 0)) != KEY_OK) {
		relay_log(service, "%s: %s", pub, key_strerror(rv));
		return -1;
	}
	if (k->server.pub.size != E2E_BLOCK ||
	    k->client.pub.size != E2E_BLOCK) {
		relay_log(service,
		    "%s: keys must be RSA-%d (blocks of %d bytes)",
		    k->server.pub.size != E2E_BLOCK ? key : pub, E2E_BITS,
		    E2E_BLOCK);
		return -1;
	}
	relay_log(service, "server key %s and client key %s: read RSA-%d", key,
	    pub, E2E_BITS);
	return 0;
}

int
e2e_keys_init(struct relay_ctx *ctx, const char *service, struct e2e_keys *k)
{
	key_init(&k->server);
	key_init(&k->client);
	k->hardened = relay_hardened(ctx, service);
	if ((k->hardened ? e2ep_keys(ctx, service, k)
			 : keys_load(ctx, service, k)) == 0)
		return 0;
	e2e_keys_fini(k);
	return -1;
}

void
e2e_keys_fini(struct e2e_keys *k)
{
	key_clear(&k->server);
	key_clear(&k->client);
}

/* The plaintext under the frame conn_trace is showing (one thread). */
static const uint8_t *shown;
static size_t shown_len;

/* Shows a frame of ours or the client's with its plaintext, or NULL. */
void
e2e_show(struct conn *c, enum trace_dir dir, const uint8_t *frame, size_t len,
    const uint8_t *text, size_t tlen)
{
	shown = text;
	shown_len = tlen;
	conn_trace(c, dir, frame, len);
	shown = NULL;
}

void
e2e_trace_conn(struct trace_frame *fr, int upload, int first)
{
	struct e2e_seen s = {.upload = upload,
	    .server = 1,
	    .first = first,
	    .text = shown,
	    .len = shown_len};

	e2e_trace(fr, &s);
}

int
e2e_block(struct conn *c, const uint8_t *data, size_t len, uint8_t *m,
    size_t *mlen, size_t *used)
{
	const struct e2e_keys *k = conn_service_state(c);
	const uint8_t *p;
	size_t plen;
	int rv;

	rv = frame_decode(data, len, k->hardened ? E2E_H_FRAME_MAX : E2E_BLOCK,
	    &p, &plen, used);
	if (rv == FRAME_NEED_MORE)
		return 0;
	if (rv == FRAME_OK && k->hardened)
		return e2ep_frame(c, data, *used, p, plen, m, mlen);
	if (rv == FRAME_OK && plen != E2E_BLOCK)
		e2e_show(c, TRACE_RECV, data, *used, NULL, 0);
	/* No hardened frame is one block long: a block may open "E2H". */
	if (rv == FRAME_OK && plen != E2E_BLOCK && e2e_h_marked(p, plen)) {
		/* A 256-byte block tells the client this relay's profile. */
		(void)e2e_send(c, E2E_ERR_PROFILE, sizeof(E2E_ERR_PROFILE) - 1);
		return conn_profile_mismatch(c);
	}
	if (rv != FRAME_OK || plen != E2E_BLOCK)
		return conn_protocol_error(
		    c, "not a frame of one %d-byte RSA block", E2E_BLOCK);
	if (oaep_decrypt(&k->server.pub, &k->server.priv, &nettle_sha256, NULL,
		0, NULL, rand_nettle, plen, p, mlen, m) == -1) {
		e2e_show(c, TRACE_RECV, data, *used, NULL, 0);
		(void)e2e_send(c, E2E_ERR_DECRYPT, sizeof(E2E_ERR_DECRYPT) - 1);
		return conn_protocol_error(
		    c, "the block does not decrypt with the server key");
	}
	e2e_show(c, TRACE_RECV, data, *used, m, *mlen);
	return 1;
}

int
e2e_send(struct conn *c, const void *text, size_t len)
{
	const struct e2e_keys *k = conn_service_state(c);
	uint8_t frame[FRAME_HDR + E2E_BLOCK];

	if (k->hardened)
		return e2ep_send(c, text, len, NULL);
	if (oaep_encrypt(&k->client.pub, &nettle_sha256, NULL, 0, NULL,
		rand_nettle, len, text, frame + FRAME_HDR) == -1) {
		conn_log(c, "cannot encrypt %zu bytes to the client key", len);
		return -1;
	}
	frame_put_header(frame, E2E_BLOCK);
	e2e_show(c, TRACE_SENT, frame, sizeof(frame), text, len);
	return conn_send(c, frame, sizeof(frame));
}

/* The client whose address (hardened: name) is where, or NULL. */
static struct e2e_client *
find(struct e2e_state *st, const char *where)
{
	struct e2e_client *u;
	const char *id;

	LIST_FOREACH(u, &st->clients, link)
	if ((id = e2ep_id(u->conn)) != NULL && strcmp(id, where) == 0)
		return u;
	return NULL;
}

/* One decrypted message from c: route it, or answer with an error. */
static int
route(struct conn *c, const uint8_t *m, size_t len)
{
	struct e2e_route r;
	struct e2e_client *to;
	uint8_t fwd[E2E_TEXT_MAX];
	char where[E2E_HOST_MAX + 16];
	long n;

	if (len == 0)
		return 0;
	if (len == sizeof(E2E_QUIT) - 1 && memcmp(m, E2E_QUIT, len) == 0) {
		conn_log(c, "quit");
		conn_close_after_flush(c);
		return 0;
	}
	if (e2ep_route_parse(c, m, len, &r, where, sizeof(where)) == -1) {
		conn_log(c, "parse error");
		return e2e_send(c, E2E_ERR_PARSE, sizeof(E2E_ERR_PARSE) - 1);
	}
	if ((to = find(conn_service_state(c), where)) == NULL) {
		conn_log(c, "no client at %s", where);
		return e2e_send(c, E2E_ERR_TARGET, sizeof(E2E_ERR_TARGET) - 1);
	}
	if ((n = e2ep_fwd_format(c, &r, fwd, sizeof(fwd))) == -1) {
		conn_log(c, "message to %s too long to forward", where);
		return e2e_send(c, E2E_ERR_LONG, sizeof(E2E_ERR_LONG) - 1);
	}
	conn_log(c, "message forwarded to %s", conn_peer(to->conn));
	(void)e2ep_forward(c, to->conn, fwd, (size_t)n);
	secret_wipe(fwd, sizeof(fwd));
	return 0;
}

static void
msg_trace(const struct conn *c, struct trace_frame *fr)
{
	(void)c;
	e2e_trace_conn(fr, 0, 0);
}

static ssize_t
e2e_bytes(struct conn *c, const uint8_t *data, size_t len)
{
	uint8_t m[E2E_BLOCK];
	size_t mlen, used;
	int rv;

	if ((rv = e2e_block(c, data, len, m, &mlen, &used)) <= 0)
		return rv;
	if (rv == 2)
		return (ssize_t)used;
	rv = route(c, m, mlen);
	secret_wipe(m, sizeof(m));
	return rv == -1 ? -1 : (ssize_t)used;
}

/* Hardened: a name is one client's at a time (the first hello wins). */
static int
name_taken(const struct conn *c, const char *name)
{
	const struct e2e_state *st = conn_service_state(c);
	const struct e2e_client *u;
	const char *n;

	LIST_FOREACH(u, &st->clients, link)
	{
		n = e2ep_name(u->conn);
		if (u->conn != c && n != NULL && strcmp(n, name) == 0)
			return 1;
	}
	return 0;
}

static int
e2e_connect(struct conn *c)
{
	struct e2e_state *st = conn_service_state(c);
	struct e2e_client *u;

	if ((u = calloc(1, sizeof(*u))) == NULL) {
		conn_log(c, "out of memory");
		return -1;
	}
	u->conn = c;
	if (e2ep_connect(c, &u->who) == -1) {
		free(u);
		return -1;
	}
	LIST_INSERT_HEAD(&st->clients, u, link);
	conn_set_data(c, u);
	conn_log(c, "client connected, %d connected", ++st->nclients);
	return 0;
}

static void
e2e_close(struct conn *c)
{
	struct e2e_state *st = conn_service_state(c);
	struct e2e_client *u = conn_data(c);

	if (u == NULL)
		return;
	LIST_REMOVE(u, link);
	e2ep_close(&u->who);
	free(u);
	conn_log(c, "client disconnected, %d connected", --st->nclients);
}

static int
e2e_init(struct relay_ctx *ctx, void *state)
{
	struct e2e_state *st = state;

	LIST_INIT(&st->clients);
	st->keys.name_taken = name_taken;
	return e2e_keys_init(ctx, "e2e", &st->keys);
}

static void
e2e_fini(struct relay_ctx *ctx, void *state)
{
	struct e2e_state *st = state;

	(void)ctx;
	e2e_keys_fini(&st->keys);
}

const struct service e2e_service = {
    .name = "e2e",
    .state_size = sizeof(struct e2e_state),
    .hardened = 1,
    .init = e2e_init,
    .on_connect = e2e_connect,
    .on_bytes = e2e_bytes,
    .on_close = e2e_close,
    .fini = e2e_fini,
    .trace = msg_trace,
};
