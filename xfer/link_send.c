/*
 * link_send: the writing side of a link (frames, raw bytes, each write
 * within one deadline, xfer/deadline.h), its listener and accept, what the
 * last frame says.  Frames are traced by the link's trace hook (link.h).
 */
#include <sys/socket.h>
#include <sys/uio.h>

#include <netinet/in.h>

#include <arpa/inet.h>

#include <err.h>
#include <errno.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "deadline.h"
#include "frame.h"
#include "link.h"
#include "secrets.h"

static _Noreturn void
stalled(const struct link *l)
{
	errx(2, "%s: no progress sending for %d s", l->name,
	    l->timeout_ms / 1000);
}

/* Sends iov within the link's deadline; -1 if the peer has gone. */
static int
sendv(struct link *l, struct iovec *iov, int cnt)
{
	if (deadline_sendv(l->fd, iov, cnt, deadline_in(l->timeout_ms)) == 0)
		return 0;
	if (errno == EPIPE || errno == ECONNRESET)
		return -1;
	if (errno == ETIMEDOUT)
		stalled(l);
	err(2, "send to %s", l->name);
}

/* --trace: the frame as it goes, header and payload in one buffer. */
static void
trace_sent(const struct link *l, const uint8_t *hdr, const void *p, size_t len)
{
	uint8_t *buf;

	if ((buf = secrets_alloc(FRAME_HDR + len)) == NULL)
		err(2, "trace");
	memcpy(buf, hdr, FRAME_HDR);
	memcpy(buf + FRAME_HDR, p, len);
	l->trace(l->trace_arg, l, TRACE_SENT, buf, FRAME_HDR + len, 0);
	secrets_release(buf);
}

int
link_send(struct link *l, const void *p, size_t len)
{
	uint8_t hdr[FRAME_HDR];
	struct iovec iov[2] = {{hdr, FRAME_HDR}, {(void *)p, len}};

	/* No protocol gives an empty frame a meaning (lib/frame.h). */
	if (len == 0 || len > l->max || len > UINT32_MAX) {
		errno = EMSGSIZE;
		err(2, "send to %s", l->name);
	}
	frame_put_header(hdr, (uint32_t)len);
	if (l->trace != NULL)
		trace_sent(l, hdr, p, len);
	return sendv(l, iov, 2);
}

void
link_write(struct link *l, const void *p, size_t len)
{
	if (link_send(l, p, len) == -1)
		err(2, "send to %s", l->name);
}

void
link_says(struct link *l, const char *text)
{
	link_write(l, text, strlen(text));
}

void
link_write_raw(struct link *l, const void *p, size_t len)
{
	struct iovec iov = {(void *)p, len};

	if (l->trace != NULL)
		l->trace(l->trace_arg, l, TRACE_SENT, p, len, 1);
	if (sendv(l, &iov, 1) == -1)
		err(2, "send to %s", l->name);
}

int
link_is(const struct link *l, const char *text)
{
	return l->len == strlen(text) && memcmp(l->msg, text, l->len) == 0;
}

int
link_starts(const struct link *l, const char *text)
{
	size_t n = strlen(text);

	return l->len >= n && memcmp(l->msg, text, n) == 0;
}

int
link_listen(const struct link *near, uint16_t *port)
{
	struct sockaddr_storage ss = {.ss_family = AF_INET};
	struct sockaddr_in *sin = (struct sockaddr_in *)&ss;
	struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)&ss;
	socklen_t len = sizeof(ss);
	int fd;

	if (near == NULL)
		sin->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	else if (getsockname(near->fd, (struct sockaddr *)&ss, &len) == -1)
		err(2, "getsockname");
	if (ss.ss_family == AF_INET)
		sin->sin_port = 0;
	else
		sin6->sin6_port = 0;
	len = ss.ss_family == AF_INET ? sizeof(*sin) : sizeof(*sin6);
	if ((fd = socket(ss.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0)) == -1)
		err(2, "socket");
	if (bind(fd, (struct sockaddr *)&ss, len) == -1 ||
	    listen(fd, 1) == -1 ||
	    getsockname(fd, (struct sockaddr *)&ss, &len) == -1)
		err(2, "listen");
	*port =
	    ntohs(ss.ss_family == AF_INET ? sin->sin_port : sin6->sin6_port);
	return fd;
}

int
link_accept(int lfd, const struct link *watch, int timeout_ms, const char *who)
{
	struct pollfd p[2] = {
	    {.fd = lfd, .events = POLLIN},
	    {.fd = watch != NULL ? watch->fd : -1, .events = POLLIN},
	};
	int fd, n;

	if ((n = deadline_poll(p, 2, deadline_in(timeout_ms))) == -1)
		err(2, "poll");
	if (n == 0)
		errx(2, "no %s connected in %d s (-t)", who, timeout_ms / 1000);
	if (p[0].revents == 0)
		return -1;
	if ((fd = accept4(lfd, NULL, NULL, SOCK_CLOEXEC)) == -1)
		err(2, "accept");
	return fd;
}
