/*
 * progress: one line on stderr while a transfer of more than PROGRESS_MIN
 * bytes runs (bytes, rate, ETA), redrawn with \r at most PROGRESS_HZ
 * times a second and cleared at the end; only when stderr is a terminal,
 * and never after progress_quiet() (-q, --trace).
 */
#ifndef PK_XFER_PROGRESS_H
#define PK_XFER_PROGRESS_H

#include <stdint.h>

#define PROGRESS_MIN (4u << 20) /* smaller transfers show nothing */
#define PROGRESS_HZ 4

void progress_quiet(void);
/* done of total bytes so far; the first call starts the clock, and
 * done == total clears the line. */
void progress(uint64_t done, uint64_t total);

#endif
