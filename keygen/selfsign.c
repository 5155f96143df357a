/*
 * selfsign: pk-keygen selfsign, the CA's root certificate: the -subj name
 * as issuer and subject, CA:TRUE, signed by its own key.  issue() is the
 * part sign shares: a random serial, validity from now, PEM out.
 */
#include <time.h>

#include "keygen.h"

void
issue(struct x509_issue *is, const struct key_rsa *signer, const struct opts *o)
{
	uint8_t serial[X509_SERIAL_RANDOM], der[X509_DER_MAX];
	size_t n;
	int rv;

	if (x509_serial(serial) == -1)
		die_errno(2, "getrandom");
	is->serial = serial;
	is->seriallen = sizeof(serial);
	is->not_before = time(NULL);
	is->days = o->days;
	is->pss = o->pss;
	if ((rv = x509_cert_write(is, signer, der, sizeof(der), &n)) != X509_OK)
		die(2, "cannot issue the certificate: %s", x509_strerror(rv));
	write_x509(o, der, n, 0);
}

void
mode_selfsign(const struct opts *o)
{
	struct key_rsa *k = xkey();
	struct x509_issue is = {.ca = 1};
	uint8_t name[X509_NAME_MAX], spki[KEY_DER_MAX];
	size_t namelen, n;

	subject_der(o->subj, name, sizeof(name), &namelen);
	read_private(o->in, &o->pass, k);
	if (key_spki_der(k, spki, sizeof(spki), &n) != KEY_OK)
		die(2, "%s: %s", o->in, key_strerror(KEY_ESPACE));
	is.issuer = is.subject = name;
	is.issuerlen = is.subjectlen = namelen;
	is.spki = spki;
	is.spkilen = n;
	issue(&is, k, o);
	secrets_wipe();
}
