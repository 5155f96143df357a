/*
 * csr: pk-keygen csr, a PKCS#10 request for the key with the -subj name,
 * byte for byte what `openssl req -new -key KEY -subj NAME` writes (with
 * --pss: signed with RSASSA-PSS, as -sigopt rsa_padding_mode:pss).
 */
#include "keygen.h"

void
mode_csr(const struct opts *o)
{
	struct key_rsa *k = xkey();
	uint8_t name[X509_NAME_MAX], der[X509_DER_MAX];
	size_t namelen, n;
	int rv;

	subject_der(o->subj, name, sizeof(name), &namelen);
	read_private(o->in, &o->pass, k);
	if ((rv = x509_csr_write(
		 k, name, namelen, o->pss, der, sizeof(der), &n)) != X509_OK)
		die(2, "%s: %s", o->in, x509_strerror(rv));
	write_x509(o, der, n, 1);
	secrets_wipe();
}
