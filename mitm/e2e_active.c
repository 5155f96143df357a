/*
 * e2e_active: pk-mitm -p e2e -k SERVER.KEY, the relay-side tamper of seed
 * 002.  With the server's private key every block a client sends opens:
 * pk-mitm says on stderr what each one holds (the server reads
 * everything).  With --edit FROM=TO it also makes the first FROM of the
 * message of each "ip:port/message" TO (FROM the whole message: TO in its
 * place), sealed again to the server key, so that the relay forwards to
 * the target, from the sender, a message the sender never wrote: nothing
 * in a block says who wrote it.  On the
 * hardened profile ("E2Hb" BLOCK SIG, lib/e2ehard.h) the block still
 * opens with the server key, and the forged one goes out with the
 * sender's signature as it came (pk-mitm cannot sign as the sender): the
 * receiver's check refuses it.
 */
#include <err.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <nettle/sha2.h>

#include "e2ehard.h"
#include "e2ewire.h"
#include "frame.h"
#include "key.h"
#include "mitm.h"
#include "oaep.h"
#include "rand.h"
#include "secret.h"

#define PASS_ENV "PK_E2E_PASS" /* the relay's, for an encrypted key */

struct e2e_active {
	struct key_rsa key; /* the server's */
	const struct mitm_edit *edit; /* --edit's, or NULL */
};

/* Shows len bytes of text on stderr, a control character as '?'. */
static void
show(const uint8_t *p, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++)
		fputc(p[i] < 0x20 || p[i] == 0x7f ? '?' : p[i], stderr);
}

/* The passphrase as the relay reads it: $PK_E2E_PASS, else KEY.pass. */
static void
pass_source(struct secret_src *src, const char *key, char *buf, size_t n)
{
	size_t len = strlen(key);

	if (getenv(PASS_ENV) != NULL) {
		src->env = PASS_ENV;
		return;
	}
	if (len > 4 && strcmp(key + len - 4, ".key") == 0)
		len -= 4;
	if (snprintf(buf, n, "%.*s.pass", (int)len, key) >= (int)n)
		errx(2, "-k: %s: path too long", key);
	src->file = buf;
}

static void *
e2e_setup(const char *key, const char *peer, const struct mitm_edit *edit)
{
	struct secret_src src = SECRET_SRC_INIT;
	struct e2e_active *a;
	char pass[4096 + 8], msg[512];
	int rv;

	if (peer != NULL)
		errx(2, "--peer-key: e2e's attack needs none");
	if ((a = calloc(1, sizeof(*a))) == NULL)
		err(2, NULL);
	secret_gmp_init();
	key_init(&a->key);
	pass_source(&src, key, pass, sizeof(pass));
	if ((rv = key_load(&a->key, key, &src, 1)) != KEY_OK)
		key_load_msg(rv, key, &src, msg, sizeof(msg));
	else if (a->key.pub.size != E2E_BLOCK)
		snprintf(
		    msg, sizeof(msg), "%s: not an RSA-%d key", key, E2E_BITS);
	else {
		a->edit = edit;
		return a;
	}
	key_clear(&a->key);
	free(a);
	errx(2, "-k: %s", msg);
}

static void *
e2e_conn_new(void *setup)
{
	return setup;
}

static void
e2e_conn_free(void *conn)
{
	(void)conn;
}

/*
 * "target/message" with --edit applied to the message (r's), sealed to
 * the server key, as a frame in out: a faithful block, or a hardened one
 * carrying sig.  -1: FROM is not in the message, or the result does not
 * fit in one block.
 */
static long
forge(const struct e2e_active *a, int hardened, const struct e2e_route *r,
    const uint8_t *text, const uint8_t *sig, uint8_t *out, long long conn)
{
	size_t tlen = (size_t)(r->msg - text), n;
	uint8_t forged[E2E_TEXT_MAX], block[E2E_BLOCK];
	long flen;

	if ((flen = edit_apply(a->edit, r->msg, r->len, forged + tlen,
		 sizeof(forged) - tlen)) < 0)
		return -1;
	memcpy(forged, text, tlen);
	if (oaep_encrypt(&a->key.pub, &nettle_sha256, NULL, 0, NULL,
		rand_nettle, tlen + flen, forged, block) == -1)
		err(2, "oaep_encrypt");
	if (!hardened) {
		memcpy(out + FRAME_HDR, block, E2E_BLOCK);
		n = E2E_BLOCK;
	} else
		n = e2e_h_put(
		    out + FRAME_HDR, E2E_H_BLOCK, block, E2E_BLOCK, sig);
	frame_put_header(out, (uint32_t)n);
	fprintf(stderr, "pk-mitm: e2e: conn %lld: forged: ", conn);
	show(forged, tlen + flen);
	fputs(sig != NULL ? " (with the sender's signature of what it wrote)\n"
			  : "\n",
	    stderr);
	explicit_bzero(forged, sizeof(forged));
	return (long)(FRAME_HDR + n);
}

/* The block of a client's frame (and its signature), or NULL. */
static const uint8_t *
block_of(const struct mitm_frame *fr, size_t len, const uint8_t **sig)
{
	const uint8_t *p = fr->buf + FRAME_HDR;
	struct e2e_h_frame f;

	*sig = NULL;
	if (len < FRAME_HDR)
		return NULL;
	if (!e2e_h_marked(p, len - FRAME_HDR))
		return len == FRAME_HDR + E2E_BLOCK ? p : NULL;
	if (e2e_h_parse(p, len - FRAME_HDR, &f) == -1 || f.kind != E2E_H_BLOCK)
		return NULL;
	*sig = f.sig;
	return f.block;
}

static long
e2e_frame(void *conn, const struct mitm_frame *fr, size_t len, uint8_t *out,
    size_t cap)
{
	const struct e2e_active *a = conn;
	const uint8_t *block, *sig;
	uint8_t text[E2E_BLOCK];
	struct e2e_route r;
	size_t tlen;
	long rv = -1;
	int hardened, routed;

	if (!fr->c2s || cap < FRAME_HDR + E2E_H_FRAME_MAX ||
	    (block = block_of(fr, len, &sig)) == NULL)
		return -1;
	hardened = block != fr->buf + FRAME_HDR;
	if (oaep_decrypt(&a->key.pub, &a->key.priv, &nettle_sha256, NULL, 0,
		NULL, rand_nettle, E2E_BLOCK, block, &tlen, text) == -1)
		return -1;
	fprintf(stderr, "pk-mitm: e2e: conn %lld: read: ", fr->conn);
	show(text, tlen);
	fputc('\n', stderr);
	routed = hardened ? e2e_h_route_parse(text, tlen, &r) == 0
			  : e2e_route_parse(text, tlen, &r) == 0;
	if (routed)
		rv = forge(a, hardened, &r, text, sig, out, fr->conn);
	explicit_bzero(text, sizeof(text));
	return rv;
}

const struct mitm_active e2e_active = {
    .setup = e2e_setup,
    .conn_new = e2e_conn_new,
    .conn_free = e2e_conn_free,
    .frame = e2e_frame,
    .edits = 1,
};
