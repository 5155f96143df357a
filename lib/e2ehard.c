/*
 * e2ehard: the hardened e2e frames, texts and signatures (e2ehard.h).
 * RSA-PSS-SHA256 from Nettle (pss.h), SHA-256 over length-prefixed
 * fields so that no two (from, to, message) triples sign alike.
 */

#include <string.h>

#include <nettle/bignum.h>
#include <nettle/rsa.h>
#include <nettle/sha2.h>

#include "e2ehard.h"
#include "io.h"
#include "key.h"
#include "rand.h"

int
e2e_h_marked(const uint8_t *p, size_t len)
{
	return len >= E2E_H_HEAD &&
	    memcmp(p, E2E_H_MARK, sizeof(E2E_H_MARK) - 1) == 0;
}

int
e2e_h_name_check(const uint8_t *p, size_t len)
{
	size_t i;

	if (len == 0 || len > E2E_H_NAME_MAX)
		return -1;
	for (i = 0; i < len; i++)
		if (!((p[i] >= 'A' && p[i] <= 'Z') ||
			(p[i] >= 'a' && p[i] <= 'z') ||
			(p[i] >= '0' && p[i] <= '9') || p[i] == '_' ||
			p[i] == '-'))
			return -1;
	return 0;
}

int
e2e_h_parse(const uint8_t *p, size_t len, struct e2e_h_frame *f)
{
	if (!e2e_h_marked(p, len) || len > E2E_H_FRAME_MAX)
		return -1;
	memset(f, 0, sizeof(*f));
	f->kind = (enum e2e_h_kind)p[E2E_H_HEAD - 1];
	f->body = p + E2E_H_HEAD;
	f->body_len = len - E2E_H_HEAD;
	switch (f->kind) {
	case E2E_H_HELLO:
		return e2e_h_name_check(f->body, f->body_len);
	case E2E_H_REFUSE:
		return f->body_len <= E2E_H_REFUSE_MAX ? 0 : -1;
	case E2E_H_BLOCK:
		if (f->body_len != E2E_BLOCK &&
		    f->body_len != E2E_BLOCK + E2E_H_SIG)
			return -1;
		f->block = f->body;
		if (f->body_len > E2E_BLOCK)
			f->sig = f->body + E2E_BLOCK;
		return 0;
	}
	return -1;
}

size_t
e2e_h_put(uint8_t *out, enum e2e_h_kind kind, const uint8_t *body, size_t len,
    const uint8_t *sig)
{
	memcpy(out, E2E_H_MARK, sizeof(E2E_H_MARK) - 1);
	out[E2E_H_HEAD - 1] = (uint8_t)kind;
	memcpy(out + E2E_H_HEAD, body, len);
	if (sig == NULL)
		return E2E_H_HEAD + len;
	memcpy(out + E2E_H_HEAD + len, sig, E2E_H_SIG);
	return E2E_H_HEAD + len + E2E_H_SIG;
}

int
e2e_h_route_parse(const uint8_t *p, size_t len, struct e2e_route *r)
{
	const uint8_t *slash = memchr(p, '/', len);
	size_t nlen;

	if (slash == NULL)
		return -1;
	nlen = (size_t)(slash - p);
	if (e2e_h_name_check(p, nlen) == -1)
		return -1;
	memcpy(r->host, p, nlen);
	r->host[nlen] = '\0';
	r->port = 0;
	r->msg = slash + 1;
	r->len = len - nlen - 1;
	return 0;
}

long
e2e_h_fwd_format(
    const char *from, const uint8_t *msg, size_t len, uint8_t *out, size_t max)
{
	size_t flen = strlen(from);

	if (flen + 1 > max || len > max - flen - 1)
		return -1;
	memcpy(out, from, flen);
	out[flen] = '|';
	memcpy(out + flen + 1, msg, len);
	return (long)(flen + 1 + len);
}

/* One field into the digest, its length first (4 bytes, big-endian). */
static void
field(struct sha256_ctx *s, const uint8_t *p, size_t len)
{
	uint8_t n[4] = {(uint8_t)(len >> 24), (uint8_t)(len >> 16),
	    (uint8_t)(len >> 8), (uint8_t)len};

	sha256_update(s, sizeof(n), n);
	sha256_update(s, len, p);
}

void
e2e_h_digest(uint8_t digest[32], const char *from, const char *to,
    const uint8_t *msg, size_t len)
{
	static const char label[] = "protokit e2e hardened message";
	struct sha256_ctx s;

	sha256_init(&s);
	field(&s, (const uint8_t *)label, sizeof(label) - 1);
	field(&s, (const uint8_t *)from, strlen(from));
	field(&s, (const uint8_t *)to, strlen(to));
	field(&s, msg, len);
	sha256_digest(&s, SHA256_DIGEST_SIZE, digest);
}

int
e2e_h_sign(const struct rsa_public_key *pub, const struct rsa_private_key *priv,
    const uint8_t digest[32], uint8_t sig[E2E_H_SIG])
{
	uint8_t salt[E2E_H_SALT];
	mpz_t s;
	int ok;

	if (pub->size != E2E_H_SIG || rand_fill(salt, sizeof(salt)) == -1)
		return -1;
	mpz_init(s);
	ok = rsa_pss_sha256_sign_digest_tr(
	    pub, priv, NULL, rand_nettle, sizeof(salt), salt, digest, s);
	if (ok)
		nettle_mpz_get_str_256(E2E_H_SIG, sig, s);
	mpz_clear(s);
	return ok ? 0 : -1;
}

int
e2e_h_verify(const struct rsa_public_key *pub, const uint8_t digest[32],
    const uint8_t sig[E2E_H_SIG])
{
	mpz_t s;
	int ok;

	if (pub->size != E2E_H_SIG)
		return 0;
	mpz_init(s);
	nettle_mpz_set_str_256_u(s, E2E_H_SIG, sig);
	ok = rsa_pss_sha256_verify_digest(pub, E2E_H_SALT, digest, s);
	mpz_clear(s);
	return ok != 0;
}

int
e2e_h_pbes2(const char *path)
{
	uint8_t buf[KEY_FILE_MAX];
	size_t n;

	if (io_readfile(path, buf, sizeof(buf), &n) == -1)
		return -1;
	return key_is_pkcs8_encrypted(buf, n);
}
