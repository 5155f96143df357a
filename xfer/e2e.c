/*
 * e2e: `pk-xfer e2e`, the client of the e2e protocol (seed 002): an
 * interactive client as the original's, and the steps send and upload
 * for scripts.  main parses the command line and calls one worker.
 */
#include <err.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cli.h"
#include "e2e.h"
#include "xfer.h"

enum {
	OPT_NAME = 256,
	OPT_PEERS,
};

static const char synopsis[] =
    "usage: pk-xfer [--trace] [-t sec] [-C dir] e2e -k key -s server.pub\n"
    "           [pass-option] host:port\n"
    "       pk-xfer ... e2e send -k key -s server.pub [pass-option]\n"
    "           host:port ip:port/message\n"
    "       pk-xfer ... e2e upload -k key -s server.pub [pass-option]\n"
    "           [--name name] [-q] host:port file\n"
    "pass-option: --pass-env var | --pass-fd n | --pass-file file\n"
    "--hardened: also -u name, and --peers dir to check what arrives\n";

static const char options[] =
    "\n"
    "The e2e protocol (seed 002): every message is one RSA-OAEP-SHA256\n"
    "block (at most 190 bytes) to the server's key, and every answer one\n"
    "block to the client key all clients share.\n"
    "\n"
    "With only host:port, the interactive client of the e2e service: it\n"
    "prints \"This client address: ip:port\", sends each line of stdin (type\n"
    "\"ip:port/message\" to reach the client at that address), and prints\n"
    "\"Recieved a message from ('ip', port): message\" for each message and\n"
    "the server's error texts as they come.  \"help\" lists the commands.\n"
    "A line \"quit\" or the end of stdin leaves; when the server stops it\n"
    "prints \"Disconnected from Server. Exiting...\".\n"
    "send      sends one message, then prints what the server answers\n"
    "          until it closes (an error text exits 1)\n"
    "upload    sends file to the e2e-upload service in 190-byte chunks,\n"
    "          each acknowledged; prints the first and last answers\n"
    "\n"
    "With --hardened (pk-relay --hardened e2e): each client has its own\n"
    "key pair (-k, PBES2 PKCS#8 only) and name (-u); a message is typed\n"
    "\"name/message\", signed with RSA-PSS-SHA256, and a message that\n"
    "arrives is shown only when its signature verifies with the sender's\n"
    "NAME.pub in --peers (else one line on stderr, and exit 1 at the end).\n"
    "\n"
    "  -C dir             work in dir (paths on the command line too)\n"
    "  -h, --help         print this help and exit\n"
    "  -k, --key file     the shared client private key (pk-keygen rsa\n"
    "                     --legacy), RSA-2048; hardened: this client's\n"
    "                     own key (pk-keygen rsa, PBES2 PKCS#8)\n"
    "  -q, --quiet        no progress line on stderr (shown on a terminal\n"
    "                     for transfers over 4 MiB: bytes, rate, ETA)\n"
    "  -s, --server file  the server's public key (SPKI PEM), RSA-2048\n"
    "  -t, --timeout sec  give up on an answer or a blocked write after sec\n"
    "                     seconds (1 to 86400, default 30)\n"
    "  -u, --user name    hardened: this client's name (its key is\n"
    "                     STATE/e2e-clients/name.pub at the relay)\n"
    "  --name name        upload: the name on the server (default: file's\n"
    "                     base name); A-Z a-z 0-9 . _ -, no leading dot\n"
    "  --pass-env var     passphrase of the client key from variable var\n"
    "  --pass-fd n        ... read from file descriptor n\n"
    "  --pass-file file   ... read from file (one trailing newline dropped)\n"
    "                     (none of these: asked on the terminal)\n"
    "  --peers dir        hardened: the other clients' public keys,\n"
    "                     dir/NAME.pub, to check signatures with\n"
    "                     (default: the current directory)\n"
    "  --trace            show every frame sent (>>>) and received (<<<)\n"
    "                     on stderr, field by field, with the plaintext\n"
    "                     under each block (docs/e2e.md)\n"
    "  --trace-json file  append the same, one JSON object per frame\n"
    "\n"
    "Exit codes: 0 ok (left with quit or end of input, or the server\n"
    "stopped); 1 the server answered with an error, or dropped the\n"
    "connection because our block did not decrypt (the wrong -s key), or\n"
    "sent a block that does not decrypt, or the passphrase is wrong; 2\n"
    "could not do the job (usage, a message over 190 bytes, files, keys,\n"
    "network, timeout).\n";

static const struct option longopts[] = {
    {"help", no_argument, NULL, 'h'},
    {"key", required_argument, NULL, 'k'},
    {"name", required_argument, NULL, OPT_NAME},
    {"peers", required_argument, NULL, OPT_PEERS},
    {"server", required_argument, NULL, 's'},
    {"user", required_argument, NULL, 'u'},
    XFER_LONGOPTS,
    CLI_PASS_LONGOPTS,
    {NULL, 0, NULL, 0},
};

/* --peers names a directory: a typo is said now, not at each message. */
static void
peers_check(const char *dir)
{
	struct stat st;

	if (stat(dir, &st) == -1)
		err(2, "--peers %s", dir);
	if (!S_ISDIR(st.st_mode))
		errx(2, "--peers %s: not a directory", dir);
}

/* Runs the worker argv names (argv[0] is "e2e"). */
static int
run(int argc, char *argv[], struct e2e_opts *o)
{
	if (o->keyfile == NULL || o->srvfile == NULL)
		errx(2, "e2e: -k key and -s server.pub are both needed");
	if (!o->hardened && (o->user != NULL || o->peers != NULL))
		cli_usage("e2e", "e2e: -u and --peers are for --hardened");
	if (o->peers != NULL)
		peers_check(o->peers);
	if (strcmp(argv[1], "send") == 0) {
		if (o->name != NULL)
			cli_usage("e2e", "e2e send: cannot use --name");
		if (argc != 4)
			cli_usage("e2e",
			    "e2e send: want host:port and "
			    "ip:port/message");
		return e2e_step_send(o, argv[2], argv[3]);
	}
	if (strcmp(argv[1], "upload") == 0) {
		if (argc != 4)
			cli_usage(
			    "e2e", "e2e upload: want host:port and a file");
		return e2e_step_upload(o, argv[2], argv[3]);
	}
	if (o->name != NULL)
		cli_usage("e2e", "e2e: --name is for upload");
	if (argc != 2)
		cli_usage("e2e", "e2e: unexpected argument '%s'", argv[2]);
	return e2e_talk(o, argv[1]);
}

int
e2e_main(struct xfer_global *g, int argc, char *argv[])
{
	struct e2e_opts o = {.pass = CLI_PASS_INIT};
	int ch, want_help = 0;

	while ((ch = getopt_long(argc, argv, XFER_SHORTOPTS "hk:s:u:", longopts,
		    NULL)) != -1) {
		switch (ch) {
		case 'h':
			want_help = 1;
			break;
		case 'k':
			o.keyfile = optarg;
			break;
		case 's':
			o.srvfile = optarg;
			break;
		case 'u':
			o.user = optarg;
			break;
		case OPT_NAME:
			o.name = optarg;
			break;
		case OPT_PEERS:
			o.peers = optarg;
			break;
		default:
			if (!cli_pass(&o.pass, ch, optarg) &&
			    !cli_global(g, ch, optarg))
				cli_usage("e2e", NULL);
		}
	}
	argc -= optind;
	argv += optind;
	cli_operands(&(struct cli_text){"e2e", synopsis, options}, want_help,
	    argc, argv, "host:port");
	o.timeout_ms = g->timeout_ms;
	o.hardened = g->hardened;
	o.sink = g->trace ? &g->sink : NULL;
	cli_chdir(g);
	if (signal(SIGPIPE, SIG_IGN) == SIG_ERR)
		err(2, "signal");
	return run(argc, argv, &o);
}
