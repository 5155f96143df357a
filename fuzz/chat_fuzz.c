/*
 * chat_fuzz: the chat service's message parsing on arbitrary bytes, in
 * the order the service applies it: frames cut by frame_decode against
 * CHAT_FRAME_MAX, the first checked as a user name, the second parsed as
 * the client's public key, every later one by chat_msg_parse; and each
 * whole frame through chat_trace, the --trace decoder, as the frame of
 * its step and as a typed one, with a session key.  Checks that nothing
 * reads past the input and that what is accepted, and every field named,
 * lies inside it and obeys the documented limits.
 */
#include <stdlib.h>
#include <string.h>

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
	static const uint8_t key[CHAT_KEY] = {1, 2, 3};
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

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const uint8_t *p;
	size_t plen, used, off = 0;
	struct key_rsa k;
	int n = 0;

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
