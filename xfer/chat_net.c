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
#include "xfer.h"

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

void
chat_connect(struct chat_client *c)
{
	struct timeval tv = {.tv_sec = c->timeout_ms / 1000};
	int fd, flags;

	fd = dial(c->server, c->timeout_ms);
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
