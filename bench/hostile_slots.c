/*
 * hostile drip and idle: connections that hold the relay's slots and
 * memory.  drip (issue 12, item 4): each client sends one byte of a chat
 * name frame every GAP_MS, so the idle timeout never fires.  idle (item
 * 6): connections to e2e-upload that send nothing, held, closed (with a
 * reset, leaving no TIME_WAIT behind) and opened again.
 */
#include <sys/socket.h>

#include <netinet/in.h>

#include <arpa/inet.h>
#include <err.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "hostile.h"

#define RETRY_US 100000LL

struct dripper {
	int fd;
	size_t pos; /* bytes sent on this connection */
	long long retry; /* down: when to connect again */
};

static void
drip_down(struct dripper *d, long long now)
{
	if (d->fd != -1)
		close(d->fd);
	d->fd = -1;
	d->retry = now + RETRY_US;
}

static void
drip_up(struct dripper *d)
{
	if ((d->fd = dial(hostile_src(), 1)) == -1)
		return;
	fcntl(d->fd, F_SETFL, O_NONBLOCK);
	d->pos = 0;
}

/* The next byte of a 64-byte name frame, then of another, ... */
static void
drip_one(struct dripper *d, long long now)
{
	static const uint8_t head[4] = {0, 0, 0, 64};
	uint8_t b = d->pos % 68 < 4 ? head[d->pos % 68] : 'a';

	if (send(d->fd, &b, 1, MSG_NOSIGNAL) != 1)
		drip_down(d, now);
	else
		d->pos++;
}

/* Reads what the relay sends; a closed client goes down. */
static void
drip_poll(struct dripper *d, struct pollfd *pf, int m, int ms)
{
	uint8_t junk[4096];
	ssize_t r;
	int i, np = 0;

	for (i = 0; i < m; i++)
		if (d[i].fd != -1) {
			pf[np].fd = d[i].fd;
			pf[np++].events = POLLIN | POLLRDHUP;
		}
	if (poll(pf, (nfds_t)np, ms) <= 0)
		return;
	for (i = 0, np = 0; i < m; i++) {
		if (d[i].fd == -1 || pf[np++].revents == 0)
			continue;
		while ((r = read(d[i].fd, junk, sizeof(junk))) > 0)
			;
		if (r == 0 || (errno != EAGAIN && errno != EINTR) ||
		    (pf[np - 1].revents & (POLLRDHUP | POLLHUP | POLLERR)))
			drip_down(&d[i], now_us());
	}
}

void
run_drip(int m, long gap_ms)
{
	struct dripper *d;
	struct pollfd *pf;
	long long tick, now;
	int i;

	if (m < 1 || (d = calloc((size_t)m, sizeof(*d))) == NULL ||
	    (pf = calloc((size_t)m, sizeof(*pf))) == NULL)
		errx(2, "drip: bad client count");
	for (i = 0; i < m; i++)
		drip_up(&d[i]);
	printf("ready\n");
	tick = now_us();
	while (!hostile_stop) {
		now = now_us();
		for (i = 0; i < m; i++) {
			if (d[i].fd == -1 && now >= d[i].retry)
				drip_up(&d[i]);
			if (d[i].fd == -1)
				d[i].retry = now + RETRY_US;
			else if (now >= tick)
				drip_one(&d[i], now);
		}
		if (now >= tick)
			tick = now + gap_ms * 1000LL;
		now = now_us();
		drip_poll(d, pf, m,
		    (int)((tick - now) / 1000) > 100
			? 100
			: (int)((tick - now) / 1000) + 1);
	}
	for (i = 0; i < m; i++)
		drip_down(&d[i], 0);
	free(d);
	free(pf);
}

/* A non-blocking connection from the hostile address, or -1. */
static int
idle_dial(void)
{
	struct sockaddr_in a = {.sin_family = AF_INET};
	struct linger lg = {1, 0};
	int fd, one = 1;

	if ((fd = socket(
		 AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0)) == -1)
		err(2, "socket");
	setsockopt(fd, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg));
	setsockopt(fd, IPPROTO_IP, IP_BIND_ADDRESS_NO_PORT, &one, sizeof(one));
	if (inet_pton(AF_INET, hostile_src(), &a.sin_addr) != 1 ||
	    bind(fd, (struct sockaddr *)&a, sizeof(a)) == -1)
		err(2, "bind %s", hostile_src());
	if (connect(fd, hostile_peer(), sizeof(a)) == -1 &&
	    errno != EINPROGRESS) {
		close(fd);
		return -1;
	}
	return fd;
}

void
run_idle(int m, long hold_ms)
{
	long long until;
	int *fd, i, first = 1;

	if (m < 1 || (fd = calloc((size_t)m, sizeof(*fd))) == NULL)
		errx(2, "idle: bad client count");
	while (!hostile_stop) {
		for (i = 0; i < m; i++)
			fd[i] = idle_dial();
		if (first)
			printf("ready\n");
		first = 0;
		until = now_us() + hold_ms * 1000LL;
		while (!hostile_stop && now_us() < until)
			nap_ms(50);
		for (i = 0; i < m; i++)
			if (fd[i] != -1)
				close(fd[i]);
	}
	free(fd);
}
