/*
 * pkcs7: pad a final block and check-and-strip it in constant time.  See
 * pkcs7.h.
 */
#include <string.h>

#include "pkcs7.h"

size_t
pkcs7_pad(uint8_t *buf, size_t len, size_t bs)
{
	size_t p = bs - len % bs;

	memset(buf + len, (int)p, p);
	return len + p;
}

long
pkcs7_strip(const uint8_t *buf, size_t len, size_t bs)
{
	const uint8_t *last;
	unsigned int p, n, bad, in_pad, i;

	if (bs == 0 || bs > 255 || len == 0 || len % bs != 0)
		return -1;
	n = (unsigned int)bs;
	last = buf + len - bs;
	p = last[n - 1];
	/* p == 0 and p > n both wrap an unsigned below into high bits. */
	bad = ((p - 1) | (n - p)) >> 8;
	for (i = 0; i < n; i++) {
		/* All ones for the last p bytes, zero before them. */
		in_pad = -(((n - 1 - i) - p) >> 31);
		bad |= in_pad & (last[i] ^ p);
	}
	return bad == 0 ? (long)(len - p) : -1;
}
