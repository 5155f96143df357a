/*
 * proto: the one table of the protocols pk-mitm knows, each a framing
 * function (lib/frame.c's 4-byte length, or vault's header and
 * payload_size) and its decoder from lib/ (vaulttrace.c, kmtrace.c,
 * chattrace.c, e2etrace.c, catrace.c), seen from the client's side: what
 * the client sends is "sent", what it gets "received".  A new protocol is
 * one row here; attacks add rules, not code.
 */
#include <string.h>

#include "e2ewire.h"
#include "frame.h"
#include "mitm.h"

/* Frames whose header says their length (every protocol but vault). */
static enum mitm_cut
cut_len(
    struct mitm_dec *d, int c2s, const uint8_t *buf, size_t len, size_t *used)
{
	const uint8_t *payload;
	size_t plen;
	int rv;

	(void)d;
	(void)c2s;
	rv = frame_decode(buf, len, FRAME_MAX, &payload, &plen, used);
	if (rv == FRAME_NEED_MORE)
		return MITM_MORE;
	return rv == FRAME_OK ? MITM_FRAME : MITM_BAD;
}

/* A vault header, then payload_size bytes (lib/vaultwire.h). */
static enum mitm_cut
cut_vault(
    struct mitm_dec *d, int c2s, const uint8_t *buf, size_t len, size_t *used)
{
	size_t hdr = c2s ? VAULT_REQ_HDR : VAULT_RESP_HDR;
	uint32_t size;

	(void)d;
	if (len < hdr)
		return MITM_MORE;
	size = vault_get_u32(buf + hdr - 4);
	if (size > VAULT_MSG_MAX)
		return MITM_BAD;
	if (len - hdr < size)
		return MITM_MORE;
	*used = hdr + size;
	return MITM_FRAME;
}

/*
 * The peer channel: the offer and the answer, then the file raw, cut in
 * whole AES blocks (a last piece short of one is left unframed).
 */
static enum mitm_cut
cut_km_peer(
    struct mitm_dec *d, int c2s, const uint8_t *buf, size_t len, size_t *used)
{
	if (c2s && d->answered) {
		*used = len - len % KM_BLOCK;
		return *used > 0 ? MITM_RAW : MITM_MORE;
	}
	return cut_len(d, c2s, buf, len, used);
}

static void
dec_vault(struct mitm_dec *d, struct trace_frame *fr, int c2s)
{
	vault_trace(fr, c2s, &d->vault);
}

static void
init_km(struct mitm_dec *d)
{
	km_trace_init(&d->km, KM_SIDE_CLIENT, NULL);
}

static void
init_km_peer(struct mitm_dec *d)
{
	km_trace_init(&d->km, KM_SIDE_SENDER, NULL);
}

static void
dec_km(struct mitm_dec *d, struct trace_frame *fr, int c2s)
{
	if (d->answered && c2s)
		km_trace_file(fr, &d->km);
	else
		km_trace(fr, &d->km);
	if (!c2s && d->km.side == KM_SIDE_SENDER)
		d->answered = 1;
}

/*
 * The set-up frames in turn (name, keys), then typed frames; the
 * hardened profile's (docs/chat.md "Profiles") when the client's first
 * frame is its hello.
 */
static void
dec_chat(struct mitm_dec *d, struct trace_frame *fr, int c2s)
{
	static const enum chat_step steps[2][2][3] = {
	    {{CHAT_STEP_SERVER_KEY, CHAT_STEP_WRAPPED_KEY, CHAT_STEP_TYPED},
		{CHAT_STEP_NAME, CHAT_STEP_CLIENT_KEY, CHAT_STEP_TYPED}},
	    {{CHAT_STEP_H_SERVER_KEY, CHAT_STEP_H_WRAPPED, CHAT_STEP_H_DOWN},
		{CHAT_STEP_H_HELLO, CHAT_STEP_H_CLIENT_KEY, CHAT_STEP_H_UP}},
	};
	int n = c2s ? d->c2s_frames : d->s2c_frames;

	if (c2s && n == 0)
		d->chat_hardened =
		    chat_h_is_hello(fr->buf + FRAME_HDR, fr->len - FRAME_HDR);
	chat_trace(fr, steps[d->chat_hardened][c2s][n < 2 ? n : 2], NULL, NULL);
}

static void
dec_e2e(struct mitm_dec *d, struct trace_frame *fr, int c2s)
{
	struct e2e_seen s = {.first = c2s && d->c2s_frames == 0};

	e2e_trace(fr, &s);
}

static void
dec_e2e_upload(struct mitm_dec *d, struct trace_frame *fr, int c2s)
{
	struct e2e_seen s = {.upload = 1, .first = c2s && d->c2s_frames == 0};

	e2e_trace(fr, &s);
}

static void
dec_ca(struct mitm_dec *d, struct trace_frame *fr, int c2s)
{
	(void)c2s;
	ca_trace(fr, &d->ca);
}

/* Each side sends its messages' three frames: a state per direction. */
static void
init_ca_chat(struct mitm_dec *d)
{
	d->ca.chat = d->ca_back.chat = 1;
}

static void
dec_ca_chat(struct mitm_dec *d, struct trace_frame *fr, int c2s)
{
	ca_trace(fr, c2s ? &d->ca : &d->ca_back);
}

static const struct mitm_proto protos[] = {
    {"vault", "vault (seed 001): a client and pk-relay's vault service",
	cut_vault, dec_vault, NULL, NULL},
    {"keymanager", "keymanager (seed 000): a client and the key manager",
	cut_len, dec_km, init_km, NULL},
    {"keymanager-peer",
	"keymanager's peer channel: the sender (client) and the waiter",
	cut_km_peer, dec_km, init_km_peer, NULL},
    {"chat", "chat (seed 003): a client and pk-relay's chat service", cut_len,
	dec_chat, NULL, &chat_active},
    {"e2e", "e2e (seed 002): a client and pk-relay's e2e service", cut_len,
	dec_e2e, NULL, &e2e_active},
    {"e2e-upload", "e2e's upload service", cut_len, dec_e2e_upload, NULL, NULL},
    {"ca", "ca (seed 004): a client and pk-relay's ca service", cut_len, dec_ca,
	NULL, NULL},
    {"ca-chat", "ca's peer chat: the client that connects and its peer",
	cut_len, dec_ca_chat, init_ca_chat, &ca_active},
};

const struct mitm_proto *
proto_find(const char *name)
{
	size_t i;

	for (i = 0; i < sizeof(protos) / sizeof(protos[0]); i++)
		if (strcmp(protos[i].name, name) == 0)
			return &protos[i];
	return NULL;
}

void
proto_list(FILE *fp)
{
	size_t i, n = sizeof(protos) / sizeof(protos[0]);

	fputs("protocols:", fp);
	for (i = 0; i < n; i++)
		fprintf(fp, " %s", protos[i].name);
	fputc('\n', fp);
	for (i = 0; i < n; i++)
		fprintf(fp, "    %-16s %s%s\n", protos[i].name, protos[i].about,
		    protos[i].active != NULL ? " (-k: active attack)" : "");
}
