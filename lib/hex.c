/*
 * hex: strict base-16 decoding (no silent truncation) and encoding.
 */
#include <errno.h>

#include "hex.h"

static int
nibble(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

ssize_t
hex_decode(const char *s, size_t len, uint8_t *out, size_t max)
{
	size_t i;
	int hi, lo;

	while (len > 0 && (s[len - 1] == '\n' || s[len - 1] == '\r'))
		len--;
	if (len % 2 != 0) {
		errno = EINVAL;
		return -1;
	}
	if (len / 2 > max) {
		errno = EOVERFLOW;
		return -1;
	}
	for (i = 0; i < len / 2; i++) {
		hi = nibble(s[2 * i]);
		lo = nibble(s[2 * i + 1]);
		if (hi < 0 || lo < 0) {
			errno = EINVAL;
			return -1;
		}
		out[i] = (uint8_t)(hi << 4 | lo);
	}
	return (ssize_t)(len / 2);
}

void
hex_encode(const uint8_t *in, size_t n, char *out)
{
	static const char digits[] = "0123456789abcdef";
	size_t i;

	for (i = 0; i < n; i++) {
		out[2 * i] = digits[in[i] >> 4];
		out[2 * i + 1] = digits[in[i] & 15];
	}
	out[2 * n] = '\0';
}
