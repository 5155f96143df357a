/*
 * dial: an attack's blocking TCP connection to a live target ("host:port"
 * or "[v6]:port"), with a receive timeout so that a target that never
 * answers ends the attack rather than hanging it, and SIGPIPE ignored.
 */
#include <sys/socket.h>
#include <sys/time.h>

#include <netinet/in.h>
#include <netinet/tcp.h>

#include <err.h>
#include <netdb.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "attack.h"

#define DIAL_TIMEOUT_SEC 10

int
attack_dial(const char *addr)
{
	struct addrinfo hints, *res, *ai;
	struct timeval tv = {DIAL_TIMEOUT_SEC, 0};
	char host[256];
	const char *colon = strrchr(addr, ':');
	size_t hl;
	int fd = -1, one = 1, rv;

	if (colon == NULL || colon == addr ||
	    (hl = colon - addr) >= sizeof(host))
		errx(2, "%s: not host:port", addr);
	if (addr[0] == '[' && colon[-1] == ']')
		memcpy(host, addr + 1, hl -= 2);
	else
		memcpy(host, addr, hl);
	host[hl] = '\0';
	memset(&hints, 0, sizeof(hints));
	hints.ai_socktype = SOCK_STREAM;
	/* A target that closes first is an error on write, not a signal. */
	signal(SIGPIPE, SIG_IGN);
	if ((rv = getaddrinfo(host, colon + 1, &hints, &res)) != 0)
		errx(2, "%s: %s", addr, gai_strerror(rv));
	for (ai = res; ai != NULL; ai = ai->ai_next) {
		fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC,
		    ai->ai_protocol);
		if (fd == -1)
			continue;
		if (connect(fd, ai->ai_addr, ai->ai_addrlen) == 0)
			break;
		close(fd);
		fd = -1;
	}
	freeaddrinfo(res);
	if (fd == -1)
		err(2, "%s", addr);
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	return fd;
}
