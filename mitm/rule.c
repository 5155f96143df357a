/*
 * rule: the rule grammar of docs/mitm.md, parsed strictly.  A rule is
 * words separated by blanks: matches (c2s, s2c, step=STEP, #N, conn=N,
 * nth=N) and one action (drop, replay[=N], or
 * [STEP.]FIELD[[OFF]]=VALUE / ^=VALUE, VALUE hex or @FILE); a word may be
 * led by "PROTO:", which must be -p's.
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "hex.h"
#include "io.h"
#include "mitm.h"
#include "num.h"

/* A name: letters, digits, '_' and '-'; its length, 0 if none. */
static size_t
name_len(const char *s)
{
	size_t n = 0;

	while (isalnum((unsigned char)s[n]) || s[n] == '_' || s[n] == '-')
		n++;
	return n;
}

/* Copies the n-byte name at s to out; NULL, or what is wrong. */
static const char *
take_name(const char *s, size_t n, char out[MITM_NAME_MAX], const char *what)
{
	static char why[64];

	if (n == 0) {
		snprintf(why, sizeof(why), "expected a %s", what);
		return why;
	}
	if (n >= MITM_NAME_MAX) {
		snprintf(why, sizeof(why), "%s too long", what);
		return why;
	}
	memcpy(out, s, n);
	out[n] = '\0';
	return NULL;
}

/* A number of n bytes at s, 1 .. max; NULL, or what is wrong. */
static const char *
take_num(const char *s, size_t n, long long min, long long max, long long *out)
{
	char buf[24];
	const char *errstr;

	if (n == 0 || n >= sizeof(buf))
		return "expected a number";
	memcpy(buf, s, n);
	buf[n] = '\0';
	*out = num_parse(buf, min, max, &errstr);
	return errstr != NULL ? "number out of range or not a number" : NULL;
}

/* @FILE: the value is the file's bytes (1 to MITM_VALUE_MAX). */
static const char *
value_file(const char *name, size_t n, struct rule *r)
{
	static char why[4096 + 64];
	char path[4096];
	int e;

	if (n == 0 || n >= sizeof(path))
		return "expected a file name after @";
	memcpy(path, name, n);
	path[n] = '\0';
	if (io_readfile(path, r->hex, sizeof(r->hex), &r->hexlen) == -1) {
		e = errno;
		snprintf(why, sizeof(why), "%s: %s", path,
		    e == EFBIG ? "more than 4096 bytes" : strerror(e));
		return why;
	}
	return r->hexlen == 0 ? "the value file is empty" : NULL;
}

/* The rewrite [STEP.]FIELD[[OFF]]=HEX or ^=HEX in the n bytes at w. */
static const char *
rewrite(const char *w, size_t n, struct rule *r, size_t *at)
{
	const char *p = w, *why, *end = w + n;
	long long off = 0;
	size_t k;
	ssize_t len;

	k = name_len(p);
	if (p[k] == '.') {
		if ((why = take_name(p, k, r->step, "step")) != NULL)
			return why;
		p += k + 1;
		k = name_len(p);
	}
	*at = (size_t)(p - w);
	if ((why = take_name(p, k, r->field, "field")) != NULL)
		return why;
	p += k;
	if (*p == '[') {
		*at = (size_t)(p + 1 - w);
		k = strspn(p + 1, "0123456789");
		if ((why = take_num(p + 1, k, 0, 1LL << 40, &off)) != NULL)
			return why;
		p += 1 + k;
		*at = (size_t)(p - w);
		if (*p++ != ']')
			return "expected ']'";
	}
	r->off = (size_t)off;
	*at = (size_t)(p - w);
	if (p[0] == '^' && p[1] == '=') {
		r->act = RULE_XOR;
		p += 2;
	} else if (p[0] == '=') {
		r->act = RULE_SET;
		p++;
	} else
		return "expected '=' or '^=' after the field";
	*at = (size_t)(p - w);
	if (*p == '@')
		return value_file(p + 1, (size_t)(end - p - 1), r);
	len = hex_decode(p, (size_t)(end - p), r->hex, sizeof(r->hex));
	if (len <= 0)
		return len == 0 ? "expected hex bytes or @FILE"
				: "expected hex bytes (pairs of 0-9a-f)";
	r->hexlen = (size_t)len;
	return NULL;
}

/* One match or action word of n bytes at w; *at: where it is wrong. */
static const char *
word(const char *w, size_t n, struct rule *r, int *acts, size_t *at)
{
	const char *eq = memchr(w, '=', n);
	size_t k = eq != NULL ? (size_t)(eq - w) : n;
	long long v = 0;
	const char *why;

	*at = 0;
	if (n == 3 && (memcmp(w, "c2s", 3) == 0 || memcmp(w, "s2c", 3) == 0)) {
		if (r->dir != 0)
			return "a second direction";
		r->dir = w[0] == 'c' ? 1 : 2;
		return NULL;
	}
	if (w[0] == '#') {
		*at = 1;
		return take_num(w + 1, n - 1, 1, 1LL << 40, &r->frame);
	}
	if (eq != NULL && (k == 4 || k == 3) &&
	    (memcmp(w, "step", k) == 0 || memcmp(w, "conn", k) == 0 ||
		memcmp(w, "nth", k) == 0)) {
		*at = k + 1;
		if (w[0] == 's') {
			if (name_len(eq + 1) != n - k - 1)
				return "expected a step name";
			return take_name(eq + 1, n - k - 1, r->step, "step");
		}
		return take_num(eq + 1, n - k - 1, 1, 1LL << 40,
		    w[0] == 'c' ? &r->conn : &r->nth);
	}
	if (n == 4 && memcmp(w, "drop", 4) == 0) {
		r->act = RULE_DROP;
		++*acts;
		return NULL;
	}
	if (k == 6 && memcmp(w, "replay", 6) == 0) {
		r->act = RULE_REPLAY;
		r->count = 1;
		++*acts;
		*at = 7;
		if (eq == NULL)
			return NULL;
		why = take_num(eq + 1, n - 7, 1, MITM_REPLAY_MAX, &v);
		r->count = (int)v;
		return why;
	}
	if (eq == NULL)
		return "unknown word (a match: c2s, s2c, step=, #N, conn=, "
		       "nth=; an action: drop, replay, FIELD=HEX, FIELD^=HEX)";
	++*acts;
	return rewrite(w, n, r, at);
}

const char *
rule_parse(const char *text, const char *proto, struct rule *r, size_t *col)
{
	const char *p = text, *why, *colon;
	size_t n, at;
	int acts = 0;

	memset(r, 0, sizeof(*r));
	snprintf(r->text, sizeof(r->text), "%s", text);
	*col = 1;
	if (strlen(text) >= sizeof(r->text))
		return "longer than 255 bytes";
	for (;;) {
		p += strspn(p, " \t");
		if (*p == '\0')
			break;
		*col = (size_t)(p - text) + 1;
		/* PROTO: before a word: the protocol the rule is for. */
		n = name_len(p);
		if ((colon = strchr(p, ':')) != NULL && colon == p + n &&
		    n > 0) {
			if (strlen(proto) != n || memcmp(p, proto, n) != 0)
				return "a rule for another protocol than -p's";
			p += n + 1;
		}
		n = strcspn(p, " \t");
		if ((why = word(p, n, r, &acts, &at)) != NULL) {
			*col = (size_t)(p - text) + at + 1;
			return why;
		}
		if (acts > 1) {
			*col = (size_t)(p - text) + 1;
			return "a second action (one per rule)";
		}
		p += n;
	}
	*col = (size_t)(p - text) + 1;
	return acts == 0 ? "no action (drop, replay, FIELD=HEX, FIELD^=HEX)"
			 : NULL;
}
