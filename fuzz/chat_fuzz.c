/*
 * chat_fuzz: the chat service's message parsing on arbitrary bytes, in
 * the order the service applies it: frames cut by frame_decode against
 * CHAT_FRAME_MAX, the first checked as a user name, the second parsed as
 * the client's public key, every later one by chat_msg_parse.  Checks
 * that nothing reads past the input and that what is accepted lies
 * inside it and obeys the documented limits.
 */
#include <stdlib.h>
#include <string.h>

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
		off += used;
		n++;
	}
	return 0;
}
