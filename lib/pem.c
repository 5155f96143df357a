/*
 * pem: finds the first armoured block in a text, reads the two RFC 1421
 * headers OpenSSL writes, decodes the body with Nettle's base64 (which
 * skips the line breaks), and writes blocks as OpenSSL does: 64 columns.
 */
#include <errno.h>
#include <string.h>
#include <strings.h>

#include <nettle/base64.h>

#include "pem.h"

#define BEGIN "-----BEGIN "
#define END "-----END "
#define DASHES "-----"

/* One line of text without its "\n" or "\r\n". */
struct line {
	const char *s;
	size_t len;
};

/* Reads the line at *pos and moves past it; 0 at the end of the text. */
static int
next_line(const char *text, size_t len, size_t *pos, struct line *l)
{
	const char *nl;

	if (*pos >= len)
		return 0;
	l->s = text + *pos;
	nl = memchr(l->s, '\n', len - *pos);
	l->len = nl ? (size_t)(nl - l->s) : len - *pos;
	*pos += l->len + (nl != NULL);
	if (l->len > 0 && l->s[l->len - 1] == '\r')
		l->len--;
	return 1;
}

static int
starts(const struct line *l, const char *prefix)
{
	size_t n = strlen(prefix);

	return l->len >= n && memcmp(l->s, prefix, n) == 0;
}

/* The label of a "-----BEGIN label-----" or END line after prefix. */
static int
armour_label(const struct line *l, const char *prefix, const char **label,
    size_t *labellen)
{
	size_t n = strlen(prefix), d = strlen(DASHES);

	if (!starts(l, prefix) || l->len < n + d ||
	    memcmp(l->s + l->len - d, DASHES, d) != 0)
		return -1;
	*label = l->s + n;
	*labellen = l->len - n - d;
	return 0;
}

static const char *
find_begin(const char *text, size_t len)
{
	const char *s = text, *hit;
	size_t n = strlen(BEGIN);

	while ((hit = memmem(s, len - (size_t)(s - text), BEGIN, n)) != NULL) {
		if (hit == text || hit[-1] == '\n')
			return hit;
		s = hit + 1;
	}
	return NULL;
}

int
pem_present(const uint8_t *text, size_t len)
{
	return find_begin((const char *)text, len) != NULL;
}

/* "Name: value" with the value's leading blanks skipped. */
static int
header_is(const struct line *l, const char *name, struct line *value)
{
	size_t n = strlen(name);

	if (l->len <= n || strncasecmp(l->s, name, n) != 0 || l->s[n] != ':')
		return 0;
	value->s = l->s + n + 1;
	value->len = l->len - n - 1;
	while (value->len > 0 && (*value->s == ' ' || *value->s == '\t')) {
		value->s++;
		value->len--;
	}
	return 1;
}

/* Header lines up to the blank line; only Proc-Type and DEK-Info count. */
static int
parse_headers(const char *text, size_t len, size_t *pos, struct pem *p)
{
	struct line l, v;

	while (next_line(text, len, pos, &l) && l.len > 0) {
		if (header_is(&l, "Proc-Type", &v)) {
			if (v.len != 11 || memcmp(v.s, "4,ENCRYPTED", 11) != 0)
				return -1;
			p->encrypted = 1;
		} else if (header_is(&l, "DEK-Info", &v)) {
			p->dekinfo = v.s;
			p->dekinfolen = v.len;
		} else if (memchr(l.s, ':', l.len) == NULL)
			return -1;
	}
	return p->encrypted && p->dekinfo == NULL ? -1 : 0;
}

int
pem_parse(const uint8_t *utext, size_t len, struct pem *p)
{
	const char *text = (const char *)utext, *begin, *label;
	size_t pos, body, labellen;
	struct line l;

	memset(p, 0, sizeof(*p));
	errno = EINVAL;
	if ((begin = find_begin(text, len)) == NULL)
		return -1;
	pos = (size_t)(begin - text);
	next_line(text, len, &pos, &l);
	if (armour_label(&l, BEGIN, &p->label, &p->labellen) == -1)
		return -1;
	body = pos;
	/* A header section starts with a "Name:" line (RFC 1421). */
	if (next_line(text, len, &pos, &l) && memchr(l.s, ':', l.len)) {
		pos = body;
		if (parse_headers(text, len, &pos, p) == -1)
			return -1;
		body = pos;
	} else
		pos = body;
	for (;;) {
		p->bodylen = pos - body;
		if (!next_line(text, len, &pos, &l))
			return -1; /* no END line: truncated */
		if (starts(&l, END))
			break;
	}
	p->body = text + body;
	if (armour_label(&l, END, &label, &labellen) == -1 ||
	    labellen != p->labellen || memcmp(label, p->label, labellen) != 0)
		return -1;
	return 0;
}

int
pem_decode(const struct pem *p, uint8_t *out, size_t max, size_t *outlen)
{
	struct base64_decode_ctx ctx;

	if (BASE64_DECODE_LENGTH(p->bodylen) > max) {
		errno = EOVERFLOW;
		return -1;
	}
	base64_decode_init(&ctx);
	if (!base64_decode_update(&ctx, outlen, out, p->bodylen, p->body) ||
	    !base64_decode_final(&ctx)) {
		errno = EINVAL;
		return -1;
	}
	return 0;
}

int
pem_label_is(const struct pem *p, const char *label)
{
	return p->labellen == strlen(label) &&
	    memcmp(p->label, label, p->labellen) == 0;
}

/* Appends s to out at *pos; the caller has checked the room. */
static void
put(uint8_t *out, size_t *pos, const char *s, size_t n)
{
	memcpy(out + *pos, s, n);
	*pos += n;
}

int
pem_encode(const char *label, const char *headers, const uint8_t *der,
    size_t derlen, uint8_t *out, size_t max, size_t *outlen)
{
	size_t b64 = BASE64_ENCODE_RAW_LENGTH(derlen), lines, need, pos = 0;
	size_t nl = strlen(label), nh = headers ? strlen(headers) : 0, chunk;

	lines = (b64 + PEM_LINE - 1) / PEM_LINE;
	need = strlen(BEGIN) + nl + strlen(DASHES) + 1 + nh + (nh > 0) + b64 +
	    lines + strlen(END) + nl + strlen(DASHES) + 1;
	if (need > max) {
		errno = EOVERFLOW;
		return -1;
	}
	put(out, &pos, BEGIN, strlen(BEGIN));
	put(out, &pos, label, nl);
	put(out, &pos, DASHES "\n", strlen(DASHES) + 1);
	if (nh > 0) {
		put(out, &pos, headers, nh);
		put(out, &pos, "\n", 1);
	}
	/* 48 octets make one 64-column line. */
	for (; derlen > 0; der += chunk, derlen -= chunk) {
		chunk = derlen < PEM_LINE / 4 * 3 ? derlen : PEM_LINE / 4 * 3;
		base64_encode_raw((char *)out + pos, chunk, der);
		pos += BASE64_ENCODE_RAW_LENGTH(chunk);
		out[pos++] = '\n';
	}
	put(out, &pos, END, strlen(END));
	put(out, &pos, label, nl);
	put(out, &pos, DASHES "\n", strlen(DASHES) + 1);
	*outlen = pos;
	return 0;
}
