/*
 * keymanager: the key manager of seed 000 as a pk-relay service.  Clients
 * are numbered in connection order; a waiter announces the port it
 * listens on (`wait PORT`), a sender lists the waiters (`send`) and picks
 * one (`conn ID cbc|cfb`).  The pair then gets the mode, and on `get key`
 * / `get iv` the session key K and the IV, each one AES-128-ECB block
 * under K3 (STATE_DIR/k3).  Each proves it holds K with the confirmation
 * constant encrypted under K in the mode; when both did, the waiter gets
 * `start` and the sender `send_data HOST:PORT`.  Last, both block counts
 * are compared.  K and IV are cached per (sender, waiter, mode) for the
 * relay's run, as in the original: a documented weakness.  A client may
 * wait on its person at any step, so the service takes its clients off
 * the relay's idle timeout (TCP keepalive still finds a vanished host).
 */
#include <sys/queue.h>

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <nettle/aes.h>
#include <nettle/cbc.h>
#include <nettle/cfb.h>
#include <nettle/memops.h>

#include "frame.h"
#include "kmtrace.h"
#include "kmwire.h"
#include "pkcs7.h"
#include "rand.h"
#include "secret.h"
#include "service.h"

#define KM_CACHE_MAX 4096 /* (sender, waiter, mode) triples remembered */

enum km_state {
	ST_IDLE,
	ST_WAITING, /* listed as a waiter */
	ST_PAIRED, /* getting K and IV, confirming */
	ST_STARTING, /* waiter: `start` sent, its reply awaited */
	ST_TRANSFER, /* the file goes peer to peer; counts awaited */
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
	uint8_t k[KM_BLOCK], iv[KM_BLOCK];
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
	struct aes128_ctx k3;
	struct aes128_ctx k3dec; /* --trace unwraps K and IV with it */
	struct km_cached *cache; /* KM_CACHE_MAX, wiped when freed */
	size_t ncache;
};

/* K3: STATE_DIR/k3, 16 raw bytes or 32 hex digits (pk-keygen aes -b 128). */
static int
km_init(struct relay_ctx *r, void *state)
{
	struct km_server *srv = state;
	char path[PATH_MAX];
	uint8_t buf[KM_K3_FILE_MAX], key[KM_BLOCK];
	size_t len;
	int rv;

	TAILQ_INIT(&srv->waiters);
	if (snprintf(path, sizeof(path), "%s/k3", relay_state_dir(r)) >=
	    (int)sizeof(path)) {
		relay_log("keymanager", "state directory path too long");
		return -1;
	}
	if (secret_from_file(path, buf, sizeof(buf), &len) == -1) {
		relay_log("keymanager",
		    "%s: %s (make it with pk-keygen aes "
		    "-b 128 -o %s)",
		    path, strerror(errno), path);
		return -1;
	}
	rv = km_k3_decode(buf, len, key);
	secret_wipe(buf, sizeof(buf));
	if (rv == -1) {
		secret_wipe(key, sizeof(key));
		relay_log("keymanager", "%s: not a 128-bit AES key", path);
		return -1;
	}
	aes128_set_encrypt_key(&srv->k3, key);
	aes128_invert_key(&srv->k3dec, &srv->k3);
	secret_wipe(key, sizeof(key));
	srv->cache = secret_alloc(KM_CACHE_MAX * sizeof(*srv->cache));
	if (srv->cache == NULL) {
		relay_log("keymanager", "no memory for the key cache");
		return -1;
	}
	return 0;
}

static void
km_fini(struct relay_ctx *r, void *state)
{
	struct km_server *srv = state;

	(void)r;
	secret_free(srv->cache, KM_CACHE_MAX * sizeof(*srv->cache));
	srv->cache = NULL;
	secret_wipe(&srv->k3, sizeof(srv->k3));
	secret_wipe(&srv->k3dec, sizeof(srv->k3dec));
}

/* --trace: the frame as it goes, header and payload. */
static void
trace_sent(struct km_client *k, const void *msg, size_t len)
{
	uint8_t frame[FRAME_HDR + KM_FRAME_MAX];

	if (!conn_tracing(k->c) || len == 0 || len > KM_FRAME_MAX)
		return;
	frame_put_header(frame, (uint32_t)len);
	memcpy(frame + FRAME_HDR, msg, len);
	conn_trace(k->c, TRACE_SENT, frame, FRAME_HDR + len);
	secret_wipe(frame, FRAME_HDR + len);
}

static int
say(struct km_client *k, const void *msg, size_t len)
{
	trace_sent(k, msg, len);
	return conn_send_frame(k->c, msg, len, KM_FRAME_MAX);
}

static int
says(struct km_client *k, const char *msg)
{
	return say(k, msg, strlen(msg));
}

static int
km_connect(struct conn *c)
{
	struct km_client *k;
	char hello[sizeof(KM_HELLO) + 16];

	if ((k = calloc(1, sizeof(*k))) == NULL) {
		conn_log(c, "no memory");
		return -1;
	}
	k->srv = conn_service_state(c);
	k->c = c;
	k->id = ++k->srv->next_id;
	km_trace_init(&k->tr, KM_SIDE_RELAY, &k->srv->k3dec);
	conn_set_data(c, k);
	conn_no_idle(c);
	conn_log(c, "client #%u", k->id);
	snprintf(hello, sizeof(hello), KM_HELLO, k->id);
	return says(k, hello);
}

/* The pair's K and IV: the cached ones for the same triple, else new. */
static int
session_keys(struct km_client *s, struct km_client *w, enum km_mode mode)
{
	struct km_server *srv = s->srv;
	struct km_cached *e;
	size_t i;

	for (i = 0; i < srv->ncache; i++) {
		e = &srv->cache[i];
		if (e->sender == s->id && e->waiter == w->id && e->mode == mode)
			break;
	}
	if (i == srv->ncache) {
		e = &srv->cache[srv->ncache < KM_CACHE_MAX ? srv->ncache++ : 0];
		e->sender = s->id;
		e->waiter = w->id;
		e->mode = mode;
		if (rand_fill(e->k, KM_BLOCK) == -1 ||
		    rand_fill(e->iv, KM_BLOCK) == -1)
			return -1;
	} else
		conn_log(s->c, "reusing K and IV of #%u -> #%u %s", s->id,
		    w->id, km_mode_name(mode));
	memcpy(s->k, e->k, KM_BLOCK);
	memcpy(s->iv, e->iv, KM_BLOCK);
	memcpy(w->k, e->k, KM_BLOCK);
	memcpy(w->iv, e->iv, KM_BLOCK);
	return 0;
}

static void
unpair(struct km_client *k)
{
	k->state = ST_IDLE;
	k->peer = NULL;
	k->confirm = 0;
	k->peer_failed = 0;
	k->have_count = 0;
	secret_wipe(k->k, sizeof(k->k));
	secret_wipe(k->iv, sizeof(k->iv));
}

static int
do_wait(struct km_client *k, const struct km_msg *m)
{
	k->state = ST_WAITING;
	k->port = m->port;
	TAILQ_INSERT_TAIL(&k->srv->waiters, k, wq);
	conn_log(k->c, "#%u waits on port %u", k->id, m->port);
	return 0;
}

static int
do_send(struct km_client *k)
{
	char list[KM_FRAME_MAX];
	struct km_client *w;
	size_t n;

	n = (size_t)snprintf(list, sizeof(list), "%s", KM_WAITERS);
	TAILQ_FOREACH(w, &k->srv->waiters, wq)
	{
		if (n + 12 > sizeof(list))
			break;
		n +=
		    (size_t)snprintf(list + n, sizeof(list) - n, "%u\n", w->id);
	}
	if (TAILQ_EMPTY(&k->srv->waiters))
		return says(k, KM_NO_WAITERS);
	return say(k, list, n);
}

static int
do_conn(struct km_client *s, const struct km_msg *m)
{
	struct km_client *w;
	char msg[64];

	TAILQ_FOREACH(w, &s->srv->waiters, wq)
	if (w->id == m->id)
		break;
	if (w == NULL) {
		snprintf(
		    msg, sizeof(msg), KM_PEER_ERROR ": no waiter #%u", m->id);
		return says(s, msg);
	}
	TAILQ_REMOVE(&s->srv->waiters, w, wq);
	if (session_keys(s, w, m->mode) == -1) {
		conn_log(s->c, "getrandom failed");
		TAILQ_INSERT_HEAD(&s->srv->waiters, w, wq);
		return says(s, KM_PEER_ERROR ": no key");
	}
	s->state = w->state = ST_PAIRED;
	s->peer = w;
	w->peer = s;
	s->sender = 1;
	w->sender = 0;
	s->mode = w->mode = m->mode;
	conn_log(s->c, "#%u sends to #%u in %s", s->id, w->id,
	    km_mode_name(m->mode));
	if (says(w, km_mode_name(m->mode)) == -1)
		return -1;
	return says(s, km_mode_name(m->mode));
}

/* One block of K or IV under K3 in ECB. */
static int
do_get(struct km_client *k, const uint8_t *what)
{
	uint8_t block[KM_BLOCK];

	aes128_encrypt(&k->srv->k3, KM_BLOCK, block, what);
	return say(k, block, sizeof(block));
}

/* 1 when blob is the padded constant under K, IV in k's mode. */
static int
confirm_ok(const struct km_client *k, const uint8_t *blob)
{
	static const uint8_t want_text[] = KM_CONFIRM;
	uint8_t want[KM_CONFIRM_PADDED], got[KM_CONFIRM_PADDED];
	uint8_t iv[KM_BLOCK];
	struct aes128_ctx ctx;
	int ok;

	_Static_assert(sizeof(want_text) - 1 == KM_CONFIRM_LEN, "51 bytes");
	memcpy(want, want_text, KM_CONFIRM_LEN);
	pkcs7_pad(want, KM_CONFIRM_LEN, KM_BLOCK);
	memcpy(iv, k->iv, KM_BLOCK);
	if (k->mode == KM_CBC) {
		aes128_set_decrypt_key(&ctx, k->k);
		cbc_decrypt(&ctx, (nettle_cipher_func *)aes128_decrypt,
		    KM_BLOCK, iv, sizeof(got), got, blob);
	} else {
		aes128_set_encrypt_key(&ctx, k->k);
		cfb_decrypt(&ctx, (nettle_cipher_func *)aes128_encrypt,
		    KM_BLOCK, iv, sizeof(got), got, blob);
	}
	ok = memeql_sec(want, got, sizeof(got));
	secret_wipe(&ctx, sizeof(ctx));
	secret_wipe(got, sizeof(got));
	return ok;
}

/*
 * Both confirmations are in: start the transfer, or end the pairing.  As
 * the original: a client whose own check failed already has `key error`;
 * a good sender then hears `peer error`, a good waiter `peer key error`.
 */
static int
confirmed(struct km_client *k)
{
	struct km_client *p = k->peer, *w = k->sender ? p : k;
	struct km_client *s = k->sender ? k : p;

	if (w->confirm == 1 && s->confirm == 1) {
		w->state = ST_STARTING;
		return says(w, "start");
	}
	if (s->confirm == 1 && says(s, KM_PEER_ERROR) == -1)
		return -1;
	if (w->confirm == 1 && says(w, KM_PEER_KEY_ERROR) == -1)
		return -1;
	unpair(p);
	unpair(k);
	return 0;
}

/* The peer failed and left before k confirmed: k hears of it now. */
static int
orphaned(struct km_client *k)
{
	int rv = 0;

	if (k->confirm == 1)
		rv = says(k, k->sender ? KM_PEER_ERROR : KM_PEER_KEY_ERROR);
	unpair(k);
	return rv;
}

/* A good confirmation gets no answer of its own (no `key okay`). */
static int
do_confirm(struct km_client *k, const struct km_msg *m)
{
	k->confirm = confirm_ok(k, m->blob) ? 1 : -1;
	conn_log(k->c, "#%u: %s", k->id,
	    k->confirm == 1 ? "key confirmed" : KM_KEY_ERROR);
	if (k->confirm == -1 && says(k, KM_KEY_ERROR) == -1)
		return -1;
	if (k->peer_failed)
		return orphaned(k);
	if (k->peer->confirm == 0)
		return 0;
	return confirmed(k);
}

/* The waiter is listening: tell the sender where (the waiter's host). */
static int
do_start(struct km_client *w)
{
	struct km_client *s = w->peer;
	char msg[128], host[80];
	const char *peer = conn_peer(w->c), *colon = strrchr(peer, ':');
	size_t n = colon != NULL ? (size_t)(colon - peer) : 0;

	if (n == 0 || n >= sizeof(host))
		n = snprintf(host, sizeof(host), "127.0.0.1");
	else
		memcpy(host, peer, n);
	host[n] = '\0';
	snprintf(msg, sizeof(msg), KM_SEND_DATA " %s:%u", host, w->port);
	w->state = s->state = ST_TRANSFER;
	if (says(w, KM_NOTIFY) == -1)
		return -1;
	return says(s, msg);
}

static int
do_size(struct km_client *k, const struct km_msg *m)
{
	struct km_client *p = k->peer;
	const char *verdict;

	k->count = m->count;
	k->have_count = 1;
	if (!p->have_count)
		return 0;
	verdict = k->count == p->count ? KM_SIZES_OK : KM_SIZES_BAD;
	conn_log(k->c, "#%u and #%u: %s", k->id, p->id, verdict);
	if (says(p, verdict) == -1 || says(k, verdict) == -1)
		return -1;
	unpair(p);
	unpair(k);
	return 0;
}

/* Runs one command if k's state allows it; -2: not now. */
static int
dispatch(struct km_client *k, const struct km_msg *m)
{
	switch (m->type) {
	case KM_WAIT:
		return k->state == ST_IDLE ? do_wait(k, m) : -2;
	case KM_SEND:
		return k->state == ST_IDLE ? do_send(k) : -2;
	case KM_CONN:
		return k->state == ST_IDLE ? do_conn(k, m) : -2;
	case KM_GET_KEY:
	case KM_GET_IV:
		if (k->state != ST_PAIRED)
			return -2;
		return do_get(k, m->type == KM_GET_KEY ? k->k : k->iv);
	case KM_CONFIRM_MSG:
		return k->state == ST_PAIRED && k->confirm == 0
		    ? do_confirm(k, m)
		    : -2;
	case KM_START:
		return k->state == ST_STARTING ? do_start(k) : -2;
	case KM_SIZE:
		return k->state == ST_TRANSFER && !k->have_count ? do_size(k, m)
								 : -2;
	default:
		return -2;
	}
}

static ssize_t
km_bytes(struct conn *c, const uint8_t *data, size_t len)
{
	struct km_client *k = conn_data(c);
	const uint8_t *p;
	size_t plen, used;
	struct km_msg m;
	int rv;

	rv = frame_decode(data, len, KM_FRAME_MAX, &p, &plen, &used);
	if (rv == FRAME_NEED_MORE)
		return 0;
	if (rv != FRAME_OK)
		return conn_protocol_error(c, "%s", frame_strerror(rv));
	conn_trace(c, TRACE_RECV, data, used);
	if (km_parse(p, plen, &m) == KM_BAD)
		return conn_protocol_error(
		    c, "binary frame of %zu bytes", plen);
	if (m.type == KM_END) {
		conn_log(c, "#%u: end", k->id);
		conn_close_after_flush(c);
		return (ssize_t)used;
	}
	rv = dispatch(k, &m);
	if (rv == -2)
		rv = says(k, KM_UNEXPECTED);
	return rv == -1 ? -1 : (ssize_t)used;
}

/* pk-relay --trace: lib/kmtrace.c names the fields, as in pk-xfer. */
static void
km_trace_frame(const struct conn *c, struct trace_frame *fr)
{
	struct km_client *k = conn_data(c);

	if (k != NULL)
		km_trace(fr, &k->tr);
}

static void
km_close(struct conn *c)
{
	struct km_client *k = conn_data(c), *p;
	char msg[64];

	if (k == NULL)
		return;
	if (k->state == ST_WAITING)
		TAILQ_REMOVE(&k->srv->waiters, k, wq);
	if ((p = k->peer) != NULL && k->confirm == -1 && p->confirm == 0) {
		/* As the original: p still confirms, then hears k failed. */
		p->peer = NULL;
		p->peer_failed = 1;
	} else if (p != NULL) {
		snprintf(
		    msg, sizeof(msg), KM_PEER_ERROR ": client #%u left", k->id);
		conn_log(p->c, "#%u: peer #%u left mid-pairing", p->id, k->id);
		(void)says(p, msg);
		unpair(p);
	}
	unpair(k);
	secret_wipe(&k->tr, sizeof(k->tr));
	free(k);
	conn_set_data(c, NULL);
}

const struct service keymanager_service = {
    .name = "keymanager",
    .state_size = sizeof(struct km_server),
    .init = km_init,
    .on_connect = km_connect,
    .on_bytes = km_bytes,
    .on_close = km_close,
    .fini = km_fini,
    .trace = km_trace_frame,
};
