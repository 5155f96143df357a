/*
 * files: key files in and out.  A key is read whole (KEY_FILE_MAX) into
 * wiped memory; an output appears only once complete (lib/io io_out).
 */
#include <errno.h>
#include <unistd.h>

#include "io.h"
#include "keygen.h"
#include "secret.h"

void
read_key(const char *path, const struct pass_src *src, struct key_rsa *k)
{
	uint8_t *data = xsecret(KEY_FILE_MAX), *pass = NULL;
	size_t len;
	ssize_t passlen = -1;
	int rv;

	if (io_readfile(path, data, KEY_FILE_MAX, &len) == -1)
		die_errno(2, "%s", path);
	if (key_is_encrypted(data, len)) {
		pass = xsecret(SECRET_MAX);
		passlen = pass_get(src, pass, 0);
	}
	rv = key_parse(k, data, len, passlen >= 0 ? pass : NULL,
	    passlen >= 0 ? (size_t)passlen : 0);
	if (rv != 0)
		die(rv == KEY_EPASS ? 1 : 2, "%s: %s", path, key_strerror(rv));
}

int
write_out(const char *path, int mode, int force, const uint8_t *buf, size_t len)
{
	struct io_out o;

	if (io_out_open(&o, path, mode, force) == -1)
		return -1;
	if (io_writeall(o.fd, buf, len) != (ssize_t)len) {
		io_out_abort(&o);
		return -1;
	}
	return io_out_commit(&o);
}
