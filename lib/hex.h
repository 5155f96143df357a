/*
 * hex: base-16 text to bytes and back, for keys and IVs on the command line
 * and in key files (what `openssl rand -hex` writes).
 */
#ifndef PK_HEX_H
#define PK_HEX_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/*
 * Decodes len hex digits (either case) into out; trailing newlines and
 * carriage returns are ignored.  Returns the byte count, or -1 with errno
 * EINVAL (a non-hex character or an odd count) or EOVERFLOW (over max).
 */
ssize_t hex_decode(const char *s, size_t len, uint8_t *out, size_t max);
/* Writes 2n lower-case digits and a NUL to out (2n + 1 bytes). */
void hex_encode(const uint8_t *in, size_t n, char *out);

#endif
