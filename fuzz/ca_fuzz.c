/*
 * ca_fuzz: the ca protocol's parsers (lib/cawire.c) on arbitrary bytes,
 * as the relay and the chat listener run them: frames of at most
 * CA_FRAME_MAX, each read as a name and as a request and traced
 * (lib/catrace.c) at every step, both ways, and the same bytes as peer
 * chat messages, faithful and hardened (its key frame, messages and end;
 * "login NAME" and "register NAME" are traced as any client frame).
 * Checks that what a parse returns lies inside its frame, that a parsed
 * request formats back to the same bytes (with the type word in
 * capitals), and that a chat message's parts add up.
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "cawire.h"
#include "frame.h"

static uint8_t out[CA_FRAME_MAX];

static void
check_request(const uint8_t *p, size_t len)
{
	struct ca_req r, again;
	size_t n, wl;

	if (ca_req_parse(p, len, &r) == -1)
		return;
	if (r.body < p || r.body + r.bodylen != p + len || r.bodylen == 0 ||
	    strlen(r.name) == 0 || strlen(r.name) > CA_NAME_MAX)
		abort();
	if (ca_req_format(
		r.op, r.name, r.body, r.bodylen, out, sizeof(out), &n) == -1 ||
	    n != len)
		abort();
	wl = strlen(ca_op_name(r.op));
	if (strncasecmp((const char *)p, (const char *)out, wl) != 0 ||
	    memcmp(p + wl, out + wl, len - wl) != 0)
		abort();
	if (ca_req_parse(out, n, &again) == -1 || again.op != r.op ||
	    strcmp(again.name, r.name) != 0)
		abort();
}

static void
check_chat(const uint8_t *data, size_t size)
{
	struct ca_chat m;
	size_t off = 0, used;

	while (off < size &&
	    ca_chat_parse(data + off, size - off, &m, &used) == 1) {
		if (used > size - off || m.ctlen % 16 != 0 ||
		    m.ctlen > CA_CHAT_CT_MAX ||
		    m.wrappedlen < CA_CHAT_WRAP_MIN ||
		    m.wrappedlen > CA_CHAT_WRAP_MAX ||
		    used != 3 * FRAME_HDR + m.ctlen + CA_CHAT_IV + m.wrappedlen)
			abort();
		off += used;
	}
}

/* The hardened chat: a key frame, then messages and the end. */
static void
check_hchat(const uint8_t *data, size_t size)
{
	struct ca_hchat m;
	size_t off = 0, used;
	int key = 1;

	while (off < size &&
	    ca_hchat_parse(data + off, size - off, key, &m, &used) == 1) {
		if (used > size - off || used < FRAME_HDR)
			abort();
		if (key &&
		    (m.kind != 'k' || m.wrappedlen < CA_CHAT_WRAP_MIN ||
			m.wrappedlen > CA_CHAT_WRAP_MAX ||
			used !=
			    FRAME_HDR + CA_H_MAGIC_LEN + CA_H_NONCE +
				m.wrappedlen ||
			m.wrapped + m.wrappedlen != data + off + used))
			abort();
		if (!key &&
		    ((m.kind != CA_H_MSG && m.kind != CA_H_END) ||
			(m.kind == CA_H_END && m.ctlen != 0) ||
			m.ctlen > CA_CHAT_TEXT_MAX ||
			used != FRAME_HDR + 1 + CA_H_SEQ + m.ctlen + CA_H_TAG ||
			m.tag + CA_H_TAG != data + off + used))
			abort();
		key = 0;
		off += used;
	}
}

/* The trace of one whole frame: its fields inside it, in wire order. */
static void
check_trace(const uint8_t *frame, size_t len)
{
	static struct ca_trace t;
	struct trace_frame fr;
	size_t i, at, k;

	for (k = 0; k < 2 * (CA_AT_OPS + 3); k++) {
		memset(&t, 0, sizeof(t));
		t.server = (int)(k & 1);
		t.at = (enum ca_at)((k / 2) % (CA_AT_OPS + 1));
		t.chat = k / 2 > CA_AT_OPS ? 1 + (int)(len % 3) : 0;
		t.hardened = k / 2 > CA_AT_OPS + 1; /* the hardened chat */
		t.plain = t.pass = frame;
		t.plainlen = t.passlen = len;
		trace_begin(&fr, "ca", k & 2 ? TRACE_SENT : TRACE_RECV, NULL,
		    frame, len);
		ca_trace(&fr, &t);
		for (i = 0, at = 0; i < fr.n; i++) {
			if (fr.f[i].type == TRACE_PLAIN)
				continue;
			if (fr.f[i].off < at || fr.f[i].off > len ||
			    fr.f[i].len > len - fr.f[i].off)
				abort();
			at = fr.f[i].off + fr.f[i].len;
		}
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const uint8_t *p;
	char name[CA_NAME_MAX + 1];
	size_t plen, used, off = 0;

	while (off < size) {
		if (frame_decode(data + off, size - off, CA_FRAME_MAX, &p,
			&plen, &used) != FRAME_OK)
			break;
		if (used > size - off || plen > CA_FRAME_MAX)
			abort();
		if (ca_name_parse(p, plen, name) == 0 &&
		    (strlen(name) != plen || !x509_cn_safe(name)))
			abort();
		check_request(p, plen);
		check_trace(data + off, used);
		off += used;
	}
	check_chat(data, size);
	check_hchat(data, size);
	return 0;
}
