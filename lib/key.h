/*
 * key: RSA keys in every form openssl writes (PKCS#1, PKCS#8, encrypted
 * PKCS#8 PBES2, legacy "Proc-Type: 4,ENCRYPTED" PEM, SPKI; PEM or DER), and
 * the writers pk-keygen needs.  Functions return 0 or a KEY_E* code (< 0);
 * key_strerror names it.  Nothing here prints or exits.
 */
#ifndef PK_KEY_H
#define PK_KEY_H

#include <stddef.h>
#include <stdint.h>

#include <nettle/rsa.h>

#define KEY_FILE_MAX (64 * 1024)	/* largest key file accepted */

enum key_err {
	KEY_OK = 0,
	KEY_EFORMAT = -1,	/* not PEM/DER, bad base64, bad ASN.1 */
	KEY_ENOTRSA = -2,	/* well-formed but not an RSA key */
	KEY_ENEEDPASS = -3,	/* encrypted and no passphrase was given */
	KEY_EPASS = -4,		/* wrong passphrase (or corrupt ciphertext) */
	KEY_EUNSUPPORTED = -5,	/* e.g. a cipher or KDF we do not read */
	KEY_ENOTPRIVATE = -6,	/* a public key where a private one is needed */
	KEY_ENOMEM = -7,
	KEY_ESPACE = -8,	/* the output buffer is too small */
};

struct key_rsa {
	struct rsa_public_key	pub;
	struct rsa_private_key	priv;
	int			has_private;
};

void	 key_init(struct key_rsa *k);
void	 key_clear(struct key_rsa *k);
const char *key_strerror(int err);

/* Nonzero when data is an encrypted private key (PKCS#8 or legacy PEM). */
int	 key_is_encrypted(const uint8_t *data, size_t len);

/*
 * Parses any form above; pass may be NULL when the key is not encrypted.
 * A public key leaves has_private 0.
 */
int	 key_parse(struct key_rsa *k, const uint8_t *data, size_t len,
	    const uint8_t *pass, size_t passlen);

/* DER writers: *len is set; KEY_ESPACE if max is too small. */
int	 key_spki_der(const struct key_rsa *k, uint8_t *out, size_t max,
	    size_t *len);
int	 key_pkcs8_der(const struct key_rsa *k, uint8_t *out, size_t max,
	    size_t *len);

#endif
