/*
 * keys: the client's RSA key.  Loaded from a file with lib/key (asking
 * for the passphrase of an encrypted one), from me.info, or made here
 * (RSA-1024, e = 17, so that its SPKI DER is the 160 bytes the protocol
 * carries); saved as base64 PKCS#8 DER in me.info and priv.key; and used to
 * unwrap the AES key the server sends with RSA-OAEP-SHA1.
 */
#include <err.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <nettle/sha1.h>

#include "io.h"
#include "oaep.h"
#include "rand.h"
#include "secret.h"
#include "xfer.h"

#define VAULT_BITS 1024
#define VAULT_E 17

/* The one key in use, so that key_release wipes it on any exit. */
static struct key_rsa *held;

void
key_release(void)
{
	if (held != NULL)
		key_clear(held);
	held = NULL;
}

static void
hold(struct key_rsa *k)
{
	key_release();
	key_init(k);
	held = k;
}

/* Fills pw from the source the user chose, else the terminal. */
static int
get_pass(
    const char *path, const struct xfer_pass *pass, uint8_t *pw, size_t *len)
{
	char prompt[256];

	if (pass->file != NULL)
		return secret_from_file(pass->file, pw, SECRET_MAX, len);
	if (pass->fd != -1)
		return secret_from_fd(pass->fd, pw, SECRET_MAX, len);
	if (pass->env != NULL)
		return secret_from_env(pass->env, pw, SECRET_MAX, len);
	snprintf(prompt, sizeof(prompt), "passphrase for %s: ", path);
	return secret_from_tty(prompt, pw, SECRET_MAX, len);
}

/* Parses buf (wiped by the caller) as a private key, or dies. */
static void
parse_private(struct key_rsa *k, const char *path, const uint8_t *buf,
    size_t len, const struct xfer_pass *pass)
{
	uint8_t *pw = NULL;
	size_t pwlen = 0;
	int rv = KEY_OK, saved;

	if (pass != NULL && key_is_encrypted(buf, len)) {
		if ((pw = secret_alloc(SECRET_MAX)) == NULL)
			err(2, NULL);
		if (get_pass(path, pass, pw, &pwlen) == -1) {
			saved = errno;
			secret_free(pw, SECRET_MAX);
			if (saved == ENOTTY)
				errx(2,
				    "%s: key is encrypted: use --pass-file, "
				    "--pass-fd or --pass-env",
				    path);
			errno = saved;
			err(2, "%s: passphrase", path);
		}
		if ((pwlen = secret_chomp(pw, pwlen)) == 0)
			rv = KEY_EPASS;
	}
	hold(k);
	if (rv == KEY_OK)
		rv = key_parse(k, buf, len, pw, pwlen);
	secret_free(pw, SECRET_MAX);
	if (rv == KEY_OK && !k->has_private)
		rv = KEY_ENOTPRIVATE;
	if (rv != KEY_OK) {
		key_release();
		errx(rv == KEY_EPASS ? 1 : 2, "%s: %s", path, key_strerror(rv));
	}
}

void
key_load_file(struct key_rsa *k, const char *path, const struct xfer_pass *pass)
{
	uint8_t *buf;
	size_t len;
	int saved;

	if ((buf = secret_alloc(KEY_FILE_MAX)) == NULL)
		err(2, NULL);
	if (io_readfile(path, buf, KEY_FILE_MAX, &len) == -1) {
		saved = errno;
		secret_free(buf, KEY_FILE_MAX);
		errno = saved;
		err(2, "%s", path);
	}
	parse_private(k, path, buf, len, pass);
	secret_free(buf, KEY_FILE_MAX);
}

void
key_load_me(struct key_rsa *k)
{
	uint8_t *der;
	size_t len;

	if ((der = secret_alloc(KEY_DER_MAX)) == NULL)
		err(2, NULL);
	len = me_read_key(der, KEY_DER_MAX);
	parse_private(k, "me.info", der, len, NULL);
	secret_free(der, KEY_DER_MAX);
}

void
key_generate(struct key_rsa *k)
{
	hold(k);
	mpz_set_ui(k->pub.e, VAULT_E);
	if (!rsa_generate_keypair(&k->pub, &k->priv, NULL, rand_nettle, NULL,
		NULL, VAULT_BITS, 0)) {
		key_release();
		errx(2, "RSA key generation failed");
	}
	k->has_private = 1;
}

void
key_vault_spki(
    const struct key_rsa *k, const char *path, uint8_t spki[VAULT_PUBKEY])
{
	uint8_t der[KEY_DER_MAX];
	size_t len;
	int rv;

	if ((rv = key_spki_der(k, der, sizeof(der), &len)) != KEY_OK)
		errx(2, "%s: %s", path, key_strerror(rv));
	if (len != VAULT_PUBKEY || mpz_sizeinbase(k->pub.n, 2) != VAULT_BITS)
		errx(2,
		    "%s: RSA-%zu gives a %zu-byte public key; the vault "
		    "carries %d bytes: use RSA-1024 with e = 17 (pk-keygen rsa "
		    "-b 1024 -e 17)",
		    path, mpz_sizeinbase(k->pub.n, 2), len, VAULT_PUBKEY);
	memcpy(spki, der, VAULT_PUBKEY);
}

void
key_save(const struct key_rsa *k, const struct xfer_me *m)
{
	uint8_t *der;
	size_t len;
	int rv;

	if ((der = secret_alloc(KEY_DER_MAX)) == NULL)
		err(2, NULL);
	if ((rv = key_pkcs8_der(k, der, KEY_DER_MAX, &len)) != KEY_OK) {
		secret_free(der, KEY_DER_MAX);
		errx(2, "private key: %s", key_strerror(rv));
	}
	me_write(m, der, len);
	privkey_write(der, len);
	secret_free(der, KEY_DER_MAX);
}

void
key_unwrap(const struct key_rsa *k, const uint8_t *wrapped, uint8_t aes[32])
{
	uint8_t m[VAULT_WRAPPED];
	size_t len = 0;
	int rv;

	rv = oaep_decrypt(&k->pub, &k->priv, &nettle_sha1, NULL, 0, NULL,
	    rand_nettle, VAULT_WRAPPED, wrapped, &len, m);
	if (rv == 0 && len == 32)
		memcpy(aes, m, 32);
	secret_wipe(m, sizeof(m));
	if (rv == -1 && errno == ENOMEM)
		err(2, NULL);
	if (rv == -1 || len != 32)
		errx(1,
		    "the wrapped AES key does not open with our private "
		    "key");
}
