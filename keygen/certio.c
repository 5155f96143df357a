/*
 * certio: what csr, selfsign, sign and verify share: the private key that
 * signs, the -subj name, requests and certificates read from PEM or DER
 * files, and PEM written to -o or stdout.
 */
#include <errno.h>
#include <unistd.h>

#include "io.h"
#include "keygen.h"

void
read_private(const char *path, const struct secret_src *src, struct key_rsa *k)
{
	int rv;

	read_key(path, src, k);
	if ((rv = key_require_private(k)) != KEY_OK)
		die(2, "%s: %s", path, key_strerror(rv));
}

void
subject_der(const char *subj, uint8_t *out, size_t max, size_t *len)
{
	int rv;

	if ((rv = x509_name_from_subj(subj, out, max, len)) != X509_OK)
		die(2, "-subj %s: %s", subj, x509_strerror(rv));
}

void
read_x509(const char *path, int csr, uint8_t *der, size_t *len)
{
	uint8_t text[X509_PEM_MAX];
	size_t n;

	if (io_readfile(path, text, sizeof(text), &n) == -1)
		die_errno(2, "%s", path);
	if (x509_der_from_text(text, n, csr, der, X509_DER_MAX, len) != X509_OK)
		die(2, "%s: not a %s (PEM or DER)", path,
		    csr ? "certificate request" : "certificate");
}

/* Checked and rejected (1) or could not be read (2). */
int
x509_exit(int err)
{
	return err == X509_ESIG || err == X509_EISSUER || err == X509_ENOTCA ||
		err == X509_ETIME
	    ? 1
	    : 2;
}

void
write_x509(const struct opts *o, const uint8_t *der, size_t len, int csr)
{
	uint8_t pem[X509_PEM_MAX];
	size_t n;

	if (x509_pem_write(der, len, csr, pem, sizeof(pem), &n) != X509_OK)
		die(2, "%s", x509_strerror(X509_ESPACE));
	if (o->out == NULL) {
		if (io_writeall(STDOUT_FILENO, pem, n) != (ssize_t)n)
			die_errno(2, "stdout");
	} else
		write_out(o->out, 0644, o->force ? IO_OUT_FORCE : 0, pem, n);
}
