/*
 * frame: protokit's framing for the protocols whose originals had none
 * (keymanager, chat, e2e, ca): a 4-byte big-endian length, then that many
 * bytes of payload.  The decoder works on a caller's buffer, so the relay
 * (per-connection input buffer) and the blocking client share it.  The
 * length is checked against the caller's max before anything waits for
 * the body.  Nothing here allocates, prints or exits.
 */
#ifndef PK_FRAME_H
#define PK_FRAME_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#define FRAME_HDR 4
#define FRAME_MAX (64 * 1024) /* default largest payload */

enum frame_rv {
	FRAME_OK = 0, /* one frame: *payload, *plen, *used set */
	FRAME_NEED_MORE = 1, /* not an error: read more bytes */
	FRAME_ETOOBIG = -1, /* the length is above max */
	FRAME_EEMPTY = -2, /* a zero length: no protocol gives it a meaning */
};

/*
 * Looks for one frame at the start of buf.  On FRAME_OK the payload is
 * buf[FRAME_HDR .. FRAME_HDR + *plen) and *used = FRAME_HDR + *plen.
 */
int frame_decode(const uint8_t *buf, size_t len, size_t max,
    const uint8_t **payload, size_t *plen, size_t *used);

/* Writes the 4-byte header for a payload of len bytes. */
void frame_put_header(uint8_t out[FRAME_HDR], uint32_t len);

const char *frame_strerror(int rv);

#endif
