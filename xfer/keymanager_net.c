/*
 * keymanager_net: blocking sockets whose every wait is bounded by -t
 * (SO_RCVTIMEO, SO_SNDTIMEO, which also bound connect, and poll for
 * accept), carrying lib/frame.h frames of at most KM_FRAME_MAX bytes, or
 * raw bytes for the ciphertext.  A wait on a person (a sender to come, an
 * answer to be typed) may be made unbounded with km_link_wait.  Failures
 * die with exit 2, naming the peer.
 */
#include <sys/socket.h>
#include <sys/time.h>

#include <netinet/in.h>
#include <netinet/tcp.h>

#include <arpa/inet.h>

#include <err.h>
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "keymanager.h"
#include "secret.h"
#include "xfer.h"

static void
set_timeouts(int fd, int timeout)
{
	struct timeval tv = {.tv_sec = timeout};
	int one = 1;

	if (setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)) == -1 ||
	    setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv)) == -1)
		err(2, "setsockopt");
	(void)setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
}

void
km_link_fd(struct km_link *l, int fd, const char *name, int timeout)
{
	memset(l, 0, sizeof(*l));
	l->fd = fd;
	l->name = name;
	set_timeouts(fd, timeout);
}

void
km_link_wait(struct km_link *l, int timeout)
{
	struct timeval tv = {.tv_sec = timeout};

	if (setsockopt(l->fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)) == -1)
		err(2, "setsockopt");
}

void
km_link_connect(struct km_link *l, const char *addr, int timeout)
{
	int fd, flags;

	fd = dial(addr, timeout * 1000);
	/* Blocking: every wait is bounded by the socket timeouts. */
	if ((flags = fcntl(fd, F_GETFL)) == -1 ||
	    fcntl(fd, F_SETFL, flags & ~O_NONBLOCK) == -1)
		err(2, "%s", addr);
	km_link_fd(l, fd, addr, timeout);
}

void
km_link_close(struct km_link *l)
{
	if (l->fd != -1 && close(l->fd) == -1)
		warn("close %s", l->name);
	l->fd = -1;
}

/* recv once into buf; dies on timeout, error or EOF. */
static size_t
recv_some(struct km_link *l, uint8_t *buf, size_t n)
{
	ssize_t r;

	while ((r = recv(l->fd, buf, n, 0)) == -1 && errno == EINTR)
		;
	if (r == 0 && l->relay)
		errx(2,
		    "%s: the key manager closed the connection (see the "
		    "relay's log)",
		    l->name);
	if (r == 0)
		errx(2, "%s: connection closed", l->name);
	if (r == -1 && (errno == EAGAIN || errno == EWOULDBLOCK))
		errx(2, "%s: no answer in time (-t)", l->name);
	if (r == -1)
		err(2, "recv from %s", l->name);
	return (size_t)r;
}

void
km_read(struct km_link *l)
{
	const uint8_t *p;
	size_t used;
	int rv;

	for (;;) {
		rv = frame_decode(
		    l->buf, l->have, KM_FRAME_MAX, &p, &l->len, &used);
		if (rv == FRAME_OK)
			break;
		if (rv != FRAME_NEED_MORE)
			errx(2, "%s: bad frame: %s", l->name,
			    frame_strerror(rv));
		l->have +=
		    recv_some(l, l->buf + l->have, sizeof(l->buf) - l->have);
	}
	memcpy(l->msg, p, l->len);
	l->msg[l->len] = '\0';
	memmove(l->buf, l->buf + used, l->have - used);
	l->have -= used;
}

void
km_read_block(struct km_link *l, uint8_t *out, size_t want)
{
	km_read(l);
	if (l->len != want && km_is(l, KM_PEER_ERROR))
		errx(1, "%s: %s", l->name, (const char *)l->msg);
	if (l->len != want)
		errx(2, "%s: expected %zu bytes, got \"%.80s\"", l->name, want,
		    (const char *)l->msg);
	memcpy(out, l->msg, want);
	secret_wipe(l->msg, want);
}

int
km_is(const struct km_link *l, const char *word)
{
	size_t n = strlen(word);

	return l->len >= n && memcmp(l->msg, word, n) == 0;
}

void
km_write(struct km_link *l, const void *buf, size_t len)
{
	if (frame_write(l->fd, buf, len, KM_FRAME_MAX) == -1) {
		if (errno == EAGAIN || errno == EWOULDBLOCK)
			errx(2, "%s: no progress sending (-t)", l->name);
		err(2, "send to %s", l->name);
	}
}

void
km_says(struct km_link *l, const char *text)
{
	km_write(l, text, strlen(text));
}

void
km_raw_read(struct km_link *l, uint8_t *buf, size_t len)
{
	size_t n;

	/* Bytes that came with the last frame come first. */
	n = l->have < len ? l->have : len;
	memcpy(buf, l->buf, n);
	memmove(l->buf, l->buf + n, l->have - n);
	l->have -= n;
	while (n < len)
		n += recv_some(l, buf + n, len - n);
}

void
km_raw_write(struct km_link *l, const void *buf, size_t len)
{
	const uint8_t *p = buf;
	ssize_t r;

	while (len > 0) {
		r = send(l->fd, p, len, MSG_NOSIGNAL);
		if (r == -1 && errno == EINTR)
			continue;
		if (r == -1 && (errno == EAGAIN || errno == EWOULDBLOCK))
			errx(2, "%s: no progress sending (-t)", l->name);
		if (r == -1)
			err(2, "send to %s", l->name);
		p += r;
		len -= (size_t)r;
	}
}

int
km_listen(const struct km_link *km, uint16_t *port)
{
	struct sockaddr_storage ss;
	socklen_t len = sizeof(ss);
	int fd;

	/* The address the key manager sees us at: it passes it on. */
	if (getsockname(km->fd, (struct sockaddr *)&ss, &len) == -1)
		err(2, "getsockname");
	if (ss.ss_family == AF_INET)
		((struct sockaddr_in *)&ss)->sin_port = 0;
	else
		((struct sockaddr_in6 *)&ss)->sin6_port = 0;
	if ((fd = socket(ss.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0)) == -1)
		err(2, "socket");
	if (bind(fd, (struct sockaddr *)&ss, len) == -1 ||
	    listen(fd, 1) == -1 ||
	    getsockname(fd, (struct sockaddr *)&ss, &len) == -1)
		err(2, "listen");
	*port = ntohs(ss.ss_family == AF_INET
		? ((struct sockaddr_in *)&ss)->sin_port
		: ((struct sockaddr_in6 *)&ss)->sin6_port);
	return fd;
}

int
km_accept(int lfd, struct km_link *km, int timeout)
{
	struct pollfd p[2] = {
	    {.fd = lfd, .events = POLLIN},
	    {.fd = km->fd, .events = POLLIN},
	};
	int fd, n;

	/* The key manager speaks only if the sender left: say so, give up. */
	while ((n = poll(p, 2, timeout > 0 ? timeout * 1000 : -1)) == -1)
		if (errno != EINTR)
			err(2, "poll");
	if (n == 0)
		errx(2, "no sender connected in %d s (-t)", timeout);
	if (p[0].revents == 0) {
		km_read(km);
		km_show(km);
		return -1;
	}
	if ((fd = accept4(lfd, NULL, NULL, SOCK_CLOEXEC)) == -1)
		err(2, "accept");
	return fd;
}
