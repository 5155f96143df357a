/*
 * chat_talk: the conversation after set-up.  One poll waits on stdin and
 * the socket: each complete line of stdin is encrypted (AES-128-CFB8,
 * fresh IV) and sent as "user: text"; each frame from the server is
 * printed behind the local time of its arrival.  "help" lists the
 * commands without sending anything.  Text from peers is
 * shown with control characters replaced, so that nobody can drive
 * another user's terminal.  A keepalive frame goes out after
 * CHAT_KEEPALIVE_MS of silence so the relay's idle timeout spares a
 * quiet user.
 */
#include <sys/socket.h>

#include <err.h>
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <nettle/cfb.h>

#include "chat.h"
#include "frame.h"
#include "rand.h"

struct line_buf {
	char buf[CHAT_TEXT_MAX + 1];
	size_t len;
	int skipping; /* the current line is too long: drop it */
	int eof; /* stdin has ended */
};

static void
stamp(char *out, size_t n)
{
	time_t now = time(NULL);
	struct tm tm;

	if (localtime_r(&now, &tm) == NULL ||
	    strftime(out, n, "%Y-%m-%d %H:%M:%S", &tm) == 0)
		snprintf(out, n, "%lld", (long long)now);
}

void
chat_print(const char *prefix, const uint8_t *text, size_t len)
{
	char ts[32];
	size_t i;

	stamp(ts, sizeof(ts));
	printf("%s %s", ts, prefix);
	for (i = 0; i < len; i++)
		putchar(text[i] < 0x20 || text[i] == 0x7f ? '?' : text[i]);
	putchar('\n');
	if (fflush(stdout) == EOF)
		err(2, "stdout");
}

/* One frame from the server; dies with 1 if it is not a chat frame. */
static void
received(struct chat_client *c, const uint8_t *p, size_t len)
{
	uint8_t iv[CHAT_IV], text[CHAT_TEXT_MAX];
	struct chat_msg m;

	if (c->g->hardened) {
		chatp_received(c, p, len);
		return;
	}
	chat_show(c, TRACE_RECV, CHAT_STEP_TYPED, p, len);
	switch (chat_msg_parse(p, len, &m)) {
	case CHAT_MSG:
		memcpy(iv, m.iv, CHAT_IV);
		cfb8_decrypt(&c->aes, (nettle_cipher_func *)aes128_encrypt,
		    CHAT_IV, iv, m.len, text, m.body);
		chat_print("", text, m.len);
		explicit_bzero(text, m.len);
		return;
	case CHAT_NOTICE:
		chat_print("[+] ", m.body, m.len);
		return;
	}
	errx(1, "%s: not a chat frame from the server", c->server);
}

void
chat_show(struct chat_client *c, enum trace_dir dir, enum chat_step step,
    const uint8_t *p, size_t len)
{
	static uint8_t frame[FRAME_HDR + CHAT_H_FRAME_MAX],
	    plain[CHAT_TEXT_MAX];
	struct trace_frame fr;
	const uint8_t *key = NULL;

	if (c->sink == NULL || len > CHAT_H_FRAME_MAX)
		return;
	if (c->keyed)
		key = c->g->hardened ? c->h.k : c->key;
	frame_put_header(frame, (uint32_t)len);
	memcpy(frame + FRAME_HDR, p, len);
	trace_begin(&fr, "chat", dir, c->server, frame, FRAME_HDR + len);
	fr.fd = c->link.fd;
	chat_trace(&fr, step, key, plain);
	if (c->h.tnext != NULL && fr.bad == NULL)
		chat_trace_next(&fr, c->h.tnext);
	trace_print(c->sink, &fr);
	explicit_bzero(plain, sizeof(plain));
}

int
chat_send(struct chat_client *c, enum chat_step step, const void *p, size_t len)
{
	chat_show(c, TRACE_SENT, step, p, len);
	return link_send(&c->link, p, len);
}

/* The commands, as the original's README gives them. */
static const char help_text[] =
    "Commands:\n"
    "  any other line  sent to everyone else in the room as \"NAME: line\"\n"
    "  EXIT            leave the chat (so does Ctrl-D)\n"
    "  help            this list (not sent)\n"
    "TERMINATE, typed on the server's console, ends the chat for all.\n";

static void
help(void)
{
	if (fputs(help_text, stdout) == EOF || fflush(stdout) == EOF)
		err(2, "stdout");
}

/* Encrypts and sends "user: line"; -1 if the server has gone. */
static int
send_line(struct chat_client *c, const char *line, size_t len)
{
	uint8_t frame[1 + CHAT_IV + CHAT_TEXT_MAX], text[CHAT_TEXT_MAX];
	uint8_t iv[CHAT_IV];
	size_t nlen = strlen(c->name), n;
	int rv;

	if (nlen + 2 + len > CHAT_TEXT_MAX) {
		warnx("line of %zu bytes not sent: over %d with the name", len,
		    CHAT_TEXT_MAX);
		return 0;
	}
	n = nlen + 2 + len;
	memcpy(text, c->name, nlen);
	memcpy(text + nlen, ": ", 2);
	memcpy(text + nlen + 2, line, len);
	if (c->g->hardened) {
		rv = chatp_send_line(c, text, n);
		explicit_bzero(text, n);
		return rv;
	}
	if (rand_fill(iv, CHAT_IV) == -1)
		err(2, "getrandom");
	frame[0] = CHAT_MSG;
	memcpy(frame + 1, iv, CHAT_IV);
	cfb8_encrypt(&c->aes, (nettle_cipher_func *)aes128_encrypt, CHAT_IV, iv,
	    n, frame + 1 + CHAT_IV, text);
	explicit_bzero(text, n);
	rv = chat_send(c, CHAT_STEP_TYPED, frame, 1 + CHAT_IV + n);
	return rv;
}

/*
 * Reads what stdin has and sends each complete line; 1 on EXIT or end of
 * input, -1 if the server has gone, else 0.
 */
static int
read_stdin(struct chat_client *c, struct line_buf *lb)
{
	char *nl, *line;
	ssize_t n;
	size_t len;

	n = read(
	    STDIN_FILENO, lb->buf + lb->len, sizeof(lb->buf) - 1 - lb->len);
	if (n == -1 && errno == EINTR)
		return 0;
	if (n == -1)
		err(2, "stdin");
	if (n == 0 && lb->len > 0 && !lb->skipping) {
		/* The last line lacks its newline: send it as a line. */
		n = 1;
		lb->buf[lb->len] = '\n';
		lb->eof = 1;
	} else if (n == 0)
		return 1;
	lb->len += (size_t)n;
	lb->buf[lb->len] = '\0';
	while ((nl = memchr(lb->buf, '\n', lb->len)) != NULL) {
		*nl = '\0';
		line = lb->buf;
		len = (size_t)(nl - line);
		if (len > 0 && line[len - 1] == '\r')
			line[--len] = '\0';
		if (lb->skipping)
			lb->skipping = 0;
		else if (strcmp(line, "EXIT") == 0)
			return 1;
		else if (strcmp(line, "help") == 0)
			help();
		else if (len > 0 && send_line(c, line, len) == -1)
			return -1;
		lb->len -= (size_t)(nl + 1 - lb->buf);
		memmove(lb->buf, nl + 1, lb->len);
	}
	if (lb->eof)
		return 1;
	if (lb->len == sizeof(lb->buf) - 1) {
		if (!lb->skipping)
			warnx("line over %d bytes not sent", CHAT_TEXT_MAX);
		lb->skipping = 1;
		lb->len = 0;
	}
	return 0;
}

static int
gone(struct chat_client *c)
{
	warnx("the server closed the chat");
	link_close(&c->link);
	return 0;
}

int
chat_talk(struct chat_client *c)
{
	static struct line_buf lb;
	struct pollfd pfd[2] = {{.fd = c->link.fd, .events = POLLIN},
	    {.fd = STDIN_FILENO, .events = POLLIN}};
	int n, rv;
	uint8_t ping = CHAT_PING;
	enum chat_step up = c->g->hardened ? CHAT_STEP_H_UP : CHAT_STEP_TYPED;

	for (;;) {
		while ((n = poll(pfd, 2, CHAT_KEEPALIVE_MS)) == -1)
			if (errno != EINTR)
				err(2, "poll");
		if (n == 0 && chat_send(c, up, &ping, 1) == -1)
			return gone(c);
		if (pfd[0].revents != 0) {
			do {
				if (!link_next(&c->link))
					return gone(c);
				received(c, c->link.msg, c->link.len);
			} while (link_pending(&c->link));
		}
		if (pfd[1].revents != 0) {
			if ((rv = read_stdin(c, &lb)) == -1)
				return gone(c);
			if (rv == 1)
				break;
		}
	}
	explicit_bzero(&lb, sizeof(lb));
	if (shutdown(c->link.fd, SHUT_WR) == -1)
		err(2, "%s", c->server);
	link_close(&c->link);
	fputs("[+] left the chat\n", stderr);
	return 0;
}
