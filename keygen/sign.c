/*
 * sign: pk-keygen sign issues a certificate for a request as `openssl x509
 * -req -CA -CAkey` does (the request's signature checked first, CA:FALSE);
 * pk-keygen verify checks a certificate against its CA certificate as
 * `openssl verify -CAfile` does for a chain of two.
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "keygen.h"

/* A certificate file, parsed; dies 2 when it does not parse. */
static void
read_cert(const char *path, uint8_t *der, struct x509_cert *c)
{
	size_t n;
	int rv;

	read_x509(path, 0, der, &n);
	if ((rv = x509_cert_parse(c, der, n)) != X509_OK) {
		x509_cert_clear(c);
		die(2, "%s: %s", path, x509_strerror(rv));
	}
}

void
mode_sign(const struct opts *o)
{
	struct key_rsa *k = xkey();
	struct x509_issue is = {.ca = 0};
	struct x509_cert ca;
	struct x509_csr req;
	uint8_t cader[X509_DER_MAX], reqder[X509_DER_MAX];
	size_t n;
	int rv;

	read_cert(o->ca, cader, &ca);
	if (!ca.is_ca || !ca.cert_sign)
		die(2, "%s: %s", o->ca, x509_strerror(X509_ENOTCA));
	read_private(o->cakey, &o->pass, k);
	if (mpz_cmp(k->pub.n, ca.pub.n) != 0 || mpz_cmp(k->pub.e, ca.pub.e))
		die(2, "%s: not the key of %s", o->cakey, o->ca);
	read_x509(o->in, 1, reqder, &n);
	if ((rv = x509_csr_parse(&req, reqder, n)) != X509_OK)
		die(x509_exit(rv), "%s: %s", o->in, x509_strerror(rv));
	x509_issue_request(&is, &ca, &req);
	issue(&is, k, o);
	x509_csr_clear(&req);
	x509_cert_clear(&ca);
	secrets_wipe();
}

void
mode_verify(const struct opts *o)
{
	struct x509_cert ca, c;
	uint8_t cader[X509_DER_MAX], der[X509_DER_MAX];
	time_t now = time(NULL);
	int rv = X509_OK;

	read_cert(o->ca, cader, &ca);
	read_cert(o->in, der, &c);
	/* A self-signed CA certificate is checked too, as a trust anchor. */
	if (ca.issuer.derlen == ca.subject.derlen &&
	    memcmp(ca.issuer.der, ca.subject.der, ca.subject.derlen) == 0 &&
	    (rv = x509_cert_verify(&ca, &ca, now)) != X509_OK)
		die(x509_exit(rv), "%s: %s", o->ca, x509_strerror(rv));
	if ((rv = x509_cert_verify(&c, &ca, now)) != X509_OK)
		die(x509_exit(rv), "%s: %s", o->in, x509_strerror(rv));
	x509_cert_clear(&c);
	x509_cert_clear(&ca);
	if (printf("%s: OK\n", o->in) < 0 || fflush(stdout) == EOF)
		die_errno(2, "stdout");
}
