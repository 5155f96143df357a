/*
 * pem: the RFC 7468 text armour around DER ("-----BEGIN label-----", base64,
 * "-----END label-----"), with the RFC 1421 headers that OpenSSL's legacy
 * key encryption puts before the body (Proc-Type, DEK-Info).
 */
#ifndef PK_PEM_H
#define PK_PEM_H

#include <stddef.h>
#include <stdint.h>

#define PEM_LINE 64 /* base64 characters per line written */

/* One armoured block; the pointers point into the parsed text. */
struct pem {
	const char *label;
	size_t labellen;
	int encrypted; /* "Proc-Type: 4,ENCRYPTED" */
	const char *dekinfo; /* value of "DEK-Info:", or NULL */
	size_t dekinfolen;
	const char *body; /* the base64 lines */
	size_t bodylen;
};

/* Nonzero when text holds a "-----BEGIN " line. */
int pem_present(const uint8_t *text, size_t len);
/*
 * Finds the first block and checks its END line and headers; the body is
 * not decoded.  Returns 0, or -1 with errno EINVAL.
 */
int pem_parse(const uint8_t *text, size_t len, struct pem *p);
/*
 * Decodes the body into out (at most max bytes) and sets *outlen.
 * Returns 0, or -1 with errno EINVAL (bad base64) or EOVERFLOW.
 */
int pem_decode(const struct pem *p, uint8_t *out, size_t max, size_t *outlen);
/* Nonzero when the block's label is label. */
int pem_label_is(const struct pem *p, const char *label);
/*
 * Writes der as a block with 64-column lines; headers (lines ending in
 * "\n", or NULL) go before a blank line.  Returns 0, or -1 with errno
 * EOVERFLOW if out is smaller than the text.
 */
int pem_encode(const char *label, const char *headers, const uint8_t *der,
    size_t derlen, uint8_t *out, size_t max, size_t *outlen);

#endif
