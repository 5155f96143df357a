/*
 * pk-xfer: the client of the relay's protocols.  main parses the global
 * options up to the protocol's name, then hands the rest of the command
 * line to that protocol's main (xfer/<proto>.c), which parses its steps'
 * options and takes the global ones after its name too (cli_global).
 */
#include <err.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "secret.h"
#include "secrets.h"
#include "xfer.h"

static const struct protocol {
	const char *name;
	int (*main)(struct xfer_global *, int, char *[]);
	int hardened; /* 1: has a hardened profile (--hardened) */
} protocols[] = {
    {"ca", ca_main, 1},
    {"chat", chat_main, 0},
    {"e2e", e2e_main, 0},
    {"keymanager", keymanager_main, 1},
    {"vault", vault_main, 1},
};

#define NPROTOCOLS (sizeof(protocols) / sizeof(protocols[0]))

static const struct option longopts[] = {
    {"help", no_argument, NULL, 'h'},
    XFER_LONGOPTS,
    {NULL, 0, NULL, 0},
};

static _Noreturn void
usage(FILE *fp, int status)
{
	size_t i;

	fputs("usage: pk-xfer [--hardened] [--trace] [--trace-json file]\n"
	      "               [--trace-as name] [-q] [-t sec] [-C dir]\n"
	      "               protocol step [arg ...]\n",
	    fp);
	fputs("protocols:", fp);
	for (i = 0; i < NPROTOCOLS; i++)
		fprintf(fp, " %s", protocols[i].name);
	fputs("\n'pk-xfer protocol --help' describes a protocol's steps.\n"
	      "\n"
	      "  -C dir             run the step in dir (paths on the command "
	      "line too)\n"
	      "  -h, --help         print this help and exit\n"
	      "  --hardened         speak the protocol's hardened profile "
	      "(the relay must\n"
	      "                     run it with --hardened too; default: "
	      "faithful)\n"
	      "  -q, --quiet        no progress line on stderr (vault send and "
	      "client,\n"
	      "                     keymanager, e2e upload show one on a "
	      "terminal)\n"
	      "  -t, --timeout sec  give up a connect, a reply or a write "
	      "after sec\n"
	      "                     seconds in all, 1 to 86400 (default 30)\n"
	      "  --trace            show every frame sent and received, field "
	      "by field, on\n"
	      "                     stderr (docs/trace.md)\n"
	      "  --trace-json file  append the same, one JSON object per "
	      "frame, to file\n"
	      "  --trace-as name    the party's name in the JSON trace, for "
	      "charts\n"
	      "The global options may also follow the protocol's name.\n"
	      "\n"
	      "Exit codes: 0 ok; 1 the server or the data refused the step; 2 "
	      "could not\ndo the job (usage, files, keys, network, timeout).\n",
	    fp);
	if (fp == stdout && (fflush(stdout) == EOF || ferror(stdout)))
		err(2, "stdout");
	exit(status);
}

/*
 * The protocol's command line: the tool's name, -h if it came before the
 * protocol's name, then the protocol's name and the rest.
 */
static int
run(const struct protocol *p, struct xfer_global *g, int help, int argc,
    char *argv[])
{
	char **av;
	int ac = 0, rv;

	g->proto = p->name;
	g->can_harden = p->hardened;
	if (g->hardened && !p->hardened)
		errx(2, "--hardened: %s has no hardened profile yet", p->name);
	if ((av = calloc((size_t)argc + 3, sizeof(*av))) == NULL)
		err(2, NULL);
	av[ac++] = argv[0];
	if (help)
		av[ac++] = "-h";
	memcpy(av + ac, argv + optind, (size_t)(argc - optind) * sizeof(*av));
	ac += argc - optind;
	/* glibc: start again, permuting as the protocol's optstring says. */
	optind = 0;
	rv = p->main(g, ac, av);
	free(av);
	return rv;
}

int
main(int argc, char *argv[])
{
	struct xfer_global g = {.timeout_ms = XFER_TIMEOUT_MS};
	size_t i;
	int ch, help = 0;

	secret_gmp_init();
	/* Every secret held (lib/secrets.h) is wiped on any exit. */
	if (atexit(secrets_wipe) != 0)
		errx(2, "atexit failed");
	while ((ch = getopt_long(argc, argv, "+" XFER_SHORTOPTS "h", longopts,
		    NULL)) != -1) {
		if (ch == 'h')
			help = 1;
		else if (!cli_global(&g, ch, optarg)) {
			fputs("Try 'pk-xfer --help'\n", stderr);
			return 2;
		}
	}
	for (i = 0; optind < argc && i < NPROTOCOLS; i++)
		if (strcmp(argv[optind], protocols[i].name) == 0)
			return run(&protocols[i], &g, help, argc, argv);
	if (help)
		usage(stdout, 0);
	if (optind == argc)
		warnx("missing protocol");
	else
		warnx("unknown protocol '%s'", argv[optind]);
	fputs("Try 'pk-xfer --help'\n", stderr);
	return 2;
}
