/*
 * hostile normal: the students' echo clients of bench/hostile.sh, on one
 * thread with poll and non-blocking sockets (see hostile.c for the mode).
 */
#include <sys/socket.h>

#include <netinet/in.h>
#include <netinet/tcp.h>

#include <err.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "hostile.h"

#define MSG 64
#define RETRY_US 100000LL

enum { DOWN, CONNECTING, UP };

struct nclient {
	int fd, state, sent;
	size_t got;
	long long want; /* when the round trip under way was due; 0: none */
	long long next; /* when the next one is due */
	long long retry; /* DOWN: when to connect again */
};

static long long *rtt;
static size_t nrtt, rttcap;
static long closed;

static void
record(long long us)
{
	if (nrtt == rttcap) {
		rttcap = rttcap ? 2 * rttcap : 4096;
		if ((rtt = realloc(rtt, rttcap * sizeof(*rtt))) == NULL)
			err(2, NULL);
	}
	rtt[nrtt++] = us;
}

static void
fail(struct nclient *c, long long now)
{
	if (c->fd != -1)
		close(c->fd);
	c->fd = -1;
	c->state = DOWN;
	c->sent = 0;
	c->got = 0;
	c->retry = now + RETRY_US;
	closed++;
}

/* A non-blocking socket connecting to the peer, or -1. */
static int
dial_nb(void)
{
	int fd, one = 1;

	if ((fd = socket(
		 AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0)) == -1)
		err(2, "socket");
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	if (connect(fd, hostile_peer(), sizeof(struct sockaddr_in)) == -1 &&
	    errno != EINPROGRESS) {
		close(fd);
		return -1;
	}
	return fd;
}

static void
start(struct nclient *c, long long now)
{
	if ((c->fd = dial_nb()) == -1) {
		fail(c, now);
		return;
	}
	c->state = CONNECTING;
}

static void
step(struct nclient *c, long long now, long long end, long long period)
{
	static const uint8_t msg[MSG] = "hostile.sh: a student's echo";

	if (c->want == 0 && now < end && now >= c->next) {
		c->want = c->next;
		c->next += period;
		if (c->next < now)
			c->next = now + period;
	}
	if (c->state == DOWN && now >= c->retry && c->want != 0)
		start(c, now);
	if (c->state == UP && c->want != 0 && !c->sent) {
		if (send(c->fd, msg, MSG, MSG_NOSIGNAL) != MSG)
			fail(c, now);
		else
			c->sent = 1;
	}
}

static void
on_event(struct nclient *c, long long now)
{
	uint8_t buf[4096];
	socklen_t sl = sizeof(int);
	int e = 0;
	ssize_t r;

	if (c->state == CONNECTING) {
		if (getsockopt(c->fd, SOL_SOCKET, SO_ERROR, &e, &sl) == -1 ||
		    e != 0)
			fail(c, now);
		else
			c->state = UP;
		return;
	}
	while ((r = read(c->fd, buf, sizeof(buf))) > 0)
		c->got += (size_t)r;
	if (r == 0 || (errno != EAGAIN && errno != EINTR)) {
		fail(c, now);
		return;
	}
	if (c->sent && c->got >= MSG) {
		record(now - c->want);
		c->want = 0;
		c->sent = 0;
		c->got = 0;
	}
}

static int
cmp_ll(const void *a, const void *b)
{
	long long x = *(const long long *)a, y = *(const long long *)b;

	return (x > y) - (x < y);
}

static void
report(struct nclient *cl, int n, long long now)
{
	long long worst = 0;
	int i, unanswered = 0;

	qsort(rtt, nrtt, sizeof(*rtt), cmp_ll);
	if (nrtt > 0)
		worst = rtt[nrtt - 1];
	for (i = 0; i < n; i++)
		if (cl[i].want != 0) {
			unanswered++;
			if (now - cl[i].want > worst)
				worst = now - cl[i].want;
		}
	printf("n %zu median_us %lld p99_us %lld worst_us %lld unanswered %d "
	       "closed %ld\n",
	    nrtt, nrtt ? rtt[nrtt / 2] : 0, nrtt ? rtt[nrtt * 99 / 100] : 0,
	    worst, unanswered, closed);
}

/* The next time anything is due, at most 50 ms ahead. */
static long long
next_due(struct nclient *cl, int n, long long now, long long end)
{
	long long t = now + 50000;
	int i;

	for (i = 0; i < n; i++) {
		if (cl[i].want == 0 && cl[i].next < t && cl[i].next < end)
			t = cl[i].next;
		if (cl[i].state == DOWN && cl[i].want != 0 && cl[i].retry < t)
			t = cl[i].retry;
	}
	return t < now ? now : t;
}

void
run_normal(int n, double seconds, long period_ms, double drain_s)
{
	struct nclient *cl;
	struct pollfd *pf;
	long long t0 = now_us(), now, end, stop, period = period_ms * 1000LL;
	int i, busy, np;

	if (n < 1 || (cl = calloc((size_t)n, sizeof(*cl))) == NULL ||
	    (pf = calloc((size_t)n, sizeof(*pf))) == NULL)
		errx(2, "normal: bad client count");
	end = t0 + (long long)(seconds * 1e6);
	stop = end + (long long)(drain_s * 1e6);
	for (i = 0; i < n; i++) {
		cl[i].fd = -1;
		cl[i].next = t0 + period * i / n; /* spread over a period */
	}
	while (!hostile_stop && (now = now_us()) < stop) {
		for (i = 0, busy = 0; i < n; i++) {
			step(&cl[i], now, end, period);
			busy += cl[i].want != 0;
		}
		if (now >= end && busy == 0)
			break;
		for (i = 0, np = 0; i < n; i++)
			if (cl[i].state != DOWN) {
				pf[np].fd = cl[i].fd;
				pf[np].events = cl[i].state == CONNECTING
				    ? POLLOUT
				    : POLLIN;
				pf[np++].revents = 0;
			}
		if (poll(pf, (nfds_t)np,
			(int)((next_due(cl, n, now, end) - now + 999) /
			    1000)) == -1) {
			if (errno == EINTR)
				continue;
			err(2, "poll");
		}
		now = now_us();
		for (i = 0, np = 0; i < n; i++)
			if (cl[i].state != DOWN && pf[np++].revents != 0)
				on_event(&cl[i], now);
	}
	report(cl, n, now_us());
	for (i = 0; i < n; i++)
		if (cl[i].fd != -1)
			close(cl[i].fd);
	free(cl);
	free(pf);
	free(rtt);
}
