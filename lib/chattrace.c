/*
 * chattrace: a chat frame as named fields.  Every frame begins with its
 * 4-byte big-endian length; the set-up frames then carry one field each
 * (user name, PEM key, wrapped session key), and every later frame a
 * type byte and what that type carries.
 */
#include <string.h>

#include <nettle/aes.h>
#include <nettle/cfb.h>

#include "chattrace.h"
#include "frame.h"
#include "secret.h"

static const char pem_begin[] = "-----BEGIN ";

/* The type byte and the fields after it, from off on. */
static void
typed(struct trace_frame *fr, size_t off, const uint8_t *key, uint8_t *plain)
{
	const uint8_t *p = fr->buf + off;
	size_t len = fr->len - off;
	struct trace_field *f;
	struct aes128_ctx aes;
	uint8_t iv[CHAT_IV];
	struct chat_msg m;
	int type = chat_msg_parse(p, len, &m);

	if (len == 0) {
		trace_bad(fr, "no type byte");
		return;
	}
	if ((f = trace_uint(fr, "type", off, 1, 0)) == NULL)
		return;
	switch (type) {
	case CHAT_MSG:
		fr->step = "message";
		f->note = "'M': message";
		trace_add(fr, "iv", off + 1, CHAT_IV, TRACE_IV);
		trace_add(
		    fr, "ciphertext", off + 1 + CHAT_IV, m.len, TRACE_CIPHER);
		if (key == NULL)
			return;
		aes128_set_encrypt_key(&aes, key);
		memcpy(iv, m.iv, CHAT_IV);
		cfb8_decrypt(&aes, (nettle_cipher_func *)aes128_encrypt,
		    CHAT_IV, iv, m.len, plain, m.body);
		secret_wipe(&aes, sizeof(aes));
		trace_plain(fr, "plaintext", plain, m.len,
		    "AES-128-CFB8 under the session key and the iv above");
		return;
	case CHAT_NOTICE:
		fr->step = "notice";
		f->note = "'N': notice";
		trace_add(fr, "text", off + 1, m.len, TRACE_TEXT);
		return;
	case CHAT_PING:
		fr->step = "keepalive";
		f->note = "'P': keepalive";
		return;
	}
	trace_bad(fr, "not a message, notice or keepalive");
}

/* The step's one set-up field, from off on. */
static void
setup(
    struct trace_frame *fr, enum chat_step step, size_t off, const uint8_t *key)
{
	const uint8_t *p = fr->buf + off;
	size_t len = fr->len - off;

	switch (step) {
	case CHAT_STEP_NAME:
		fr->step = "user_name";
		trace_add(fr, "name", off, len, TRACE_TEXT);
		if (chat_name_check(p, len) == -1)
			trace_bad(fr, "not 1 to 64 bytes of printable UTF-8");
		return;
	case CHAT_STEP_SERVER_KEY:
	case CHAT_STEP_CLIENT_KEY:
		fr->step =
		    step == CHAT_STEP_SERVER_KEY ? "server_key" : "client_key";
		trace_add(fr, "public_key", off, len, TRACE_PEM);
		if (len < sizeof(pem_begin) - 1 ||
		    memcmp(p, pem_begin, sizeof(pem_begin) - 1) != 0)
			trace_bad(fr, "not a PEM block");
		return;
	default:
		fr->step = "wrapped_key";
		trace_add(fr, "wrapped_key", off, len, TRACE_BYTES);
		if (key != NULL)
			trace_plain(fr, "session_key", key, CHAT_KEY,
			    fr->dir == TRACE_RECV
				? "unwrapped with the client's private key"
				: "this relay's, wrapped under the client's "
				  "public key");
		return;
	}
}

/* Hardened: a sealed frame's header, ciphertext, tag, and plaintext. */
static void
sealed(struct trace_frame *fr, enum chat_step step, struct trace_field *type,
    const uint8_t *key, uint8_t *plain)
{
	static const char *const names[][2] = {{"message", "'m': message"},
	    {"notice", "'n': notice"}, {"rekey", "'r': rekey"}};
	enum chat_h_dir dir = step == CHAT_STEP_H_UP ? CHAT_H_UP : CHAT_H_DOWN;
	const uint8_t *p = fr->buf + FRAME_HDR;
	size_t off = FRAME_HDR, len = fr->len - FRAME_HDR, i;
	struct chat_h_sealed s;
	int t = chat_h_parse(p, len, dir, &s);

	if (t == -1) {
		trace_bad(fr,
		    dir == CHAT_H_UP ? "not a sealed message"
				     : "not a sealed message, notice "
				       "or rekey");
		return;
	}
	i = t == CHAT_H_MSG ? 0 : t == CHAT_H_NOTICE ? 1 : 2;
	fr->step = names[i][0];
	type->note = names[i][1];
	trace_uint(fr, "epoch", off + 1, CHAT_H_EPOCH, 0);
	trace_uint(fr, "seq", off + 1 + CHAT_H_EPOCH, CHAT_H_SEQ, 0);
	trace_add(fr, "ciphertext", off + CHAT_H_HDR, s.len, TRACE_CIPHER);
	trace_add(fr, "tag", off + CHAT_H_HDR + s.len, CHAT_H_TAG, TRACE_BYTES);
	if (key == NULL || plain == NULL || s.len > CHAT_TEXT_MAX)
		return;
	if (chat_h_open(key, dir, &s, plain) == -1) {
		trace_bad(fr, "the tag does not verify under the K held");
		return;
	}
	trace_plain(fr, "plaintext", plain, s.len,
	    "AES-256-GCM under this epoch's K, the nonce the seq above");
}

/* Hardened: a key's SPKI DER, its fingerprint as the note. */
static void
der_key(struct trace_frame *fr, size_t off, uint8_t *plain)
{
	struct trace_field *f;
	uint8_t fp[CHAT_H_FP];

	f = trace_add(fr, "spki", off, fr->len - off, TRACE_BYTES);
	if (f == NULL || plain == NULL)
		return;
	chat_h_fingerprint(fr->buf + off, fr->len - off, fp);
	memcpy(plain, "sha256 ", 7);
	chat_h_fp_hex(fp, (char *)plain + 7);
	f->note = (const char *)plain;
}

/* Hardened: the wrapped key frame's fields. */
static void
wrapped(struct trace_frame *fr, const uint8_t *key)
{
	const size_t off = FRAME_HDR;
	struct chat_h_wrapped w;

	if (chat_h_wrapped_parse(fr->buf + off, fr->len - off, &w) == -1) {
		trace_bad(fr, "not 'w', epoch, a wrapped key and a signature");
		return;
	}
	trace_uint(fr, "epoch", off + 1, CHAT_H_EPOCH, 0);
	trace_uint(fr, "wrapped_length", off + 1 + CHAT_H_EPOCH, 2, 0);
	trace_add(fr, "wrapped_key", off + CHAT_H_WRAPPED_HDR, w.wrapped_len,
	    TRACE_BYTES);
	trace_add(fr, "signature", off + CHAT_H_WRAPPED_HDR + w.wrapped_len,
	    w.sig_len, TRACE_BYTES);
	if (key != NULL)
		trace_plain(fr, "session_key", key, CHAT_H_K,
		    fr->dir == TRACE_RECV
			? "unwrapped with the client's private key"
			: "made by this relay for this client");
}

/* Hardened: the hello's fields. */
static void
hello(struct trace_frame *fr)
{
	const size_t off = FRAME_HDR, name = off + 2 + CHAT_H_NONCE;

	if (!chat_h_is_hello(fr->buf + off, fr->len - off) || fr->len <= name) {
		trace_bad(fr, "not 'h', version 1, a nonce and a name");
		return;
	}
	trace_uint(fr, "version", off + 1, 1, 0);
	trace_add(fr, "nonce", off + 2, CHAT_H_NONCE, TRACE_BYTES);
	trace_add(fr, "name", name, fr->len - name, TRACE_TEXT);
	if (chat_name_check(fr->buf + name, fr->len - name) == -1)
		trace_bad(fr, "not 1 to 64 bytes of printable UTF-8");
}

/* A hardened set-up frame's type byte, step name and note. */
static const struct {
	char type;
	const char *step, *note;
} hsetup[] = {
    [CHAT_STEP_H_HELLO] = {CHAT_H_HELLO, "hello", "'h': hello"},
    [CHAT_STEP_H_SERVER_KEY] = {CHAT_H_SERVER, "server_key", "'k': server key"},
    [CHAT_STEP_H_CLIENT_KEY] = {CHAT_H_CLIENT, "client_key", "'c': client key"},
    [CHAT_STEP_H_WRAPPED] = {CHAT_H_WRAPPED, "session_key", "'w': wrapped key"},
};

/* A hardened frame: a type byte, then what that step carries. */
static void
hardened(struct trace_frame *fr, enum chat_step step, const uint8_t *key,
    uint8_t *plain)
{
	struct trace_field *f;
	uint8_t t = fr->buf[FRAME_HDR];

	if ((f = trace_uint(fr, "type", FRAME_HDR, 1, 0)) == NULL)
		return;
	if (t == CHAT_PING && fr->len == FRAME_HDR + 1 &&
	    step == CHAT_STEP_H_UP) {
		fr->step = "keepalive";
		f->note = "'P': keepalive";
		return;
	}
	if (step == CHAT_STEP_H_UP || step == CHAT_STEP_H_DOWN) {
		sealed(fr, step, f, key, plain);
		return;
	}
	fr->step = hsetup[step].step;
	if (t != hsetup[step].type) {
		trace_bad(fr, "not the type this step's frame has");
		return;
	}
	f->note = hsetup[step].note;
	if (step == CHAT_STEP_H_HELLO)
		hello(fr);
	else if (step == CHAT_STEP_H_WRAPPED)
		wrapped(fr, key);
	else
		der_key(fr, FRAME_HDR + 1, plain);
}

void
chat_trace(struct trace_frame *fr, enum chat_step step, const uint8_t *key,
    uint8_t *plain)
{
	struct trace_field *f;
	int hard = step >= CHAT_STEP_H_HELLO;

	if ((f = trace_uint(fr, "length", 0, FRAME_HDR, 0)) == NULL)
		return;
	if (f->num != fr->len - FRAME_HDR || f->num == 0 ||
	    f->num > (hard ? CHAT_H_FRAME_MAX : CHAT_FRAME_MAX)) {
		trace_bad(fr, "the length is not that of the frame");
		return;
	}
	if (hard)
		hardened(fr, step, key, plain);
	else if (step == CHAT_STEP_TYPED)
		typed(fr, FRAME_HDR, key, plain);
	else
		setup(fr, step, FRAME_HDR, key);
}

void
chat_trace_next(struct trace_frame *fr, const uint8_t next[CHAT_H_K])
{
	trace_plain(fr, "next_key", next, CHAT_H_K,
	    fr->dir == TRACE_RECV ? "unwrapped with the client's private key"
				  : "made by this relay for this client");
}
