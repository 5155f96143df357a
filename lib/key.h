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

#define KEY_FILE_MAX (64 * 1024) /* largest key file accepted */
#define KEY_BITS_MAX 16384 /* largest number read (a key's: below) */
/*
 * The largest RSA key accepted from a file or a peer, checked as soon as
 * its numbers are read and before any arithmetic on them: a modulus of at
 * most KEY_RSA_BITS_MAX bits (the most pk-keygen makes, and ca's peer
 * chat wraps with) and a public exponent below 2^KEY_RSA_EXP_BITS (as
 * pk-keygen -e).  A 16384-bit modulus with a 16384-bit exponent costs
 * half a second of CPU per signature check: KEY_ETOOBIG.
 */
#define KEY_RSA_BITS_MAX 8192
#define KEY_RSA_EXP_BITS 32
#define KEY_DER_MAX (16 * 1024) /* room for any key read, as DER */
#define KEY_PEM_MAX (24 * 1024) /* ... and as (encrypted) PEM */

enum key_err {
	KEY_OK = 0,
	KEY_EFORMAT = -1, /* not PEM/DER, bad base64, bad ASN.1 */
	KEY_ENOTRSA = -2, /* well-formed but not an RSA key */
	KEY_ENEEDPASS = -3, /* encrypted and no passphrase was given */
	KEY_EPASS = -4, /* wrong passphrase (or corrupt ciphertext) */
	KEY_EUNSUPPORTED = -5, /* e.g. a cipher or KDF we do not read */
	KEY_ENOTPRIVATE = -6, /* a public key where a private one is needed */
	KEY_ENOMEM = -7,
	KEY_ESPACE = -8, /* the output buffer is too small */
	KEY_EIO = -9, /* key_load: the key file (errno is set) */
	KEY_EPASSREAD = -10, /* key_load: the passphrase (errno is set) */
	KEY_ECERT = -11, /* key_parse: a certificate (key_load reads it) */
	KEY_ECERTPUBLIC = -12, /* a certificate where a private key is needed */
	KEY_ETOOBIG = -13, /* over KEY_RSA_BITS_MAX or KEY_RSA_EXP_BITS */
};

#define KEY_PRIMES_MAX 5 /* primes in a multi-prime key (openssl's) */

/*
 * A multi-prime key (RFC 8017 A.1.2) as read: q and its CRT values, and
 * the primes beyond p and q.  priv holds the key folded into two factors
 * (key_multi.c); these are what the writers write back.
 */
struct key_multi {
	int extra; /* primes beyond p, q; 0: none */
	mpz_t q, dq, qinv;
	struct {
		mpz_t r, d, t; /* prime, exponent, coefficient */
	} other[KEY_PRIMES_MAX - 2];
};

/*
 * Call secret_gmp_init() first: key_clear then wipes every number it
 * frees, and so does GMP for every temporary.
 */
struct key_rsa {
	struct rsa_public_key pub;
	struct rsa_private_key priv;
	int has_private;
	int from_cert; /* key_load: a certificate's */
	struct key_multi multi;
};

void key_init(struct key_rsa *k);
void key_clear(struct key_rsa *k);
const char *key_strerror(int err);

/* Nonzero when data is an encrypted private key (PKCS#8 or legacy PEM). */
int key_is_encrypted(const uint8_t *data, size_t len);
/* Nonzero when it is an encrypted PKCS#8 key (PBES2), not a legacy PEM. */
int key_is_pkcs8_encrypted(const uint8_t *data, size_t len);

/*
 * Parses any form above; pass may be NULL when the key is not encrypted.
 * A public key leaves has_private 0.  A certificate is KEY_ECERT (the
 * wire takes keys only; key_load reads a certificate's key).  A private
 * key is checked for
 * consistency (n = pq, the CRT values agree with d and e); so is a
 * multi-prime key (up to KEY_PRIMES_MAX primes, else KEY_EUNSUPPORTED).  A
 * decrypted key that does not parse is KEY_EPASS.  On error k holds no usable
 * key but must still be cleared.
 */
int key_parse(struct key_rsa *k, const uint8_t *data, size_t len,
    const uint8_t *pass, size_t passlen);
/*
 * key.c's reader of RSAPrivateKey version 1 (multi-prime): parses der into
 * k, checks it, and folds it into two factors for Nettle.  0 or KEY_E*.
 */
int key_multi_parse(struct key_rsa *k, const uint8_t *der, size_t len);
/* KEY_ETOOBIG when pub is larger than the caps above, else 0. */
int key_size_check(const struct rsa_public_key *pub);
/* KEY_ENOTPRIVATE (KEY_ECERTPUBLIC) unless k holds a private key. */
int key_require_private(const struct key_rsa *k);

struct secret_src;

/*
 * Reads the key file path ("-" is stdin; at most KEY_FILE_MAX bytes) into
 * wiped memory and parses it, asking src for the passphrase only when the
 * key is encrypted (src NULL: never ask).  A certificate (PEM or DER)
 * gives its subject's public key, as openssl pkeyutl -certin reads it.
 * need_private makes a public key KEY_ENOTPRIVATE (KEY_ECERTPUBLIC).  Returns
 * KEY_OK or a KEY_E* code; k must be cleared in every case.  key_load_msg
 * writes the one-line reason for a failure into msg, naming the file or the
 * passphrase source; key_load_exit gives the exit status: 1 for a wrong
 * passphrase (checked and rejected), else 2.
 */
int key_load(struct key_rsa *k, const char *path, const struct secret_src *src,
    int need_private);
const char *key_load_msg(int err, const char *path,
    const struct secret_src *src, char *msg, size_t n);
int key_load_exit(int err);

/*
 * DER writers: *len is set; KEY_ESPACE if max is too small.  A private
 * key's numbers may also be left past *len: wipe all max bytes of out.
 */
int key_spki_der(
    const struct key_rsa *k, uint8_t *out, size_t max, size_t *len);
int key_pkcs8_der(
    const struct key_rsa *k, uint8_t *out, size_t max, size_t *len);
/* PKCS#1 RSAPrivateKey, the body of "RSA PRIVATE KEY". */
int key_pkcs1_der(
    const struct key_rsa *k, uint8_t *out, size_t max, size_t *len);

/*
 * PEM writers, byte for byte what OpenSSL writes for the same key (the
 * encrypted forms have a random salt and IV).  out is not NUL-terminated.
 */
int key_spki_pem(
    const struct key_rsa *k, uint8_t *out, size_t max, size_t *len);
/*
 * "PRIVATE KEY"; with pass, "ENCRYPTED PRIVATE KEY": PBES2 with
 * PBKDF2-HMAC-SHA256 (iter rounds, 16-octet salt) and AES-256-CBC.
 */
int key_pkcs8_pem(const struct key_rsa *k, const uint8_t *pass, size_t passlen,
    unsigned long iter, uint8_t *out, size_t max, size_t *len);
/*
 * "RSA PRIVATE KEY"; with pass, OpenSSL's legacy encrypted PEM
 * ("Proc-Type: 4,ENCRYPTED", "DEK-Info: AES-256-CBC,IV").
 */
int key_pkcs1_pem(const struct key_rsa *k, const uint8_t *pass, size_t passlen,
    uint8_t *out, size_t max, size_t *len);

/* rsaEncryption, 1.2.840.113549.1.1.1, as OID content octets. */
extern const uint8_t key_oid_rsa[9];

#endif
