/*
 * cli: the usage and --help exits every protocol's command line shares.
 */
#include <err.h>
#include <stdio.h>
#include <stdlib.h>

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
