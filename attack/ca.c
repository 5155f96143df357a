/*
 * ca: the ca attacks' side of the CA's dialog (attack/ca.h): frames read
 * a piece at a time into one buffer per connection, the sign-in with the
 * original's prompts, a request, and word lists.
 */
#include <err.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "ca.h"
#include "io.h"
#include "secret.h"

void
ca_open(struct ca_conn *c, const char *addr)
{
	c->addr = addr;
	c->have = c->len = 0;
	c->msg[0] = '\0';
	c->fd = attack_dial(addr);
}

void
ca_close(struct ca_conn *c)
{
	if (c->fd != -1)
		close(c->fd);
	c->fd = -1;
}

size_t
ca_pull(struct ca_conn *c)
{
	ssize_t n;

	do
		n = read(c->fd, c->in + c->have, sizeof(c->in) - c->have);
	while (n == -1 && errno == EINTR);
	if (n == -1 && (errno == EAGAIN || errno == EWOULDBLOCK))
		errx(2, "%s: no answer in 10 s", c->addr);
	if (n == -1 && errno == ECONNRESET)
		n = 0;
	if (n == -1)
		err(2, "%s", c->addr);
	c->have += (size_t)n;
	return (size_t)n;
}

int
ca_frame(struct ca_conn *c)
{
	const uint8_t *p;
	size_t used;
	int rv;

	rv = frame_decode(c->in, c->have, CA_FRAME_MAX, &p, &c->len, &used);
	if (rv == FRAME_NEED_MORE)
		return 0;
	if (rv != FRAME_OK)
		errx(2, "%s: %s", c->addr, frame_strerror(rv));
	memcpy(c->msg, p, c->len);
	c->msg[c->len] = '\0';
	memmove(c->in, c->in + used, c->have - used);
	c->have -= used;
	return 1;
}

int
ca_next(struct ca_conn *c)
{
	while (!ca_frame(c))
		if (ca_pull(c) == 0)
			return -1;
	return 0;
}

void
ca_expect(struct ca_conn *c, const char *what)
{
	if (ca_next(c) == -1)
		errx(2, "%s: closed before %s", c->addr, what);
}

void
ca_send(struct ca_conn *c, const void *p, size_t len)
{
	uint8_t hdr[FRAME_HDR];

	frame_put_header(hdr, (uint32_t)len);
	if (io_writeall(c->fd, hdr, sizeof(hdr)) != sizeof(hdr) ||
	    io_writeall(c->fd, p, len) != (ssize_t)len)
		err(2, "%s", c->addr);
}

int
ca_is(const struct ca_conn *c, const char *s)
{
	return c->len == strlen(s) && memcmp(c->msg, s, c->len) == 0;
}

int
ca_starts(const struct ca_conn *c, const char *s)
{
	return c->len >= strlen(s) && memcmp(c->msg, s, strlen(s)) == 0;
}

int
ca_send_name(struct ca_conn *c, const char *name)
{
	char line[sizeof(CA_H_LOGIN) + CA_NAME_MAX];
	size_t m = strlen(CA_H_MARK);
	int hardened =
	    c->len >= m && memcmp(c->msg + c->len - m, CA_H_MARK, m) == 0;

	snprintf(line, sizeof(line), "%s%s", hardened ? CA_H_LOGIN : "", name);
	ca_send(c, line, strlen(line));
	return hardened;
}

int
ca_signin(
    struct ca_conn *c, const char *user, const uint8_t *pass, size_t passlen)
{
	ca_expect(c, "the user name prompt");
	(void)ca_send_name(c, user);
	ca_expect(c, "the answer to the user name");
	if (ca_is(c, CA_ASK_PASS)) {
		ca_send(c, pass, passlen);
		if (ca_next(c) == 0 && ca_is(c, CA_WELCOME))
			return 0;
	}
	attack_progress("%s: not signed in: \"%.80s\"", user, c->msg);
	return 1;
}

int
ca_ask(struct ca_conn *c, enum ca_op op, const char *user, const void *body,
    size_t len)
{
	static uint8_t req[CA_FRAME_MAX];
	size_t n;

	if (ca_req_format(op, user, body, len, req, sizeof(req), &n) == -1)
		errx(2, "%s: a %s request too long", c->addr, ca_op_name(op));
	ca_send(c, req, n);
	return ca_next(c);
}

size_t
ca_pass_file(const char *path, uint8_t *pass, size_t max)
{
	struct secret_src src = SECRET_SRC_INIT;
	size_t len;

	src.file = path;
	if (secret_passphrase(&src, NULL, pass, max, &len) == -1)
		err(2, "%s", path);
	return len;
}

/* Splits buf into its non-empty lines (at most CA_PASS_MAX bytes each). */
static void
split(struct ca_words *l, const char *path, int names)
{
	char *p = l->buf, *nl, name[CA_NAME_MAX + 1];
	size_t line = 0, len;
	int last = 0;

	for (; !last && *p != '\0'; p = nl + 1) {
		line++;
		if ((nl = strchr(p, '\n')) == NULL)
			nl = p + strlen(p);
		last = *nl == '\0';
		len = (size_t)(nl - p);
		if (len > 0 && p[len - 1] == '\r')
			len--;
		p[len] = '\0';
		if (len == 0)
			continue;
		if (len > CA_PASS_MAX ||
		    (names && ca_name_parse((uint8_t *)p, len, name) == -1))
			errx(2, "%s:%zu: not a %s", path, line,
			    names ? "user name" : "password (1 to 1024 bytes)");
		l->w[l->n++] = p;
	}
}

void
ca_words_read(struct ca_words *l, const char *path, int names)
{
	size_t len, i, lines = 1;

	l->buf = (char *)attack_slurp(path, CA_WORDS_MAX, &len);
	if (memchr(l->buf, '\0', len) != NULL)
		errx(2, "%s: a NUL byte: not a word list", path);
	for (i = 0; i < len; i++)
		lines += l->buf[i] == '\n';
	if ((l->w = calloc(lines, sizeof(*l->w))) == NULL)
		err(2, NULL);
	l->n = 0;
	split(l, path, names);
}

void
ca_words_free(struct ca_words *l)
{
	free(l->buf);
	free(l->w);
}

int
ca_who_option(struct ca_who *w, int ch, const char *arg)
{
	if (ch == 'u' && !x509_cn_safe(arg))
		errx(2, "-u %s: not a user name", arg);
	if (ch == 'u')
		w->user = arg;
	else if (ch == 'P')
		w->passlen = ca_pass_file(arg, w->pass, sizeof(w->pass));
	else
		return -1;
	return 0;
}

void
ca_who_signin(const struct ca_who *w, struct ca_conn *c)
{
	ca_open(c, w->addr);
	if (ca_signin(c, w->user, w->pass, w->passlen) != 0)
		errx(2, "%s: cannot sign in as %s", w->addr, w->user);
}

int
ca_fetch(const struct ca_who *w, const char *id, uint8_t *der, size_t *derlen)
{
	static struct ca_conn c;
	int rv = 1;

	ca_who_signin(w, &c);
	if (ca_ask(&c, CA_CERTREQ, w->user, id, strlen(id)) == -1)
		attack_progress("CERTREQ %s: the CA closed the connection", id);
	else if (x509_der_from_text((uint8_t *)c.msg, c.len, 0, der,
		     X509_DER_MAX, derlen) != X509_OK)
		attack_progress("CERTREQ %s: \"%.80s\"", id, c.msg);
	else
		rv = 0;
	ca_close(&c);
	return rv;
}

void
ca_cert_read(const char *path, uint8_t *der, size_t *derlen)
{
	uint8_t *text;
	size_t len;
	int rv;

	text = attack_slurp(path, X509_PEM_MAX, &len);
	if ((rv = x509_der_from_text(
		 text, len, 0, der, X509_DER_MAX, derlen)) != X509_OK)
		errx(2, "%s: %s", path, x509_strerror(rv));
	free(text);
}

double
ca_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}
