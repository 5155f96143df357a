/*
 * e2e_talk: the interactive client, as the original's: it prints its own
 * address, then one poll waits on stdin and the socket.  Each line of
 * stdin goes out as one block (a line over 190 bytes is refused with a
 * line on stderr, as one block cannot hold it); each block from the
 * server is printed as "Recieved a message from SOURCE: MESSAGE" (the
 * original's spelling), or as is when it is an error text.  "help" lists
 * the commands without sending anything.  "quit" or the end of stdin
 * leaves; the server closing prints the original's "Disconnected from
 * Server. Exiting..." and exits 0, or 1 when it said it dropped us (a
 * block that did not decrypt: the wrong -s key).  An empty block goes
 * out after E2E_KEEPALIVE_MS of silence so the relay's idle timeout spares
 * a quiet client.
 */
#include <sys/socket.h>

#include <arpa/inet.h>
#include <netinet/in.h>

#include <err.h>
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "e2e.h"

struct lines {
	char buf[E2E_LINE_MAX + 1];
	size_t len;
	int skipping; /* the current line is over E2E_LINE_MAX: drop it */
};

/* Prints "This client address: ip:port" from the socket's own address. */
static void
show_address(int fd)
{
	struct sockaddr_storage ss;
	socklen_t len = sizeof(ss);
	char ip[INET6_ADDRSTRLEN];
	const void *a;
	unsigned port;

	if (getsockname(fd, (struct sockaddr *)&ss, &len) == -1)
		err(2, "getsockname");
	if (ss.ss_family == AF_INET6) {
		a = &((struct sockaddr_in6 *)&ss)->sin6_addr;
		port = ntohs(((struct sockaddr_in6 *)&ss)->sin6_port);
	} else {
		a = &((struct sockaddr_in *)&ss)->sin_addr;
		port = ntohs(((struct sockaddr_in *)&ss)->sin_port);
	}
	if (inet_ntop(ss.ss_family, a, ip, sizeof(ip)) == NULL)
		err(2, "inet_ntop");
	printf(ss.ss_family == AF_INET6 ? "This client address: [%s]:%u\n"
					: "This client address: %s:%u\n",
	    ip, port);
	if (fflush(stdout) == EOF)
		err(2, "stdout");
}

static void
received(const uint8_t *text, size_t len)
{
	const uint8_t *src, *msg;
	size_t srclen, msglen;
	char prefix[E2E_BLOCK + 64];

	if (e2e_fwd_parse(text, len, &src, &srclen, &msg, &msglen) == -1) {
		e2e_print("", text, len);
		return;
	}
	snprintf(prefix, sizeof(prefix),
	    "Recieved a message from %.*s: ", (int)srclen, (const char *)src);
	e2e_print(prefix, msg, msglen);
}

/* The commands, as the original's README gives them. */
static const char help_text[] =
    "Commands (each line goes to the server as one RSA block of at most\n"
    "190 bytes):\n"
    "  ip:port/message  send message to the client at ip:port (the address\n"
    "                   it printed as \"This client address\"); message may\n"
    "                   hold ':' and '|' but not '/'\n"
    "  quit             leave (so do Ctrl-D and Ctrl-C)\n"
    "  help             this list (not sent)\n";

static void
help(void)
{
	if (fputs(help_text, stdout) == EOF || fflush(stdout) == EOF)
		err(2, "stdout");
}

/*
 * Sends one line: 1 for quit (sent), -1 if the server has gone, else 0.
 */
static int
send_line(struct e2e_client *c, const char *line, size_t len)
{
	if (len == 0)
		return 0;
	if (strcmp(line, "help") == 0) {
		help();
		return 0;
	}
	if (len > E2E_TEXT_MAX) {
		warnx("message of %zu bytes not sent: at most %d bytes fit in "
		      "one RSA-OAEP-SHA256 block",
		    len, E2E_TEXT_MAX);
		return 0;
	}
	if (e2e_seal(c, line, len) == -1)
		return -1;
	return strcmp(line, E2E_QUIT) == 0;
}

/* Reads stdin and sends its complete lines: as send_line, 1 at EOF too. */
static int
read_stdin(struct e2e_client *c, struct lines *lb)
{
	char *nl;
	ssize_t n;
	size_t len;
	int rv;

	n = read(STDIN_FILENO, lb->buf + lb->len, E2E_LINE_MAX - lb->len);
	if (n == -1 && errno == EINTR)
		return 0;
	if (n == -1)
		err(2, "stdin");
	if (n == 0)
		return 1;
	lb->len += (size_t)n;
	while ((nl = memchr(lb->buf, '\n', lb->len)) != NULL) {
		*nl = '\0';
		len = (size_t)(nl - lb->buf);
		if (len > 0 && lb->buf[len - 1] == '\r')
			lb->buf[--len] = '\0';
		rv = lb->skipping ? 0 : send_line(c, lb->buf, len);
		lb->skipping = 0;
		lb->len -= (size_t)(nl + 1 - lb->buf);
		memmove(lb->buf, nl + 1, lb->len);
		if (rv != 0)
			return rv;
	}
	if (lb->len == E2E_LINE_MAX) {
		if (!lb->skipping)
			warnx("line over %d bytes not sent", E2E_LINE_MAX);
		lb->skipping = 1;
		lb->len = 0;
	}
	return 0;
}

/* The server has closed: 1 if it dropped us, as it said, else 0. */
static int
disconnected(int dropped)
{
	puts("Disconnected from Server. Exiting...");
	if (fflush(stdout) == EOF)
		err(2, "stdout");
	return dropped;
}

int
e2e_talk(const struct e2e_opts *o, const char *server)
{
	static struct e2e_client c;
	static struct lines lb;
	struct pollfd pfd[2] = {
	    {.events = POLLIN}, {.fd = STDIN_FILENO, .events = POLLIN}};
	uint8_t text[E2E_BLOCK];
	size_t len;
	int n, got, rv = 0, dropped = 0;

	e2e_open(&c, o, server);
	show_address(c.net.fd);
	pfd[0].fd = c.net.fd;
	while (rv == 0) {
		while ((n = poll(pfd, 2, E2E_KEEPALIVE_MS)) == -1)
			if (errno != EINTR)
				err(2, "poll");
		if (n == 0 && e2e_seal(&c, "", 0) == -1)
			return disconnected(dropped);
		if (pfd[0].revents != 0) {
			do {
				if ((got = e2e_recv(&c, text, &len)) == -1)
					return disconnected(
					    dropped || c.refused > 0);
				if (got == 1)
					continue; /* refused, said so */
				received(text, len);
				dropped |= e2e_dropped(&c, text, len);
			} while (link_pending(&c.net));
		}
		if (pfd[1].revents != 0 && (rv = read_stdin(&c, &lb)) == -1)
			return disconnected(dropped || c.refused > 0);
	}
	explicit_bzero(&lb, sizeof(lb));
	if (shutdown(c.net.fd, SHUT_WR) == -1)
		err(2, "%s", server);
	link_close(&c.net);
	return c.refused > 0;
}
