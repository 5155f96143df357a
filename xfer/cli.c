/*
 * cli: the usage and --help exits every protocol's command line shares,
 * its global, numeric and passphrase options, and the prompted line of
 * stdin the interactive clients read.
 */
#include <err.h>
#include <limits.h>
#include <stdarg.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "help.h"
#include "num.h"
#include "pass.h"
#include "progress.h"
#include "xfer.h"

void
cli_usage(const char *proto, const char *fmt, ...)
{
	va_list ap;

	if (fmt != NULL) {
		va_start(ap, fmt);
		vwarnx(fmt, ap);
		va_end(ap);
	}
	fprintf(stderr, "Try 'pk-xfer %s --help'\n", proto);
	exit(2);
}

void
cli_step_help(const char *synopsis, const char *options, const char *proto,
    const char *step)
{
	char text[8192];

	if (step == NULL ||
	    help_select(text, sizeof(text), synopsis, options, proto, step) ==
		-1)
		cli_help(synopsis, options);
	fputs(text, stdout);
	if (fflush(stdout) == EOF || ferror(stdout))
		err(2, "stdout");
	exit(0);
}

void
cli_help(const char *synopsis, const char *options)
{
	fputs(synopsis, stdout);
	fputs(options, stdout);
	if (fflush(stdout) == EOF || ferror(stdout))
		err(2, "stdout");
	exit(0);
}

void
cli_operands(const struct cli_text *t, int want_help, int argc, char *argv[],
    const char *missing)
{
	if (want_help)
		cli_step_help(t->synopsis, t->options, t->proto,
		    argc >= 2 ? argv[1] : NULL);
	if (strcmp(argv[0], t->proto) != 0)
		cli_usage(t->proto, "unexpected argument '%s'", argv[0]);
	if (argc < 2)
		cli_usage(t->proto, "%s: missing %s", t->proto, missing);
}

int
cli_global(struct xfer_global *g, int ch, const char *arg)
{
	switch (ch) {
	case 'C':
		g->dir = arg;
		return 1;
	case 'q':
		progress_quiet();
		return 1;
	case 't':
		g->timeout_ms =
		    (int)cli_number("-t", arg, 1, XFER_TIMEOUT_MAX) * 1000;
		return 1;
	case XFER_OPT_TRACE:
		g->trace = 1;
		g->sink.text = stderr;
		progress_quiet(); /* the trace's lines, not a line redrawn */
		return 1;
	case XFER_OPT_TRACE_JSON:
		/* Appended to: one file collects every step of a run. */
		if (g->sink.json != NULL)
			fclose(g->sink.json);
		if ((g->sink.json = trace_json_open(arg)) == NULL)
			err(2, "--trace-json %s", arg);
		g->trace = 1;
		return 1;
	case XFER_OPT_HARDENED:
		/* Before the protocol's name, xfer.c checks it there. */
		if (g->proto != NULL && !g->can_harden)
			errx(2, "--hardened: %s has no hardened profile yet",
			    g->proto);
		g->hardened = 1;
		return 1;
	case XFER_OPT_TRACE_AS:
		if (*arg == '\0')
			errx(2, "--trace-as: an empty name");
		g->sink.who = arg;
		return 1;
	}
	return 0;
}

void
cli_profile_mismatch(const struct xfer_global *g)
{
	errx(2, "%s: profile mismatch: the relay is %s, this client is %s",
	    g->proto, g->hardened ? "faithful" : "hardened",
	    g->hardened ? "hardened" : "faithful");
}

void
cli_chdir(const struct xfer_global *g)
{
	if (g->dir != NULL && chdir(g->dir) == -1)
		err(2, "-C %s", g->dir);
}

long long
cli_number(const char *opt, const char *s, long long min, long long max)
{
	const char *errstr;
	long long n;

	n = num_parse(s, min, max, &errstr);
	if (errstr != NULL)
		errx(2, "%s %s: %s", opt, s, errstr);
	return n;
}

const struct pass_words cli_pass_words = {
    "--pass-fd ", "--pass-env ", "use --pass-file, --pass-fd or --pass-env"};

int
cli_pass(struct secret_src *src, int ch, const char *arg)
{
	enum pass_kind k;
	const char *why;

	if (ch == CLI_OPT_PASS_ENV)
		k = PASS_ENV;
	else if (ch == CLI_OPT_PASS_FD)
		k = PASS_FD;
	else if (ch == CLI_OPT_PASS_FILE)
		k = PASS_FILE;
	else
		return 0;
	if (pass_set(src, k, arg, &why) == -1 && errno == EEXIST)
		errx(2, "choose one of --pass-env, --pass-fd, --pass-file");
	if (why != NULL)
		errx(2, "--pass-fd %s: %s", arg, why);
	src->words = &cli_pass_words;
	return 1;
}

char *
cli_prompt(const char *prompt, char *buf, size_t size)
{
	size_t n;

	if (prompt != NULL)
		printf("%s", prompt);
	fflush(stdout);
	if (fgets(buf, (int)size, stdin) == NULL)
		return NULL;
	n = strcspn(buf, "\r\n");
	if (buf[n] == '\0' && n == size - 1)
		errx(2, "stdin: line longer than %zu bytes", size - 2);
	buf[n] = '\0';
	return buf;
}
