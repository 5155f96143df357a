/*
 * pk-aes-cfb: AES-128, -192 or -256 in CFB-128 (or with --cfb8, CFB-8)
 * mode from stdin to stdout; byte for byte what `openssl enc -aes-N-cfb`
 * (or -aes-N-cfb8) writes.  --pad adds PKCS#7 padding, as the keymanager
 * protocol does, and checks it when decrypting.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>

#include "aes.h"

static const char synopsis[] =
    "usage: pk-aes-cfb -d | -e -k keyfile | --key-env var | --key-fd n\n"
    "                  -iv hex | --iv-file file | --zero-iv [--raw-key]\n"
    "                  [--cfb8] [--pad]\n";

static _Noreturn void
help(void)
{
	fputs(synopsis, stdout);
	fputs("Encrypt or decrypt stdin to stdout with AES in CFB mode, as "
	      "openssl enc\n-aes-N-cfb (or -aes-N-cfb8) -K key -iv iv does.\n",
	    stdout);
	aes_help_common(stdout);
	fputs("  --cfb8               CFB-8 (one byte per step) instead of "
	      "CFB-128\n"
	      "  --pad                add PKCS#7 padding; strip and check it "
	      "when decrypting\n",
	    stdout);
	aes_help_exit();
}

int
main(int argc, char *argv[])
{
	static const struct option longopts[] = {
	    {"cfb8", no_argument, NULL, OPT_CFB8},
	    AES_LONGOPTS,
	    {"pad", no_argument, NULL, OPT_PAD},
	    {NULL, 0, NULL, 0},
	};
	struct aes_args a = {.mode = AES_CFB, .pad = 0, .key_fd = -1};
	int ch;

	opterr = 0;
	while ((ch = getopt_long(argc, argv, AES_OPTSTRING, longopts, NULL)) !=
	    -1) {
		switch (ch) {
		case 'h':
			help();
		case OPT_CFB8:
			a.mode = AES_CFB8;
			break;
		case OPT_PAD:
			a.pad = 1;
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
