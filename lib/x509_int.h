/*
 * x509_int: what the lib/x509*.c files share and nothing else includes: a
 * strict DER reader (x509_der.c), Name reading (x509_name.c), the signed
 * envelope, its signature algorithms and RSA signatures (x509_sign.c).
 */
#ifndef PK_X509_INT_H
#define PK_X509_INT_H

#include <stddef.h>
#include <stdint.h>

#include <nettle/rsa.h>

#include "der.h"
#include "key.h"
#include "x509.h"

#define X509_DEPTH_MAX 16 /* nesting of constructed elements */

/* Identifier octets beyond those of der.h. */
#define X509_BOOLEAN 0x01
#define X509_UTF8STRING 0x0c
#define X509_PRINTABLESTRING 0x13
#define X509_T61STRING 0x14
#define X509_IA5STRING 0x16
#define X509_UTCTIME 0x17
#define X509_GENTIME 0x18
#define X509_SET 0x31
#define X509_CTX(n) (0xa0 | (n)) /* [n], constructed */

/* The elements left to read at one level. */
struct x509_rd {
	const uint8_t *p;
	size_t left;
};

/* One element: identifier octet, contents, and the whole encoding. */
struct x509_tlv {
	uint8_t tag;
	const uint8_t *data;
	size_t len;
	const uint8_t *tlv;
	size_t tlvlen;
};

void x509_rd_init(struct x509_rd *r, const uint8_t *p, size_t len);
/* The next element (definite, minimal length); -1 if malformed or none. */
int x509_rd_get(struct x509_rd *r, struct x509_tlv *t);
/* The next element, which must have the identifier tag. */
int x509_rd_expect(struct x509_rd *r, uint8_t tag, struct x509_tlv *t);
/* The identifier of the next element, or -1 when none is left. */
int x509_rd_peek(const struct x509_rd *r);
/* Reads the contents of t: x509_rd_expect(..., tag, t) then x509_rd_init. */
int x509_rd_enter(struct x509_rd *r, uint8_t tag, struct x509_rd *in);
/* 0 when der is exactly one element, well-formed to X509_DEPTH_MAX. */
int x509_der_check(const uint8_t *der, size_t len);

/* x509_name.c: a Name at r into n (cn "" if none), X509_OK or error. */
int x509_name_read(struct x509_rd *r, struct x509_name *n);

/* x509_read.c: a SubjectPublicKeyInfo at r: its span and the RSA key. */
int x509_spki_read(struct x509_rd *r, const uint8_t **spki, size_t *len,
    struct rsa_public_key *pub);

/*
 * x509_sign.c.  A SIGNED{} envelope: SEQUENCE { tbs, AlgorithmIdentifier,
 * BIT STRING }.  x509_signed_open splits der into its parts (der must be
 * exactly that); x509_signed_write signs tbs with k and writes the whole.
 */
struct x509_signed {
	struct x509_tlv tbs;
	struct x509_tlv alg;
	const uint8_t *sig;
	size_t siglen;
};

int x509_signed_open(struct x509_signed *s, const uint8_t *der, size_t len);
int x509_signed_write(const uint8_t *tbs, size_t tbslen,
    const struct key_rsa *k, int pss, uint8_t *out, size_t max, size_t *len);
/* The AlgorithmIdentifier written for pss or sha256WithRSAEncryption. */
void x509_put_sigalg(struct der_out *d, int pss);
/* Nonzero when the AlgorithmIdentifier alg (whole DER) is RSASSA-PSS. */
int x509_sigalg_is_pss(const uint8_t *alg, size_t len);
/* Checks sig over data with pub under alg (whole DER): X509_OK or error. */
int x509_sig_check(const struct rsa_public_key *pub, const uint8_t *alg,
    size_t alglen, const uint8_t *data, size_t len, const uint8_t *sig,
    size_t siglen);

#endif
