/*
 * log: one line per event on stderr, "TIME WHO [PEER] message", TIME in
 * ISO-8601 UTC.  A line is written with one write(2) so that lines never
 * interleave, and control characters from peers are shown as '?'.
 */
#include <stdarg.h>
#include <stdio.h>
#include <time.h>
#include <unistd.h>

#include "relay.h"

#define LOG_LINE_MAX 1024

/* The length after appending r bytes (snprintf's count) at n, truncated. */
static size_t
log_advance(size_t n, int r)
{
	if (r < 0)
		return n;
	if ((size_t)r >= LOG_LINE_MAX - n)
		return LOG_LINE_MAX - 1;
	return n + (size_t)r;
}

void
log_vline(const char *who, const char *peer, const char *fmt, va_list ap)
{
	char line[LOG_LINE_MAX];
	struct tm tm;
	time_t now = time(NULL);
	size_t n, i, start;
	int r;

	gmtime_r(&now, &tm);
	n = strftime(line, sizeof(line), "%Y-%m-%dT%H:%M:%SZ ", &tm);
	r = snprintf(line + n, sizeof(line) - n, "%s %s%s", who,
	    peer != NULL ? peer : "", peer != NULL ? " " : "");
	n = start = log_advance(n, r);
	r = vsnprintf(line + n, sizeof(line) - n, fmt, ap);
	n = log_advance(n, r);
	for (i = start; i < n; i++)
		if ((unsigned char)line[i] < 0x20 || line[i] == 0x7f)
			line[i] = '?';
	line[n++] = '\n';
	/* Best effort: a relay keeps serving when its log cannot be written. */
	if (write(STDERR_FILENO, line, n) == -1)
		return;
}

void
log_line(const char *who, const char *peer, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_vline(who, peer, fmt, ap);
	va_end(ap);
}

void
relay_log(const char *service, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_vline(service, NULL, fmt, ap);
	va_end(ap);
}
