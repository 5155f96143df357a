/*
 * conn_frame: one protokit frame (lib/frame.h: a 4-byte big-endian length,
 * then the payload) queued for a client, for the services whose messages
 * are frames of text.
 */
#include <errno.h>

#include "frame.h"
#include "relay.h"

int
conn_send_frame(struct conn *c, const void *p, size_t len, size_t max)
{
	uint8_t hdr[FRAME_HDR];

	if (len == 0 || len > max || len > UINT32_MAX) {
		conn_kill(c, "frame size out of range", EMSGSIZE);
		return -1;
	}
	frame_put_header(hdr, (uint32_t)len);
	if (conn_send(c, hdr, sizeof(hdr)) == -1)
		return -1;
	return conn_send(c, p, len);
}
