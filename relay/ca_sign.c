/*
 * ca_sign: the CA itself.  Its private key is STATE/ca.key (legacy
 * encrypted PEM as the original's CA_PrivateKey.pem, passphrase from
 * $PK_CA_PASS or STATE/ca.pass) and its root certificate STATE/ca.crt
 * (pk-keygen selfsign).  A request whose signature checks becomes an
 * X.509 v3 certificate for the request's subject: random serial, issuer
 * the root's subject, CA_DAYS days, CA:FALSE, signed with
 * sha256WithRSAEncryption or, with pk-relay --pss (the service's flag),
 * RSASSA-PSS.  The
 * original signed the raw public-key PEM instead and bound no name.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "ca.h"
#include "io.h"
#include "key.h"
#include "secret.h"

/* STATE/ca.crt into ca->root; 0 or -1 after logging why. */
static int
load_root(struct relay_ctx *ctx, struct ca_authority *ca)
{
	uint8_t text[X509_PEM_MAX];
	char path[PATH_MAX];
	size_t len, derlen;
	int rv;

	if (snprintf(path, sizeof(path), "%s/ca.crt", relay_state_dir(ctx)) >=
	    (int)sizeof(path)) {
		relay_log(CA_SERVICE, "state directory path too long");
		return -1;
	}
	if (io_readfile(path, text, sizeof(text), &len) == -1) {
		relay_log(CA_SERVICE,
		    "%s: %s (make it with pk-keygen selfsign -k %s/ca.key "
		    "-subj /CN=protokit-ca -o %s)",
		    path, strerror(errno), relay_state_dir(ctx), path);
		return -1;
	}
	if ((rv = x509_der_from_text(text, len, 0, ca->rootder,
		 sizeof(ca->rootder), &derlen)) != X509_OK ||
	    (rv = x509_cert_parse(&ca->root, ca->rootder, derlen)) != X509_OK ||
	    (rv = x509_cert_verify(&ca->root, &ca->root, time(NULL))) !=
		X509_OK) {
		relay_log(CA_SERVICE, "%s: %s", path, x509_strerror(rv));
		return -1;
	}
	if (mpz_cmp(ca->root.pub.n, ca->key.pub.n) != 0 ||
	    mpz_cmp(ca->root.pub.e, ca->key.pub.e) != 0) {
		relay_log(CA_SERVICE, "%s: not the certificate of %s/ca.key",
		    path, relay_state_dir(ctx));
		return -1;
	}
	return 0;
}

int
casign_init(struct relay_ctx *ctx, struct ca_authority *ca)
{
	key_init(&ca->key);
	ca->have_key = 1;
	if (relay_service_key(ctx, CA_SERVICE, &ca->key) == -1 ||
	    load_root(ctx, ca) == -1)
		return -1;
	relay_log(CA_SERVICE, "CA %s, %zu-bit key, signing with %s",
	    ca->root.subject.cn, mpz_sizeinbase(ca->key.pub.n, 2),
	    ca->pss ? "RSASSA-PSS" : "sha256WithRSAEncryption");
	return 0;
}

void
casign_fini(struct ca_authority *ca)
{
	if (ca->have_key)
		key_clear(&ca->key);
	ca->have_key = 0;
	x509_cert_clear(&ca->root);
}

int
casign_issue(const struct ca_authority *ca, const uint8_t *req, size_t reqlen,
    char cn[CA_NAME_MAX + 1], uint8_t *der, size_t *derlen, uint8_t *out,
    size_t max, size_t *outlen, const char **why)
{
	uint8_t reqder[X509_DER_MAX], sn[X509_SERIAL_RANDOM];
	struct x509_issue is = {0};
	struct x509_csr c;
	int rv;

	*why = "certificate request";
	if ((rv = x509_der_from_text(
		 req, reqlen, 1, reqder, sizeof(reqder), derlen)) != X509_OK ||
	    (rv = x509_csr_parse(&c, reqder, *derlen)) != X509_OK)
		return rv;
	*why = "subject name";
	if (!x509_cn_safe(c.subject.cn)) {
		x509_csr_clear(&c);
		return X509_ENAME;
	}
	snprintf(cn, CA_NAME_MAX + 1, "%s", c.subject.cn);
	*why = "serial number";
	if (x509_serial(sn) == -1) {
		x509_csr_clear(&c);
		return X509_EFORMAT;
	}
	x509_issue_request(&is, &ca->root, &c);
	is.serial = sn;
	is.seriallen = sizeof(sn);
	is.not_before = time(NULL);
	is.days = CA_DAYS;
	is.pss = ca->pss;
	*why = "signing";
	rv = x509_cert_write(&is, &ca->key, der, X509_DER_MAX, derlen);
	x509_csr_clear(&c);
	if (rv == X509_OK)
		rv = x509_pem_write(der, *derlen, 0, out, max, outlen);
	return rv;
}

int
casign_check(const struct ca_authority *ca, const uint8_t *text, size_t len,
    uint8_t *der, size_t *derlen, char cn[CA_NAME_MAX + 1])
{
	struct x509_cert c;
	int rv;

	if ((rv = x509_der_from_text(
		 text, len, 0, der, X509_DER_MAX, derlen)) != X509_OK)
		return rv;
	if ((rv = x509_cert_parse(&c, der, *derlen)) == X509_OK) {
		rv = x509_cert_verify(&c, &ca->root, time(NULL));
		snprintf(cn, CA_NAME_MAX + 1, "%s", c.subject.cn);
	}
	x509_cert_clear(&c);
	return rv;
}
