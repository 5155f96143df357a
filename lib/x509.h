/*
 * x509: PKCS#10 certification requests and X.509 v3 certificates with RSA
 * keys, as openssl req/x509/verify make and read them: a strict, bounded
 * DER reader (lengths, tags, nesting depth, nothing past the end) and a
 * writer on lib/der.  Signatures are sha256WithRSAEncryption or RSASSA-PSS
 * (SHA-256, MGF1-SHA-256, 32-byte salt); the reader also checks
 * sha1/384/512WithRSAEncryption.  Functions return 0 or an X509_E* code
 * (< 0); x509_strerror names it.  Nothing here prints or exits.
 */
#ifndef PK_X509_H
#define PK_X509_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include <nettle/rsa.h>

#include "key.h"

#define X509_DER_MAX (16 * 1024) /* largest request or certificate */
#define X509_PEM_MAX (24 * 1024) /* ... as PEM */
#define X509_CN_MAX 64 /* ub-common-name (RFC 5280) */
#define X509_NAME_MAX 1024 /* largest Name DER written or kept */
#define X509_SERIAL_MAX 20 /* octets (RFC 5280 4.1.2.2) */

enum x509_err {
	X509_OK = 0,
	X509_EFORMAT = -1, /* not PEM/DER, bad ASN.1, too deep, trailing */
	X509_EUNSUPPORTED = -2, /* a key or signature algorithm we lack */
	X509_ESIG = -3, /* the signature does not verify */
	X509_ESPACE = -4, /* the output buffer is too small */
	X509_ENAME = -5, /* a bad -subj, or no usable CN */
	X509_EISSUER = -6, /* issuer is not the CA's subject */
	X509_ENOTCA = -7, /* the issuer is not a CA certificate */
	X509_ETIME = -8, /* not yet valid, or expired */
	X509_ETOOBIG = -9, /* a key over key.h's KEY_RSA_BITS_MAX, ... */
};

const char *x509_strerror(int err);

/* A Name: its DER (pointing into the parsed input) and its CN as text. */
struct x509_name {
	const uint8_t *der;
	size_t derlen;
	char cn[X509_CN_MAX + 1]; /* "" when the Name has no CN */
};

/*
 * "/CN=alice/O=Org/C=NL" (openssl's -subj form; keys CN, O, OU, C, ST,
 * L; "\/" escapes a slash) as Name DER.  X509_ENAME when malformed or
 * when there is no CN.
 */
int x509_name_from_subj(
    const char *subj, uint8_t *out, size_t max, size_t *len);

/*
 * Nonzero when a CN is safe as a user name and a file name: 1 to
 * X509_CN_MAX bytes of [A-Za-z0-9._-], not starting with '.' or '-'.
 */
int x509_cn_safe(const char *cn);

/* A parsed request; pointers point into the input, which must outlive it. */
struct x509_csr {
	struct x509_name subject;
	const uint8_t *spki; /* SubjectPublicKeyInfo DER */
	size_t spkilen;
	struct rsa_public_key pub;
};

/*
 * Parses a CertificationRequest (DER) and checks its signature with its
 * own key (proof of possession).  Clear c in every case.
 */
int x509_csr_parse(struct x509_csr *c, const uint8_t *der, size_t len);
void x509_csr_clear(struct x509_csr *c);

/* A request for k's public key with the subject name (Name DER). */
int x509_csr_write(const struct key_rsa *k, const uint8_t *name, size_t namelen,
    int pss, uint8_t *out, size_t max, size_t *len);

/* A parsed certificate; pointers point into the input. */
struct x509_cert {
	const uint8_t *tbs; /* TBSCertificate DER, what is signed */
	size_t tbslen;
	uint8_t serial[X509_SERIAL_MAX];
	size_t seriallen;
	struct x509_name issuer;
	struct x509_name subject;
	time_t not_before;
	time_t not_after;
	const uint8_t *spki;
	size_t spkilen;
	struct rsa_public_key pub;
	int is_ca; /* basicConstraints cA TRUE */
	int pss; /* signed with RSASSA-PSS */
	const uint8_t *sigalg; /* signatureAlgorithm DER (outer) */
	size_t sigalglen;
	const uint8_t *sig; /* the signature bits */
	size_t siglen;
	int cert_sign; /* keyUsage absent or with keyCertSign */
};

/* Parses a Certificate (DER) without checking it.  Clear c in every case. */
int x509_cert_parse(struct x509_cert *c, const uint8_t *der, size_t len);
void x509_cert_clear(struct x509_cert *c);

/*
 * Checks c against its issuer: issuer's subject equals c's issuer
 * (X509_EISSUER), issuer is a CA (X509_ENOTCA), c's signature under the
 * issuer's key (X509_ESIG), and now within both validity periods
 * (X509_ETIME).  A self-signed root is checked with issuer == c.
 */
int x509_cert_verify(
    const struct x509_cert *c, const struct x509_cert *issuer, time_t now);

/* What x509_cert_write signs. */
struct x509_issue {
	const uint8_t *issuer; /* Name DER: the CA's subject */
	size_t issuerlen;
	const uint8_t *subject; /* Name DER */
	size_t subjectlen;
	const uint8_t *spki; /* the subject's SubjectPublicKeyInfo DER */
	size_t spkilen;
	const uint8_t *serial; /* positive, 1 to X509_SERIAL_MAX octets */
	size_t seriallen;
	time_t not_before;
	unsigned days; /* not_after = not_before + days */
	int ca; /* CA:TRUE, keyCertSign|cRLSign; else CA:FALSE,
		   digitalSignature|keyEncipherment */
	int pss; /* RSASSA-PSS instead of sha256WithRSAEncryption */
};

#define X509_SERIAL_RANDOM 16 /* octets of a serial x509_serial makes */

/*
 * A random positive serial with no leading zero octet, as openssl makes
 * them.  Returns 0, or -1 with errno set (getrandom).
 */
int x509_serial(uint8_t s[X509_SERIAL_RANDOM]);
/*
 * Fills is's issuer from the CA's certificate, and its subject and key
 * from the request; the pointers point into ca and req.
 */
void x509_issue_request(struct x509_issue *is, const struct x509_cert *ca,
    const struct x509_csr *req);

/* An X.509 v3 certificate signed by signer (a private key). */
int x509_cert_write(const struct x509_issue *is, const struct key_rsa *signer,
    uint8_t *out, size_t max, size_t *len);

/*
 * Reads PEM ("CERTIFICATE", or "CERTIFICATE REQUEST" / "NEW CERTIFICATE
 * REQUEST" when csr) or DER from text into out (X509_DER_MAX bytes).
 */
int x509_der_from_text(const uint8_t *text, size_t len, int csr, uint8_t *out,
    size_t max, size_t *outlen);
/* As PEM ("CERTIFICATE" or "CERTIFICATE REQUEST"). */
int x509_pem_write(const uint8_t *der, size_t len, int csr, uint8_t *out,
    size_t max, size_t *outlen);

#endif
