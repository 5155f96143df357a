/*
 * out: an attack's progress on stderr and its recovered data on stdout
 * or in -o's file (written whole, then renamed into place).
 */
#include <err.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "attack.h"
#include "io.h"

void
attack_progress(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "pk-attack: %s: ", attack_self->name);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

void
attack_stats(unsigned long long queries, size_t recovered)
{
	attack_progress(
	    "%llu queries, %zu bytes recovered", queries, recovered);
}

void
attack_output(const uint8_t *p, size_t len)
{
	struct io_out o;

	if (attack_out == NULL || (attack_out[0] == '-' && !attack_out[1])) {
		if (io_writeall(STDOUT_FILENO, p, len) != (ssize_t)len)
			err(2, "stdout");
		return;
	}
	if (io_out_open(&o, attack_out, 0600, IO_OUT_FORCE) == -1)
		err(2, "%s", attack_out);
	if (io_writeall(o.fd, p, len) != (ssize_t)len) {
		io_out_abort(&o);
		err(2, "%s", attack_out);
	}
	if (io_out_commit(&o) == -1)
		err(2, "%s", attack_out);
}

uint8_t *
attack_slurp(const char *path, size_t max, size_t *len)
{
	uint8_t *buf;

	if ((buf = malloc(max + 1)) == NULL)
		err(2, NULL);
	if (io_readfile(path, buf, max, len) == -1) {
		if (errno == EFBIG)
			errx(2, "%s: larger than %zu bytes", path, max);
		err(2, "%s", path);
	}
	buf[*len] = '\0'; /* for the text readers */
	return buf;
}
