/*
 * chat_profile: what `pk-xfer --hardened chat` does differently, in one
 * place (docs/chat.md "Profiles", lib/chathard.c).  The server key must
 * be the one pinned with --server-key-sha256, and the relay must sign
 * the handshake with it (RSA-PSS-SHA256) before the client takes the K
 * it sent (RSA-OAEP-SHA256 under the client's key); each line goes out
 * sealed with AES-256-GCM under K and a sequence number; what comes in
 * must carry the next sequence number and verify, or the client leaves
 * with exit 1 naming it; a rekey frame brings the next K.  The faithful
 * client only checks that it did not meet a hardened relay.
 */
#include <err.h>
#include <stdio.h>
#include <string.h>

#include <nettle/bignum.h>
#include <nettle/memops.h>
#include <nettle/pss.h>

#include "chat.h"
#include "chatkey.h"
#include "cli.h"
#include "files.h"
#include "rand.h"
#include "secret.h"

#define HELLO_MAX (2 + CHAT_H_NONCE + CHAT_NAME_MAX)

/* The handshake's payloads, as the signature covers them. */
struct handshake {
	uint8_t hello[HELLO_MAX];
	uint8_t server[1 + CHAT_H_DER_MAX];
	uint8_t client[1 + CHAT_H_DER_MAX];
	size_t hello_len, server_len, client_len;
	struct key_rsa srv; /* the server key, once it matched the pin */
};

void
chatp_pin(struct chat_client *c, const struct chat_opts *o)
{
	if (!c->g->hardened && o->pin != NULL)
		errx(2, "chat: --server-key-sha256 needs --hardened");
	if (!c->g->hardened)
		return;
	if (o->pin == NULL)
		errx(2,
		    "chat: --hardened needs --server-key-sha256 (the "
		    "relay key's, as pk-keygen info -i shows it)");
	if (chat_h_fp_parse(o->pin, c->h.pin) == -1)
		errx(2, "--server-key-sha256 %s: not 64 hex digits", o->pin);
}

void
chatp_faithful_check(const struct chat_client *c, const uint8_t *p, size_t len)
{
	if (len > 0 && p[0] == CHAT_H_SERVER)
		cli_profile_mismatch(c->g);
}

static void
send_or_die(
    struct chat_client *c, enum chat_step step, const void *p, size_t len)
{
	if (chat_send(c, step, p, len) == -1)
		errx(1, "%s: the server closed the connection", c->server);
}

/* The server key: a hardened relay's, and the one pinned, or death. */
static void
server_key(struct chat_client *c, struct handshake *hs)
{
	char got[2 * CHAT_H_FP + 1], want[2 * CHAT_H_FP + 1];
	uint8_t fp[CHAT_H_FP];
	const uint8_t *p;
	size_t len;

	chat_status("Getting public key from the server");
	p = chat_expect(c, CHAT_STEP_H_SERVER_KEY, "server public key", &len);
	if (len > 0 && p[0] == '-')
		cli_profile_mismatch(c->g); /* a faithful relay's PEM */
	if (len < 2 || p[0] != CHAT_H_SERVER || len > sizeof(hs->server))
		errx(1, "%s: not a server key frame", c->server);
	chat_h_fingerprint(p + 1, len - 1, fp);
	if (!memeql_sec(fp, c->h.pin, CHAT_H_FP)) {
		chat_h_fp_hex(fp, got);
		chat_h_fp_hex(c->h.pin, want);
		errx(1, "%s: server key sha256 %s is not the pinned sha256 %s",
		    c->server, got, want);
	}
	if (key_parse(&hs->srv, p + 1, len - 1, NULL, 0) != KEY_OK ||
	    hs->srv.has_private)
		errx(1, "%s: the pinned server key does not parse", c->server);
	memcpy(hs->server, p, len);
	hs->server_len = len;
	chat_status("Server key matches the pinned sha256");
}

/* 1 when sig is the pinned key's signature over the handshake. */
static int
signed_by_server(const struct handshake *hs, const uint8_t *w, size_t wlen,
    const uint8_t *sig, size_t slen)
{
	struct chat_h_transcript t = {hs->hello, hs->server, hs->client, w,
	    hs->hello_len, hs->server_len, hs->client_len, wlen};
	uint8_t digest[SHA256_DIGEST_SIZE];
	mpz_t s;
	int ok;

	if (slen != hs->srv.pub.size)
		return 0;
	chat_h_transcript_digest(&t, digest);
	mpz_init(s);
	nettle_mpz_set_str_256_u(s, slen, sig);
	ok = rsa_pss_sha256_verify_digest(
	    &hs->srv.pub, CHAT_H_PSS_SALT, digest, s);
	mpz_clear(s);
	return ok;
}

/* The first K: signed by the server over the handshake, then unwrapped. */
static void
first_key(struct chat_client *c, const struct chat_opts *o,
    struct handshake *hs, const struct key_rsa *k)
{
	struct chat_h_wrapped w;
	const uint8_t *p;
	size_t len;

	p = chat_expect(c, CHAT_STEP_H_WRAPPED, "wrapped session key", &len);
	if (chat_h_wrapped_parse(p, len, &w) == -1 || w.epoch != 0)
		errx(1, "%s: not a wrapped key frame", c->server);
	if (!signed_by_server(
		hs, p, CHAT_H_WRAPPED_HDR + w.wrapped_len, w.sig, w.sig_len))
		errx(1,
		    "%s: the server did not prove it holds the pinned key: "
		    "its signature over the handshake does not verify",
		    c->server);
	if (o->save_key != NULL)
		out_write(o->save_key, w.wrapped, w.wrapped_len);
	if (chatkey_unwrap(k, 1, w.wrapped, w.wrapped_len, c->h.k) == -1)
		errx(1, "%s: the session key does not unwrap with this key",
		    c->server);
	c->keyed = 1;
	chat_show(c, TRACE_RECV, CHAT_STEP_H_WRAPPED, p, len);
}

void
chatp_setup(
    struct chat_client *c, const struct chat_opts *o, const struct key_rsa *k)
{
	static struct handshake hs;
	size_t nlen = strlen(c->name), len;

	hs.hello[0] = CHAT_H_HELLO;
	hs.hello[1] = CHAT_H_VERSION;
	if (rand_fill(hs.hello + 2, CHAT_H_NONCE) == -1)
		err(2, "getrandom");
	memcpy(hs.hello + 2 + CHAT_H_NONCE, c->name, nlen);
	hs.hello_len = 2 + CHAT_H_NONCE + nlen;
	send_or_die(c, CHAT_STEP_H_HELLO, hs.hello, hs.hello_len);
	key_init(&hs.srv);
	server_key(c, &hs);
	chat_status("Sending public key to server");
	hs.client[0] = CHAT_H_CLIENT;
	if (key_spki_der(k, hs.client + 1, sizeof(hs.client) - 1, &len) !=
	    KEY_OK)
		errx(2, "cannot encode the public key");
	hs.client_len = 1 + len;
	send_or_die(c, CHAT_STEP_H_CLIENT_KEY, hs.client, hs.client_len);
	first_key(c, o, &hs, k);
	key_clear(&hs.srv);
	c->h.key = k;
}

int
chatp_send_line(struct chat_client *c, const uint8_t *text, size_t n)
{
	static uint8_t frame[CHAT_H_FRAME_MAX];
	uint8_t *ct = frame + CHAT_H_HDR;

	chat_h_header(frame, CHAT_H_MSG, c->h.epoch, c->h.up++);
	chat_h_seal(c->h.k, CHAT_H_UP, frame, text, n, ct, ct + n);
	return chat_send(c, CHAT_STEP_H_UP, frame, CHAT_H_SEALED_MIN + n);
}

/* Shows the frame (--trace), then dies naming it and why. */
static _Noreturn void
refuse(struct chat_client *c, const struct chat_h_sealed *s, const uint8_t *p,
    size_t len, const char *why)
{
	chat_show(c, TRACE_RECV, CHAT_STEP_H_DOWN, p, len);
	errx(1, "%s: frame %llu from the server refused: %s", c->server,
	    (unsigned long long)s->seq, why);
}

void
chatp_received(struct chat_client *c, const uint8_t *p, size_t len)
{
	static uint8_t plain[CHAT_TEXT_MAX];
	uint8_t next[CHAT_H_K];
	struct chat_h_sealed s;
	int type;

	if ((type = chat_h_parse(p, len, CHAT_H_DOWN, &s)) == -1) {
		chat_show(c, TRACE_RECV, CHAT_STEP_H_DOWN, p, len);
		errx(1, "%s: not a sealed frame from the server", c->server);
	}
	if (s.seq != c->h.down || s.epoch != c->h.epoch)
		refuse(c, &s, p, len, "replayed or out of order");
	if (s.len > sizeof(plain) ||
	    chat_h_open(c->h.k, CHAT_H_DOWN, &s, plain) == -1)
		refuse(c, &s, p, len, "it does not verify (altered)");
	if (type == CHAT_H_REKEY &&
	    chatkey_unwrap(c->h.key, 1, plain, s.len, next) == -1)
		refuse(c, &s, p, len,
		    "the next key does not unwrap with this key");
	c->h.tnext = type == CHAT_H_REKEY ? next : NULL;
	chat_show(c, TRACE_RECV, CHAT_STEP_H_DOWN, p, len);
	c->h.tnext = NULL;
	c->h.down++;
	if (type == CHAT_H_MSG)
		chat_print("", plain, s.len);
	else if (type == CHAT_H_NOTICE)
		chat_print("[+] ", plain, s.len);
	else {
		memcpy(c->h.k, next, CHAT_H_K);
		c->h.epoch++;
	}
	secret_wipe(next, sizeof(next));
	secret_wipe(plain, s.len);
}
