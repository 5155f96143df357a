/*
 * files: what the steps of every protocol read and write.  A key file,
 * loaded with lib/key (asking for the passphrase of an encrypted one) and
 * held in lib/secrets.h's registry, wiped at any exit; an output
 * file written whole and 0600, or stdout.
 */
#include <err.h>
#include <string.h>
#include <unistd.h>

#include "files.h"
#include "io.h"
#include "key.h"
#include "secrets.h"

/* Initialises k, held by the registry (lib/secrets.h) until released. */
void
xfer_key_hold(struct key_rsa *k)
{
	if (secrets_key(k) == -1)
		err(2, "key");
}

_Noreturn void
xfer_key_die(int rv, const char *path, const struct secret_src *pass)
{
	char msg[512];

	key_load_msg(rv, path, pass, msg, sizeof(msg));
	secrets_wipe();
	errx(key_load_exit(rv), "%s", msg);
}

void
xfer_key_load(
    struct key_rsa *k, const char *path, const struct secret_src *pass)
{
	int rv;

	xfer_key_hold(k);
	if ((rv = key_load(k, path, pass, 1)) != KEY_OK)
		xfer_key_die(rv, path, pass);
}

void
out_write(const char *path, const uint8_t *buf, size_t len)
{
	struct io_out o;

	if (path == NULL || strcmp(path, "-") == 0) {
		if (isatty(STDOUT_FILENO))
			errx(2,
			    "not writing %zu binary bytes to a terminal: "
			    "use -o file or a pipe",
			    len);
		if (io_writeall(STDOUT_FILENO, buf, len) == -1)
			err(2, "stdout");
		return;
	}
	if (io_out_open(&o, path, 0600, IO_OUT_FORCE) == -1 ||
	    io_writeall(o.fd, buf, len) == -1 || io_out_commit(&o) == -1) {
		if (o.fd != -1)
			io_out_abort(&o);
		err(2, "%s", path);
	}
}

const char *
base_name(const char *path)
{
	const char *slash = strrchr(path, '/');

	return slash != NULL ? slash + 1 : path;
}
