/*
 * e2ewire: the plaintexts of the e2e protocol (seed 002), shared by the
 * relay's e2e and e2e-upload services, pk-xfer e2e and the fuzz target.
 * On the wire every frame (lib/frame.h) holds exactly one 256-byte
 * RSA-OAEP-SHA256 block; these functions see what is inside a block once
 * it is decrypted (at most E2E_TEXT_MAX bytes).  Nothing here allocates,
 * prints or exits.
 */
#ifndef PK_E2EWIRE_H
#define PK_E2EWIRE_H

#include <stddef.h>
#include <stdint.h>

#include "trace.h"

#define E2E_BITS 2048 /* every key of the protocol: RSA-2048 */
#define E2E_BLOCK 256 /* one RSA-2048 block: the payload of every frame */
#define E2E_TEXT_MAX 190 /* OAEP-SHA256 plaintext: 256 - 2 * 32 - 2 */
#define E2E_HOST_MAX 63 /* the ip of "ip:port/message" */
#define E2E_NAME_MAX 128 /* an uploaded file's name */

/* The original's texts, sent encrypted to the client key. */
#define E2E_ERR_TARGET "[*] Server Error: Cannot find specified target client"
#define E2E_ERR_PARSE "[*] Parse Error: Invalid Input Format"
#define E2E_QUIT "quit"
/*
 * protokit's, sent before the relay drops a client whose block does not
 * decrypt (the original's server thread died there without a word).
 */
#define E2E_ERR_DECRYPT                                                        \
	"[*] Server Error: Cannot decrypt the message with the server key"
/* protokit's: the original's server died on a forward over 190 bytes. */
#define E2E_ERR_LONG                                                           \
	"[*] Server Error: Message too long to forward with the source "       \
	"address"

/*
 * The upload's texts: the original's upload program is lost, so these
 * are protokit's.  The client's first block is "upload NAME SIZE", then
 * the file in chunks of 1 to 190 bytes, then an empty block for the end.
 */
#define E2E_UP_HELLO "upload"
#define E2E_UP_READY "[*] Ready to receive %s (%llu bytes)"
#define E2E_UP_CHUNK "[*] Received chunk %llu (%zu bytes)"
#define E2E_UP_DONE "[*] Upload complete: %s (%llu bytes)"
#define E2E_UP_ERROR "[*] Upload Error: "

/* "ip:port/message", as the client types it. */
struct e2e_route {
	char host[E2E_HOST_MAX + 1];
	unsigned port;
	const uint8_t *msg;
	size_t len;
};

/*
 * Parses "ip:port/message" as the original did: exactly one '/' in the
 * whole text and exactly one ':' before it (the message may hold ':'), a
 * non-empty ip of at most E2E_HOST_MAX bytes without control characters
 * (protokit's: a NUL would cut it short), a decimal port 0 .. 65535.  The
 * message may be empty.  Returns 0, or -1 for anything else.
 */
int e2e_route_parse(const uint8_t *p, size_t len, struct e2e_route *r);

/*
 * Writes the forwarded text "('ip', port)|message" for a sender whose
 * address is peer ("ip:port" or "[v6]:port") into out, which holds max
 * bytes.  Returns its length, or -1 when peer is not an address or the
 * text does not fit.
 */
long e2e_fwd_format(
    const char *peer, const uint8_t *msg, size_t len, uint8_t *out, size_t max);

/*
 * Splits a text from the server at its first '|' into the source and the
 * message.  Returns 0, or -1 when there is no '|' (a server error text).
 */
int e2e_fwd_parse(const uint8_t *p, size_t len, const uint8_t **src,
    size_t *srclen, const uint8_t **msg, size_t *msglen);

/*
 * 0 when p holds a name safe to use in a directory: 1 .. E2E_NAME_MAX
 * bytes of A-Z a-z 0-9 . _ -, not starting with '.'; else -1.
 */
int e2e_name_check(const uint8_t *p, size_t len);

/*
 * Parses the upload's first block "upload NAME SIZE" (SIZE decimal, no
 * sign, no leading zero, at most max).  name receives the NUL-terminated
 * name.  Returns 0, or -1 for anything else, a bad name included.
 */
int e2e_upload_parse(const uint8_t *p, size_t len, uint64_t max,
    char name[E2E_NAME_MAX + 1], uint64_t *size);

/*
 * What the tracing side knows of an e2e frame beyond its bytes
 * (lib/e2etrace.c): which service, which side, and the plaintext under
 * the block, which every side holds (the client seals its blocks to the
 * server key and opens the relay's with the shared client key; the relay
 * opens the clients' blocks with the server key and seals its own).
 */
struct e2e_seen {
	int upload; /* a frame of the e2e-upload service (else e2e's) */
	int server; /* the tracing side is the relay (else a client) */
	int first; /* upload, client to server: the first block, the header */
	const uint8_t *text; /* the plaintext; NULL: the block did not open */
	size_t len;
};

/*
 * Names the fields of one frame (fr->buf: the 4-byte length, then the
 * block; fr->dir set) as docs/e2e.md's "Fields on the wire" does, and
 * sets fr->step.  The plaintext fields point into s->text, which must
 * outlive the frame.  A frame that is not one 256-byte block is marked
 * malformed.
 */
void e2e_trace(struct trace_frame *fr, const struct e2e_seen *s);

#endif
