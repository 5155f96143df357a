/*
 * x509_write: a PKCS#10 request as `openssl req -new` writes it (no
 * attributes), and an X.509 v3 certificate with basicConstraints and
 * keyUsage (both critical), and subject and authority key identifiers
 * (SHA-1 of the key's BIT STRING contents, as openssl computes them).
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <nettle/sha1.h>

#include "rand.h"
#include "x509_int.h"

#define DAYS_MAX 3650000u /* ten thousand years: the end of GeneralizedTime */

/* A Name given by the caller: one SEQUENCE within bounds. */
static int
name_ok(const uint8_t *der, size_t len)
{
	return len >= 2 && len <= X509_NAME_MAX && der[0] == DER_SEQUENCE &&
	    x509_der_check(der, len) == 0;
}

int
x509_csr_write(const struct key_rsa *k, const uint8_t *name, size_t namelen,
    int pss, uint8_t *out, size_t max, size_t *len)
{
	uint8_t tbs[X509_DER_MAX], spki[KEY_DER_MAX];
	struct der_out d;
	size_t n, tbslen;

	if (!name_ok(name, namelen))
		return X509_ENAME;
	if (key_spki_der(k, spki, sizeof(spki), &n) != KEY_OK)
		return X509_ESPACE;
	/* SEQUENCE { 0, subject, SPKI, [0] {} } */
	der_out_init(&d, tbs, sizeof(tbs));
	der_put(&d, X509_CTX(0), NULL, 0);
	der_put_raw(&d, spki, n);
	der_put_raw(&d, name, namelen);
	der_put_uint(&d, 0);
	der_wrap(&d, DER_SEQUENCE, 0);
	if (der_out_finish(&d, &tbslen) == -1)
		return X509_ESPACE;
	return x509_signed_write(tbs, tbslen, k, pss, out, max, len);
}

/* SHA-1 of the subjectPublicKey BIT STRING's contents (RFC 5280 4.2.1.2). */
static int
key_id(const uint8_t *spki, size_t len, uint8_t id[SHA1_DIGEST_SIZE])
{
	struct x509_rd r, in;
	struct x509_tlv alg, bits;
	struct sha1_ctx ctx;

	x509_rd_init(&r, spki, len);
	if (x509_rd_enter(&r, DER_SEQUENCE, &in) == -1 || r.left != 0 ||
	    x509_rd_expect(&in, DER_SEQUENCE, &alg) == -1 ||
	    x509_rd_expect(&in, DER_BITSTRING, &bits) == -1 || in.left != 0 ||
	    bits.len < 2 || bits.data[0] != 0)
		return -1;
	sha1_init(&ctx);
	sha1_update(&ctx, bits.len - 1, bits.data + 1);
	sha1_digest(&ctx, SHA1_DIGEST_SIZE, id);
	return 0;
}

/* Closes an extension whose value was written since mark. */
static void
ext_wrap(struct der_out *d, uint8_t id, int critical, size_t mark)
{
	static const uint8_t yes = 0xff;
	const uint8_t oid[] = {0x55, 0x1d, id}; /* 2.5.29.id */

	der_wrap(d, DER_OCTETSTRING, mark);
	if (critical)
		der_put(d, X509_BOOLEAN, &yes, 1);
	der_put(d, DER_OID, oid, sizeof(oid));
	der_wrap(d, DER_SEQUENCE, mark);
}

/* [3] { basicConstraints, keyUsage, subjectKeyId, authorityKeyId } */
static void
put_extensions(
    struct der_out *d, int ca, const uint8_t *ski, const uint8_t *aki)
{
	static const uint8_t ku_ca[] = {0x01, 0x06}; /* keyCertSign|cRLSign */
	static const uint8_t ku_leaf[] = {0x05, 0xa0}; /* digSig|keyEnc */
	static const uint8_t yes = 0xff;
	size_t top = d->len, mark;

	mark = d->len;
	der_put(d, 0x80, aki, SHA1_DIGEST_SIZE); /* [0] keyIdentifier */
	der_wrap(d, DER_SEQUENCE, mark);
	ext_wrap(d, 0x23, 0, mark);
	mark = d->len;
	der_put(d, DER_OCTETSTRING, ski, SHA1_DIGEST_SIZE);
	ext_wrap(d, 0x0e, 0, mark);
	mark = d->len;
	der_put(d, DER_BITSTRING, ca ? ku_ca : ku_leaf, 2);
	ext_wrap(d, 0x0f, 1, mark);
	mark = d->len;
	if (ca)
		der_put(d, X509_BOOLEAN, &yes, 1);
	der_wrap(d, DER_SEQUENCE, mark);
	ext_wrap(d, 0x13, 1, mark);
	der_wrap(d, DER_SEQUENCE, top);
	der_wrap(d, X509_CTX(3), top);
}

/* UTCTime through 2049, GeneralizedTime after (RFC 5280 4.1.2.5). */
static int
put_time(struct der_out *d, time_t t)
{
	struct tm tm;
	char s[16];
	int y, n;

	if (gmtime_r(&t, &tm) == NULL)
		return -1;
	y = tm.tm_year + 1900;
	if (y < 1950 || y > 9999)
		return -1;
	if (y < 2050)
		n = snprintf(s, sizeof(s), "%02d", y % 100);
	else
		n = snprintf(s, sizeof(s), "%04d", y);
	n += snprintf(s + n, sizeof(s) - n, "%02d%02d%02d%02d%02dZ",
	    tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec);
	der_put(d, y < 2050 ? X509_UTCTIME : X509_GENTIME, (uint8_t *)s, n);
	return 0;
}

static int
put_validity(struct der_out *d, time_t from, unsigned days)
{
	size_t mark = d->len;

	if (days > DAYS_MAX || put_time(d, from + (time_t)days * 86400) == -1 ||
	    put_time(d, from) == -1)
		return -1;
	der_wrap(d, DER_SEQUENCE, mark);
	return 0;
}

/* A positive INTEGER from big-endian octets, without leading zeros. */
static int
put_serial(struct der_out *d, const uint8_t *p, size_t n)
{
	uint8_t b[1 + X509_SERIAL_MAX];

	while (n > 0 && p[0] == 0) {
		p++;
		n--;
	}
	if (n == 0 || n > X509_SERIAL_MAX)
		return -1;
	b[0] = 0;
	memcpy(b + 1, p, n);
	if (p[0] & 0x80)
		der_put(d, DER_INTEGER, b, n + 1);
	else
		der_put(d, DER_INTEGER, b + 1, n);
	return 0;
}

int
x509_cert_write(const struct x509_issue *is, const struct key_rsa *signer,
    uint8_t *out, size_t max, size_t *len)
{
	uint8_t tbs[X509_DER_MAX], spki[KEY_DER_MAX];
	uint8_t ski[SHA1_DIGEST_SIZE], aki[SHA1_DIGEST_SIZE];
	struct der_out d;
	size_t n, mark;

	if (!name_ok(is->issuer, is->issuerlen) ||
	    !name_ok(is->subject, is->subjectlen))
		return X509_ENAME;
	if (key_spki_der(signer, spki, sizeof(spki), &n) != KEY_OK ||
	    key_id(spki, n, aki) == -1 ||
	    key_id(is->spki, is->spkilen, ski) == -1)
		return X509_EFORMAT;
	der_out_init(&d, tbs, sizeof(tbs));
	put_extensions(&d, is->ca, ski, aki);
	der_put_raw(&d, is->spki, is->spkilen);
	der_put_raw(&d, is->subject, is->subjectlen);
	if (put_validity(&d, is->not_before, is->days) == -1)
		return X509_EFORMAT;
	der_put_raw(&d, is->issuer, is->issuerlen);
	x509_put_sigalg(&d, is->pss);
	if (put_serial(&d, is->serial, is->seriallen) == -1)
		return X509_EFORMAT;
	mark = d.len;
	der_put_uint(&d, 2); /* v3 */
	der_wrap(&d, X509_CTX(0), mark);
	der_wrap(&d, DER_SEQUENCE, 0);
	if (der_out_finish(&d, &n) == -1)
		return X509_ESPACE;
	return x509_signed_write(tbs, n, signer, is->pss, out, max, len);
}

int
x509_serial(uint8_t s[X509_SERIAL_RANDOM])
{
	if (rand_fill(s, X509_SERIAL_RANDOM) == -1)
		return -1;
	s[0] &= 0x7f;
	if (s[0] == 0)
		s[0] = 1;
	return 0;
}

void
x509_issue_request(struct x509_issue *is, const struct x509_cert *ca,
    const struct x509_csr *req)
{
	is->issuer = ca->subject.der;
	is->issuerlen = ca->subject.derlen;
	is->subject = req->subject.der;
	is->subjectlen = req->subject.derlen;
	is->spki = req->spki;
	is->spkilen = req->spkilen;
}
