/*
 * e2e-shared-key: e2e's one client key pair (seed 002).  The relay seals
 * every forward to the client key that all clients share, so any client
 * who sees the wire (a --trace-json capture) opens the messages addressed
 * to the others.  Every 256-byte block of the capture is tried with the
 * key given; the forwards that open, "('ip', port)|message", give their
 * messages, one a line.  On the hardened profile each client has its own
 * key: a client's key opens only what was sealed to it.
 */
#include <err.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include <nettle/sha2.h>

#include "attack.h"
#include "e2ewire.h"
#include "key.h"
#include "oaep.h"
#include "rand.h"
#include "secret.h"

static const struct option longopts[] = {
    {"key", required_argument, NULL, 'k'},
    {"pass-file", required_argument, NULL, 'p'},
    {NULL, 0, NULL, 0},
};

struct opened {
	size_t blocks, opened, forwards; /* seen, opened, forwards among them */
	uint8_t *out; /* room for a message and its newline per frame */
	size_t len, max;
};

static void
load(struct key_rsa *k, const char *path, const char *passfile)
{
	struct secret_src src = SECRET_SRC_INIT;
	char msg[512];
	int rv;

	src.file = passfile;
	key_init(k);
	if ((rv = key_load(k, path, &src, 1)) != KEY_OK) {
		key_load_msg(rv, path, &src, msg, sizeof(msg));
		key_clear(k);
		errx(key_load_exit(rv), "%s", msg);
	}
	if (k->pub.size != E2E_BLOCK) {
		key_clear(k);
		errx(2, "%s: not an RSA-%d key", path, E2E_BITS);
	}
}

/* A forward opened: its message appended to the output, one a line. */
static void
keep(struct opened *o, const struct capture_frame *fr, const uint8_t *text,
    size_t len)
{
	const uint8_t *src, *msg;
	size_t srclen, msglen;

	if (e2e_fwd_parse(text, len, &src, &srclen, &msg, &msglen) == -1)
		return;
	attack_progress("line %zu: to %s, from %.*s: %zu bytes", fr->line,
	    fr->peer[0] != '\0' ? fr->peer : "?", (int)srclen,
	    (const char *)src, msglen);
	memcpy(o->out + o->len, msg, msglen);
	o->len += msglen;
	o->out[o->len++] = '\n';
	o->forwards++;
}

/* Tries the key on the block of every frame of e2e that has one. */
static void
open_all(struct opened *o, const struct capture *c, const struct key_rsa *k)
{
	const struct capture_field *b;
	uint8_t text[E2E_BLOCK];
	size_t i, len;

	for (i = 0; i < c->n; i++) {
		if (strcmp(c->fr[i].proto, "e2e") != 0 ||
		    (b = capture_field(&c->fr[i], "block")) == NULL ||
		    b->off < 0 || b->len != E2E_BLOCK)
			continue;
		o->blocks++;
		if (oaep_decrypt(&k->pub, &k->priv, &nettle_sha256, NULL, 0,
			NULL, rand_nettle, b->len, b->data, &len, text) == -1)
			continue;
		o->opened++;
		keep(o, &c->fr[i], text, len);
		explicit_bzero(text, sizeof(text));
	}
}

static int
e2e_shared_key_main(int argc, char *argv[])
{
	struct opened o = {0};
	struct capture *c;
	struct key_rsa k;
	const char *keyfile = NULL, *passfile = NULL;
	size_t frames = 0;
	int ch, i;

	while ((ch = attack_getopt(argc, argv, "k:p:", longopts)) != -1)
		if (ch == 'k')
			keyfile = optarg;
		else if (ch == 'p')
			passfile = optarg;
	argc -= optind;
	argv += optind;
	if (keyfile == NULL || argc < 1)
		attack_usage();
	secret_gmp_init();
	load(&k, keyfile, passfile);
	if ((c = calloc((size_t)argc, sizeof(*c))) == NULL)
		err(2, NULL);
	for (i = 0; i < argc; i++) {
		capture_read(&c[i], argv[i]);
		frames += c[i].n;
	}
	o.max = (frames ? frames : 1) * (E2E_TEXT_MAX + 1);
	if ((o.out = secret_alloc(o.max)) == NULL)
		err(2, NULL);
	for (i = 0; i < argc; i++) {
		open_all(&o, &c[i], &k);
		capture_free(&c[i]);
	}
	free(c);
	key_clear(&k);
	attack_progress("%zu blocks in the capture, %zu open with %s, %zu of"
			" them forwards",
	    o.blocks, o.opened, keyfile, o.forwards);
	if (o.forwards > 0) {
		attack_stats(0, o.len);
		attack_output(o.out, o.len);
	} else
		attack_progress("no forward opens with this key: nothing"
				" recovered");
	secret_free(o.out, o.max);
	return o.forwards == 0;
}

const struct attack attack_e2e_shared_key = {
    "e2e-shared-key",
    "-k key [--pass-file file] capture.json ...",
    "e2e: the client key every client shares opens the relay's forwards"
    " to the others",
    "  -k, --key file     a client's private key (e2e: the one all share)\n"
    "  -p, --pass-file file\n"
    "                     its passphrase (else asked on the terminal)\n"
    "  capture.json       --trace-json captures (pk-relay's, pk-mitm's):\n"
    "                     only the bytes on the wire are read\n",
    e2e_shared_key_main,
};
