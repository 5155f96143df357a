/*
 * edit: pk-mitm's --edit FROM=TO, one for every active attack that opens
 * text (chat's messages, e2e's blocks): parsed once, applied to each text
 * the attack opens; and that text shown on stderr, escaped, as the
 * attacks say it.
 */
#include <stdio.h>
#include <string.h>

#include "mitm.h"

const char *
edit_parse(struct mitm_edit *e, const char *spec)
{
	const char *eq = strchr(spec, '=');

	if (eq == NULL || eq == spec)
		return "not FROM=TO with FROM not empty";
	e->flen = (size_t)(eq - spec);
	e->tlen = strlen(eq + 1);
	if (e->flen >= MITM_EDIT_MAX || e->tlen >= MITM_EDIT_MAX)
		return "FROM or TO longer than 255 bytes";
	memcpy(e->from, spec, e->flen);
	memcpy(e->to, eq + 1, e->tlen);
	return NULL;
}

long
edit_apply(const struct mitm_edit *e, const uint8_t *text, size_t len,
    uint8_t *out, size_t cap)
{
	const uint8_t *at;
	size_t n;

	if (e == NULL || e->flen == 0 || e->flen > len ||
	    (at = memmem(text, len, e->from, e->flen)) == NULL ||
	    len - e->flen + e->tlen > cap)
		return -1;
	n = (size_t)(at - text);
	memcpy(out, text, n);
	memcpy(out + n, e->to, e->tlen);
	memcpy(out + n + e->tlen, at + e->flen, len - n - e->flen);
	return (long)(len - e->flen + e->tlen);
}

void
edit_show(const uint8_t *p, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (p[i] >= 0x20 && p[i] < 0x7f && p[i] != '\\')
			fputc(p[i], stderr);
		else
			fprintf(stderr, "\\x%02x", p[i]);
}
