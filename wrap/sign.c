/*
 * sign: pk-wrap sign and verify.  The message on stdin is streamed through
 * SHA-256 in IO_BLOCK pieces, never held whole.  PKCS#1 v1.5 signatures
 * are deterministic and match openssl dgst -sha256 -sign byte for byte;
 * PSS uses MGF1-SHA-256 and signs with a salt of --salt-len bytes (default
 * 32); verify takes any salt length (pss.c) unless --salt-len names one.
 */
#include <err.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <unistd.h>

#include <gmp.h>
#include <nettle/bignum.h>
#include <nettle/rsa.h>
#include <nettle/sha2.h>

#include "io.h"
#include "rand.h"
#include "wrap.h"

#define SALT_ANY SIZE_MAX /* verify: whatever the signature holds */

/* The two schemes, in one place: each signs or checks a SHA-256 digest. */
struct scheme {
	int (*sign)(const struct key_rsa *, size_t saltlen,
	    const uint8_t *digest, mpz_t s);
	int (*verify)(const struct key_rsa *, size_t saltlen,
	    const uint8_t *digest, const mpz_t s);
};

static int
pkcs1_sign(
    const struct key_rsa *k, size_t saltlen, const uint8_t *digest, mpz_t s)
{
	(void)saltlen;
	return rsa_sha256_sign_digest_tr(
	    &k->pub, &k->priv, NULL, rand_nettle, digest, s);
}

static int
pkcs1_verify(const struct key_rsa *k, size_t saltlen, const uint8_t *digest,
    const mpz_t s)
{
	(void)saltlen;
	return rsa_sha256_verify_digest(&k->pub, digest, s);
}

static int
pss_sign(
    const struct key_rsa *k, size_t saltlen, const uint8_t *digest, mpz_t s)
{
	uint8_t salt[KEY_BITS_MAX / 8];

	rand_nettle(NULL, saltlen, salt);
	return rsa_pss_sha256_sign_digest_tr(
	    &k->pub, &k->priv, NULL, rand_nettle, saltlen, salt, digest, s);
}

static int
pss_verify(const struct key_rsa *k, size_t saltlen, const uint8_t *digest,
    const mpz_t s)
{
	if (saltlen == SALT_ANY)
		return pss_verify_any_salt(&k->pub, digest, s);
	return rsa_pss_sha256_verify_digest(&k->pub, saltlen, digest, s);
}

static const struct scheme schemes[] = {
    {pkcs1_sign, pkcs1_verify},
    {pss_sign, pss_verify},
};

/* SHA-256 of stdin in constant memory; -1 with errno on a read error. */
static int
hash_stdin(uint8_t *digest)
{
	static uint8_t buf[IO_BLOCK];
	struct sha256_ctx ctx;
	ssize_t n;

	sha256_init(&ctx);
	do {
		if ((n = io_readall(STDIN_FILENO, buf, sizeof(buf))) == -1)
			return -1;
		sha256_update(&ctx, (size_t)n, buf);
	} while ((size_t)n == sizeof(buf));
	sha256_digest(&ctx, SHA256_DIGEST_SIZE, digest);
	return 0;
}

/*
 * The PSS salt length, checked against the key (RFC 8017 9.1.1 step 3);
 * SALT_ANY when verify is given none.
 */
static size_t
salt_len(const struct wrap_opts *o, struct key_rsa *k, int verify)
{
	size_t salt, emlen, most;

	if (!o->pss)
		return 0;
	if (verify && o->saltlen == -1)
		return SALT_ANY;
	salt = o->saltlen == -1 ? WRAP_PSS_SALT : (size_t)o->saltlen;
	emlen = (mpz_sizeinbase(k->pub.n, 2) - 1 + 7) / 8;
	most =
	    emlen < SHA256_DIGEST_SIZE + 2 ? 0 : emlen - SHA256_DIGEST_SIZE - 2;
	if (salt > most) {
		key_clear(k);
		errx(2, "--salt-len %zu: at most %zu for this key", salt, most);
	}
	return salt;
}

int
wrap_sign(const struct wrap_opts *o)
{
	uint8_t digest[SHA256_DIGEST_SIZE], sig[KEY_BITS_MAX / 8];
	struct key_rsa key;
	size_t salt, k;
	mpz_t s;
	int ok, saved;

	load_key(&key, o->keyfile, &o->pass, 1);
	salt = salt_len(o, &key, 0);
	if (hash_stdin(digest) == -1) {
		saved = errno;
		key_clear(&key);
		errno = saved;
		err(2, "stdin");
	}
	mpz_init(s);
	ok = schemes[o->pss].sign(&key, salt, digest, s);
	k = key.pub.size;
	key_clear(&key);
	if (!ok)
		errx(2, "signing failed: key too small or faulty");
	nettle_mpz_get_str_256(k, sig, s);
	mpz_clear(s);
	if (write_out(sig, k) == -1)
		err(2, "stdout");
	return 0;
}

/* Reads the signature and hashes stdin; dies, with the key cleared. */
static size_t
read_sig(const struct wrap_opts *o, struct key_rsa *key, uint8_t *sig,
    uint8_t *digest)
{
	const char *what = NULL;
	size_t len;
	int saved;

	/* Longer than k bytes (EFBIG) is simply a bad signature. */
	if (io_readfile(o->sigfile, sig, key->pub.size, &len) == -1) {
		if (errno != EFBIG)
			what = o->sigfile;
		len = 0;
	}
	if (what == NULL && hash_stdin(digest) == -1)
		what = "stdin";
	if (what != NULL) {
		saved = errno;
		key_clear(key);
		errno = saved;
		err(2, "%s", what);
	}
	return len;
}

int
wrap_verify(const struct wrap_opts *o)
{
	uint8_t digest[SHA256_DIGEST_SIZE], sig[KEY_BITS_MAX / 8];
	struct key_rsa key;
	size_t salt, len;
	mpz_t s;
	int ok;

	load_key(&key, o->keyfile, &o->pass, 0);
	salt = salt_len(o, &key, 1);
	len = read_sig(o, &key, sig, digest);
	mpz_init(s);
	nettle_mpz_set_str_256_u(s, len, sig);
	ok = len == key.pub.size &&
	    schemes[o->pss].verify(&key, salt, digest, s);
	mpz_clear(s);
	key_clear(&key);
	if (!ok)
		errx(1, "verification failed");
	if (puts("Verified OK") == EOF || fflush(stdout) == EOF ||
	    close(STDOUT_FILENO) == -1)
		err(2, "stdout");
	return 0;
}
