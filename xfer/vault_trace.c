/*
 * vault_trace: --trace, every frame sent (>>>) and received (<<<) on stderr as
 * a labelled hex dump.  Each header field and each payload field from the
 * vault_layout table gets one line with its raw little-endian bytes and
 * its value; names are shown as quoted strings, byte fields as hex rows.
 */
#include <ctype.h>
#include <stdio.h>

#include "vault.h"

#define ROW 16 /* bytes per hex row */

static void
hex_bytes(const uint8_t *p, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		fprintf(stderr, "%s%02x", i ? " " : "", p[i]);
}

/* "    name         b0 b1 b2 b3    value" for an integer field. */
static void
int_line(const char *name, const uint8_t *p, size_t n, unsigned long v,
    const char *what)
{
	fprintf(stderr, "    %-16s", name);
	hex_bytes(p, n);
	fprintf(stderr, "%*s%lu%s%s\n", (int)(14 - 3 * n), "", v,
	    what ? " " : "", what ? what : "");
}

static void
hex_rows(const uint8_t *p, size_t n)
{
	size_t i;

	for (i = 0; i < n; i += ROW) {
		fprintf(stderr, "      %04zx  ", i);
		hex_bytes(p + i, n - i < ROW ? n - i : ROW);
		fputc('\n', stderr);
	}
}

static void
name_line(const char *name, const uint8_t *p, size_t n)
{
	size_t len;

	for (len = 0; len < n && p[len] != '\0'; len++)
		;
	fprintf(stderr, "    %-16s\"", name);
	for (size_t i = 0; i < len; i++) {
		if (isprint(p[i]) && p[i] != '"' && p[i] != '\\')
			fputc(p[i], stderr);
		else
			fprintf(stderr, "\\x%02x", p[i]);
	}
	fprintf(stderr, "\" + %zu NUL bytes (%zu-byte field)\n", n - len, n);
}

static void
field_line(const struct vault_field *f, const uint8_t *payload)
{
	const uint8_t *p = payload + f->off;

	switch (f->type) {
	case VF_U16:
		int_line(f->name, p, 2, vault_get_u16(p), NULL);
		break;
	case VF_U32:
		int_line(f->name, p, 4, vault_get_u32(p), NULL);
		break;
	case VF_NAME:
		name_line(f->name, p, f->size);
		break;
	default:
		if (f->size <= ROW) {
			fprintf(stderr, "    %-16s", f->name);
			hex_bytes(p, f->size);
			fputc('\n', stderr);
			break;
		}
		fprintf(stderr, "    %-16s%u bytes\n", f->name, f->size);
		hex_rows(p, f->size);
	}
}

/* hdr points at version, code, payload_size; id is NULL in replies. */
static void
dump(const char *dir, const uint8_t *id, const uint8_t *hdr,
    const uint8_t *payload)
{
	const struct vault_layout *l;
	uint16_t code = vault_get_u16(hdr + 1);
	uint32_t size = vault_get_u32(hdr + 3);
	size_t i;

	l = vault_layout(code);
	fflush(stdout);
	fprintf(stderr, "%s %u %s: %d-byte header, %u-byte payload\n", dir,
	    code, l ? l->label : "unknown", id ? VAULT_REQ_HDR : VAULT_RESP_HDR,
	    size);
	if (id != NULL) {
		fprintf(stderr, "    %-16s", "client_id");
		hex_bytes(id, VAULT_ID);
		fputc('\n', stderr);
	}
	int_line("version", hdr, 1, hdr[0], NULL);
	int_line("code", hdr + 1, 2, code, l ? l->label : "unknown");
	int_line("payload_size", hdr + 3, 4, size, NULL);
	if (l == NULL || l->size != size)
		return;
	for (i = 0; i < l->nfields; i++)
		field_line(&l->fields[i], payload);
}

void
trace_request(const uint8_t *hdr, const uint8_t *payload)
{
	dump(">>>", hdr, hdr + VAULT_ID, payload);
}

void
trace_reply(const uint8_t *hdr, const uint8_t *payload)
{
	dump("<<<", NULL, hdr, payload);
}

void
trace_raw(const uint8_t *buf, size_t len)
{
	fprintf(stderr, "<<< %zu bytes that are not a valid reply\n", len);
	hex_rows(buf, len);
}

void
trace_elided(uint32_t first, uint32_t last, uint32_t total)
{
	fprintf(stderr,
	    ">>> 828 send file: packets %u .. %u of %u sent, "
	    "not shown (the same fields, packet_number counting up)\n",
	    first, last, total);
}
