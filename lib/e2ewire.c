/*
 * e2ewire: parsing and formatting of the e2e protocol's plaintexts.
 */
#include <stdio.h>
#include <string.h>

#include "e2ewire.h"

/* The decimal number p[0..len): no sign, no leading zero; 0 or -1. */
static int
decimal(const uint8_t *p, size_t len, uint64_t max, uint64_t *v)
{
	uint64_t d;
	size_t i;

	if (len == 0 || len > 20 || (p[0] == '0' && len > 1))
		return -1;
	*v = 0;
	for (i = 0; i < len; i++) {
		if (p[i] < '0' || p[i] > '9')
			return -1;
		d = (uint64_t)(p[i] - '0');
		if (d > max || *v > (max - d) / 10)
			return -1;
		*v = *v * 10 + d;
	}
	return 0;
}

static size_t
count(const uint8_t *p, size_t len, uint8_t ch)
{
	size_t i, n = 0;

	for (i = 0; i < len; i++)
		n += p[i] == ch;
	return n;
}

/* 1 when p holds a control character (a NUL would cut the address). */
static int
control(const uint8_t *p, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++)
		if (p[i] < 0x20 || p[i] == 0x7f)
			return 1;
	return 0;
}

int
e2e_route_parse(const uint8_t *p, size_t len, struct e2e_route *r)
{
	const uint8_t *colon, *slash;
	uint64_t port;
	size_t hlen;

	/* Python's data.split("/") and then target.split(":"). */
	if (count(p, len, '/') != 1)
		return -1;
	slash = memchr(p, '/', len);
	if (count(p, (size_t)(slash - p), ':') != 1)
		return -1;
	colon = memchr(p, ':', (size_t)(slash - p));
	hlen = (size_t)(colon - p);
	if (hlen == 0 || hlen > E2E_HOST_MAX || control(p, hlen) ||
	    decimal(colon + 1, (size_t)(slash - colon - 1), 65535, &port) == -1)
		return -1;
	memcpy(r->host, p, hlen);
	r->host[hlen] = '\0';
	r->port = (unsigned)port;
	r->msg = slash + 1;
	r->len = len - (size_t)(r->msg - p);
	return 0;
}

long
e2e_fwd_format(
    const char *peer, const uint8_t *msg, size_t len, uint8_t *out, size_t max)
{
	const char *colon = strrchr(peer, ':');
	size_t hlen;
	int n;

	if (colon == NULL || colon == peer || colon[1] == '\0')
		return -1;
	hlen = (size_t)(colon - peer);
	if (peer[0] == '[' && hlen >= 2 && colon[-1] == ']') {
		peer++;
		hlen -= 2;
	}
	if (hlen > E2E_HOST_MAX)
		return -1;
	n = snprintf(
	    (char *)out, max, "('%.*s', %s)|", (int)hlen, peer, colon + 1);
	if (n < 0 || (size_t)n > max || len > max - (size_t)n)
		return -1;
	memcpy(out + n, msg, len);
	return (long)((size_t)n + len);
}

int
e2e_fwd_parse(const uint8_t *p, size_t len, const uint8_t **src, size_t *srclen,
    const uint8_t **msg, size_t *msglen)
{
	const uint8_t *bar;

	if ((bar = memchr(p, '|', len)) == NULL)
		return -1;
	*src = p;
	*srclen = (size_t)(bar - p);
	*msg = bar + 1;
	*msglen = len - *srclen - 1;
	return 0;
}

int
e2e_name_check(const uint8_t *p, size_t len)
{
	size_t i;

	if (len == 0 || len > E2E_NAME_MAX || p[0] == '.')
		return -1;
	for (i = 0; i < len; i++)
		if (!((p[i] >= 'a' && p[i] <= 'z') ||
			(p[i] >= 'A' && p[i] <= 'Z') ||
			(p[i] >= '0' && p[i] <= '9') || p[i] == '.' ||
			p[i] == '_' || p[i] == '-'))
			return -1;
	return 0;
}

int
e2e_upload_parse(const uint8_t *p, size_t len, uint64_t max,
    char name[E2E_NAME_MAX + 1], uint64_t *size)
{
	const size_t hello = sizeof(E2E_UP_HELLO) - 1;
	const uint8_t *sp;
	size_t nlen;

	if (len < hello + 1 || memcmp(p, E2E_UP_HELLO " ", hello + 1) != 0)
		return -1;
	p += hello + 1;
	len -= hello + 1;
	if ((sp = memchr(p, ' ', len)) == NULL)
		return -1;
	nlen = (size_t)(sp - p);
	if (e2e_name_check(p, nlen) == -1 ||
	    decimal(sp + 1, len - nlen - 1, max, size) == -1)
		return -1;
	memcpy(name, p, nlen);
	name[nlen] = '\0';
	return 0;
}
