/*
 * args: the options pk-aes-cbc and pk-aes-cfb both take (direction, key
 * source, IV source), the pairs of them that exclude each other, and their
 * --help lines.  Each main keeps its own getopt loop and its mode options,
 * and hands the common ones here.
 */
#include <err.h>
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "aes.h"
#include "num.h"

/* What getopt (quiet) stopped at, as '?' or ':'; -K says why no key is
 * taken from the command line. */
static void
bad_option(int ch, char *argv[])
{
	if (optopt == 'K')
		warnx("-K: a key never comes from the command line, where ps "
		      "shows it: use -k file, --key-fd n or --key-env var");
	else if (ch == ':')
		warnx("option requires an argument: %s", argv[optind - 1]);
	else if (optopt != 0)
		warnx("invalid option -- '%c'", optopt);
	else
		warnx("unrecognized option '%s'", argv[optind - 1]);
}

int
aes_option(struct aes_args *a, int ch, int argc, char *argv[])
{
	const char *errstr;

	switch (ch) {
	case 'd':
		a->decrypt = 1;
		break;
	case 'e':
		a->encrypt = 1;
		break;
	case 'i':
		/* openssl's one-dash "-iv HEX" reaches us as -i with "v". */
		if (strcmp(argv[optind - 1], "-iv") != 0) {
			warnx("unrecognized option '%s'", argv[optind - 1]);
			return -1;
		}
		if (optind >= argc) {
			warnx("option requires an argument: -iv");
			return -1;
		}
		a->iv_hex = argv[optind++];
		a->iv_sources++;
		break;
	case 'k':
		a->key_file = optarg;
		a->key_sources++;
		break;
	case OPT_IV:
		a->iv_hex = optarg;
		a->iv_sources++;
		break;
	case OPT_IV_FILE:
		a->iv_file = optarg;
		a->iv_sources++;
		break;
	case OPT_KEY_ENV:
		a->key_env = optarg;
		a->key_sources++;
		break;
	case OPT_KEY_FD:
		a->key_fd = (int)num_parse(optarg, 0, INT_MAX, &errstr);
		if (errstr != NULL)
			errx(2, "key fd is %s: %s", errstr, optarg);
		a->key_sources++;
		break;
	case OPT_RAW_KEY:
		a->raw_key = 1;
		break;
	case OPT_ZERO_IV:
		a->zero_iv = 1;
		a->iv_sources++;
		break;
	default:
		bad_option(ch, argv);
		return -1;
	}
	return 0;
}

void
aes_usage(void)
{
	fprintf(stderr, "Try '%s --help'\n", program_invocation_short_name);
	exit(2);
}

void
aes_args_check(const struct aes_args *a, int argc, char *argv[])
{
	if (argc != 0) {
		warnx("unexpected argument '%s'", argv[0]);
		aes_usage();
	}
	if (a->encrypt && a->decrypt)
		errx(2, "cannot use -e with -d");
	if (a->key_sources > 1)
		errx(2, "use only one of -k, --key-fd and --key-env");
	if (a->iv_sources > 1)
		errx(2, "use only one of -iv, --iv-file and --zero-iv");
	if (!a->encrypt && !a->decrypt) {
		warnx("missing -e or -d");
		aes_usage();
	}
}

void
aes_help_common(FILE *fp)
{
	fputs(
	    "  -d, --decrypt        decrypt stdin to stdout\n"
	    "  -e, --encrypt        encrypt stdin to stdout\n"
	    "  -h, --help           print this help and exit\n"
	    "  -iv, --iv hex        the IV as 32 hex digits\n"
	    "  --iv-file file       read the IV from file: 32 hex digits or 16 "
	    "raw bytes\n"
	    "  -k, --key-file file  read the key from file: 16, 24 or 32 bytes "
	    "as hex text\n"
	    "                       (openssl rand -hex N; whitespace around it "
	    "ignored);\n"
	    "                       the size picks AES-N\n"
	    "  --key-env var        read the key from environment variable "
	    "var\n"
	    "  --key-fd n           read the key from file descriptor n\n"
	    "  --raw-key            the key is raw bytes, not hex\n"
	    "  --zero-iv            use an all-zero IV (insecure: the vault "
	    "protocol needs it)\n",
	    fp);
}

_Noreturn void
aes_help_exit(void)
{
	fputs("Exit status: 0 ok; 1 bad decrypt (bad padding, or not whole "
	      "blocks);\n"
	      "2 usage, I/O or key error.\n",
	    stdout);
	if (fflush(stdout) == EOF || ferror(stdout))
		err(2, "stdout");
	exit(0);
}
