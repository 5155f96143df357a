/*
 * chatwire: checks for the chat protocol's user names and typed frames.
 */
#include "chatwire.h"

size_t
chat_pem_len(const uint8_t *pem, size_t len)
{
	if (len > 0 && pem[len - 1] == '\n')
		len--;
	if (len > 0 && pem[len - 1] == '\r')
		len--;
	return len;
}

/* Length of the UTF-8 sequence at p, or 0 if it is not well-formed. */
static size_t
utf8_seq(const uint8_t *p, size_t len)
{
	uint32_t cp;
	size_t n, i;

	if (p[0] < 0x80)
		return 1;
	if (p[0] >= 0xc2 && p[0] <= 0xdf) {
		n = 2;
		cp = p[0] & 0x1f;
	} else if (p[0] >= 0xe0 && p[0] <= 0xef) {
		n = 3;
		cp = p[0] & 0x0f;
	} else if (p[0] >= 0xf0 && p[0] <= 0xf4) {
		n = 4;
		cp = p[0] & 0x07;
	} else
		return 0;
	if (len < n)
		return 0;
	for (i = 1; i < n; i++) {
		if ((p[i] & 0xc0) != 0x80)
			return 0;
		cp = cp << 6 | (p[i] & 0x3f);
	}
	if ((n == 3 && cp < 0x800) || (n == 4 && cp < 0x10000) ||
	    cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff) ||
	    (cp >= 0x80 && cp < 0xa0))
		return 0;
	return n;
}

/* 0 when p is UTF-8 without C0, DEL or C1 controls (tab allowed if tab). */
static int
text_check(const uint8_t *p, size_t len, int tab)
{
	size_t i, n;

	for (i = 0; i < len; i += n) {
		if ((p[i] < 0x20 && !(tab && p[i] == '\t')) || p[i] == 0x7f)
			return -1;
		if ((n = utf8_seq(p + i, len - i)) == 0)
			return -1;
	}
	return 0;
}

int
chat_name_check(const uint8_t *p, size_t len)
{
	if (len == 0 || len > CHAT_NAME_MAX)
		return -1;
	return text_check(p, len, 0);
}

int
chat_msg_parse(const uint8_t *p, size_t len, struct chat_msg *m)
{
	if (len == 0)
		return -1;
	m->type = p[0];
	m->iv = NULL;
	m->body = p + 1;
	m->len = len - 1;
	switch (p[0]) {
	case CHAT_MSG:
		if (len <= 1 + CHAT_IV || len - 1 - CHAT_IV > CHAT_TEXT_MAX)
			return -1;
		m->iv = p + 1;
		m->body = p + 1 + CHAT_IV;
		m->len = len - 1 - CHAT_IV;
		return CHAT_MSG;
	case CHAT_NOTICE:
		if (len == 1 || len - 1 > CHAT_TEXT_MAX ||
		    text_check(p + 1, len - 1, 1) == -1)
			return -1;
		return CHAT_NOTICE;
	case CHAT_PING:
		return len == 1 ? CHAT_PING : -1;
	}
	return -1;
}
