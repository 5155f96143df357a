/*
 * e2e_net: the client's keys and blocks.  The shared client key pair
 * (legacy encrypted PEM, its passphrase from a file, an fd, the
 * environment or the terminal) and the server's public key are loaded
 * and checked to be RSA-2048; every text goes out as one RSA-OAEP-SHA256
 * block in one frame (link.h), and every frame in must be one block
 * that decrypts with the client key.
 */
#include <err.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <nettle/sha2.h>

#include "e2e.h"
#include "files.h"
#include "frame.h"
#include "oaep.h"
#include "rand.h"

void
e2e_check_len(size_t len)
{
	if (len > E2E_TEXT_MAX)
		errx(2,
		    "message of %zu bytes not sent: at most %d bytes fit in "
		    "one RSA-OAEP-SHA256 block",
		    len, E2E_TEXT_MAX);
}

static void
need_2048(const struct key_rsa *k, const char *path)
{
	if (k->pub.size != E2E_BLOCK)
		errx(2, "%s: RSA-%zu: the e2e protocol uses RSA-%d keys", path,
		    mpz_sizeinbase(k->pub.n, 2), E2E_BITS);
}

void
e2e_open(struct e2e_client *c, const struct e2e_opts *o, const char *server)
{
	static struct key_rsa me;
	char msg[512];
	int rv;

	key_init(&c->srv);
	if ((rv = key_load(&c->srv, o->srvfile, NULL, 0)) != KEY_OK)
		errx(2, "%s",
		    key_load_msg(rv, o->srvfile, NULL, msg, sizeof(msg)));
	need_2048(&c->srv, o->srvfile);
	if (o->hardened)
		e2ex_key_check(o);
	xfer_key_load(&me, o->keyfile, &o->pass);
	need_2048(&me, o->keyfile);
	c->me = &me;
	c->srvfile = o->srvfile;
	c->sink = o->sink;
	c->hardened = o->hardened;
	c->user = o->user;
	c->peers = o->peers;
	link_connect(&c->net, server, E2E_FRAME_MAX, o->timeout_ms);
	if (c->hardened)
		e2ex_hello(c);
}

/*
 * --trace: the frame of the block as on the wire, named with the
 * plaintext under it (NULL: it did not decrypt).
 */
void
e2e_show(struct e2e_client *c, enum trace_dir dir, const uint8_t *block,
    size_t len, const uint8_t *text, size_t tlen)
{
	uint8_t frame[FRAME_HDR + E2E_FRAME_MAX];
	struct trace_frame fr;
	struct e2e_seen s = {.upload = c->upload,
	    .first = c->sent == 0,
	    .text = text,
	    .len = tlen};

	if (c->sink == NULL || len > E2E_FRAME_MAX)
		return;
	frame_put_header(frame, (uint32_t)len);
	memcpy(frame + FRAME_HDR, block, len);
	trace_begin(&fr, c->upload ? "e2e-upload" : "e2e", dir, c->net.name,
	    frame, FRAME_HDR + len);
	fr.fd = c->net.fd;
	e2e_trace(&fr, &s);
	trace_print(c->sink, &fr);
}

int
e2e_seal(struct e2e_client *c, const void *text, size_t len)
{
	uint8_t block[E2E_BLOCK];

	if (c->hardened)
		return e2ex_seal(c, text, len);
	if (oaep_encrypt(&c->srv.pub, &nettle_sha256, NULL, 0, NULL,
		rand_nettle, len, text, block) == -1)
		err(2, "RSA-OAEP encryption of %zu bytes", len);
	e2e_show(c, TRACE_SENT, block, sizeof(block), text, len);
	c->sent++;
	return link_send(&c->net, block, sizeof(block));
}

int
e2e_recv(struct e2e_client *c, uint8_t *text, size_t *len)
{
	const uint8_t *p = c->net.msg;
	size_t plen;
	int rv;

	if (!link_next(&c->net))
		return -1;
	plen = c->net.len;
	if (c->hardened)
		return e2ex_open(c, p, plen, text, len);
	if (plen != E2E_BLOCK)
		e2ex_mismatch(c, p, plen);
	if (plen != E2E_BLOCK) {
		e2e_show(c, TRACE_RECV, p, plen, NULL, 0);
		errx(1, "%s: a frame of %zu bytes, not one %d-byte block",
		    c->net.name, plen, E2E_BLOCK);
	}
	rv = oaep_decrypt(&c->me->pub, &c->me->priv, &nettle_sha256, NULL, 0,
	    NULL, rand_nettle, plen, p, len, text);
	if (rv == -1 && errno == ENOMEM)
		err(2, NULL);
	e2e_show(c, TRACE_RECV, p, plen, rv == -1 ? NULL : text,
	    rv == -1 ? 0 : *len);
	if (rv == -1)
		errx(1, "%s: a block that does not decrypt with the client key",
		    c->net.name);
	return 0;
}

int
e2e_dropped(const struct e2e_client *c, const uint8_t *text, size_t len)
{
	if (len != sizeof(E2E_ERR_DECRYPT) - 1 ||
	    memcmp(text, E2E_ERR_DECRYPT, len) != 0)
		return 0;
	if (fflush(stdout) == EOF)
		err(2, "stdout");
	warnx("%s: the server dropped the connection: it could not decrypt "
	      "our message, so %s (-s) is most likely not the server's public "
	      "key",
	    c->net.name, c->srvfile);
	return 1;
}

void
e2e_print(const char *prefix, const uint8_t *text, size_t len)
{
	size_t i;

	fputs(prefix, stdout);
	for (i = 0; i < len; i++)
		putchar(text[i] < 0x20 || text[i] == 0x7f ? '?' : text[i]);
	putchar('\n');
	if (fflush(stdout) == EOF)
		err(2, "stdout");
}
