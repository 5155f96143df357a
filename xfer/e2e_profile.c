/*
 * e2e_profile: what `pk-xfer --hardened e2e` does differently, in one
 * place (docs/e2e.md, "Profiles").  The client's key is its own (-k, a
 * PBES2 PKCS#8 file: no legacy PEM) and its name (-u) goes to the relay
 * in a hello; the relay answers with a welcome sealed to that key.  A
 * message "NAME/message" is signed with RSA-PSS-SHA256 over (us, NAME,
 * message), and a message forwarded to us is shown only when its
 * signature verifies with the sender's public key in --peers: anything
 * else is refused with one line on stderr.  Frames: lib/e2ehard.h.
 */
#include <err.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>

#include <nettle/sha2.h>

#include "cli.h"
#include "e2e.h"
#include "e2ehard.h"
#include "frame.h"
#include "oaep.h"
#include "rand.h"

void
e2ex_key_check(const struct e2e_opts *o)
{
	int rv;

	if (o->user == NULL)
		errx(2, "e2e: --hardened needs -u name, this client's name");
	if (e2e_h_name_check((const uint8_t *)o->user, strlen(o->user)) == -1)
		errx(2,
		    "%s: not a client name: 1 to %d bytes of A-Z a-z 0-9 _ -",
		    o->user, E2E_H_NAME_MAX);
	if ((rv = e2e_h_pbes2(o->keyfile)) == -1)
		err(2, "%s", o->keyfile);
	if (rv == 0)
		errx(2,
		    "%s: not a PBES2 PKCS#8 key: the hardened profile takes no "
		    "legacy PEM (make one with pk-keygen rsa --pass-file F -o "
		    "PREFIX)",
		    o->keyfile);
}

void
e2ex_mismatch(struct e2e_client *c, const uint8_t *p, size_t plen)
{
	const struct xfer_global g = {.proto = "e2e", .hardened = c->hardened};

	if (c->hardened == e2e_h_marked(p, plen))
		return;
	e2e_show(c, TRACE_RECV, p, plen, NULL, 0);
	cli_profile_mismatch(&g);
}

/* Sends one hardened frame: the head, body and maybe a signature. */
static int
put(struct e2e_client *c, enum e2e_h_kind kind, const uint8_t *body, size_t len,
    const uint8_t *sig, const void *text, size_t tlen)
{
	uint8_t frame[E2E_H_FRAME_MAX];
	size_t n = e2e_h_put(frame, kind, body, len, sig);

	e2e_show(c, TRACE_SENT, frame, n, text, tlen);
	return link_send(&c->net, frame, n);
}

void
e2ex_hello(struct e2e_client *c)
{
	uint8_t text[E2E_BLOCK];
	char want[E2E_TEXT_MAX];
	size_t len;

	if (put(c, E2E_H_HELLO, (const uint8_t *)c->user, strlen(c->user), NULL,
		NULL, 0) == -1 ||
	    e2e_recv(c, text, &len) == -1)
		errx(1, "%s: the server closed the connection", c->net.name);
	snprintf(want, sizeof(want), E2E_H_WELCOME, c->user);
	if (len != strlen(want) || memcmp(text, want, len) != 0)
		errx(1, "%s: %.*s", c->net.name, (int)len, (const char *)text);
}

int
e2ex_seal(struct e2e_client *c, const void *text, size_t len)
{
	uint8_t block[E2E_BLOCK], sig[E2E_H_SIG], digest[SHA256_DIGEST_SIZE];
	struct e2e_route r;
	int sign;

	if (oaep_encrypt(&c->srv.pub, &nettle_sha256, NULL, 0, NULL,
		rand_nettle, len, text, block) == -1)
		err(2, "RSA-OAEP encryption of %zu bytes", len);
	/* A message is signed for its receiver; quit, chunks are not. */
	sign = !c->upload && e2e_h_route_parse(text, len, &r) == 0;
	if (sign) {
		e2e_h_digest(digest, c->user, r.host, r.msg, r.len);
		if (e2e_h_sign(&c->me->pub, &c->me->priv, digest, sig) == -1)
			errx(2, "cannot sign with the client key (-k)");
	}
	c->sent++;
	return put(
	    c, E2E_H_BLOCK, block, sizeof(block), sign ? sig : NULL, text, len);
}

/*
 * 1 when the forward "FROM|message" in text carries sig, FROM's
 * signature for us; else one line on stderr and 0.
 */
static int
signed_ok(
    struct e2e_client *c, const uint8_t *text, size_t len, const uint8_t *sig)
{
	const uint8_t *src, *msg;
	size_t srclen, msglen;
	uint8_t digest[SHA256_DIGEST_SIZE];
	char from[E2E_H_NAME_MAX + 1], path[PATH_MAX];
	const char *why = NULL;
	struct key_rsa k;

	(void)e2e_fwd_parse(text, len, &src, &srclen, &msg, &msglen);
	if (e2e_h_name_check(src, srclen) == -1) {
		warnx("%s: a message from no valid name refused", c->net.name);
		return 0;
	}
	memcpy(from, src, srclen);
	from[srclen] = '\0';
	snprintf(path, sizeof(path), "%s/%s.pub",
	    c->peers != NULL ? c->peers : ".", from);
	key_init(&k);
	if (sig == NULL)
		why = "it is not signed";
	else if (key_load(&k, path, NULL, 0) != KEY_OK)
		why = "no public key for that name in --peers";
	else {
		e2e_h_digest(digest, from, c->user, msg, msglen);
		if (!e2e_h_verify(&k.pub, digest, sig))
			why = "its signature does not verify";
	}
	key_clear(&k);
	if (why == NULL)
		return 1;
	if (fflush(stdout) == EOF)
		err(2, "stdout");
	warnx("%s: a message said to be from %s refused: %s", c->net.name, from,
	    why);
	c->refused++;
	return 0;
}

int
e2ex_open(struct e2e_client *c, const uint8_t *p, size_t plen, uint8_t *text,
    size_t *len)
{
	struct e2e_h_frame f;
	int rv;

	e2ex_mismatch(c, p, plen);
	if (e2e_h_parse(p, plen, &f) == -1 || f.kind == E2E_H_HELLO) {
		e2e_show(c, TRACE_RECV, p, plen, NULL, 0);
		errx(1, "%s: not a hardened e2e frame", c->net.name);
	}
	if (f.kind == E2E_H_REFUSE) {
		e2e_show(c, TRACE_RECV, p, plen, NULL, 0);
		errx(1, "%s: refused: %.*s", c->net.name, (int)f.body_len,
		    (const char *)f.body);
	}
	rv = oaep_decrypt(&c->me->pub, &c->me->priv, &nettle_sha256, NULL, 0,
	    NULL, rand_nettle, E2E_BLOCK, f.block, len, text);
	if (rv == -1 && errno == ENOMEM)
		err(2, NULL);
	e2e_show(c, TRACE_RECV, p, plen, rv == -1 ? NULL : text,
	    rv == -1 ? 0 : *len);
	if (rv == -1)
		errx(1, "%s: a block that does not decrypt with our key (-k)",
		    c->net.name);
	if (c->upload || memchr(text, '|', *len) == NULL ||
	    signed_ok(c, text, *len, f.sig))
		return 0;
	explicit_bzero(text, *len);
	*len = 0;
	return 1;
}
