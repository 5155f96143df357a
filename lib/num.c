/*
 * num: strtonum-style parsing; rejects suffixes, signs out of range, empty
 * strings and overflow, so that tools can name the option in the message.
 */
#include <errno.h>
#include <limits.h>
#include <stdlib.h>

#include "num.h"

long long
num_parse(const char *s, long long min, long long max, const char **errstr)
{
	char *end;
	long long v;

	*errstr = NULL;
	if (s == NULL || *s == '\0' || *s == ' ' || *s == '\t') {
		*errstr = "invalid";
		return 0;
	}
	errno = 0;
	v = strtoll(s, &end, 10);
	if (*end != '\0') {
		*errstr = "invalid";
		return 0;
	}
	if ((errno == ERANGE && v == LLONG_MIN) || v < min) {
		*errstr = "too small";
		return 0;
	}
	if ((errno == ERANGE && v == LLONG_MAX) || v > max) {
		*errstr = "too large";
		return 0;
	}
	return v;
}
