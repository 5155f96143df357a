/*
 * secret: wiping allocation, a wiping GMP allocator (GMP manual, "Custom
 * Allocation"), and secret sources other than argv (minisign get_line.c).
 */
#include <errno.h>
#include <gmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include "io.h"
#include "secret.h"

void
secret_wipe(void *p, size_t n)
{
	if (p != NULL)
		explicit_bzero(p, n);
}

void *
secret_alloc(size_t n)
{
	return calloc(1, n ? n : 1);
}

void
secret_free(void *p, size_t n)
{
	if (p == NULL)
		return;
	explicit_bzero(p, n);
	free(p);
}

static void *
gmp_alloc(size_t n)
{
	void *p;

	if ((p = malloc(n)) == NULL)
		abort(); /* GMP has no way to report failure */
	return p;
}

static void *
gmp_realloc(void *old, size_t oldn, size_t newn)
{
	void *p = gmp_alloc(newn);

	memcpy(p, old, oldn < newn ? oldn : newn);
	secret_free(old, oldn);
	return p;
}

void
secret_gmp_init(void)
{
	mp_set_memory_functions(gmp_alloc, gmp_realloc, secret_free);
}

int
secret_from_file(const char *path, uint8_t *buf, size_t max, size_t *len)
{
	return io_readfile(path, buf, max, len);
}

int
secret_from_fd(int fd, uint8_t *buf, size_t max, size_t *len)
{
	return io_readfd(fd, buf, max, len);
}

int
secret_from_env(const char *name, uint8_t *buf, size_t max, size_t *len)
{
	const char *v = getenv(name);
	size_t n;

	if (v == NULL) {
		errno = ENOENT;
		return -1;
	}
	if ((n = strlen(v)) > max) {
		errno = EFBIG;
		return -1;
	}
	memcpy(buf, v, n);
	*len = n;
	return 0;
}

int
secret_from_tty(const char *prompt, uint8_t *buf, size_t max, size_t *len)
{
	struct termios old, noecho;
	ssize_t r;
	size_t n = 0;
	int saved;

	if (!isatty(STDIN_FILENO) || tcgetattr(STDIN_FILENO, &old) == -1) {
		errno = ENOTTY;
		return -1;
	}
	noecho = old;
	noecho.c_lflag &= ~(tcflag_t)ECHO;
	noecho.c_lflag |= ECHONL;
	fputs(prompt, stderr);
	fflush(stderr);
	if (tcsetattr(STDIN_FILENO, TCSAFLUSH, &noecho) == -1)
		return -1;
	/* Byte at a time up to the newline: the terminal is line-buffered. */
	for (;;) {
		r = read(STDIN_FILENO, buf + n, 1);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0 || buf[n] == '\n')
			break;
		if (++n == max) {
			errno = EFBIG;
			r = -1;
			break;
		}
	}
	saved = errno;
	tcsetattr(STDIN_FILENO, TCSAFLUSH, &old);
	if (r == 0) /* end of input: no newline echoed, end the prompt's */
		fputc('\n', stderr);
	if (r < 0) {
		secret_wipe(buf, max);
		errno = saved;
		return -1;
	}
	*len = n;
	return 0;
}

size_t
secret_chomp(const uint8_t *buf, size_t len)
{
	if (len > 0 && buf[len - 1] == '\n')
		len--;
	if (len > 0 && buf[len - 1] == '\r')
		len--;
	return len;
}

int
secret_passphrase(const struct secret_src *src, const char *prompt,
    uint8_t *buf, size_t max, size_t *len)
{
	int rv;

	if (src->file != NULL)
		rv = secret_from_file(src->file, buf, max, len);
	else if (src->fd != -1)
		rv = secret_from_fd(src->fd, buf, max, len);
	else if (src->env != NULL)
		rv = secret_from_env(src->env, buf, max, len);
	else
		rv = secret_from_tty(prompt, buf, max, len);
	if (rv == 0 && (*len = secret_chomp(buf, *len)) == 0) {
		errno = ENODATA;
		rv = -1;
	}
	if (rv == -1) {
		int saved = errno;

		secret_wipe(buf, max);
		errno = saved;
	}
	return rv;
}
