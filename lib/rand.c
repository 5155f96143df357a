/*
 * rand: getrandom(2) in a loop.  rand_nettle aborts rather than return
 * predictable bytes: Nettle's random callback has no way to report failure.
 */
#include <sys/random.h>

#include <errno.h>
#include <stdlib.h>

#include "rand.h"

int
rand_fill(uint8_t *dst, size_t n)
{
	ssize_t r;

	while (n > 0) {
		r = getrandom(dst, n, 0);
		if (r < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		dst += r;
		n -= (size_t)r;
	}
	return 0;
}

void
rand_nettle(void *ctx, size_t n, uint8_t *dst)
{
	(void)ctx;
	if (rand_fill(dst, n) == -1)
		abort();
}
