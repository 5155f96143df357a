/*
 * key_multi: multi-prime RSA private keys (RFC 8017 A.1.2, RSAPrivateKey
 * version 1 with otherPrimeInfos), as openssl genpkey -pkeyopt
 * rsa_keygen_primes:3 writes them.  Nettle's private-key code knows two
 * factors only, so the key is folded into two: p, and the product of all
 * the others as q, with b and c to match.  The CRT still holds for that
 * pair, so Nettle's blinded, side-channel silent and checked operations
 * (rsa_*_tr, rsa_compute_root_tr) serve it unchanged.  The numbers as
 * read stay in k->multi for the writers.
 */
#include <nettle/bignum.h>

#include "der.h"
#include "key.h"

/* i is at a positive INTEGER of at most KEY_BITS_MAX bits. */
static int
number(struct asn1_der_iterator *i, mpz_t x)
{
	return i->type == ASN1_INTEGER &&
	    asn1_der_get_bignum(i, x, KEY_BITS_MAX) && mpz_sgn(x) > 0;
}

static int
next_number(struct asn1_der_iterator *i, mpz_t x)
{
	return asn1_der_iterator_next(i) == ASN1_ITERATOR_PRIMITIVE &&
	    number(i, x);
}

/* OtherPrimeInfos ::= SEQUENCE SIZE(1..MAX) OF { prime, exponent, coef } */
static int
get_others(struct asn1_der_iterator *i, struct key_multi *m)
{
	struct asn1_der_iterator all, one;
	enum asn1_iterator_result r;
	int j;

	if (der_next(i, ASN1_SEQUENCE) == -1 ||
	    der_enter(i, ASN1_SEQUENCE, &all) == -1 || der_end(i) == -1)
		return KEY_EFORMAT;
	for (j = 0;; j++) {
		if (j == KEY_PRIMES_MAX - 2)
			return KEY_EUNSUPPORTED;
		if (der_enter(&all, ASN1_SEQUENCE, &one) == -1 ||
		    !number(&one, m->other[j].r) ||
		    !next_number(&one, m->other[j].d) ||
		    !next_number(&one, m->other[j].t) || der_end(&one) == -1)
			return KEY_EFORMAT;
		m->extra = j + 1;
		if ((r = asn1_der_iterator_next(&all)) == ASN1_ITERATOR_END)
			return 0;
		if (r != ASN1_ITERATOR_CONSTRUCTED)
			return KEY_EFORMAT;
	}
}

/*
 * r is an odd prime factor above 1 with x = d mod (r - 1), the inverse of
 * e there; lcm (if not NULL) takes in r - 1.
 */
static int
prime_ok(const struct key_rsa *k, const mpz_t r, const mpz_t x, mpz_t lcm)
{
	mpz_t r1, v;
	int ok;

	if (!mpz_odd_p(r) || mpz_cmp_ui(r, 1) <= 0)
		return 0;
	mpz_init(r1);
	mpz_init(v);
	mpz_sub_ui(r1, r, 1);
	mpz_mod(v, k->priv.d, r1);
	ok = mpz_cmp(v, x) == 0;
	mpz_mul(v, k->pub.e, x);
	mpz_mod(v, v, r1);
	ok = ok && mpz_cmp_ui(v, 1) == 0;
	if (lcm != NULL)
		mpz_lcm(lcm, lcm, r1);
	mpz_clear(r1);
	mpz_clear(v);
	return ok;
}

/* t = 1/x mod r, t < r (which also makes x and r coprime). */
static int
coefficient_ok(const mpz_t t, const mpz_t x, const mpz_t r)
{
	mpz_t v;
	int ok;

	if (mpz_cmp(t, r) >= 0)
		return 0;
	mpz_init(v);
	mpz_mul(v, t, x);
	mpz_mod(v, v, r);
	ok = mpz_cmp_ui(v, 1) == 0;
	mpz_clear(v);
	return ok;
}

/*
 * Checks every prime against d, e and its coefficient (qinv = 1/q mod p;
 * t_i = 1/(p q r_3 ... r_i-1) mod r_i) and n against their product, then
 * folds: priv.q = n / p, b = d mod lcm(q - 1, r_i - 1), c = 1/priv.q mod p.
 */
static int
check_and_fold(struct key_rsa *k)
{
	struct key_multi *m = &k->multi;
	struct rsa_private_key *s = &k->priv;
	mpz_t prod, lcm;
	int ok, j;

	mpz_init(prod);
	mpz_init_set_ui(lcm, 1);
	ok = prime_ok(k, s->p, s->a, NULL) && prime_ok(k, m->q, m->dq, lcm) &&
	    coefficient_ok(m->qinv, m->q, s->p);
	mpz_mul(prod, s->p, m->q);
	for (j = 0; ok && j < m->extra; j++) {
		ok = prime_ok(k, m->other[j].r, m->other[j].d, lcm) &&
		    coefficient_ok(m->other[j].t, prod, m->other[j].r);
		mpz_mul(prod, prod, m->other[j].r);
	}
	ok = ok && mpz_cmp(prod, k->pub.n) == 0;
	if (ok) {
		mpz_divexact(s->q, k->pub.n, s->p);
		mpz_mod(s->b, s->d, lcm);
		ok = mpz_invert(s->c, s->q, s->p) != 0;
	}
	mpz_clear(prod);
	mpz_clear(lcm);
	return ok && rsa_private_key_prepare(s) && s->size == k->pub.size;
}

int
key_multi_parse(struct key_rsa *k, const uint8_t *der, size_t len)
{
	struct key_multi *m = &k->multi;
	struct asn1_der_iterator i;
	uint32_t version;
	int rv;

	/* SEQUENCE { 1, n, e, d, p, q, dp, dq, qinv, otherPrimeInfos } */
	if (der_open(&i, der, len) == -1 ||
	    der_get_uint32(&i, &version) == -1 || version != 1 ||
	    !next_number(&i, k->pub.n) || !next_number(&i, k->pub.e) ||
	    !rsa_public_key_prepare(&k->pub) || !next_number(&i, k->priv.d) ||
	    !next_number(&i, k->priv.p) || !next_number(&i, m->q) ||
	    !next_number(&i, k->priv.a) || !next_number(&i, m->dq) ||
	    !next_number(&i, m->qinv))
		return KEY_EFORMAT;
	if ((rv = key_size_check(&k->pub)) != 0 ||
	    (rv = get_others(&i, m)) != 0) {
		m->extra = 0;
		return rv;
	}
	if (!check_and_fold(k)) {
		m->extra = 0;
		return KEY_EFORMAT;
	}
	return 0;
}
