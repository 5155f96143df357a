/*
 * pkcs7: PKCS#7 padding (RFC 5652 section 6.3) of the final block of a
 * block cipher's input, and its check-and-strip in constant time, so that
 * neither the time taken nor the result's shape tells which byte was bad.
 * Nothing here prints, allocates or exits.
 */
#ifndef PK_PKCS7_H
#define PK_PKCS7_H

#include <stddef.h>
#include <stdint.h>

/*
 * Pads buf[0..len) to the next multiple of bs (1 .. 255): writes bs - len %
 * bs bytes of that value at buf + len (a whole block when len is already a
 * multiple) and returns the padded length.  buf must have room for len +
 * bs bytes.
 */
size_t pkcs7_pad(uint8_t *buf, size_t len, size_t bs);

/*
 * Checks the padding that ends buf[0..len), looking at every byte of the
 * last block whatever it finds, and returns the length without it; -1 when
 * len is not a non-zero multiple of bs (1 .. 255) or the padding is bad.
 */
long pkcs7_strip(const uint8_t *buf, size_t len, size_t bs);

#endif
