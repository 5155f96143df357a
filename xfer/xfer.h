/*
 * pk-xfer: what every protocol's client shares.  main (xfer.c) finds the
 * protocol and calls its main (xfer/<proto>.c, with xfer/<proto>.h for its
 * other files); cli.c words usage errors, help and options, dial.c makes
 * connections (link.h frames them), files.c loads keys and writes outputs.
 */
#ifndef PK_XFER_H
#define PK_XFER_H

#include <stddef.h>
#include <stdint.h>

#include "key.h"
#include "secret.h"

#define XFER_TIMEOUT_MS (30 * 1000) /* default per network wait */
#define XFER_TIMEOUT_MAX 86400 /* the largest -t, seconds */

/* The options of every protocol, before or after its name (xfer.c). */
struct xfer_global {
	const char *dir; /* -C: where the step runs */
	int timeout_ms; /* -t sec: the bound of each network wait */
	int trace; /* --trace */
};

/*
 * For each protocol's getopt_long, which takes the global options after
 * the protocol's name too: their letters, their long options, and the
 * value --trace returns.
 */
#define XFER_OPT_TRACE 1000
#define XFER_SHORTOPTS "C:t:"
/* clang-format off */
#define XFER_LONGOPTS \
	{"timeout", required_argument, NULL, 't'}, \
	{"trace", no_argument, NULL, XFER_OPT_TRACE}
/* clang-format on */

/* The pass-options, for the protocols that read a key's passphrase. */
#define XFER_OPT_PASS_ENV 1001
#define XFER_OPT_PASS_FD 1002
#define XFER_OPT_PASS_FILE 1003
/* clang-format off */
#define XFER_PASS_LONGOPTS \
	{"pass-env", required_argument, NULL, XFER_OPT_PASS_ENV}, \
	{"pass-fd", required_argument, NULL, XFER_OPT_PASS_FD}, \
	{"pass-file", required_argument, NULL, XFER_OPT_PASS_FILE}
/* clang-format on */

/*
 * Each protocol's command line, argv[0] the tool and the protocol's name
 * among the rest, with the global options given before it in g; returns
 * the exit status or dies with it.
 */
int ca_main(struct xfer_global *g, int argc, char *argv[]);
int chat_main(struct xfer_global *g, int argc, char *argv[]);
int e2e_main(struct xfer_global *g, int argc, char *argv[]);
int keymanager_main(struct xfer_global *g, int argc, char *argv[]);
int vault_main(struct xfer_global *g, int argc, char *argv[]);

/* cli.c: usage errors, --help and -h (exit 0), options shared by protocols. */
/* 1 when ch is a global option (arg its argument): stored into g. */
int cli_global(struct xfer_global *g, int ch, const char *arg);
/* After the protocol's options and operands: into -C's directory. */
void cli_chdir(const struct xfer_global *g);
/* A usage error: fmt (if not NULL) says what, then where help is; exit 2. */
_Noreturn void cli_usage(const char *proto, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
_Noreturn void cli_help(const char *synopsis, const char *options);
/* The usage of one step (the whole help if step is NULL or unknown). */
_Noreturn void cli_step_help(const char *synopsis, const char *options,
    const char *proto, const char *step);
struct cli_text {
	const char *proto, *synopsis, *options;
};
/* After the options (argv[0] the protocol's name): -h answered with the
 * step's usage; else a usage error unless argv[1] is there. */
void cli_operands(const struct cli_text *t, int want_help, int argc,
    char *argv[], const char *missing);
/* A number in [min, max]; else exit 2 naming opt. */
long long cli_number(
    const char *opt, const char *s, long long min, long long max);
/*
 * 1 when ch is a pass-option (XFER_OPT_PASS_*): its source into src, exit 2
 * when src already names one; 0 for any other option.  CLI_PASS_INIT: no source
 * yet, and the messages name these options.
 */
int cli_pass(struct secret_src *src, int ch, const char *arg);
extern const struct pass_words cli_pass_words;
#define CLI_PASS_INIT                                                          \
	{                                                                      \
		NULL, -1, NULL, &cli_pass_words                                \
	}
/*
 * A line of stdin after prompt (on stdout), without its line ending; NULL
 * at EOF.  Dies on a line longer than size - 2 bytes.
 */
char *cli_prompt(const char *prompt, char *buf, size_t size);

/* files.c */
/*
 * Loads path into k, held; dies (1 wrong passphrase, 2 else) naming it.
 * A held key is in lib/secrets.h's registry, wiped at any exit; the caller
 * lets it go with secrets_release(k) before k's frame ends.
 */
void xfer_key_load(
    struct key_rsa *k, const char *path, const struct secret_src *pass);
/* Initialises k and holds it in the registry. */
void xfer_key_hold(struct key_rsa *k);
/* Dies with lib/key's reason for rv about path, once every secret is wiped. */
_Noreturn void xfer_key_die(
    int rv, const char *path, const struct secret_src *pass);
/* Writes len bytes to path (0600), or to stdout when path is NULL. */
void out_write(const char *path, const uint8_t *buf, size_t len);
/* The base name a path is sent under (file_name fields). */
const char *base_name(const char *path);

#endif
