/*
 * pk-wrap: what main hands its workers.  main parses options only; the
 * workers in crypt.c and sign.c load the key (keyload.c) and do the crypto.
 */
#ifndef PK_WRAP_H
#define PK_WRAP_H

#include <stddef.h>
#include <stdint.h>

#include <gmp.h>
#include <nettle/rsa.h>

#include "key.h"
#include "secret.h"

/* Encryption paddings; crypt.c maps each to its primitives in one table. */
enum wrap_pad {
	PAD_OAEP, /* OAEP, SHA-256 and MGF1-SHA-256 */
	PAD_OAEP_SHA1, /* OAEP, SHA-1 and MGF1-SHA-1 */
	PAD_PKCS1, /* RSAES-PKCS1-v1_5 */
	PAD_RAW, /* textbook m^e mod n */
};

#define WRAP_PSS_SALT 32 /* PSS salt length: the SHA-256 digest size */
#define LABEL_MAX (64 * 1024) /* largest OAEP label file */

struct wrap_opts {
	const char *keyfile;
	const char *sigfile;
	const char *labelfile;
	enum wrap_pad pad;
	int pss;
	long saltlen; /* -1: WRAP_PSS_SALT to sign, any to verify */
	struct secret_src pass;
};

/* keyload.c: reads and parses keyfile, asking for a passphrase if needed. */
void load_key(struct key_rsa *k, const char *path,
    const struct secret_src *pass, int need_private);

/* out.c: all of buf to stdout, then close it to see a late error. */
int write_out(const uint8_t *buf, size_t n);

/*
 * pss.c: 1 when s is an RSASSA-PSS signature (SHA-256, MGF1-SHA-256) of
 * digest with a salt of any length, as openssl's saltlen "auto" accepts.
 */
int pss_verify_any_salt(
    const struct rsa_public_key *pub, const uint8_t *digest, const mpz_t s);

/* The workers: each returns the exit status or dies with it. */
int wrap_encrypt(const struct wrap_opts *o);
int wrap_decrypt(const struct wrap_opts *o);
int wrap_sign(const struct wrap_opts *o);
int wrap_verify(const struct wrap_opts *o);

#endif
