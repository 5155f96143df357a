/*
 * x509_der: the strict DER reader under the request and certificate
 * parsers.  Low-tag-number identifiers only, definite lengths in their
 * shortest form, contents within the enclosing element, and a nesting
 * bound, so that a hostile input is refused before any field is used.
 */
#include "x509_int.h"

void
x509_rd_init(struct x509_rd *r, const uint8_t *p, size_t len)
{
	r->p = p;
	r->left = len;
}

/* Reads a definite length at p (n octets left) into *len, or -1. */
static int
get_length(const uint8_t *p, size_t n, size_t *len, size_t *used)
{
	size_t k, i, v;

	if (n < 1)
		return -1;
	if (p[0] < 0x80) {
		*len = p[0];
		*used = 1;
		return 0;
	}
	/* 0x80 is the indefinite form; more than 4 octets is beyond bounds. */
	k = p[0] & 0x7f;
	if (k == 0 || k > 4 || n < 1 + k || p[1] == 0)
		return -1;
	for (v = 0, i = 1; i <= k; i++)
		v = v << 8 | p[i];
	/* The long form only where the short one cannot say it. */
	if (v < 0x80)
		return -1;
	*len = v;
	*used = 1 + k;
	return 0;
}

int
x509_rd_get(struct x509_rd *r, struct x509_tlv *t)
{
	size_t len, used;

	/* A tag number of 31 announces the high-tag-number form. */
	if (r->left < 2 || (r->p[0] & 0x1f) == 0x1f)
		return -1;
	if (get_length(r->p + 1, r->left - 1, &len, &used) == -1 ||
	    len > r->left - 1 - used)
		return -1;
	t->tag = r->p[0];
	t->tlv = r->p;
	t->tlvlen = 1 + used + len;
	t->data = r->p + 1 + used;
	t->len = len;
	r->p += t->tlvlen;
	r->left -= t->tlvlen;
	return 0;
}

int
x509_rd_expect(struct x509_rd *r, uint8_t tag, struct x509_tlv *t)
{
	if (x509_rd_get(r, t) == -1 || t->tag != tag)
		return -1;
	return 0;
}

int
x509_rd_peek(const struct x509_rd *r)
{
	return r->left > 0 ? r->p[0] : -1;
}

int
x509_rd_enter(struct x509_rd *r, uint8_t tag, struct x509_rd *in)
{
	struct x509_tlv t;

	if (x509_rd_expect(r, tag, &t) == -1)
		return -1;
	x509_rd_init(in, t.data, t.len);
	return 0;
}

static int
check_level(struct x509_rd *r, int depth)
{
	struct x509_tlv t;

	if (depth > X509_DEPTH_MAX)
		return -1;
	while (r->left > 0) {
		struct x509_rd in;

		if (x509_rd_get(r, &t) == -1)
			return -1;
		if (!(t.tag & 0x20))
			continue;
		x509_rd_init(&in, t.data, t.len);
		if (check_level(&in, depth + 1) == -1)
			return -1;
	}
	return 0;
}

int
x509_der_check(const uint8_t *der, size_t len)
{
	struct x509_rd r;
	struct x509_tlv t;

	x509_rd_init(&r, der, len);
	if (x509_rd_get(&r, &t) == -1 || r.left != 0)
		return -1;
	x509_rd_init(&r, der, len);
	return check_level(&r, 0);
}
