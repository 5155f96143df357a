/*
 * trace: one frame of any protocol as a list of named fields, printed as
 * text (pk-xfer --trace, pk-relay --trace) or as one JSON object per line
 * (--trace-json FILE).  Each protocol has one decoder that fills a
 * struct trace_frame from a frame's bytes (lib/NAMEwire.c); the trace,
 * the dissector's tests, the fuzzers and the attacker all reuse it.  The
 * field names are those of docs/NAME.md's wire tables.  lib/ prints only
 * to the FILEs it is given.
 */
#ifndef PK_TRACE_H
#define PK_TRACE_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define TRACE_FIELDS 64 /* fields of one frame at most */

enum trace_dir {
	TRACE_SENT, /* ">>>" */
	TRACE_RECV, /* "<<<" */
};

enum trace_type {
	TRACE_UINT, /* an integer: its value in num */
	TRACE_BYTES, /* opaque bytes (an id, a hash, a wrapped key): hex */
	TRACE_TEXT, /* text (a name, a word, a prompt): shown escaped */
	TRACE_PEM, /* a PEM block: shown as text, a key with its fingerprint */
	TRACE_IV, /* the IV in front of a ciphertext */
	TRACE_CIPHER, /* ciphertext: hex in 16-byte blocks */
	TRACE_PLAIN, /* what the tracing side decrypted: not on the wire */
};

struct trace_field {
	const char *name; /* as docs/NAME.md's wire table names it */
	size_t off; /* in the frame (TRACE_PLAIN: of the ciphertext) */
	size_t len;
	enum trace_type type;
	uint64_t num; /* TRACE_UINT's value */
	const char *note; /* what the value means ("ok", "register"), or NULL */
	const uint8_t *data; /* TRACE_PLAIN's bytes; NULL: buf + off */
};

struct trace_frame {
	const char *proto; /* "vault", "keymanager", "chat", "e2e", "ca" */
	const char *step; /* the protocol step, as docs/NAME.md names it */
	enum trace_dir dir;
	const char *peer; /* "127.0.0.1:4000", or NULL */
	int fd; /* the socket, for JSON's local and peer; -1 (trace_begin) */
	const uint8_t *buf; /* the frame as on the wire */
	size_t len;
	struct trace_field f[TRACE_FIELDS];
	size_t n;
	const char *bad; /* why the decoder found it malformed, or NULL */
};

/* Where frames go; either may be NULL. */
struct trace_sink {
	FILE *text;
	FILE *json;
	const char *who; /* the party, JSON's "who" (charts); NULL: none */
};

/*
 * Opens path for --trace-json, appended to, with a buffer that holds a
 * whole frame's object: each reaches the file in one write, so processes
 * appending to one file never interleave their lines.  NULL, errno set.
 */
FILE *trace_json_open(const char *path);

/* Starts a frame of len bytes at buf (the step "unknown" until set). */
void trace_begin(struct trace_frame *, const char *proto, enum trace_dir,
    const char *peer, const uint8_t *buf, size_t len);
/*
 * Appends the field name of len bytes at off; NULL (and the frame marked
 * bad) if it does not fit in the frame or in f[].  Fields are added in
 * the order of the wire.
 */
struct trace_field *trace_add(struct trace_frame *, const char *name,
    size_t off, size_t len, enum trace_type);
/* An unsigned integer of len (1..8) bytes, big-endian or little-endian. */
struct trace_field *trace_uint(
    struct trace_frame *, const char *name, size_t off, size_t len, int le);
/*
 * The plaintext of the ciphertext field last added, opened by the tracing
 * side with the key and IV that with names (e.g. "K2 and the IV above").
 */
struct trace_field *trace_plain(struct trace_frame *, const char *name,
    const uint8_t *p, size_t len, const char *with);
/* Marks the frame malformed (the first reason is kept). */
void trace_bad(struct trace_frame *, const char *why);

/*
 * Writes the frame to the sink: text as a header line (time, direction,
 * peer, protocol, step, size) and one line per field (name, offset,
 * length, hex, value); JSON as one object on one line.  Bytes that no
 * field covers are shown as a field named "unnamed".
 */
void trace_print(const struct trace_sink *, const struct trace_frame *);

#endif
