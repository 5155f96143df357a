/*
 * proxy: the event loop (lib/evloop.h, epoll, one process, no thread per
 * client).  Each accepted client gets its own connection to --to; each
 * direction has a bounded input buffer, cut into frames by the protocol's
 * framing function, and a bounded output queue.  A full queue stops the
 * reads of the side that fills it.  EOF from one side is passed on as a
 * half-close once its queue is written; an error on either side closes
 * both.  Bytes that cannot be framed are forwarded untouched.
 */
#include <sys/socket.h>

#include <netinet/in.h>
#include <netinet/tcp.h>

#include <arpa/inet.h>
#include <err.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "evloop.h"
#include "mitm.h"
#include "num.h"

struct flow {
	int c2s;
	int from, to; /* fds */
	uint8_t in[MITM_IN];
	size_t inlen;
	uint8_t out[MITM_OUT];
	size_t outlen;
	int raw; /* could not be framed: forwarded untouched from here on */
	uint64_t rawpos; /* raw bytes (a file, unframed) cut so far */
	int eof, shut; /* EOF read; passed on */
};

struct conn {
	struct mitm *m;
	struct evloop *ev;
	long long id, frames;
	int cfd, sfd;
	struct flow up, down; /* client to server, server to client */
	struct mitm_dec dec;
	void *act; /* the active attack's state (-k), or NULL */
	uint8_t act_out[MITM_ACTIVE_MAX]; /* the frame it writes */
};

#define MITM_FDS (4 * MITM_CLIENTS + 16) /* the event loop's fds */

static long long conns, closed;

/* Parses HOST:PORT (IPv4, or IPv6 in brackets) into ss. */
static void
parse_addr(const char *arg, struct sockaddr_storage *ss, socklen_t *sslen)
{
	struct sockaddr_in *sin = (struct sockaddr_in *)ss;
	struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)ss;
	char host[64];
	const char *colon = strrchr(arg, ':'), *errstr;
	size_t n;
	int port;

	if (colon == NULL || (n = (size_t)(colon - arg)) == 0 ||
	    n >= sizeof(host))
		errx(2, "%s: expected HOST:PORT", arg);
	memcpy(host, arg, n);
	host[n] = '\0';
	port = (int)num_parse(colon + 1, 0, 65535, &errstr);
	if (errstr != NULL)
		errx(2, "%s: port %s", arg, errstr);
	memset(ss, 0, sizeof(*ss));
	if (n > 2 && host[0] == '[' && host[n - 1] == ']') {
		host[n - 1] = '\0';
		if (inet_pton(AF_INET6, host + 1, &sin6->sin6_addr) != 1)
			errx(2, "%s: bad IPv6 address", arg);
		sin6->sin6_family = AF_INET6;
		sin6->sin6_port = htons((uint16_t)port);
		*sslen = sizeof(*sin6);
	} else if (inet_pton(AF_INET, host, &sin->sin_addr) == 1) {
		sin->sin_family = AF_INET;
		sin->sin_port = htons((uint16_t)port);
		*sslen = sizeof(*sin);
	} else
		errx(2, "%s: host is not an IPv4 or bracketed IPv6 address",
		    arg);
}

static void
conn_close(struct conn *c)
{
	long long max;

	ev_del(c->ev, c->cfd, EV_READ | EV_WRITE);
	ev_del(c->ev, c->sfd, EV_READ | EV_WRITE);
	close(c->cfd);
	close(c->sfd);
	if (c->act != NULL)
		c->m->proto->active->conn_free(c->act);
	fprintf(stderr, "pk-mitm: conn %lld: closed\n", c->id);
	max = c->m->max_conns;
	free(c);
	if (max != 0 && ++closed >= max)
		exit(0);
}

/* Appends the frame (or piece) of len bytes at p, with its copies. */
static void
forward(struct conn *c, struct flow *f, uint8_t *p, size_t len, int raw,
    struct trace_frame *tf)
{
	struct mitm_frame mf = {.conn = c->id,
	    .number = ++c->frames,
	    .c2s = f->c2s,
	    .raw = raw,
	    .base = f->rawpos,
	    .tf = tf,
	    .buf = p};
	int copies;
	long n;

	trace_print(&c->m->sink, tf);
	record_frame(c->m, &mf);
	copies = apply_rules(c->m, &mf);
	if (copies > 0 && c->act != NULL && !raw &&
	    (n = c->m->proto->active->frame(
		 c->act, &mf, len, c->act_out, sizeof(c->act_out))) >= 0) {
		p = c->act_out;
		len = (size_t)n;
	}
	while (copies-- > 0) {
		memcpy(f->out + f->outlen, p, len);
		f->outlen += len;
	}
	if (raw)
		f->rawpos += len;
}

/* Bytes the protocol cannot frame: one field, the frame marked. */
static void
unframed(struct conn *c, struct flow *f, size_t len)
{
	struct trace_frame tf;

	trace_begin(&tf, c->m->proto->name, f->c2s ? TRACE_SENT : TRACE_RECV,
	    c->m->to, f->in, len);
	tf.fd = c->sfd;
	tf.step = "unframed";
	trace_add(&tf, "bytes", 0, len, TRACE_BYTES);
	trace_bad(&tf, "pk-mitm cannot frame these bytes: forwarded untouched");
	forward(c, f, f->in, len, 1, &tf);
}

/*
 * One cut of the input; returns its length, 0 if it must wait.  Only
 * what fits in the queue with every copy the rules may add is cut.
 */
static size_t
cut_one(struct conn *c, struct flow *f)
{
	size_t used = 0, avail = (MITM_OUT - f->outlen) / c->m->copies;
	enum mitm_cut cut = MITM_BAD;
	struct trace_frame tf;

	if (c->act != NULL && avail < MITM_ACTIVE_MAX)
		return 0; /* what -k writes may be longer: drain first */
	if (avail > f->inlen)
		avail = f->inlen;
	if (!f->raw)
		cut = c->m->proto->cut(&c->dec, f->c2s, f->in, avail, &used);
	if (cut == MITM_MORE && avail < f->inlen)
		return 0; /* the queue must drain first */
	if (cut == MITM_MORE && (f->inlen == MITM_IN || f->eof))
		cut = MITM_BAD; /* it will never be whole */
	if (cut == MITM_MORE)
		return 0;
	if (cut == MITM_BAD) {
		f->raw = 1;
		if (avail > 0)
			unframed(c, f, avail);
		return avail;
	}
	trace_begin(&tf, c->m->proto->name, f->c2s ? TRACE_SENT : TRACE_RECV,
	    c->m->to, f->in, used);
	tf.fd = c->sfd;
	c->m->proto->decode(&c->dec, &tf, f->c2s);
	forward(c, f, f->in, used, cut == MITM_RAW, &tf);
	if (cut == MITM_FRAME)
		*(f->c2s ? &c->dec.c2s_frames : &c->dec.s2c_frames) += 1;
	return used;
}

/* Cuts what it can; returns the bytes cut. */
static size_t
cut_all(struct conn *c, struct flow *f)
{
	size_t used, total = 0;

	while (f->inlen > 0 && (used = cut_one(c, f)) > 0) {
		memmove(f->in, f->in + used, f->inlen - used);
		f->inlen -= used;
		total += used;
	}
	return total;
}

/* Writes what the queue holds; -1 if the peer is gone. */
static int
flush(struct flow *f)
{
	ssize_t n;

	while (f->outlen > 0) {
		n = send(f->to, f->out, f->outlen, MSG_NOSIGNAL);
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1 && errno == EAGAIN)
			break;
		if (n <= 0)
			return -1;
		memmove(f->out, f->out + n, f->outlen - (size_t)n);
		f->outlen -= (size_t)n;
	}
	if (f->outlen == 0 && f->eof && f->inlen == 0 && !f->shut) {
		shutdown(f->to, SHUT_WR);
		f->shut = 1;
	}
	return 0;
}

/* Reads while the input has room and the queue is not backed up. */
static int
can_read(const struct flow *f)
{
	return !f->eof && f->inlen < MITM_IN && f->outlen < MITM_OUT / 2;
}

static void conn_event(struct evloop *, int, void *, int);

/* Sets each fd's events from its flows' state. */
static void
conn_mask(struct conn *c)
{
	struct flow *fl[2] = {&c->up, &c->down};
	int i, want, cur;

	for (i = 0; i < 2; i++) {
		want = can_read(fl[i]) ? EV_READ : EV_NONE;
		if (fl[1 - i]->outlen > 0)
			want |= EV_WRITE;
		cur = ev_mask(c->ev, fl[i]->from);
		if ((cur & ~want) != 0)
			ev_del(c->ev, fl[i]->from, cur & ~want);
		if ((want & ~cur) != 0 &&
		    ev_add(c->ev, fl[i]->from, want & ~cur, conn_event, c) ==
			-1)
			err(2, "epoll");
	}
}

/* Reads from f's source; -1 on an error (not EOF). */
static int
fill(struct flow *f)
{
	ssize_t n;

	if (!can_read(f))
		return 0;
	n = read(f->from, f->in + f->inlen, MITM_IN - f->inlen);
	if (n == -1)
		return errno == EAGAIN || errno == EINTR ? 0 : -1;
	if (n == 0)
		f->eof = 1;
	f->inlen += (size_t)n;
	return 0;
}

static void
conn_event(struct evloop *ev, int fd, void *arg, int mask)
{
	struct conn *c = arg;
	struct flow *in = fd == c->cfd ? &c->up : &c->down;
	struct flow *back = in == &c->up ? &c->down : &c->up;
	size_t moved;

	(void)ev;
	if ((mask & EV_READ) && fill(in) == -1) {
		fprintf(stderr, "pk-mitm: conn %lld: %s: %s\n", c->id,
		    in->c2s ? "client" : c->m->to, strerror(errno));
		conn_close(c);
		return;
	}
	/* Until nothing moves: a queue written makes room for more cuts. */
	do {
		moved = cut_all(c, in) + cut_all(c, back);
		if (flush(in) == -1 || flush(back) == -1) {
			fprintf(stderr, "pk-mitm: conn %lld: write: %s\n",
			    c->id, strerror(errno));
			conn_close(c);
			return;
		}
	} while (moved > 0);
	if (c->up.shut && c->down.shut) {
		conn_close(c);
		return;
	}
	conn_mask(c);
}

static int
nonblock(int fd)
{
	int fl = fcntl(fd, F_GETFL);

	return fl == -1 ? -1 : fcntl(fd, F_SETFL, fl | O_NONBLOCK);
}

/*
 * The connection to --to for a client.  A blocking connect: on loopback
 * it is done (or refused) at once.  -1 with errno set.
 */
static int
dial(const char *to)
{
	struct sockaddr_storage ss;
	socklen_t sslen;
	int fd, one = 1;

	parse_addr(to, &ss, &sslen);
	if ((fd = socket(ss.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0)) == -1)
		return -1;
	if (connect(fd, (struct sockaddr *)&ss, sslen) == -1 ||
	    nonblock(fd) == -1) {
		close(fd);
		return -1;
	}
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	return fd;
}

static void
conn_open(struct evloop *ev, struct mitm *m, int cfd)
{
	struct conn *c;
	int sfd, one = 1;

	if ((sfd = dial(m->to)) == -1) {
		warn("%s", m->to);
		close(cfd);
		return;
	}
	if (sfd >= MITM_FDS) {
		warnx("too many clients: refused one");
		close(sfd);
		close(cfd);
		return;
	}
	setsockopt(cfd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	if ((c = calloc(1, sizeof(*c))) == NULL)
		err(2, "conn");
	c->m = m;
	c->ev = ev;
	c->id = ++conns;
	c->cfd = cfd;
	c->sfd = sfd;
	c->up = (struct flow){.c2s = 1, .from = cfd, .to = sfd};
	c->down.from = sfd;
	c->down.to = cfd;
	if (m->proto->init != NULL)
		m->proto->init(&c->dec);
	if (m->active != NULL &&
	    (c->act = m->proto->active->conn_new(m->active)) == NULL)
		err(2, "conn");
	fprintf(stderr, "pk-mitm: conn %lld: a client, to %s\n", c->id, m->to);
	conn_mask(c);
}

static void
accept_event(struct evloop *ev, int lfd, void *arg, int mask)
{
	int fd;

	(void)mask;
	while ((fd = accept4(lfd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC)) !=
	    -1) {
		if (conns - closed >= MITM_CLIENTS || fd >= MITM_FDS) {
			warnx("too many clients: refused one");
			close(fd);
			continue;
		}
		conn_open(ev, arg, fd);
	}
	if (errno != EAGAIN && errno != EINTR && errno != ECONNABORTED)
		warn("accept");
}

/* Binds HOST:PORT and prints "listening HOST:PORT" (the port it got). */
static int
listen_on(const char *addr)
{
	struct sockaddr_storage ss;
	socklen_t sslen;
	char host[INET6_ADDRSTRLEN];
	int fd, one = 1;

	parse_addr(addr, &ss, &sslen);
	if ((fd = socket(ss.ss_family,
		 SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0)) == -1)
		err(2, "socket");
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(fd, (struct sockaddr *)&ss, sslen) == -1 ||
	    listen(fd, 64) == -1 ||
	    getsockname(fd, (struct sockaddr *)&ss, &sslen) == -1)
		err(2, "%s", addr);
	if (ss.ss_family == AF_INET) {
		struct sockaddr_in *sin = (struct sockaddr_in *)&ss;

		inet_ntop(AF_INET, &sin->sin_addr, host, sizeof(host));
		printf("listening %s:%u\n", host, ntohs(sin->sin_port));
	} else {
		struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)&ss;

		inet_ntop(AF_INET6, &sin6->sin6_addr, host, sizeof(host));
		printf("listening [%s]:%u\n", host, ntohs(sin6->sin6_port));
	}
	if (fflush(stdout) == EOF)
		err(2, "stdout");
	return fd;
}

void
proxy_run(struct mitm *m)
{
	struct sockaddr_storage ss;
	socklen_t sslen;
	struct evloop *ev;
	int lfd;

	parse_addr(m->to, &ss, &sslen); /* a bad --to fails now */
	signal(SIGPIPE, SIG_IGN);
	if ((ev = ev_create(MITM_FDS)) == NULL)
		err(2, "epoll");
	lfd = listen_on(m->listen);
	if (ev_add(ev, lfd, EV_READ, accept_event, m) == -1)
		err(2, "epoll");
	if (ev_run(ev) == -1)
		err(2, "epoll");
	ev_free(ev);
}
