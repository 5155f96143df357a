/*
 * pkcs8: reads PrivateKeyInfo and EncryptedPrivateKeyInfo (PBES2 with
 * PBKDF2 and any PRF and CBC cipher pbe.c knows), and writes both; the
 * encrypted form as OpenSSL 3 writes it by default, with a longer salt.
 */
#include <string.h>

#include "key.h"
#include "pbe.h"
#include "pkcs8.h"
#include "rand.h"
#include "secret.h"

/* 1.2.840.113549.1.5.13 and 1.2.840.113549.1.5.12 */
static const uint8_t oid_pbes2[] = {
    0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x05, 0x0d};
static const uint8_t oid_pbkdf2[] = {
    0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x05, 0x0c};

/* What the PBES2 parameters say; salt and iv point into the input. */
struct pbes2 {
	const uint8_t *salt;
	size_t saltlen;
	uint32_t iter;
	const struct pbe_prf *prf;
	const struct pbe_cipher *cipher;
	const uint8_t *iv;
};

int
pkcs8_parse(const uint8_t *der, size_t len, struct der_algid *alg,
    const uint8_t **key, size_t *keylen)
{
	struct asn1_der_iterator i;
	uint32_t version;
	enum asn1_iterator_result r;

	/* SEQUENCE { version, AlgorithmIdentifier, OCTET STRING, ... } */
	if (der_open(&i, der, len) == -1 ||
	    der_get_uint32(&i, &version) == -1 || version > 1 ||
	    der_next(&i, ASN1_SEQUENCE) == -1 || der_get_algid(&i, alg) == -1 ||
	    der_next(&i, ASN1_OCTETSTRING) == -1)
		return KEY_EFORMAT;
	*key = i.data;
	*keylen = i.length;
	/* Attributes [0] and the v2 public key [1] are allowed and unused. */
	while ((r = asn1_der_iterator_next(&i)) != ASN1_ITERATOR_END)
		if (r == ASN1_ITERATOR_ERROR ||
		    (i.type & ASN1_CLASS_MASK) != ASN1_CLASS_CONTEXT_SPECIFIC)
			return KEY_EFORMAT;
	return 0;
}

void
pkcs8_wrap(struct der_out *d, size_t mark, const uint8_t *oid, size_t oidlen)
{
	der_wrap(d, DER_OCTETSTRING, mark);
	der_put_algid(d, oid, oidlen, 1);
	der_put_uint(d, 0);
	der_wrap(d, DER_SEQUENCE, mark);
}

/* PBKDF2-params ::= SEQUENCE { salt, iterationCount, keyLength?, prf? } */
static int
parse_pbkdf2(
    struct asn1_der_iterator *params, struct pbes2 *p, uint32_t *keylen)
{
	struct asn1_der_iterator i;
	struct der_algid prf;
	enum asn1_iterator_result r;

	if (der_enter(params, ASN1_SEQUENCE, &i) == -1 ||
	    i.type != ASN1_OCTETSTRING)
		return KEY_EFORMAT;
	p->salt = i.data;
	p->saltlen = i.length;
	if (der_next(&i, ASN1_INTEGER) == -1 ||
	    der_get_uint32(&i, &p->iter) == -1 || p->iter == 0)
		return KEY_EFORMAT;
	*keylen = 0;
	p->prf = &pbe_hmac_sha1;
	if ((r = asn1_der_iterator_next(&i)) == ASN1_ITERATOR_END)
		return 0;
	if (r == ASN1_ITERATOR_PRIMITIVE && i.type == ASN1_INTEGER) {
		if (der_get_uint32(&i, keylen) == -1 || *keylen == 0)
			return KEY_EFORMAT;
		if ((r = asn1_der_iterator_next(&i)) == ASN1_ITERATOR_END)
			return 0;
	}
	if (r != ASN1_ITERATOR_CONSTRUCTED || i.type != ASN1_SEQUENCE ||
	    der_get_algid(&i, &prf) == -1 || !der_params_null(&prf) ||
	    der_end(&i) == -1)
		return KEY_EFORMAT;
	if ((p->prf = pbe_prf_by_oid(prf.oid, prf.oidlen)) == NULL)
		return KEY_EUNSUPPORTED;
	return 0;
}

/* PBES2-params ::= SEQUENCE { keyDerivationFunc, encryptionScheme } */
static int
parse_pbes2(const struct der_algid *alg, struct pbes2 *p)
{
	struct asn1_der_iterator params, i;
	struct der_algid kdf, enc;
	uint32_t keylen;
	int rv;

	/* PBES1, PKCS#12 PBE and scrypt are not read. */
	if (!der_oid_is(alg, oid_pbes2, sizeof(oid_pbes2)))
		return KEY_EUNSUPPORTED;
	params = alg->params;
	if (!alg->has_params || der_enter(&params, ASN1_SEQUENCE, &i) == -1 ||
	    der_get_algid(&i, &kdf) == -1 ||
	    der_next(&i, ASN1_SEQUENCE) == -1 ||
	    der_get_algid(&i, &enc) == -1 || der_end(&i) == -1)
		return KEY_EFORMAT;
	if (!der_oid_is(&kdf, oid_pbkdf2, sizeof(oid_pbkdf2)))
		return KEY_EUNSUPPORTED;
	if (!kdf.has_params)
		return KEY_EFORMAT;
	if ((rv = parse_pbkdf2(&kdf.params, p, &keylen)) != 0)
		return rv;
	if ((p->cipher = pbe_cipher_by_oid(enc.oid, enc.oidlen)) == NULL)
		return KEY_EUNSUPPORTED;
	if (!enc.has_params || enc.params.type != ASN1_OCTETSTRING ||
	    enc.params.length != pbe_block_size(p->cipher) ||
	    (keylen != 0 && keylen != pbe_key_size(p->cipher)))
		return KEY_EFORMAT;
	p->iv = enc.params.data;
	return 0;
}

int
pkcs8_decrypt(const uint8_t *der, size_t len, const uint8_t *pass,
    size_t passlen, uint8_t *out, size_t max, size_t *outlen)
{
	struct asn1_der_iterator i;
	struct der_algid alg;
	struct pbes2 p;
	const uint8_t *ct;
	uint8_t key[PBE_KEY_MAX];
	size_t ctlen;
	int rv;

	/* SEQUENCE { AlgorithmIdentifier, encryptedData OCTET STRING } */
	if (der_open(&i, der, len) == -1 || der_get_algid(&i, &alg) == -1 ||
	    der_next(&i, ASN1_OCTETSTRING) == -1)
		return KEY_EFORMAT;
	ct = i.data;
	ctlen = i.length;
	if (der_end(&i) == -1)
		return KEY_EFORMAT;
	if ((rv = parse_pbes2(&alg, &p)) != 0)
		return rv;
	if (ctlen > max)
		return KEY_ESPACE;
	rv = pbe_pbkdf2(p.prf, pass, passlen, p.salt, p.saltlen, p.iter, key,
	    pbe_key_size(p.cipher));
	if (rv == 0)
		rv = pbe_cbc_decrypt(
		    p.cipher, key, p.iv, ct, ctlen, out, outlen);
	secret_wipe(key, sizeof(key));
	return rv;
}

/* keyDerivationFunc: PBKDF2 with HMAC-SHA256. */
static void
put_pbkdf2(struct der_out *d, const uint8_t *salt, unsigned long iter)
{
	const uint8_t *oid;
	size_t oidlen, mark = d->len;

	/* SEQUENCE { pbkdf2, SEQUENCE { salt, iter, prf } } */
	pbe_prf_oid(&pbe_hmac_sha256, &oid, &oidlen);
	der_put_algid(d, oid, oidlen, 1);
	der_put_uint(d, iter);
	der_put(d, DER_OCTETSTRING, salt, PKCS8_SALT_LEN);
	der_wrap(d, DER_SEQUENCE, mark);
	der_put(d, DER_OID, oid_pbkdf2, sizeof(oid_pbkdf2));
	der_wrap(d, DER_SEQUENCE, mark);
}

/* encryptionScheme: the cipher's OID and the IV. */
static void
put_cipher(struct der_out *d, const struct pbe_cipher *c, const uint8_t *iv)
{
	const uint8_t *oid;
	size_t oidlen, algid = d->len;

	der_put(d, DER_OCTETSTRING, iv, pbe_block_size(c));
	pbe_cipher_oid(c, &oid, &oidlen);
	der_put(d, DER_OID, oid, oidlen);
	der_wrap(d, DER_SEQUENCE, algid);
}

int
pkcs8_encrypt(const uint8_t *pki, size_t len, const uint8_t *pass,
    size_t passlen, unsigned long iter, uint8_t *out, size_t max,
    size_t *outlen)
{
	const struct pbe_cipher *c = &pbe_aes256_cbc;
	struct der_out d;
	uint8_t salt[PKCS8_SALT_LEN], iv[PBE_BLOCK_MAX], key[PBE_KEY_MAX];
	uint8_t *ct;
	size_t bs = pbe_block_size(c), ctlen, algid;
	int rv;

	rand_nettle(NULL, sizeof(salt), salt);
	rand_nettle(NULL, bs, iv);
	rv = pbe_pbkdf2(&pbe_hmac_sha256, pass, passlen, salt, sizeof(salt),
	    iter, key, pbe_key_size(c));
	if (rv != 0)
		return rv;
	der_out_init(&d, out, max);
	if ((ct = der_reserve(&d, len + bs - len % bs)) != NULL)
		pbe_cbc_encrypt(c, key, iv, pki, len, ct, &ctlen);
	secret_wipe(key, sizeof(key));
	der_wrap(&d, DER_OCTETSTRING, 0);
	/* AlgorithmIdentifier { pbes2, SEQUENCE { kdf, cipher } } */
	algid = d.len;
	put_cipher(&d, c, iv);
	put_pbkdf2(&d, salt, iter);
	der_wrap(&d, DER_SEQUENCE, algid);
	der_put(&d, DER_OID, oid_pbes2, sizeof(oid_pbes2));
	der_wrap(&d, DER_SEQUENCE, algid);
	der_wrap(&d, DER_SEQUENCE, 0);
	return der_out_finish(&d, outlen) == -1 ? KEY_ESPACE : 0;
}
