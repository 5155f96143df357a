/*
 * pass: the passphrase for a key pk-keygen writes, from --pass-file,
 * --pass-fd, --pass-env or, when none is given and stdin is a terminal, a
 * prompt with echo off, asked twice.  Never argv.
 */
#include <string.h>
#include <unistd.h>

#include "keygen.h"
#include "pass.h"
#include "secret.h"

static size_t
from_tty(uint8_t *buf, int confirm)
{
	static const struct secret_src tty = SECRET_SRC_INIT;
	char msg[512];
	uint8_t *again;
	size_t len, len2;

	if (secret_passphrase(&tty, "passphrase: ", buf, SECRET_MAX, &len) ==
	    -1)
		die(2, "%s", pass_msg(&tty, "-", msg, sizeof(msg)));
	if (confirm) {
		again = xsecret(SECRET_MAX);
		if (secret_passphrase(&tty, "passphrase again: ", again,
			SECRET_MAX, &len2) == -1)
			die(2, "%s", pass_msg(&tty, "-", msg, sizeof(msg)));
		if (len2 != len || memcmp(again, buf, len) != 0)
			die(2, "passphrases do not match");
	}
	return len;
}

ssize_t
pass_get(const struct secret_src *src, uint8_t *buf, int confirm)
{
	char msg[512];
	size_t len;

	if (src->file == NULL && src->fd == -1 && src->env == NULL) {
		if (!isatty(STDIN_FILENO))
			return -1;
		return (ssize_t)from_tty(buf, confirm);
	}
	if (secret_passphrase(src, NULL, buf, SECRET_MAX, &len) == -1)
		die(2, "%s", pass_msg(src, "-", msg, sizeof(msg)));
	return (ssize_t)len;
}
