/*
 * key: reads an RSA key in any form OpenSSL writes.  PEM or DER is told
 * from the first bytes, the PEM label or the DER shape names the form,
 * encryption is taken off (pbe.c, pkcs8.c), and Nettle's DER iterator reads
 * the numbers, which are then checked against each other.
 */
#include <string.h>

#include <nettle/asn1.h>

#include "der.h"
#include "key.h"
#include "pbe.h"
#include "pem.h"
#include "pkcs8.h"
#include "secret.h"

const uint8_t key_oid_rsa[9] = {
    0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x01};
/* RSASSA-PSS keys (1.2.840.113549.1.1.10) are RSA but not read here. */
static const uint8_t oid_rsa_pss[] = {
    0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x0a};

enum form {
	FORM_PKCS1_PRIVATE, /* RSAPrivateKey */
	FORM_PKCS1_PUBLIC, /* RSAPublicKey */
	FORM_PKCS8, /* PrivateKeyInfo */
	FORM_PKCS8_ENCRYPTED, /* EncryptedPrivateKeyInfo */
	FORM_SPKI, /* SubjectPublicKeyInfo */
};

static const struct {
	const char *label;
	int form; /* an enum form, or a KEY_E* code */
} labels[] = {
    {"RSA PRIVATE KEY", FORM_PKCS1_PRIVATE},
    {"RSA PUBLIC KEY", FORM_PKCS1_PUBLIC},
    {"PRIVATE KEY", FORM_PKCS8},
    {"ENCRYPTED PRIVATE KEY", FORM_PKCS8_ENCRYPTED},
    {"PUBLIC KEY", FORM_SPKI},
    {"EC PRIVATE KEY", KEY_ENOTRSA},
    {"DSA PRIVATE KEY", KEY_ENOTRSA},
    {"CERTIFICATE", KEY_ECERT},
};

/* A key's DER and form once PEM and encryption are taken off. */
struct plain {
	uint8_t *buf; /* 2 * len: the PEM body, then decrypted */
	size_t half;
	const uint8_t *der;
	size_t len;
	int form;
	int decrypted;
};

/* Applies f (mpz_init or mpz_clear) to every number of m. */
static void
multi_numbers(struct key_multi *m, void (*f)(mpz_ptr))
{
	size_t j;

	f(m->q);
	f(m->dq);
	f(m->qinv);
	for (j = 0; j < sizeof(m->other) / sizeof(m->other[0]); j++) {
		f(m->other[j].r);
		f(m->other[j].d);
		f(m->other[j].t);
	}
}

void
key_init(struct key_rsa *k)
{
	rsa_public_key_init(&k->pub);
	rsa_private_key_init(&k->priv);
	k->has_private = 0;
	k->from_cert = 0;
	multi_numbers(&k->multi, mpz_init);
	k->multi.extra = 0;
}

void
key_clear(struct key_rsa *k)
{
	rsa_public_key_clear(&k->pub);
	rsa_private_key_clear(&k->priv);
	multi_numbers(&k->multi, mpz_clear);
	k->has_private = 0;
	k->multi.extra = 0;
}

const char *
key_strerror(int err)
{
	switch (err) {
	case KEY_OK:
		return "no error";
	case KEY_EFORMAT:
		return "malformed key";
	case KEY_ENOTRSA:
		return "not an RSA key";
	case KEY_ENEEDPASS:
		return "key is encrypted and no passphrase was given";
	case KEY_EPASS:
		return "wrong passphrase or corrupt key";
	case KEY_EUNSUPPORTED:
		return "unsupported key format or cipher";
	case KEY_ENOTPRIVATE:
		return "public key where a private key is needed";
	case KEY_ENOMEM:
		return "out of memory";
	case KEY_ESPACE:
		return "output buffer too small";
	case KEY_EIO:
		return "cannot read the key file";
	case KEY_EPASSREAD:
		return "cannot read the passphrase";
	case KEY_ECERT:
		return "a certificate, not a key";
	case KEY_ECERTPUBLIC:
		return "a certificate holds only a public key; the private "
		       "key is needed";
	case KEY_ETOOBIG:
		return "RSA key too large (modulus over 8192 bits or public "
		       "exponent over 2^32)";
	}
	return "unknown error";
}

int
key_require_private(const struct key_rsa *k)
{
	if (k->has_private)
		return 0;
	return k->from_cert ? KEY_ECERTPUBLIC : KEY_ENOTPRIVATE;
}

static int
form_of_label(const struct pem *p)
{
	size_t i;

	for (i = 0; i < sizeof(labels) / sizeof(labels[0]); i++)
		if (pem_label_is(p, labels[i].label))
			return labels[i].form;
	return KEY_EUNSUPPORTED;
}

/* Tells the forms apart by their first two elements (and the count). */
static int
form_of_der(const uint8_t *der, size_t len)
{
	struct asn1_der_iterator i;
	enum asn1_type first;
	enum asn1_iterator_result r;

	if (der_open(&i, der, len) == -1)
		return KEY_EFORMAT;
	first = i.type;
	r = asn1_der_iterator_next(&i);
	if (r == ASN1_ITERATOR_ERROR || r == ASN1_ITERATOR_END)
		return KEY_EFORMAT;
	if (first == ASN1_SEQUENCE && i.type == ASN1_BITSTRING)
		return FORM_SPKI;
	if (first == ASN1_SEQUENCE && i.type == ASN1_OCTETSTRING)
		return FORM_PKCS8_ENCRYPTED;
	/* SEQUENCE { tbsCertificate, signatureAlgorithm, signature } */
	if (first == ASN1_SEQUENCE && i.type == ASN1_SEQUENCE)
		return KEY_ECERT;
	if (first == ASN1_INTEGER && i.type == ASN1_SEQUENCE)
		return FORM_PKCS8;
	if (first == ASN1_INTEGER && i.type == ASN1_INTEGER)
		return asn1_der_iterator_next(&i) == ASN1_ITERATOR_END
		    ? FORM_PKCS1_PUBLIC
		    : FORM_PKCS1_PRIVATE;
	return KEY_EFORMAT;
}

int
key_size_check(const struct rsa_public_key *pub)
{
	if (mpz_sizeinbase(pub->n, 2) > KEY_RSA_BITS_MAX ||
	    mpz_sizeinbase(pub->e, 2) > KEY_RSA_EXP_BITS)
		return KEY_ETOOBIG;
	return 0;
}

/*
 * Not too large (key_size_check), and 3 <= e < n, both odd: what every
 * RSA operation on the key assumes.
 */
static int
check_public(const struct rsa_public_key *pub)
{
	int rv;

	if ((rv = key_size_check(pub)) != 0)
		return rv;
	if (!mpz_odd_p(pub->n) || !mpz_odd_p(pub->e) ||
	    mpz_cmp_ui(pub->e, 3) < 0 || mpz_cmp(pub->e, pub->n) >= 0)
		return KEY_EFORMAT;
	return 0;
}

/* x * y = 1 (mod m) */
static int
inverse_mod(mpz_t t, const mpz_t x, const mpz_t y, const mpz_t m)
{
	mpz_mul(t, x, y);
	mpz_mod(t, t, m);
	return mpz_cmp_ui(t, 1) == 0;
}

/*
 * n = pq with p and q odd; a = d mod (p-1), b = d mod (q-1), each the
 * inverse of e there; c = 1/q mod p.  Nettle's CRT code relies on this.
 */
static int
check_private(const struct key_rsa *k)
{
	const struct rsa_private_key *s = &k->priv;
	mpz_t t, m;
	int ok;

	mpz_init(t);
	mpz_init(m);
	mpz_mul(t, s->p, s->q);
	ok = mpz_cmp(t, k->pub.n) == 0 && mpz_odd_p(s->p) && mpz_odd_p(s->q) &&
	    mpz_cmp_ui(s->p, 1) > 0 && mpz_cmp_ui(s->q, 1) > 0;
	if (ok) {
		mpz_sub_ui(m, s->p, 1);
		mpz_mod(t, s->d, m);
		ok = mpz_cmp(t, s->a) == 0 && inverse_mod(t, k->pub.e, s->a, m);
	}
	if (ok) {
		mpz_sub_ui(m, s->q, 1);
		mpz_mod(t, s->d, m);
		ok = mpz_cmp(t, s->b) == 0 && inverse_mod(t, k->pub.e, s->b, m);
	}
	ok = ok && mpz_cmp(s->c, s->p) < 0 && inverse_mod(t, s->c, s->q, s->p);
	mpz_clear(t);
	mpz_clear(m);
	return ok ? 0 : KEY_EFORMAT;
}

static int
parse_rsa_public(struct key_rsa *k, const uint8_t *der, size_t len)
{
	struct asn1_der_iterator i;

	if (asn1_der_iterator_first(&i, len, der) !=
		ASN1_ITERATOR_CONSTRUCTED ||
	    !rsa_public_key_from_der_iterator(&k->pub, KEY_BITS_MAX, &i))
		return KEY_EFORMAT;
	return check_public(&k->pub);
}

static int
parse_rsa_private(struct key_rsa *k, const uint8_t *der, size_t len)
{
	struct asn1_der_iterator i;
	uint32_t version;
	int rv;

	/* Nettle reads only a two-prime prefix of a multi-prime (v1) key. */
	if (der_open(&i, der, len) == -1 ||
	    der_get_uint32(&i, &version) == -1 || version > 1)
		return KEY_EFORMAT;
	if (version == 1)
		rv = key_multi_parse(k, der, len);
	else if (asn1_der_iterator_first(&i, len, der) !=
		ASN1_ITERATOR_CONSTRUCTED ||
	    !rsa_private_key_from_der_iterator(
		&k->pub, &k->priv, KEY_BITS_MAX, &i))
		rv = KEY_EFORMAT;
	else if ((rv = key_size_check(&k->pub)) == 0)
		rv = check_private(k);
	if (rv != 0 || (rv = check_public(&k->pub)) != 0)
		return rv;
	k->has_private = 1;
	return 0;
}

static int
check_rsa_algid(const struct der_algid *alg)
{
	if (der_oid_is(alg, oid_rsa_pss, sizeof(oid_rsa_pss)))
		return KEY_EUNSUPPORTED;
	if (!der_oid_is(alg, key_oid_rsa, sizeof(key_oid_rsa)))
		return KEY_ENOTRSA;
	return der_params_null(alg) ? 0 : KEY_EFORMAT;
}

static int
parse_spki(struct key_rsa *k, const uint8_t *der, size_t len)
{
	struct asn1_der_iterator i;
	struct der_algid alg;
	int rv;

	/* SEQUENCE { AlgorithmIdentifier, BIT STRING { RSAPublicKey } } */
	if (der_open(&i, der, len) == -1 || der_get_algid(&i, &alg) == -1 ||
	    der_next(&i, ASN1_BITSTRING) == -1)
		return KEY_EFORMAT;
	if ((rv = check_rsa_algid(&alg)) != 0)
		return rv;
	if (asn1_der_decode_bitstring_last(&i) != ASN1_ITERATOR_CONSTRUCTED ||
	    !rsa_public_key_from_der_iterator(&k->pub, KEY_BITS_MAX, &i))
		return KEY_EFORMAT;
	return check_public(&k->pub);
}

static int
parse_pkcs8(struct key_rsa *k, const uint8_t *der, size_t len)
{
	struct der_algid alg;
	const uint8_t *inner;
	size_t innerlen;
	int rv;

	if ((rv = pkcs8_parse(der, len, &alg, &inner, &innerlen)) != 0 ||
	    (rv = check_rsa_algid(&alg)) != 0)
		return rv;
	return parse_rsa_private(k, inner, innerlen);
}

static int
parse_form(struct key_rsa *k, const struct plain *pl)
{
	switch (pl->form) {
	case FORM_PKCS1_PRIVATE:
		return parse_rsa_private(k, pl->der, pl->len);
	case FORM_PKCS1_PUBLIC:
		return parse_rsa_public(k, pl->der, pl->len);
	case FORM_PKCS8:
		return parse_pkcs8(k, pl->der, pl->len);
	case FORM_SPKI:
		return parse_spki(k, pl->der, pl->len);
	}
	return KEY_EFORMAT;
}

/* PEM: the label gives the form; legacy encryption is taken off. */
static int
unarmour(struct plain *pl, const uint8_t *data, size_t len, const uint8_t *pass,
    size_t passlen)
{
	struct pem p;
	size_t n;
	int rv;

	if (pem_parse(data, len, &p) == -1)
		return KEY_EFORMAT;
	if ((pl->form = form_of_label(&p)) < 0)
		return pl->form;
	if (pem_decode(&p, pl->buf, pl->half, &n) == -1)
		return KEY_EFORMAT;
	pl->der = pl->buf;
	pl->len = n;
	if (!p.encrypted)
		return 0;
	if (pl->form == FORM_PKCS8_ENCRYPTED)
		return KEY_EFORMAT;
	if (pass == NULL)
		return KEY_ENEEDPASS;
	rv = pbe_legacy_decrypt(p.dekinfo, p.dekinfolen, pass, passlen, pl->buf,
	    n, pl->buf + pl->half, &pl->len);
	pl->der = pl->buf + pl->half;
	pl->decrypted = rv == 0;
	return rv;
}

/* EncryptedPrivateKeyInfo: decrypted into the second half of buf. */
static int
decrypt_pkcs8(struct plain *pl, const uint8_t *pass, size_t passlen)
{
	int rv;

	if (pass == NULL)
		return KEY_ENEEDPASS;
	rv = pkcs8_decrypt(pl->der, pl->len, pass, passlen, pl->buf + pl->half,
	    pl->half, &pl->len);
	pl->der = pl->buf + pl->half;
	pl->form = FORM_PKCS8;
	pl->decrypted = rv == 0;
	return rv;
}

int
key_parse(struct key_rsa *k, const uint8_t *data, size_t len,
    const uint8_t *pass, size_t passlen)
{
	struct plain pl = {0};
	int rv;

	k->has_private = 0;
	if (len == 0 || len > KEY_FILE_MAX)
		return KEY_EFORMAT;
	pl.half = len;
	if ((pl.buf = secret_alloc(2 * len)) == NULL)
		return KEY_ENOMEM;
	if (pem_present(data, len))
		rv = unarmour(&pl, data, len, pass, passlen);
	else {
		pl.der = data;
		pl.len = len;
		rv = pl.form = form_of_der(data, len);
	}
	if (rv >= 0 && pl.form == FORM_PKCS8_ENCRYPTED)
		rv = decrypt_pkcs8(&pl, pass, passlen);
	if (rv >= 0)
		rv = parse_form(k, &pl);
	/* Garbage out of a decryption means the passphrase was wrong. */
	if (rv == KEY_EFORMAT && pl.decrypted)
		rv = KEY_EPASS;
	secret_free(pl.buf, 2 * len);
	return rv < 0 ? rv : 0;
}

/* How data is encrypted: 0 not, 1 legacy PEM, 2 PKCS#8 (PBES2). */
static int
encryption_of(const uint8_t *data, size_t len)
{
	struct pem p;

	if (len == 0 || len > KEY_FILE_MAX)
		return 0;
	if (pem_present(data, len)) {
		if (pem_parse(data, len, &p) != 0)
			return 0;
		if (p.encrypted)
			return 1;
		return form_of_label(&p) == FORM_PKCS8_ENCRYPTED ? 2 : 0;
	}
	return form_of_der(data, len) == FORM_PKCS8_ENCRYPTED ? 2 : 0;
}

int
key_is_encrypted(const uint8_t *data, size_t len)
{
	return encryption_of(data, len) != 0;
}

int
key_is_pkcs8_encrypted(const uint8_t *data, size_t len)
{
	return encryption_of(data, len) == 2;
}
