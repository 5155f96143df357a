/*
 * pass: the passphrase-source options, parsed the same way for every
 * tool, and the one-line reason a passphrase could not be read, in the
 * tool's words.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "num.h"
#include "pass.h"

static const struct pass_words plain = {
    "fd ",
    "$",
    "no passphrase was given and stdin is not a terminal",
};

int
pass_set(struct secret_src *src, enum pass_kind kind, const char *arg,
    const char **why)
{
	long long fd = -1;

	*why = NULL;
	if (pass_kind(src) != PASS_TTY) {
		*why = "more than one source";
		errno = EEXIST;
		return -1;
	}
	if (kind == PASS_FD) {
		fd = num_parse(arg, 0, PASS_FD_MAX, why);
		if (*why != NULL) {
			errno = EINVAL;
			return -1;
		}
	}
	if (kind == PASS_FILE)
		src->file = arg;
	else if (kind == PASS_FD)
		src->fd = (int)fd;
	else if (kind == PASS_ENV)
		src->env = arg;
	return 0;
}

enum pass_kind
pass_kind(const struct secret_src *src)
{
	if (src->file != NULL)
		return PASS_FILE;
	if (src->fd != -1)
		return PASS_FD;
	if (src->env != NULL)
		return PASS_ENV;
	return PASS_TTY;
}

/* The tool's words, with the plain ones where it gives none. */
static struct pass_words
words(const struct secret_src *src)
{
	struct pass_words w = plain;

	if (src->words == NULL)
		return w;
	if (src->words->fd != NULL)
		w.fd = src->words->fd;
	if (src->words->env != NULL)
		w.env = src->words->env;
	if (src->words->none != NULL)
		w.none = src->words->none;
	return w;
}

const char *
pass_msg(const struct secret_src *src, const char *path, char *msg, size_t n)
{
	struct pass_words w = words(src);
	enum pass_kind kind = pass_kind(src);
	int e = errno;

	if (e == ENODATA)
		snprintf(msg, n, "empty passphrase");
	else if (kind == PASS_FILE)
		snprintf(msg, n, "%s: %s", src->file, strerror(e));
	else if (kind == PASS_FD)
		snprintf(msg, n, "%s%d: %s", w.fd, src->fd, strerror(e));
	else if (kind == PASS_ENV)
		snprintf(msg, n, "%s%s: %s", w.env, src->env,
		    e == ENOENT ? "not set" : strerror(e));
	else if (e == ENOTTY)
		snprintf(msg, n, "%s: key is encrypted: %s", path, w.none);
	else
		snprintf(msg, n, "terminal: %s", strerror(e));
	return msg;
}
