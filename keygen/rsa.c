/*
 * rsa: pk-keygen rsa: a key pair from Nettle's rsa_generate_keypair fed by
 * getrandom(2), written as PREFIX.key (PKCS#8 PEM, or PKCS#1 with --legacy;
 * mode 0600; encrypted with a passphrase) and PREFIX.pub (SPKI PEM, 0644).
 * Neither file is replaced without -f.
 */
#include <limits.h>
#include <stdio.h>

#include <nettle/rsa.h>

#include "keygen.h"
#include "rand.h"
#include "secret.h"

static void
generate(struct key_rsa *k, int bits, unsigned long exponent)
{
	mpz_set_ui(k->pub.e, exponent);
	if (!rsa_generate_keypair(&k->pub, &k->priv, NULL, rand_nettle, NULL,
		NULL, (unsigned)bits, 0))
		die(2, "cannot make a %d-bit key with exponent %lu", bits,
		    exponent);
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
	if (write_out(keypath, 0600, o->force, pem, n) == -1)
		die_errno(2, "%s", keypath);
	if ((rv = key_spki_pem(k, pem, KEY_PEM_MAX, &n)) != 0)
		die(2, "%s", key_strerror(rv));
	if (write_out(pubpath, 0644, o->force, pem, n) == -1)
		die_errno(2, "%s", pubpath);
	secrets_wipe();
}
