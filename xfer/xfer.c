/*
 * pk-xfer: the client of the relay's protocols.  main finds the protocol
 * named on the command line and hands the whole command line to it; each
 * protocol parses its own options and steps (vault_cli.c, ...).
 */
#include <err.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "secret.h"
#include "secrets.h"
#include "xfer.h"

static const struct protocol {
	const char *name;
	int (*main)(int, char *[]);
} protocols[] = {
    {"ca", ca_main},
    {"chat", chat_main},
    {"e2e", e2e_main},
    {"keymanager", keymanager_main},
    {"vault", vault_main},
};

#define NPROTOCOLS (sizeof(protocols) / sizeof(protocols[0]))

static _Noreturn void
usage(FILE *fp, int status)
{
	size_t i;

	fputs("usage: pk-xfer [--trace] [-t sec] [-C dir] protocol step "
	    "[arg ...]\n", fp);
	fputs("protocols:", fp);
	for (i = 0; i < NPROTOCOLS; i++)
		fprintf(fp, " %s", protocols[i].name);
	fputs("\n'pk-xfer protocol --help' describes a protocol's steps.\n"
	    "Exit codes: 0 ok; 1 the server or the data refused the step; 2 "
	    "could not\ndo the job (usage, files, keys, network, timeout).\n",
	    fp);
	if (fp == stdout && (fflush(stdout) == EOF || ferror(stdout)))
		err(2, "stdout");
	exit(status);
}

int
main(int argc, char *argv[])
{
	const char *first = NULL;
	size_t i;
	int j, help = 0;

	secret_gmp_init();
	/* Every secret held (lib/secrets.h) is wiped on any exit. */
	if (atexit(secrets_wipe) != 0)
		errx(2, "atexit failed");
	/* The first word that names a protocol picks it; skip the global
	 * options' arguments, which could be a directory named "vault". */
	for (j = 1; j < argc; j++) {
		if (strcmp(argv[j], "--") == 0)
			break;
		if (strcmp(argv[j], "-h") == 0 || strcmp(argv[j], "--help") == 0)
			help = 1;
		if (strcmp(argv[j], "-C") == 0 || strcmp(argv[j], "-t") == 0 ||
		    strcmp(argv[j], "--timeout") == 0) {
			j++;
			continue;
		}
		for (i = 0; i < NPROTOCOLS; i++)
			if (strcmp(argv[j], protocols[i].name) == 0)
				return protocols[i].main(argc, argv);
		if (first == NULL && argv[j][0] != '-')
			first = argv[j];
	}
	if (help)
		usage(stdout, 0);
	if (first != NULL)
		warnx("unknown protocol '%s'", first);
	else
		warnx("missing protocol");
	fputs("Try 'pk-xfer --help'\n", stderr);
	return 2;
}
