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
 * relay's run, as in the original: a documented weakness.  The hardened
 * profile changes the keys and the confirmation only, all of it in
 * keymanager_profile.c.  A client may
 * wait on its person at any step, so the service takes its clients off
 * the relay's idle timeout (TCP keepalive still finds a vanished host).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "frame.h"
#include "keymanager.h"
#include "secret.h"

static int
km_init(struct relay_ctx *r, void *state)
{
	struct km_server *srv = state;

	TAILQ_INIT(&srv->waiters);
	return kmp_init(r, srv);
}

static void
km_fini(struct relay_ctx *r, void *state)
{
	(void)r;
	kmp_fini(state);
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

int
km_say(struct km_client *k, const void *msg, size_t len)
{
	trace_sent(k, msg, len);
	return conn_send_frame(k->c, msg, len, KM_FRAME_MAX);
}

int
km_says(struct km_client *k, const char *msg)
{
	return km_say(k, msg, strlen(msg));
}

static int
km_connect(struct conn *c)
{
	struct km_client *k;

	if ((k = calloc(1, sizeof(*k))) == NULL) {
		conn_log(c, "no memory");
		return -1;
	}
	k->srv = conn_service_state(c);
	k->c = c;
	k->id = ++k->srv->next_id;
	conn_set_data(c, k);
	conn_no_idle(c);
	conn_log(c, "client #%u", k->id);
	return kmp_connect(k);
}

static void
unpair(struct km_client *k)
{
	k->state = ST_IDLE;
	k->peer = NULL;
	k->confirm = 0;
	k->peer_failed = 0;
	k->have_count = 0;
	kmp_unpair(k);
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
		return km_says(k, KM_NO_WAITERS);
	return km_say(k, list, n);
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
		return km_says(s, msg);
	}
	TAILQ_REMOVE(&s->srv->waiters, w, wq);
	if (kmp_session_keys(s, w, m->mode) == -1) {
		conn_log(s->c, "getrandom failed");
		TAILQ_INSERT_HEAD(&s->srv->waiters, w, wq);
		return km_says(s, KM_PEER_ERROR ": no key");
	}
	s->state = w->state = ST_PAIRED;
	s->peer = w;
	w->peer = s;
	s->sender = 1;
	w->sender = 0;
	s->mode = w->mode = m->mode;
	conn_log(s->c, "#%u sends to #%u in %s", s->id, w->id,
	    km_mode_name(m->mode));
	if (km_says(w, km_mode_name(m->mode)) == -1)
		return -1;
	return km_says(s, km_mode_name(m->mode));
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
		return km_says(w, "start");
	}
	if (s->confirm == 1 && km_says(s, KM_PEER_ERROR) == -1)
		return -1;
	if (w->confirm == 1 && km_says(w, KM_PEER_KEY_ERROR) == -1)
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
		rv = km_says(k, k->sender ? KM_PEER_ERROR : KM_PEER_KEY_ERROR);
	unpair(k);
	return rv;
}

/* A good confirmation gets no answer of its own (no `key okay`). */
static int
do_confirm(struct km_client *k, const struct km_msg *m)
{
	int ok = kmp_confirm_ok(k, m);

	if (ok == -2)
		return -2;
	k->confirm = ok ? 1 : -1;
	conn_log(k->c, "#%u: %s", k->id,
	    k->confirm == 1 ? "key confirmed" : KM_KEY_ERROR);
	if (k->confirm == -1 && km_says(k, KM_KEY_ERROR) == -1)
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
	if (km_says(w, KM_NOTIFY) == -1)
		return -1;
	return km_says(s, msg);
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
	if (km_says(p, verdict) == -1 || km_says(k, verdict) == -1)
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
		return k->state == ST_PAIRED ? kmp_get(k, m->type) : -2;
	case KM_CONFIRM_MSG:
	case KM_CONFIRM_MAC:
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
	km_parse(p, plen, &m);
	if ((rv = kmp_gate(k, &m)) != 1)
		return rv == -1 ? -1 : (ssize_t)used;
	if (m.type == KM_BAD)
		return conn_protocol_error(
		    c, "binary frame of %zu bytes", plen);
	if (m.type == KM_END) {
		conn_log(c, "#%u: end", k->id);
		conn_close_after_flush(c);
		return (ssize_t)used;
	}
	if ((m.type == KM_WAIT || m.type == KM_CONN) && k->state == ST_IDLE)
		kmp_command(k, p, plen);
	rv = dispatch(k, &m);
	if (rv == -2)
		rv = km_says(k, KM_UNEXPECTED);
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
		(void)km_says(p, msg);
		unpair(p);
	}
	unpair(k);
	kmp_close(k);
	secret_wipe(&k->tr, sizeof(k->tr));
	free(k);
	conn_set_data(c, NULL);
}

const struct service keymanager_service = {
    .name = "keymanager",
    .hardened = 1,
    .state_size = sizeof(struct km_server),
    .init = km_init,
    .on_connect = km_connect,
    .on_bytes = km_bytes,
    .on_close = km_close,
    .fini = km_fini,
    .trace = km_trace_frame,
};
