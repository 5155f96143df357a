/*
 * keymanager_profile: the client's crypto, faithful or hardened (pk-xfer
 * --hardened keymanager), all of it in this one file.  Faithful, as the
 * original: K and IV each one AES-128-ECB block under the shared K3, the
 * confirmation a fixed constant under K, the length block and the file
 * in CBC or CFB-128 from the same IV every time, no MAC.  Hardened
 * (docs/keymanager.md "Profiles"): -k is the client's own RSA key, whose
 * public half is its first frame; K comes under it with RSA-OAEP
 * (SHA-256), the confirmation is HMAC-SHA256 over the transcript, and
 * the peer channel is AES-256-GCM with a random nonce per transfer and a
 * tag per piece (lib/kmhard.c).
 */
#include <err.h>
#include <stdio.h>
#include <string.h>

#include <nettle/cbc.h>
#include <nettle/cfb.h>
#include <nettle/sha2.h>

#include "cli.h"
#include "files.h"
#include "keymanager.h"
#include "oaep.h"
#include "pkcs7.h"
#include "rand.h"
#include "secret.h"
#include "secrets.h"

#define KM_FILE_MAX (1ULL << 62) /* largest file (ciphertext) accepted */

void
kmp_load(const struct km_opts *o, struct km_cred *c)
{
	memset(c, 0, sizeof(*c));
	c->hardened = o->hardened;
	if (!o->hardened) {
		km_k3_load(o->k3file, &c->k3);
		return;
	}
	xfer_key_load(&c->rsa, o->k3file, NULL);
	if (oaep_max_len(&nettle_sha256, c->rsa.pub.size) < KM_H_K)
		errx(2, "%s: an RSA key too small for OAEP", o->k3file);
	memcpy(c->der, KM_H_PUBKEY, sizeof(KM_H_PUBKEY) - 1);
	if (key_spki_der(&c->rsa, c->der + sizeof(KM_H_PUBKEY) - 1,
		sizeof(c->der) - sizeof(KM_H_PUBKEY) + 1, &c->der_len) != 0)
		errx(
		    2, "%s: the public key does not fit in a frame", o->k3file);
}

/*
 * Hardened: the key goes first, so that a faithful key manager sees the
 * mismatch too.  The greeting's mark says the relay's profile.
 */
void
kmp_greeted(struct link *km, const struct km_opts *o, struct km_cred *c)
{
	size_t mark = sizeof(KM_H_HELLO_MARK) - 1;
	int hardened;

	if (c->hardened)
		link_write(km, c->der, sizeof(KM_H_PUBKEY) - 1 + c->der_len);
	link_read(km);
	if (!link_starts(km, "Hello client #"))
		errx(2, "%s: not a key manager: \"%.80s\"", km->name,
		    (const char *)km->msg);
	hardened = km->len > mark &&
	    memcmp(km->msg + km->len - mark, KM_H_HELLO_MARK, mark) == 0;
	if (hardened != c->hardened) {
		if (!c->hardened)
			(void)link_send(km, "end", 3);
		secrets_wipe();
		cli_profile_mismatch(o->g);
	}
	memcpy(c->hello, km->msg, km->len);
	c->hello_len = km->len;
}

/* Faithful: K and IV, one ECB block each under K3. */
static void
unwrap(struct link *km, const struct km_opts *o, const struct km_cred *c,
    struct km_session *s)
{
	link_says(km, "get key");
	km_read_block(km, s->kw, KM_BLOCK);
	link_says(km, "get iv");
	km_read_block(km, s->ivw, KM_BLOCK);
	km_save(o, "key.wrapped", s->kw, KM_BLOCK);
	km_save(o, "iv.wrapped", s->ivw, KM_BLOCK);
	aes128_decrypt(&c->k3, KM_BLOCK, s->k, s->kw);
	aes128_decrypt(&c->k3, KM_BLOCK, s->iv, s->ivw);
}

/* Hardened: K under the client's RSA key; no IV (a nonce per transfer). */
int
kmp_keys(struct link *km, const struct km_opts *o, const struct km_cred *c,
    struct km_session *s)
{
	size_t klen = 0, n = c->rsa.pub.size;

	s->hardened = c->hardened;
	if (!c->hardened) {
		unwrap(km, o, c, s);
		return 0;
	}
	link_says(km, "get key");
	km_read_block(km, s->wrapped, n);
	s->wrapped_len = n;
	km_save(o, "key.wrapped", s->wrapped, n);
	if (oaep_decrypt(&c->rsa.pub, &c->rsa.priv, &nettle_sha256,
		(const uint8_t *)KM_H_OAEP_LABEL, sizeof(KM_H_OAEP_LABEL) - 1,
		NULL, rand_nettle, n, s->wrapped, &klen, s->hk) == -1 ||
	    klen != KM_H_K) {
		printf("K does not open with this client's RSA key\n");
		return 1;
	}
	km_h_derive(s->hk, &s->keys);
	return 0;
}

void
kmp_confirm(struct link *km, const struct km_cred *c,
    const struct km_session *s, const char *command)
{
	static const uint8_t text[] = KM_CONFIRM;
	uint8_t buf[KM_CONFIRM_PADDED];
	struct km_h_transcript t = {c->hello, c->der + sizeof(KM_H_PUBKEY) - 1,
	    s->wrapped, c->hello_len, c->der_len, s->wrapped_len, command,
	    km_mode_name(s->mode)};
	struct km_chain ch;
	size_t n = sizeof(KM_H_CONFIRM) - 1;

	if (c->hardened) {
		memcpy(buf, KM_H_CONFIRM, n);
		km_h_confirm_mac(&s->keys, &t, buf + n);
		link_write(km, buf, n + KM_H_MAC);
		return;
	}
	memcpy(buf, text, KM_CONFIRM_LEN);
	pkcs7_pad(buf, KM_CONFIRM_LEN, KM_BLOCK);
	km_chain_init(&ch, s);
	km_chain_run(&ch, 1, sizeof(buf), buf);
	km_chain_wipe(&ch);
	link_write(km, buf, sizeof(buf));
}

void
km_chain_init(struct km_chain *c, const struct km_session *s)
{
	if (secrets_add(c, sizeof(*c)) == -1)
		err(2, "key schedule");
	c->hardened = s->hardened;
	if (s->hardened) {
		c->keys = s->keys;
		c->counter = 0;
		if (rand_fill(c->nonce, KM_H_NONCE) == -1)
			err(2, "getrandom");
		return;
	}
	c->mode = s->mode;
	aes128_set_encrypt_key(&c->enc, s->k);
	aes128_set_decrypt_key(&c->dec, s->k);
	memcpy(c->iv, s->iv, KM_BLOCK);
}

void
km_chain_run(struct km_chain *c, int encrypt, size_t len, uint8_t *buf)
{
	nettle_cipher_func *e = (nettle_cipher_func *)aes128_encrypt;
	nettle_cipher_func *d = (nettle_cipher_func *)aes128_decrypt;

	if (c->mode == KM_CBC && encrypt)
		cbc_encrypt(&c->enc, e, KM_BLOCK, c->iv, len, buf, buf);
	else if (c->mode == KM_CBC)
		cbc_decrypt(&c->dec, d, KM_BLOCK, c->iv, len, buf, buf);
	else if (encrypt)
		cfb_encrypt(&c->enc, e, KM_BLOCK, c->iv, len, buf, buf);
	else
		cfb_decrypt(&c->enc, e, KM_BLOCK, c->iv, len, buf, buf);
}

void
km_chain_wipe(struct km_chain *c)
{
	secrets_release(c);
}

uint64_t
kmp_wire_len(const struct km_chain *c, uint64_t size)
{
	if (c->hardened)
		return size + KM_H_TAG * km_h_pieces(size);
	return (size / KM_BLOCK + 1) * KM_BLOCK;
}

/*
 * Faithful: the ciphertext's length, 8 bytes big-endian padded to one
 * block, from the IV (a copy: each message restarts there).  Hardened:
 * the nonce, the file's length sealed (counter 0) and its tag.
 */
size_t
kmp_offer(struct km_chain *c, uint64_t size, uint8_t *out)
{
	uint64_t v = c->hardened ? size : kmp_wire_len(c, size);
	uint8_t *p = c->hardened ? out + KM_H_NONCE : out;
	uint8_t iv[KM_BLOCK];
	int i;

	for (i = 0; i < 8; i++)
		p[i] = (uint8_t)(v >> (56 - 8 * i));
	if (c->hardened) {
		memcpy(out, c->nonce, KM_H_NONCE);
		km_h_seal(&c->keys, c->nonce, 0, KM_H_KIND_OFFER, 8, p, p + 8);
		return KM_H_OFFER;
	}
	pkcs7_pad(p, 8, KM_BLOCK);
	memcpy(iv, c->iv, KM_BLOCK);
	km_chain_run(c, 1, KM_BLOCK, p);
	memcpy(c->iv, iv, KM_BLOCK);
	return KM_BLOCK;
}

int
kmp_offered(struct km_chain *c, const uint8_t *p, size_t len, uint64_t *wire)
{
	uint8_t blk[KM_BLOCK], iv[KM_BLOCK];
	uint64_t v = 0;
	int i, ok;

	if (len != (c->hardened ? KM_H_OFFER : KM_BLOCK))
		return -1;
	if (c->hardened) {
		memcpy(c->nonce, p, KM_H_NONCE);
		memcpy(blk, p + KM_H_NONCE, 8);
		ok = km_h_open(&c->keys, c->nonce, 0, KM_H_KIND_OFFER, 8, blk,
			 p + KM_H_NONCE + 8) == 0;
	} else {
		memcpy(blk, p, KM_BLOCK);
		memcpy(iv, c->iv, KM_BLOCK);
		km_chain_run(c, 0, KM_BLOCK, blk);
		memcpy(c->iv, iv, KM_BLOCK);
		ok = pkcs7_strip(blk, KM_BLOCK, KM_BLOCK) == 8;
	}
	for (i = 0; ok && i < 8; i++)
		v = v << 8 | blk[i];
	if (!ok || v > KM_FILE_MAX ||
	    (!c->hardened && (v % KM_BLOCK != 0 || v == 0)))
		return -1;
	*wire = c->hardened ? kmp_wire_len(c, v) : v;
	return 0;
}

size_t
kmp_seal(struct km_chain *c, uint8_t *buf, size_t n, int last)
{
	if (c->hardened) {
		km_h_seal(&c->keys, c->nonce, ++c->counter,
		    last ? KM_H_KIND_LAST : KM_H_KIND_PIECE, n, buf, buf + n);
		return n + KM_H_TAG;
	}
	if (last)
		n = pkcs7_pad(buf, n, KM_BLOCK);
	km_chain_run(c, 1, n, buf);
	return n;
}

size_t
kmp_piece(const struct km_chain *c, uint64_t left)
{
	size_t most = c->hardened ? KM_H_PIECE + KM_H_TAG : IO_BLOCK;

	return left < most ? (size_t)left : most;
}

long
kmp_open(struct km_chain *c, uint8_t *buf, size_t n, int last)
{
	long pad;

	if (c->hardened) {
		if (n < KM_H_TAG ||
		    km_h_open(&c->keys, c->nonce, ++c->counter,
			last ? KM_H_KIND_LAST : KM_H_KIND_PIECE, n - KM_H_TAG,
			buf, buf + n - KM_H_TAG) == -1)
			return -1;
		return (long)(n - KM_H_TAG);
	}
	km_chain_run(c, 0, n, buf);
	if (!last)
		return (long)n;
	/* The last block holds the padding: check it, then drop it. */
	pad = pkcs7_strip(buf + n - KM_BLOCK, KM_BLOCK, KM_BLOCK);
	return pad == -1 ? -1 : (long)(n - KM_BLOCK) + pad;
}
