/*
 * pass: the passphrase from --pass-file, --pass-fd, --pass-env or, when none
 * is given and stdin is a terminal, a prompt with echo off.  Never argv.
 */
#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "keygen.h"
#include "secret.h"

static size_t
from_tty(uint8_t *buf, int confirm)
{
	uint8_t *again;
	size_t len, len2;

	if (secret_from_tty("passphrase: ", buf, SECRET_MAX, &len) == -1)
		die_errno(2, "terminal");
	if (len > 0 && confirm) {
		again = xsecret(SECRET_MAX);
		if (secret_from_tty(
			"passphrase again: ", again, SECRET_MAX, &len2) == -1)
			die_errno(2, "terminal");
		if (len2 != len || memcmp(again, buf, len) != 0)
			die(2, "passphrases do not match");
	}
	return len;
}

ssize_t
pass_get(const struct pass_src *src, uint8_t *buf, int confirm)
{
	size_t len;

	if (src->file != NULL) {
		if (secret_from_file(src->file, buf, SECRET_MAX, &len) == -1)
			die_errno(2, "%s", src->file);
	} else if (src->env != NULL) {
		if (secret_from_env(src->env, buf, SECRET_MAX, &len) == -1) {
			if (errno == ENOENT)
				die(2, "--pass-env %s: not set", src->env);
			die_errno(2, "--pass-env %s", src->env);
		}
	} else if (src->fd != -1) {
		if (secret_from_fd(src->fd, buf, SECRET_MAX, &len) == -1)
			die_errno(2, "--pass-fd %d", src->fd);
	} else if (isatty(STDIN_FILENO))
		len = from_tty(buf, confirm);
	else
		return -1;
	if ((len = secret_chomp(buf, len)) == 0)
		die(2, "empty passphrase");
	return (ssize_t)len;
}
