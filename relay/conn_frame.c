/*
 * conn_frame: one protokit frame (lib/frame.h: a 4-byte big-endian length,
 * then the payload) queued for a client, for the services whose messages
 * are frames of text.
 */
#include "frame.h"
#include "service.h"

int
conn_send_frame(struct conn *c, const void *p, size_t len)
{
	uint8_t hdr[FRAME_HDR];

	frame_put_header(hdr, (uint32_t)len);
	if (conn_send(c, hdr, sizeof(hdr)) == -1)
		return -1;
	return conn_send(c, p, len);
}
