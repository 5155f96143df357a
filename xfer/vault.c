/*
 * vault: `pk-xfer vault ...`, the command line of the vault protocol
 * (seed 001): one subcommand per protocol step, so that the protocol is a
 * list of commands a student can re-run by hand with the foundation tools
 * between them.  vault_main parses it and calls one worker.
 */
#include <err.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "secret.h"
#include "vault.h"
#include "xfer.h"

enum {
	OPT_FLIP_BYTE = 256,
	OPT_NAME,
	OPT_SIZE,
};

/* Options that only some subcommands take. */
enum {
	HAS_KEY = 1 << 0,
	HAS_OUT = 1 << 1,
	HAS_NAME = 1 << 2,
	HAS_SIZE = 1 << 3,
	HAS_FLIP = 1 << 4,
	HAS_PASS = 1 << 5,
};

static const char *const has_name[] = {
    "-k",
    "-o",
    "--name",
    "--size",
    "--flip-byte",
    "--pass-*",
};

static const struct sub {
	const char *name;
	int (*run)(const struct vault_opts *);
	unsigned opts;
	int minargs, maxargs;
} subs[] = {
    {"register", vault_register, 0, 0, 1},
    {"pubkey", vault_pubkey, HAS_KEY | HAS_OUT | HAS_PASS, 0, 0},
    {"reconnect", vault_reconnect, HAS_OUT, 0, 0},
    {"send", vault_send, HAS_KEY | HAS_NAME | HAS_SIZE | HAS_FLIP, 0, 0},
    {"ack", vault_ack, HAS_NAME, 1, 1},
    {"client", vault_client, HAS_FLIP, 0, 0},
};

static const char synopsis[] =
    "usage: pk-xfer [--trace] [-t sec] [-C dir] vault register [name]\n"
    "       pk-xfer ... vault pubkey -k key [-o wrapped] [--pass-env var |"
    "\n"
    "           --pass-fd n | --pass-file file]\n"
    "       pk-xfer ... vault reconnect [-o wrapped]\n"
    "       pk-xfer ... vault send [--name name] [--size bytes]"
    " [--flip-byte n] [-q]\n"
    "       pk-xfer ... vault ack ok | retry | fail [--name name]\n"
    "       pk-xfer ... vault client [--flip-byte n] [-q]\n";

static const char options[] =
    "\n"
    "Each subcommand is one step of the vault protocol (seed 001) on its own\n"
    "connection, with the client's state in the current directory:\n"
    "transfer.info (host:port, name, file to send), me.info (name, id as 32\n"
    "hex digits, base64 PKCS#8 DER private key) and priv.key (the same\n"
    "base64), both written mode 0600.\n"
    "\n"
    "  register   825: register the name (default: transfer.info's); writes\n"
    "             me.info's name and id and prints the id\n"
    "  pubkey     826: send the public key of -k (RSA-1024, e = 17: pk-keygen\n"
    "             rsa -b 1024 -e 17); writes priv.key and me.info's key\n"
    "             lines, and the 128-byte wrapped AES key to -o or stdout,\n"
    "             which pk-wrap -d --oaep-sha1 -k key unwraps\n"
    "  reconnect  827: ask for a new AES key as me.info's client; the\n"
    "             wrapped key to -o or stdout.  Denied (1606), the name is\n"
    "             registered again: the new id goes into me.info and\n"
    "             me.info's key (or a new one) to the server (826)\n"
    "  send       828: send the ciphertext on stdin (a regular file, or\n"
    "             spooled to a temporary file first) in 1024-byte packets;\n"
    "             print the server's CRC of the decrypted file (1603)\n"
    "  ack        900 ok (wait for 1604), 901 retry (no reply: send again),\n"
    "             902 fail (wait for 1604; the server discards the file)\n"
    "  client     the whole sequence in one process, as the course client:\n"
    "             reconnect if me.info exists (if denied, as reconnect),\n"
    "             else register with a new key; encrypt transfer.info's file "
    "(AES-256-CBC,\n"
    "             zero IV, PKCS#7), send it, compare the CRCs, at most 3\n"
    "             tries, then 902\n"
    "\n"
    "\n"
    "With --hardened (the relay runs pk-relay --hardened vault; "
    "docs/vault.md,\n"
    "\"Profiles\"): reconnect answers the relay's challenge with a signature\n"
    "by me.info's key (829) before the key comes (1605); send reads the\n"
    "plaintext on stdin and -k the session key (the 32 bytes pk-wrap -d\n"
    "unwraps), seals each packet with AES-256-GCM itself and prints the\n"
    "relay's receipt (HMAC-SHA256 of the file), exit 1 unless it is the\n"
    "file's; client does the same; a tampered packet gets 1607.\n"
    "\n"
    "  -C dir             work in dir (paths on the command line too)\n"
    "  -h, --help         print this help and exit\n"
    "  --hardened         the hardened profile (see above)\n"
    "  -k, --key file     the RSA private key, PEM or DER (may be encrypted);\n"
    "                     send --hardened: the 32-byte session key\n"
    "  -o, --output file  write the wrapped AES key to file (mode 0600; a\n"
    "                     device or FIFO is written into, not replaced)\n"
    "  -q, --quiet        no progress line on stderr (shown on a terminal\n"
    "                     for transfers over 4 MiB: bytes, rate, ETA)\n"
    "  -t, --timeout sec  give up on any network wait after sec seconds\n"
    "                     (1 to 86400, default 30)\n"
    "  --flip-byte n      flip (xor 0xff) byte n of the ciphertext, from 0,\n"
    "                     before sending it: the CRCs differ (in the last\n"
    "                     32 bytes it may spoil the padding: 1607)\n"
    "  --name name        file name to send under (default: the base name\n"
    "                     of transfer.info's path)\n"
    "  --pass-env var     passphrase of an encrypted key from variable var\n"
    "  --pass-fd n        ... read from file descriptor n\n"
    "  --pass-file file   ... read from file (one trailing newline dropped)\n"
    "  --size bytes       plaintext size sent in 828 (default: the size of\n"
    "                     transfer.info's file)\n"
    "  --trace            show every frame sent (>>>) and received (<<<) on\n"
    "                     stderr, field by field (docs/trace.md), with the\n"
    "                     plaintext under the ciphertext in client; of an\n"
    "                     upload's 828 packets only the first and the last,\n"
    "                     the ones between summed up in a line\n"
    "  --trace-json file  append every frame (every packet) to file, one\n"
    "                     JSON object per line\n"
    "\n"
    "Exit codes: 0 ok; 1 refused: name taken (1601), server error (1607,\n"
    "followed by what it can mean at that step), 3 wrong CRCs in client,\n"
    "or a wrong passphrase; 2 could not do the job (usage, files, keys, "
    "timeout, the\n"
    "server closed the connection or sent a short, malformed or unexpected\n"
    "reply).\n";

static const struct option longopts[] = {
    {"flip-byte", required_argument, NULL, OPT_FLIP_BYTE},
    {"help", no_argument, NULL, 'h'},
    {"key", required_argument, NULL, 'k'},
    {"name", required_argument, NULL, OPT_NAME},
    {"output", required_argument, NULL, 'o'},
    {"size", required_argument, NULL, OPT_SIZE},
    XFER_LONGOPTS,
    CLI_PASS_LONGOPTS,
    {NULL, 0, NULL, 0},
};

/* The subcommand named by argv, with its operands and options checked. */
static const struct sub *
find_sub(int argc, char *argv[], unsigned given, struct vault_opts *o)
{
	const struct sub *s;
	size_t i;

	for (s = NULL, i = 0; i < sizeof(subs) / sizeof(subs[0]); i++)
		if (strcmp(argv[1], subs[i].name) == 0)
			s = &subs[i];
	if (s == NULL)
		cli_usage("vault", "vault: unknown step '%s'", argv[1]);
	if (argc - 2 < s->minargs)
		cli_usage("vault", "vault %s: missing argument", s->name);
	if (argc - 2 > s->maxargs)
		cli_usage("vault", "vault %s: unexpected argument '%s'",
		    s->name, argv[2 + s->maxargs]);
	for (i = 0; i < sizeof(has_name) / sizeof(has_name[0]); i++)
		if (given & ~s->opts & 1u << i)
			errx(2, "%s is not an option of vault %s", has_name[i],
			    s->name);
	if (s->run == vault_pubkey && o->keyfile == NULL)
		errx(2, "vault pubkey: missing -k key");
	if (s->run == vault_register && argc == 3)
		o->name = argv[2];
	if (s->run == vault_ack) {
		o->ack = argv[2];
		if (strcmp(o->ack, "ok") != 0 && strcmp(o->ack, "retry") != 0 &&
		    strcmp(o->ack, "fail") != 0)
			errx(2, "vault ack %s: want ok, retry or fail", o->ack);
	}
	return s;
}

int
vault_main(struct xfer_global *g, int argc, char *argv[])
{
	struct vault_opts o = {.size = -1, .flip = -1, .pass = CLI_PASS_INIT};
	const struct sub *s;
	unsigned given = 0;
	int ch, want_help = 0;

	while ((ch = getopt_long(argc, argv, XFER_SHORTOPTS "hk:o:", longopts,
		    NULL)) != -1) {
		switch (ch) {
		case 'h':
			want_help = 1;
			break;
		case 'k':
			o.keyfile = optarg;
			given |= HAS_KEY;
			break;
		case 'o':
			o.outfile = optarg;
			given |= HAS_OUT;
			break;
		case OPT_FLIP_BYTE:
			o.flip =
			    cli_number("--flip-byte", optarg, 0, UINT32_MAX);
			given |= HAS_FLIP;
			break;
		case OPT_NAME:
			o.name = optarg;
			given |= HAS_NAME;
			break;
		case OPT_SIZE:
			o.size = cli_number("--size", optarg, 0, UINT32_MAX);
			given |= HAS_SIZE;
			break;
		default:
			if (cli_pass(&o.pass, ch, optarg))
				given |= HAS_PASS;
			else if (!cli_global(g, ch, optarg))
				cli_usage("vault", NULL);
		}
	}
	argc -= optind;
	argv += optind;
	cli_operands(&(struct cli_text){"vault", synopsis, options}, want_help,
	    argc, argv, "step");
	s = find_sub(argc, argv, given, &o);
	o.timeout_ms = g->timeout_ms;
	o.hardened = g->hardened;
	o.sink = g->trace ? &g->sink : NULL;
	cli_chdir(g);
	return s->run(&o);
}
