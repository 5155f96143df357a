/*
 * e2e_profile: what the relay's e2e and e2e-upload services do on their
 * hardened profile (pk-relay --hardened e2e; docs/e2e.md "Profiles"), in
 * one place.  No shared client key: each client's first frame is a hello
 * with its name, and the relay seals every block for that client to the
 * client's own public key, STATE/e2e-clients/NAME.pub, so that a block
 * for bob opens with bob's key only.  A message's RSA-PSS-SHA256
 * signature, made by its sender, is kept as it came and forwarded with
 * the message; the receiver checks it.  The server key must be a PBES2
 * PKCS#8 file (no legacy PEM).  Frames: lib/e2ehard.h.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <nettle/sha2.h>

#include "e2e.h"
#include "e2ehard.h"
#include "frame.h"
#include "oaep.h"
#include "rand.h"
#include "secret.h"

/* A hardened client: its name and key from its hello, its last signature. */
struct e2e_hard {
	char name[E2E_H_NAME_MAX + 1]; /* "" until the hello */
	struct key_rsa key; /* STATE/e2e-clients/NAME.pub */
	uint8_t sig[E2E_H_SIG];
	int has_sig; /* the last block came signed */
};

int
e2ep_keys(struct relay_ctx *ctx, const char *service, struct e2e_keys *k)
{
	char key[PATH_MAX];
	const char *dir = relay_state_dir(ctx);
	int rv;

	if (snprintf(key, sizeof(key), "%s/e2e.key", dir) >= (int)sizeof(key) ||
	    snprintf(k->clients, sizeof(k->clients), "%s/e2e-clients", dir) >=
		(int)sizeof(k->clients)) {
		relay_log(service, "%s: state directory path too long", dir);
		return -1;
	}
	if ((rv = e2e_h_pbes2(key)) != 1) {
		relay_log(service,
		    rv == -1 ? "%s: %s: make it with pk-keygen rsa --pass-file "
			       "STATE/e2e.pass -o STATE/e2e"
			     : "%s: not a PBES2 PKCS#8 key (the hardened "
			       "profile takes no legacy PEM): make it with "
			       "pk-keygen rsa --pass-file STATE/e2e.pass -o "
			       "STATE/e2e",
		    key, strerror(errno));
		return -1;
	}
	if (relay_service_key(ctx, "e2e", &k->server) == -1)
		return -1;
	if (k->server.pub.size != E2E_BLOCK) {
		relay_log(service, "%s: the key must be RSA-%d", key, E2E_BITS);
		return -1;
	}
	relay_log(service,
	    "hardened: server key %s (PBES2), each client's own key in %s/"
	    "NAME.pub, messages signed by their senders",
	    key, k->clients);
	return 0;
}

int
e2ep_connect(struct conn *c, struct e2e_who *who)
{
	who->h = NULL;
	if (!conn_hardened(c))
		return 0;
	if ((who->h = calloc(1, sizeof(*who->h))) == NULL) {
		conn_log(c, "out of memory");
		return -1;
	}
	key_init(&who->h->key);
	return 0;
}

void
e2ep_close(struct e2e_who *who)
{
	if (who->h == NULL)
		return;
	key_clear(&who->h->key);
	free(who->h);
	who->h = NULL;
}

static struct e2e_hard *
hard(const struct conn *c)
{
	const struct e2e_who *who = conn_data(c);

	return who != NULL ? who->h : NULL;
}

const char *
e2ep_name(const struct conn *c)
{
	const struct e2e_hard *h = hard(c);

	return h != NULL && h->name[0] != '\0' ? h->name : NULL;
}

const uint8_t *
e2ep_sig(const struct conn *c)
{
	const struct e2e_hard *h = hard(c);

	return h != NULL && h->has_sig ? h->sig : NULL;
}

/* Queues a refusal in clear (the client may have no key here yet). */
static void
say_refuse(struct conn *c, const char *why)
{
	uint8_t frame[FRAME_HDR + E2E_H_FRAME_MAX];
	size_t n;

	n = e2e_h_put(frame + FRAME_HDR, E2E_H_REFUSE, (const uint8_t *)why,
	    strlen(why), NULL);
	frame_put_header(frame, (uint32_t)n);
	e2e_show(c, TRACE_SENT, frame, FRAME_HDR + n, NULL, 0);
	(void)conn_send(c, frame, FRAME_HDR + n);
}

static int
refuse(struct conn *c, const char *why)
{
	say_refuse(c, why);
	return conn_protocol_error(c, "refused: %s", why);
}

/* The hello: the client's key from STATE/e2e-clients/NAME.pub. */
static int
hello(struct conn *c, struct e2e_hard *h, const struct e2e_h_frame *f)
{
	const struct e2e_keys *k = conn_service_state(c);
	char path[PATH_MAX], text[E2E_TEXT_MAX];
	int rv;

	if (h->name[0] != '\0')
		return conn_protocol_error(c, "a second hello");
	if (snprintf(path, sizeof(path), "%s/%.*s.pub", k->clients,
		(int)f->body_len, (const char *)f->body) >= (int)sizeof(path))
		return refuse(
		    c, "[*] Server Error: no usable key for that name");
	rv = key_load(&h->key, path, NULL, 0);
	if (rv == KEY_EIO && errno == ENOENT)
		return refuse(c, "[*] Server Error: unknown client name");
	if (rv == KEY_OK && h->key.pub.size != E2E_BLOCK)
		rv = KEY_EFORMAT;
	if (rv != KEY_OK) {
		conn_log(c, "%s: %s", path, key_strerror(rv));
		return refuse(
		    c, "[*] Server Error: no usable key for that name");
	}
	memcpy(h->name, f->body, f->body_len);
	h->name[f->body_len] = '\0';
	conn_log(c, "hello from %s (its key: %s)", h->name, path);
	snprintf(text, sizeof(text), E2E_H_WELCOME, h->name);
	return e2ep_send(c, text, strlen(text), NULL) == -1 ? -1 : 2;
}

int
e2ep_frame(struct conn *c, const uint8_t *data, size_t used, const uint8_t *p,
    size_t plen, uint8_t *m, size_t *mlen)
{
	const struct e2e_keys *k = conn_service_state(c);
	struct e2e_hard *h = hard(c);
	struct e2e_h_frame f;

	if (!e2e_h_marked(p, plen)) {
		e2e_show(c, TRACE_RECV, data, used, NULL, 0);
		say_refuse(c, E2E_ERR_PROFILE);
		return conn_profile_mismatch(c);
	}
	if (e2e_h_parse(p, plen, &f) == -1 || f.kind == E2E_H_REFUSE) {
		e2e_show(c, TRACE_RECV, data, used, NULL, 0);
		return conn_protocol_error(c, "not a hardened e2e frame");
	}
	if (f.kind == E2E_H_HELLO) {
		e2e_show(c, TRACE_RECV, data, used, NULL, 0);
		return hello(c, h, &f);
	}
	if (h->name[0] == '\0') {
		e2e_show(c, TRACE_RECV, data, used, NULL, 0);
		return conn_protocol_error(c, "a block before the hello");
	}
	if (oaep_decrypt(&k->server.pub, &k->server.priv, &nettle_sha256, NULL,
		0, NULL, rand_nettle, E2E_BLOCK, f.block, mlen, m) == -1) {
		e2e_show(c, TRACE_RECV, data, used, NULL, 0);
		(void)e2ep_send(
		    c, E2E_ERR_DECRYPT, sizeof(E2E_ERR_DECRYPT) - 1, NULL);
		return conn_protocol_error(
		    c, "the block does not decrypt with the server key");
	}
	h->has_sig = f.sig != NULL;
	if (f.sig != NULL)
		memcpy(h->sig, f.sig, E2E_H_SIG);
	e2e_show(c, TRACE_RECV, data, used, m, *mlen);
	return 1;
}

int
e2ep_send(struct conn *c, const void *text, size_t len, const uint8_t *sig)
{
	const struct e2e_hard *h = hard(c);
	uint8_t frame[FRAME_HDR + E2E_H_FRAME_MAX], block[E2E_BLOCK];
	size_t n;

	if (h == NULL || h->name[0] == '\0' ||
	    oaep_encrypt(&h->key.pub, &nettle_sha256, NULL, 0, NULL,
		rand_nettle, len, text, block) == -1) {
		conn_log(
		    c, "cannot encrypt %zu bytes to the client's key", len);
		return -1;
	}
	n = e2e_h_put(
	    frame + FRAME_HDR, E2E_H_BLOCK, block, sizeof(block), sig);
	frame_put_header(frame, (uint32_t)n);
	e2e_show(c, TRACE_SENT, frame, FRAME_HDR + n, text, len);
	return conn_send(c, frame, FRAME_HDR + n);
}
