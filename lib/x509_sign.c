/*
 * x509_sign: the SIGNED{} envelope shared by requests and certificates,
 * and its RSA signatures: sha256WithRSAEncryption or RSASSA-PSS (SHA-256,
 * MGF1-SHA-256, 32-octet salt, parameters written as openssl writes them)
 * when signing; sha1/256/384/512WithRSAEncryption and RSASSA-PSS with
 * SHA-256 and any salt length when checking.
 */
#include <string.h>

#include <nettle/bignum.h>
#include <nettle/nettle-meta.h>
#include <nettle/sha1.h>
#include <nettle/sha2.h>

#include "rand.h"
#include "x509_int.h"

#define PSS_SALT 32

#define OID_PKCS1(x) 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, (x)
static const uint8_t oid_sha256_rsa[] = {OID_PKCS1(0x0b)};
static const uint8_t oid_pss[] = {OID_PKCS1(0x0a)};
static const uint8_t oid_mgf1[] = {OID_PKCS1(0x08)};
static const uint8_t oid_sha256[] = {
    0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x01};

/* DigestInfo { AlgorithmIdentifier { SHA-2 n, NULL }, OCTET STRING } */
#define DIGESTINFO_SHA2(len, n)                                                \
	{                                                                      \
		0x30, (len) + 17, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48,    \
		    0x01, 0x65, 0x03, 0x04, 0x02, (n), 0x05, 0x00, 0x04, (len) \
	}

/* The PKCS#1 v1.5 algorithms: OID, hash, DigestInfo prefix. */
static const struct pkcs1 {
	uint8_t oid[9];
	const struct nettle_hash *hash;
	uint8_t prefix[19];
	size_t prefixlen;
} pkcs1[] = {
    {{OID_PKCS1(0x05)}, &nettle_sha1,
	{0x30, 0x21, 0x30, 0x09, 0x06, 0x05, 0x2b, 0x0e, 0x03, 0x02, 0x1a, 0x05,
	    0x00, 0x04, 0x14},
	15},
    {{OID_PKCS1(0x0b)}, &nettle_sha256, DIGESTINFO_SHA2(32, 1), 19},
    {{OID_PKCS1(0x0c)}, &nettle_sha384, DIGESTINFO_SHA2(48, 2), 19},
    {{OID_PKCS1(0x0d)}, &nettle_sha512, DIGESTINFO_SHA2(64, 3), 19},
};

union hash_ctx {
	struct sha1_ctx sha1;
	struct sha256_ctx sha256;
	struct sha512_ctx sha512;
};

static void
digest(
    const struct nettle_hash *h, const uint8_t *data, size_t len, uint8_t *out)
{
	union hash_ctx ctx;

	h->init(&ctx);
	h->update(&ctx, len, data);
	h->digest(&ctx, h->digest_size, out);
}

/* AlgorithmIdentifier { sha256, NULL }, as openssl writes it in PSS. */
static void
put_sha256_algid(struct der_out *d)
{
	der_put_algid(d, oid_sha256, sizeof(oid_sha256), 1);
}

void
x509_put_sigalg(struct der_out *d, int pss)
{
	size_t top = d->len, mark;

	if (!pss) {
		der_put_algid(d, oid_sha256_rsa, sizeof(oid_sha256_rsa), 1);
		return;
	}
	/* RSASSA-PSS-params: [0] hash, [1] MGF1(hash), [2] salt length. */
	mark = d->len;
	der_put_uint(d, PSS_SALT);
	der_wrap(d, X509_CTX(2), mark);
	mark = d->len;
	put_sha256_algid(d);
	der_put(d, DER_OID, oid_mgf1, sizeof(oid_mgf1));
	der_wrap(d, DER_SEQUENCE, mark);
	der_wrap(d, X509_CTX(1), mark);
	mark = d->len;
	put_sha256_algid(d);
	der_wrap(d, X509_CTX(0), mark);
	der_wrap(d, DER_SEQUENCE, top);
	der_put(d, DER_OID, oid_pss, sizeof(oid_pss));
	der_wrap(d, DER_SEQUENCE, top);
}

/* RSA signature of SHA-256(data) under k, k->pub.size octets into sig. */
static int
sign(const struct key_rsa *k, int pss, const uint8_t *data, size_t len,
    uint8_t *sig)
{
	uint8_t md[SHA256_DIGEST_SIZE], salt[PSS_SALT];
	mpz_t s;
	int ok;

	if (!k->has_private)
		return X509_EUNSUPPORTED;
	digest(&nettle_sha256, data, len, md);
	mpz_init(s);
	if (pss)
		ok = rand_fill(salt, sizeof(salt)) == 0 &&
		    rsa_pss_sha256_sign_digest_tr(&k->pub, &k->priv, NULL,
			rand_nettle, sizeof(salt), salt, md, s);
	else
		ok = rsa_sha256_sign_digest_tr(
		    &k->pub, &k->priv, NULL, rand_nettle, md, s);
	if (ok)
		nettle_mpz_get_str_256(k->pub.size, sig, s);
	mpz_clear(s);
	return ok ? X509_OK : X509_EUNSUPPORTED;
}

int
x509_signed_write(const uint8_t *tbs, size_t tbslen, const struct key_rsa *k,
    int pss, uint8_t *out, size_t max, size_t *len)
{
	uint8_t sig[KEY_BITS_MAX / 8], unused = 0;
	struct der_out d;
	int rv;

	if (k->pub.size > sizeof(sig))
		return X509_EUNSUPPORTED;
	if ((rv = sign(k, pss, tbs, tbslen, sig)) != X509_OK)
		return rv;
	der_out_init(&d, out, max);
	der_put_raw(&d, sig, k->pub.size);
	der_put_raw(&d, &unused, 1);
	der_wrap(&d, DER_BITSTRING, 0);
	x509_put_sigalg(&d, pss);
	der_put_raw(&d, tbs, tbslen);
	der_wrap(&d, DER_SEQUENCE, 0);
	return der_out_finish(&d, len) == -1 ? X509_ESPACE : X509_OK;
}

int
x509_signed_open(struct x509_signed *s, const uint8_t *der, size_t len)
{
	struct x509_rd r, in;
	struct x509_tlv bits;

	if (len > X509_DER_MAX || x509_der_check(der, len) == -1)
		return X509_EFORMAT;
	x509_rd_init(&r, der, len);
	if (x509_rd_enter(&r, DER_SEQUENCE, &in) == -1 ||
	    x509_rd_expect(&in, DER_SEQUENCE, &s->tbs) == -1 ||
	    x509_rd_expect(&in, DER_SEQUENCE, &s->alg) == -1 ||
	    x509_rd_expect(&in, DER_BITSTRING, &bits) == -1 || in.left != 0 ||
	    bits.len < 2 || bits.data[0] != 0)
		return X509_EFORMAT;
	s->sig = bits.data + 1;
	s->siglen = bits.len - 1;
	return X509_OK;
}

/* The OID of the AlgorithmIdentifier alg, and the reader at its params. */
static int
open_algid(const uint8_t *alg, size_t len, struct x509_tlv *oid,
    struct x509_rd *params)
{
	struct x509_rd r;

	x509_rd_init(&r, alg, len);
	if (x509_rd_enter(&r, DER_SEQUENCE, params) == -1 || r.left != 0 ||
	    x509_rd_expect(params, DER_OID, oid) == -1)
		return -1;
	return 0;
}

static int
oid_is(const struct x509_tlv *oid, const uint8_t *want, size_t n)
{
	return oid->len == n && memcmp(oid->data, want, n) == 0;
}

/* Parameters absent or one NULL. */
static int
params_null(struct x509_rd *params)
{
	struct x509_tlv t;

	if (params->left == 0)
		return 1;
	return x509_rd_expect(params, DER_NULL, &t) == 0 && t.len == 0 &&
	    params->left == 0;
}

int
x509_sigalg_is_pss(const uint8_t *alg, size_t len)
{
	struct x509_tlv oid;
	struct x509_rd params;

	return open_algid(alg, len, &oid, &params) == 0 &&
	    oid_is(&oid, oid_pss, sizeof(oid_pss));
}

/* [n] EXPLICIT around the next element, if that is what comes next. */
static int
tagged(struct x509_rd *r, int n, struct x509_rd *in)
{
	if (x509_rd_peek(r) != X509_CTX(n))
		return 0;
	return x509_rd_enter(r, X509_CTX(n), in) == 0 ? 1 : -1;
}

/* An AlgorithmIdentifier { sha256, NULL or nothing } filling in. */
static int
is_sha256(struct x509_rd *in)
{
	struct x509_tlv oid, t;
	struct x509_rd params;

	if (x509_rd_expect(in, DER_SEQUENCE, &t) == -1 || in->left != 0 ||
	    open_algid(t.tlv, t.tlvlen, &oid, &params) == -1)
		return 0;
	return oid_is(&oid, oid_sha256, sizeof(oid_sha256)) &&
	    params_null(&params);
}

/* Small non-negative INTEGER (as the salt length and trailer field). */
static int
get_small(struct x509_rd *in, size_t *v)
{
	struct x509_tlv t;
	size_t i;

	if (x509_rd_expect(in, DER_INTEGER, &t) == -1 || in->left != 0 ||
	    t.len == 0 || t.len > 2 || (t.data[0] & 0x80) ||
	    (t.len == 2 && t.data[0] == 0 && !(t.data[1] & 0x80)))
		return -1;
	for (*v = 0, i = 0; i < t.len; i++)
		*v = *v << 8 | t.data[i];
	return 0;
}

/*
 * RSASSA-PSS-params with SHA-256 and MGF1-SHA-256 (the defaults, SHA-1,
 * are refused); sets the salt length.
 */
static int
pss_params(struct x509_rd *params, size_t *salt)
{
	struct x509_rd seq, in, mgf;
	struct x509_tlv oid;
	size_t trailer;

	if (x509_rd_enter(params, DER_SEQUENCE, &seq) == -1 ||
	    params->left != 0)
		return X509_EFORMAT;
	if (tagged(&seq, 0, &in) != 1 || !is_sha256(&in))
		return X509_EUNSUPPORTED;
	if (tagged(&seq, 1, &in) != 1 ||
	    x509_rd_enter(&in, DER_SEQUENCE, &mgf) == -1 || in.left != 0 ||
	    x509_rd_expect(&mgf, DER_OID, &oid) == -1 ||
	    !oid_is(&oid, oid_mgf1, sizeof(oid_mgf1)) || !is_sha256(&mgf))
		return X509_EUNSUPPORTED;
	*salt = 20;
	switch (tagged(&seq, 2, &in)) {
	case -1:
		return X509_EFORMAT;
	case 1:
		if (get_small(&in, salt) == -1)
			return X509_EFORMAT;
	}
	switch (tagged(&seq, 3, &in)) {
	case -1:
		return X509_EFORMAT;
	case 1:
		if (get_small(&in, &trailer) == -1 || trailer != 1)
			return X509_EUNSUPPORTED;
	}
	return seq.left == 0 ? X509_OK : X509_EFORMAT;
}

static int
check_pkcs1(const struct rsa_public_key *pub, const struct pkcs1 *a,
    const uint8_t *data, size_t len, const mpz_t s)
{
	uint8_t info[19 + SHA512_DIGEST_SIZE];

	memcpy(info, a->prefix, a->prefixlen);
	digest(a->hash, data, len, info + a->prefixlen);
	return rsa_pkcs1_verify(
	    pub, a->prefixlen + a->hash->digest_size, info, s);
}

static int
check_pss(const struct rsa_public_key *pub, struct x509_rd *params,
    const uint8_t *data, size_t len, const mpz_t s)
{
	uint8_t md[SHA256_DIGEST_SIZE];
	size_t salt;
	int rv;

	if ((rv = pss_params(params, &salt)) != X509_OK)
		return rv;
	digest(&nettle_sha256, data, len, md);
	return rsa_pss_sha256_verify_digest(pub, salt, md, s) ? X509_OK
							      : X509_ESIG;
}

int
x509_sig_check(const struct rsa_public_key *pub, const uint8_t *alg,
    size_t alglen, const uint8_t *data, size_t len, const uint8_t *sig,
    size_t siglen)
{
	struct x509_tlv oid;
	struct x509_rd params;
	mpz_t s;
	size_t i;
	int rv = X509_EUNSUPPORTED;

	if (open_algid(alg, alglen, &oid, &params) == -1)
		return X509_EFORMAT;
	/* As openssl: the signature is exactly as long as the modulus. */
	if (siglen != pub->size)
		return X509_ESIG;
	mpz_init(s);
	nettle_mpz_set_str_256_u(s, siglen, sig);
	if (oid_is(&oid, oid_pss, sizeof(oid_pss)))
		rv = check_pss(pub, &params, data, len, s);
	for (i = 0; i < sizeof(pkcs1) / sizeof(pkcs1[0]); i++)
		if (oid_is(&oid, pkcs1[i].oid, sizeof(pkcs1[i].oid))) {
			if (!params_null(&params))
				rv = X509_EFORMAT;
			else
				rv = check_pkcs1(pub, &pkcs1[i], data, len, s)
				    ? X509_OK
				    : X509_ESIG;
		}
	mpz_clear(s);
	return rv;
}
