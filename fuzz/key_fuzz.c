/*
 * key_fuzz: the key readers on any input: key_is_encrypted, and key_parse
 * with no passphrase and with "fuzz" (the passphrase of the seeds in
 * tests/fixtures/keys, linked as fuzz/seeds-key).  Whatever parses must
 * come back unchanged through the writers: SPKI, PKCS#1 and PKCS#8, DER
 * and PEM.
 */
#include <stdint.h>
#include <stdlib.h>

#include "key.h"
#include "pbe.h"
#include "secret.h"

#define PASS "fuzz"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	secret_gmp_init();
	/* openssl's 2048 rounds pass; ten million would time out. */
	pbe_limit_iter(4096);
	return 0;
}

/* b, read back from what a was written as, holds the same numbers. */
static int
same(const struct key_rsa *a, const struct key_rsa *b, int private)
{
	if (mpz_cmp(a->pub.n, b->pub.n) != 0 ||
	    mpz_cmp(a->pub.e, b->pub.e) != 0)
		return 0;
	if (!private)
		return !b->has_private;
	return b->has_private && mpz_cmp(a->priv.d, b->priv.d) == 0 &&
	    mpz_cmp(a->priv.p, b->priv.p) == 0 &&
	    mpz_cmp(a->priv.q, b->priv.q) == 0 &&
	    mpz_cmp(a->priv.c, b->priv.c) == 0;
}

typedef int writer(const struct key_rsa *, uint8_t *, size_t, size_t *);

static int
pkcs8_pem(const struct key_rsa *k, uint8_t *out, size_t max, size_t *len)
{
	return key_pkcs8_pem(k, NULL, 0, 0, out, max, len);
}

static int
pkcs1_pem(const struct key_rsa *k, uint8_t *out, size_t max, size_t *len)
{
	return key_pkcs1_pem(k, NULL, 0, out, max, len);
}

/* Writes k with w (a private form or not) and reads it back. */
static void
roundtrip(const struct key_rsa *k, writer *w, int private)
{
	static uint8_t buf[KEY_PEM_MAX];
	struct key_rsa back;
	size_t n;

	if (private && !k->has_private)
		return;
	key_init(&back);
	if (w(k, buf, sizeof(buf), &n) != 0 ||
	    key_parse(&back, buf, n, NULL, 0) != 0 || !same(k, &back, private))
		abort();
	key_clear(&back);
}

static void
try(const uint8_t *data, size_t size, const char *pass, size_t passlen)
{
	struct key_rsa k;

	key_init(&k);
	if (key_parse(&k, data, size, (const uint8_t *)pass, passlen) == 0) {
		roundtrip(&k, key_spki_der, 0);
		roundtrip(&k, key_spki_pem, 0);
		roundtrip(&k, key_pkcs1_der, 1);
		roundtrip(&k, key_pkcs8_der, 1);
		roundtrip(&k, pkcs1_pem, 1);
		roundtrip(&k, pkcs8_pem, 1);
	}
	key_clear(&k);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	(void)key_is_encrypted(data, size);
	try(data, size, NULL, 0);
	try(data, size, PASS, sizeof(PASS) - 1);
	return 0;
}
