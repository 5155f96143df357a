/*
 * capture: reads a --trace-json file (docs/trace.md) back into frames: a
 * small JSON reader for the trace's own objects (one a line), which
 * keeps the keys an attack needs and skips the others, and rebuilds each
 * frame's bytes from its fields' hex and offsets.
 */
#include <err.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "attack.h"
#include "hex.h"

#define JSON_DEPTH 16

struct json {
	const char *p, *end;
	const char *err; /* the first reason, or NULL */
};

static int
fail(struct json *j, const char *why)
{
	if (j->err == NULL)
		j->err = why;
	return -1;
}

static void
ws(struct json *j)
{
	while (j->p < j->end && strchr(" \t\r\n", *j->p) != NULL && *j->p)
		j->p++;
}

static int
eat(struct json *j, char c)
{
	ws(j);
	if (j->p == j->end || *j->p != c)
		return -1;
	j->p++;
	return 0;
}

static void *
xcalloc(size_t n, size_t size)
{
	void *p;

	if ((p = calloc(n ? n : 1, size)) == NULL)
		err(2, NULL);
	return p;
}

/* The closing quote of the string starting at s, or NULL. */
static const char *
string_end(const char *s, const char *end)
{
	for (; s < end && *s != '"'; s++)
		if (*s == '\\' && ++s == end)
			return NULL;
	return s < end ? s : NULL;
}

/* One escape after the backslash at *s; *s left on its last character. */
static int
escape(struct json *j, const char **s, unsigned *u)
{
	static const char from[] = "bfnrt\"\\/", to[] = "\b\f\n\r\t\"\\/";
	const char *c;

	if ((c = strchr(from, **s)) != NULL && **s) {
		*u = (unsigned char)to[c - from];
		return 0;
	}
	if (**s != 'u' || sscanf(*s + 1, "%4x", u) != 1 ||
	    strspn(*s + 1, "0123456789abcdefABCDEF") < 4)
		return fail(j, "a bad escape");
	*s += 4;
	/* Only what a trace writes: \u00XX, one byte. */
	if (*u > 0xff)
		*u = '?';
	return 0;
}

/* A JSON string into a new NUL-terminated *out (NULL: skipped). */
static int
string(struct json *j, char **out)
{
	const char *s, *close;
	char *d = NULL;
	size_t n = 0;
	unsigned u;

	if (eat(j, '"') == -1)
		return fail(j, "a string expected");
	if ((close = string_end(j->p, j->end)) == NULL)
		return fail(j, "an unterminated string");
	if (out != NULL)
		d = *out = xcalloc(close - j->p + 1, 1);
	for (s = j->p; s < close; s++) {
		u = (unsigned char)*s;
		if (u < 0x20)
			return fail(j, "a control character in a string");
		if (u == '\\') {
			s++;
			if (escape(j, &s, &u) == -1)
				return -1;
		}
		if (d)
			d[n++] = (char)u;
	}
	j->p = close + 1;
	return 0;
}

static int value(struct json *, int depth);

/* The members or elements of an object or array, after its opening. */
static int
members(struct json *j, int depth, int object)
{
	char close = object ? '}' : ']';

	if (eat(j, close) == 0)
		return 0;
	do {
		if (object && (string(j, NULL) == -1 || eat(j, ':') == -1))
			return fail(j, "a member expected");
		if (value(j, depth + 1) == -1)
			return -1;
	} while (eat(j, ',') == 0);
	return eat(j, close) == 0 ? 0 : fail(j, "a ',' or a close expected");
}

/* Skips one value of any type. */
static int
value(struct json *j, int depth)
{
	size_t n;

	if (depth > JSON_DEPTH)
		return fail(j, "nested too deep");
	ws(j);
	if (j->p == j->end)
		return fail(j, "a value expected");
	if (*j->p == '"')
		return string(j, NULL);
	if (*j->p == '{' || *j->p == '[') {
		j->p++;
		return members(j, depth, j->p[-1] == '{');
	}
	n = strspn(j->p, "+-0123456789.eEtruefalsn");
	if (n == 0 || n > (size_t)(j->end - j->p))
		return fail(j, "a value expected");
	j->p += n;
	return 0;
}

/* An integer or null (-1). */
static int
offset(struct json *j, long long *off)
{
	char *e;

	ws(j);
	if (j->end - j->p >= 4 && memcmp(j->p, "null", 4) == 0) {
		j->p += 4;
		*off = -1;
		return 0;
	}
	*off = strtoll(j->p, &e, 10);
	if (e == j->p || *off < 0 || e > j->end)
		return fail(j, "a bad offset");
	j->p = e;
	return 0;
}

static int
field(struct json *j, struct capture_field *f)
{
	char *key, *hex = NULL;
	ssize_t n;
	int rv = 0;

	f->off = -1;
	if (eat(j, '{') == -1)
		return fail(j, "a field expected");
	if (eat(j, '}') == 0)
		return fail(j, "a field without a name");
	do {
		if (string(j, &key) == -1 || eat(j, ':') == -1)
			return fail(j, "a member expected");
		if (strcmp(key, "name") == 0 && f->name == NULL)
			rv = string(j, &f->name);
		else if (strcmp(key, "hex") == 0 && hex == NULL)
			rv = string(j, &hex);
		else if (strcmp(key, "offset") == 0)
			rv = offset(j, &f->off);
		else
			rv = value(j, 2);
		free(key);
	} while (rv == 0 && eat(j, ',') == 0);
	if (rv == -1 || eat(j, '}') == -1) {
		free(hex);
		return fail(j, "a bad field");
	}
	if (f->name == NULL || hex == NULL) {
		free(hex);
		return fail(j, "a field without a name or hex");
	}
	f->data = xcalloc(strlen(hex) / 2, 1);
	n = hex_decode(hex, strlen(hex), f->data, strlen(hex) / 2);
	free(hex);
	if (n < 0)
		return fail(j, "a field's hex is not hex");
	f->len = n;
	return 0;
}

static int
fields(struct json *j, struct capture_frame *fr)
{
	if (eat(j, '[') == -1)
		return fail(j, "fields is not an array");
	fr->f = xcalloc(TRACE_FIELDS + 1, sizeof(*fr->f));
	if (eat(j, ']') == 0)
		return 0;
	do {
		if (fr->n == TRACE_FIELDS + 1)
			return fail(j, "too many fields");
		if (field(j, &fr->f[fr->n++]) == -1)
			return -1;
	} while (eat(j, ',') == 0);
	return eat(j, ']') == 0 ? 0 : fail(j, "a ',' or ']' expected");
}

static int
member(struct json *j, struct capture_frame *fr, const char *key)
{
	static const char *const names[] = {
	    "protocol", "step", "who", "peer", "local"};
	char **const dst[] = {
	    &fr->proto, &fr->step, &fr->who, &fr->peer, &fr->local};
	char *dir;
	size_t i;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (strcmp(key, names[i]) == 0 && *dst[i] == NULL)
			return string(j, dst[i]);
	if (strcmp(key, "direction") == 0) {
		if (string(j, &dir) == -1)
			return -1;
		fr->dir = strcmp(dir, "sent") == 0 ? TRACE_SENT : TRACE_RECV;
		i = strcmp(dir, "sent") != 0 && strcmp(dir, "received") != 0;
		free(dir);
		return i ? fail(j, "direction is not sent or received") : 0;
	}
	if (strcmp(key, "fields") == 0 && fr->f == NULL)
		return fields(j, fr);
	return value(j, 1);
}

/* Rebuilds the frame's bytes from its fields on the wire. */
static int
rebuild(struct json *j, struct capture_frame *fr)
{
	size_t i, len = 0;

	for (i = 0; i < fr->n; i++)
		if (fr->f[i].off >= 0 && fr->f[i].off + fr->f[i].len > len)
			len = fr->f[i].off + fr->f[i].len;
	if (len > CAPTURE_MAX)
		return fail(j, "a field beyond any frame");
	fr->buf = xcalloc(len, 1);
	fr->len = len;
	for (i = 0; i < fr->n; i++)
		if (fr->f[i].off >= 0)
			memcpy(fr->buf + fr->f[i].off, fr->f[i].data,
			    fr->f[i].len);
	return 0;
}

static int
frame(struct json *j, struct capture_frame *fr)
{
	char *key;
	int rv;

	if (eat(j, '{') == -1)
		return fail(j, "not a JSON object");
	do {
		if (string(j, &key) == -1 || eat(j, ':') == -1)
			return fail(j, "a member expected");
		rv = member(j, fr, key);
		free(key);
	} while (rv == 0 && eat(j, ',') == 0);
	if (rv == -1 || eat(j, '}') == -1)
		return fail(j, "a ',' or '}' expected");
	ws(j);
	if (j->p != j->end)
		return fail(j, "text after the object");
	if (fr->proto == NULL || fr->step == NULL || fr->f == NULL)
		return fail(
		    j, "not a trace frame (no protocol, step or fields)");
	return rebuild(j, fr);
}

static void
fill(struct capture_frame *fr)
{
	char **const s[] = {
	    &fr->proto, &fr->step, &fr->who, &fr->peer, &fr->local};
	size_t i;

	for (i = 0; i < sizeof(s) / sizeof(s[0]); i++)
		if (*s[i] == NULL && (*s[i] = strdup("")) == NULL)
			err(2, NULL);
}

void
capture_read(struct capture *c, const char *path)
{
	struct json j;
	uint8_t *buf;
	char *line, *nl, *end;
	size_t len, lineno = 0, cap = 0;

	buf = attack_slurp(path, CAPTURE_MAX, &len);
	memset(c, 0, sizeof(*c));
	for (line = (char *)buf, end = line + len; line < end; line = nl + 1) {
		lineno++;
		if ((nl = memchr(line, '\n', end - line)) == NULL)
			nl = end;
		j = (struct json){line, nl, NULL};
		ws(&j);
		if (j.p == j.end)
			continue;
		if (c->n == cap) {
			cap = cap ? cap * 2 : 64;
			if ((c->fr = reallocarray(
				 c->fr, cap, sizeof(*c->fr))) == NULL)
				err(2, NULL);
		}
		memset(&c->fr[c->n], 0, sizeof(c->fr[c->n]));
		c->fr[c->n].line = lineno;
		if (frame(&j, &c->fr[c->n++]) == -1)
			errx(2, "%s:%zu: not a JSON trace: %s", path, lineno,
			    j.err);
		fill(&c->fr[c->n - 1]);
	}
	free(buf);
}

void
capture_free(struct capture *c)
{
	struct capture_frame *fr;
	size_t i, k;

	for (i = 0; i < c->n; i++) {
		fr = &c->fr[i];
		for (k = 0; k < fr->n; k++) {
			free(fr->f[k].name);
			free(fr->f[k].data);
		}
		free(fr->f);
		free(fr->buf);
		free(fr->proto);
		free(fr->step);
		free(fr->who);
		free(fr->peer);
		free(fr->local);
	}
	free(c->fr);
	memset(c, 0, sizeof(*c));
}

long
capture_find(const struct capture *c, size_t from, const char *proto,
    const char *step, int dir)
{
	size_t i;

	for (i = from; i < c->n; i++)
		if ((proto == NULL || strcmp(c->fr[i].proto, proto) == 0) &&
		    (step == NULL || strcmp(c->fr[i].step, step) == 0) &&
		    (dir == -1 || (int)c->fr[i].dir == dir))
			return (long)i;
	return -1;
}

const struct capture_field *
capture_field(const struct capture_frame *fr, const char *name)
{
	size_t i;

	for (i = 0; i < fr->n; i++)
		if (strcmp(fr->f[i].name, name) == 0)
			return &fr->f[i];
	return NULL;
}
