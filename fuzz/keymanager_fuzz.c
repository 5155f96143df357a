/*
 * keymanager_fuzz: the key manager's frame decoding and command parser
 * (lib/kmwire.c) on arbitrary bytes, as the relay runs them on
 * a client's input: frames of at most KM_FRAME_MAX, each parsed.  Checks
 * that a parsed command lies inside its frame and re-reads the same.
 * Each frame also goes through the trace decoder (lib/kmtrace.c) as every
 * side sees it on both profiles, with K3 and K known (hardened: K, and a
 * nonce), and the rest as a file piece.  The hardened sealing
 * (lib/kmhard.c) opens what it sealed, and refuses it with one bit
 * flipped.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "frame.h"
#include "kmhard.h"
#include "kmtrace.h"
#include "kmwire.h"

/* One side's view of one frame. */
static void
one(struct km_trace *t, const uint8_t *p, size_t len, int raw, int dir)
{
	static const uint8_t key[KM_BLOCK];
	static uint8_t scratch[KM_FRAME_MAX + FRAME_HDR];
	struct trace_frame fr;

	if (!t->hardened)
		km_trace_keys(t, p[0] & 1 ? KM_CBC : KM_CFB, key, key);
	t->last = p[0] & 2 ? KM_GET_IV : KM_GET_KEY;
	t->scratch = scratch;
	t->scratch_size = sizeof(scratch);
	trace_begin(&fr, "keymanager", (enum trace_dir)dir, NULL, p, len);
	if (raw)
		km_trace_file(&fr, t);
	else
		km_trace(&fr, t);
	if (fr.n > TRACE_FIELDS)
		abort();
}

/* What km_h_seal sealed opens; with a bit flipped, it does not. */
static void
sealing(const uint8_t *data, size_t size)
{
	static const uint8_t k[KM_H_K], nonce[KM_H_NONCE];
	uint8_t buf[256], orig[256], tag[KM_H_TAG];
	size_t n = size < sizeof(buf) ? size : sizeof(buf);
	struct km_h_keys keys;

	km_h_derive(k, &keys);
	memcpy(orig, data, n);
	memcpy(buf, data, n);
	km_h_seal(&keys, nonce, n, KM_H_KIND_PIECE, n, buf, tag);
	if (km_h_open(&keys, nonce, n, KM_H_KIND_PIECE, n, buf, tag) != 0 ||
	    memcmp(buf, orig, n) != 0)
		abort();
	km_h_seal(&keys, nonce, n, KM_H_KIND_LAST, n, buf, tag);
	if (n > 0)
		buf[data[0] % n] ^= 1;
	else
		tag[0] ^= 1;
	if (km_h_open(&keys, nonce, n, KM_H_KIND_LAST, n, buf, tag) != -1)
		abort();
}

/* The decoder on one frame (or file piece) from every side's view. */
static void
trace_all(const uint8_t *p, size_t len, int raw)
{
	static const uint8_t key[KM_H_K];
	struct aes128_ctx k3;
	struct km_trace t;
	int side, dir, hard;

	aes128_set_decrypt_key(&k3, key);
	for (hard = 0; hard <= 1; hard++)
		for (side = KM_SIDE_CLIENT; side <= KM_SIDE_WAITER; side++)
			for (dir = TRACE_SENT; dir <= TRACE_RECV; dir++) {
				km_trace_init(
				    &t, (enum km_side)side, hard ? NULL : &k3);
				if (hard) {
					km_trace_hard_k(&t, key);
					t.have_nonce = p[0] & 4;
				}
				one(&t, p, len, raw, dir);
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
		if (m.blob != NULL &&
		    (m.blob < p || m.blob_len > plen - (size_t)(m.blob - p)))
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
	sealing(data, size);
	return 0;
}
