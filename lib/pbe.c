/*
 * pbe: the ciphers and PRFs OpenSSL uses to protect private keys, CBC with
 * PKCS#7 padding, PBKDF2 (RFC 8018), and OpenSSL's legacy PEM key
 * derivation EVP_BytesToKey(MD5, salt = IV[0..8), one iteration).  Every
 * key and context on the stack is wiped before returning.
 */
#include <ctype.h>
#include <string.h>
#include <strings.h>

#include <nettle/aes.h>
#include <nettle/cbc.h>
#include <nettle/des.h>
#include <nettle/hmac.h>
#include <nettle/md5.h>
#include <nettle/nettle-meta.h>
#include <nettle/pbkdf2.h>

#include "hex.h"
#include "key.h"
#include "pbe.h"
#include "pkcs7.h"
#include "rand.h"
#include "secret.h"

#define OID_MAX 9

struct pbe_cipher {
	const char *name; /* as in DEK-Info */
	uint8_t oid[OID_MAX];
	size_t oidlen;
	const struct nettle_cipher *nc;
};

typedef void pbkdf2_func(size_t, const uint8_t *, unsigned, size_t,
    const uint8_t *, size_t, uint8_t *);

struct pbe_prf {
	uint8_t oid[OID_MAX];
	size_t oidlen;
	pbkdf2_func *f;
};

union cipher_ctx {
	struct aes128_ctx aes128;
	struct aes192_ctx aes192;
	struct aes256_ctx aes256;
	struct des3_ctx des3;
};

static void
des3_set(void *ctx, const uint8_t *key)
{
	/* A weak key is as good as any for reading what OpenSSL wrote. */
	(void)des3_set_key(ctx, key);
}

static const struct nettle_cipher des3_meta = {
    "des3",
    sizeof(struct des3_ctx),
    DES3_BLOCK_SIZE,
    DES3_KEY_SIZE,
    des3_set,
    des3_set,
    (nettle_cipher_func *)des3_encrypt,
    (nettle_cipher_func *)des3_decrypt,
};

/* 2.16.840.1.101.3.4.1.{2,22,42} and 1.2.840.113549.3.7 */
static const struct pbe_cipher aes128_cbc = {"AES-128-CBC",
    {0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x01, 0x02}, 9, &nettle_aes128};
static const struct pbe_cipher aes192_cbc = {"AES-192-CBC",
    {0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x01, 0x16}, 9, &nettle_aes192};
const struct pbe_cipher pbe_aes256_cbc = {"AES-256-CBC",
    {0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x01, 0x2a}, 9, &nettle_aes256};
static const struct pbe_cipher des_ede3_cbc = {"DES-EDE3-CBC",
    {0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x03, 0x07}, 8, &des3_meta};

static const struct pbe_cipher *const ciphers[] = {
    &aes128_cbc,
    &aes192_cbc,
    &pbe_aes256_cbc,
    &des_ede3_cbc,
};

static void
pbkdf2_hmac_sha224(size_t keylen, const uint8_t *key, unsigned iter,
    size_t saltlen, const uint8_t *salt, size_t len, uint8_t *dst)
{
	struct hmac_sha224_ctx ctx;

	hmac_sha224_set_key(&ctx, keylen, key);
	PBKDF2(&ctx, hmac_sha224_update, hmac_sha224_digest, SHA224_DIGEST_SIZE,
	    iter, saltlen, salt, len, dst);
	secret_wipe(&ctx, sizeof(ctx));
}

/* 1.2.840.113549.2.{7,8,9,10,11}: hmacWithSHA1 .. hmacWithSHA512 */
#define PRF_OID(n) {0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x02, n}, 8
const struct pbe_prf pbe_hmac_sha1 = {PRF_OID(7), pbkdf2_hmac_sha1};
static const struct pbe_prf hmac_sha224 = {PRF_OID(8), pbkdf2_hmac_sha224};
const struct pbe_prf pbe_hmac_sha256 = {PRF_OID(9), pbkdf2_hmac_sha256};
static const struct pbe_prf hmac_sha384 = {PRF_OID(10), pbkdf2_hmac_sha384};
static const struct pbe_prf hmac_sha512 = {PRF_OID(11), pbkdf2_hmac_sha512};

static const struct pbe_prf *const prfs[] = {
    &pbe_hmac_sha1,
    &hmac_sha224,
    &pbe_hmac_sha256,
    &hmac_sha384,
    &hmac_sha512,
};

static unsigned long iter_max = PBE_ITER_MAX;

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

const struct pbe_cipher *
pbe_cipher_by_oid(const uint8_t *oid, size_t n)
{
	size_t i;

	for (i = 0; i < NELEM(ciphers); i++)
		if (ciphers[i]->oidlen == n &&
		    memcmp(ciphers[i]->oid, oid, n) == 0)
			return ciphers[i];
	return NULL;
}

static const struct pbe_cipher *
cipher_by_name(const char *name, size_t n)
{
	size_t i;

	for (i = 0; i < NELEM(ciphers); i++)
		if (strlen(ciphers[i]->name) == n &&
		    strncasecmp(ciphers[i]->name, name, n) == 0)
			return ciphers[i];
	return NULL;
}

const struct pbe_prf *
pbe_prf_by_oid(const uint8_t *oid, size_t n)
{
	size_t i;

	for (i = 0; i < NELEM(prfs); i++)
		if (prfs[i]->oidlen == n && memcmp(prfs[i]->oid, oid, n) == 0)
			return prfs[i];
	return NULL;
}

void
pbe_cipher_oid(const struct pbe_cipher *c, const uint8_t **oid, size_t *n)
{
	*oid = c->oid;
	*n = c->oidlen;
}

void
pbe_prf_oid(const struct pbe_prf *p, const uint8_t **oid, size_t *n)
{
	*oid = p->oid;
	*n = p->oidlen;
}

size_t
pbe_key_size(const struct pbe_cipher *c)
{
	return c->nc->key_size;
}

size_t
pbe_block_size(const struct pbe_cipher *c)
{
	return c->nc->block_size;
}

int
pbe_pbkdf2(const struct pbe_prf *prf, const uint8_t *pass, size_t passlen,
    const uint8_t *salt, size_t saltlen, unsigned long iter, uint8_t *out,
    size_t outlen)
{
	if (iter == 0 || iter > iter_max)
		return KEY_EUNSUPPORTED;
	prf->f(passlen, pass, (unsigned)iter, saltlen, salt, outlen, out);
	return 0;
}

void
pbe_limit_iter(unsigned long max)
{
	if (max < iter_max)
		iter_max = max;
}

void
pbe_cbc_encrypt(const struct pbe_cipher *c, const uint8_t *key,
    const uint8_t *iv, const uint8_t *in, size_t len, uint8_t *out,
    size_t *outlen)
{
	union cipher_ctx ctx;
	uint8_t ivbuf[PBE_BLOCK_MAX];
	size_t bs = c->nc->block_size;

	memmove(out, in, len);
	*outlen = pkcs7_pad(out, len, bs);
	memcpy(ivbuf, iv, bs);
	c->nc->set_encrypt_key(&ctx, key);
	cbc_encrypt(&ctx, c->nc->encrypt, bs, ivbuf, *outlen, out, out);
	secret_wipe(&ctx, sizeof(ctx));
}

int
pbe_cbc_decrypt(const struct pbe_cipher *c, const uint8_t *key,
    const uint8_t *iv, const uint8_t *in, size_t len, uint8_t *out,
    size_t *outlen)
{
	union cipher_ctx ctx;
	uint8_t ivbuf[PBE_BLOCK_MAX];
	size_t bs = c->nc->block_size;
	long n;

	if (len == 0 || len % bs != 0)
		return KEY_EFORMAT;
	memcpy(ivbuf, iv, bs);
	c->nc->set_decrypt_key(&ctx, key);
	cbc_decrypt(&ctx, c->nc->decrypt, bs, ivbuf, len, out, in);
	secret_wipe(&ctx, sizeof(ctx));
	if ((n = pkcs7_strip(out, len, bs)) < 0)
		return KEY_EPASS;
	*outlen = (size_t)n;
	return 0;
}

/* EVP_BytesToKey(MD5, one round): D_i = MD5(D_{i-1} || pass || salt). */
static void
bytes_to_key(const uint8_t *pass, size_t passlen, const uint8_t salt[8],
    uint8_t *key, size_t keylen)
{
	struct md5_ctx ctx;
	uint8_t d[MD5_DIGEST_SIZE];
	size_t n, done = 0;

	while (done < keylen) {
		md5_init(&ctx);
		if (done > 0)
			md5_update(&ctx, sizeof(d), d);
		md5_update(&ctx, passlen, pass);
		md5_update(&ctx, 8, salt);
		md5_digest(&ctx, sizeof(d), d);
		n = keylen - done < sizeof(d) ? keylen - done : sizeof(d);
		memcpy(key + done, d, n);
		done += n;
	}
	secret_wipe(d, sizeof(d));
	secret_wipe(&ctx, sizeof(ctx));
}

int
pbe_legacy_decrypt(const char *dekinfo, size_t dekinfolen, const uint8_t *pass,
    size_t passlen, const uint8_t *in, size_t len, uint8_t *out, size_t *outlen)
{
	const struct pbe_cipher *c;
	const char *comma;
	uint8_t iv[PBE_BLOCK_MAX], key[PBE_KEY_MAX];
	ssize_t ivlen;
	int rv;

	if ((comma = memchr(dekinfo, ',', dekinfolen)) == NULL)
		return KEY_EFORMAT;
	if ((c = cipher_by_name(dekinfo, (size_t)(comma - dekinfo))) == NULL)
		return KEY_EUNSUPPORTED;
	comma++;
	ivlen = hex_decode(
	    comma, dekinfolen - (size_t)(comma - dekinfo), iv, sizeof(iv));
	if (ivlen != (ssize_t)c->nc->block_size)
		return KEY_EFORMAT;
	bytes_to_key(pass, passlen, iv, key, c->nc->key_size);
	rv = pbe_cbc_decrypt(c, key, iv, in, len, out, outlen);
	secret_wipe(key, sizeof(key));
	return rv;
}

void
pbe_legacy_encrypt(const uint8_t *pass, size_t passlen, const uint8_t *in,
    size_t len, uint8_t *out, size_t *outlen, char dekinfo[PBE_DEKINFO_MAX])
{
	const struct pbe_cipher *c = &pbe_aes256_cbc;
	uint8_t iv[PBE_BLOCK_MAX], key[PBE_KEY_MAX];
	size_t n, i;

	rand_nettle(NULL, c->nc->block_size, iv);
	bytes_to_key(pass, passlen, iv, key, c->nc->key_size);
	pbe_cbc_encrypt(c, key, iv, in, len, out, outlen);
	secret_wipe(key, sizeof(key));
	/* OpenSSL writes the IV in upper case. */
	n = strlen(c->name);
	memcpy(dekinfo, c->name, n);
	dekinfo[n++] = ',';
	hex_encode(iv, c->nc->block_size, dekinfo + n);
	for (i = n; dekinfo[i] != '\0'; i++)
		dekinfo[i] = (char)toupper((unsigned char)dekinfo[i]);
}
