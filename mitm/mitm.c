/*
 * pk-mitm: a man in the middle on loopback for the lab's attacks.  It
 * listens, connects each client to --to, and forwards both ways, cutting
 * the streams into the frames of -p's protocol: it logs them (--trace,
 * --trace-json, --record) and drops, replays or rewrites those the rules
 * pick (-r RULE, -f FILE; docs/mitm.md).
 */
#include <err.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mitm.h"
#include "num.h"

#define RULE_LINE 512 /* a rule file's line, its newline included */

static _Noreturn void usage(void);
static _Noreturn void help(void);

static const char synopsis[] =
    "usage: pk-mitm -p protocol --to host:port [-l host:port] [-n count]\n"
    "               [-r rule] ... [-f file] [-k keyfile [--peer-key file]\n"
    "               [--edit from=to]]\n"
    "               [--trace] [--trace-json file] [--trace-as name]\n"
    "               [--record file]\n";

static _Noreturn void
usage(void)
{
	fputs(synopsis, stderr);
	fputs("Try 'pk-mitm --help'\n", stderr);
	exit(2);
}

static _Noreturn void
help(void)
{
	fputs(synopsis, stdout);
	fputs(
	    "Listen on host:port (port 0: any; \"listening HOST:PORT\" on\n"
	    "stdout), connect each client to --to, forward both ways, and\n"
	    "drop, replay or rewrite the frames the rules pick.  Rules and\n"
	    "their grammar: docs/mitm.md.\n"
	    "  --edit from=to            with -k: the first from in each\n"
	    "                            message the attack opens becomes to\n"
	    "                            (chat, e2e)\n"
	    "  -f, --rules file          rules, one a line, # comments\n"
	    "  -h, --help                print this help and exit\n"
	    "  -k, --key keyfile         the attacker's private key: the\n"
	    "                            protocol's active attack (below)\n"
	    "  -l, --listen host:port    where to listen (127.0.0.1:0)\n"
	    "  -n, --conns count         exit after count connections closed\n"
	    "  -p, --protocol name       the protocol of the frames (below)\n"
	    "  --peer-key file           a victim's public key or certificate\n"
	    "                            for the active attack\n"
	    "  -r, --rule rule           a rule (repeatable), e.g.\n"
	    "                            'c2s send_file.content[16]^=01'\n"
	    "  --record file             every frame as received: CONN FRAME "
	    "DIR STEP HEX\n"
	    "  --to host:port            the relay or peer to connect to\n"
	    "  --trace                   every frame, field by field, on "
	    "stderr\n"
	    "  --trace-as name           the JSON trace's \"who\"\n"
	    "  --trace-json file         every frame as JSON, appended to "
	    "file\n",
	    stdout);
	proto_list(stdout);
	fputs(
	    "rule: [PROTO:][c2s|s2c] [step=STEP] [#N] [conn=N] [nth=N] "
	    "ACTION\n"
	    "action: drop | replay[=N] | [STEP.]FIELD[[OFF]]=VALUE\n"
	    "        | [STEP.]FIELD[[OFF]]^=VALUE   (VALUE: hex, or @FILE)\n"
	    "Exit status: 0 ok (-n's connections done); 2 usage, a bad rule,\n"
	    "or a socket that cannot be opened.\n",
	    stdout);
	if (fflush(stdout) == EOF || ferror(stdout))
		err(2, "stdout");
	exit(0);
}

/* Adds one rule; where names where it came from, for the message. */
static void
add_rule(struct mitm *m, const char *text, const char *where)
{
	const char *why;
	size_t col;

	if (m->nrules == MITM_RULES)
		errx(2, "%s: more than %d rules", where, MITM_RULES);
	if ((why = rule_parse(
		 text, m->proto->name, &m->rules[m->nrules], &col)) != NULL)
		errx(2, "%s: bad rule '%s': column %zu: %s", where, text, col,
		    why);
	if (m->rules[m->nrules].act == RULE_REPLAY)
		m->copies += m->rules[m->nrules].count;
	if (m->copies > 1 + MITM_REPLAY_MAX)
		errx(2, "%s: bad rule '%s': the replays add up to more than %d",
		    where, text, MITM_REPLAY_MAX);
	m->nrules++;
}

/* A rule file: one rule a line; blank lines and # comments skipped. */
static void
read_rules(struct mitm *m, const char *path)
{
	char line[RULE_LINE], where[4096 + 32];
	size_t n, lineno = 0;
	const char *p;
	FILE *fp;

	if ((fp = strcmp(path, "-") == 0 ? stdin : fopen(path, "r")) == NULL)
		err(2, "%s", path);
	while (fgets(line, sizeof(line), fp) != NULL) {
		lineno++;
		snprintf(where, sizeof(where), "%s:%zu", path, lineno);
		n = strlen(line);
		if (n > 0 && line[n - 1] == '\n')
			line[--n] = '\0';
		else if (!feof(fp))
			errx(2, "%s: line too long", where);
		p = line + strspn(line, " \t");
		if (*p == '\0' || *p == '#')
			continue;
		add_rule(m, p, where);
	}
	if (ferror(fp))
		err(2, "%s", path);
	if (fp != stdin)
		fclose(fp);
}

enum {
	O_EDIT = 256,
	O_PEER_KEY,
	O_RECORD,
	O_TO,
	O_TRACE,
	O_TRACE_AS,
	O_TRACE_JSON
};

static const struct option longopts[] = {
    {"conns", required_argument, NULL, 'n'},
    {"edit", required_argument, NULL, O_EDIT},
    {"help", no_argument, NULL, 'h'},
    {"key", required_argument, NULL, 'k'},
    {"listen", required_argument, NULL, 'l'},
    {"peer-key", required_argument, NULL, O_PEER_KEY},
    {"protocol", required_argument, NULL, 'p'},
    {"record", required_argument, NULL, O_RECORD},
    {"rule", required_argument, NULL, 'r'},
    {"rules", required_argument, NULL, 'f'},
    {"to", required_argument, NULL, O_TO},
    {"trace", no_argument, NULL, O_TRACE},
    {"trace-as", required_argument, NULL, O_TRACE_AS},
    {"trace-json", required_argument, NULL, O_TRACE_JSON},
    {NULL, 0, NULL, 0},
};

/* -k's active attack, with --edit's FROM=TO if given. */
static void
active_setup(
    struct mitm *m, const char *key, const char *peer, const char *edit)
{
	const char *why;

	if (edit != NULL && (why = edit_parse(&m->edit, edit)) != NULL)
		errx(2, "--edit '%s': %s", edit, why);
	m->active =
	    m->proto->active->setup(key, peer, edit != NULL ? &m->edit : NULL);
}

int
main(int argc, char *argv[])
{
	static struct mitm m = {.listen = "127.0.0.1:0", .copies = 1};
	const char *proto = NULL, *json = NULL, *record = NULL, *errstr;
	const char *key = NULL, *peer = NULL, *edit = NULL;
	const char *rules[MITM_RULES + 1], *files[MITM_RULES + 1];
	size_t nr = 0, nf = 0, i;
	int ch;

	while ((ch = getopt_long(
		    argc, argv, "f:hk:l:n:p:r:", longopts, NULL)) != -1) {
		switch (ch) {
		case 'f':
			if (nf == MITM_RULES)
				errx(2, "-f: more than %d files", MITM_RULES);
			files[nf++] = optarg;
			break;
		case 'h':
			help();
		case 'k':
			key = optarg;
			break;
		case 'l':
			m.listen = optarg;
			break;
		case 'n':
			m.max_conns = num_parse(optarg, 1, 1 << 30, &errstr);
			if (errstr != NULL)
				errx(2, "-n: count %s: %s", errstr, optarg);
			break;
		case 'p':
			proto = optarg;
			break;
		case 'r':
			if (nr == MITM_RULES)
				errx(2, "more than %d rules", MITM_RULES);
			rules[nr++] = optarg;
			break;
		case O_EDIT:
			if (edit != NULL)
				errx(2, "--edit: one FROM=TO only, not two");
			edit = optarg;
			break;
		case O_PEER_KEY:
			peer = optarg;
			break;
		case O_RECORD:
			record = optarg;
			break;
		case O_TO:
			m.to = optarg;
			break;
		case O_TRACE:
			m.sink.text = stderr;
			break;
		case O_TRACE_AS:
			m.sink.who = optarg;
			break;
		case O_TRACE_JSON:
			json = optarg;
			break;
		default:
			usage();
		}
	}
	argc -= optind;
	argv += optind;
	if (argc != 0)
		usage();
	if (proto == NULL || m.to == NULL)
		errx(2, "-p and --to are required");
	if ((m.proto = proto_find(proto)) == NULL)
		errx(2, "-p: unknown protocol: %s (see --help)", proto);
	if (peer != NULL && key == NULL)
		errx(2, "--peer-key needs -k");
	if (edit != NULL && key == NULL)
		errx(2, "--edit needs -k");
	if (key != NULL && m.proto->active == NULL)
		errx(2, "-k: %s has no active attack (see --help)", proto);
	if (edit != NULL && !m.proto->active->edits)
		errx(2, "--edit: %s's attack rewrites no text", proto);
	if (key != NULL)
		active_setup(&m, key, peer, edit);
	for (i = 0; i < nr; i++)
		add_rule(&m, rules[i], "-r");
	for (i = 0; i < nf; i++)
		read_rules(&m, files[i]);
	if (json != NULL && (m.sink.json = trace_json_open(json)) == NULL)
		err(2, "%s", json);
	if (record != NULL && (m.record = fopen(record, "a")) == NULL)
		err(2, "%s", record);
	proxy_run(&m);
	return 0;
}
