/*
 * chat: the session key and the messages of a chat capture, for the
 * attacks chat-keysub and chat-leaver.  The key opens with lib/chatkey.c
 * (RSA-OAEP), the frames parse and open with lib/chatwire.c and
 * lib/chathard.c, as the relay and the clients parse and open them.
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

/* Opens w with k as either profile's wrapped key; 0, or -1. */
static int
unwrap(
    const struct key_rsa *k, const uint8_t *w, size_t len, struct chat_key *key)
{
	for (key->hardened = 0; key->hardened < 2; key->hardened++)
		if (chatkey_unwrap(k, key->hardened, w, len, key->k) == 0)
			return 0;
	return -1;
}

/* The first wrapped key frame of the capture that k opens, or -1. */
static int
from_capture(
    const struct capture *c, const struct key_rsa *k, struct chat_key *key)
{
	const struct capture_field *f;
	size_t tried = 0, i;

	for (i = 0; i < c->n; i++) {
		if (strcmp(c->fr[i].proto, "chat") != 0 ||
		    (strcmp(c->fr[i].step, "wrapped_key") != 0 &&
			strcmp(c->fr[i].step, "session_key") != 0) ||
		    (f = capture_field(&c->fr[i], "wrapped_key")) == NULL ||
		    f->off < 0)
			continue;
		tried++;
		if (unwrap(k, f->data, f->len, key) == 0) {
			attack_progress("the wrapped key of frame %zu (line "
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

static void
given(const char *path, struct chat_key *key)
{
	uint8_t *buf;
	size_t len;

	buf = attack_slurp(path, CHAT_H_K, &len);
	if (len != CHAT_KEY && len != CHAT_H_K)
		errx(2, "%s: %zu bytes, not a session key (%d or %d)", path,
		    len, CHAT_KEY, CHAT_H_K);
	memcpy(key->k, buf, len);
	key->hardened = len == CHAT_H_K;
	secret_wipe(buf, len);
	free(buf);
}

int
chat_session_key(const struct capture *c, const struct chat_key_src *src,
    struct chat_key *key)
{
	struct key_rsa k;
	uint8_t *buf;
	size_t len;
	int rv;

	if (src->session != NULL) {
		given(src->session, key);
		return 0;
	}
	load_key(&k, src->keyfile);
	if (src->wrapped == NULL)
		rv = from_capture(c, &k, key);
	else {
		buf = attack_slurp(src->wrapped, WRAPPED_MAX, &len);
		if ((rv = unwrap(&k, buf, len, key)) == -1)
			attack_progress("%s does not open with %s",
			    src->wrapped, src->keyfile);
		free(buf);
	}
	key_clear(&k);
	if (rv == 0)
		attack_progress("a session key of the %s profile",
		    key->hardened ? "hardened" : "faithful");
	return rv;
}

size_t
chat_messages(const struct capture *c, size_t from, size_t *idx, size_t max)
{
	const struct capture_frame *fr, *seen;
	size_t n = 0, k, kept = 0;
	long i = -1;

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
	for (k = 0; k < n; k++)
		if (idx[k] >= from)
			idx[kept++] = idx[k];
	return kept;
}

/* A faithful message: CFB-8, then it must read as "user: text". */
static long
open_faithful(const uint8_t *p, size_t len, const uint8_t *key, uint8_t *text)
{
	const uint8_t *colon;
	struct chat_msg m;
	size_t head;

	if (chat_msg_parse(p, len, &m) != CHAT_MSG)
		return -1;
	chatkey_cfb8(key, m.iv, 0, m.len, text, m.body);
	head = m.len < CHAT_NAME_MAX + 2 ? m.len : CHAT_NAME_MAX + 2;
	if ((colon = memmem(text, head, ": ", 2)) == NULL ||
	    chat_name_check(text, (size_t)(colon - text)) == -1) {
		secret_wipe(text, m.len);
		return -1;
	}
	return (long)m.len;
}

long
chat_open(
    const struct capture_frame *fr, const struct chat_key *key, uint8_t *text)
{
	const uint8_t *p = fr->buf + FRAME_HDR;
	size_t len = fr->len - FRAME_HDR;
	enum chat_h_dir dir;
	struct chat_h_sealed s;

	if (fr->len <= FRAME_HDR)
		return -1;
	if (!key->hardened)
		return open_faithful(p, len, key->k, text);
	dir = fr->dir == TRACE_SENT ? CHAT_H_UP : CHAT_H_DOWN;
	if (chat_h_parse(p, len, dir, &s) != CHAT_H_MSG ||
	    s.len > CHAT_TEXT_MAX || chat_h_open(key->k, dir, &s, text) == -1)
		return -1;
	return (long)s.len;
}

size_t
chat_output(const struct capture *c, const size_t *idx, size_t n,
    const struct chat_key *key)
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
