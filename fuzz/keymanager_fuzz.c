/*
 * keymanager_fuzz: the key manager's frame decoding and command parser
 * (lib/kmwire.c) on arbitrary bytes, as the relay runs them on
 * a client's input: frames of at most KM_FRAME_MAX, each parsed.  Checks
 * that a parsed command lies inside its frame and re-reads the same.
 * Each frame also goes through the trace decoder (lib/kmtrace.c) as every
 * side sees it, with K3 and K known, and the rest as a file piece.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "frame.h"
#include "kmtrace.h"
#include "kmwire.h"

/* The decoder on one frame (or file piece) from every side's view. */
static void
trace_all(const uint8_t *p, size_t len, int raw)
{
	static const uint8_t key[KM_BLOCK];
	static uint8_t scratch[KM_FRAME_MAX + FRAME_HDR];
	struct aes128_ctx k3;
	struct km_trace t;
	struct trace_frame fr;
	int side, dir;

	aes128_set_decrypt_key(&k3, key);
	for (side = KM_SIDE_CLIENT; side <= KM_SIDE_WAITER; side++)
		for (dir = TRACE_SENT; dir <= TRACE_RECV; dir++) {
			km_trace_init(&t, (enum km_side)side, &k3);
			km_trace_keys(&t, p[0] & 1 ? KM_CBC : KM_CFB, key, key);
			t.last = p[0] & 2 ? KM_GET_IV : KM_GET_KEY;
			t.scratch = scratch;
			t.scratch_size = sizeof(scratch);
			trace_begin(&fr, "keymanager", (enum trace_dir)dir,
			    NULL, p, len);
			if (raw)
				km_trace_file(&fr, &t);
			else
				km_trace(&fr, &t);
			if (fr.n > TRACE_FIELDS)
				abort();
		}
}

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
		trace_all(data + off, used, 0);
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
	if (off < size && size - off <= KM_FRAME_MAX)
		trace_all(data + off, size - off, 1);
	return 0;
}
