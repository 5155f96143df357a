/*
 * secrets: every key buffer and key of a run is registered here, so that
 * each exit path, including every die(), wipes them first (signify kdf:
 * collect the error, wipe, then errx).
 */
#include <err.h>
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>

#include "keygen.h"
#include "secret.h"

#define SECRETS_MAX 8

static struct {
	void *p;
	size_t n;
} bufs[SECRETS_MAX];
static size_t nbufs;
static struct key_rsa *keys[SECRETS_MAX];
static size_t nkeys;

void *
xsecret(size_t n)
{
	void *p;

	if (nbufs == SECRETS_MAX || (p = secret_alloc(n)) == NULL)
		die(2, "out of memory");
	bufs[nbufs].p = p;
	bufs[nbufs++].n = n;
	return p;
}

struct key_rsa *
xkey(void)
{
	struct key_rsa *k;

	if (nkeys == SECRETS_MAX || (k = calloc(1, sizeof(*k))) == NULL)
		die(2, "out of memory");
	key_init(k);
	keys[nkeys++] = k;
	return k;
}

void
secrets_wipe(void)
{
	while (nbufs > 0) {
		nbufs--;
		secret_free(bufs[nbufs].p, bufs[nbufs].n);
	}
	/* GMP's allocator (secret_gmp_init) wipes the numbers. */
	while (nkeys > 0) {
		key_clear(keys[--nkeys]);
		free(keys[nkeys]);
	}
}

noreturn void
die_errno(int eval, const char *fmt, ...)
{
	va_list ap;
	int saved = errno;

	secrets_wipe();
	errno = saved;
	va_start(ap, fmt);
	verr(eval, fmt, ap);
}

noreturn void
die(int eval, const char *fmt, ...)
{
	va_list ap;

	secrets_wipe();
	va_start(ap, fmt);
	verrx(eval, fmt, ap);
}
