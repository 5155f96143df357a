/*
 * chat: the relay's `chat` service, the RSA + AES-CFB group chat of seed
 * 003 in protokit frames.  A client sends its user name; the service
 * answers with its RSA public key (SPKI PEM); the client sends its own;
 * the service answers with the one session key of this run wrapped with
 * RSA-OAEP-SHA1 under the client's key.  From then on each message frame
 * (IV and AES-128-CFB8 ciphertext) is relayed unchanged to every other
 * joined client and only "message exchanged" is logged.  Join and leave
 * notices go to the others in plaintext.  The server key is STATE/chat.key,
 * made at the first start if missing (chat_key.c).  With --trace every
 * frame received and every frame sent, a relayed one once per recipient,
 * is shown by lib/chattrace.c, the plaintext of messages included.
 */
#include <sys/queue.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <nettle/sha1.h>

#include "chat.h"
#include "chattrace.h"
#include "chatwire.h"
#include "frame.h"
#include "key.h"
#include "oaep.h"
#include "rand.h"
#include "secret.h"

/* --trace: the whole frame p of step, received from or sent to u. */
void
chat_trace_one(struct chat_user *u, enum trace_dir dir, enum chat_step step,
    const uint8_t *p, size_t len)
{
	if (!conn_tracing(u->conn))
		return;
	u->tstep = step;
	conn_trace(u->conn, dir, p, len);
}

/* The frames of a run of whole frames, one by one. */
static void
trace_run(struct chat_user *u, enum trace_dir dir, const uint8_t *p, size_t len)
{
	const uint8_t *m;
	size_t mlen, used;

	if (!conn_tracing(u->conn))
		return;
	while (len > 0 &&
	    frame_decode(p, len, CHAT_FRAME_MAX, &m, &mlen, &used) ==
		FRAME_OK) {
		chat_trace_one(u, dir, CHAT_STEP_TYPED, p, used);
		p += used;
		len -= used;
	}
}

/*
 * Queues the whole frame p of step; traced only if queued (a connection
 * already closing, as at shutdown, is sent nothing).
 */
int
chat_send_traced(
    struct chat_user *u, enum chat_step step, const uint8_t *p, size_t len)
{
	if (conn_send(u->conn, p, len) == -1)
		return -1;
	chat_trace_one(u, TRACE_SENT, step, p, len);
	return 0;
}

/* Queues one set-up frame of step holding len bytes of p. */
int
chat_send_frame(
    struct chat_user *u, enum chat_step step, const void *p, size_t len)
{
	uint8_t buf[FRAME_HDR + CHAT_FRAME_MAX];

	if (len > CHAT_FRAME_MAX)
		return -1;
	frame_put_header(buf, (uint32_t)len);
	memcpy(buf + FRAME_HDR, p, len);
	return chat_send_traced(u, step, buf, FRAME_HDR + len);
}

/*
 * Sends frame (header included) to every joined client but from, one
 * copy shared by their queues.
 */
static void
broadcast(const struct chat_user *from, const uint8_t *frame, size_t len)
{
	struct chat_user *u;
	struct conn_blob *b;

	if ((b = conn_blob_new(conn_relay(from->conn), frame, len)) == NULL) {
		conn_log(from->conn, "out of memory: message not relayed");
		return;
	}
	TAILQ_FOREACH(u, &from->srv->room, link)
	if (u != from && u->stage == ST_JOINED &&
	    conn_send_blob(u->conn, b) == 0)
		trace_run(u, TRACE_SENT, frame, len);
	conn_blob_free(b);
}

static void
notice(const struct chat_user *from, const char *what)
{
	uint8_t buf[FRAME_HDR + 1 + CHAT_NAME_MAX + 64];
	int n;

	if (from->srv->joined > CHAT_NOTICE_ROOM_MAX)
		return;
	n = snprintf((char *)buf + FRAME_HDR + 1, sizeof(buf) - FRAME_HDR - 1,
	    "%s %s", from->name, what);
	if (n < 0 || (size_t)n >= sizeof(buf) - FRAME_HDR - 1)
		return;
	frame_put_header(buf, (uint32_t)n + 1);
	buf[FRAME_HDR] = CHAT_NOTICE;
	broadcast(from, buf, FRAME_HDR + 1 + (size_t)n);
}

static int
got_name(struct chat_user *u, const uint8_t *p, size_t len)
{
	if (chatp_mismatch(u, p, len))
		return -1;
	if (chat_name_check(p, len) == -1)
		return conn_protocol_error(u->conn,
		    "user name: not 1 to %d bytes of printable UTF-8",
		    CHAT_NAME_MAX);
	memcpy(u->name, p, len);
	u->name[len] = '\0';
	conn_log(u->conn, "new connection: username %s", u->name);
	u->stage = ST_PUBKEY;
	return chat_send_frame(
	    u, CHAT_STEP_SERVER_KEY, u->srv->spki_pem, u->srv->spki_len);
}

/* The client's public key, and the session key wrapped under it. */
static int
got_pubkey(struct chat_user *u, const uint8_t *p, size_t len)
{
	struct key_rsa k;
	uint8_t wrapped[CHAT_BITS_MAX / 8];
	size_t bits;
	int rv;

	key_init(&k);
	rv = len > CHAT_PEM_MAX ? KEY_EFORMAT : key_parse(&k, p, len, NULL, 0);
	if (rv != 0 || (bits = mpz_sizeinbase(k.pub.n, 2)) < CHAT_BITS_MIN ||
	    bits > CHAT_BITS_MAX) {
		key_clear(&k);
		if (rv == KEY_ETOOBIG)
			return conn_protocol_error(
			    u->conn, "client public key: %s", key_strerror(rv));
		return conn_protocol_error(u->conn,
		    "client public key: not an RSA key of %d to %d bits",
		    CHAT_BITS_MIN, CHAT_BITS_MAX);
	}
	conn_log(u->conn, "client public key received");
	rv = oaep_encrypt(&k.pub, &nettle_sha1, NULL, 0, NULL, rand_nettle,
	    CHAT_KEY, u->srv->session_key, wrapped);
	len = k.pub.size;
	key_clear(&k);
	if (rv == -1)
		return conn_protocol_error(u->conn, "session key: cannot wrap");
	if (chat_send_frame(u, CHAT_STEP_WRAPPED_KEY, wrapped, len) == -1)
		return -1;
	conn_log(u->conn, "secret key sent to %s", u->name);
	u->stage = ST_JOINED;
	u->srv->joined++;
	notice(u, "joined the chat");
	return 0;
}

/*
 * The run of whole message frames at the front of data goes to the others
 * in one conn_send each, unchanged: a busy sender costs one write per
 * reader per read, not per message.  Returns the bytes consumed, 0 if
 * the first frame is incomplete, -1 on a protocol error.
 */
static ssize_t
got_messages(struct chat_user *u, const uint8_t *data, size_t len)
{
	struct chat_msg m;
	const uint8_t *p;
	size_t plen, used, off = 0;
	int n = 0, rv, type = -1;

	while ((rv = frame_decode(data + off, len - off, CHAT_FRAME_MAX, &p,
		    &plen, &used)) == FRAME_OK &&
	    (type = chat_msg_parse(p, plen, &m)) == CHAT_MSG) {
		off += used;
		n++;
	}
	if (n > 0) {
		trace_run(u, TRACE_RECV, data, off);
		if (n == 1)
			conn_log(u->conn, "message exchanged");
		else
			conn_log(u->conn, "%d messages exchanged", n);
		broadcast(u, data, off);
		return (ssize_t)off;
	}
	if (rv == FRAME_NEED_MORE)
		return 0;
	if (rv != FRAME_OK)
		return conn_protocol_error(u->conn, "%s", frame_strerror(rv));
	chat_trace_one(u, TRACE_RECV, CHAT_STEP_TYPED, data, used);
	if (type == CHAT_PING)
		return (ssize_t)used;
	return conn_protocol_error(u->conn, "not a chat message");
}

static int
chat_connect(struct conn *c)
{
	struct chat_user *u;

	if ((u = calloc(1, sizeof(*u))) == NULL) {
		conn_log(c, "out of memory");
		return -1;
	}
	u->srv = conn_service_state(c);
	u->conn = c;
	u->stage = ST_NAME;
	TAILQ_INSERT_TAIL(&u->srv->room, u, link);
	conn_set_data(c, u);
	return 0;
}

static ssize_t
chat_bytes(struct conn *c, const uint8_t *data, size_t len)
{
	struct chat_user *u = conn_data(c);
	const uint8_t *p;
	size_t plen, used;
	int rv;

	if (u->srv->hardened)
		return chatp_bytes(u, data, len);
	if (u->stage == ST_JOINED)
		return got_messages(u, data, len);
	rv = frame_decode(data, len, CHAT_FRAME_MAX, &p, &plen, &used);
	if (rv == FRAME_NEED_MORE)
		return 0;
	if (rv != FRAME_OK)
		return conn_protocol_error(c, "%s", frame_strerror(rv));
	switch (u->stage) {
	case ST_NAME:
		chat_trace_one(u, TRACE_RECV, CHAT_STEP_NAME, data, used);
		rv = got_name(u, p, plen);
		break;
	default:
		chat_trace_one(u, TRACE_RECV, CHAT_STEP_CLIENT_KEY, data, used);
		rv = got_pubkey(u, p, plen);
		break;
	}
	return rv == -1 ? -1 : (ssize_t)used;
}

static void
chat_close(struct conn *c)
{
	struct chat_user *u = conn_data(c);

	if (u == NULL)
		return;
	TAILQ_REMOVE(&u->srv->room, u, link);
	if (u->stage == ST_JOINED) {
		conn_log(c, "%s left the server", u->name);
		u->srv->joined--;
		if (u->h != NULL)
			chatp_left(u);
		else
			notice(u, "left the chat");
	}
	chatp_close(u);
	free(u);
}

/* pk-relay --trace: the relay holds the session key, so shows plaintext. */
static void
chat_trace_frame(const struct conn *c, struct trace_frame *fr)
{
	struct chat_server *srv = conn_service_state(c);
	const struct chat_user *u = conn_data(c);

	if (u != NULL)
		chat_trace(fr, u->tstep,
		    u->h != NULL ? u->tkey : srv->session_key,
		    srv->trace_plain);
}

static int
chat_init(struct relay_ctx *ctx, void *state)
{
	struct chat_server *srv = state;

	TAILQ_INIT(&srv->room);
	srv->hardened = relay_hardened(ctx, "chat");
	return chat_key_init(ctx, srv);
}

static void
chat_fini(struct relay_ctx *ctx, void *state)
{
	struct chat_server *srv = state;

	(void)ctx;
	secret_wipe(srv->session_key, sizeof(srv->session_key));
	secret_wipe(srv->trace_plain, sizeof(srv->trace_plain));
	chatp_fini(srv);
}

const struct service chat_service = {
    .name = "chat",
    .state_size = sizeof(struct chat_server),
    .hardened = 1,
    .init = chat_init,
    .on_connect = chat_connect,
    .on_bytes = chat_bytes,
    .on_close = chat_close,
    .fini = chat_fini,
    .trace = chat_trace_frame,
};
