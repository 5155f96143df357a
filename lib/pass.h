/*
 * pass: the passphrase-source options every tool takes (a file, a
 * descriptor or an environment variable; none: the terminal), parsed once
 * for all, and the words a tool gives them in its messages.  lib/ names
 * no option: each tool passes its own names in struct pass_words.
 */
#ifndef PK_PASS_H
#define PK_PASS_H

#include <limits.h>

#include "secret.h"

enum pass_kind {
	PASS_TTY, /* no source given */
	PASS_FILE,
	PASS_FD,
	PASS_ENV,
};

#define PASS_FD_MAX INT_MAX /* largest --pass-fd, for every tool */

/*
 * How a tool names a source in its messages: the words before a
 * descriptor's number and before a variable's name ("--pass-fd ",
 * "--pass-env "), and what follows "PATH: key is encrypted: " when no
 * source was given and stdin is not a terminal.  A file is named by its
 * path alone.  NULL (or a NULL field): "fd N", "$VAR" and a sentence that
 * names no option.
 */
struct pass_words {
	const char *fd;
	const char *env;
	const char *none;
};

/*
 * Sets src to read from one source: arg is the path, the descriptor's
 * number (0 to PASS_FD_MAX) or the variable's name.  Returns 0, or -1 with
 * errno EEXIST when src names a source already (the options exclude each
 * other), or EINVAL with *why "invalid", "too small" or "too large" when
 * an fd is not such a number; src is unchanged then.
 */
int pass_set(struct secret_src *src, enum pass_kind kind, const char *arg,
    const char **why);
/* Which source src names. */
enum pass_kind pass_kind(const struct secret_src *src);
/*
 * The one-line reason secret_passphrase failed (from errno), naming the
 * source in src->words; path names the key the passphrase was for.
 */
const char *pass_msg(
    const struct secret_src *src, const char *path, char *msg, size_t n);

#endif
