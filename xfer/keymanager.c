/*
 * keymanager: `pk-xfer keymanager`, the client of seed 000.  With no
 * step it is the original's interactive client (keymanager_tty.c).  The
 * steps `wait` and `send` each run one whole pairing from the command
 * line, for scripts, and the interactive client runs the same for its
 * `wait` and `conn`; --save leaves every step's bytes in a directory so
 * that protokit-keymanager can redo the crypto with the real filters.
 */
#include <sys/stat.h>

#include <err.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "keymanager.h"
#include "num.h"
#include "secret.h"
#include "secrets.h"
#include "xfer.h"

enum { OPT_FLIP_COUNT = 256, OPT_MODE, OPT_SAVE, OPT_TO, OPT_YES };

static const char synopsis[] =
    "usage: pk-xfer [--trace] [-t sec] [-C dir] keymanager -k k3 host:port\n"
    "       pk-xfer ... keymanager wait -k k3 -o file [--yes]"
    " [--save dir]\n"
    "           [--flip-count] [-q] host:port\n"
    "       pk-xfer ... keymanager send -k k3 [--mode cbc|cfb]"
    " [--to id]\n"
    "           [--save dir] [--flip-count] [-q] host:port file\n";

static const char options[] =
    "\n"
    "The client of the key manager (seed 000).  Without a step: the\n"
    "original's interactive client, reading `wait`, `send`, `conn ID\n"
    "cbc|cfb`, `end` and `help` from stdin (a terminal or a pipe).\n"
    "  wait   listen on a free port of the address the key manager sees,\n"
    "         list as a waiter, get K and IV, confirm them, receive one\n"
    "         file into -o, report the count, end\n"
    "  send   list the waiters, pair with --to (default: the first), get\n"
    "         K and IV, confirm, send file to the waiter, report, end\n"
    "\n"
    "  -C dir             work in dir (paths on the command line too)\n"
    "  -h, --help         print this help and exit\n"
    "  -k, --k3 file      the pre-shared K3 (pk-keygen aes -b 128); with\n"
    "                     --hardened, this client's own RSA private key\n"
    "                     (pk-keygen rsa --no-pass): no K3 (the profile,\n"
    "                     docs/keymanager.md: K under this key with OAEP,\n"
    "                     the file under AES-256-GCM)\n"
    "  -o, --output file  wait: where the file goes, a new file (made\n"
    "                     only when complete and its padding checked)\n"
    "  -q, --quiet        no progress line on stderr (shown on a terminal\n"
    "                     for transfers over 4 MiB: bytes, rate, ETA)\n"
    "  -t, --timeout sec  give up a network wait after sec seconds (1 to\n"
    "                     86400, default 30); the interactive client waits\n"
    "                     for a person (a sender, an answer) without limit\n"
    "  --flip-count       report one block more than counted (teaching:\n"
    "                     the key manager answers `sizes don't match`)\n"
    "  --mode cbc|cfb     send: the data mode (default cbc)\n"
    "  --save dir         write mode, key.wrapped, iv.wrapped (16 raw\n"
    "                     bytes each, as received), ciphertext, count and\n"
    "                     verdict into dir\n"
    "  --to id            send: the waiter's client number\n"
    "  --trace            show each frame with the key manager and with\n"
    "                     the peer on stderr, field by field: the words as\n"
    "                     text, K and IV unwrapped under K3, the plaintext\n"
    "                     under the ciphertext (docs/keymanager.md)\n"
    "  --trace-json file  append the same to file, one JSON object a frame\n"
    "  --yes              wait: accept the file without asking (else the\n"
    "                     answer y or n is read from stdin)\n"
    "\n"
    "Exit codes: 0 ok (`alles gut`); 1 refused: `key error`, `sizes don't\n"
    "match`, the waiter said no, no such waiter, the peer left, bad\n"
    "padding or tag; 2 could not do the job (usage, files, network,\n"
    "timeout, a profile mismatch).\n";

static const struct option longopts[] = {
    {"flip-count", no_argument, NULL, OPT_FLIP_COUNT},
    {"help", no_argument, NULL, 'h'},
    {"k3", required_argument, NULL, 'k'},
    {"mode", required_argument, NULL, OPT_MODE},
    {"output", required_argument, NULL, 'o'},
    {"save", required_argument, NULL, OPT_SAVE},
    {"to", required_argument, NULL, OPT_TO},
    {"yes", no_argument, NULL, OPT_YES},
    XFER_LONGOPTS,
    {NULL, 0, NULL, 0},
};

int
km_run_wait(const struct km_opts *o, struct link *km, const struct km_cred *c)
{
	struct km_session s;
	struct link peer;
	char cmd[32];
	uint16_t port;
	long long count;
	int lfd, fd, rv;

	lfd = link_listen(km, &port);
	snprintf(cmd, sizeof(cmd), "wait %u", port);
	link_says(km, cmd);
	printf("Waiting for a sender on port %u\n", port);
	fflush(stdout);
	/* A person waits for a sender as long as they like. */
	if (o->interactive)
		link_wait(km, -1);
	link_read(km);
	link_wait(km, o->timeout_ms);
	rv = km_pair(km, o, c, &s, cmd);
	if (rv == 0)
		rv = km_waiter_start(km);
	/* The key manager speaks only if the sender left: say so, give up. */
	if (rv == 0 &&
	    (fd = link_accept(lfd, km, o->interactive ? -1 : o->timeout_ms,
		 "sender")) == -1) {
		link_read(km);
		km_show(km);
		rv = 1;
	}
	if (rv == 0) {
		link_open(&peer, fd, "sender", KM_FRAME_MAX, o->timeout_ms);
		km_trace_on(&peer, o, KM_SIDE_WAITER, NULL, &s);
		printf("Peer connected, waiting file\n");
		count = km_recv_file(&peer, &s, o);
		link_close(&peer);
		km_trace_off(&peer);
		rv = km_counts(km, o, count < 0 ? 0 : (uint64_t)count);
		if (count < 0)
			rv = 1;
	}
	secrets_release(&s);
	close(lfd);
	return rv;
}

/* The id of the first waiter in the list, 0 if none. */
static unsigned
first_waiter(const struct link *km)
{
	const char *p = strstr((const char *)km->msg, "waiters:\n");

	return p != NULL ? (unsigned)strtoul(p + 9, NULL, 10) : 0;
}

/* The file to send: opened already (steps), or asked until one opens. */
static int
file_to_send(int fd)
{
	char name[PATH_MAX];
	struct stat st;
	int rv;

	while (fd == -1) {
		rv = km_line(NULL, "Enter a filename to send to peer: \n", name,
		    sizeof(name));
		if (rv == 0)
			errx(2, "stdin: no file name to send");
		if (rv == -1 || *name == '\0')
			printf("Not good: type the name of a file\n");
		else if ((fd = open(name, O_RDONLY | O_CLOEXEC)) == -1)
			printf("Not good: %s: %s\n", name, strerror(errno));
		else if (fstat(fd, &st) == -1 || !S_ISREG(st.st_mode)) {
			printf("Not good: %s: not a regular file\n", name);
			close(fd);
			fd = -1;
		}
	}
	return fd;
}

int
km_run_send(const struct km_opts *o, struct link *km, const struct km_cred *c,
    const char *file)
{
	struct km_session s;
	struct link peer;
	char cmd[64], addr[128];
	long long to = o->to, count;
	int fd = -1, rv;

	if (file != NULL && (fd = open(file, O_RDONLY | O_CLOEXEC)) == -1)
		err(2, "%s", file);
	if (to == -1) {
		link_says(km, "send");
		link_read(km);
		km_show(km);
		if ((to = first_waiter(km)) == 0)
			return 1;
	}
	snprintf(cmd, sizeof(cmd), "conn %lld %s", to, o->mode);
	link_says(km, cmd);
	link_read(km);
	rv = km_pair(km, o, c, &s, cmd);
	if (rv == 0)
		rv = km_sender_address(km, addr, sizeof(addr));
	if (rv == 0) {
		link_connect(&peer, addr, KM_FRAME_MAX, o->timeout_ms);
		km_trace_on(&peer, o, KM_SIDE_SENDER, NULL, &s);
		printf("Successfully connected to peer\n");
		fd = file_to_send(fd);
		count = km_send_file(&peer, &s, o, fd);
		link_close(&peer);
		km_trace_off(&peer);
		rv = km_counts(km, o, count < 0 ? 0 : (uint64_t)count);
		if (count < 0)
			rv = 1;
	}
	secrets_release(&s);
	if (fd != -1)
		close(fd);
	return rv;
}

enum km_step { STEP_CLIENT, STEP_WAIT, STEP_SEND };

static int
run(struct km_opts *o, enum km_step step, const char *addr, const char *file)
{
	struct km_cred *c;
	struct link km;
	int rv;

	if (o->save != NULL && mkdir(o->save, 0700) == -1 && errno != EEXIST)
		err(2, "%s", o->save);
	/* Unbuffered: poll on fd 0 then sees every line not yet read. */
	if (setvbuf(stdin, NULL, _IONBF, 0) != 0)
		err(2, "stdin");
	/* K3 or the RSA key, the key frame and the greeting: wiped at exit. */
	if ((c = secrets_alloc(sizeof(*c))) == NULL)
		err(2, "keys");
	kmp_load(o, c);
	link_connect(&km, addr, KM_FRAME_MAX, o->timeout_ms);
	km_trace_on(&km, o, KM_SIDE_CLIENT, c, NULL);
	km.gone = "the key manager closed the connection (see the relay's log)";
	kmp_greeted(&km, o, c);
	km_show(&km);
	if (step == STEP_CLIENT)
		rv = km_interactive(o, &km, c);
	else {
		rv = step == STEP_WAIT ? km_run_wait(o, &km, c)
				       : km_run_send(o, &km, c, file);
		link_says(&km, "end");
	}
	secrets_release(&c->k3);
	if (c->hardened)
		secrets_release(&c->rsa);
	secrets_release(c);
	link_close(&km);
	km_trace_off(&km);
	if (fflush(stdout) == EOF || ferror(stdout))
		err(2, "stdout");
	return rv;
}

int
keymanager_main(struct xfer_global *g, int argc, char *argv[])
{
	struct km_opts o = {.mode = "cbc", .to = -1};
	const char *errstr;
	struct stat st;
	int ch, want_help = 0;

	while ((ch = getopt_long(argc, argv, XFER_SHORTOPTS "hk:o:", longopts,
		    NULL)) != -1) {
		switch (ch) {
		case 'h':
			want_help = 1;
			break;
		case 'k':
			o.k3file = optarg;
			break;
		case 'o':
			o.out = optarg;
			break;
		case OPT_FLIP_COUNT:
			o.flip_count = 1;
			break;
		case OPT_MODE:
			if (strcmp(optarg, "cbc") != 0 &&
			    strcmp(optarg, "cfb") != 0)
				errx(2, "--mode %s: want cbc or cfb", optarg);
			o.mode = optarg;
			break;
		case OPT_SAVE:
			o.save = optarg;
			break;
		case OPT_TO:
			o.to = num_parse(optarg, 1, 0xffffffffLL, &errstr);
			if (errstr != NULL)
				errx(2, "--to %s: %s", optarg, errstr);
			break;
		case OPT_YES:
			o.yes = 1;
			break;
		default:
			if (!cli_global(g, ch, optarg))
				cli_usage("keymanager", NULL);
		}
	}
	argc -= optind;
	argv += optind;
	cli_operands(&(struct cli_text){"keymanager", synopsis, options},
	    want_help, argc, argv, "host:port");
	o.timeout_ms = g->timeout_ms;
	o.g = g;
	o.hardened = g->hardened;
	o.sink = g->trace ? &g->sink : NULL;
	cli_chdir(g);
	if (o.k3file == NULL)
		errx(2, "missing -k k3");
	if (strcmp(argv[1], "wait") == 0) {
		if (argc != 3 || o.out == NULL)
			errx(2, "keymanager wait: want -o file and host:port");
		if (lstat(o.out, &st) == 0 && !S_ISCHR(st.st_mode) &&
		    !S_ISFIFO(st.st_mode))
			errx(2, "%s: already exists", o.out);
		return run(&o, STEP_WAIT, argv[2], NULL);
	}
	if (strcmp(argv[1], "send") == 0) {
		if (argc != 4)
			errx(2, "keymanager send: want host:port and a file");
		return run(&o, STEP_SEND, argv[2], argv[3]);
	}
	if (argc != 2)
		cli_usage("keymanager", "keymanager: unexpected argument '%s'",
		    argv[2]);
	return run(&o, STEP_CLIENT, argv[1], NULL);
}
