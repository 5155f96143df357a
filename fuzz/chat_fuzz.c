/*
 * chat_fuzz: the chat service's message parsing on arbitrary bytes, in
 * the order the service applies it: frames cut by frame_decode against
 * CHAT_FRAME_MAX, the first checked as a user name, the second parsed as
 * the client's public key, every later one by chat_msg_parse; and each
 * whole frame through chat_trace, the --trace decoder, as the frame of
 * its step and as a typed one, with a session key.  An input whose
 * first frame is a hardened one (the client's hello, or the relay's `k`
 * key frame) is taken as the hardened profile's frames of that direction
 * (lib/chathard.c): the hello's and the keys' checks, then
 * chat_h_wrapped_parse, chat_h_parse and chat_h_open with a K, and
 * chat_trace on the hardened steps.  Checks that nothing reads past the
 * input and that what is accepted, and every field named, lies inside it
 * and obeys the documented limits.
 */
#include <stdlib.h>
#include <string.h>

#include "chathard.h"
#include "chattrace.h"
#include "chatwire.h"
#include "frame.h"
#include "key.h"

static void
check_msg(const uint8_t *p, size_t len)
{
	struct chat_msg m;
	int type;

	if ((type = chat_msg_parse(p, len, &m)) == -1)
		return;
	if (m.body < p || m.body + m.len > p + len || m.len > CHAT_TEXT_MAX)
		abort();
	if (type == CHAT_MSG && (m.iv != p + 1 || m.len == 0))
		abort();
	if (type == CHAT_PING && len != 1)
		abort();
	if (type == CHAT_NOTICE && memchr(m.body, '\n', m.len) != NULL)
		abort();
}

/* The fields chat_trace names lie in the frame, the plaintext in plain. */
static void
check_trace(const uint8_t *frame, size_t len, enum chat_step step)
{
	static const uint8_t key[CHAT_H_K] = {1, 2, 3};
	static uint8_t plain[CHAT_TEXT_MAX];
	struct trace_frame fr;
	size_t i;

	trace_begin(&fr, "chat", TRACE_RECV, NULL, frame, len);
	chat_trace(&fr, step, key, plain);
	for (i = 0; i < fr.n; i++) {
		const struct trace_field *f = &fr.f[i];

		if (f->type == TRACE_PLAIN && f->data != key &&
		    (f->data != plain || f->len > sizeof(plain)))
			abort();
		if (f->type != TRACE_PLAIN &&
		    (f->off > len || f->len > len - f->off))
			abort();
	}
	if (fr.bad == NULL && step == CHAT_STEP_TYPED && fr.n < 2)
		abort();
}

/* A hardened sealed frame, and a wrapped key frame, of direction dir. */
static void
check_sealed(const uint8_t *p, size_t len, enum chat_h_dir dir)
{
	static const uint8_t k[CHAT_H_K] = {4, 5, 6};
	static uint8_t out[CHAT_TEXT_MAX];
	struct chat_h_wrapped w;
	struct chat_h_sealed s;
	int type = chat_h_parse(p, len, dir, &s);

	if (type != -1 &&
	    (s.hdr != p || s.body != p + CHAT_H_HDR ||
		s.len + CHAT_H_SEALED_MIN != len ||
		s.tag != p + len - CHAT_H_TAG || len > CHAT_H_FRAME_MAX ||
		(dir == CHAT_H_UP && type != CHAT_H_MSG)))
		abort();
	if (type != -1 && s.len <= sizeof(out))
		(void)chat_h_open(k, dir, &s, out);
	if (chat_h_wrapped_parse(p, len, &w) == 0 &&
	    (w.wrapped != p + CHAT_H_WRAPPED_HDR || w.wrapped_len == 0 ||
		w.sig_len == 0 || w.sig != w.wrapped + w.wrapped_len ||
		CHAT_H_WRAPPED_HDR + w.wrapped_len + w.sig_len != len))
		abort();
}

/* The hardened frames of one direction: up after a hello, else down. */
static void
hardened(const uint8_t *data, size_t size, int up)
{
	static const enum chat_step steps[2][3] = {
	    {CHAT_STEP_H_SERVER_KEY, CHAT_STEP_H_WRAPPED, CHAT_STEP_H_DOWN},
	    {CHAT_STEP_H_HELLO, CHAT_STEP_H_CLIENT_KEY, CHAT_STEP_H_UP}};
	const uint8_t *p;
	size_t plen, used, off = 0;
	struct key_rsa k;
	int n = 0;

	while (off < size &&
	    frame_decode(data + off, size - off, CHAT_H_FRAME_MAX, &p, &plen,
		&used) == FRAME_OK) {
		if (used > size - off || plen > CHAT_H_FRAME_MAX)
			abort();
		if (n == 1 && plen > 1 && plen <= 1 + CHAT_H_DER_MAX) {
			key_init(&k);
			(void)key_parse(&k, p + 1, plen - 1, NULL, 0);
			key_clear(&k);
		} else if (n >= 1)
			check_sealed(p, plen, up ? CHAT_H_UP : CHAT_H_DOWN);
		check_trace(data + off, used, steps[up][n < 2 ? n : 2]);
		off += used;
		n++;
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const uint8_t *p;
	size_t plen, used, off = 0;
	struct key_rsa k;
	int n = 0;

	/* The relay's key frame ('k', SPKI DER), or the client's hello. */
	if (size > FRAME_HDR + 1 &&
	    ((data[FRAME_HDR] == CHAT_H_SERVER &&
		 data[FRAME_HDR + 1] == 0x30) ||
		chat_h_is_hello(data + FRAME_HDR, size - FRAME_HDR))) {
		hardened(data, size, data[FRAME_HDR] != CHAT_H_SERVER);
		return 0;
	}
	while (off < size &&
	    frame_decode(data + off, size - off, CHAT_FRAME_MAX, &p, &plen,
		&used) == FRAME_OK) {
		if (p != data + off + FRAME_HDR || used != FRAME_HDR + plen ||
		    plen == 0 || plen > CHAT_FRAME_MAX || used > size - off)
			abort();
		if (n == 0) {
			if (chat_name_check(p, plen) == 0 &&
			    (plen > CHAT_NAME_MAX ||
				memchr(p, 0, plen) != NULL))
				abort();
		} else if (n == 1 && plen <= CHAT_PEM_MAX) {
			key_init(&k);
			(void)key_parse(&k, p, plen, NULL, 0);
			key_clear(&k);
		} else
			check_msg(p, plen);
		check_trace(data + off, used,
		    n < CHAT_STEP_TYPED ? (enum chat_step)n : CHAT_STEP_TYPED);
		check_trace(data + off, used, CHAT_STEP_TYPED);
		off += used;
		n++;
	}
	return 0;
}
