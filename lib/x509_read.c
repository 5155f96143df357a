/*
 * x509_read: PKCS#10 requests and X.509 certificates from DER, field by
 * field with exact tags (x509_der.c checks the encoding first).  A request
 * is accepted only with a valid signature by its own key; a certificate is
 * parsed here and checked against its issuer in x509_verify.c.
 */
#include <string.h>

#include "x509_int.h"

#define EXTS_MAX 32 /* extensions in one certificate */

#define OID_CE(x) 0x55, 0x1d, (x) /* 2.5.29.x */
static const uint8_t oid_basic[] = {OID_CE(0x13)};
static const uint8_t oid_ku[] = {OID_CE(0x0f)};
/* Critical extensions that do not stop the certificate being used. */
static const uint8_t known[][3] = {
    {OID_CE(0x0e)}, /* subjectKeyIdentifier */
    {OID_CE(0x11)}, /* subjectAltName */
    {OID_CE(0x23)}, /* authorityKeyIdentifier */
    {OID_CE(0x25)}, /* extKeyUsage */
};

static int
oid_is(const struct x509_tlv *t, const uint8_t *oid, size_t n)
{
	return t->len == n && memcmp(t->data, oid, n) == 0;
}

int
x509_spki_read(struct x509_rd *r, const uint8_t **spki, size_t *len,
    struct rsa_public_key *pub)
{
	struct x509_tlv t;
	struct key_rsa k;
	int rv;

	if (x509_rd_expect(r, DER_SEQUENCE, &t) == -1)
		return X509_EFORMAT;
	*spki = t.tlv;
	*len = t.tlvlen;
	key_init(&k);
	rv = key_parse(&k, t.tlv, t.tlvlen, NULL, 0);
	if (rv == KEY_OK && !k.has_private) {
		mpz_set(pub->n, k.pub.n);
		mpz_set(pub->e, k.pub.e);
		if (!rsa_public_key_prepare(pub))
			rv = KEY_EFORMAT;
	} else if (rv == KEY_OK)
		rv = KEY_EFORMAT;
	key_clear(&k);
	if (rv == KEY_ENOTRSA || rv == KEY_EUNSUPPORTED)
		return X509_EUNSUPPORTED;
	if (rv == KEY_ETOOBIG)
		return X509_ETOOBIG;
	return rv == KEY_OK ? X509_OK : X509_EFORMAT;
}

void
x509_csr_clear(struct x509_csr *c)
{
	rsa_public_key_clear(&c->pub);
}

int
x509_csr_parse(struct x509_csr *c, const uint8_t *der, size_t len)
{
	struct x509_signed s;
	struct x509_rd r;
	struct x509_tlv t;
	int rv;

	memset(&c->subject, 0, sizeof(c->subject));
	c->spki = NULL;
	c->spkilen = 0;
	rsa_public_key_init(&c->pub);
	if ((rv = x509_signed_open(&s, der, len)) != X509_OK)
		return rv;
	/* SEQUENCE { version 0, subject, SPKI, [0] attributes } */
	x509_rd_init(&r, s.tbs.data, s.tbs.len);
	if (x509_rd_expect(&r, DER_INTEGER, &t) == -1 || t.len != 1 ||
	    t.data[0] != 0)
		return X509_EFORMAT;
	if ((rv = x509_name_read(&r, &c->subject)) != X509_OK ||
	    (rv = x509_spki_read(&r, &c->spki, &c->spkilen, &c->pub)) !=
		X509_OK)
		return rv;
	if (x509_rd_expect(&r, X509_CTX(0), &t) == -1 || r.left != 0)
		return X509_EFORMAT;
	return x509_sig_check(&c->pub, s.alg.tlv, s.alg.tlvlen, s.tbs.tlv,
	    s.tbs.tlvlen, s.sig, s.siglen);
}

/* Days since 1970-01-01 of a proleptic Gregorian date (Hinnant). */
static long long
days_from_civil(long long y, unsigned m, unsigned d)
{
	long long era;
	unsigned yoe, doy, doe;

	y -= m <= 2;
	era = y / 400;
	yoe = (unsigned)(y - era * 400);
	doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + (long long)doe - 719468;
}

/* n decimal digits at p, or -1. */
static int
digits(const uint8_t *p, int n)
{
	int v = 0;

	while (n-- > 0) {
		if (*p < '0' || *p > '9')
			return -1;
		v = v * 10 + (*p++ - '0');
	}
	return v;
}

/* UTCTime YYMMDDHHMMSSZ or GeneralizedTime YYYYMMDDHHMMSSZ (RFC 5280). */
static int
get_time(struct x509_rd *r, time_t *t)
{
	static const int mdays[] = {
	    31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	struct x509_tlv v;
	const uint8_t *p;
	int y, mo, d, h, mi, s, leap;

	if (x509_rd_get(r, &v) == -1)
		return -1;
	if (v.tag == X509_UTCTIME && v.len == 13) {
		if ((y = digits(v.data, 2)) == -1)
			return -1;
		y += y < 50 ? 2000 : 1900;
		p = v.data + 2;
	} else if (v.tag == X509_GENTIME && v.len == 15) {
		if ((y = digits(v.data, 4)) == -1)
			return -1;
		p = v.data + 4;
	} else
		return -1;
	mo = digits(p, 2);
	d = digits(p + 2, 2);
	h = digits(p + 4, 2);
	mi = digits(p + 6, 2);
	s = digits(p + 8, 2);
	leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
	if (p[10] != 'Z' || mo < 1 || mo > 12 || d < 1 ||
	    d > mdays[mo - 1] - (mo == 2 && !leap) || h < 0 || h > 23 ||
	    mi < 0 || mi > 59 || s < 0 || s > 59)
		return -1;
	*t = (time_t)(days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 +
	    s);
	return 0;
}

/* serialNumber: a non-negative INTEGER of at most X509_SERIAL_MAX octets. */
static int
get_serial(struct x509_rd *r, struct x509_cert *c)
{
	struct x509_tlv t;
	const uint8_t *p;
	size_t n;

	if (x509_rd_expect(r, DER_INTEGER, &t) == -1 || t.len == 0 ||
	    (t.data[0] & 0x80) ||
	    (t.len > 1 && t.data[0] == 0 && !(t.data[1] & 0x80)))
		return -1;
	p = t.data;
	n = t.len;
	if (n > 1 && p[0] == 0) {
		p++;
		n--;
	}
	if (n > X509_SERIAL_MAX)
		return -1;
	memcpy(c->serial, p, n);
	c->seriallen = n;
	return 0;
}

/* BasicConstraints ::= SEQUENCE { cA BOOLEAN DEFAULT FALSE, pathLen } */
static int
basic_constraints(const struct x509_tlv *v, struct x509_cert *c)
{
	struct x509_rd r, seq;
	struct x509_tlv t;

	x509_rd_init(&r, v->data, v->len);
	if (x509_rd_enter(&r, DER_SEQUENCE, &seq) == -1 || r.left != 0)
		return -1;
	if (x509_rd_peek(&seq) == X509_BOOLEAN) {
		if (x509_rd_get(&seq, &t) == -1 || t.len != 1 ||
		    (t.data[0] != 0 && t.data[0] != 0xff))
			return -1;
		c->is_ca = t.data[0] == 0xff;
	}
	if (x509_rd_peek(&seq) == DER_INTEGER && x509_rd_get(&seq, &t) == -1)
		return -1;
	return seq.left == 0 ? 0 : -1;
}

/* KeyUsage ::= BIT STRING; keyCertSign is bit 5. */
static int
key_usage(const struct x509_tlv *v, struct x509_cert *c)
{
	struct x509_rd r;
	struct x509_tlv t;

	x509_rd_init(&r, v->data, v->len);
	if (x509_rd_expect(&r, DER_BITSTRING, &t) == -1 || r.left != 0 ||
	    t.len < 1 || t.data[0] > 7 || (t.len == 1 && t.data[0] != 0))
		return -1;
	c->cert_sign = t.len > 1 && (t.data[1] & 0x04);
	return 0;
}

/* Extension ::= SEQUENCE { OID, critical BOOLEAN DEFAULT FALSE, OCTETS } */
static int
extension(struct x509_rd *r, struct x509_cert *c, struct x509_tlv *oid)
{
	struct x509_rd ext;
	struct x509_tlv crit = {0}, v;
	size_t i;

	if (x509_rd_enter(r, DER_SEQUENCE, &ext) == -1 ||
	    x509_rd_expect(&ext, DER_OID, oid) == -1)
		return X509_EFORMAT;
	if (x509_rd_peek(&ext) == X509_BOOLEAN &&
	    (x509_rd_get(&ext, &crit) == -1 || crit.len != 1 ||
		(crit.data[0] != 0 && crit.data[0] != 0xff)))
		return X509_EFORMAT;
	if (x509_rd_expect(&ext, DER_OCTETSTRING, &v) == -1 || ext.left != 0)
		return X509_EFORMAT;
	if (oid_is(oid, oid_basic, sizeof(oid_basic)))
		return basic_constraints(&v, c) == 0 ? X509_OK : X509_EFORMAT;
	if (oid_is(oid, oid_ku, sizeof(oid_ku)))
		return key_usage(&v, c) == 0 ? X509_OK : X509_EFORMAT;
	for (i = 0; i < sizeof(known) / sizeof(known[0]); i++)
		if (oid_is(oid, known[i], sizeof(known[i])))
			return X509_OK;
	/* RFC 5280 4.2: an unrecognised critical extension is refused. */
	return crit.len == 1 && crit.data[0] == 0xff ? X509_EUNSUPPORTED
						     : X509_OK;
}

/* [3] EXPLICIT SEQUENCE SIZE (1..MAX) OF Extension, each OID once. */
static int
extensions(struct x509_rd *r, struct x509_cert *c)
{
	struct x509_rd in, seq;
	struct x509_tlv oids[EXTS_MAX];
	size_t n = 0, i;
	int rv;

	if (x509_rd_enter(r, X509_CTX(3), &in) == -1 ||
	    x509_rd_enter(&in, DER_SEQUENCE, &seq) == -1 || in.left != 0 ||
	    seq.left == 0)
		return X509_EFORMAT;
	while (seq.left > 0) {
		if (n == EXTS_MAX)
			return X509_EFORMAT;
		if ((rv = extension(&seq, c, &oids[n])) != X509_OK)
			return rv;
		for (i = 0; i < n; i++)
			if (oids[i].len == oids[n].len &&
			    memcmp(oids[i].data, oids[n].data, oids[n].len) ==
				0)
				return X509_EFORMAT;
		n++;
	}
	return X509_OK;
}

/* version [0] EXPLICIT: absent for v1, else 1 (v2) or 2 (v3). */
static int
get_version(struct x509_rd *r, int *v)
{
	struct x509_rd in;
	struct x509_tlv t;

	*v = 0;
	if (x509_rd_peek(r) != X509_CTX(0))
		return 0;
	if (x509_rd_enter(r, X509_CTX(0), &in) == -1 ||
	    x509_rd_expect(&in, DER_INTEGER, &t) == -1 || in.left != 0 ||
	    t.len != 1 || t.data[0] < 1 || t.data[0] > 2)
		return -1;
	*v = t.data[0];
	return 0;
}

/* issuerUniqueID [1], subjectUniqueID [2] (v2 and v3), then extensions. */
static int
tbs_tail(struct x509_rd *r, struct x509_cert *c, int version)
{
	struct x509_tlv t;
	int rv;

	if (version >= 1 && x509_rd_peek(r) == 0x81 && x509_rd_get(r, &t) == -1)
		return X509_EFORMAT;
	if (version >= 1 && x509_rd_peek(r) == 0x82 && x509_rd_get(r, &t) == -1)
		return X509_EFORMAT;
	if (version == 2 && x509_rd_peek(r) == X509_CTX(3) &&
	    (rv = extensions(r, c)) != X509_OK)
		return rv;
	return r->left == 0 ? X509_OK : X509_EFORMAT;
}

static int
tbs_certificate(
    struct x509_rd *r, struct x509_cert *c, const struct x509_tlv *alg)
{
	struct x509_rd val;
	struct x509_tlv t;
	int rv, version;

	if (get_version(r, &version) == -1 || get_serial(r, c) == -1)
		return X509_EFORMAT;
	/* The signature field repeats the outer algorithm (RFC 5280). */
	if (x509_rd_expect(r, DER_SEQUENCE, &t) == -1 ||
	    t.tlvlen != alg->tlvlen || memcmp(t.tlv, alg->tlv, t.tlvlen) != 0)
		return X509_EFORMAT;
	if ((rv = x509_name_read(r, &c->issuer)) != X509_OK)
		return rv;
	if (x509_rd_enter(r, DER_SEQUENCE, &val) == -1 ||
	    get_time(&val, &c->not_before) == -1 ||
	    get_time(&val, &c->not_after) == -1 || val.left != 0)
		return X509_EFORMAT;
	if ((rv = x509_name_read(r, &c->subject)) != X509_OK ||
	    (rv = x509_spki_read(r, &c->spki, &c->spkilen, &c->pub)) != X509_OK)
		return rv;
	return tbs_tail(r, c, version);
}

void
x509_cert_clear(struct x509_cert *c)
{
	rsa_public_key_clear(&c->pub);
}

int
x509_cert_parse(struct x509_cert *c, const uint8_t *der, size_t len)
{
	struct x509_signed s;
	struct x509_rd r;
	int rv;

	memset(c, 0, sizeof(*c));
	c->cert_sign = 1;
	rsa_public_key_init(&c->pub);
	if ((rv = x509_signed_open(&s, der, len)) != X509_OK)
		return rv;
	c->tbs = s.tbs.tlv;
	c->tbslen = s.tbs.tlvlen;
	c->sigalg = s.alg.tlv;
	c->sigalglen = s.alg.tlvlen;
	c->sig = s.sig;
	c->siglen = s.siglen;
	c->pss = x509_sigalg_is_pss(s.alg.tlv, s.alg.tlvlen);
	x509_rd_init(&r, s.tbs.data, s.tbs.len);
	return tbs_certificate(&r, c, &s.alg);
}
