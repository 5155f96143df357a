/*
 * cli: the command line every protocol of pk-xfer shares: usage errors
 * (exit 2), --help and -h (exit 0), the global options (xfer.h), numbers,
 * the pass-options and the prompted line of stdin.
 */
#ifndef PK_XFER_CLI_H
#define PK_XFER_CLI_H

#include <stddef.h>

#include "secret.h"
#include "xfer.h"

struct xfer_global;

/* 1 when ch is a global option (arg its argument): stored into g. */
int cli_global(struct xfer_global *g, int ch, const char *arg);
/*
 * The relay answered on the other profile than g's: "NAME: profile
 * mismatch: the relay is P, this client is Q", exit 2.
 */
_Noreturn void cli_profile_mismatch(const struct xfer_global *g);
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

/* The pass-options, for the protocols that read a key's passphrase. */
enum {
	CLI_OPT_PASS_ENV = XFER_OPT_END,
	CLI_OPT_PASS_FD,
	CLI_OPT_PASS_FILE,
};
/* clang-format off */
#define CLI_PASS_LONGOPTS \
	{"pass-env", required_argument, NULL, CLI_OPT_PASS_ENV}, \
	{"pass-fd", required_argument, NULL, CLI_OPT_PASS_FD}, \
	{"pass-file", required_argument, NULL, CLI_OPT_PASS_FILE}
/* clang-format on */
/*
 * 1 when ch is a pass-option (CLI_OPT_PASS_*): its source into src, exit 2
 * when src already names one; 0 for any other option.  CLI_PASS_INIT: no
 * source yet, and the messages name these options.
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

#endif
