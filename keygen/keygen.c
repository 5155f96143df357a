/*
 * pk-keygen: RSA key pairs (PKCS#8 / SPKI PEM, optionally passphrase-
 * protected), their public half and fingerprint, and random AES keys and
 * IVs, PKCS#10 requests and X.509 certificates (csr, selfsign, sign,
 * verify take openssl's one-dash option names: -subj, -days, -CA, -in).
 * main parses the options and hands them to one worker per mode.
 */
#include <err.h>
#include <errno.h>
#include <getopt.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "help.h"
#include "keygen.h"
#include "num.h"
#include "pass.h"
#include "pbe.h"
#include "secret.h"

/* One bit per option, to check which a mode takes. */
enum {
	O_BITS = 1 << 0,
	O_EXP = 1 << 1,
	O_FORCE = 1 << 2,
	O_IN = 1 << 3,
	O_OUT = 1 << 4,
	O_DER = 1 << 5,
	O_ITER = 1 << 6,
	O_LEGACY = 1 << 7,
	O_NOPASS = 1 << 8,
	O_PASS = 1 << 9,
	O_KEY = 1 << 10,
	O_SUBJ = 1 << 11,
	O_DAYS = 1 << 12,
	O_PSS = 1 << 13,
	O_CA = 1 << 14,
	O_CAKEY = 1 << 15,
	O_CAFILE = 1 << 16,
	O_INFILE = 1 << 17,
	O_INSECURE = 1 << 18,
	O_TEXT = 1 << 19,
};
#define O_COUNT 20

static const char *const optnames[O_COUNT] = {
    "-b",
    "-e",
    "-f",
    "-i",
    "-o",
    "--der",
    "--iter",
    "--legacy",
    "--no-pass",
    "--pass-file, --pass-fd or --pass-env",
    "-k",
    "-subj",
    "-days",
    "--pss",
    "-CA",
    "-CAkey",
    "-CAfile",
    "-in",
    "--insecure",
    "--text",
};

enum {
	L_DER = 256,
	L_ITER,
	L_LEGACY,
	L_NOPASS,
	L_PASS_ENV,
	L_PASS_FD,
	L_PASS_FILE,
	L_SUBJ,
	L_DAYS,
	L_PSS,
	L_CA,
	L_CAKEY,
	L_CAFILE,
	L_INFILE,
	L_INSECURE,
	L_TEXT,
};

static const struct option longopts[] = {
    {"CA", required_argument, NULL, L_CA},
    {"CAfile", required_argument, NULL, L_CAFILE},
    {"CAkey", required_argument, NULL, L_CAKEY},
    {"days", required_argument, NULL, L_DAYS},
    {"der", no_argument, NULL, L_DER},
    {"help", no_argument, NULL, 'h'},
    {"in", required_argument, NULL, L_INFILE},
    {"insecure", no_argument, NULL, L_INSECURE},
    {"iter", required_argument, NULL, L_ITER},
    {"legacy", no_argument, NULL, L_LEGACY},
    {"no-pass", no_argument, NULL, L_NOPASS},
    {"pass-env", required_argument, NULL, L_PASS_ENV},
    {"pass-fd", required_argument, NULL, L_PASS_FD},
    {"pass-file", required_argument, NULL, L_PASS_FILE},
    {"pss", no_argument, NULL, L_PSS},
    {"subj", required_argument, NULL, L_SUBJ},
    {"text", no_argument, NULL, L_TEXT},
    {NULL, 0, NULL, 0},
};

static const struct mode {
	const char *name;
	void (*run)(const struct opts *);
	int allowed;
	int required;
	int one_dash; /* long options with one dash: getopt_long_only */
} modes[] = {
    {"rsa", mode_rsa,
	O_BITS | O_EXP | O_FORCE | O_OUT | O_ITER | O_LEGACY | O_NOPASS |
	    O_PASS | O_INSECURE,
	O_OUT, 0},
    {"pub", mode_pub, O_IN | O_DER | O_PASS, O_IN, 0},
    {"info", mode_info, O_IN | O_PASS | O_TEXT, O_IN, 0},
    {"aes", mode_aes, O_BITS | O_FORCE | O_OUT, 0, 0},
    {"iv", mode_iv, 0, 0, 0},
    {"csr", mode_csr, O_KEY | O_SUBJ | O_PSS | O_OUT | O_FORCE | O_PASS,
	O_KEY | O_SUBJ, 1},
    {"selfsign", mode_selfsign,
	O_KEY | O_SUBJ | O_DAYS | O_PSS | O_OUT | O_FORCE | O_PASS,
	O_KEY | O_SUBJ, 1},
    {"sign", mode_sign,
	O_CA | O_CAKEY | O_INFILE | O_DAYS | O_PSS | O_OUT | O_FORCE | O_PASS,
	O_CA | O_CAKEY | O_INFILE, 1},
    {"verify", mode_verify, O_CAFILE | O_INFILE, O_CAFILE | O_INFILE, 1},
};

static const char synopsis[] =
    "usage: pk-keygen rsa [-f] [-b bits] [-e exponent] [--insecure]\n"
    "           [--iter n] [--legacy] [--no-pass | pass-option] -o prefix\n"
    "       pk-keygen pub [--der] [pass-option] -i key\n"
    "       pk-keygen info [--text] [pass-option] -i key\n"
    "       pk-keygen aes [-f] [-b 128 | 192 | 256] [-o file]\n"
    "       pk-keygen iv\n"
    "       pk-keygen csr [-f] [--pss] [pass-option] -k key -subj name\n"
    "           [-o file]\n"
    "       pk-keygen selfsign [-f] [--pss] [-days n] [pass-option] -k key\n"
    "           -subj name [-o file]\n"
    "       pk-keygen sign [-f] [--pss] [-days n] [pass-option] -CA cert\n"
    "           -CAkey key -in csr [-o file]\n"
    "       pk-keygen verify -CAfile cert -in cert\n"
    "pass-option: --pass-file file | --pass-fd fd | --pass-env var\n";

static const char options[] =
    "\n"
    "  rsa              write prefix.key (PKCS#8 PEM, mode 0600) and\n"
    "                   prefix.pub (SPKI PEM), as openssl writes them\n"
    "  pub              print the public key (SPKI PEM) of any key\n"
    "  info             print bits, exponent and SHA-256 of the SPKI DER;\n"
    "                   with --text, n, e, d, p, q, dP, dQ, qInv as\n"
    "                   openssl rsa -text -noout prints them\n"
    "  aes              print (or write, 0600) a random AES key as hex\n"
    "  iv               print a random 16-byte IV as hex\n"
    "  csr              print (or write) a PKCS#10 request (PEM) for key\n"
    "  selfsign         print (or write) a self-signed CA certificate\n"
    "                   (X.509 v3, CA:TRUE, random 16-octet serial)\n"
    "  sign             check a request's signature and issue its\n"
    "                   certificate (CA:FALSE), as openssl x509 -req -CA\n"
    "  verify           check a certificate against the CA certificate\n"
    "                   (and that one against itself if self-signed)\n"
    "  -b bits          rsa: 1024 to 8192 (default 2048), from 128 with\n"
    "                   --insecure;\n"
    "                   aes: 128, 192 or 256 (default 256)\n"
    "  -e exponent      rsa: the public exponent, odd (default 65537)\n"
    "  -CA cert         sign: the CA certificate (PEM or DER)\n"
    "  -CAfile cert     verify: the CA certificate (PEM or DER)\n"
    "  -CAkey key       sign: the CA's private key\n"
    "  -days n          selfsign, sign: days valid, 1 to 36500\n"
    "                   (default 365)\n"
    "  -f               replace an existing regular file\n"
    "  -h, --help       print this help and exit\n"
    "  -i key           key to read: PEM or DER, any RSA form openssl\n"
    "                   writes, or a certificate's key (- is stdin)\n"
    "  -in file         sign: the request; verify: the certificate\n"
    "  -k key           csr, selfsign: the private key (as -i)\n"
    "  -o prefix|file   rsa: write prefix.key, prefix.pub; aes, csr,\n"
    "                   selfsign, sign: the output file; a device or\n"
    "                   FIFO (/dev/stdout) is written into, never\n"
    "                   replaced; a key is never written through a symlink\n"
    "  --der            pub: print DER instead of PEM\n"
    "  --insecure       rsa: allow -b below 1024, for the attack lab\n"
    "                   (docs/labs/), with a warning\n"
    "  --iter n         rsa: PBKDF2 rounds of an encrypted key\n"
    "                   (default 600000, at least 1000)\n"
    "  --legacy         rsa: write PKCS#1 \"RSA PRIVATE KEY\", encrypted\n"
    "                   as OpenSSL's legacy PEM (AES-256-CBC, MD5 KDF)\n"
    "  --no-pass        rsa: write the private key unencrypted, never ask\n"
    "  --pass-env var   passphrase from environment variable var\n"
    "  --pass-fd fd     ... read from file descriptor fd\n"
    "  --pass-file file ... read from file (one trailing newline dropped)\n"
    "                   (none of these: asked on the terminal with echo\n"
    "                   off if stdin is one; rsa then encrypts the key\n"
    "                   with PBKDF2-HMAC-SHA256 and AES-256-CBC, and\n"
    "                   without a terminal writes it unencrypted)\n"
    "  --pss            csr, selfsign, sign: sign with RSASSA-PSS (SHA-256,\n"
    "                   32-octet salt), not sha256WithRSAEncryption\n"
    "  -subj name       /CN=name[/O=org][/OU=unit][/C=cc][/ST=st][/L=city]\n"
    "                   (\\/ is a slash in a value)\n"
    "  --text           info: print the key's numbers as openssl rsa -text\n"
    "                   -noout does (a public key: n and e)\n"
    "Exit status: 0 done; 1 wrong passphrase; 2 usage, I/O error, or a\n"
    "malformed, unsupported or unreadable key, request or certificate;\n"
    "sign, verify: 1 also for a signature, issuer or validity period that\n"
    "is checked and rejected.\n";

/* After the line saying what is wrong: where help is (mode's if any). */
static noreturn void
usage(const struct mode *m)
{
	fprintf(stderr, "Try 'pk-keygen %s%s--help'\n", m ? m->name : "",
	    m ? " " : "");
	exit(2);
}

/* The whole help, or with a mode only its own usage. */
static noreturn void
help(const struct mode *m)
{
	char text[8192];

	if (m != NULL &&
	    help_select(text, sizeof(text), synopsis, options, "pk-keygen",
		m->name) == 0)
		fputs(text, stdout);
	else {
		fputs(synopsis, stdout);
		fputs(options, stdout);
	}
	if (fflush(stdout) == EOF || ferror(stdout))
		err(2, "stdout");
	exit(0);
}

/* Names a short option by its letter, a long one as it was written. */
static noreturn void
bad_option(const struct mode *m, int opt, const char *arg, const char *why)
{
	if (opt > 0 && opt < 256)
		warnx("%s: -%c", why, opt);
	else
		warnx("%s: %s", why, arg);
	usage(m);
}

static const struct mode *
find_mode(const char *name)
{
	size_t i;

	for (i = 0; i < sizeof(modes) / sizeof(modes[0]); i++)
		if (strcmp(modes[i].name, name) == 0)
			return &modes[i];
	return NULL;
}

static long long
number(const char *opt, const char *s, long long min, long long max)
{
	const char *errstr;
	long long v = num_parse(s, min, max, &errstr);

	if (errstr != NULL)
		errx(2, "%s %s: %s", opt, s, errstr);
	return v;
}

static int take_x509_option(int ch, const char *arg, struct opts *o);

static const struct pass_words pass_words = {
    "--pass-fd ", "--pass-env ", "use --pass-file, --pass-fd or --pass-env"};

/* One pass-option: the source it names goes into src. */
static int
set_pass(struct secret_src *src, enum pass_kind kind, const char *arg)
{
	const char *why;

	if (pass_set(src, kind, arg, &why) == -1 && errno == EEXIST)
		errx(2, "cannot use more than one pass-option");
	if (why != NULL)
		errx(2, "--pass-fd %s: %s", arg, why);
	return O_PASS;
}

/* Stores one option's value and returns its O_* bit. */
static int
take_option(int ch, const char *arg, struct opts *o, const char **bits)
{
	switch (ch) {
	case 'b':
		*bits = arg;
		return O_BITS;
	case 'e':
		o->exponent = (unsigned long)number(
		    "-e", arg, 3, (1LL << KEY_RSA_EXP_BITS) - 1);
		if (o->exponent % 2 == 0)
			errx(2, "-e %s: must be odd", arg);
		return O_EXP;
	case 'f':
		o->force = 1;
		return O_FORCE;
	case 'i':
		o->in = arg;
		return O_IN;
	case 'k':
		o->in = arg;
		return O_KEY;
	case 'o':
		o->out = arg;
		return O_OUT;
	case L_DER:
		o->der = 1;
		return O_DER;
	case L_ITER:
		o->iter = (unsigned long)number(
		    "--iter", arg, ITER_MIN, PBE_ITER_MAX);
		return O_ITER;
	case L_LEGACY:
		o->legacy = 1;
		return O_LEGACY;
	case L_NOPASS:
		o->nopass = 1;
		return O_NOPASS;
	case L_INSECURE:
		o->insecure = 1;
		return O_INSECURE;
	case L_TEXT:
		o->text = 1;
		return O_TEXT;
	case L_PASS_ENV:
		return set_pass(&o->pass, PASS_ENV, arg);
	case L_PASS_FD:
		return set_pass(&o->pass, PASS_FD, arg);
	case L_PASS_FILE:
		return set_pass(&o->pass, PASS_FILE, arg);
	}
	return take_x509_option(ch, arg, o);
}

/* The options of csr, selfsign, sign and verify. */
static int
take_x509_option(int ch, const char *arg, struct opts *o)
{
	switch (ch) {
	case L_CA:
		o->ca = arg;
		return O_CA;
	case L_CAFILE:
		o->ca = arg;
		return O_CAFILE;
	case L_CAKEY:
		o->cakey = arg;
		return O_CAKEY;
	case L_DAYS:
		o->days = (unsigned)number("-days", arg, 1, DAYS_MAX);
		return O_DAYS;
	case L_INFILE:
		o->in = arg;
		return O_INFILE;
	case L_PSS:
		o->pss = 1;
		return O_PSS;
	case L_SUBJ:
		o->subj = arg;
		return O_SUBJ;
	}
	return 0;
}

/*
 * rsa's -b: 1024 bits at least, or with --insecure (for the attack lab)
 * down to RSA_BITS_INSECURE_MIN, with a warning.
 */
static int
rsa_bits(const char *bits, int insecure)
{
	int n =
	    (int)number("-b", bits, RSA_BITS_INSECURE_MIN, KEY_RSA_BITS_MAX);

	if (n >= RSA_BITS_MIN)
		return n;
	if (!insecure)
		errx(2, "-b %s: too small (below %d bits needs --insecure)",
		    bits, RSA_BITS_MIN);
	warnx("warning: a %d-bit RSA key is insecure (factored in hours or"
	      " less): for the attack lab only",
	    n);
	return n;
}

/* Option values that depend on the mode, and the pairs that clash. */
static void
check(const struct mode *m, int seen, const char *bits, struct opts *o)
{
	int i, bad = seen & ~m->allowed, missing = m->required & ~seen;

	for (i = 0; i < O_COUNT; i++)
		if (bad & 1 << i)
			errx(2, "%s: cannot use %s", m->name, optnames[i]);
	for (i = 0; i < O_COUNT; i++)
		if (missing & 1 << i)
			errx(2, "%s: %s is required", m->name, optnames[i]);
	if (o->nopass && pass_kind(&o->pass) != PASS_TTY)
		errx(2, "cannot use --no-pass with a pass-option");
	if (o->legacy && (seen & O_ITER))
		errx(2, "cannot use --iter with --legacy");
	if (strcmp(m->name, "rsa") == 0)
		o->bits = bits ? rsa_bits(bits, o->insecure) : RSA_BITS_DEFAULT;
	else if (bits == NULL)
		o->bits = AES_BITS_DEFAULT;
	else if ((o->bits = (int)number("-b", bits, 128, 256)) % 64 != 0)
		errx(2, "-b %s: must be 128, 192 or 256", bits);
}

int
main(int argc, char *argv[])
{
	struct opts o = {.exponent = RSA_EXPONENT_DEFAULT,
	    .iter = ITER_DEFAULT,
	    .days = DAYS_DEFAULT,
	    .pass = {.fd = -1, .words = &pass_words}};
	const struct mode *m;
	const char *bits = NULL;
	int ch, seen = 0;

	secret_gmp_init();
	if (argc < 2) {
		warnx("missing mode: rsa, pub, info, aes, iv, csr, selfsign, "
		      "sign or verify");
		usage(NULL);
	}
	if (strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0)
		help(NULL);
	if ((m = find_mode(argv[1])) == NULL) {
		warnx("unknown mode: %s", argv[1]);
		usage(NULL);
	}
	argc--;
	argv++;
	/* getopt would name the mode as the program: report errors here. */
	opterr = 0;
	while ((ch = (m->one_dash ? getopt_long_only : getopt_long)(
		    argc, argv, ":b:e:fhi:k:o:", longopts, NULL)) != -1) {
		if (ch == 'h')
			help(m);
		if (ch == ':')
			bad_option(
			    m, optopt, argv[optind - 1], "missing argument");
		if (ch == '?')
			bad_option(
			    m, optopt, argv[optind - 1], "invalid option");
		seen |= take_option(ch, optarg, &o, &bits);
	}
	argc -= optind;
	argv += optind;
	if (argc != 0) {
		warnx("%s: unexpected argument '%s'", m->name, argv[0]);
		usage(m);
	}
	check(m, seen, bits, &o);
	m->run(&o);
	return 0;
}
