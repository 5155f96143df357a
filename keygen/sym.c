/*
 * sym: pk-keygen aes and iv: random bytes from getrandom(2) as lower-case
 * hex and a newline, as `openssl rand -hex N` prints them.  A key file is
 * created 0600 and not replaced without -f.
 */
#include <string.h>
#include <unistd.h>

#include "hex.h"
#include "io.h"
#include "keygen.h"
#include "rand.h"

static void
random_hex(size_t n, const char *path, int force)
{
	uint8_t *bytes = xsecret(n);
	char *text = xsecret(2 * n + 1);

	if (rand_fill(bytes, n) == -1)
		die_errno(2, "getrandom");
	hex_encode(bytes, n, text);
	text[2 * n] = '\n';
	if (path == NULL || strcmp(path, "-") == 0) {
		if (io_writeall(STDOUT_FILENO, text, 2 * n + 1) !=
		    (ssize_t)(2 * n + 1))
			die_errno(2, "stdout");
	} else
		write_out(path, 0600,
		    IO_OUT_SECRET | (force ? IO_OUT_FORCE : 0), (uint8_t *)text,
		    2 * n + 1);
	secrets_wipe();
}

void
mode_aes(const struct opts *o)
{
	random_hex((size_t)o->bits / 8, o->out, o->force);
}

void
mode_iv(const struct opts *o)
{
	(void)o;
	random_hex(IV_LEN, NULL, 0);
}
