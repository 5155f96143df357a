/*
 * pk-wrap: RSA key wrapping (OAEP, PKCS#1 v1.5, textbook) and signatures
 * (PKCS#1 v1.5, PSS), stdin to stdout, byte-compatible with openssl
 * pkeyutl and dgst.  main only parses options and picks one worker.
 */
#include <err.h>
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "help.h"
#include "num.h"
#include "pass.h"
#include "secret.h"
#include "wrap.h"

enum {
	OPT_LABEL_FILE = 256,
	OPT_OAEP,
	OPT_OAEP_SHA1,
	OPT_PASS_ENV,
	OPT_PASS_FD,
	OPT_PASS_FILE,
	OPT_PKCS1,
	OPT_PSS,
	OPT_RAW,
	OPT_SALT_LEN,
};

enum mode { MODE_NONE, MODE_ENCRYPT, MODE_DECRYPT, MODE_SIGN, MODE_VERIFY };

static const char synopsis[] =
    "usage: pk-wrap -e -k key [--oaep | --oaep-sha1 | --pkcs1 | --raw]\n"
    "           [--label-file file] [pass-option] < in > block\n"
    "       pk-wrap -d -k key [--oaep | --oaep-sha1 | --pkcs1 | --raw]\n"
    "           [--label-file file] [pass-option] < block > out\n"
    "       pk-wrap sign -k key [--pss [--salt-len n]] [pass-option]\n"
    "           < message > sig\n"
    "       pk-wrap verify -k key -s sig [--pss [--salt-len n]]\n"
    "           [pass-option] < message\n"
    "pass-option: --pass-env var | --pass-fd n | --pass-file file\n";

static const char options[] =
    "\n"
    "  -d                 decrypt one k-byte block on stdin (k: modulus"
    " bytes)\n"
    "  -e                 encrypt stdin, one block's worth, to k bytes\n"
    "  -h, --help         print this help and exit\n"
    "  -k, --key file     RSA key, PEM or DER: PKCS#1, PKCS#8 (may be\n"
    "                     encrypted), SPKI, or for -e and verify a\n"
    "                     certificate; a private key also serves -e\n"
    "  -s, --sig file     signature to check (k bytes, as openssl writes)\n"
    "  --label-file file  OAEP label (default: empty)\n"
    "  --oaep             OAEP, SHA-256 and MGF1-SHA-256 (the default)\n"
    "  --oaep-sha1        OAEP, SHA-1 and MGF1-SHA-1\n"
    "  --pass-env var     passphrase of an encrypted key from variable var\n"
    "  --pass-fd n        ... read from file descriptor n\n"
    "  --pass-file file   ... read from file (one trailing newline dropped)\n"
    "                     (none of these: asked on the terminal)\n"
    "  --pkcs1            RSAES-PKCS1-v1_5\n"
    "  --pss              sign/verify RSASSA-PSS, SHA-256, MGF1-SHA-256\n"
    "                     (default: RSASSA-PKCS1-v1_5 with SHA-256)\n"
    "  --raw              textbook RSA, no padding: for teaching only\n"
    "  --salt-len n       PSS salt bytes (sign: default 32; openssl signs\n"
    "                     with the most that fits, k - 34; verify: default\n"
    "                     any length, as openssl's auto)\n"
    "\n"
    "Longest input for -e: k - 66 bytes with --oaep, k - 42 with\n"
    "--oaep-sha1, k - 11 with --pkcs1 (190, 214, 245 for RSA-2048).\n"
    "--raw reads at most k bytes as a big-endian number below n, so a\n"
    "shorter input is taken as if left-padded with zeros, and writes k\n"
    "bytes both ways, as openssl pkeyutl -pkeyopt rsa_padding_mode:none\n"
    "does with the k-byte padded input.  -d reports a wrong length, key or\n"
    "padding alike (\"decryption failed\"): no padding oracle.  verify\n"
    "prints \"Verified OK\" on stdout.\n"
    "\n"
    "Exit codes: 0 ok; 1 decryption failed, verification failed or wrong\n"
    "passphrase; 2 could not do the job (usage, I/O, unreadable key, input\n"
    "too long for the key).\n";

static const struct option longopts[] = {
    {"help", no_argument, NULL, 'h'},
    {"key", required_argument, NULL, 'k'},
    {"label-file", required_argument, NULL, OPT_LABEL_FILE},
    {"oaep", no_argument, NULL, OPT_OAEP},
    {"oaep-sha1", no_argument, NULL, OPT_OAEP_SHA1},
    {"pass-env", required_argument, NULL, OPT_PASS_ENV},
    {"pass-fd", required_argument, NULL, OPT_PASS_FD},
    {"pass-file", required_argument, NULL, OPT_PASS_FILE},
    {"pkcs1", no_argument, NULL, OPT_PKCS1},
    {"pss", no_argument, NULL, OPT_PSS},
    {"raw", no_argument, NULL, OPT_RAW},
    {"salt-len", required_argument, NULL, OPT_SALT_LEN},
    {"sig", required_argument, NULL, 's'},
    {NULL, 0, NULL, 0},
};

static const char *const mode_name[] = {"", "-e", "-d", "sign", "verify"};

/* After the line saying what is wrong: where help is. */
static _Noreturn void
usage(void)
{
	fputs("Try 'pk-wrap --help'\n", stderr);
	exit(2);
}

/* The whole help; for sign or verify, only its own usage. */
static _Noreturn void
help(enum mode mode)
{
	char text[4096];

	if ((mode == MODE_SIGN || mode == MODE_VERIFY) &&
	    help_select(text, sizeof(text), synopsis, options, "pk-wrap",
		mode_name[mode]) == 0)
		fputs(text, stdout);
	else {
		fputs(synopsis, stdout);
		fputs(options, stdout);
	}
	if (fflush(stdout) == EOF || ferror(stdout))
		err(2, "stdout");
	exit(0);
}

static void
set_mode(enum mode *mode, enum mode m)
{
	if (*mode != MODE_NONE && *mode != m)
		errx(
		    2, "cannot use %s with %s", mode_name[m], mode_name[*mode]);
	*mode = m;
}

static void
set_pad(struct wrap_opts *o, int *padset, enum wrap_pad pad)
{
	if (*padset && o->pad != pad)
		errx(2, "choose one of --oaep, --oaep-sha1, --pkcs1, --raw");
	o->pad = pad;
	*padset = 1;
}

static const struct pass_words pass_words = {
    "--pass-fd ", "--pass-env ", "use --pass-file, --pass-fd or --pass-env"};

static void
set_pass(struct secret_src *src, enum pass_kind kind, const char *arg)
{
	const char *why;

	if (pass_set(src, kind, arg, &why) == -1 && errno == EEXIST)
		errx(2, "choose one of --pass-env, --pass-fd, --pass-file");
	if (why != NULL)
		errx(2, "--pass-fd %s: %s", arg, why);
}

/* One line per incompatible choice, as nc does. */
static void
check_opts(enum mode mode, const struct wrap_opts *o, int padset, int labelset)
{
	int crypt = mode == MODE_ENCRYPT || mode == MODE_DECRYPT;

	if (mode == MODE_NONE) {
		warnx("missing -e, -d, sign or verify");
		usage();
	}
	if (o->keyfile == NULL)
		errx(2, "missing -k key");
	if (crypt && o->pss)
		errx(2, "--pss is for sign and verify");
	if (crypt && o->saltlen != -1)
		errx(2, "--salt-len is for sign and verify");
	if (!crypt && padset)
		errx(
		    2, "--oaep, --oaep-sha1, --pkcs1, --raw are for -e and -d");
	if (labelset && o->pad != PAD_OAEP && o->pad != PAD_OAEP_SHA1)
		errx(2, "--label-file needs --oaep or --oaep-sha1");
	if (!o->pss && o->saltlen != -1)
		errx(2, "--salt-len needs --pss");
	if (mode == MODE_VERIFY && o->sigfile == NULL)
		errx(2, "missing -s sigfile");
	if (mode != MODE_VERIFY && o->sigfile != NULL)
		errx(2, "-s is for verify");
}

int
main(int argc, char *argv[])
{
	struct wrap_opts o = {.pad = PAD_OAEP,
	    .saltlen = -1,
	    .pass = {.fd = -1, .words = &pass_words}};
	enum mode mode = MODE_NONE;
	const char *errstr;
	int ch, padset = 0;

	secret_gmp_init();
	if (argc > 1 && strcmp(argv[1], "sign") == 0)
		mode = MODE_SIGN;
	else if (argc > 1 && strcmp(argv[1], "verify") == 0)
		mode = MODE_VERIFY;
	if (mode != MODE_NONE) {
		argv[1] = argv[0]; /* getopt's messages name argv[0] */
		argc--;
		argv++;
	}
	while (
	    (ch = getopt_long(argc, argv, "dehk:s:", longopts, NULL)) != -1) {
		switch (ch) {
		case 'd':
			set_mode(&mode, MODE_DECRYPT);
			break;
		case 'e':
			set_mode(&mode, MODE_ENCRYPT);
			break;
		case 'h':
			help(mode);
		case 'k':
			o.keyfile = optarg;
			break;
		case 's':
			o.sigfile = optarg;
			break;
		case OPT_LABEL_FILE:
			o.labelfile = optarg;
			break;
		case OPT_OAEP:
			set_pad(&o, &padset, PAD_OAEP);
			break;
		case OPT_OAEP_SHA1:
			set_pad(&o, &padset, PAD_OAEP_SHA1);
			break;
		case OPT_PASS_ENV:
			set_pass(&o.pass, PASS_ENV, optarg);
			break;
		case OPT_PASS_FD:
			set_pass(&o.pass, PASS_FD, optarg);
			break;
		case OPT_PASS_FILE:
			set_pass(&o.pass, PASS_FILE, optarg);
			break;
		case OPT_PKCS1:
			set_pad(&o, &padset, PAD_PKCS1);
			break;
		case OPT_PSS:
			o.pss = 1;
			break;
		case OPT_RAW:
			set_pad(&o, &padset, PAD_RAW);
			break;
		case OPT_SALT_LEN:
			o.saltlen = (long)num_parse(optarg, 0, 8192, &errstr);
			if (errstr != NULL)
				errx(2, "--salt-len %s: %s", optarg, errstr);
			break;
		default:
			usage();
		}
	}
	argc -= optind;
	argv += optind;
	if (argc != 0) {
		warnx("unexpected argument '%s'", argv[0]);
		usage();
	}
	check_opts(mode, &o, padset, o.labelfile != NULL);

	switch (mode) {
	case MODE_ENCRYPT:
		return wrap_encrypt(&o);
	case MODE_DECRYPT:
		return wrap_decrypt(&o);
	case MODE_SIGN:
		return wrap_sign(&o);
	default:
		return wrap_verify(&o);
	}
}
