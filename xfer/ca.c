/*
 * ca: `pk-xfer ca`, the client of seed 004.  Without a step it is the
 * original's interactive client (the server's prompts answered from
 * stdin, then operations).  The steps register, login, csr, certup and
 * certreq each sign in and do one thing, for scripts; listen and connect
 * are the two ends of the peer chat.
 */
#include <err.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ca.h"
#include "cli.h"
#include "pass.h"
#include "xfer.h"

enum {
	OPT_CA = 256,
	OPT_CHAT_PASS,
	OPT_TO,
};

static const char synopsis[] =
    "usage: pk-xfer [--trace] [-t sec] [-C dir] ca [pass-option] host:port\n"
    "       pk-xfer ... ca register|login -u name [pass-option]"
    " host:port\n"
    "       pk-xfer ... ca csr -u name [pass-option] -i req [-o cert]"
    " host:port\n"
    "       pk-xfer ... ca certup -u name [pass-option] -i cert"
    " [-n for]\n"
    "           host:port\n"
    "       pk-xfer ... ca certreq -u name [pass-option] [-o cert]"
    " host:port id\n"
    "       pk-xfer ... ca listen -k key [pass-option]\n"
    "       pk-xfer ... ca connect -u name [pass-option] --ca ca.crt"
    " --to id\n"
    "           [--chat-pass src] host:port peer-host:port\n"
    "pass-option: --pass-file file | --pass-fd fd | --pass-env var\n"
    "src: file:path | fd:N | env:var\n";

static const char options[] =
    "\n"
    "The client of the certificate authority (seed 004).  Without a step:\n"
    "the original's interactive client: the server's prompts are answered\n"
    "from stdin (passwords from pass-option, else the terminal with echo\n"
    "off, else a line of stdin), then operations CSR, CERTUP, CERTREQ\n"
    "(`help` lists them); a certificate that comes back is saved.\n"
    "  register  sign up as -u name (`r` at the not-found prompt)\n"
    "  login     sign in and leave: checks the password\n"
    "  csr       send the PEM request -i (pk-keygen csr, openssl req -new);\n"
    "            the CA signs it for the request's CN: the certificate\n"
    "            goes to -o (- is stdout), else to a new CN.crt\n"
    "  certup    store the certificate -i (issued by this CA) for -n for\n"
    "            (default: -u name)\n"
    "  certreq   fetch the certificate stored for id into -o\n"
    "  listen    listen on 127.0.0.1, a free port (printed as `listening\n"
    "            on 127.0.0.1:PORT`), take one sender and print each of\n"
    "            its messages (ciphertext and IV in hex, then the text)\n"
    "            until it hangs up\n"
    "  connect   fetch the certificate of --to with CERTREQ, check it\n"
    "            against --ca and its name, then send each line of stdin\n"
    "            to the listener at peer-host:port: AES-256-CBC under\n"
    "            SHA-256(chat password), the password RSA-OAEP-SHA256\n"
    "            wrapped\n"
    "With --hardened (docs/ca.md \"Profiles\"): \"login NAME\" or \"register\n"
    "NAME\" after the CA's marked prompt, one answer for an unknown name or\n"
    "a wrong password, names held then locked after failures; the chat\n"
    "key is random, RSA-OAEP wrapped, each line AES-256-GCM with its\n"
    "sequence number (no --chat-pass).\n"
    "\n"
    "  --ca file          connect: the CA's root certificate\n"
    "  --chat-pass src    connect: the chat password (default: terminal)\n"
    "  -C dir             work in dir (paths on the command line too)\n"
    "  -h, --help         print this help and exit\n"
    "  -i file            csr, certup: the PEM file to send (- is stdin)\n"
    "  -k file            listen: the receiver's RSA private key\n"
    "  -n name            certup: store for this name\n"
    "  -o file            csr, certreq: where the certificate goes (0600;\n"
    "                     csr: CN.crt by default, never replaced)\n"
    "  --pass-env var     the account password (listen: the passphrase of\n"
    "                     an encrypted -k key) from variable var\n"
    "  --pass-fd fd       ... from file descriptor fd\n"
    "  --pass-file file   ... from file (one trailing newline dropped)\n"
    "  -t, --timeout sec  give up any network wait after sec seconds\n"
    "                     (1 to 86400, default 30)\n"
    "  --to id            connect: the receiver's name\n"
    "  --trace            show each frame sent and received, the peer chat's\n"
    "                     too, field by field on stderr: the password in the\n"
    "                     clear, as it crosses the wire\n"
    "  --trace-json file  append the same, one JSON object per frame, to file\n"
    "  -u name            the account: 1 to 64 of A-Z a-z 0-9 . _ -\n"
    "\n"
    "Exit codes: 0 ok; 1 refused: wrong password, unknown or taken name,\n"
    "an error from the CA, no such certificate, a certificate that does\n"
    "not verify, a chat message that does not unwrap or decrypt; 2 could\n"
    "not do the job (usage, files, network, timeout).\n";

static const struct option longopts[] = {
    {"ca", required_argument, NULL, OPT_CA},
    {"chat-pass", required_argument, NULL, OPT_CHAT_PASS},
    {"help", no_argument, NULL, 'h'},
    {"to", required_argument, NULL, OPT_TO},
    XFER_LONGOPTS,
    CLI_PASS_LONGOPTS,
    {NULL, 0, NULL, 0},
};

static const struct pass_words chat_pass_words = {
    "--chat-pass fd:", "--chat-pass env:", NULL};

/* --chat-pass src: file:path, fd:N or env:var; the last one counts. */
static void
chat_pass(const char *arg, struct secret_src *src)
{
	const char *why = "want file:path, fd:N or env:var";

	*src = (struct secret_src)SECRET_SRC_INIT;
	src->words = &chat_pass_words;
	if (strncmp(arg, "file:", 5) == 0 && arg[5] != '\0')
		pass_set(src, PASS_FILE, arg + 5, &why);
	else if (strncmp(arg, "fd:", 3) == 0)
		pass_set(src, PASS_FD, arg + 3, &why);
	else if (strncmp(arg, "env:", 4) == 0 && arg[4] != '\0')
		pass_set(src, PASS_ENV, arg + 4, &why);
	if (why != NULL)
		errx(2, "--chat-pass %s: %s", arg, why);
}

static void
need(const char *what, const void *p, const char *step)
{
	if (p == NULL)
		errx(2, "ca %s: missing %s", step, what);
}

enum step { S_CLIENT, S_REGISTER, S_LOGIN, S_CSR, S_CERTUP, S_CERTREQ };

static const char *const step_names[] = {
    [S_REGISTER] = "register",
    [S_LOGIN] = "login",
    [S_CSR] = "csr",
    [S_CERTUP] = "certup",
    [S_CERTREQ] = "certreq",
};

/* One connection to the CA: sign in, then the step. */
static int
run(const struct ca_opts *o, enum step st, const char *addr, const char *id)
{
	static struct link l;
	int rv = 0;

	if (st != S_CLIENT)
		need("-u name", o->user, step_names[st]);
	if ((st == S_CSR || st == S_CERTUP))
		need("-i file", o->in, step_names[st]);
	if (st != S_CLIENT)
		ca_pass_read(o, st == S_REGISTER);
	link_connect(&l, addr, CA_FRAME_MAX, o->timeout_ms);
	if (st == S_CLIENT)
		rv = ca_interactive(&l, o);
	else
		ca_signin(&l, o, st == S_REGISTER);
	if (st == S_CSR)
		rv = ca_csr(&l, o);
	else if (st == S_CERTUP)
		rv = ca_certup(&l, o);
	else if (st == S_CERTREQ)
		rv = ca_certreq(&l, o, id);
	link_close(&l);
	return rv;
}

/* The step and its operands after the options; returns the status. */
static int
dispatch(const struct ca_opts *o, int argc, char *argv[])
{
	size_t i;

	if (strcmp(argv[0], "listen") == 0) {
		need("-k key", o->keyfile, "listen");
		if (argc != 1)
			cli_usage("ca", "ca listen: unexpected argument '%s'",
			    argv[1]);
		return ca_peer_listen(o);
	}
	if (strcmp(argv[0], "connect") == 0) {
		need("-u name", o->user, "connect");
		need("--ca file", o->cafile, "connect");
		need("--to id", o->to, "connect");
		if (argc != 3)
			cli_usage("ca",
			    "ca connect: want host:port and "
			    "peer-host:port");
		return ca_peer_connect(o, argv[1], argv[2]);
	}
	if (argc == 1)
		return run(o, S_CLIENT, argv[0], NULL);
	for (i = S_REGISTER; i <= S_CERTREQ; i++)
		if (strcmp(argv[0], step_names[i]) == 0)
			break;
	if (i > S_CERTREQ)
		cli_usage("ca", "ca: unknown step '%s'", argv[0]);
	if (argc != (i == S_CERTREQ ? 3 : 2))
		cli_usage("ca", "ca %s: want host:port%s", argv[0],
		    i == S_CERTREQ ? " and id" : "");
	if (i == S_CERTREQ && !x509_cn_safe(argv[2]))
		errx(2, "certreq %s: not a safe name", argv[2]);
	return run(o, (enum step)i, argv[1], argc == 3 ? argv[2] : NULL);
}

int
ca_main(struct xfer_global *g, int argc, char *argv[])
{
	struct ca_opts o = {0};
	int ch, want_help = 0;

	o.pass = (struct secret_src)CLI_PASS_INIT;
	o.chat = (struct secret_src)SECRET_SRC_INIT;
	while ((ch = getopt_long(argc, argv,
		    XFER_SHORTOPTS "hi:k:n:o:u:", longopts, NULL)) != -1) {
		switch (ch) {
		case 'h':
			want_help = 1;
			break;
		case 'i':
			o.in = optarg;
			break;
		case 'k':
			o.keyfile = optarg;
			break;
		case 'n':
			o.as = optarg;
			break;
		case 'o':
			o.out = optarg;
			break;
		case 'u':
			o.user = optarg;
			break;
		case OPT_CA:
			o.cafile = optarg;
			break;
		case OPT_CHAT_PASS:
			chat_pass(optarg, &o.chat);
			break;
		case OPT_TO:
			o.to = optarg;
			break;
		default:
			if (!cli_pass(&o.pass, ch, optarg) &&
			    !cli_global(g, ch, optarg))
				cli_usage("ca", NULL);
		}
	}
	argc -= optind;
	argv += optind;
	cli_operands(&(struct cli_text){"ca", synopsis, options}, want_help,
	    argc, argv, "host:port");
	if (o.user != NULL && !x509_cn_safe(o.user))
		errx(2, "-u %s: not 1 to %d of A-Z a-z 0-9 . _ -", o.user,
		    CA_NAME_MAX);
	if (o.as != NULL && !x509_cn_safe(o.as))
		errx(2, "-n %s: not a safe name", o.as);
	if (o.to != NULL && !x509_cn_safe(o.to))
		errx(2, "--to %s: not a safe name", o.to);
	if (g->hardened && pass_kind(&o.chat) != PASS_TTY)
		errx(2, "--chat-pass: the hardened chat draws its own key");
	o.timeout_ms = g->timeout_ms;
	o.g = g;
	o.hardened = g->hardened;
	ca_trace_to(g->trace ? &g->sink : NULL);
	cli_chdir(g);
	if (signal(SIGPIPE, SIG_IGN) == SIG_ERR)
		err(2, "signal");
	return dispatch(&o, argc - 1, argv + 1);
}
