/*
 * crypt: pk-wrap -e and -d, one RSA block from stdin to stdout.  The
 * paddings table is the one place that says which primitives each padding
 * uses and how long its input may be.  Every decryption failure, whatever
 * its cause (length, range, padding, key), ends in the same message and
 * exit status, so that pk-wrap is no padding oracle.
 */
#include <err.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <gmp.h>
#include <nettle/bignum.h>
#include <nettle/rsa.h>
#include <nettle/sha1.h>
#include <nettle/sha2.h>

#include "io.h"
#include "oaep.h"
#include "rand.h"
#include "secret.h"
#include "wrap.h"

struct job {
	struct key_rsa key;
	uint8_t *label;
	size_t label_len;
};

struct padding {
	const char *name;
	const struct nettle_hash *hash; /* OAEP's hash and MGF1 hash */
	/* Longest input for a k-byte modulus; -1 if the key is too small. */
	long (*max_len)(const struct padding *, size_t k);
	/* c gets k bytes; -1 with errno set on failure. */
	int (*encrypt)(const struct padding *, const struct job *, size_t mlen,
	    const uint8_t *m, uint8_t *c);
	/* c is k bytes, m has room for k; -1 on failure, whatever it was. */
	int (*decrypt)(const struct padding *, const struct job *,
	    const uint8_t *c, size_t *mlen, uint8_t *m);
};

static long
oaep_max(const struct padding *p, size_t k)
{
	return oaep_max_len(p->hash, k);
}

static int
oaep_enc(const struct padding *p, const struct job *j, size_t mlen,
    const uint8_t *m, uint8_t *c)
{
	return oaep_encrypt(&j->key.pub, p->hash, j->label, j->label_len, NULL,
	    rand_nettle, mlen, m, c);
}

static int
oaep_dec(const struct padding *p, const struct job *j, const uint8_t *c,
    size_t *mlen, uint8_t *m)
{
	return oaep_decrypt(&j->key.pub, &j->key.priv, p->hash, j->label,
	    j->label_len, NULL, rand_nettle, j->key.pub.size, c, mlen, m);
}

static long
pkcs1_max(const struct padding *p, size_t k)
{
	(void)p;
	return k < 11 ? -1 : (long)k - 11;
}

static int
pkcs1_enc(const struct padding *p, const struct job *j, size_t mlen,
    const uint8_t *m, uint8_t *c)
{
	mpz_t x;
	int ok;

	(void)p;
	mpz_init(x);
	if ((ok = rsa_encrypt(&j->key.pub, NULL, rand_nettle, mlen, m, x)))
		nettle_mpz_get_str_256(j->key.pub.size, c, x);
	mpz_clear(x);
	if (!ok)
		errno = EMSGSIZE;
	return ok ? 0 : -1;
}

/* x = c as a number; 0 unless it is below n (c is always k bytes here). */
static int
ciphertext_in_range(const struct job *j, const uint8_t *c, mpz_t x)
{
	nettle_mpz_set_str_256_u(x, j->key.pub.size, c);
	return mpz_cmp(x, j->key.pub.n) < 0;
}

static int
pkcs1_dec(const struct padding *p, const struct job *j, const uint8_t *c,
    size_t *mlen, uint8_t *m)
{
	mpz_t x;
	int ok;

	(void)p;
	mpz_init(x);
	*mlen = j->key.pub.size;
	ok = ciphertext_in_range(j, c, x) &&
	    rsa_decrypt_tr(
		&j->key.pub, &j->key.priv, NULL, rand_nettle, mlen, m, x);
	mpz_clear(x);
	return ok ? 0 : -1;
}

static long
raw_max(const struct padding *p, size_t k)
{
	(void)p;
	return (long)k;
}

static int
raw_enc(const struct padding *p, const struct job *j, size_t mlen,
    const uint8_t *m, uint8_t *c)
{
	mpz_t x;
	int ok;

	(void)p;
	mpz_init(x);
	nettle_mpz_set_str_256_u(x, mlen, m);
	if ((ok = mpz_cmp(x, j->key.pub.n) < 0)) {
		mpz_powm(x, x, j->key.pub.e, j->key.pub.n);
		nettle_mpz_get_str_256(j->key.pub.size, c, x);
	}
	mpz_clear(x);
	if (!ok)
		errno = ERANGE;
	return ok ? 0 : -1;
}

static int
raw_dec(const struct padding *p, const struct job *j, const uint8_t *c,
    size_t *mlen, uint8_t *m)
{
	mpz_t x, y;
	int ok;

	(void)p;
	mpz_init(x);
	mpz_init(y);
	ok = ciphertext_in_range(j, c, x) &&
	    rsa_compute_root_tr(
		&j->key.pub, &j->key.priv, NULL, rand_nettle, y, x);
	if (ok) {
		*mlen = j->key.pub.size;
		nettle_mpz_get_str_256(*mlen, m, y);
	}
	mpz_clear(x);
	mpz_clear(y);
	return ok ? 0 : -1;
}

static const struct padding paddings[] = {
    [PAD_OAEP] = {"OAEP-SHA-256", &nettle_sha256, oaep_max, oaep_enc, oaep_dec},
    [PAD_OAEP_SHA1] = {"OAEP-SHA-1", &nettle_sha1, oaep_max, oaep_enc,
	oaep_dec},
    [PAD_PKCS1] = {"PKCS#1 v1.5", NULL, pkcs1_max, pkcs1_enc, pkcs1_dec},
    [PAD_RAW] = {"raw RSA", NULL, raw_max, raw_enc, raw_dec},
};

/* Loads the label and the key; returns the padding's input limit. */
static long
job_start(struct job *j, const struct wrap_opts *o, int need_private)
{
	const struct padding *p = &paddings[o->pad];
	long max;

	j->label = NULL;
	j->label_len = 0;
	if (o->labelfile != NULL) {
		if ((j->label = malloc(LABEL_MAX)) == NULL)
			err(2, NULL);
		if (io_readfile(
			o->labelfile, j->label, LABEL_MAX, &j->label_len) == -1)
			err(2, "%s", o->labelfile);
	}
	load_key(&j->key, o->keyfile, &o->pass, need_private);
	if (o->pad == PAD_RAW)
		warnx("warning: --raw is textbook RSA, deterministic and "
		      "malleable: for teaching only");
	if ((max = p->max_len(p, j->key.pub.size)) < 0) {
		key_clear(&j->key);
		errx(2, "%s: key too small for %s", o->keyfile, p->name);
	}
	return max;
}

static void
job_end(struct job *j)
{
	key_clear(&j->key);
	free(j->label);
}

int
wrap_encrypt(const struct wrap_opts *o)
{
	const struct padding *p = &paddings[o->pad];
	struct job j;
	uint8_t *in, *out;
	size_t k;
	ssize_t n;
	long max;
	int rv = 0, saved;

	max = job_start(&j, o, 0);
	k = j.key.pub.size;
	if ((in = secret_alloc(k + 1)) == NULL ||
	    (out = secret_alloc(k)) == NULL)
		err(2, NULL);
	/* k + 1 bytes are enough to tell that the input is too long. */
	n = io_readall(STDIN_FILENO, in, k + 1);
	saved = errno;
	if (n >= 0 && n <= max)
		rv = p->encrypt(p, &j, (size_t)n, in, out);
	saved = rv == -1 ? errno : saved;
	/* Collect the error, wipe, then die. */
	secret_free(in, k + 1);
	job_end(&j);
	errno = saved;
	if (n == -1)
		err(2, "stdin");
	if (n > max)
		errx(2,
		    "input too long: %s%zu bytes, at most %ld for this key "
		    "with %s",
		    (size_t)n > k ? "more than " : "",
		    (size_t)n > k ? k : (size_t)n, max, p->name);
	if (rv == -1 && errno == ERANGE)
		errx(2, "input too large: not below the modulus");
	if (rv == -1)
		err(2, "encryption failed");
	if (write_out(out, k) == -1)
		err(2, "stdout");
	free(out);
	return 0;
}

int
wrap_decrypt(const struct wrap_opts *o)
{
	const struct padding *p = &paddings[o->pad];
	struct job j;
	uint8_t *in, *out;
	size_t k, mlen = 0;
	ssize_t n;
	int rv, saved, nomem;

	(void)job_start(&j, o, 1);
	k = j.key.pub.size;
	if ((in = malloc(k + 1)) == NULL || (out = secret_alloc(k)) == NULL)
		err(2, NULL);
	if ((n = io_readall(STDIN_FILENO, in, k + 1)) == -1) {
		saved = errno;
		job_end(&j);
		errno = saved;
		err(2, "stdin");
	}
	/* A wrong length fails like everything else: one message for all. */
	errno = 0;
	rv = (size_t)n == k ? p->decrypt(p, &j, in, &mlen, out) : -1;
	nomem = rv == -1 && errno == ENOMEM;
	free(in);
	job_end(&j);
	if (rv == -1) {
		secret_free(out, k);
		if (nomem)
			errx(2, "out of memory");
		errx(1, "decryption failed");
	}
	rv = write_out(out, mlen);
	saved = errno;
	secret_free(out, k);
	errno = saved;
	if (rv == -1)
		err(2, "stdout");
	return 0;
}
