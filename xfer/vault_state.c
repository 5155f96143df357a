/*
 * vault_state: the original client's files in the current directory.
 * transfer.info is three lines (host:port, user name, path of the file to
 * send); me.info is the name, the id as 32 hex digits and the base64 of
 * the PKCS#8 DER private key; priv.key is the same base64.  The last two
 * hold a secret: they are read into wiped memory and written 0600.
 */
#include <sys/stat.h>

#include <err.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <nettle/base64.h>

#include "hex.h"
#include "io.h"
#include "secret.h"
#include "vault.h"

#define B64_LINE 48 /* DER bytes per 64-column base64 line */

/*
 * Splits text into at most max lines, dropping "\r"; *rest is the text
 * after them, or NULL.  Returns the count.
 */
static size_t
split_lines(char *text, size_t len, char **line, size_t max, char **rest)
{
	size_t n = 0;
	char *p = text, *end = text + len, *nl;

	while (p < end && n < max) {
		nl = memchr(p, '\n', (size_t)(end - p));
		if (nl == NULL)
			nl = end;
		*nl = '\0';
		if (nl > p && nl[-1] == '\r')
			nl[-1] = '\0';
		line[n++] = p;
		p = nl + 1;
	}
	*rest = p < end ? p : NULL;
	return n;
}

/* Reads a small text file (NUL-terminated) into buf, or dies. */
static size_t
read_text(const char *path, char *buf, size_t max)
{
	size_t len;

	if (io_readfile(path, (uint8_t *)buf, max - 1, &len) == -1) {
		secret_wipe(buf, max);
		if (errno == EFBIG)
			errx(2, "%s: larger than %zu bytes", path, max - 1);
		err(2, "%s", path);
	}
	if (memchr(buf, '\0', len) != NULL)
		errx(2, "%s: not a text file", path);
	buf[len] = '\0';
	return len;
}

static void
copy_name(char *dst, const char *src, const char *file, int lineno)
{
	size_t n = strlen(src);

	if (n == 0 || n >= VAULT_NAME)
		errx(2, "%s: line %d: name empty or longer than %d bytes", file,
		    lineno, VAULT_NAME - 1);
	memcpy(dst, src, n + 1);
}

void
info_read(struct vault_info *t)
{
	char buf[VAULT_INFO_MAX], *line[3], *rest;
	size_t len, n;

	len = read_text("transfer.info", buf, sizeof(buf));
	n = split_lines(buf, len, line, 3, &rest);
	if (n != 3 || (rest != NULL && strspn(rest, "\r\n") != strlen(rest)))
		errx(2, "transfer.info: want 3 lines (host:port, name, file)");
	if (strlen(line[0]) >= sizeof(t->server) ||
	    strlen(line[2]) >= sizeof(t->path) || line[2][0] == '\0')
		errx(2, "transfer.info: line 1 or 3 empty or too long");
	strcpy(t->server, line[0]);
	copy_name(t->name, line[1], "transfer.info", 2);
	strcpy(t->path, line[2]);
}

/* Parses lines 1 and 2 of me.info; *rest is the key text after them. */
static void
me_parse(char *buf, size_t len, struct vault_me *m, char **rest)
{
	char *line[2];
	size_t n;

	n = split_lines(buf, len, line, 2, rest);
	if (n < 2)
		errx(2, "me.info: want the name and the id on lines 1 and 2");
	copy_name(m->name, line[0], "me.info", 1);
	if (strlen(line[1]) != 2 * VAULT_ID ||
	    hex_decode(line[1], 2 * VAULT_ID, m->id, VAULT_ID) != VAULT_ID)
		errx(2, "me.info: line 2: not an id of %d hex digits",
		    2 * VAULT_ID);
}

void
me_read(struct vault_me *m)
{
	char *buf, *rest;
	size_t len;

	if ((buf = secret_alloc(VAULT_INFO_MAX)) == NULL)
		err(2, NULL);
	len = read_text("me.info", buf, VAULT_INFO_MAX);
	me_parse(buf, len, m, &rest);
	secret_free(buf, VAULT_INFO_MAX);
}

size_t
me_read_key(uint8_t *der, size_t max)
{
	struct base64_decode_ctx b64;
	char *buf, *text;
	size_t len, out = 0;
	struct vault_me m;
	int ok;

	if ((buf = secret_alloc(VAULT_INFO_MAX)) == NULL)
		err(2, NULL);
	len = read_text("me.info", buf, VAULT_INFO_MAX);
	me_parse(buf, len, &m, &text);
	if (text == NULL || strspn(text, "\r\n") == strlen(text)) {
		secret_free(buf, VAULT_INFO_MAX);
		return 0;
	}
	ok = BASE64_DECODE_LENGTH(strlen(text)) <= max;
	if (ok) {
		base64_decode_init(&b64);
		ok =
		    base64_decode_update(&b64, &out, der, strlen(text), text) &&
		    base64_decode_final(&b64) && out > 0;
	}
	secret_free(buf, VAULT_INFO_MAX);
	if (!ok)
		errx(2, "me.info: no base64 private key from line 3 on");
	return out;
}

/* The base64 of der in 64-column lines, each ending in "\n". */
static size_t
b64_lines(const uint8_t *der, size_t len, char *out)
{
	size_t i, n, o = 0;

	for (i = 0; i < len; i += n) {
		n = len - i < B64_LINE ? len - i : B64_LINE;
		base64_encode_raw(out + o, n, der + i);
		o += BASE64_ENCODE_RAW_LENGTH(n);
		out[o++] = '\n';
	}
	return o;
}

/* Writes text to path, mode 0600, replacing it; dies after wiping. */
static void
write_secret_file(const char *path, char *text, size_t len)
{
	struct io_out o;
	int saved;

	if (io_out_open(&o, path, 0600, IO_OUT_FORCE | IO_OUT_SECRET) == -1 ||
	    io_writeall(o.fd, text, len) == -1 || io_out_commit(&o) == -1) {
		saved = errno;
		if (o.fd != -1)
			io_out_abort(&o);
		secret_wipe(text, len);
		errx(2, "%s: %s", path, io_out_strerror(saved));
	}
	secret_wipe(text, len);
}

void
me_write(const struct vault_me *m, const uint8_t *der, size_t len)
{
	char *text;
	size_t n, max = VAULT_NAME + 2 * VAULT_ID + 2 + 2 * KEY_DER_MAX;

	if (len > KEY_DER_MAX)
		errx(2, "private key too large for me.info");
	if ((text = secret_alloc(max)) == NULL)
		err(2, NULL);
	n = (size_t)snprintf(text, max, "%s\n", m->name);
	hex_encode(m->id, VAULT_ID, text + n);
	n += 2 * VAULT_ID;
	text[n++] = '\n';
	if (der != NULL)
		n += b64_lines(der, len, text + n);
	write_secret_file("me.info", text, n);
	secret_free(text, max);
}

void
privkey_write(const uint8_t *der, size_t len)
{
	char *text;
	size_t max = 2 * KEY_DER_MAX;

	if (len > KEY_DER_MAX)
		errx(2, "private key too large for priv.key");
	if ((text = secret_alloc(max)) == NULL)
		err(2, NULL);
	write_secret_file("priv.key", text, b64_lines(der, len, text));
	secret_free(text, max);
}
