/*
 * help: one subcommand's usage picked out of a tool's whole --help text,
 * so that `pk-keygen csr -h` and `pk-xfer vault send -h` answer with their
 * own synopsis, description and options.  The texts keep the layout every
 * tool uses: synopsis entries at column 0 or 7 with deeper continuation
 * lines; description and option entries at column 2 with deeper
 * continuation lines; free paragraphs at column 0.  It only formats: the
 * tool prints.
 */
#include <errno.h>
#include <stdbool.h>
#include <string.h>

#include "help.h"

struct buf {
	char *p;
	size_t size, len;
	bool full;
};

static void
put(struct buf *b, const char *s, size_t n)
{
	if (b->full || b->len + n >= b->size) {
		b->full = true;
		return;
	}
	memcpy(b->p + b->len, s, n);
	b->len += n;
	b->p[b->len] = '\0';
}

/* The start of the line after the one at s. */
static const char *
next_line(const char *s)
{
	const char *nl = strchr(s, '\n');

	return nl != NULL ? nl + 1 : s + strlen(s);
}

static size_t
indent(const char *s)
{
	return strspn(s, " ");
}

/* The end of the entry whose first line is at s: lines indented deeper
 * than `deeper` continue it. */
static const char *
entry_end(const char *s, size_t deeper)
{
	const char *e = next_line(s);

	while (*e != '\0' && *e != '\n' && indent(e) > deeper)
		e = next_line(e);
	return e;
}

/* Whether word occurs in [s, e) delimited as a word of a synopsis. */
static bool
has_word(const char *s, const char *e, const char *word, size_t n)
{
	const char *p;

	for (p = s; p + n <= e; p++) {
		if (memcmp(p, word, n) != 0)
			continue;
		if (p > s && strchr(" |[\n", p[-1]) == NULL)
			continue;
		if (p + n < e &&
		    (p[n] == '\0' || strchr(" |],\n", p[n]) == NULL))
			continue;
		return true;
	}
	return false;
}

/* Whether the synopsis entry at s is one of name's: the word after prefix
 * on its first line is name, or names it among `a|b` choices. */
static bool
names(const char *s, const char *prefix, const char *name)
{
	const char *p = s, *line = next_line(s);
	size_t n = strlen(prefix), k = strlen(name);

	while ((p = strstr(p, prefix)) != NULL && p < line) {
		if ((p == s || p[-1] == ' ') && p[n] == ' ')
			break;
		p++;
	}
	if (p == NULL || p >= line)
		return false;
	for (p += n + 1;; p++) {
		if (strncmp(p, name, k) == 0 &&
		    (p[k] == ' ' || p[k] == '|' || p[k] == '\n'))
			return true;
		p += strcspn(p, "| \n");
		if (*p != '|')
			return false;
	}
}

/* Copies a synopsis entry, the first one printed as `usage:`, `...`
 * replaced by the global options of the first entry. */
static void
put_entry(struct buf *b, const char *s, const char *e, bool first,
    const char *global, size_t nglobal)
{
	const char *dots = strstr(s, " ... ");

	if (first && strncmp(s, "       ", 7) == 0) {
		put(b, "usage: ", 7);
		s += 7;
	}
	if (dots != NULL && dots < next_line(s) && nglobal > 0) {
		put(b, s, (size_t)(dots - s) + 1);
		put(b, global, nglobal);
		s = dots + 5;
	}
	put(b, s, (size_t)(e - s));
}

/* The global options of the first entry: the text between the program
 * name and prefix (`[--trace] [-t sec]` in `usage: pk-xfer [--trace]
 * [-t sec] vault ...`). */
static const char *
global_options(const char *synopsis, const char *prefix, size_t *n)
{
	const char *start = synopsis + strlen("usage: ");
	const char *line = next_line(synopsis), *p;

	*n = 0;
	start += strcspn(start, " ");
	if (strncmp(synopsis, "usage: ", 7) != 0 || *start != ' ')
		return NULL;
	start++;
	if ((p = strstr(start, prefix)) == NULL || p >= line || p == start)
		return NULL;
	*n = (size_t)(p - start);
	return start;
}

/* The synopsis entries of name, then the definitions they use. */
static int
put_synopsis(
    struct buf *b, const char *synopsis, const char *prefix, const char *name)
{
	const char *s, *e, *global;
	size_t start = b->len, nglobal, colon;

	global = global_options(synopsis, prefix, &nglobal);
	for (s = synopsis; *s != '\0'; s = e) {
		e = entry_end(s, 7);
		if ((indent(s) == 7 || strncmp(s, "usage: ", 7) == 0) &&
		    names(s, prefix, name))
			put_entry(b, s, e, b->len == start, global, nglobal);
	}
	if (b->len == start)
		return -1;
	for (s = synopsis; *s != '\0'; s = e) {
		e = entry_end(s, 7);
		colon = strcspn(s, ": \n");
		if (indent(s) == 0 && s[colon] == ':' &&
		    strncmp(s, "usage:", 6) != 0 &&
		    has_word(b->p + start, b->p + b->len, s, colon))
			put(b, s, (size_t)(e - s));
	}
	return 0;
}

/* Whether the option entry whose head is at s is named in [sel, end):
 * each `-x` or `--long` before the two spaces that end the head. */
static bool
option_named(const char *s, const char *sel, const char *end)
{
	const char *head_end = strstr(s, "  "), *p;
	size_t n;

	if (head_end == NULL || head_end > next_line(s))
		head_end = next_line(s);
	for (p = s; p < head_end; p += n) {
		p += strspn(p, ", ");
		if ((n = strcspn(p, ", \n")) == 0)
			break;
		if (*p == '-' &&
		    ((n == 2 && p[1] == 'h') || has_word(sel, end, p, n)))
			return true;
	}
	return false;
}

/* The column-2 entries of options that want(entry) picks, after a blank
 * line. */
static void
put_entries(struct buf *b, const char *options, bool opts, const char *name,
    size_t sel_len)
{
	const char *s, *e;
	size_t k = strlen(name);
	bool opened = false, pick;

	for (s = options; *s != '\0'; s = e) {
		e = next_line(s);
		if (indent(s) != 2 || s[2] == ' ' || s[2] == '\n')
			continue;
		e = entry_end(s, 2);
		if (opts)
			pick = s[2] == '-' &&
			    option_named(s + 2, b->p, b->p + sel_len);
		else
			pick = strncmp(s + 2, name, k) == 0 && s[2 + k] == ' ';
		if (!pick)
			continue;
		if (!opened)
			put(b, "\n", 1);
		opened = true;
		put(b, s, (size_t)(e - s));
	}
}

/* The paragraph of options that starts with "Exit ", to the end. */
static void
put_exit_codes(struct buf *b, const char *options)
{
	const char *s;

	for (s = options; *s != '\0'; s = next_line(s))
		if (strncmp(s, "Exit ", 5) == 0) {
			put(b, "\n", 1);
			put(b, s, strlen(s));
			return;
		}
}

int
help_select(char *out, size_t size, const char *synopsis, const char *options,
    const char *prefix, const char *name)
{
	struct buf b = {out, size, 0, false};
	size_t sel_len;

	if (size > 0)
		out[0] = '\0';
	if (put_synopsis(&b, synopsis, prefix, name) == -1) {
		errno = ENOENT;
		return -1;
	}
	sel_len = b.len;
	put_entries(&b, options, false, name, sel_len);
	put_entries(&b, options, true, name, sel_len);
	put_exit_codes(&b, options);
	if (b.full) {
		errno = ERANGE;
		return -1;
	}
	return 0;
}
