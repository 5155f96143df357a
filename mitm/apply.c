/*
 * apply: the rules against one frame.  A rule matches when each of its
 * matches does (the direction, the step or a vault code, the frame's
 * number, the connection's, its nth match); then it drops the frame,
 * sends it again, or rewrites a field of it in place.  What each rule did
 * goes to stderr, one line.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mitm.h"

/* A step given as digits matches the frame's "code" field (vault). */
static int
step_matches(const struct rule *r, const struct trace_frame *tf)
{
	size_t i;

	if (r->step[0] == '\0')
		return 1;
	if (!isdigit((unsigned char)r->step[0]))
		return strcmp(r->step, tf->step) == 0;
	for (i = 0; i < tf->n; i++)
		if (strcmp(tf->f[i].name, "code") == 0 &&
		    tf->f[i].type == TRACE_UINT)
			return tf->f[i].num == strtoull(r->step, NULL, 10);
	return 0;
}

static const struct trace_field *
field_of(const struct trace_frame *tf, const char *name)
{
	size_t i;

	for (i = 0; i < tf->n; i++)
		if (tf->f[i].type != TRACE_PLAIN &&
		    strcmp(tf->f[i].name, name) == 0)
			return &tf->f[i];
	return NULL;
}

/*
 * A rewrite picks only frames that have its field; when a frame of the
 * step it names has none, that is said once (a misspelt field).
 */
static int
matches(struct rule *r, const struct mitm_frame *f)
{
	if ((r->dir == 1 && !f->c2s) || (r->dir == 2 && f->c2s) ||
	    (r->frame != 0 && r->frame != f->number) ||
	    (r->conn != 0 && r->conn != f->conn) || !step_matches(r, f->tf))
		return 0;
	if ((r->act == RULE_SET || r->act == RULE_XOR) &&
	    field_of(f->tf, r->field) == NULL) {
		if (r->step[0] != '\0' && !r->warned++)
			fprintf(stderr,
			    "pk-mitm: %s: a frame of step %s has no field "
			    "%s: rule not applied\n",
			    r->text, f->tf->step, r->field);
		return 0;
	}
	r->seen++;
	return r->nth == 0 || r->nth == r->seen;
}

/*
 * Sets or XORs the rule's bytes into the field at its offset (of a raw
 * stream: the bytes that fall in this piece of it).  Returns NULL, or why
 * nothing was changed.
 */
static const char *
rewrite(const struct rule *r, struct mitm_frame *f)
{
	const struct trace_field *fd = field_of(f->tf, r->field);
	size_t i, changed = 0;
	uint64_t at;

	if (!f->raw && (r->off > fd->len || r->hexlen > fd->len - r->off))
		return "past the end of the field";
	for (i = 0; i < r->hexlen; i++) {
		at = r->off + i;
		if (f->raw && (at < f->base || at - f->base >= fd->len))
			continue;
		if (f->raw)
			at -= f->base;
		if (r->act == RULE_XOR)
			f->buf[fd->off + at] ^= r->hex[i];
		else
			f->buf[fd->off + at] = r->hex[i];
		changed++;
	}
	return changed > 0 || !f->raw ? NULL : "";
}

int
apply_rules(struct mitm *m, struct mitm_frame *f)
{
	int copies = 1, drop = 0;
	const char *why;
	size_t i;

	for (i = 0; i < m->nrules; i++) {
		struct rule *r = &m->rules[i];

		if (!matches(r, f))
			continue;
		why = NULL;
		if (r->act == RULE_DROP)
			drop = 1;
		else if (r->act == RULE_REPLAY)
			copies += r->count;
		else if ((why = rewrite(r, f)) != NULL && *why == '\0')
			continue; /* a raw piece the offset is not in */
		fprintf(stderr,
		    "pk-mitm: conn %lld frame %lld %s %s: %s: %s%s\n", f->conn,
		    f->number, f->c2s ? "c2s" : "s2c", f->tf->step, r->text,
		    why != NULL			? "not applied: "
			: r->act == RULE_DROP	? "dropped"
			: r->act == RULE_REPLAY ? "replayed"
						: "rewritten",
		    why != NULL ? why : "");
	}
	return drop ? 0 : copies;
}
