/*
 * e2etrace: the one decoder of e2e frames (seed 002) for the trace, used
 * by pk-xfer e2e and the relay's e2e and e2e-upload services.  A frame is
 * its 4-byte length and one RSA-OAEP-SHA256 block; the step and the
 * fields under the block come from the plaintext the tracing side holds,
 * split as the services split it (lib/e2ewire.c's parsers).  The names
 * are those of docs/e2e.md's "Fields on the wire".  A frame of the
 * hardened profile (lib/e2ehard.h: the mark "E2H", a kind, then a name,
 * a text, or a block and maybe its signature) is told apart by its mark
 * and named as the "Fields on the wire, hardened profile" table does.
 */
#include <string.h>

#include "e2ehard.h"
#include "e2ewire.h"
#include "frame.h"

/* What the tracing side did to the block, for its plaintext fields. */
struct under {
	struct trace_frame *fr;
	const char *with; /* said on the first plaintext field only */
	int hard; /* a hardened frame */
};

static void
plain(struct under *u, const char *name, const uint8_t *p, size_t len)
{
	trace_plain(u->fr, name, p, len, u->with);
	u->with = NULL;
}

static int
is(const uint8_t *p, size_t len, const char *text)
{
	return len == strlen(text) && memcmp(p, text, len) == 0;
}

static int
starts(const uint8_t *p, size_t len, const char *text)
{
	return len >= strlen(text) && memcmp(p, text, strlen(text)) == 0;
}

/* Client to server on e2e: "ip:port/message", "quit" or a keepalive. */
static void
to_router(struct under *u, const uint8_t *p, size_t len)
{
	struct e2e_route r;
	int rv;

	if (len == 0)
		u->fr->step = "keepalive";
	else if (is(p, len, E2E_QUIT))
		u->fr->step = "quit";
	else
		u->fr->step = "send";
	rv = u->hard ? e2e_h_route_parse(p, len, &r)
		     : e2e_route_parse(p, len, &r);
	if (len == 0 || is(p, len, E2E_QUIT) || rv == -1) {
		plain(u, "text", p, len);
		return;
	}
	plain(u, u->hard ? "to" : "target", p, (size_t)(r.msg - 1 - p));
	plain(u, "message", r.msg, r.len);
}

/* Server to client on e2e: "('ip', port)|message" or an error text. */
static void
from_router(struct under *u, const uint8_t *p, size_t len)
{
	const uint8_t *src, *msg;
	size_t srclen, msglen;

	if (u->hard && starts(p, len, E2E_H_WELCOME_START)) {
		u->fr->step = "welcome";
		plain(u, "text", p, len);
		return;
	}
	if (e2e_fwd_parse(p, len, &src, &srclen, &msg, &msglen) == -1) {
		u->fr->step = "error";
		plain(u, "text", p, len);
		return;
	}
	u->fr->step = "forward";
	plain(u, u->hard ? "from" : "source", src, srclen);
	plain(u, "message", msg, msglen);
}

/* Client to server on e2e-upload: the header, a chunk or the end. */
static void
to_store(struct under *u, const struct e2e_seen *s)
{
	const size_t cmd = sizeof(E2E_UP_HELLO) - 1;
	char name[E2E_NAME_MAX + 1];
	uint64_t size;
	size_t nlen;

	if (!s->first) {
		u->fr->step = s->len == 0 ? "end" : "chunk";
		plain(u, "data", s->text, s->len);
		return;
	}
	u->fr->step = "upload";
	if (e2e_upload_parse(s->text, s->len, UINT64_MAX, name, &size) == -1) {
		plain(u, "text", s->text, s->len);
		trace_bad(u->fr, "not \"upload NAME SIZE\"");
		return;
	}
	nlen = strlen(name);
	plain(u, "command", s->text, cmd);
	plain(u, "name", s->text + cmd + 1, nlen);
	plain(u, "size", s->text + cmd + 1 + nlen + 1,
	    s->len - cmd - 1 - nlen - 1);
}

/* Server to client on e2e-upload: its texts, told apart by their start. */
static void
from_store(struct under *u, const uint8_t *p, size_t len)
{
	if (starts(p, len, "[*] Ready to receive "))
		u->fr->step = "ready";
	else if (starts(p, len, "[*] Received chunk "))
		u->fr->step = "ack";
	else if (starts(p, len, "[*] Upload complete: "))
		u->fr->step = "done";
	else if (u->hard && starts(p, len, E2E_H_WELCOME_START))
		u->fr->step = "welcome";
	else
		u->fr->step = "error";
	plain(u, "text", p, len);
}

/* The plaintext under a block the tracing side opened or sealed. */
static void
under_block(struct under *u, const struct e2e_seen *s, int up)
{
	if (up)
		u->with = s->server ? "opened with the server key"
				    : "sealed to the server key (-s)";
	else if (u->hard)
		u->with = s->server ? "sealed to the client's own key"
				    : "opened with our own key (-k)";
	else
		u->with = s->server ? "sealed to the client key"
				    : "opened with the client key (-k)";
	if (s->upload && up)
		to_store(u, s);
	else if (s->upload)
		from_store(u, s->text, s->len);
	else if (up)
		to_router(u, s->text, s->len);
	else
		from_router(u, s->text, s->len);
}

/* A hardened frame: the mark, the kind, then what the kind holds. */
static void
hardened(struct trace_frame *fr, const struct e2e_seen *s, int up)
{
	const size_t at = FRAME_HDR + E2E_H_HEAD;
	struct under u = {fr, NULL, 1};
	struct e2e_h_frame h;
	struct trace_field *f;

	if (trace_add(fr, "mark", FRAME_HDR, E2E_H_HEAD - 1, TRACE_TEXT) ==
		NULL ||
	    (f = trace_add(fr, "kind", at - 1, 1, TRACE_TEXT)) == NULL)
		return;
	if (e2e_h_parse(fr->buf + FRAME_HDR, fr->len - FRAME_HDR, &h) == -1) {
		trace_bad(fr, "not a hardened e2e frame");
		return;
	}
	if (h.kind != E2E_H_BLOCK) {
		fr->step = h.kind == E2E_H_HELLO ? "hello" : "refuse";
		f->note = h.kind == E2E_H_HELLO ? "hello: the client's name"
						: "refuse: the relay's reason";
		(void)trace_add(fr, h.kind == E2E_H_HELLO ? "name" : "text", at,
		    h.body_len, TRACE_TEXT);
		return;
	}
	f->note = "block";
	if ((f = trace_add(fr, "block", at, E2E_BLOCK, TRACE_CIPHER)) == NULL)
		return;
	f->note = up ? "RSA-OAEP-SHA256 to the server key"
		     : "RSA-OAEP-SHA256 to the receiver's own key";
	if (h.sig != NULL &&
	    (f = trace_add(fr, "signature", at + E2E_BLOCK, E2E_H_SIG,
		 TRACE_BYTES)) != NULL)
		f->note = "RSA-PSS-SHA256 by the message's sender";
	if (s->text == NULL) {
		fr->f[fr->n - 1 - (h.sig != NULL)].note = up
		    ? "does not decrypt with the server key"
		    : "does not decrypt with the receiver's key";
		return;
	}
	under_block(&u, s, up);
}

void
e2e_trace(struct trace_frame *fr, const struct e2e_seen *s)
{
	int up = s->server ? fr->dir == TRACE_RECV : fr->dir == TRACE_SENT;
	struct under u = {fr, NULL, 0};
	struct trace_field *f;

	fr->step = "block";
	if ((f = trace_uint(fr, "length", 0, FRAME_HDR, 0)) == NULL)
		return;
	if (f->num != fr->len - FRAME_HDR)
		trace_bad(fr, "the length is not the frame's");
	if (fr->len - FRAME_HDR != E2E_BLOCK &&
	    e2e_h_marked(fr->buf + FRAME_HDR, fr->len - FRAME_HDR)) {
		hardened(fr, s, up);
		return;
	}
	if ((f = trace_add(fr, "block", FRAME_HDR, fr->len - FRAME_HDR,
		 TRACE_CIPHER)) == NULL)
		return;
	if (fr->len - FRAME_HDR != E2E_BLOCK) {
		trace_bad(fr, "not one 256-byte RSA block");
		return;
	}
	f->note = up ? "RSA-OAEP-SHA256 to the server key"
		     : "RSA-OAEP-SHA256 to the client key";
	if (s->text == NULL) {
		f->note = up ? "does not decrypt with the server key"
			     : "does not decrypt with the client key";
		return;
	}
	under_block(&u, s, up);
}
