/*
 * ca_trace: pk-xfer ca --trace and --trace-json: each frame the client
 * reads or writes, on the CA's link and on the peer chat's, shown through
 * lib/catrace.c's decoder on the global trace sink.  ca_read, ca_next,
 * ca_write and ca_say are link.h's reads and writes with the trace; the
 * chat's sides show their frames with ca_show_chat.
 */
#include <string.h>

#include "ca.h"
#include "frame.h"
#include "secret.h"

static const struct trace_sink *sink; /* NULL: not tracing */
static struct ca_trace ca, peer; /* the CA's link, the chat's */
static uint8_t frame[FRAME_HDR + CA_FRAME_MAX];

void
ca_trace_to(const struct trace_sink *s)
{
	sink = s;
	peer.chat = 1;
}

int
ca_tracing(void)
{
	return sink != NULL;
}

/* One frame (its payload p) through the decoder of t. */
static void
show(const struct link *l, struct ca_trace *t, enum trace_dir dir,
    const uint8_t *p, size_t len)
{
	struct trace_frame fr;

	if (sink == NULL || len > CA_FRAME_MAX)
		return;
	frame_put_header(frame, (uint32_t)len);
	memcpy(frame + FRAME_HDR, p, len);
	trace_begin(&fr, "ca", dir, l->name, frame, FRAME_HDR + len);
	fr.fd = l->fd;
	ca_trace(&fr, t);
	trace_print(sink, &fr);
	secret_wipe(frame, FRAME_HDR + len); /* passwords, messages */
}

void
ca_read(struct link *l)
{
	link_read(l);
	show(l, &ca, TRACE_RECV, l->msg, l->len);
}

int
ca_next(struct link *l)
{
	if (!link_next(l))
		return 0;
	show(l, &ca, TRACE_RECV, l->msg, l->len);
	return 1;
}

void
ca_write(struct link *l, const void *p, size_t len)
{
	show(l, &ca, TRACE_SENT, p, len);
	link_write(l, p, len);
}

void
ca_say(struct link *l, const char *text)
{
	ca_write(l, text, strlen(text));
}

void
ca_show_chat(const struct link *l, enum trace_dir dir, const struct ca_chat *m,
    const uint8_t *plain, size_t plainlen, const uint8_t *pass, size_t passlen,
    const char *with)
{
	peer.plain = plain;
	peer.plainlen = plainlen;
	peer.pass = pass;
	peer.passlen = passlen;
	peer.with = with;
	show(l, &peer, dir, m->ct, m->ctlen);
	show(l, &peer, dir, m->iv, CA_CHAT_IV);
	show(l, &peer, dir, m->wrapped, m->wrappedlen);
}

void
ca_show_hchat(const struct link *l, enum trace_dir dir, const uint8_t *p,
    size_t len, const uint8_t *plain, size_t plainlen, const char *with)
{
	peer.hardened = 1;
	peer.plain = plain;
	peer.plainlen = plainlen;
	peer.with = with;
	show(l, &peer, dir, p, len);
}
