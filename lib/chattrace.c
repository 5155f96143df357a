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

void
chat_trace(struct trace_frame *fr, enum chat_step step, const uint8_t *key,
    uint8_t *plain)
{
	struct trace_field *f;

	if ((f = trace_uint(fr, "length", 0, FRAME_HDR, 0)) == NULL)
		return;
	if (f->num != fr->len - FRAME_HDR || f->num == 0 ||
	    f->num > CHAT_FRAME_MAX) {
		trace_bad(fr, "the length is not that of the frame");
		return;
	}
	if (step == CHAT_STEP_TYPED)
		typed(fr, FRAME_HDR, key, plain);
	else
		setup(fr, step, FRAME_HDR, key);
}
