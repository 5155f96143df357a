/*
 * keymanager_fuzz: the key manager's frame decoding and command parser
 * (lib/kmwire.c) on arbitrary bytes, as the relay runs them on
 * a client's input: frames of at most KM_FRAME_MAX, each parsed.  Checks
 * that a parsed command lies inside its frame and re-reads the same.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "frame.h"
#include "kmwire.h"

/* The canonical text of a parsed command, to parse again. */
static int
render(const struct km_msg *m, char *buf, size_t size)
{
	switch (m->type) {
	case KM_WAIT:
		return snprintf(buf, size, "wait %u", m->port);
	case KM_CONN:
		return snprintf(
		    buf, size, "conn %u %s", m->id, km_mode_name(m->mode));
	case KM_SIZE:
		return snprintf(
		    buf, size, "size %llu", (unsigned long long)m->count);
	default:
		return -1;
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const uint8_t *p;
	struct km_msg m, again;
	size_t plen, used, off = 0;
	char text[KM_CMD_MAX + 1];
	int n;

	while (off < size) {
		if (frame_decode(data + off, size - off, KM_FRAME_MAX, &p,
			&plen, &used) != FRAME_OK)
			break;
		if (used > size - off || plen > KM_FRAME_MAX)
			abort();
		km_parse(p, plen, &m);
		if (m.type == KM_CONFIRM_MSG && m.blob != p)
			abort();
		n = render(&m, text, sizeof(text));
		if (n > 0) {
			if (memcmp(text, p, plen) != 0 || (size_t)n != plen)
				abort();
			if (km_parse((const uint8_t *)text, (size_t)n,
				&again) != m.type)
				abort();
		}
		off += used;
	}
	return 0;
}
