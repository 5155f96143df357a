/*
 * num: range-checked number parsing in the manner of OpenBSD strtonum(3).
 */
#ifndef PK_NUM_H
#define PK_NUM_H

/*
 * Parses a decimal integer in [min, max].  On error returns 0 and points
 * *errstr at "invalid", "too small" or "too large"; else *errstr is NULL.
 */
long long num_parse(
    const char *s, long long min, long long max, const char **errstr);

#endif
