/*
 * x509_fuzz: the request and certificate readers on any input.  The bytes
 * go to x509_der_from_text (PEM or DER), x509_csr_parse and
 * x509_cert_parse; a certificate that parses is checked against itself
 * (x509_cert_verify); and, as a NUL-terminated string, to
 * x509_name_from_subj, whose output must read back with the same CN.
 * Seeds: fuzz/seeds-x509 (requests and certificates of pk-keygen and
 * openssl, PKCS#1 v1.5 and PSS).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "secret.h"
#include "x509.h"
#include "x509_int.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	secret_gmp_init();
	return 0;
}

static void
parse(const uint8_t *der, size_t len)
{
	struct x509_csr req;
	struct x509_cert c;

	if (x509_csr_parse(&req, der, len) == X509_OK &&
	    (req.spkilen == 0 || strlen(req.subject.cn) > X509_CN_MAX))
		abort();
	x509_csr_clear(&req);
	if (x509_cert_parse(&c, der, len) == X509_OK) {
		(void)x509_cert_verify(&c, &c, c.not_before);
		if (c.seriallen > X509_SERIAL_MAX || c.tbs < der ||
		    c.tbs + c.tbslen > der + len)
			abort();
	}
	x509_cert_clear(&c);
}

/* A -subj that converts must read back as a Name with a CN. */
static void
subject(const uint8_t *data, size_t size)
{
	char subj[512];
	uint8_t der[X509_NAME_MAX];
	struct x509_name n;
	struct x509_rd r;
	size_t len;

	if (size >= sizeof(subj))
		return;
	memcpy(subj, data, size);
	subj[size] = '\0';
	if (x509_name_from_subj(subj, der, sizeof(der), &len) != X509_OK)
		return;
	x509_rd_init(&r, der, len);
	if (x509_name_read(&r, &n) != X509_OK || r.left != 0 || n.cn[0] == '\0')
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static uint8_t der[X509_DER_MAX];
	size_t len;
	int csr;

	parse(data, size);
	for (csr = 0; csr <= 1; csr++)
		if (x509_der_from_text(
			data, size, csr, der, sizeof(der), &len) == X509_OK)
			parse(der, len);
	subject(data, size);
	return 0;
}
