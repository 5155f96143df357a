/*
 * secrets: every key buffer and key of a run is held in lib/secrets.h's
 * registry, so that each exit path, including every die(), wipes them
 * first (signify kdf: collect the error, wipe, then errx).
 */
#include <err.h>
#include <errno.h>
#include <stdarg.h>

#include "keygen.h"
#include "secrets.h"

void *
xsecret(size_t n)
{
	void *p;

	if ((p = secrets_alloc(n)) == NULL)
		die(2, "out of memory");
	return p;
}

struct key_rsa *
xkey(void)
{
	struct key_rsa *k;

	if ((k = secrets_key_alloc()) == NULL)
		die(2, "out of memory");
	return k;
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
