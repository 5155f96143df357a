/*
 * listen: parses SERVICE@HOST:PORT (HOST an IPv4 literal or an IPv6 literal
 * in brackets, PORT 0 for any free port) and opens the listening socket.
 */
#include <sys/socket.h>

#include <arpa/inet.h>
#include <netinet/in.h>

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "num.h"
#include "relay.h"

/* Fills l->ss from a host literal; returns NULL or what is wrong. */
static const char *
listen_host(char *host, int port, struct listener *l)
{
	struct sockaddr_in *sin = (struct sockaddr_in *)&l->ss;
	struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)&l->ss;
	size_t len = strlen(host);

	memset(&l->ss, 0, sizeof(l->ss));
	if (len > 2 && host[0] == '[' && host[len - 1] == ']') {
		host[len - 1] = '\0';
		if (inet_pton(AF_INET6, host + 1, &sin6->sin6_addr) != 1)
			return "bad IPv6 address";
		sin6->sin6_family = AF_INET6;
		sin6->sin6_port = htons((uint16_t)port);
		l->sslen = sizeof(*sin6);
	} else if (inet_pton(AF_INET, host, &sin->sin_addr) == 1) {
		sin->sin_family = AF_INET;
		sin->sin_port = htons((uint16_t)port);
		l->sslen = sizeof(*sin);
	} else
		return "host is not an IPv4 address or a bracketed IPv6 "
		       "address";
	return NULL;
}

/* Returns NULL, or what is wrong with arg. */
const char *
listen_parse(const char *arg, struct listener *l)
{
	char name[64], host[RELAY_ADDR_MAX];
	const char *at, *colon, *errstr;
	size_t len;
	int port;

	l->fd = -1;
	if ((at = strchr(arg, '@')) == NULL ||
	    (colon = strrchr(at, ':')) == NULL)
		return "expected SERVICE@HOST:PORT";
	if ((len = (size_t)(at - arg)) == 0 || len >= sizeof(name))
		return "bad service name";
	memcpy(name, arg, len);
	name[len] = '\0';
	if ((l->svc = service_find(name)) == NULL)
		return "unknown service";
	port = (int)num_parse(colon + 1, 0, 65535, &errstr);
	if (errstr != NULL)
		return errstr[0] == 'i' ? "bad port" : "port out of range";
	if ((len = (size_t)(colon - at - 1)) >= sizeof(host))
		return "bad host";
	memcpy(host, at + 1, len);
	host[len] = '\0';
	return listen_host(host, port, l);
}

/* Returns 0, or -1 with errno set. */
int
listen_open(struct listener *l)
{
	struct sockaddr_storage ss;
	socklen_t sslen = sizeof(ss);
	int one = 1, saved;

	l->fd = socket(
	    l->ss.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (l->fd == -1)
		return -1;
	if (setsockopt(l->fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) ==
		-1 ||
	    (l->ss.ss_family == AF_INET6 &&
		setsockopt(l->fd, IPPROTO_IPV6, IPV6_V6ONLY, &one,
		    sizeof(one)) == -1) ||
	    bind(l->fd, (struct sockaddr *)&l->ss, l->sslen) == -1 ||
	    listen(l->fd, SOMAXCONN) == -1 ||
	    getsockname(l->fd, (struct sockaddr *)&ss, &sslen) == -1) {
		saved = errno;
		close(l->fd);
		l->fd = -1;
		errno = saved;
		return -1;
	}
	addr_format((struct sockaddr *)&ss, l->addr, sizeof(l->addr));
	return 0;
}

/* "a.b.c.d:port" or "[v6]:port". */
void
addr_format(const struct sockaddr *sa, char *buf, size_t size)
{
	char host[INET6_ADDRSTRLEN];
	const struct sockaddr_in *sin = (const struct sockaddr_in *)sa;
	const struct sockaddr_in6 *sin6 = (const struct sockaddr_in6 *)sa;

	if (sa->sa_family == AF_INET6) {
		inet_ntop(AF_INET6, &sin6->sin6_addr, host, sizeof(host));
		snprintf(buf, size, "[%s]:%u", host, ntohs(sin6->sin6_port));
	} else if (sa->sa_family == AF_INET) {
		inet_ntop(AF_INET, &sin->sin_addr, host, sizeof(host));
		snprintf(buf, size, "%s:%u", host, ntohs(sin->sin_port));
	} else
		snprintf(buf, size, "?");
}
