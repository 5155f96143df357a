/*
 * key_write: an RSA key as PKCS#1, PKCS#8 (plain or PBES2-encrypted),
 * SubjectPublicKeyInfo, or legacy encrypted PEM, in exactly the DER and
 * PEM OpenSSL writes.  Private DER passes only through wiped buffers.
 */
#include <stdio.h>
#include <string.h>

#include "der.h"
#include "key.h"
#include "pbe.h"
#include "pem.h"
#include "pkcs8.h"
#include "secret.h"

/* DER, then its encrypted copy (one cipher block longer at most). */
#define SCRATCH (2 * KEY_DER_MAX + PBE_BLOCK_MAX)

/* RSAPublicKey ::= SEQUENCE { n, e } */
static void
put_rsa_public(struct der_out *d, const struct key_rsa *k)
{
	size_t mark = d->len;

	der_put_mpz(d, k->pub.e);
	der_put_mpz(d, k->pub.n);
	der_wrap(d, DER_SEQUENCE, mark);
}

/* OtherPrimeInfos ::= SEQUENCE OF SEQUENCE { prime, exponent, coef } */
static void
put_other_primes(struct der_out *d, const struct key_multi *m)
{
	size_t all = d->len, one;
	int j;

	for (j = m->extra - 1; j >= 0; j--) {
		one = d->len;
		der_put_mpz(d, m->other[j].t);
		der_put_mpz(d, m->other[j].d);
		der_put_mpz(d, m->other[j].r);
		der_wrap(d, DER_SEQUENCE, one);
	}
	der_wrap(d, DER_SEQUENCE, all);
}

/*
 * RSAPrivateKey ::= SEQUENCE { 0, n, e, d, p, q, dp, dq, qinv }, or for a
 * multi-prime key { 1, ..., otherPrimeInfos } with q as read, not folded.
 */
static void
put_rsa_private(struct der_out *d, const struct key_rsa *k)
{
	const struct key_multi *m = &k->multi;
	size_t mark = d->len;

	if (m->extra > 0)
		put_other_primes(d, m);
	der_put_mpz(d, m->extra > 0 ? m->qinv : k->priv.c);
	der_put_mpz(d, m->extra > 0 ? m->dq : k->priv.b);
	der_put_mpz(d, k->priv.a);
	der_put_mpz(d, m->extra > 0 ? m->q : k->priv.q);
	der_put_mpz(d, k->priv.p);
	der_put_mpz(d, k->priv.d);
	der_put_mpz(d, k->pub.e);
	der_put_mpz(d, k->pub.n);
	der_put_uint(d, m->extra > 0);
	der_wrap(d, DER_SEQUENCE, mark);
}

static int
finish(struct der_out *d, size_t *len)
{
	return der_out_finish(d, len) == -1 ? KEY_ESPACE : 0;
}

int
key_spki_der(const struct key_rsa *k, uint8_t *out, size_t max, size_t *len)
{
	struct der_out d;
	const uint8_t unused_bits = 0;

	/* SEQUENCE { AlgorithmIdentifier, BIT STRING { RSAPublicKey } } */
	der_out_init(&d, out, max);
	put_rsa_public(&d, k);
	der_put_raw(&d, &unused_bits, 1);
	der_wrap(&d, DER_BITSTRING, 0);
	der_put_algid(&d, key_oid_rsa, sizeof(key_oid_rsa), 1);
	der_wrap(&d, DER_SEQUENCE, 0);
	return finish(&d, len);
}

/* RSAPrivateKey, in a PrivateKeyInfo if pkcs8. */
static int
private_der(
    const struct key_rsa *k, int pkcs8, uint8_t *out, size_t max, size_t *len)
{
	struct der_out d;

	if (!k->has_private)
		return KEY_ENOTPRIVATE;
	der_out_init(&d, out, max);
	put_rsa_private(&d, k);
	if (pkcs8)
		pkcs8_wrap(&d, 0, key_oid_rsa, sizeof(key_oid_rsa));
	return finish(&d, len);
}

int
key_pkcs1_der(const struct key_rsa *k, uint8_t *out, size_t max, size_t *len)
{
	return private_der(k, 0, out, max, len);
}

int
key_pkcs8_der(const struct key_rsa *k, uint8_t *out, size_t max, size_t *len)
{
	return private_der(k, 1, out, max, len);
}

static int
armour(const char *label, const char *headers, const uint8_t *der,
    size_t derlen, uint8_t *out, size_t max, size_t *len)
{
	return pem_encode(label, headers, der, derlen, out, max, len) == -1
	    ? KEY_ESPACE
	    : 0;
}

int
key_spki_pem(const struct key_rsa *k, uint8_t *out, size_t max, size_t *len)
{
	uint8_t der[KEY_DER_MAX];
	size_t n;
	int rv;

	if ((rv = key_spki_der(k, der, sizeof(der), &n)) != 0)
		return rv;
	return armour("PUBLIC KEY", NULL, der, n, out, max, len);
}

int
key_pkcs8_pem(const struct key_rsa *k, const uint8_t *pass, size_t passlen,
    unsigned long iter, uint8_t *out, size_t max, size_t *len)
{
	uint8_t *buf, *enc;
	size_t n;
	int rv;

	if ((buf = secret_alloc(SCRATCH)) == NULL)
		return KEY_ENOMEM;
	enc = buf + KEY_DER_MAX;
	rv = key_pkcs8_der(k, buf, KEY_DER_MAX, &n);
	if (rv == 0 && pass == NULL)
		rv = armour("PRIVATE KEY", NULL, buf, n, out, max, len);
	else if (rv == 0) {
		rv = pkcs8_encrypt(buf, n, pass, passlen, iter, enc,
		    SCRATCH - KEY_DER_MAX, &n);
		if (rv == 0)
			rv = armour("ENCRYPTED PRIVATE KEY", NULL, enc, n, out,
			    max, len);
	}
	secret_free(buf, SCRATCH);
	return rv;
}

int
key_pkcs1_pem(const struct key_rsa *k, const uint8_t *pass, size_t passlen,
    uint8_t *out, size_t max, size_t *len)
{
	char dekinfo[PBE_DEKINFO_MAX], headers[40 + PBE_DEKINFO_MAX];
	uint8_t *buf, *enc;
	size_t n;
	int rv;

	if ((buf = secret_alloc(SCRATCH)) == NULL)
		return KEY_ENOMEM;
	enc = buf + KEY_DER_MAX;
	rv = key_pkcs1_der(k, buf, KEY_DER_MAX, &n);
	if (rv == 0 && pass == NULL)
		rv = armour("RSA PRIVATE KEY", NULL, buf, n, out, max, len);
	else if (rv == 0) {
		pbe_legacy_encrypt(pass, passlen, buf, n, enc, &n, dekinfo);
		snprintf(headers, sizeof(headers),
		    "Proc-Type: 4,ENCRYPTED\nDEK-Info: %s\n", dekinfo);
		rv = armour("RSA PRIVATE KEY", headers, enc, n, out, max, len);
	}
	secret_free(buf, SCRATCH);
	return rv;
}
