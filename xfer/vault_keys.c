/*
 * vault_keys: the vault client's RSA key, from me.info or made here
 * (RSA-1024, e = 17, so that its SPKI DER is the 160 bytes the protocol
 * carries); saved as base64 PKCS#8 DER in me.info and priv.key; and used to
 * unwrap the AES key the server sends with RSA-OAEP-SHA1.  A key from a
 * file (pubkey -k) is loaded by files.c.
 */
#include <err.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <nettle/sha1.h>

#include "files.h"
#include "io.h"
#include "oaep.h"
#include "rand.h"
#include "secret.h"
#include "secrets.h"
#include "vault.h"

#define VAULT_BITS 1024
#define VAULT_E 17

int
vault_key_me(struct key_rsa *k, int need)
{
	uint8_t *der;
	size_t len;
	int rv;

	if ((der = secret_alloc(KEY_DER_MAX)) == NULL)
		err(2, NULL);
	if ((len = me_read_key(der, KEY_DER_MAX)) == 0) {
		secret_free(der, KEY_DER_MAX);
		if (need)
			errx(
			    2, "me.info: no base64 private key from line 3 on");
		return 0;
	}
	xfer_key_hold(k);
	rv = key_parse(k, der, len, NULL, 0);
	secret_free(der, KEY_DER_MAX);
	if (rv == KEY_OK)
		rv = key_require_private(k);
	if (rv != KEY_OK)
		xfer_key_die(rv, "me.info", NULL);
	return 1;
}

void
vault_key_new(struct key_rsa *k)
{
	xfer_key_hold(k);
	mpz_set_ui(k->pub.e, VAULT_E);
	if (!rsa_generate_keypair(&k->pub, &k->priv, NULL, rand_nettle, NULL,
		NULL, VAULT_BITS, 0)) {
		secrets_wipe();
		errx(2, "RSA key generation failed");
	}
	k->has_private = 1;
}

void
vault_key_spki(
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
vault_key_save(const struct key_rsa *k, const struct vault_me *m)
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
vault_key_unwrap(
    const struct key_rsa *k, const uint8_t *wrapped, uint8_t aes[32])
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
