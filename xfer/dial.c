/*
 * dial: pk-xfer's one TCP connect, shared by every protocol: "host:port"
 * or "[v6]:port" to a connected socket within one deadline for all the
 * addresses the name has, or death with one line naming the address.
 */
#include <sys/socket.h>

#include <err.h>
#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <string.h>
#include <unistd.h>

#include "deadline.h"
#include "dial.h"

/* Splits addr into host (brackets dropped) and the port after it. */
static const char *
split(const char *addr, char *host, size_t max)
{
	const char *colon = strrchr(addr, ':');
	size_t n;

	if (colon == NULL || colon == addr || colon[1] == '\0')
		errx(2, "%s: not host:port", addr);
	n = (size_t)(colon - addr);
	if (addr[0] == '[' && colon[-1] == ']') {
		addr++;
		n -= 2;
	}
	if (n >= max)
		errx(2, "%s: host too long", addr);
	memcpy(host, addr, n);
	host[n] = '\0';
	return colon + 1;
}

/* Connects a non-blocking fd by the deadline end: 0, or -1 with errno. */
static int
connect_one(int fd, const struct addrinfo *ai, long long end)
{
	struct pollfd p = {.fd = fd, .events = POLLOUT};
	socklen_t len = sizeof(int);
	int soerr = 0, n;

	if (connect(fd, ai->ai_addr, ai->ai_addrlen) == 0)
		return 0;
	if (errno != EINPROGRESS)
		return -1;
	if ((n = deadline_poll(&p, 1, end)) == 0)
		errno = ETIMEDOUT;
	if (n <= 0)
		return -1;
	if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &soerr, &len) == -1)
		return -1;
	errno = soerr;
	return soerr == 0 ? 0 : -1;
}

int
dial(const char *addr, int timeout_ms)
{
	struct addrinfo hints = {.ai_socktype = SOCK_STREAM}, *res, *ai;
	char host[256];
	const char *port;
	long long end = deadline_in(timeout_ms);
	int rv, fd = -1, one = 1, saved = ECONNREFUSED;

	port = split(addr, host, sizeof(host));
	hints.ai_flags = AI_NUMERICSERV;
	if ((rv = getaddrinfo(host, port, &hints, &res)) != 0)
		errx(2, "%s: %s", addr, gai_strerror(rv));
	for (ai = res; ai != NULL; ai = ai->ai_next) {
		fd = socket(ai->ai_family,
		    ai->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC,
		    ai->ai_protocol);
		if (fd != -1 && connect_one(fd, ai, end) == 0)
			break;
		saved = errno;
		if (fd != -1)
			close(fd);
		fd = -1;
	}
	freeaddrinfo(res);
	if (fd == -1) {
		errno = saved;
		err(2, "connect %s", addr);
	}
	(void)setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	return fd;
}
