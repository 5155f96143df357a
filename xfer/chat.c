/*
 * chat: `pk-xfer chat`, the client of the chat protocol (seed 003).  main
 * parses the command line; chat_setup runs the original's key exchange
 * (user name, server key, client key, wrapped session key), then
 * chat_talk carries the conversation.
 */
#include <err.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <nettle/rsa.h>

#include "chat.h"
#include "chatkey.h"
#include "cli.h"
#include "files.h"
#include "key.h"
#include "rand.h"
#include "secrets.h"
#include "xfer.h"

#define CHAT_CLIENT_BITS 2048

enum {
	OPT_SAVE_KEY = 256,
	OPT_SERVER_KEY,
};

static const char synopsis[] =
    "usage: pk-xfer [--trace] [-t sec] [-C dir] chat -u name [-k key]\n"
    "           [--save-key file] host:port\n"
    "       pk-xfer --hardened [--trace] [-t sec] [-C dir] chat -u name\n"
    "           --server-key-sha256 hex [-k key] [--save-key file] "
    "host:port\n";

static const char options[] =
    "\n"
    "Joins the chat service (seed 003): sends the user name, receives the\n"
    "server's RSA public key, sends the client's, and receives the session\n"
    "key wrapped with RSA-OAEP-SHA1.  Then each line of stdin is sent as\n"
    "AES-128-CFB8 under a fresh IV, and the others' messages are printed on\n"
    "stdout as \"YYYY-MM-DD HH:MM:SS user: text\" (join and leave notices as\n"
    "\"YYYY-MM-DD HH:MM:SS [+] user joined the chat\").  A line EXIT, or the\n"
    "end of stdin, leaves; \"help\" lists the commands.  Set-up lines go to\n"
    "stderr.\n"
    "\n"
    "--hardened (the relay run with --hardened chat too): the server key's\n"
    "SHA-256 fingerprint must be the one pinned, the relay signs the\n"
    "handshake with it (RSA-PSS-SHA256), the session key is this client's\n"
    "own (RSA-OAEP-SHA256), every frame is sealed with AES-256-GCM and a\n"
    "sequence number, and the key is renewed at every join and leave.\n"
    "\n"
    "  -C dir             work in dir (paths on the command line too)\n"
    "  -h, --help         print this help and exit\n"
    "  -k, --key file     the client's RSA private key (pk-keygen rsa -b 2048\n"
    "                     --no-pass); default: an RSA-2048 key made at start\n"
    "                     and kept in memory\n"
    "  -t, --timeout sec  give up on a set-up answer or a blocked write after\n"
    "                     sec seconds (1 to 86400, default 30)\n"
    "  -u, --user name    the user name: 1 to 64 bytes of UTF-8, no control\n"
    "                     characters\n"
    "  --save-key file    write the wrapped session key as received (mode\n"
    "                     0600), for pk-wrap -d --oaep-sha1 -k key\n"
    "                     (hardened: the first one, for pk-wrap -d -k key\n"
    "                     --label-file with \"protokit chat K\")\n"
    "  --server-key-sha256 hex\n"
    "                     hardened: the relay's key as pinned, the SHA-256\n"
    "                     of its SPKI DER in 64 hex digits, or sha256:HEX\n"
    "                     as --trace shows it (pk-keygen info -i KEY)\n"
    "  --trace            show every frame sent (>>>) and received (<<<)\n"
    "                     on stderr, field by field, with the plaintext of\n"
    "                     each message and the unwrapped session key\n"
    "  --trace-json file  append the same to file, one JSON object a frame\n"
    "\n"
    "Exit codes: 0 left with EXIT or end of input, or the server closed the\n"
    "chat; 1 the server refused or sent a malformed frame, or the session\n"
    "key did not unwrap; hardened: the server key is not the one pinned or\n"
    "its signature does not verify, or a frame was altered, replayed or\n"
    "reordered; 2 could not do the job (usage, key, network, timeout, the\n"
    "relay on the other profile).\n";

static const struct option longopts[] = {
    {"help", no_argument, NULL, 'h'},
    {"key", required_argument, NULL, 'k'},
    {"save-key", required_argument, NULL, OPT_SAVE_KEY},
    {"server-key-sha256", required_argument, NULL, OPT_SERVER_KEY},
    {"user", required_argument, NULL, 'u'},
    XFER_LONGOPTS,
    {NULL, 0, NULL, 0},
};

void
chat_status(const char *line)
{
	fprintf(stderr, "[+] %s\n", line);
}

/* k, loaded or made, is held in the registry until secrets_release. */
static void
client_key(struct key_rsa *k, const char *path)
{
	if (path != NULL) {
		xfer_key_load(k, path, NULL);
		return;
	}
	xfer_key_hold(k);
	mpz_set_ui(k->pub.e, 65537);
	if (!rsa_generate_keypair(&k->pub, &k->priv, NULL, rand_nettle, NULL,
		NULL, CHAT_CLIENT_BITS, 0))
		errx(2, "RSA key generation failed");
	k->has_private = 1;
}

/* Unwraps the session key into c->aes and c->key; -1 if it does not open. */
static int
unwrap(struct chat_client *c, const struct key_rsa *k, const uint8_t *w,
    size_t len)
{
	if (chatkey_unwrap(k, 0, w, len, c->key) == -1)
		return -1;
	aes128_set_encrypt_key(&c->aes, c->key);
	c->keyed = 1;
	return 0;
}

const uint8_t *
chat_expect(
    struct chat_client *c, enum chat_step step, const char *what, size_t *len)
{
	if (!link_next(&c->link))
		errx(1,
		    "%s: the server closed the connection instead of "
		    "sending the %s",
		    c->server, what);
	if (step != CHAT_STEP_WRAPPED_KEY && step != CHAT_STEP_H_WRAPPED)
		chat_show(c, TRACE_RECV, step, c->link.msg, c->link.len);
	*len = c->link.len;
	return c->link.msg;
}

/* The original's key exchange; k is released once it has served. */
static void
faithful_setup(
    struct chat_client *c, const struct chat_opts *o, struct key_rsa *k)
{
	struct key_rsa srv;
	uint8_t pem[KEY_PEM_MAX];
	const uint8_t *p;
	size_t len;
	int rv;

	if (chat_send(c, CHAT_STEP_NAME, c->name, strlen(c->name)) == -1)
		errx(1, "%s: the server closed the connection", c->server);
	chat_status("Getting public key from the server");
	p = chat_expect(c, CHAT_STEP_SERVER_KEY, "server public key", &len);
	chatp_faithful_check(c, p, len);
	key_init(&srv);
	if (key_parse(&srv, p, len, NULL, 0) != KEY_OK)
		errx(
		    1, "%s: the server's public key does not parse", c->server);
	key_clear(&srv); /* as in the original, never used */
	chat_status("Sending public key to server");
	if (key_spki_pem(k, pem, sizeof(pem), &len) != KEY_OK)
		errx(2, "cannot encode the public key");
	/* As the original: no newline after the PEM's last line. */
	if (chat_send(c, CHAT_STEP_CLIENT_KEY, pem, chat_pem_len(pem, len)) ==
	    -1)
		errx(1, "%s: the server closed the connection", c->server);
	p = chat_expect(c, CHAT_STEP_WRAPPED_KEY, "wrapped session key", &len);
	if (o->save_key != NULL)
		out_write(o->save_key, p, len);
	rv = unwrap(c, k, p, len);
	secrets_release(k);
	chat_show(c, TRACE_RECV, CHAT_STEP_WRAPPED_KEY, p, len);
	if (rv == -1)
		errx(1, "%s: the session key does not unwrap with this key",
		    c->server);
}

static void
chat_setup(struct chat_client *c, const struct chat_opts *o)
{
	static struct key_rsa k; /* hardened: kept for the rekeys */

	client_key(&k, o->keyfile);
	link_connect(&c->link, c->server,
	    c->g->hardened ? CHAT_H_FRAME_MAX : CHAT_FRAME_MAX, c->timeout_ms);
	chat_status("Connected successfully.");
	chat_status("Exchanging keys.");
	if (c->g->hardened)
		chatp_setup(c, o, &k);
	else
		faithful_setup(c, o, &k);
	chat_status("Exchange completed!");
	chat_status("Initial set up had been completed!");
	chat_status("Now you can start to exchange messages");
}

int
chat_main(struct xfer_global *g, int argc, char *argv[])
{
	static struct chat_client c;
	struct chat_opts o = {NULL, NULL, NULL};
	int ch;

	while ((ch = getopt_long(argc, argv, XFER_SHORTOPTS "hk:u:", longopts,
		    NULL)) != -1) {
		switch (ch) {
		case 'h':
			cli_help(synopsis, options);
		case 'k':
			o.keyfile = optarg;
			break;
		case 'u':
			c.name = optarg;
			break;
		case OPT_SAVE_KEY:
			o.save_key = optarg;
			break;
		case OPT_SERVER_KEY:
			o.pin = optarg;
			break;
		default:
			if (!cli_global(g, ch, optarg))
				cli_usage("chat", NULL);
		}
	}
	argc -= optind;
	argv += optind;

	if (strcmp(argv[0], "chat") != 0)
		cli_usage("chat", "unexpected argument '%s'", argv[0]);
	if (argc < 2)
		cli_usage("chat", "chat: missing host:port");
	if (argc > 2)
		cli_usage("chat", "chat: unexpected argument '%s'", argv[2]);
	if (c.name == NULL)
		errx(2, "chat: missing -u name");
	if (chat_name_check((const uint8_t *)c.name, strlen(c.name)) == -1)
		errx(2,
		    "-u %s: not 1 to %d bytes of UTF-8 without control "
		    "characters",
		    c.name, CHAT_NAME_MAX);
	c.g = g;
	chatp_pin(&c, &o);
	c.server = argv[1];
	c.timeout_ms = g->timeout_ms;
	c.sink = g->trace ? &g->sink : NULL;
	cli_chdir(g);
	if (signal(SIGPIPE, SIG_IGN) == SIG_ERR)
		err(2, "signal");
	if (secrets_add(&c.aes, sizeof(c.aes)) == -1 ||
	    secrets_add(c.key, sizeof(c.key)) == -1 ||
	    secrets_add(c.h.k, sizeof(c.h.k)) == -1)
		err(2, "session key");
	chat_setup(&c, &o);
	return chat_talk(&c);
}
