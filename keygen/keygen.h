/*
 * pk-keygen: what main hands to the workers (one per mode), and the helpers
 * they share: wiped secrets, dying after a wipe, passphrases, key files.
 */
#ifndef KEYGEN_H
#define KEYGEN_H

#include <stddef.h>
#include <stdint.h>
#include <stdnoreturn.h>
#include <sys/types.h>

#include "key.h"
#include "secret.h"
#include "secrets.h"
#include "x509.h"

#define RSA_BITS_DEFAULT 2048
#define RSA_BITS_MIN 1024 /* below: --insecure only */
#define RSA_BITS_INSECURE_MIN 128 /* two primes of 64 bits (prime.c) */
#define RSA_EXPONENT_DEFAULT 65537
#define AES_BITS_DEFAULT 256
#define ITER_DEFAULT 600000 /* OWASP 2023, PBKDF2-HMAC-SHA256 */
#define ITER_MIN 1000 /* SP 800-132 */
#define IV_LEN 16
#define DAYS_DEFAULT 365
#define DAYS_MAX 36500

struct opts {
	int bits; /* checked for the mode by main */
	unsigned long exponent;
	unsigned long iter;
	const char *in;
	const char *out;
	int der;
	int force;
	int legacy;
	int nopass;
	int insecure; /* rsa: -b below RSA_BITS_MIN */
	int text; /* info: as openssl rsa -text */
	const char *subj; /* csr, selfsign */
	unsigned days; /* selfsign, sign */
	int pss;
	const char *ca; /* sign: -CA; verify: -CAfile */
	const char *cakey;
	struct secret_src pass; /* none set: the terminal, if any */
};

void mode_rsa(const struct opts *o);
void mode_pub(const struct opts *o);
void mode_info(const struct opts *o);
void mode_aes(const struct opts *o);
void mode_iv(const struct opts *o);
void mode_csr(const struct opts *o);
void mode_selfsign(const struct opts *o);
void mode_sign(const struct opts *o);
void mode_verify(const struct opts *o);

/* text.c: the key as `openssl rsa -text -noout` prints it, on stdout. */
void print_text(const struct key_rsa *k, const char *path);

/* secrets.c: held in lib/secrets.h's registry, wiped before every die. */
void *xsecret(size_t n);
struct key_rsa *xkey(void);
/* Wipe, then err(3) with the errno at the call / errx(3). */
noreturn void die_errno(int eval, const char *fmt, ...);
noreturn void die(int eval, const char *fmt, ...);

/*
 * prime.c: prime_random sets p to a random probable prime of exactly bits
 * bits (64 to PRIME_BITS_MAX), its top two bits set, with gcd(p - 1, e) = 1.
 * prime_pair sets p and q so, searching on two threads.
 */
#define PRIME_BITS_MAX 4096
void prime_random(mpz_t p, unsigned bits, unsigned long e);
void prime_pair(
    mpz_t p, unsigned pbits, mpz_t q, unsigned qbits, unsigned long e);

/*
 * pass.c: reads the passphrase into buf (SECRET_MAX bytes) and returns its
 * length, or -1 when no source was given and stdin is not a terminal.
 * confirm asks twice at the terminal.  Dies on an empty passphrase.
 */
ssize_t pass_get(const struct secret_src *src, uint8_t *buf, int confirm);

/*
 * files.c: read_key parses the key in path ("-" is stdin), asking for a
 * passphrase if it is encrypted; dies 1 for a wrong passphrase, else 2.
 * write_out writes a whole file (lib/io io_out: flags IO_OUT_FORCE for
 * -f, IO_OUT_SECRET for a key) or dies after wiping the secrets.
 */
void read_key(
    const char *path, const struct secret_src *src, struct key_rsa *k);
void write_out(
    const char *path, int mode, int flags, const uint8_t *buf, size_t len);

/*
 * certio.c: read_private dies unless path holds a private key; subject_der
 * dies on a bad -subj; read_x509 reads a request (csr) or certificate, PEM
 * or DER, into der (X509_DER_MAX); x509_exit gives the exit status of an
 * X509_E* code; write_x509 writes PEM to -o or stdout.
 */
void read_private(
    const char *path, const struct secret_src *src, struct key_rsa *k);
void subject_der(const char *subj, uint8_t *out, size_t max, size_t *len);
void read_x509(const char *path, int csr, uint8_t *der, size_t *len);
int x509_exit(int err);
void write_x509(const struct opts *o, const uint8_t *der, size_t len, int csr);

/*
 * selfsign.c: issue fills in a random serial, now, -days and --pss, signs
 * with signer and writes the certificate as write_x509 does.
 */
void issue(
    struct x509_issue *is, const struct key_rsa *signer, const struct opts *o);

#endif
