/*
 * frame_fuzz: the frame decoder on arbitrary bytes: a frame it returns lies
 * inside the buffer, within max, and re-encodes to the same header.
 */
#include <stdlib.h>
#include <string.h>

#include "frame.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const uint8_t *p;
	uint8_t hdr[FRAME_HDR];
	size_t plen, used, off = 0, max = size > 0 ? data[0] * 64u : 1;

	while (off < size) {
		if (frame_decode(data + off, size - off, max, &p, &plen,
			&used) != FRAME_OK)
			return 0;
		if (plen == 0 || plen > max || used != FRAME_HDR + plen ||
		    used > size - off || p != data + off + FRAME_HDR)
			abort();
		frame_put_header(hdr, (uint32_t)plen);
		if (memcmp(hdr, data + off, FRAME_HDR) != 0)
			abort();
		off += used;
	}
	return 0;
}
