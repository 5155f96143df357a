/*
 * pbe: password-based encryption of private keys as OpenSSL does it: the
 * PBES2 building blocks (PBKDF2 with an HMAC PRF, a CBC cipher with PKCS#7
 * padding) and the legacy PEM scheme (EVP_BytesToKey with MD5, salt = the
 * first 8 octets of the IV named in "DEK-Info: CIPHER,IVHEX").
 * Functions return 0 or a KEY_E* code from key.h.
 */
#ifndef PK_PBE_H
#define PK_PBE_H

#include <stddef.h>
#include <stdint.h>

#define PBE_KEY_MAX 32 /* largest cipher key */
#define PBE_BLOCK_MAX 16 /* largest cipher block (and IV) */
#define PBE_ITER_MAX 10000000UL /* PBKDF2 counts above are refused */
#define PBE_DEKINFO_MAX 64 /* room for "AES-256-CBC," and the IV hex */

struct pbe_cipher; /* AES-128/192/256-CBC, DES-EDE3-CBC */
struct pbe_prf; /* HMAC-SHA1, -SHA224, -SHA256, -SHA384, -SHA512 */

/* What protokit writes: AES-256-CBC and PBKDF2-HMAC-SHA256. */
extern const struct pbe_cipher pbe_aes256_cbc;
extern const struct pbe_prf pbe_hmac_sha256;
extern const struct pbe_prf pbe_hmac_sha1; /* the PBKDF2 default */

/* Look-ups by OID content octets; NULL when not supported. */
const struct pbe_cipher *pbe_cipher_by_oid(const uint8_t *oid, size_t n);
const struct pbe_prf *pbe_prf_by_oid(const uint8_t *oid, size_t n);
void pbe_cipher_oid(const struct pbe_cipher *c, const uint8_t **oid, size_t *n);
void pbe_prf_oid(const struct pbe_prf *p, const uint8_t **oid, size_t *n);
size_t pbe_key_size(const struct pbe_cipher *c);
size_t pbe_block_size(const struct pbe_cipher *c);

/* PBKDF2; KEY_EUNSUPPORTED when iter is 0 or above the limit. */
int pbe_pbkdf2(const struct pbe_prf *prf, const uint8_t *pass, size_t passlen,
    const uint8_t *salt, size_t saltlen, unsigned long iter, uint8_t *out,
    size_t outlen);

/* Lowers the limit from PBE_ITER_MAX (a fuzzer must not wait minutes). */
void pbe_limit_iter(unsigned long max);

/*
 * CBC with PKCS#7 padding.  Encryption writes len rounded up to the next
 * whole block (out holds len + block size) and sets *outlen.  Decryption
 * may work in place; KEY_EPASS when the padding is wrong.
 */
void pbe_cbc_encrypt(const struct pbe_cipher *c, const uint8_t *key,
    const uint8_t *iv, const uint8_t *in, size_t len, uint8_t *out,
    size_t *outlen);
int pbe_cbc_decrypt(const struct pbe_cipher *c, const uint8_t *key,
    const uint8_t *iv, const uint8_t *in, size_t len, uint8_t *out,
    size_t *outlen);

/*
 * The legacy PEM scheme.  Decryption takes the DEK-Info value; encryption
 * uses AES-256-CBC with a random IV and writes the DEK-Info value
 * ("AES-256-CBC,IVHEX", upper case, NUL-terminated) to dekinfo.
 */
int pbe_legacy_decrypt(const char *dekinfo, size_t dekinfolen,
    const uint8_t *pass, size_t passlen, const uint8_t *in, size_t len,
    uint8_t *out, size_t *outlen);
void pbe_legacy_encrypt(const uint8_t *pass, size_t passlen, const uint8_t *in,
    size_t len, uint8_t *out, size_t *outlen, char dekinfo[PBE_DEKINFO_MAX]);

#endif
