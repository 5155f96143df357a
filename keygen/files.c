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
read_key(const char *path, const struct secret_src *src, struct key_rsa *k)
{
	char msg[512];
	int rv;

	if ((rv = key_load(k, path, src, 0)) != KEY_OK)
		die(key_load_exit(rv), "%s",
		    key_load_msg(rv, path, src, msg, sizeof(msg)));
}

void
write_out(const char *path, int mode, int flags, const uint8_t *buf, size_t len)
{
	struct io_out o;

	if (io_out_open(&o, path, mode, flags) == -1 ||
	    io_writeall(o.fd, buf, len) != (ssize_t)len ||
	    io_out_commit(&o) == -1) {
		if (o.fd != -1)
			io_out_abort(&o);
		die(2, "%s: %s", path, io_out_strerror(errno));
	}
}
