/*
 * key_load: a key file to a parsed key, with the passphrase of an
 * encrypted one fetched from its source, every buffer wiped, or a
 * certificate to its subject's public key; and the message for each way
 * it fails, so that every tool words them alike.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "io.h"
#include "key.h"
#include "pass.h"
#include "secret.h"
#include "x509.h"

static int
parse(struct key_rsa *k, const char *path, const struct secret_src *src,
    const uint8_t *data, size_t len)
{
	char prompt[256];
	uint8_t *pw = NULL;
	size_t pwlen = 0;
	int rv, saved;

	if (src != NULL && key_is_encrypted(data, len)) {
		if ((pw = secret_alloc(SECRET_MAX)) == NULL)
			return KEY_ENOMEM;
		snprintf(prompt, sizeof(prompt), "passphrase for %s: ", path);
		if (secret_passphrase(src, prompt, pw, SECRET_MAX, &pwlen) ==
		    -1) {
			saved = errno;
			secret_free(pw, SECRET_MAX);
			errno = saved;
			return KEY_EPASSREAD;
		}
	}
	rv = key_parse(k, data, len, pw, pwlen);
	secret_free(pw, SECRET_MAX);
	return rv;
}

/* A certificate, PEM or DER: the key in its SubjectPublicKeyInfo. */
static int
parse_cert(struct key_rsa *k, const uint8_t *data, size_t len)
{
	uint8_t der[X509_DER_MAX];
	struct x509_cert c;
	size_t n;
	int rv;

	if (x509_der_from_text(data, len, 0, der, sizeof(der), &n) != X509_OK)
		return KEY_EFORMAT;
	rv = x509_cert_parse(&c, der, n);
	if (rv == X509_OK)
		rv = key_parse(k, c.spki, c.spkilen, NULL, 0);
	else
		rv = rv == X509_EUNSUPPORTED ? KEY_ENOTRSA : KEY_EFORMAT;
	x509_cert_clear(&c);
	k->from_cert = rv == KEY_OK;
	return rv;
}

int
key_load(struct key_rsa *k, const char *path, const struct secret_src *src,
    int need_private)
{
	uint8_t *data;
	size_t len;
	int rv, saved;

	if ((data = secret_alloc(KEY_FILE_MAX)) == NULL)
		return KEY_ENOMEM;
	if (io_readfile(path, data, KEY_FILE_MAX, &len) == -1) {
		saved = errno;
		secret_free(data, KEY_FILE_MAX);
		errno = saved;
		return KEY_EIO;
	}
	rv = parse(k, path, src, data, len);
	if (rv == KEY_ECERT)
		rv = parse_cert(k, data, len);
	saved = errno;
	secret_free(data, KEY_FILE_MAX);
	errno = saved;
	if (rv == KEY_OK && need_private)
		rv = key_require_private(k);
	return rv;
}

const char *
key_load_msg(int err, const char *path, const struct secret_src *src, char *msg,
    size_t n)
{
	if (err == KEY_EIO)
		snprintf(msg, n, "%s: %s", path, strerror(errno));
	else if (err == KEY_EPASSREAD)
		return pass_msg(src, path, msg, n);
	else
		snprintf(msg, n, "%s: %s", path, key_strerror(err));
	return msg;
}

int
key_load_exit(int err)
{
	return err == KEY_EPASS ? 1 : 2;
}
