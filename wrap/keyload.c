/*
 * keyload: reads a key file (bounded by KEY_FILE_MAX), fetches the
 * passphrase of an encrypted one from the source the user named or the
 * terminal, and parses it with lib/key.  Dies with the file's name.
 */
#include <err.h>
#include <errno.h>
#include <stdio.h>

#include "io.h"
#include "key.h"
#include "secret.h"
#include "wrap.h"

/* Fills pw from the chosen source; dies (after wiping) when it cannot. */
static size_t
read_pass(const char *path, const struct wrap_pass *pass, uint8_t *pw)
{
	char prompt[256];
	size_t len = 0;
	int rv;

	if (pass->file != NULL)
		rv = secret_from_file(pass->file, pw, SECRET_MAX, &len);
	else if (pass->fd != -1)
		rv = secret_from_fd(pass->fd, pw, SECRET_MAX, &len);
	else if (pass->env != NULL)
		rv = secret_from_env(pass->env, pw, SECRET_MAX, &len);
	else {
		snprintf(prompt, sizeof(prompt), "passphrase for %s: ", path);
		rv = secret_from_tty(prompt, pw, SECRET_MAX, &len);
		if (rv == -1 && errno == ENOTTY)
			errx(2,
			    "%s: key is encrypted: use --pass-file, "
			    "--pass-fd or --pass-env",
			    path);
	}
	if (rv == -1) {
		secret_wipe(pw, SECRET_MAX);
		if (pass->file != NULL)
			err(2, "%s", pass->file);
		if (pass->fd != -1)
			err(2, "--pass-fd %d", pass->fd);
		if (pass->env != NULL && errno == ENOENT)
			errx(2, "--pass-env %s: not set", pass->env);
		if (pass->env != NULL)
			err(2, "--pass-env %s", pass->env);
		err(2, "terminal");
	}
	if ((len = secret_chomp(pw, len)) == 0)
		errx(2, "empty passphrase");
	return len;
}

void
load_key(struct key_rsa *k, const char *path, const struct wrap_pass *pass,
    int need_private)
{
	uint8_t *buf, *pw = NULL;
	size_t len, pwlen = 0;
	int rv, saved;

	if ((buf = secret_alloc(KEY_FILE_MAX)) == NULL)
		err(2, NULL);
	if (io_readfile(path, buf, KEY_FILE_MAX, &len) == -1) {
		saved = errno;
		secret_free(buf, KEY_FILE_MAX);
		errno = saved;
		err(2, "%s", path);
	}
	if (key_is_encrypted(buf, len)) {
		if ((pw = secret_alloc(SECRET_MAX)) == NULL)
			err(2, NULL);
		pwlen = read_pass(path, pass, pw);
	}
	key_init(k);
	rv = key_parse(k, buf, len, pw, pwlen);
	secret_free(buf, KEY_FILE_MAX);
	secret_free(pw, SECRET_MAX);
	if (rv == KEY_OK && need_private)
		rv = key_require_private(k);
	if (rv != KEY_OK) {
		key_clear(k);
		errx(rv == KEY_EPASS ? 1 : 2, "%s: %s", path, key_strerror(rv));
	}
}
