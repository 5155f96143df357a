/*
 * chat: the session key and the messages of a chat capture, for the
 * attacks chat-keysub and chat-leaver.  The key opens with lib/chatkey.c
 * (RSA-OAEP-SHA1), the frames parse with lib/chatwire.c, as the relay
 * and the clients parse them.
 */
#include <err.h>
#include <stdlib.h>
#include <string.h>

#include "chat.h"
#include "chatkey.h"
#include "frame.h"
#include "secret.h"

#define WRAPPED_MAX (KEY_RSA_BITS_MAX / 8)

static void
load_key(struct key_rsa *k, const char *path)
{
	char msg[512];
	int rv;

	secret_gmp_init();
	key_init(k);
	if ((rv = key_load(k, path, NULL, 1)) != KEY_OK) {
		key_load_msg(rv, path, NULL, msg, sizeof(msg));
		errx(2, "%s", msg);
	}
}

/* The first wrapped_key frame of the capture that k opens, or -1. */
static int
from_capture(const struct capture *c, const struct key_rsa *k, uint8_t *key)
{
	const struct capture_field *f;
	size_t tried = 0;
	long i = -1;

	while ((i = capture_find(c, i + 1, "chat", "wrapped_key", -1)) != -1) {
		f = capture_field(&c->fr[i], "wrapped_key");
		if (f == NULL || f->off < 0)
			continue;
		tried++;
		if (chatkey_unwrap(k, f->data, f->len, key) == 0) {
			attack_progress("the wrapped key of frame %ld (line "
					"%zu) opens with this key",
			    i, c->fr[i].line);
			return 0;
		}
	}
	attack_progress("none of the %zu wrapped keys in the capture opens"
			" with this key",
	    tried);
	return -1;
}

int
chat_session_key(
    const struct capture *c, const struct chat_key_src *src, uint8_t *key)
{
	struct key_rsa k;
	uint8_t *buf;
	size_t len;
	int rv;

	if (src->session != NULL) {
		buf = attack_slurp(src->session, CHAT_KEY, &len);
		if (len != CHAT_KEY)
			errx(2, "%s: %zu bytes, not a session key (%d)",
			    src->session, len, CHAT_KEY);
		memcpy(key, buf, CHAT_KEY);
		secret_wipe(buf, len);
		free(buf);
		return 0;
	}
	load_key(&k, src->keyfile);
	if (src->wrapped == NULL)
		rv = from_capture(c, &k, key);
	else {
		buf = attack_slurp(src->wrapped, WRAPPED_MAX, &len);
		if ((rv = chatkey_unwrap(&k, buf, len, key)) == -1)
			attack_progress("%s does not open with %s",
			    src->wrapped, src->keyfile);
		free(buf);
	}
	key_clear(&k);
	return rv;
}

size_t
chat_messages(const struct capture *c, size_t from, size_t *idx, size_t max)
{
	const struct capture_frame *fr, *seen;
	size_t n = 0, k;
	long i = (long)from - 1;

	while (n < max &&
	    (i = capture_find(c, i + 1, "chat", "message", -1)) != -1) {
		fr = &c->fr[i];
		for (k = 0; k < n; k++) {
			seen = &c->fr[idx[k]];
			if (seen->len == fr->len &&
			    memcmp(seen->buf, fr->buf, fr->len) == 0)
				break;
		}
		if (k == n)
			idx[n++] = (size_t)i;
	}
	return n;
}

long
chat_open(const struct capture_frame *fr, const uint8_t *key, uint8_t *text)
{
	struct chat_msg m;
	const uint8_t *colon;

	if (fr->len <= FRAME_HDR ||
	    chat_msg_parse(fr->buf + FRAME_HDR, fr->len - FRAME_HDR, &m) !=
		CHAT_MSG)
		return -1;
	chatkey_cfb8(key, m.iv, 0, m.len, text, m.body);
	colon = memmem(text,
	    m.len < CHAT_NAME_MAX + 2 ? m.len : CHAT_NAME_MAX + 2, ": ", 2);
	if (colon == NULL || chat_name_check(text, colon - text) == -1) {
		secret_wipe(text, m.len);
		return -1;
	}
	return (long)m.len;
}

size_t
chat_output(
    const struct capture *c, const size_t *idx, size_t n, const uint8_t *key)
{
	static uint8_t text[CHAT_TEXT_MAX];
	uint8_t *out;
	size_t i, len = 0, opened = 0;
	long tl;

	if ((out = malloc(n * (CHAT_TEXT_MAX + 1) + 1)) == NULL)
		err(2, NULL);
	for (i = 0; i < n; i++) {
		if ((tl = chat_open(&c->fr[idx[i]], key, text)) < 0)
			continue;
		memcpy(out + len, text, (size_t)tl);
		len += (size_t)tl;
		out[len++] = '\n';
		opened++;
	}
	secret_wipe(text, sizeof(text));
	if (opened > 0) {
		attack_stats(0, len);
		attack_output(out, len);
	}
	secret_wipe(out, len);
	free(out);
	return opened;
}
