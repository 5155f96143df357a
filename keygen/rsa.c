/*
 * rsa: pk-keygen rsa: a key pair of two random primes (prime.c), checked
 * and completed as FIPS 186-5 A.1.3 asks, written as PREFIX.key (PKCS#8
 * PEM, or PKCS#1 with --legacy; mode 0600; encrypted with a passphrase) and
 * PREFIX.pub (SPKI PEM, 0644).  Neither file is replaced without -f.
 */
#include <limits.h>
#include <stdio.h>

#include <nettle/rsa.h>

#include "io.h"
#include "keygen.h"
#include "rand.h"
#include "secret.h"

/* Whether t > 2^k. */
static int
above_pow2(const mpz_t t, mp_bitcnt_t k)
{
	size_t n = mpz_sizeinbase(t, 2);

	return n > k + 1 || (n == k + 1 && mpz_scan1(t, 0) < k);
}

/*
 * FIPS 186-5 A.1.1: n = pq, d = e^-1 mod lcm(p - 1, q - 1), which must
 * exceed 2^(bits/2), and the CRT values Nettle keeps: a = d mod (p - 1),
 * b = d mod (q - 1), c = q^-1 mod p.  0 when d is too small.
 */
static int
derive(struct key_rsa *k, int bits)
{
	struct rsa_private_key *priv = &k->priv;
	mpz_t p1, q1, l;
	int ok;

	mpz_inits(p1, q1, l, NULL);
	mpz_mul(k->pub.n, priv->p, priv->q);
	if (mpz_sizeinbase(k->pub.n, 2) != (size_t)bits)
		die(2, "cannot make a %d-bit key", bits);
	mpz_sub_ui(p1, priv->p, 1);
	mpz_sub_ui(q1, priv->q, 1);
	mpz_lcm(l, p1, q1);
	ok = mpz_invert(priv->d, k->pub.e, l) &&
	    above_pow2(priv->d, (mp_bitcnt_t)bits / 2);
	if (ok) {
		mpz_fdiv_r(priv->a, priv->d, p1);
		mpz_fdiv_r(priv->b, priv->d, q1);
		ok = mpz_invert(priv->c, priv->q, priv->p) &&
		    rsa_private_key_prepare(priv) &&
		    rsa_public_key_prepare(&k->pub);
	}
	mpz_clears(p1, q1, l, NULL);
	return ok;
}

/*
 * FIPS 186-5 A.1.3 with a given e: two primes of half the size each (p
 * takes the odd bit), q again until |p - q| > 2^(bits/2 - 100), both again
 * until d is large enough.  An --insecure key of 200 bits or less (primes
 * of 100 bits or less) wants |p - q| > 2^(bits/4) instead.
 */
static void
generate(struct key_rsa *k, int bits, unsigned long exponent)
{
	unsigned half = (unsigned)bits / 2;
	unsigned gap = half > 100 ? half - 100 : half / 2;
	mpz_t t;

	mpz_init(t);
	mpz_set_ui(k->pub.e, exponent);
	do {
		prime_pair(k->priv.p, (unsigned)bits - half, k->priv.q, half,
		    exponent);
		for (;;) {
			mpz_sub(t, k->priv.p, k->priv.q);
			mpz_abs(t, t);
			if (above_pow2(t, gap))
				break;
			prime_random(k->priv.q, half, exponent);
		}
	} while (!derive(k, bits));
	mpz_clear(t);
	k->has_private = 1;
}

static void
path_join(char *dst, const char *prefix, const char *suffix)
{
	if (snprintf(dst, PATH_MAX, "%s%s", prefix, suffix) >= PATH_MAX)
		die(2, "%s: name too long", prefix);
}

void
mode_rsa(const struct opts *o)
{
	char keypath[PATH_MAX], pubpath[PATH_MAX];
	struct key_rsa *k = xkey();
	uint8_t *pass = xsecret(SECRET_MAX), *pem = xsecret(KEY_PEM_MAX);
	const uint8_t *p;
	ssize_t passlen = -1;
	size_t n;
	int rv;

	path_join(keypath, o->out, ".key");
	path_join(pubpath, o->out, ".pub");
	/* Ask before the slow part. */
	if (!o->nopass)
		passlen = pass_get(&o->pass, pass, 1);
	p = passlen >= 0 ? pass : NULL;
	n = passlen >= 0 ? (size_t)passlen : 0;
	generate(k, o->bits, o->exponent);
	if (o->legacy)
		rv = key_pkcs1_pem(k, p, n, pem, KEY_PEM_MAX, &n);
	else
		rv = key_pkcs8_pem(k, p, n, o->iter, pem, KEY_PEM_MAX, &n);
	if (rv != 0)
		die(2, "%s", key_strerror(rv));
	/* The private key first: a new .pub never sits beside an old .key. */
	write_out(keypath, 0600, IO_OUT_SECRET | (o->force ? IO_OUT_FORCE : 0),
	    pem, n);
	if ((rv = key_spki_pem(k, pem, KEY_PEM_MAX, &n)) != 0)
		die(2, "%s", key_strerror(rv));
	write_out(pubpath, 0644, o->force ? IO_OUT_FORCE : 0, pem, n);
	secrets_wipe();
}
