/*
 * x509_verify: one link of a chain, as openssl verify checks it: the
 * issuer's name, its right to sign certificates, the signature, and both
 * validity periods.
 */
#include <string.h>

#include "x509_int.h"

static int
valid_at(const struct x509_cert *c, time_t now)
{
	return now >= c->not_before && now <= c->not_after;
}

int
x509_cert_verify(
    const struct x509_cert *c, const struct x509_cert *issuer, time_t now)
{
	int rv;

	if (c->issuer.derlen != issuer->subject.derlen ||
	    memcmp(c->issuer.der, issuer->subject.der, c->issuer.derlen) != 0)
		return X509_EISSUER;
	if (!issuer->is_ca || !issuer->cert_sign)
		return X509_ENOTCA;
	if ((rv = x509_sig_check(&issuer->pub, c->sigalg, c->sigalglen, c->tbs,
		 c->tbslen, c->sig, c->siglen)) != X509_OK)
		return rv;
	if (!valid_at(c, now) || !valid_at(issuer, now))
		return X509_ETIME;
	return X509_OK;
}
