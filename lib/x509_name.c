/*
 * x509_name: Names as openssl's -subj writes them (one attribute per RDN,
 * in the order given, UTF8String but PrintableString for C), their CN read
 * back from DER, and the check that a CN is safe as a user or file name.
 */
#include <string.h>

#include "x509_int.h"

#define ATTRS_MAX 16 /* attributes in one -subj */

static const struct attr {
	const char *key;
	uint8_t oid; /* last octet of 2.5.4.x */
	size_t max; /* upper bounds of RFC 5280 appendix A */
	uint8_t tag;
} attrs[] = {
    {"CN", 3, X509_CN_MAX, X509_UTF8STRING},
    {"C", 6, 2, X509_PRINTABLESTRING},
    {"L", 7, 128, X509_UTF8STRING},
    {"ST", 8, 128, X509_UTF8STRING},
    {"O", 10, 64, X509_UTF8STRING},
    {"OU", 11, 64, X509_UTF8STRING},
};

struct value {
	const struct attr *a;
	const char *s;
	size_t n;
};

static const struct attr *
find_attr(const char *key, size_t n)
{
	size_t i;

	for (i = 0; i < sizeof(attrs) / sizeof(attrs[0]); i++)
		if (strlen(attrs[i].key) == n &&
		    memcmp(attrs[i].key, key, n) == 0)
			return &attrs[i];
	return NULL;
}

/* A value's text up to an unescaped '/', unescaped into buf. */
static int
get_value(const char **sp, char *buf, size_t max, size_t *n)
{
	const char *s = *sp;

	for (*n = 0; *s != '\0' && *s != '/'; s++) {
		if (*s == '\\' && *++s == '\0')
			return -1;
		if ((unsigned char)*s < 0x20 || *s == 0x7f || *n == max)
			return -1;
		buf[(*n)++] = *s;
	}
	*sp = s;
	return 0;
}

static int
value_ok(const struct value *v)
{
	if (v->n == 0 || v->n > v->a->max)
		return 0;
	if (v->a->tag == X509_PRINTABLESTRING)
		for (size_t i = 0; i < v->n; i++)
			if (!((v->s[i] >= 'A' && v->s[i] <= 'Z') ||
				(v->s[i] >= 'a' && v->s[i] <= 'z')))
				return 0;
	return 1;
}

/* Splits subj into vals (their text in buf); returns the count or -1. */
static int
split(const char *subj, struct value *vals, char *buf, size_t max)
{
	const char *eq;
	size_t used = 0;
	int n = 0, cn = 0;

	if (*subj != '/')
		return -1;
	while (*subj++ == '/') {
		if (n == ATTRS_MAX || (eq = strchr(subj, '=')) == NULL ||
		    (vals[n].a = find_attr(subj, eq - subj)) == NULL)
			return -1;
		subj = eq + 1;
		vals[n].s = buf + used;
		if (get_value(&subj, buf + used, max - used, &vals[n].n) ==
			-1 ||
		    !value_ok(&vals[n]))
			return -1;
		used += vals[n].n;
		cn += vals[n].a->oid == 3;
		n++;
	}
	return cn == 1 ? n : -1;
}

int
x509_name_from_subj(const char *subj, uint8_t *out, size_t max, size_t *len)
{
	struct value vals[ATTRS_MAX];
	char buf[X509_NAME_MAX];
	uint8_t oid[3] = {0x55, 0x04, 0};
	struct der_out d;
	size_t top, mark;
	int i, n;

	if ((n = split(subj, vals, buf, sizeof(buf))) == -1)
		return X509_ENAME;
	der_out_init(&d, out, max);
	top = d.len;
	for (i = n - 1; i >= 0; i--) {
		mark = d.len;
		der_put(
		    &d, vals[i].a->tag, (const uint8_t *)vals[i].s, vals[i].n);
		oid[2] = vals[i].a->oid;
		der_put(&d, DER_OID, oid, sizeof(oid));
		der_wrap(&d, DER_SEQUENCE, mark);
		der_wrap(&d, X509_SET, mark);
	}
	der_wrap(&d, DER_SEQUENCE, top);
	if (der_out_finish(&d, len) == -1)
		return X509_ESPACE;
	return *len > X509_NAME_MAX ? X509_ENAME : X509_OK;
}

int
x509_cn_safe(const char *cn)
{
	size_t i, n = strlen(cn);

	if (n == 0 || n > X509_CN_MAX || cn[0] == '.' || cn[0] == '-')
		return 0;
	for (i = 0; i < n; i++)
		if (!((cn[i] >= 'A' && cn[i] <= 'Z') ||
			(cn[i] >= 'a' && cn[i] <= 'z') ||
			(cn[i] >= '0' && cn[i] <= '9') || cn[i] == '.' ||
			cn[i] == '_' || cn[i] == '-'))
			return 0;
	return 1;
}

/* A commonName's value as text: a string type, no NUL, in bounds. */
static int
read_cn(const struct x509_tlv *v, struct x509_name *n)
{
	if (v->tag != X509_UTF8STRING && v->tag != X509_PRINTABLESTRING &&
	    v->tag != X509_IA5STRING && v->tag != X509_T61STRING)
		return X509_EUNSUPPORTED;
	if (v->len == 0 || v->len > X509_CN_MAX ||
	    memchr(v->data, '\0', v->len) != NULL)
		return X509_EFORMAT;
	memcpy(n->cn, v->data, v->len);
	n->cn[v->len] = '\0';
	return X509_OK;
}

/* One RelativeDistinguishedName: SET OF SEQUENCE { OID, value }. */
static int
read_rdn(struct x509_rd *r, struct x509_name *n)
{
	static const uint8_t cn_oid[] = {0x55, 0x04, 0x03};
	struct x509_rd set, atv;
	struct x509_tlv oid, v;
	int rv;

	if (x509_rd_enter(r, X509_SET, &set) == -1 || set.left == 0)
		return X509_EFORMAT;
	while (set.left > 0) {
		if (x509_rd_enter(&set, DER_SEQUENCE, &atv) == -1 ||
		    x509_rd_expect(&atv, DER_OID, &oid) == -1 ||
		    x509_rd_get(&atv, &v) == -1 || atv.left != 0)
			return X509_EFORMAT;
		/* The last CN is the most specific one. */
		if (oid.len == sizeof(cn_oid) &&
		    memcmp(oid.data, cn_oid, sizeof(cn_oid)) == 0 &&
		    (rv = read_cn(&v, n)) != X509_OK)
			return rv;
	}
	return X509_OK;
}

int
x509_name_read(struct x509_rd *r, struct x509_name *n)
{
	struct x509_tlv t;
	struct x509_rd in;
	int rv;

	n->cn[0] = '\0';
	if (x509_rd_expect(r, DER_SEQUENCE, &t) == -1 ||
	    t.tlvlen > X509_NAME_MAX)
		return X509_EFORMAT;
	n->der = t.tlv;
	n->derlen = t.tlvlen;
	x509_rd_init(&in, t.data, t.len);
	while (in.left > 0)
		if ((rv = read_rdn(&in, n)) != X509_OK)
			return rv;
	return X509_OK;
}
