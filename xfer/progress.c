/*
 * progress: the transfer's line on a terminal, as curl and rsync
 * --progress show it: "12.0 MiB / 64.0 MiB  18%  9.5 MiB/s  ETA 0:05".
 */
#include <stdio.h>
#include <time.h>
#include <unistd.h>

#include "progress.h"

static struct {
	int quiet, shown;
	uint64_t total, first; /* done at the first call */
	double start, last;
} p;

void
progress_quiet(void)
{
	p.quiet = 1;
}

static double
now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void
draw(uint64_t done, double t)
{
	double rate = 0, mib = 1024.0 * 1024;
	long eta;

	if (t > p.start && done > p.first)
		rate = (double)(done - p.first) / (t - p.start);
	fprintf(stderr, "\r%.1f MiB / %.1f MiB  %3u%%  ", (double)done / mib,
	    (double)p.total / mib, (unsigned)(done * 100 / p.total));
	if (rate > 0) {
		eta = (long)((double)(p.total - done) / rate + 0.5);
		fprintf(stderr, "%.1f MiB/s  ETA %ld:%02ld\033[K", rate / mib,
		    eta / 60, eta % 60);
	} else
		fputs("-.- MiB/s  ETA -:--\033[K", stderr);
	fflush(stderr);
	p.shown = 1;
	p.last = t;
}

void
progress(uint64_t done, uint64_t total)
{
	double t;

	if (p.quiet || total < PROGRESS_MIN)
		return;
	if (total != p.total) { /* a new transfer */
		if (!isatty(STDERR_FILENO)) {
			p.quiet = 1;
			return;
		}
		p.total = total;
		p.first = done;
		p.start = now();
		p.shown = 0;
		p.last = 0;
	}
	if (done >= total) {
		if (p.shown)
			fputs("\r\033[K", stderr);
		fflush(stderr);
		p.total = 0;
		p.shown = 0;
		return;
	}
	t = now();
	if (!p.shown || t - p.last >= 1.0 / PROGRESS_HZ)
		draw(done, t);
}
