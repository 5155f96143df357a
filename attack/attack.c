/*
 * pk-attack: the attacks of the lab (docs/labs/), one subcommand each.
 * main finds the attack in the table below and runs it; each lives in
 * attack/NAME.c.  To add one: write attack/NAME.c, declare it in
 * attack.h, list it here (sorted).
 */
#include <err.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "attack.h"

static const struct attack *const attacks[] = {
    &attack_ca_certup,
    &attack_ca_cn,
    &attack_ca_dict,
    &attack_ca_guess,
    &attack_chat_flip,
    &attack_chat_keysub,
    &attack_chat_leaver,
    &attack_cube_root,
    &attack_e2e_shared_key,
    &attack_frames,
    &attack_hastad,
    &attack_km_k3,
    &attack_km_reuse,
    &attack_pem_guess,
    &attack_vault_crc,
    &attack_vault_padding_oracle,
};

#define NATTACKS (sizeof(attacks) / sizeof(attacks[0]))

const struct attack *attack_self;
const char *attack_out;

static const char exit_codes[] =
    "Exit codes: 0 the attack succeeded (the recovered data on stdout or\n"
    "in -o's file); 1 it failed (nothing recovered, as on a hardened\n"
    "profile); 2 usage, I/O or an input it cannot read.\n";

static noreturn void
usage(void)
{
	fprintf(stderr,
	    "usage: pk-attack name [-o file] [argument ...]\n"
	    "       pk-attack -h | --help | name --help\n");
	exit(2);
}

static noreturn void
help(void)
{
	size_t i;

	printf("usage: pk-attack name [-o file] [argument ...]\n"
	       "       pk-attack -h | --help | name --help\n"
	       "\n"
	       "The attacks of the lab (docs/labs/): each prints its progress\n"
	       "on stderr (queries made, bytes recovered) and what it\n"
	       "recovered on stdout.\n"
	       "\n");
	for (i = 0; i < NATTACKS; i++)
		printf("  %-20s %s\n", attacks[i]->name, attacks[i]->about);
	printf("\n"
	       "  -h, --help   print this help (name --help: that attack's)"
	       " and exit\n"
	       "  -o, --output file\n"
	       "               write the recovered data to file, not"
	       " stdout\n"
	       "\n%s",
	    exit_codes);
	if (fflush(stdout) == EOF || ferror(stdout))
		err(2, "stdout");
	exit(0);
}

noreturn void
attack_usage(void)
{
	fprintf(stderr, "usage: pk-attack %s %s\n", attack_self->name,
	    attack_self->synopsis);
	exit(2);
}

noreturn void
attack_help(void)
{
	printf("usage: pk-attack %s %s\n\n%s.\n\n"
	       "  -h, --help         print this help and exit\n"
	       "  -o, --output file  write the recovered data to file, not"
	       " stdout\n"
	       "%s\n%s",
	    attack_self->name, attack_self->synopsis, attack_self->about,
	    attack_self->options, exit_codes);
	if (fflush(stdout) == EOF || ferror(stdout))
		err(2, "stdout");
	exit(0);
}

int
attack_getopt(int argc, char *argv[], const char *optstring,
    const struct option *longopts)
{
	static const struct option common[] = {
	    {"help", no_argument, NULL, 'h'},
	    {"output", required_argument, NULL, 'o'},
	    {NULL, 0, NULL, 0},
	};
	struct option all[32];
	char opts[64];
	size_t n = 0, i;
	int ch;

	for (i = 0; longopts != NULL && longopts[i].name != NULL; i++)
		if (n < sizeof(all) / sizeof(all[0]) - 3)
			all[n++] = longopts[i];
	for (i = 0; i < 3; i++)
		all[n++] = common[i];
	snprintf(opts, sizeof(opts), "ho:%s", optstring);
	while ((ch = getopt_long(argc, argv, opts, all, NULL)) != -1) {
		switch (ch) {
		case 'h':
			attack_help();
		case 'o':
			attack_out = optarg;
			break;
		case '?':
		case ':':
			attack_usage();
		default:
			return ch;
		}
	}
	return -1;
}

int
main(int argc, char *argv[])
{
	size_t i;

	if (argc < 2)
		usage();
	if (strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0)
		help();
	for (i = 0; i < NATTACKS; i++)
		if (strcmp(argv[1], attacks[i]->name) == 0)
			break;
	if (i == NATTACKS) {
		if (argv[1][0] == '-')
			warnx("unknown option '%s'", argv[1]);
		else
			warnx("no attack %s (pk-attack --help lists them)",
			    argv[1]);
		usage();
	}
	attack_self = attacks[i];
	return attack_self->main(argc - 1, argv + 1);
}
