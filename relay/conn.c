/*
 * conn: the clients of pk-relay.  Accepts on the listeners, keeps each
 * client in a table indexed by fd, reads into one shared buffer and hands
 * the bytes to the service, queues their output and writes each queue once
 * per pass of the loop (conn_flush, before it sleeps), applies
 * backpressure, the idle timeout, each message's deadline, the limit per
 * address and the budget of all queues together (--max-queued: the
 * slowest reader goes first), and closes clients outside any service
 * callback (the reap list) so that a service never sees a freed conn.  A
 * client's error closes that client only.
 */
#include <sys/socket.h>
#include <sys/uio.h>

#include <netinet/in.h>
#include <netinet/tcp.h>

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "evloop.h"
#include "outq.h"
#include "relay.h"

#define ACCEPT_MAX 1000 /* accepts per wakeup, then serve the rest */
#define CONN_OUT_BATCH (32 * 1024) /* write at once from this many queued */
#define CONN_OUT_IOV 64 /* runs of the queue per write */
#define CONN_SHARE_MIN 1024 /* a smaller blob is copied, not referenced */
#define CONN_SNDBUF (128 * 1024) /* SO_SNDBUF: the kernel doubles it */

#define C_PAUSED 0x01 /* output above high water: not reading */
#define C_CLOSING 0x02 /* close once the queue is written */
#define C_LINGER 0x04 /* written and shut down: draining input */
#define C_DEAD 0x08 /* deregistered, on the reap list */
#define C_EOF 0x10 /* the peer shut down its side */
#define C_ERRLOGGED 0x20 /* the service logged its protocol error */
#define C_PENDING 0x40 /* on the pending list: flush before sleeping */
#define C_HELD 0x80 /* conn_hold: not reading for now */
/* Any of these: bytes stay unread and unoffered. */
#define C_NOREAD (C_PAUSED | C_HELD | C_CLOSING | C_DEAD)

struct conn {
	int fd;
	int flags;
	int err; /* errno behind why, or 0 */
	const char *why; /* reason for closing */
	const struct service *svc;
	struct relay_ctx *ctx;
	void *data;
	void *state; /* the service's */
	char peer[RELAY_ADDR_MAX];
	uint8_t *in; /* unconsumed input */
	size_t inlen;
	struct outq out; /* outlen bytes queued */
	size_t outlen;
	long long deadline;
	long long hold_id; /* conn_hold's timer, or -1 */
	struct conn_list *list; /* idle, linger or none */
	long long msg_deadline; /* 0: not on ctx->msgs */
	TAILQ_ENTRY(conn) mlink; /* on ctx->msgs: in mid-message */
	struct ip_count *ip; /* its address's count (conn_ip.c) */
	TAILQ_ENTRY(conn) link;
	TAILQ_ENTRY(conn) plink; /* on ctx->pending */
	TAILQ_ENTRY(conn) qlink; /* on ctx->queued while outlen > 0 */
	struct conn *reap_next;
};

static void conn_read(struct evloop *, int, void *, int);
static void conn_write(struct evloop *, int, void *, int);
static void conn_hold_cancel(struct conn *);

static void
conn_list_move(struct conn *c, struct conn_list *list, long long ms)
{
	if (c->list != NULL)
		TAILQ_REMOVE(c->list, c, link);
	c->list = list;
	if (list != NULL) {
		c->deadline = ev_now() + ms;
		TAILQ_INSERT_TAIL(list, c, link);
	}
}

/* Some bytes moved: the idle timeout starts again. */
static void
conn_touch(struct conn *c)
{
	if (c->list == &c->ctx->idle)
		conn_list_move(c, &c->ctx->idle, c->ctx->idle_ms);
}

/* The client is off ctx->msgs: nothing unconsumed, or closing. */
static void
conn_msg_stop(struct conn *c)
{
	if (c->msg_deadline != 0)
		TAILQ_REMOVE(&c->ctx->msgs, c, mlink);
	c->msg_deadline = 0;
}

/*
 * After the service was offered the input: a message begun (bytes left
 * unconsumed) must be whole within --message-timeout of its first byte.
 * Progress (a message consumed) starts the clock again for what is left,
 * so a large upload, a stream of whole frames, never runs out of time;
 * a client that trickles one frame a byte at a time does.
 */
static void
conn_msg_track(struct conn *c, int progress)
{
	struct relay_ctx *ctx = c->ctx;

	if (ctx->msg_ms == 0 || c->inlen == 0 ||
	    (c->flags & (C_CLOSING | C_DEAD))) {
		conn_msg_stop(c);
		return;
	}
	if (c->msg_deadline != 0 && !progress)
		return;
	conn_msg_stop(c);
	c->msg_deadline = ev_now() + ctx->msg_ms;
	TAILQ_INSERT_TAIL(&ctx->msgs, c, mlink);
}

/* Deregisters the client now; it is closed and freed by conn_reap. */
void
conn_kill(struct conn *c, const char *why, int err)
{
	if (c->flags & C_DEAD)
		return;
	c->flags |= C_DEAD;
	if (why != NULL) {
		c->why = why;
		c->err = err;
	}
	ev_del(c->ctx->ev, c->fd, EV_READ | EV_WRITE);
	conn_list_move(c, NULL, 0);
	conn_msg_stop(c);
	conn_hold_cancel(c);
	c->reap_next = c->ctx->reap;
	c->ctx->reap = c;
}

/* n bytes more are queued. */
static void
conn_out_grew(struct conn *c, size_t n)
{
	if (c->outlen == 0 && n > 0)
		TAILQ_INSERT_TAIL(&c->ctx->queued, c, qlink);
	c->outlen += n;
}

/* Empties the queue, written or not. */
static void
conn_out_clear(struct conn *c)
{
	if (c->outlen > 0)
		TAILQ_REMOVE(&c->ctx->queued, c, qlink);
	outq_clear(&c->out);
	c->outlen = 0;
}

/* The client with the most bytes queued: the slowest reader. */
static struct conn *
conn_slowest(struct relay_ctx *ctx)
{
	struct conn *c, *max = NULL;

	TAILQ_FOREACH(c, &ctx->queued, qlink)
	if (max == NULL || c->outlen > max->outlen)
		max = c;
	return max;
}

/*
 * Makes room for more bytes under --max-queued by dropping the slowest
 * readers, whose queues go at once (a dead client's queue is never
 * written).  Returns -1 if self (may be NULL) was dropped.
 */
static int
conn_budget(struct relay_ctx *ctx, struct conn *self, size_t more)
{
	struct conn *v;

	while (ctx->out_total + more > ctx->out_max &&
	    (v = conn_slowest(ctx)) != NULL) {
		if (!(v->flags & C_DEAD)) {
			conn_log(v,
			    "dropped: slowest reader, %zu bytes queued when "
			    "all queues reached --max-queued %zu",
			    v->outlen, ctx->out_max);
			conn_kill(v, "slow reader", 0);
		}
		conn_out_clear(v);
		if (v == self)
			return -1;
	}
	return 0;
}

static void
conn_free(struct conn *c)
{
	struct relay_ctx *ctx = c->ctx;

	if (c->flags & C_PENDING)
		TAILQ_REMOVE(&ctx->pending, c, plink);
	if (c->svc->on_close != NULL)
		c->svc->on_close(c);
	if (c->err != 0)
		conn_log(c, "close: %s: %s", c->why, strerror(c->err));
	else
		conn_log(c, "close: %s", c->why != NULL ? c->why : "closed");
	if (close(c->fd) == -1)
		conn_log(c, "close: %s", strerror(errno));
	ctx->conns[c->fd] = NULL;
	ctx->nclients--;
	ip_release(ctx, c->ip);
	free(c->in);
	conn_out_clear(c);
	free(c);
}

/* Closes the clients killed during the callback that just ended. */
static void
conn_reap(struct relay_ctx *ctx)
{
	struct conn *c;

	while ((c = ctx->reap) != NULL) {
		ctx->reap = c->reap_next;
		conn_free(c);
	}
	if (ctx->stopping && ctx->nclients == 0)
		ev_stop(ctx->ev);
}

/* The queue is written: close now, or after draining what the peer sends. */
static void
conn_finish(struct conn *c)
{
	/*
	 * Closing with unread input makes the kernel send a reset, which may
	 * destroy our last reply before the peer reads it (the 1607 after a
	 * bad request), so shut down our side and read until EOF first.
	 */
	if ((c->flags & C_EOF) || c->ctx->stopping ||
	    shutdown(c->fd, SHUT_WR) == -1 ||
	    ev_add(c->ctx->ev, c->fd, EV_READ, conn_read, c) == -1) {
		conn_kill(c, NULL, 0);
		return;
	}
	c->flags |= C_LINGER;
	conn_list_move(c, &c->ctx->linger, RELAY_LINGER_MS);
}

void
conn_close_after_flush(struct conn *c)
{
	if (c->flags & (C_CLOSING | C_DEAD))
		return;
	c->flags |= C_CLOSING;
	if (c->why == NULL)
		c->why = "closed by service";
	ev_del(c->ctx->ev, c->fd, EV_READ);
	free(c->in);
	c->in = NULL;
	c->inlen = 0;
	if (c->outlen == 0)
		conn_finish(c);
}

void
conn_no_idle(struct conn *c)
{
	static const int on = 1, idle = 60, intvl = 10, count = 6;

	if (c->list == &c->ctx->idle)
		conn_list_move(c, NULL, 0);
	(void)setsockopt(c->fd, SOL_SOCKET, SO_KEEPALIVE, &on, sizeof(on));
	(void)setsockopt(c->fd, IPPROTO_TCP, TCP_KEEPIDLE, &idle, sizeof(idle));
	(void)setsockopt(
	    c->fd, IPPROTO_TCP, TCP_KEEPINTVL, &intvl, sizeof(intvl));
	(void)setsockopt(
	    c->fd, IPPROTO_TCP, TCP_KEEPCNT, &count, sizeof(count));
}

/*
 * Appends to the queue; returns -1 when it would pass CONN_OUT_MAX, on
 * no memory, or when conn_budget dropped the client (logged, C_DEAD).
 */
static int
conn_queue(struct conn *c, const uint8_t *buf, size_t len)
{
	if (c->outlen + len > CONN_OUT_MAX ||
	    conn_budget(c->ctx, c, outq_cost(&c->out, len)) == -1 ||
	    outq_copy(&c->out, buf, len) == -1)
		return -1;
	conn_out_grew(c, len);
	return 0;
}

/* The same for b->data[off..b->len), uncopied. */
static int
conn_queue_ref(struct conn *c, struct conn_blob *b, size_t off)
{
	if (c->outlen + b->len - off > CONN_OUT_MAX ||
	    conn_budget(c->ctx, c, sizeof(struct outq_seg)) == -1 ||
	    outq_ref(&c->out, b, off) == -1)
		return -1;
	conn_out_grew(c, b->len - off);
	return 0;
}

/* n bytes of the queue were written. */
static void
conn_sent(struct conn *c, size_t n)
{
	if (n == c->outlen)
		conn_out_clear(c);
	else {
		outq_consume(&c->out, n);
		c->outlen -= n;
	}
}

/* Writes what the socket takes; returns the count or -1 (client killed). */
static ssize_t
conn_putv(struct conn *c, struct iovec *iov, int iovcnt)
{
	struct msghdr msg = {.msg_iov = iov, .msg_iovlen = (size_t)iovcnt};
	ssize_t n;

	do
		n = sendmsg(c->fd, &msg, MSG_NOSIGNAL | MSG_DONTWAIT);
	while (n == -1 && errno == EINTR);
	if (n == -1) {
		if (errno == EAGAIN || errno == EWOULDBLOCK)
			return 0;
		conn_kill(c, "write error", errno);
		return -1;
	}
	if (n > 0)
		conn_touch(c);
	return n;
}

static ssize_t
conn_put(struct conn *c, const uint8_t *buf, size_t len)
{
	struct iovec iov = {.iov_base = (void *)buf, .iov_len = len};

	return conn_putv(c, &iov, 1);
}

/* Writes what the socket takes of the queue; the count or -1 (killed). */
static ssize_t
conn_put_queue(struct conn *c)
{
	struct iovec iov[CONN_OUT_IOV];
	ssize_t n;

	n = conn_putv(c, iov, outq_iov(&c->out, iov, CONN_OUT_IOV));
	if (n > 0)
		conn_sent(c, (size_t)n);
	return n;
}

/*
 * Output is queued, not written: every client with something new goes on
 * the pending list, and conn_flush writes each one once per pass of the
 * event loop, before it sleeps.  A message fanned out to a room then costs
 * one write per reader per pass (or per CONN_OUT_BATCH bytes), however
 * many senders the pass served, and a reply is still written before the
 * relay waits again.  b, if not NULL, holds the bytes: what is queued
 * refers to it instead of copying them.
 */
static int
conn_send_from(
    struct conn *c, const uint8_t *p, size_t len, struct conn_blob *b)
{
	ssize_t n = 0;
	int full = 0;

	if (c->flags & (C_DEAD | C_LINGER)) {
		errno = EPIPE;
		return -1;
	}
	if (len == 0)
		return 0;
	/* A large message with nothing queued goes out at once, uncopied. */
	if (c->outlen == 0 && len >= CONN_OUT_BATCH) {
		if ((n = conn_put(c, p, len)) == -1)
			return -1;
		full = (size_t)n < len;
		p += n;
		len -= (size_t)n;
		if (len == 0)
			return 0;
	}
	if ((b != NULL ? conn_queue_ref(c, b, (size_t)(p - b->data))
		       : conn_queue(c, p, len)) == -1) {
		if (!(c->flags & C_DEAD)) {
			conn_log(c, "dropped: output queue would pass %d bytes",
			    CONN_OUT_MAX);
			conn_kill(c, "dropped", 0);
		}
		errno = ENOBUFS;
		return -1;
	}
	/* With EV_WRITE set the socket is full: conn_write runs later. */
	if (!full && c->outlen >= CONN_OUT_BATCH &&
	    !(ev_mask(c->ctx->ev, c->fd) & EV_WRITE)) {
		if (conn_put_queue(c) == -1)
			return -1;
	}
	if (c->outlen > 0 && !(c->flags & C_PENDING) &&
	    !(ev_mask(c->ctx->ev, c->fd) & EV_WRITE)) {
		c->flags |= C_PENDING;
		TAILQ_INSERT_TAIL(&c->ctx->pending, c, plink);
	}
	if (c->outlen > CONN_OUT_HIGH && !(c->flags & C_PAUSED)) {
		c->flags |= C_PAUSED;
		ev_del(c->ctx->ev, c->fd, EV_READ);
		conn_log(c, "paused: %zu bytes queued", c->outlen);
	}
	return 0;
}

int
conn_send(struct conn *c, const void *buf, size_t len)
{
	return conn_send_from(c, buf, len, NULL);
}

struct conn_blob *
conn_blob_new(struct relay_ctx *ctx, const void *p, size_t len)
{
	if (conn_budget(ctx, NULL, sizeof(struct conn_blob) + len) == -1)
		return NULL;
	return outq_blob_new(&ctx->out_total, p, len, len);
}

int
conn_send_blob(struct conn *c, struct conn_blob *b)
{
	/* A run costs a struct outq_seg per queue: not worth it for a few. */
	return conn_send_from(
	    c, b->data, b->len, b->len >= CONN_SHARE_MIN ? b : NULL);
}

void
conn_blob_free(struct conn_blob *b)
{
	outq_blob_unref(b);
}

/* Keeps the unconsumed tail of ctx->rbuf for the next read. */
static void
conn_keep(struct conn *c, size_t off, size_t len)
{
	uint8_t *p;

	if (off == len || (c->flags & (C_CLOSING | C_DEAD))) {
		free(c->in);
		c->in = NULL;
		c->inlen = 0;
		return;
	}
	if ((p = realloc(c->in, len - off)) == NULL) {
		conn_kill(c, "out of memory", 0);
		return;
	}
	memcpy(p, c->ctx->rbuf + off, len - off);
	c->in = p;
	c->inlen = len - off;
}

/* Offers ctx->rbuf[0..len) to the service until it stops consuming. */
static void
conn_feed(struct conn *c, size_t len)
{
	uint8_t *buf = c->ctx->rbuf;
	size_t off = 0;
	ssize_t n;

	while (off < len && !(c->flags & C_NOREAD)) {
		n = c->svc->on_bytes(c, buf + off, len - off);
		if (c->flags & C_DEAD)
			return;
		if (n < 0) {
			if (!(c->flags & C_ERRLOGGED))
				conn_log(c, "protocol error");
			c->why = "protocol error";
			conn_close_after_flush(c);
			return;
		}
		if (n == 0)
			break;
		if ((size_t)n > len - off) {
			conn_kill(c, "service consumed more than it had", 0);
			return;
		}
		off += (size_t)n;
	}
	if (off == 0 && len == CONN_IN_MAX && !(c->flags & C_NOREAD)) {
		conn_protocol_error(
		    c, "message larger than %d bytes", CONN_IN_MAX);
		c->why = "protocol error";
		conn_close_after_flush(c);
		return;
	}
	conn_keep(c, off, len);
	conn_msg_track(c, off > 0);
}

/* A closing client: discard what it still sends until EOF. */
static void
conn_drain_input(struct conn *c)
{
	ssize_t n;

	n = read(c->fd, c->ctx->rbuf, sizeof(c->ctx->rbuf));
	if (n == 0 || (n == -1 && errno != EAGAIN && errno != EINTR))
		conn_kill(c, NULL, 0);
}

static void
conn_read(struct evloop *ev, int fd, void *arg, int mask)
{
	struct conn *c = arg;
	struct relay_ctx *ctx = c->ctx;
	size_t have = c->inlen;
	ssize_t n;

	(void)ev;
	(void)mask;
	if (c->flags & C_LINGER) {
		conn_drain_input(c);
		conn_reap(ctx);
		return;
	}
	if (have > 0)
		memcpy(ctx->rbuf, c->in, have);
	n = read(fd, ctx->rbuf + have, sizeof(ctx->rbuf) - have);
	if (n > 0) {
		conn_touch(c);
		conn_feed(c, have + (size_t)n);
	} else if (n == 0) {
		c->flags |= C_EOF;
		c->why = "peer closed";
		conn_close_after_flush(c);
	} else if (errno != EAGAIN && errno != EINTR)
		conn_kill(c, "read error", errno);
	conn_reap(ctx);
}

/* Nothing stops the client any more: serve what it sent, and read on. */
static void
conn_unblock(struct conn *c)
{
	struct relay_ctx *ctx = c->ctx;
	size_t have = c->inlen;

	if (have > 0 && !(c->flags & C_NOREAD)) {
		memcpy(ctx->rbuf, c->in, have);
		conn_feed(c, have);
	}
	if (!(c->flags & C_NOREAD) &&
	    ev_add(ctx->ev, c->fd, EV_READ, conn_read, c) == -1)
		conn_kill(c, "event loop", errno);
}

/* The queue fell to the low-water mark: read and serve the client again. */
static void
conn_resume(struct conn *c)
{
	c->flags &= ~C_PAUSED;
	conn_log(c, "resumed: %zu bytes queued", c->outlen);
	if (c->svc->on_drain != NULL)
		c->svc->on_drain(c);
	conn_unblock(c);
}

static long long
conn_hold_end(struct evloop *ev, long long id, void *arg)
{
	struct conn *c = arg;

	(void)ev;
	(void)id;
	c->hold_id = -1;
	c->flags &= ~C_HELD;
	conn_unblock(c);
	conn_reap(c->ctx);
	return EV_NOMORE;
}

static void
conn_hold_cancel(struct conn *c)
{
	if (c->hold_id != -1)
		(void)ev_timer_del(c->ctx->ev, c->hold_id);
	c->hold_id = -1;
}

/*
 * The end of a hold always comes from a timer, even at 0 ms, so that a
 * service holding and releasing inside on_bytes is never re-entered.
 */
void
conn_hold(struct conn *c, long long ms)
{
	if (c->flags & (C_CLOSING | C_DEAD))
		return;
	conn_hold_cancel(c);
	c->flags |= C_HELD;
	ev_del(c->ctx->ev, c->fd, EV_READ);
	if (ms >= 0 &&
	    (c->hold_id = ev_timer_add(c->ctx->ev, ms, conn_hold_end, c)) == -1)
		conn_kill(c, "event loop", errno);
}

static void
conn_write(struct evloop *ev, int fd, void *arg, int mask)
{
	struct conn *c = arg;
	ssize_t n = 0;

	(void)fd;
	(void)mask;
	if (c->outlen > 0)
		n = conn_put_queue(c);
	if (n >= 0 && c->outlen > 0 && !(ev_mask(ev, c->fd) & EV_WRITE) &&
	    ev_add(ev, c->fd, EV_WRITE, conn_write, c) == -1) {
		conn_kill(c, "event loop", errno);
		n = -1;
	}
	if (n >= 0 && c->outlen == 0)
		ev_del(ev, c->fd, EV_WRITE);
	if (n >= 0 && (c->flags & C_PAUSED) && c->outlen <= CONN_OUT_LOW)
		conn_resume(c);
	if (!(c->flags & C_DEAD) && (c->flags & C_CLOSING) && c->outlen == 0 &&
	    !(c->flags & C_LINGER))
		conn_finish(c);
	conn_reap(c->ctx);
}

/* Before the loop sleeps: writes every client that has new output. */
static void
conn_flush(struct evloop *ev, void *arg)
{
	struct relay_ctx *ctx = arg;
	struct conn *c;

	while ((c = TAILQ_FIRST(&ctx->pending)) != NULL) {
		TAILQ_REMOVE(&ctx->pending, c, plink);
		c->flags &= ~C_PENDING;
		if (!(c->flags & C_DEAD))
			conn_write(ev, c->fd, c, EV_WRITE);
	}
}

/*
 * The kernel's share of a client's output: left to autotuning, a peer
 * who never reads holds 4 MiB of socket buffer (tcp_wmem's maximum) on
 * top of its queue, out of --max-queued's sight.
 */
static void
conn_sndbuf(int fd)
{
	static const int size = CONN_SNDBUF;

	(void)setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &size, sizeof(size));
}

static void
conn_open(struct listener *l, int fd, const char *peer, struct ip_count *ip)
{
	struct relay_ctx *ctx = l->ctx;
	struct conn *c;
	int one = 1;

	if ((c = calloc(1, sizeof(*c))) == NULL ||
	    ev_add(ctx->ev, fd, EV_READ, conn_read, c) == -1) {
		log_line(l->svc->name, peer, "refused: %s", strerror(errno));
		ip_release(ctx, ip);
		free(c);
		close(fd);
		return;
	}
	/* Replies are small and must not wait for Nagle. */
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	conn_sndbuf(fd);
	c->fd = fd;
	c->hold_id = -1;
	c->svc = l->svc;
	c->state = l->state;
	c->ctx = ctx;
	outq_init(&c->out, &ctx->out_total);
	c->ip = ip;
	snprintf(c->peer, sizeof(c->peer), "%s", peer);
	ctx->conns[fd] = c;
	ctx->nclients++;
	if (ctx->idle_ms > 0)
		conn_list_move(c, &ctx->idle, ctx->idle_ms);
	conn_log(c, "connect");
	if (c->svc->on_connect != NULL && c->svc->on_connect(c) == -1)
		conn_close_after_flush(c);
}

/* Out of fds: accept and close one client so the listener stops firing. */
static void
conn_shed(struct listener *l)
{
	struct relay_ctx *ctx = l->ctx;
	int fd;

	if (ctx->spare_fd != -1)
		close(ctx->spare_fd);
	if ((fd = accept(l->fd, NULL, NULL)) != -1) {
		log_line(l->svc->name, l->addr,
		    "refused: out of file "
		    "descriptors");
		close(fd);
	}
	ctx->spare_fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
}

/* Counts the client for its address; 1 (logged) if it is over the limit. */
static int
conn_ip_refused(struct listener *l, const struct sockaddr *sa, const char *peer,
    struct ip_count **ip)
{
	switch (ip_take(l->ctx, sa, ip)) {
	case 1:
		return 0;
	case 0:
		log_line(l->svc->name, peer, "refused: max per ip (%d)",
		    l->ctx->max_per_ip);
		return 1;
	default:
		log_line(l->svc->name, peer, "refused: %s", strerror(errno));
		return 1;
	}
}

void
conn_accept(struct evloop *ev, int fd, void *arg, int mask)
{
	struct listener *l = arg;
	struct relay_ctx *ctx = l->ctx;
	struct sockaddr_storage ss;
	socklen_t sslen;
	struct ip_count *ip;
	char peer[RELAY_ADDR_MAX];
	int i, cfd;

	(void)ev;
	(void)mask;
	for (i = 0; i < ACCEPT_MAX; i++) {
		sslen = sizeof(ss);
		cfd = accept4(fd, (struct sockaddr *)&ss, &sslen,
		    SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (cfd == -1) {
			if (errno == EINTR || errno == ECONNABORTED)
				continue;
			if (errno == EMFILE || errno == ENFILE)
				conn_shed(l);
			else if (errno != EAGAIN && errno != EWOULDBLOCK)
				log_line(l->svc->name, l->addr, "accept: %s",
				    strerror(errno));
			break;
		}
		addr_format((struct sockaddr *)&ss, peer, sizeof(peer));
		if (ctx->nclients >= ctx->max_clients || cfd >= ctx->setsize) {
			log_line(l->svc->name, peer, "refused: max clients");
			close(cfd);
			continue;
		}
		if (conn_ip_refused(l, (struct sockaddr *)&ss, peer, &ip)) {
			close(cfd);
			continue;
		}
		conn_open(l, cfd, peer, ip);
	}
	conn_reap(ctx);
}

/*
 * Drops the clients whose message is past its deadline.  One the relay is
 * not reading (backpressure, or held by its service) is not late: its
 * clock starts again; one closing just leaves the list.
 */
static void
conn_msg_sweep(struct relay_ctx *ctx, long long now)
{
	struct conn *c;

	while (
	    (c = TAILQ_FIRST(&ctx->msgs)) != NULL && c->msg_deadline <= now) {
		if ((c->flags & (C_CLOSING | C_DEAD)) || c->inlen == 0 ||
		    !(ev_mask(ctx->ev, c->fd) & EV_READ)) {
			conn_msg_track(c, 1);
			continue;
		}
		conn_log(c,
		    "dropped: a message unfinished after %lld s (%zu "
		    "bytes of it)",
		    ctx->msg_ms / 1000, c->inlen);
		conn_kill(c, "message timeout", 0);
	}
}

/* Closes idle clients and ends lingering ones; runs at the next deadline. */
static long long
conn_sweep(struct evloop *ev, long long id, void *arg)
{
	struct relay_ctx *ctx = arg;
	struct conn *c;
	long long now = ev_now(), next = now + 1000;

	(void)ev;
	(void)id;
	while ((c = TAILQ_FIRST(&ctx->idle)) != NULL && c->deadline <= now)
		conn_kill(c, "idle timeout", 0);
	while ((c = TAILQ_FIRST(&ctx->linger)) != NULL && c->deadline <= now)
		conn_kill(c, NULL, 0);
	conn_msg_sweep(ctx, now);
	conn_reap(ctx);
	if ((c = TAILQ_FIRST(&ctx->idle)) != NULL && c->deadline < next)
		next = c->deadline;
	if ((c = TAILQ_FIRST(&ctx->linger)) != NULL && c->deadline < next)
		next = c->deadline;
	if ((c = TAILQ_FIRST(&ctx->msgs)) != NULL && c->msg_deadline < next)
		next = c->msg_deadline;
	return next > now ? next - now : 1;
}

int
conn_start(struct relay_ctx *ctx)
{
	int i;

	TAILQ_INIT(&ctx->idle);
	TAILQ_INIT(&ctx->linger);
	TAILQ_INIT(&ctx->pending);
	TAILQ_INIT(&ctx->queued);
	TAILQ_INIT(&ctx->msgs);
	if (ip_table_init(ctx) == -1)
		return -1;
	ev_before_sleep(ctx->ev, conn_flush, ctx);
	ctx->conns = calloc((size_t)ctx->setsize, sizeof(*ctx->conns));
	if (ctx->conns == NULL)
		return -1;
	ctx->spare_fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
	if ((ctx->sweep_id = ev_timer_add(ctx->ev, 1000, conn_sweep, ctx)) ==
	    -1)
		return -1;
	for (i = 0; i < ctx->nlisteners; i++)
		if (ev_add(ctx->ev, ctx->listeners[i].fd, EV_READ, conn_accept,
			&ctx->listeners[i]) == -1)
			return -1;
	return 0;
}

static long long
conn_drain_deadline(struct evloop *ev, long long id, void *arg)
{
	(void)id;
	(void)arg;
	ev_stop(ev);
	return EV_NOMORE;
}

/* Stops accepting and lets every client flush, for RELAY_DRAIN_MS. */
void
conn_shutdown(struct relay_ctx *ctx)
{
	struct conn *c;
	int i;

	ctx->stopping = 1;
	for (i = 0; i < ctx->nlisteners; i++) {
		ev_del(ctx->ev, ctx->listeners[i].fd, EV_READ);
		close(ctx->listeners[i].fd);
		ctx->listeners[i].fd = -1;
	}
	for (i = 0; i < ctx->setsize; i++) {
		if ((c = ctx->conns[i]) == NULL || (c->flags & C_DEAD))
			continue;
		if (!(c->flags & C_CLOSING))
			c->why = "shutdown";
		if (c->flags & C_LINGER)
			conn_kill(c, NULL, 0);
		else
			conn_close_after_flush(c);
	}
	conn_reap(ctx);
	if (ctx->nclients > 0 &&
	    ev_timer_add(ctx->ev, RELAY_DRAIN_MS, conn_drain_deadline, ctx) ==
		-1)
		ev_stop(ctx->ev);
}

/* After the loop: closes whoever is left, queue written or not. */
void
conn_close_all(struct relay_ctx *ctx)
{
	int i;

	for (i = 0; i < ctx->setsize; i++)
		if (ctx->conns[i] != NULL)
			conn_kill(ctx->conns[i], "shutdown", 0);
	conn_reap(ctx);
	free(ctx->conns);
	ctx->conns = NULL;
	ip_table_free(ctx);
	if (ctx->spare_fd != -1)
		close(ctx->spare_fd);
}

void
conn_log(struct conn *c, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_vline(c->svc->name, c->peer, fmt, ap);
	va_end(ap);
}

int
conn_protocol_error(struct conn *c, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	conn_log(c, "protocol error: %s", msg);
	c->flags |= C_ERRLOGGED;
	return -1;
}

void *
conn_data(const struct conn *c)
{
	return c->data;
}

void
conn_set_data(struct conn *c, void *data)
{
	c->data = data;
}

int
conn_tracing(const struct conn *c)
{
	return c->ctx->sink.text != NULL || c->ctx->sink.json != NULL;
}

void
conn_trace(struct conn *c, enum trace_dir dir, const uint8_t *p, size_t len)
{
	struct trace_frame fr;

	if (!conn_tracing(c))
		return;
	trace_begin(&fr, c->svc->name, dir, c->peer, p, len);
	fr.fd = c->fd;
	if (c->svc->trace != NULL)
		c->svc->trace(c, &fr);
	trace_print(&c->ctx->sink, &fr);
}

const char *
conn_peer(const struct conn *c)
{
	return c->peer;
}

struct relay_ctx *
conn_relay(const struct conn *c)
{
	return c->ctx;
}

void *
conn_service_state(const struct conn *c)
{
	return c->state;
}

int
conn_hardened(const struct conn *c)
{
	return c->ctx->hardened >> service_index(c->svc) & 1;
}

int
conn_profile_mismatch(struct conn *c)
{
	int h = conn_hardened(c);

	conn_log(c, "profile mismatch: the relay is %s, the client is %s",
	    h ? "hardened" : "faithful", h ? "faithful" : "hardened");
	c->flags |= C_ERRLOGGED;
	return -1;
}
