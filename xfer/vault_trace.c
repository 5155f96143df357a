/*
 * vault_trace: pk-xfer --trace and --trace-json for vault, every frame
 * sent (>>>) and received (<<<) through lib's one decoder (vault_trace in
 * lib/vaulttrace.c) to the sink of the global options.  Of a long upload
 * the text shows the first and the last packet and one line for the ones
 * between; the JSON has every packet.
 */
#include <stdio.h>
#include <string.h>

#include <nettle/aes.h>

#include "trace.h"
#include "vault.h"

void
xtrace_frame(
    struct xconn *c, enum trace_dir dir, const uint8_t *p, size_t len, int text)
{
	struct trace_sink s = *c->sink;
	struct trace_frame fr;

	if (!text)
		s.text = NULL;
	trace_begin(&fr, "vault", dir, c->server, p, len);
	fr.fd = c->fd;
	vault_trace(&fr, dir == TRACE_SENT, &c->vt);
	trace_print(&s, &fr);
}

void
xtrace_packet(struct xconn *c, const uint8_t *p, uint32_t i, uint32_t total)
{
	uint32_t last = total - 1;
	int text = i == 0 || i == last;
	size_t size = c->hardened ? PKT_SIZE_H : PKT_SIZE;

	if (i == 1 && last > 1 && c->sink->text != NULL) {
		fprintf(c->sink->text,
		    ">>> vault send_file: packets 1 .. %u of %u sent, not "
		    "shown here (the same fields, packet_number counting "
		    "up)%s\n",
		    last - 1, total,
		    c->sink->json != NULL ? "; every one is in --trace-json"
					  : "");
		fflush(c->sink->text);
	}
	if (c->sink->json == NULL && !text) {
		/* Nothing shows it: only the CBC chain (or the count) moves. */
		memcpy(c->vt.iv, p + PKT_SIZE - AES_BLOCK_SIZE, AES_BLOCK_SIZE);
		c->vt.index++;
		return;
	}
	xtrace_frame(c, TRACE_SENT, p, size, text);
}
