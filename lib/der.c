/*
 * der: checked steps over Nettle's DER iterator (which already bounds every
 * length by the data it has), and a back-to-front DER writer in the manner
 * of mbed TLS asn1write, so that no length is guessed or patched later.
 */
#include <string.h>

#include <nettle/bignum.h>

#include "der.h"

int
der_open(struct asn1_der_iterator *i, const uint8_t *der, size_t len)
{
	enum asn1_iterator_result r;

	if (asn1_der_iterator_first(i, len, der) != ASN1_ITERATOR_CONSTRUCTED ||
	    i->type != ASN1_SEQUENCE)
		return -1;
	/* Checks that nothing follows the SEQUENCE. */
	r = asn1_der_decode_constructed_last(i);
	return r == ASN1_ITERATOR_PRIMITIVE || r == ASN1_ITERATOR_CONSTRUCTED
	    ? 0
	    : -1;
}

int
der_next(struct asn1_der_iterator *i, enum asn1_type type)
{
	enum asn1_iterator_result r = asn1_der_iterator_next(i);

	if (r != ASN1_ITERATOR_PRIMITIVE && r != ASN1_ITERATOR_CONSTRUCTED)
		return -1;
	return i->type == type ? 0 : -1;
}

int
der_enter(struct asn1_der_iterator *i, enum asn1_type type,
    struct asn1_der_iterator *in)
{
	enum asn1_iterator_result r;

	/* Nettle asserts on a primitive element: check the type first. */
	if (i->type != type || !(type & ASN1_TYPE_CONSTRUCTED))
		return -1;
	r = asn1_der_decode_constructed(i, in);
	return r == ASN1_ITERATOR_PRIMITIVE || r == ASN1_ITERATOR_CONSTRUCTED
	    ? 0
	    : -1;
}

int
der_end(struct asn1_der_iterator *i)
{
	return asn1_der_iterator_next(i) == ASN1_ITERATOR_END ? 0 : -1;
}

int
der_get_uint32(const struct asn1_der_iterator *i, uint32_t *x)
{
	const uint8_t *p = i->data;
	size_t n = i->length, k;

	/* Minimal two's complement: no sign bit, no redundant zero octet. */
	if (i->type != ASN1_INTEGER || n == 0 || n > 5 || (p[0] & 0x80) ||
	    (n > 1 && p[0] == 0 && !(p[1] & 0x80)) || (n == 5 && p[0] != 0))
		return -1;
	*x = 0;
	for (k = 0; k < n; k++)
		*x = *x << 8 | p[k];
	return 0;
}

int
der_get_algid(struct asn1_der_iterator *i, struct der_algid *a)
{
	struct asn1_der_iterator in;
	enum asn1_iterator_result r;

	/* AlgorithmIdentifier ::= SEQUENCE { OID, parameters ANY OPTIONAL } */
	if (der_enter(i, ASN1_SEQUENCE, &in) == -1 ||
	    in.type != ASN1_IDENTIFIER || in.length == 0)
		return -1;
	a->oid = in.data;
	a->oidlen = in.length;
	r = asn1_der_iterator_next(&in);
	if (r == ASN1_ITERATOR_END) {
		a->has_params = 0;
		return 0;
	}
	if (r == ASN1_ITERATOR_ERROR)
		return -1;
	a->has_params = 1;
	a->params = in;
	return der_end(&in);
}

int
der_oid_is(const struct der_algid *a, const uint8_t *oid, size_t n)
{
	return a->oidlen == n && memcmp(a->oid, oid, n) == 0;
}

int
der_params_null(const struct der_algid *a)
{
	return !a->has_params ||
	    (a->params.type == ASN1_NULL && a->params.length == 0);
}

void
der_out_init(struct der_out *d, uint8_t *buf, size_t max)
{
	d->buf = buf;
	d->max = max;
	d->len = 0;
	d->overflow = 0;
}

uint8_t *
der_reserve(struct der_out *d, size_t n)
{
	if (d->overflow || n > d->max - d->len) {
		d->overflow = 1;
		return NULL;
	}
	d->len += n;
	return d->buf + d->max - d->len;
}

void
der_put_raw(struct der_out *d, const uint8_t *p, size_t n)
{
	uint8_t *dst;

	if ((dst = der_reserve(d, n)) != NULL && n > 0)
		memcpy(dst, p, n);
}

static void
der_put_header(struct der_out *d, uint8_t tag, size_t len)
{
	uint8_t h[1 + 1 + sizeof(size_t)];
	size_t n = 0, v;

	/* Short form below 128, else 0x80 | count, then big-endian octets. */
	if (len < 0x80)
		h[sizeof(h) - ++n] = (uint8_t)len;
	else {
		for (v = len; v > 0; v >>= 8)
			h[sizeof(h) - ++n] = (uint8_t)v;
		h[sizeof(h) - n - 1] = (uint8_t)(0x80 | n);
		n++;
	}
	h[sizeof(h) - ++n] = tag;
	der_put_raw(d, h + sizeof(h) - n, n);
}

void
der_put(struct der_out *d, uint8_t tag, const uint8_t *p, size_t n)
{
	der_put_raw(d, p, n);
	der_put_header(d, tag, n);
}

void
der_wrap(struct der_out *d, uint8_t tag, size_t mark)
{
	if (!d->overflow)
		der_put_header(d, tag, d->len - mark);
}

void
der_put_mpz(struct der_out *d, const mpz_t x)
{
	/* The signed size gives the leading zero octet DER needs. */
	size_t n = nettle_mpz_sizeinbase_256_s(x);
	uint8_t *dst;

	if ((dst = der_reserve(d, n)) == NULL)
		return;
	nettle_mpz_get_str_256(n, dst, x);
	der_put_header(d, DER_INTEGER, n);
}

void
der_put_uint(struct der_out *d, unsigned long v)
{
	uint8_t b[1 + sizeof(v)];
	size_t n = 0;

	do {
		b[sizeof(b) - ++n] = (uint8_t)v;
		v >>= 8;
	} while (v > 0);
	if (b[sizeof(b) - n] & 0x80)
		b[sizeof(b) - ++n] = 0;
	der_put(d, DER_INTEGER, b + sizeof(b) - n, n);
}

void
der_put_algid(struct der_out *d, const uint8_t *oid, size_t n, int null_params)
{
	size_t mark = d->len;

	if (null_params)
		der_put(d, DER_NULL, NULL, 0);
	der_put(d, DER_OID, oid, n);
	der_wrap(d, DER_SEQUENCE, mark);
}

int
der_out_finish(struct der_out *d, size_t *len)
{
	if (d->overflow)
		return -1;
	memmove(d->buf, d->buf + d->max - d->len, d->len);
	*len = d->len;
	return 0;
}
