/*
 * rsa: what the textbook-RSA attacks read: a public key and a ciphertext
 * made with it (pk-wrap -e --raw: k bytes, a number below n).
 */
#ifndef PK_ATTACK_RSA_H
#define PK_ATTACK_RSA_H

#include <stddef.h>
#include <stdint.h>

#include "key.h"

struct rsa_target {
	struct key_rsa key; /* the public half only is used */
	mpz_t c;
};

/*
 * Loads the public key keypath (or the public half of a private key) and
 * the ciphertext cpath ("-": stdin); dies (2) with one line if the key
 * cannot be read or the ciphertext is not k bytes below n.
 */
void rsa_target_load(
    struct rsa_target *, const char *keypath, const char *cpath);
void rsa_target_clear(struct rsa_target *);
/*
 * Sets m to the exact e-th root of x and returns 1, or returns 0 when x
 * is not an e-th power (the message was padded, or m^e wrapped around).
 */
int rsa_exact_root(mpz_t m, const mpz_t x, const mpz_t e);
/* Writes m, big-endian without leading zeros, with attack_output. */
void rsa_output(const mpz_t m);

#endif
