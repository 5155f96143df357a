/*
 * chat_profile: the chat service's two profiles, their differences all in
 * this one file.  Faithful (chat.c), as the original: the server key sent
 * and never used, one AES-128 session key for every client and the whole
 * run, messages relayed unchanged.  Hardened (pk-relay --hardened chat;
 * docs/chat.md "Profiles", lib/chathard.c): the hello carries a nonce;
 * the server key goes as SPKI DER, for the client to check against the
 * fingerprint it pinned; each client gets its own 32-byte K under its
 * own RSA key (OAEP-SHA256), the frame signed with the server key
 * (RSA-PSS-SHA256) over the whole handshake, so the relay proves it holds
 * the pinned key; every later frame is sealed (AES-256-GCM, a sequence
 * number each way); the relay opens each message and seals it again for
 * each member; and every join and leave gives each remaining member a
 * fresh K (a rekey frame), so a leaver's K opens nothing sent after.
 */
#include <sys/queue.h>

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <nettle/bignum.h>
#include <nettle/pss.h>

#include "chat.h"
#include "frame.h"
#include "oaep.h"
#include "rand.h"
#include "secret.h"

/*
 * The epochs a client may still send under: it learns a new K only when
 * it reads the rekey, so what it sent before that comes under an older
 * one.  A client that many rekeys behind has its older frames refused.
 */
#define RING 8
#define HELLO_MAX (2 + CHAT_H_NONCE + CHAT_NAME_MAX)
#define RSA_MAX (CHAT_BITS_MAX / 8)

struct chat_hard {
	struct rsa_public_key pub; /* the client's */
	uint8_t hello[HELLO_MAX]; /* the payloads the signature covers */
	size_t hello_len;
	uint8_t client[1 + CHAT_H_DER_MAX];
	size_t client_len;
	uint8_t k[RING][CHAT_H_K]; /* K of epoch e is k[e % RING] */
	uint32_t epoch; /* the latest K sent */
	uint32_t oldest; /* the oldest epoch the client may send under */
	uint64_t up, down; /* the next sequence number each way */
};

int
chatp_key(struct chat_server *srv, struct key_rsa *k)
{
	char hex[2 * CHAT_H_FP + 1];
	uint8_t fp[CHAT_H_FP];
	size_t bits = mpz_sizeinbase(k->pub.n, 2), len;

	srv->key = *k; /* srv owns it now: chatp_fini clears it */
	if (bits < CHAT_BITS_MIN || bits > CHAT_BITS_MAX) {
		relay_log("chat",
		    "hardened: the server key is RSA-%zu, not %d "
		    "to %d bits",
		    bits, CHAT_BITS_MIN, CHAT_BITS_MAX);
		return -1;
	}
	srv->der[0] = CHAT_H_SERVER;
	if (key_spki_der(k, srv->der + 1, sizeof(srv->der) - 1, &len) !=
	    KEY_OK) {
		relay_log("chat", "hardened: cannot encode the server key");
		return -1;
	}
	srv->der_len = 1 + len;
	chat_h_fingerprint(srv->der + 1, len, fp);
	chat_h_fp_hex(fp, hex);
	relay_log("chat",
	    "hardened: server key sha256 %s, K per client, sealed messages",
	    hex);
	return 0;
}

void
chatp_fini(struct chat_server *srv)
{
	if (srv->hardened)
		key_clear(&srv->key);
}

void
chatp_close(struct chat_user *u)
{
	if (u->h == NULL)
		return;
	rsa_public_key_clear(&u->h->pub);
	secret_wipe(u->h, sizeof(*u->h));
	free(u->h);
	u->h = NULL;
}

/* The server key frame: SPKI PEM (faithful), 'k' and SPKI DER (hardened). */
static int
server_key(struct chat_user *u)
{
	struct chat_server *srv = u->srv;

	if (srv->hardened)
		return chat_send_frame(
		    u, CHAT_STEP_H_SERVER_KEY, srv->der, srv->der_len);
	return chat_send_frame(
	    u, CHAT_STEP_SERVER_KEY, srv->spki_pem, srv->spki_len);
}

int
chatp_mismatch(struct chat_user *u, const uint8_t *p, size_t len)
{
	if (u->srv->hardened == chat_h_is_hello(p, len))
		return 0;
	/* This profile's answer, which tells the client what it met. */
	(void)server_key(u);
	(void)conn_profile_mismatch(u->conn);
	return 1;
}

static int
got_hello(struct chat_user *u, const uint8_t *p, size_t len)
{
	const size_t off = 2 + CHAT_H_NONCE;

	if (chatp_mismatch(u, p, len))
		return -1;
	if (len <= off || len > HELLO_MAX ||
	    chat_name_check(p + off, len - off) == -1)
		return conn_protocol_error(u->conn,
		    "hello: not a nonce and 1 to %d bytes of printable UTF-8",
		    CHAT_NAME_MAX);
	if ((u->h = calloc(1, sizeof(*u->h))) == NULL) {
		conn_log(u->conn, "out of memory");
		return -1;
	}
	rsa_public_key_init(&u->h->pub);
	memcpy(u->h->hello, p, len);
	u->h->hello_len = len;
	memcpy(u->name, p + off, len - off);
	u->name[len - off] = '\0';
	conn_log(u->conn, "new connection: username %s", u->name);
	u->stage = ST_PUBKEY;
	return server_key(u);
}

/*
 * Seals len bytes of plain as a frame of type to v under its latest K
 * and queues it.
 */
static int
seal_to(struct chat_user *v, int type, const uint8_t *plain, size_t len)
{
	static uint8_t buf[FRAME_HDR + CHAT_H_FRAME_MAX];
	struct chat_hard *h = v->h;
	uint8_t *hdr = buf + FRAME_HDR, *ct = hdr + CHAT_H_HDR;
	size_t n = CHAT_H_SEALED_MIN + len;

	frame_put_header(buf, (uint32_t)n);
	chat_h_header(hdr, type, h->epoch, h->down++);
	v->tkey = h->k[h->epoch % RING];
	chat_h_seal(v->tkey, CHAT_H_DOWN, hdr, plain, len, ct, ct + len);
	return chat_send_traced(v, CHAT_STEP_H_DOWN, buf, FRAME_HDR + n);
}

/* A fresh K for v, under its RSA key, sealed under the K it replaces. */
static int
rekey(struct chat_user *v)
{
	struct chat_hard *h = v->h;
	uint8_t next[CHAT_H_K], wrapped[RSA_MAX];
	int rv = -1;

	if (rand_fill(next, sizeof(next)) == 0 &&
	    oaep_encrypt(&h->pub, &nettle_sha256,
		(const uint8_t *)CHAT_H_OAEP_LABEL,
		sizeof(CHAT_H_OAEP_LABEL) - 1, NULL, rand_nettle, CHAT_H_K,
		next, wrapped) == 0) {
		v->tnext = next;
		rv = seal_to(v, CHAT_H_REKEY, wrapped, h->pub.size);
		v->tnext = NULL;
	}
	if (rv == 0) {
		h->epoch++;
		memcpy(h->k[h->epoch % RING], next, CHAT_H_K);
		if (h->epoch - h->oldest >= RING)
			h->oldest = h->epoch - RING + 1;
	}
	secret_wipe(next, sizeof(next));
	return rv;
}

/* A join or a leave: every other member gets a new K, then the notice. */
static void
room_changed(struct chat_user *u, const char *what)
{
	struct chat_user *v;
	char text[CHAT_NAME_MAX + 32];
	int n = snprintf(text, sizeof(text), "%s %s", u->name, what);

	TAILQ_FOREACH(v, &u->srv->room, link)
	{
		if (v == u || v->stage != ST_JOINED || rekey(v) == -1)
			continue;
		if (u->srv->joined <= CHAT_NOTICE_ROOM_MAX && n > 0)
			(void)seal_to(
			    v, CHAT_H_NOTICE, (const uint8_t *)text, (size_t)n);
	}
}

void
chatp_left(struct chat_user *u)
{
	room_changed(u, "left the chat");
}

/* The client's key in, its first K out, signed over the handshake. */
static int
wrapped_key(struct chat_user *u)
{
	static uint8_t buf[CHAT_H_WRAPPED_HDR + 2 * RSA_MAX];
	const struct key_rsa *sk = &u->srv->key;
	struct chat_hard *h = u->h;
	struct chat_h_transcript t = {h->hello, u->srv->der, h->client, buf,
	    h->hello_len, u->srv->der_len, h->client_len, 0};
	uint8_t digest[SHA256_DIGEST_SIZE], salt[CHAT_H_PSS_SALT];
	mpz_t s;
	int ok;

	chat_h_wrapped_header(buf, 0, h->pub.size);
	if (rand_fill(h->k[0], CHAT_H_K) == -1 ||
	    oaep_encrypt(&h->pub, &nettle_sha256,
		(const uint8_t *)CHAT_H_OAEP_LABEL,
		sizeof(CHAT_H_OAEP_LABEL) - 1, NULL, rand_nettle, CHAT_H_K,
		h->k[0], buf + CHAT_H_WRAPPED_HDR) == -1 ||
	    rand_fill(salt, sizeof(salt)) == -1)
		return conn_protocol_error(u->conn, "session key: cannot wrap");
	t.wrapped_len = CHAT_H_WRAPPED_HDR + h->pub.size;
	chat_h_transcript_digest(&t, digest);
	mpz_init(s);
	ok = rsa_pss_sha256_sign_digest_tr(&sk->pub, &sk->priv, NULL,
	    rand_nettle, sizeof(salt), salt, digest, s);
	if (ok)
		nettle_mpz_get_str_256(sk->pub.size, buf + t.wrapped_len, s);
	mpz_clear(s);
	if (!ok)
		return conn_protocol_error(u->conn, "session key: cannot sign");
	u->tkey = h->k[0];
	return chat_send_frame(
	    u, CHAT_STEP_H_WRAPPED, buf, t.wrapped_len + sk->pub.size);
}

static int
got_key(struct chat_user *u, const uint8_t *p, size_t len)
{
	struct chat_hard *h = u->h;
	struct key_rsa k;
	size_t bits = 0;
	int rv = KEY_EFORMAT;

	key_init(&k);
	if (len > 1 && p[0] == CHAT_H_CLIENT && len <= sizeof(h->client))
		rv = key_parse(&k, p + 1, len - 1, NULL, 0);
	if (rv == KEY_OK && !k.has_private)
		bits = mpz_sizeinbase(k.pub.n, 2);
	if (bits >= CHAT_BITS_MIN && bits <= CHAT_BITS_MAX) {
		mpz_set(h->pub.n, k.pub.n);
		mpz_set(h->pub.e, k.pub.e);
		h->pub.size = k.pub.size;
	}
	key_clear(&k);
	if (h->pub.size == 0)
		return conn_protocol_error(u->conn,
		    "client public key: not 'c' and the SPKI DER of an RSA "
		    "key of %d to %d bits",
		    CHAT_BITS_MIN, CHAT_BITS_MAX);
	memcpy(h->client, p, len);
	h->client_len = len;
	conn_log(u->conn, "client public key received");
	if (wrapped_key(u) == -1)
		return -1;
	conn_log(u->conn, "secret key sent to %s", u->name);
	u->stage = ST_JOINED;
	u->srv->joined++;
	room_changed(u, "joined the chat");
	return 0;
}

/* Refuses message seq of u: logged, and the client closed. */
static int
refuse(struct chat_user *u, uint64_t seq, const char *why)
{
	return conn_protocol_error(u->conn, "message %llu from %s refused: %s",
	    (unsigned long long)seq, u->name, why);
}

/* A sealed message: opened, checked, sealed again for each member. */
static int
got_message(struct chat_user *u, const struct chat_h_sealed *s)
{
	static uint8_t plain[CHAT_TEXT_MAX];
	struct chat_hard *h = u->h;
	size_t nlen = strlen(u->name);
	struct chat_user *v;

	if (s->seq != h->up)
		return refuse(u, s->seq, "replayed or out of order");
	if (s->len > CHAT_TEXT_MAX ||
	    chat_h_open(h->k[s->epoch % RING], CHAT_H_UP, s, plain) == -1)
		return refuse(u, s->seq, "it does not verify (altered)");
	h->up++;
	h->oldest = s->epoch;
	if (s->len <= nlen + 2 || memcmp(plain, u->name, nlen) != 0 ||
	    memcmp(plain + nlen, ": ", 2) != 0) {
		secret_wipe(plain, s->len);
		return refuse(u, s->seq, "not from its sender's name");
	}
	conn_log(u->conn, "message exchanged");
	TAILQ_FOREACH(v, &u->srv->room, link)
	if (v != u && v->stage == ST_JOINED)
		(void)seal_to(v, CHAT_H_MSG, plain, s->len);
	secret_wipe(plain, s->len);
	return 0;
}

/* A frame after set-up: a keepalive, or a sealed message. */
static int
got_sealed(struct chat_user *u, const uint8_t *frame, size_t flen,
    const uint8_t *p, size_t len)
{
	struct chat_hard *h = u->h;
	struct chat_h_sealed s;
	int type = chat_h_parse(p, len, CHAT_H_UP, &s);

	u->tkey = NULL;
	if (type == CHAT_H_MSG && s.epoch >= h->oldest && s.epoch <= h->epoch)
		u->tkey = h->k[s.epoch % RING];
	chat_trace_one(u, TRACE_RECV, CHAT_STEP_H_UP, frame, flen);
	if (len == 1 && p[0] == CHAT_PING)
		return 0;
	if (type != CHAT_H_MSG)
		return conn_protocol_error(u->conn, "not a sealed message");
	if (u->tkey == NULL)
		return refuse(u, s.seq, "under a retired or unknown key");
	return got_message(u, &s);
}

ssize_t
chatp_bytes(struct chat_user *u, const uint8_t *data, size_t len)
{
	const uint8_t *p;
	size_t plen, used;
	int rv;

	rv = frame_decode(data, len, CHAT_H_FRAME_MAX, &p, &plen, &used);
	if (rv == FRAME_NEED_MORE)
		return 0;
	if (rv != FRAME_OK)
		return conn_protocol_error(u->conn, "%s", frame_strerror(rv));
	switch (u->stage) {
	case ST_NAME:
		chat_trace_one(u, TRACE_RECV, CHAT_STEP_H_HELLO, data, used);
		rv = got_hello(u, p, plen);
		break;
	case ST_PUBKEY:
		chat_trace_one(
		    u, TRACE_RECV, CHAT_STEP_H_CLIENT_KEY, data, used);
		rv = got_key(u, p, plen);
		break;
	default:
		rv = got_sealed(u, data, used, p, plen);
		break;
	}
	return rv == -1 ? -1 : (ssize_t)used;
}
