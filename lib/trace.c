/*
 * trace: the frame's field list (trace_begin, trace_add, ...) and its two
 * printers, text and JSON.  A field's value column is its number (and what
 * it means), its text, or, for a PEM public key, the SHA-256 fingerprint
 * of its SubjectPublicKeyInfo, the one `openssl pkey -pubin -outform DER |
 * sha256sum` gives.
 */
#include <sys/socket.h>

#include <netinet/in.h>

#include <arpa/inet.h>
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <time.h>

#include <nettle/sha2.h>

#include "key.h"
#include "trace.h"

#define ROW 16 /* bytes per hex row */
#define JSON_BUF (1 << 20) /* more than a frame's object (64 KiB as hex) */

FILE *
trace_json_open(const char *path)
{
	FILE *fp;
	char *buf;

	/* The buffer lives as long as the process: the FILE holds it. */
	if ((buf = malloc(JSON_BUF)) == NULL)
		return NULL;
	if ((fp = fopen(path, "a")) == NULL ||
	    setvbuf(fp, buf, _IOFBF, JSON_BUF) != 0) {
		if (fp != NULL)
			fclose(fp);
		free(buf);
		return NULL;
	}
	return fp;
}

void
trace_begin(struct trace_frame *fr, const char *proto, enum trace_dir dir,
    const char *peer, const uint8_t *buf, size_t len)
{
	memset(fr, 0, sizeof(*fr));
	fr->proto = proto;
	fr->step = "unknown";
	fr->dir = dir;
	fr->peer = peer;
	fr->fd = -1;
	fr->buf = buf;
	fr->len = len;
}

void
trace_bad(struct trace_frame *fr, const char *why)
{
	if (fr->bad == NULL)
		fr->bad = why;
}

struct trace_field *
trace_add(struct trace_frame *fr, const char *name, size_t off, size_t len,
    enum trace_type type)
{
	struct trace_field *f;

	if (type != TRACE_PLAIN && (off > fr->len || len > fr->len - off)) {
		trace_bad(fr, "shorter than its fields");
		return NULL;
	}
	if (fr->n == TRACE_FIELDS) {
		trace_bad(fr, "too many fields to show");
		return NULL;
	}
	f = &fr->f[fr->n++];
	memset(f, 0, sizeof(*f));
	f->name = name;
	f->off = off;
	f->len = len;
	f->type = type;
	return f;
}

struct trace_field *
trace_uint(
    struct trace_frame *fr, const char *name, size_t off, size_t len, int le)
{
	struct trace_field *f;
	size_t i;

	if (len == 0 || len > 8)
		return NULL;
	if ((f = trace_add(fr, name, off, len, TRACE_UINT)) == NULL)
		return NULL;
	for (i = 0; i < len; i++)
		f->num = f->num << 8 | fr->buf[off + (le ? len - 1 - i : i)];
	return f;
}

struct trace_field *
trace_plain(struct trace_frame *fr, const char *name, const uint8_t *p,
    size_t len, const char *with)
{
	struct trace_field *f;
	size_t off = fr->n > 0 ? fr->f[fr->n - 1].off : 0;

	if ((f = trace_add(fr, name, off, len, TRACE_PLAIN)) == NULL)
		return NULL;
	f->data = p;
	f->note = with;
	return f;
}

static const uint8_t *
field_bytes(const struct trace_frame *fr, const struct trace_field *f)
{
	return f->type == TRACE_PLAIN ? f->data : fr->buf + f->off;
}

/* "sha256:" and the fingerprint of a PEM public key; 0 if it is none. */
static int
fingerprint(const uint8_t *p, size_t len, char out[7 + 64 + 1])
{
	struct key_rsa k;
	uint8_t der[4096], md[SHA256_DIGEST_SIZE];
	struct sha256_ctx ctx;
	size_t n, i;
	int ok;

	key_init(&k);
	ok = key_parse(&k, p, len, NULL, 0) == KEY_OK &&
	    key_spki_der(&k, der, sizeof(der), &n) == KEY_OK;
	key_clear(&k);
	if (!ok)
		return 0;
	sha256_init(&ctx);
	sha256_update(&ctx, n, der);
	sha256_digest(&ctx, sizeof(md), md);
	memcpy(out, "sha256:", 7);
	for (i = 0; i < sizeof(md); i++)
		snprintf(out + 7 + 2 * i, 3, "%02x", md[i]);
	return 1;
}

static void
hex(FILE *fp, const uint8_t *p, size_t n, const char *sep)
{
	size_t i;

	for (i = 0; i < n; i++)
		fprintf(fp, "%s%02x", i ? sep : "", p[i]);
}

/* Text, escaped as C would: printable ASCII as is, the rest as \xNN. */
static void
text(FILE *fp, const uint8_t *p, size_t n, int json)
{
	size_t i;

	for (i = 0; i < n; i++) {
		if (p[i] == '"' || p[i] == '\\')
			fprintf(fp, "\\%c", p[i]);
		else if (isprint(p[i]))
			fputc(p[i], fp);
		else if (json)
			fprintf(fp, "\\u%04x", p[i]);
		else if (p[i] == '\n')
			fputs("\\n", fp);
		else
			fprintf(fp, "\\x%02x", p[i]);
	}
}

/*
 * 1 if p reads as text: at least three bytes in four printable ASCII,
 * tabs, line ends or valid UTF-8 (a padded plaintext does, a random key
 * almost never: its bytes are printable about one time in three).
 */
static int
texty(const uint8_t *p, size_t n)
{
	size_t i, k, more, good = 0;

	for (i = 0; i < n; i++) {
		if ((p[i] >= 0x20 && p[i] < 0x7f) || p[i] == '\t' ||
		    p[i] == '\n' || p[i] == '\r') {
			good++;
			continue;
		}
		if (p[i] >= 0xc2 && p[i] <= 0xdf)
			more = 1;
		else if (p[i] >= 0xe0 && p[i] <= 0xef)
			more = 2;
		else if (p[i] >= 0xf0 && p[i] <= 0xf4)
			more = 3;
		else
			continue;
		for (k = 1; k <= more; k++)
			if (i + k >= n || (p[i + k] & 0xc0) != 0x80)
				break;
		if (k > more) {
			good += more + 1;
			i += more;
		}
	}
	return good * 4 >= n * 3;
}

/* Shown as text: text fields, and plaintext that reads as text. */
static int
as_text(const struct trace_field *f, const uint8_t *p)
{
	return f->type == TRACE_TEXT ||
	    (f->type == TRACE_PLAIN && texty(p, f->len));
}

static void
stamp(char *buf, size_t n, double *secs)
{
	struct timeval tv;
	struct tm tm;
	size_t k;

	gettimeofday(&tv, NULL);
	*secs = (double)tv.tv_sec + tv.tv_usec / 1e6;
	localtime_r(&tv.tv_sec, &tm);
	k = strftime(buf, n, "%H:%M:%S", &tm);
	snprintf(buf + k, n - k, ".%06ld", (long)tv.tv_usec);
}

/* The value column of a field in text (rows below it for long ones). */
static void
text_value(FILE *fp, const struct trace_frame *fr, const struct trace_field *f)
{
	const uint8_t *p = field_bytes(fr, f);
	char fp_hex[7 + 64 + 1];
	size_t i,
	    row = f->type == TRACE_CIPHER || f->type == TRACE_IV ? 16 : ROW;

	if (f->type == TRACE_UINT)
		fprintf(fp, "  %llu", (unsigned long long)f->num);
	else if (as_text(f, p)) {
		fputs("  \"", fp);
		text(fp, p, f->len, 0);
		fputc('"', fp);
	}
	if (f->note != NULL)
		fprintf(fp, "%s(%s)",
		    f->type == TRACE_UINT || as_text(f, p) ? " " : "  ",
		    f->note);
	if (f->type == TRACE_PEM && fingerprint(p, f->len, fp_hex))
		fprintf(fp, "  %s", fp_hex);
	fputc('\n', fp);
	if (f->type == TRACE_PEM) {
		for (i = 0; i < f->len; i++) {
			if (i == 0 || p[i - 1] == '\n')
				fputs("        | ", fp);
			if (p[i] != '\n')
				fputc(isprint(p[i]) ? p[i] : '?', fp);
			else if (i + 1 < f->len)
				fputc('\n', fp);
		}
		fputc('\n', fp);
		return;
	}
	if (f->len <= ROW || f->type == TRACE_UINT || as_text(f, p))
		return;
	for (i = 0; i < f->len; i += row) {
		fprintf(fp, "        %04zx  ", i);
		hex(fp, p + i, f->len - i < row ? f->len - i : row, " ");
		fputc('\n', fp);
	}
}

static void
text_field(FILE *fp, const struct trace_frame *fr, const struct trace_field *f)
{
	const uint8_t *p = field_bytes(fr, f);

	if (f->type == TRACE_PLAIN)
		fprintf(fp, "    %-18s %6s %5zu  ", f->name, "-", f->len);
	else
		fprintf(fp, "    %-18s %6zu %5zu  ", f->name, f->off, f->len);
	if (f->len <= 8 || (f->len <= ROW && f->type != TRACE_TEXT))
		hex(fp, p, f->len, " ");
	else
		fprintf(fp, "%zu bytes", f->len);
	text_value(fp, fr, f);
}

static void
json_field(FILE *fp, const struct trace_frame *fr, const struct trace_field *f)
{
	const uint8_t *p = field_bytes(fr, f);
	char fp_hex[7 + 64 + 1];

	fputs("{\"name\":\"", fp);
	text(fp, (const uint8_t *)f->name, strlen(f->name), 1);
	if (f->type == TRACE_PLAIN)
		fprintf(
		    fp, "\",\"offset\":null,\"length\":%zu,\"hex\":\"", f->len);
	else
		fprintf(fp, "\",\"offset\":%zu,\"length\":%zu,\"hex\":\"",
		    f->off, f->len);
	hex(fp, p, f->len, "");
	fputs("\",\"value\":", fp);
	if (f->type == TRACE_UINT)
		fprintf(fp, "%llu", (unsigned long long)f->num);
	else if (as_text(f, p) || f->type == TRACE_PEM) {
		fputc('"', fp);
		text(fp, p, f->len, 1);
		fputc('"', fp);
	} else
		fputs("null", fp);
	if (f->note != NULL) {
		fputs(",\"note\":\"", fp);
		text(fp, (const uint8_t *)f->note, strlen(f->note), 1);
		fputc('"', fp);
	}
	if (f->type == TRACE_PEM && fingerprint(p, f->len, fp_hex))
		fprintf(fp, ",\"fingerprint\":\"%s\"", fp_hex);
	fputc('}', fp);
}

/* The bytes from *at to end no field covers, as one "unnamed" field. */
static int
gap(struct trace_field *u, size_t at, size_t end)
{
	if (end <= at)
		return 0;
	memset(u, 0, sizeof(*u));
	u->name = "unnamed";
	u->off = at;
	u->len = end - at;
	u->type = TRACE_BYTES;
	return 1;
}

static void
each_field(const struct trace_frame *fr, FILE *fp,
    void (*out)(FILE *, const struct trace_frame *, const struct trace_field *),
    const char *sep)
{
	struct trace_field u;
	size_t i, at = 0;
	int first = 1;

	for (i = 0; i < fr->n; i++) {
		const struct trace_field *f = &fr->f[i];

		if (f->type != TRACE_PLAIN && gap(&u, at, f->off)) {
			fputs(first ? "" : sep, fp);
			out(fp, fr, &u);
			first = 0;
		}
		fputs(first ? "" : sep, fp);
		out(fp, fr, f);
		first = 0;
		if (f->type != TRACE_PLAIN && f->off + f->len > at)
			at = f->off + f->len;
	}
	if (gap(&u, at, fr->len)) {
		fputs(first ? "" : sep, fp);
		out(fp, fr, &u);
	}
}

/* "ip:port" of the socket's own (peer 0) or other (peer 1) end, or "". */
static void
sockname(int fd, int peer, char *buf, size_t n)
{
	struct sockaddr_storage ss;
	socklen_t len = sizeof(ss);
	char ip[INET6_ADDRSTRLEN];
	struct sockaddr *sa = (struct sockaddr *)&ss;
	int ok;

	buf[0] = '\0';
	if (fd < 0)
		return;
	ok =
	    (peer ? getpeername(fd, sa, &len) : getsockname(fd, sa, &len)) == 0;
	if (ok && ss.ss_family == AF_INET &&
	    inet_ntop(AF_INET, &((struct sockaddr_in *)sa)->sin_addr, ip,
		sizeof(ip)) != NULL)
		snprintf(buf, n, "%s:%u", ip,
		    ntohs(((struct sockaddr_in *)sa)->sin_port));
	else if (ok && ss.ss_family == AF_INET6 &&
	    inet_ntop(AF_INET6, &((struct sockaddr_in6 *)sa)->sin6_addr, ip,
		sizeof(ip)) != NULL)
		snprintf(buf, n, "[%s]:%u", ip,
		    ntohs(((struct sockaddr_in6 *)sa)->sin6_port));
}

/*
 * The JSON frame's head.  Where the socket is known, local is its own
 * address and peer the other end's, as numbers (a chart pairs the two
 * views of a frame by them); who is the party, when the sink names it.
 */
static void
json_head(FILE *fp, const struct trace_sink *s, const struct trace_frame *fr,
    double secs)
{
	char local[64], peer[64];

	sockname(fr->fd, 0, local, sizeof(local));
	sockname(fr->fd, 1, peer, sizeof(peer));
	fprintf(fp, "{\"time\":%.6f,\"direction\":\"%s\",\"peer\":\"%s\",",
	    secs, fr->dir == TRACE_SENT ? "sent" : "received",
	    peer[0]	   ? peer
		: fr->peer ? fr->peer
			   : "");
	if (local[0])
		fprintf(fp, "\"local\":\"%s\",", local);
	if (s->who != NULL) {
		fputs("\"who\":\"", fp);
		text(fp, (const uint8_t *)s->who, strlen(s->who), 1);
		fputs("\",", fp);
	}
	fprintf(fp, "\"protocol\":\"%s\",\"step\":\"%s\",\"length\":%zu,",
	    fr->proto, fr->step, fr->len);
}

void
trace_print(const struct trace_sink *s, const struct trace_frame *fr)
{
	const char *dir = fr->dir == TRACE_SENT ? ">>>" : "<<<";
	char when[32];
	double secs;

	stamp(when, sizeof(when), &secs);
	if (s->text != NULL) {
		fprintf(s->text, "%s %s %s %s %s: %zu bytes%s%s\n", when, dir,
		    fr->peer ? fr->peer : "-", fr->proto, fr->step, fr->len,
		    fr->bad ? ", malformed: " : "", fr->bad ? fr->bad : "");
		each_field(fr, s->text, text_field, "");
		fflush(s->text);
	}
	if (s->json != NULL) {
		json_head(s->json, s, fr, secs);
		if (fr->bad != NULL)
			fprintf(s->json, "\"malformed\":\"%s\",", fr->bad);
		fputs("\"fields\":[", s->json);
		each_field(fr, s->json, json_field, ",");
		fputs("]}\n", s->json);
		fflush(s->json);
	}
}
