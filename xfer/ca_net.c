/*
 * ca_net: blocking sockets whose every wait is bounded by -t (SO_RCVTIMEO
 * and SO_SNDTIMEO), carrying lib/frame.h frames of at
 * most CA_FRAME_MAX bytes.  Failures die with exit 2, naming the peer.
 */
#include <sys/socket.h>
#include <sys/time.h>

#include <netinet/in.h>

#include <arpa/inet.h>

#include <err.h>
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include "ca.h"
#include "xfer.h"

void
ca_link_fd(struct ca_link *l, int fd, const char *name, int timeout)
{
	struct timeval tv = {.tv_sec = timeout};
	int flags;

	memset(l, 0, sizeof(*l));
	l->fd = fd;
	l->name = name;
	if ((flags = fcntl(fd, F_GETFL)) == -1 ||
	    fcntl(fd, F_SETFL, flags & ~O_NONBLOCK) == -1 ||
	    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)) == -1 ||
	    setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv)) == -1)
		err(2, "%s", name);
}

void
ca_link_connect(struct ca_link *l, const char *addr, int timeout)
{
	ca_link_fd(l, dial(addr, timeout * 1000), addr, timeout);
}

void
ca_link_close(struct ca_link *l)
{
	if (l->fd != -1 && close(l->fd) == -1)
		warn("close %s", l->name);
	l->fd = -1;
	secret_wipe(l->msg, sizeof(l->msg));
}

size_t
ca_fill(struct ca_link *l)
{
	ssize_t r;

	if (l->have == sizeof(l->buf))
		errx(2, "%s: input buffer full", l->name);
	while ((r = recv(l->fd, l->buf + l->have, sizeof(l->buf) - l->have,
		    0)) == -1 &&
	    errno == EINTR)
		;
	if (r == -1 && (errno == EAGAIN || errno == EWOULDBLOCK))
		errx(2, "%s: no answer in time (-t)", l->name);
	if (r == -1 && errno != ECONNRESET)
		err(2, "recv from %s", l->name);
	if (r <= 0)
		return 0;
	l->have += (size_t)r;
	return (size_t)r;
}

int
ca_next(struct ca_link *l)
{
	const uint8_t *p;
	size_t used;
	int rv;

	while ((rv = frame_decode(l->buf, l->have, CA_FRAME_MAX, &p, &l->len,
		    &used)) == FRAME_NEED_MORE)
		if (ca_fill(l) == 0)
			return 0;
	if (rv != FRAME_OK)
		errx(2, "%s: bad frame: %s", l->name, frame_strerror(rv));
	memcpy(l->msg, p, l->len);
	l->msg[l->len] = '\0';
	memmove(l->buf, l->buf + used, l->have - used);
	l->have -= used;
	secret_wipe(l->buf + l->have, used);
	return 1;
}

void
ca_read(struct ca_link *l)
{
	if (!ca_next(l))
		errx(2, "%s: connection closed", l->name);
}

void
ca_write(struct ca_link *l, const void *buf, size_t len)
{
	if (frame_write(l->fd, buf, len, CA_FRAME_MAX) == -1) {
		if (errno == EAGAIN || errno == EWOULDBLOCK)
			errx(2, "%s: no progress sending (-t)", l->name);
		err(2, "send to %s", l->name);
	}
}

void
ca_says(struct ca_link *l, const char *text)
{
	ca_write(l, text, strlen(text));
}

int
ca_is(const struct ca_link *l, const char *text)
{
	return l->len == strlen(text) && memcmp(l->msg, text, l->len) == 0;
}

int
ca_is_cert(const struct ca_link *l)
{
	static const char begin[] = "-----BEGIN CERTIFICATE-----";

	return l->len >= sizeof(begin) - 1 &&
	    memcmp(l->msg, begin, sizeof(begin) - 1) == 0;
}

int
ca_listen(uint16_t *port)
{
	struct sockaddr_in sin = {.sin_family = AF_INET};
	socklen_t len = sizeof(sin);
	int fd;

	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if ((fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0)) == -1)
		err(2, "socket");
	if (bind(fd, (struct sockaddr *)&sin, len) == -1 ||
	    listen(fd, 1) == -1 ||
	    getsockname(fd, (struct sockaddr *)&sin, &len) == -1)
		err(2, "listen on 127.0.0.1");
	*port = ntohs(sin.sin_port);
	return fd;
}
