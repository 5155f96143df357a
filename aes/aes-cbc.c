/*
 * pk-aes-cbc: AES-128, -192 or -256 in CBC mode from stdin to stdout, with
 * PKCS#7 padding unless --nopad; byte for byte what `openssl enc
 * -aes-N-cbc -K key -iv iv` writes.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>

#include "aes.h"

static const char synopsis[] =
    "usage: pk-aes-cbc -d | -e -k keyfile | --key-env var | --key-fd n\n"
    "                  -iv hex | --iv-file file | --zero-iv [--raw-key]\n"
    "                  [--nopad]\n";

static _Noreturn void
help(void)
{
	fputs(synopsis, stdout);
	fputs("Encrypt or decrypt stdin to stdout with AES in CBC mode, as "
	      "openssl enc\n-aes-N-cbc -K key -iv iv does.\n",
	    stdout);
	aes_help_common(stdout);
	fputs("  --nopad              no PKCS#7 padding: the input must be "
	      "whole 16-byte blocks\n",
	    stdout);
	aes_help_exit();
}

int
main(int argc, char *argv[])
{
	static const struct option longopts[] = {
	    AES_LONGOPTS,
	    {"nopad", no_argument, NULL, OPT_NOPAD},
	    {NULL, 0, NULL, 0},
	};
	struct aes_args a = {.mode = AES_CBC, .pad = 1, .key_fd = -1};
	int ch;

	opterr = 0;
	while ((ch = getopt_long(argc, argv, AES_OPTSTRING, longopts, NULL)) !=
	    -1) {
		switch (ch) {
		case 'h':
			help();
		case OPT_NOPAD:
			a.pad = 0;
			break;
		default:
			if (aes_option(&a, ch, argc, argv) == -1)
				aes_usage();
		}
	}
	argc -= optind;
	argv += optind;

	aes_args_check(&a, argc, argv);
	aes_run(&a);
}
