/*
 * frame: the 4-byte big-endian length-prefixed frame, encoder and
 * incremental decoder (the length is checked before the body is awaited,
 * as Nettle's read_bignum checks its size before allocating).
 */

#include <stdint.h>

#include "frame.h"

int
frame_decode(const uint8_t *buf, size_t len, size_t max,
    const uint8_t **payload, size_t *plen, size_t *used)
{
	uint32_t n;

	if (len < FRAME_HDR)
		return FRAME_NEED_MORE;
	n = (uint32_t)buf[0] << 24 | (uint32_t)buf[1] << 16 |
	    (uint32_t)buf[2] << 8 | buf[3];
	if (n == 0)
		return FRAME_EEMPTY;
	if (n > max)
		return FRAME_ETOOBIG;
	if (len - FRAME_HDR < n)
		return FRAME_NEED_MORE;
	*payload = buf + FRAME_HDR;
	*plen = n;
	*used = FRAME_HDR + n;
	return FRAME_OK;
}

void
frame_put_header(uint8_t out[FRAME_HDR], uint32_t len)
{
	out[0] = (uint8_t)(len >> 24);
	out[1] = (uint8_t)(len >> 16);
	out[2] = (uint8_t)(len >> 8);
	out[3] = (uint8_t)len;
}

const char *
frame_strerror(int rv)
{
	switch (rv) {
	case FRAME_OK:
		return "ok";
	case FRAME_NEED_MORE:
		return "incomplete frame";
	case FRAME_ETOOBIG:
		return "frame larger than allowed";
	case FRAME_EEMPTY:
		return "empty frame";
	}
	return "unknown error";
}
