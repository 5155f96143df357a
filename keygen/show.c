/*
 * show: pk-keygen pub and info: the SubjectPublicKeyInfo of any key, as
 * `openssl pkey -pubout` prints it, and a summary whose fingerprint is the
 * SHA-256 of that DER (`openssl pkey -pubout -outform DER | sha256sum`).
 */
#include <stdio.h>
#include <unistd.h>

#include <gmp.h>
#include <nettle/sha2.h>

#include "hex.h"
#include "io.h"
#include "keygen.h"

void
mode_pub(const struct opts *o)
{
	struct key_rsa *k = xkey();
	uint8_t out[KEY_PEM_MAX];
	size_t n;
	int rv;

	read_key(o->in, &o->pass, k);
	if (o->der)
		rv = key_spki_der(k, out, sizeof(out), &n);
	else
		rv = key_spki_pem(k, out, sizeof(out), &n);
	if (rv != 0)
		die(2, "%s: %s", o->in, key_strerror(rv));
	if (io_writeall(STDOUT_FILENO, out, n) != (ssize_t)n)
		die_errno(2, "stdout");
	secrets_wipe();
}

void
mode_info(const struct opts *o)
{
	struct key_rsa *k = xkey();
	struct sha256_ctx ctx;
	uint8_t der[KEY_DER_MAX], digest[SHA256_DIGEST_SIZE];
	char hex[2 * SHA256_DIGEST_SIZE + 1];
	size_t n;
	int rv;

	read_key(o->in, &o->pass, k);
	if (o->text) {
		print_text(k, o->in);
		secrets_wipe();
		return;
	}
	if ((rv = key_spki_der(k, der, sizeof(der), &n)) != 0)
		die(2, "%s: %s", o->in, key_strerror(rv));
	sha256_init(&ctx);
	sha256_update(&ctx, n, der);
	sha256_digest(&ctx, sizeof(digest), digest);
	hex_encode(digest, sizeof(digest), hex);
	if (gmp_printf("bits %zu\nexponent %Zd\nsha256 %s\n",
		mpz_sizeinbase(k->pub.n, 2), k->pub.e, hex) < 0 ||
	    fflush(stdout) == EOF)
		die_errno(2, "stdout");
	secrets_wipe();
}
