/*
 * cli: the usage and --help exits every protocol's command line shares,
 * and the prompted line of stdin the interactive clients read.
 */
#include <err.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "xfer.h"

void
cli_usage(const char *synopsis)
{
	fputs(synopsis, stderr);
	exit(2);
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
