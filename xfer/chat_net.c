/*
 * chat_net: the client end of one chat connection: connect with a
 * timeout, then frames (lib/frame.h) written whole with a send timeout
 * and read through a buffer with poll, so that every set-up wait is
 * bounded.  --trace dumps each frame on stderr.
 */
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/types.h>

#include <err.h>
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "chat.h"
#include "hex.h"

#define TRACE_BYTES 512 /* bytes shown per frame */

void
chat_trace(const char *dir, const char *what, const uint8_t *p, size_t len)
{
	char hex[2 * TRACE_BYTES + 1];
	size_t n = len < TRACE_BYTES ? len : TRACE_BYTES;

	hex_encode(p, n, hex);
	hex[2 * n] = '\0';
	fprintf(stderr, "%s %s (%zu bytes): %s%s\n", dir, what, len, hex,
	    n < len ? "..." : "");
}

static void
split(const char *server, char *host, size_t max, const char **port)
{
	const char *colon = strrchr(server, ':');
	size_t n;

	if (colon == NULL || colon == server || colon[1] == '\0')
		errx(2, "%s: not host:port", server);
	n = (size_t)(colon - server);
	if (server[0] == '[' && colon[-1] == ']') {
		server++;
		n -= 2;
	}
	if (n >= max)
		errx(2, "%s: host too long", server);
	memcpy(host, server, n);
	host[n] = '\0';
	*port = colon + 1;
}

/* Connects fd to ai within timeout_ms; 0 or -1 with errno set. */
static int
connect_one(int fd, const struct addrinfo *ai, int timeout_ms)
{
	struct pollfd p = {.fd = fd, .events = POLLOUT};
	socklen_t len = sizeof(int);
	int soerr = 0, n;

	if (connect(fd, ai->ai_addr, ai->ai_addrlen) == 0)
		return 0;
	if (errno != EINPROGRESS)
		return -1;
	while ((n = poll(&p, 1, timeout_ms)) == -1 && errno == EINTR)
		;
	if (n == 0)
		errno = ETIMEDOUT;
	if (n <= 0)
		return -1;
	if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &soerr, &len) == -1)
		return -1;
	errno = soerr;
	return soerr == 0 ? 0 : -1;
}

void
chat_connect(struct chat_client *c)
{
	struct addrinfo hints = {.ai_socktype = SOCK_STREAM}, *res, *ai;
	struct timeval tv = {.tv_sec = c->timeout_ms / 1000};
	char host[256];
	const char *port;
	int rv, fd = -1, flags;

	split(c->server, host, sizeof(host), &port);
	if ((rv = getaddrinfo(host, port, &hints, &res)) != 0)
		errx(2, "%s: %s", c->server, gai_strerror(rv));
	for (ai = res; ai != NULL; ai = ai->ai_next) {
		fd = socket(ai->ai_family,
		    ai->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC,
		    ai->ai_protocol);
		if (fd != -1 && connect_one(fd, ai, c->timeout_ms) == 0)
			break;
		rv = errno;
		if (fd != -1)
			close(fd);
		fd = -1;
		errno = rv;
	}
	freeaddrinfo(res);
	if (fd == -1)
		err(2, "%s", c->server);
	/* Blocking from now on: reads go through poll, writes time out. */
	if ((flags = fcntl(fd, F_GETFL)) == -1 ||
	    fcntl(fd, F_SETFL, flags & ~O_NONBLOCK) == -1 ||
	    setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv)) == -1)
		err(2, "%s", c->server);
	c->fd = fd;
}

int
chat_send(struct chat_client *c, const char *what, const void *p, size_t len)
{
	if (c->trace)
		chat_trace(">>>", what, p, len);
	if (frame_write(c->fd, p, len, CHAT_FRAME_MAX) == 0)
		return 0;
	if (errno == EPIPE || errno == ECONNRESET)
		return -1;
	if (errno == EAGAIN || errno == EWOULDBLOCK)
		errx(2, "%s: the server stopped reading for %d s", c->server,
		    c->timeout_ms / 1000);
	err(2, "%s", c->server);
}

int
chat_pending(const struct chat_client *c)
{
	const uint8_t *p;
	size_t plen, used;

	return frame_decode(c->in + c->used, c->inlen - c->used, CHAT_FRAME_MAX,
		   &p, &plen, &used) != FRAME_NEED_MORE;
}

const uint8_t *
chat_recv(struct chat_client *c, int timeout_ms, size_t *len)
{
	struct pollfd pfd = {.fd = c->fd, .events = POLLIN};
	const uint8_t *p;
	size_t used;
	ssize_t n;
	int rv;

	memmove(c->in, c->in + c->used, c->inlen - c->used);
	c->inlen -= c->used;
	c->used = 0;
	while ((rv = frame_decode(c->in, c->inlen, CHAT_FRAME_MAX, &p, len,
		    &used)) == FRAME_NEED_MORE) {
		while ((rv = poll(&pfd, 1, timeout_ms)) == -1)
			if (errno != EINTR)
				err(2, "poll");
		if (rv == 0)
			errx(2, "%s: no answer in %d s", c->server,
			    timeout_ms / 1000);
		n = read(c->fd, c->in + c->inlen, sizeof(c->in) - c->inlen);
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1 && errno != ECONNRESET)
			err(2, "%s", c->server);
		if (n <= 0)
			return NULL;
		c->inlen += (size_t)n;
	}
	if (rv != FRAME_OK)
		errx(1, "%s: %s", c->server, frame_strerror(rv));
	c->used = used;
	return p;
}
