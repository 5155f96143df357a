/*
 * pkcs8: the PKCS#8 containers (RFC 5958) around a private key:
 * PrivateKeyInfo, and EncryptedPrivateKeyInfo with PBES2 (RFC 8018) using
 * PBKDF2.  Functions return 0 or a KEY_E* code from key.h.
 */
#ifndef PK_PKCS8_H
#define PK_PKCS8_H

#include <stddef.h>
#include <stdint.h>

#include "der.h"

#define PKCS8_SALT_LEN 16 /* salt written by pkcs8_encrypt */

/* PrivateKeyInfo: sets the algorithm and the privateKey octets. */
int pkcs8_parse(const uint8_t *der, size_t len, struct der_algid *alg,
    const uint8_t **key, size_t *keylen);
/*
 * Wraps the privateKey octets written to d since mark as a PrivateKeyInfo
 * (version 0, algorithm oid with NULL parameters).
 */
void pkcs8_wrap(
    struct der_out *d, size_t mark, const uint8_t *oid, size_t oidlen);

/*
 * EncryptedPrivateKeyInfo to PrivateKeyInfo in out (len bytes suffice).
 * KEY_EPASS for a wrong passphrase detected by the padding.
 */
int pkcs8_decrypt(const uint8_t *der, size_t len, const uint8_t *pass,
    size_t passlen, uint8_t *out, size_t max, size_t *outlen);
/*
 * PrivateKeyInfo to EncryptedPrivateKeyInfo: PBKDF2-HMAC-SHA256 with a
 * random salt and iter rounds, AES-256-CBC with a random IV.
 */
int pkcs8_encrypt(const uint8_t *pki, size_t len, const uint8_t *pass,
    size_t passlen, unsigned long iter, uint8_t *out, size_t max,
    size_t *outlen);

#endif
