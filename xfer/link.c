/*
 * link: the framed connection of the ca, keymanager, chat and e2e
 * clients.  Each read waits (xfer/deadline.h) for the time left of one
 * deadline per reply, so a reply trickling in byte by byte still ends on
 * time.  Bytes taken from the buffer are wiped at once; the buffers are
 * held in lib/secrets.h's registry, wiped when closed or at any exit.
 */
#include <netinet/in.h>
#include <netinet/tcp.h>

#include <err.h>
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include "deadline.h"
#include "dial.h"
#include "frame.h"
#include "link.h"
#include "secret.h"
#include "secrets.h"

void
link_open(struct link *l, int fd, const char *name, size_t max, int timeout_ms)
{
	int flags, one = 1;

	memset(l, 0, sizeof(*l));
	l->fd = fd;
	l->name = name;
	l->max = max;
	l->timeout_ms = timeout_ms;
	if ((flags = fcntl(fd, F_GETFL)) == -1 ||
	    fcntl(fd, F_SETFL, flags & ~O_NONBLOCK) == -1)
		err(2, "%s", name);
	(void)setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	if ((l->buf = secrets_alloc(FRAME_HDR + max)) == NULL ||
	    (l->msg = secrets_alloc(max + 1)) == NULL)
		err(2, "%s", name);
}

void
link_connect(struct link *l, const char *addr, size_t max, int timeout_ms)
{
	link_open(l, dial(addr, timeout_ms), addr, max, timeout_ms);
}

void
link_close(struct link *l)
{
	if (l->fd != -1 && close(l->fd) == -1)
		warn("close %s", l->name);
	l->fd = -1;
	secrets_release(l->buf);
	secrets_release(l->msg);
	l->buf = l->msg = NULL;
	l->have = l->len = 0;
}

void
link_wait(struct link *l, int timeout_ms)
{
	l->timeout_ms = timeout_ms;
	l->end = 0;
}

/* recv once by the deadline end; 0 at EOF (a reset is one). */
static size_t
recv_some(struct link *l, uint8_t *p, size_t n, long long end)
{
	ssize_t r;

	if ((r = deadline_recv(l->fd, p, n, end)) >= 0)
		return (size_t)r;
	if (errno == ETIMEDOUT)
		errx(2, "%s: no answer in %d s", l->name, l->timeout_ms / 1000);
	err(2, "recv from %s", l->name);
}

void
link_take(struct link *l, size_t n)
{
	memmove(l->buf, l->buf + n, l->have - n);
	l->have -= n;
	secret_wipe(l->buf + l->have, n);
	l->end = 0;
}

size_t
link_fill(struct link *l)
{
	size_t n;

	if (l->have == FRAME_HDR + l->max)
		errx(2, "%s: input buffer full", l->name);
	/* The reply's deadline runs from the first fill after a take. */
	if (l->end == 0)
		l->end = deadline_in(l->timeout_ms);
	n = recv_some(
	    l, l->buf + l->have, FRAME_HDR + l->max - l->have, l->end);
	l->have += n;
	return n;
}

int
link_next(struct link *l)
{
	long long end = deadline_in(l->timeout_ms);
	const uint8_t *p;
	size_t used, n;
	int rv;

	while ((rv = frame_decode(l->buf, l->have, l->max, &p, &l->len,
		    &used)) == FRAME_NEED_MORE) {
		/* Room is left: a frame needing more fits in the buffer. */
		n = recv_some(
		    l, l->buf + l->have, FRAME_HDR + l->max - l->have, end);
		if (n == 0)
			return 0;
		l->have += n;
	}
	if (rv != FRAME_OK)
		errx(1, "%s: bad frame: %s", l->name, frame_strerror(rv));
	memcpy(l->msg, p, l->len);
	l->msg[l->len] = '\0';
	if (l->trace != NULL)
		l->trace(l->trace_arg, l, TRACE_RECV, l->buf, used, 0);
	link_take(l, used);
	return 1;
}

static _Noreturn void
gone(const struct link *l)
{
	errx(2, "%s: %s", l->name,
	    l->gone != NULL ? l->gone : "connection closed");
}

void
link_read(struct link *l)
{
	if (!link_next(l))
		gone(l);
}

int
link_pending(const struct link *l)
{
	const uint8_t *p;
	size_t plen, used;

	return frame_decode(l->buf, l->have, l->max, &p, &plen, &used) !=
	    FRAME_NEED_MORE;
}

void
link_read_raw(struct link *l, uint8_t *p, size_t len)
{
	long long end = deadline_in(l->timeout_ms);
	size_t n, r;

	/* Bytes that came with the last frame come first. */
	n = l->have < len ? l->have : len;
	memcpy(p, l->buf, n);
	link_take(l, n);
	for (; n < len; n += r)
		if ((r = recv_some(l, p + n, len - n, end)) == 0)
			gone(l);
	if (l->trace != NULL)
		l->trace(l->trace_arg, l, TRACE_RECV, p, len, 1);
}
