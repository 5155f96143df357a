/*
 * der: the DER pieces the key formats need on top of Nettle's ASN.1
 * iterator (nettle/asn1.h), and a small writer that fills a buffer from the
 * end, so that every length is known before its header is written.
 */
#ifndef PK_DER_H
#define PK_DER_H

#include <stddef.h>
#include <stdint.h>

#include <gmp.h>
#include <nettle/asn1.h>

/* Identifier octets the writer emits. */
#define DER_INTEGER 0x02
#define DER_BITSTRING 0x03
#define DER_OCTETSTRING 0x04
#define DER_NULL 0x05
#define DER_OID 0x06
#define DER_SEQUENCE 0x30

/* An AlgorithmIdentifier: the OID's content octets and the parameters. */
struct der_algid {
	const uint8_t *oid;
	size_t oidlen;
	int has_params;
	struct asn1_der_iterator params; /* at the parameters */
};

/* der is exactly one SEQUENCE: puts i at its first element (or -1). */
int der_open(struct asn1_der_iterator *i, const uint8_t *der, size_t len);
/*
 * Steps i to its next element and checks its type; returns 0, or -1 if
 * there is none or it has another type.
 */
int der_next(struct asn1_der_iterator *i, enum asn1_type type);
/*
 * i is at a constructed element of the given type: sets in to its
 * contents, at the first one.  Returns 0, or -1 (wrong type, empty).
 */
int der_enter(struct asn1_der_iterator *i, enum asn1_type type,
    struct asn1_der_iterator *in);
/* i is at the last element of its level (or -1). */
int der_end(struct asn1_der_iterator *i);
/*
 * A non-negative INTEGER below 2^32.  (Nettle 3.8's asn1_der_get_uint32
 * tests the last octet for the sign and so refuses 1000 and 2048.)
 */
int der_get_uint32(const struct asn1_der_iterator *i, uint32_t *x);
/* i is at an AlgorithmIdentifier SEQUENCE; fills a.  Returns 0 or -1. */
int der_get_algid(struct asn1_der_iterator *i, struct der_algid *a);
/* Nonzero when the OID of a is oid (content octets, n bytes). */
int der_oid_is(const struct der_algid *a, const uint8_t *oid, size_t n);
/* Parameters absent or NULL, as RSA and the HMAC PRFs have them. */
int der_params_null(const struct der_algid *a);

/*
 * The writer.  Elements are written last to first: write a constructed
 * element's contents, then der_wrap with the length mark taken before
 * them.  An overflow is remembered and reported by der_out_finish.
 */
struct der_out {
	uint8_t *buf;
	size_t max;
	size_t len; /* bytes in use, ending at buf + max */
	int overflow;
};

void der_out_init(struct der_out *d, uint8_t *buf, size_t max);
/* Room for n bytes in front of what is written; NULL on overflow. */
uint8_t *der_reserve(struct der_out *d, size_t n);
void der_put_raw(struct der_out *d, const uint8_t *p, size_t n);
void der_put(struct der_out *d, uint8_t tag, const uint8_t *p, size_t n);
/* Writes a header for everything written since mark (a d->len value). */
void der_wrap(struct der_out *d, uint8_t tag, size_t mark);
/* A non-negative INTEGER. */
void der_put_mpz(struct der_out *d, const mpz_t x);
void der_put_uint(struct der_out *d, unsigned long v);
/* AlgorithmIdentifier: the OID, then NULL parameters if null_params. */
void der_put_algid(
    struct der_out *d, const uint8_t *oid, size_t n, int null_params);
/*
 * Moves the result to the start of buf and sets *len; -1 if it did not
 * fit.  The rest of buf may still hold copies: wipe all max bytes.
 */
int der_out_finish(struct der_out *d, size_t *len);

#endif
