/*
 * x509_pem: requests and certificates between PEM (or DER) text and DER,
 * and the names of the x509 error codes.
 */
#include <string.h>

#include "pem.h"
#include "x509_int.h"

const char *
x509_strerror(int err)
{
	switch (err) {
	case X509_OK:
		return "no error";
	case X509_EFORMAT:
		return "malformed request or certificate";
	case X509_EUNSUPPORTED:
		return "unsupported key or signature algorithm";
	case X509_ESIG:
		return "bad signature";
	case X509_ESPACE:
		return "output too large";
	case X509_ENAME:
		return "bad subject name (want /CN=name[/O=...])";
	case X509_EISSUER:
		return "issuer does not match the CA certificate";
	case X509_ENOTCA:
		return "issuer is not a CA certificate";
	case X509_ETIME:
		return "certificate not yet valid or expired";
	case X509_ETOOBIG:
		return key_strerror(KEY_ETOOBIG);
	}
	return "unknown error";
}

static int
label_ok(const struct pem *p, int csr)
{
	if (!csr)
		return pem_label_is(p, "CERTIFICATE");
	return pem_label_is(p, "CERTIFICATE REQUEST") ||
	    pem_label_is(p, "NEW CERTIFICATE REQUEST");
}

int
x509_der_from_text(const uint8_t *text, size_t len, int csr, uint8_t *out,
    size_t max, size_t *outlen)
{
	struct pem p;

	if (len > X509_PEM_MAX)
		return X509_EFORMAT;
	if (!pem_present(text, len)) {
		/* DER: one SEQUENCE, checked in full by the parsers. */
		if (len < 2 || text[0] != DER_SEQUENCE || len > max ||
		    len > X509_DER_MAX)
			return X509_EFORMAT;
		memcpy(out, text, len);
		*outlen = len;
		return X509_OK;
	}
	if (pem_parse(text, len, &p) == -1 || p.encrypted || !label_ok(&p, csr))
		return X509_EFORMAT;
	if (max > X509_DER_MAX)
		max = X509_DER_MAX;
	return pem_decode(&p, out, max, outlen) == 0 ? X509_OK : X509_EFORMAT;
}

int
x509_pem_write(const uint8_t *der, size_t len, int csr, uint8_t *out,
    size_t max, size_t *outlen)
{
	const char *label = csr ? "CERTIFICATE REQUEST" : "CERTIFICATE";

	return pem_encode(label, NULL, der, len, out, max, outlen) == 0
	    ? X509_OK
	    : X509_ESPACE;
}
