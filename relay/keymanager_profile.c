/*
 * keymanager_profile: the key manager's crypto, faithful or hardened
 * (pk-relay --hardened keymanager), all of it in this one file.
 * Faithful, as the original: K and IV cached per (sender, waiter, mode),
 * each sent as one AES-128-ECB block under the shared K3
 * (STATE_DIR/k3), the confirmation a fixed constant under K.  Hardened
 * (docs/keymanager.md "Profiles"): no K3; each client's first frame is
 * its RSA public key, K is 256 random bits for each pairing, sent under
 * each client's key with RSA-OAEP (SHA-256), no IV (the sender draws a
 * nonce per transfer), and the confirmation is HMAC-SHA256 over the
 * pairing's transcript under a key HKDF makes of K (lib/kmhard.c).
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <nettle/cbc.h>
#include <nettle/cfb.h>
#include <nettle/memops.h>
#include <nettle/sha2.h>

#include "keymanager.h"
#include "oaep.h"
#include "pkcs7.h"
#include "rand.h"
#include "secret.h"

#define KM_CACHE_MAX 4096 /* (sender, waiter, mode) triples remembered */

/* K3: STATE_DIR/k3, 16 raw bytes or 32 hex digits (pk-keygen aes -b 128). */
static int
load_k3(struct relay_ctx *r, struct km_server *srv)
{
	char path[PATH_MAX];
	uint8_t buf[KM_K3_FILE_MAX], key[KM_BLOCK];
	size_t len;
	int rv;

	if (snprintf(path, sizeof(path), "%s/k3", relay_state_dir(r)) >=
	    (int)sizeof(path)) {
		relay_log("keymanager", "state directory path too long");
		return -1;
	}
	if (secret_from_file(path, buf, sizeof(buf), &len) == -1) {
		relay_log("keymanager",
		    "%s: %s (make it with pk-keygen aes "
		    "-b 128 -o %s)",
		    path, strerror(errno), path);
		return -1;
	}
	rv = km_k3_decode(buf, len, key);
	secret_wipe(buf, sizeof(buf));
	if (rv == -1) {
		secret_wipe(key, sizeof(key));
		relay_log("keymanager", "%s: not a 128-bit AES key", path);
		return -1;
	}
	aes128_set_encrypt_key(&srv->k3, key);
	aes128_invert_key(&srv->k3dec, &srv->k3);
	secret_wipe(key, sizeof(key));
	return 0;
}

int
kmp_init(struct relay_ctx *r, struct km_server *srv)
{
	if ((srv->hardened = relay_hardened(r, "keymanager"))) {
		relay_log("keymanager",
		    "hardened: no K3, K under each "
		    "client's RSA key (OAEP)");
		return 0;
	}
	if (load_k3(r, srv) == -1)
		return -1;
	srv->cache = secret_alloc(KM_CACHE_MAX * sizeof(*srv->cache));
	if (srv->cache == NULL) {
		relay_log("keymanager", "no memory for the key cache");
		return -1;
	}
	return 0;
}

void
kmp_fini(struct km_server *srv)
{
	if (srv->cache != NULL)
		secret_free(srv->cache, KM_CACHE_MAX * sizeof(*srv->cache));
	srv->cache = NULL;
	secret_wipe(&srv->k3, sizeof(srv->k3));
	secret_wipe(&srv->k3dec, sizeof(srv->k3dec));
}

/* The greeting, with the hardened profile's mark. */
static size_t
hello(const struct km_client *k, char *buf, size_t size)
{
	int n = snprintf(buf, size, KM_HELLO "%s", k->id,
	    k->h != NULL ? KM_H_HELLO_MARK : "");

	return n < 0 || (size_t)n >= size ? 0 : (size_t)n;
}

int
kmp_connect(struct km_client *k)
{
	struct km_server *srv = k->srv;
	char buf[sizeof(KM_HELLO) + sizeof(KM_H_HELLO_MARK) + 16];

	if (srv->hardened) {
		if ((k->h = calloc(1, sizeof(*k->h))) == NULL) {
			conn_log(k->c, "no memory");
			return -1;
		}
		rsa_public_key_init(&k->h->pub);
	}
	km_trace_init(
	    &k->tr, KM_SIDE_RELAY, srv->hardened ? NULL : &srv->k3dec);
	return km_say(k, buf, hello(k, buf, sizeof(buf)));
}

/* The hardened client's first frame: its RSA public key (SPKI DER). */
static int
take_key(struct km_client *k, const struct km_msg *m)
{
	struct km_hard *h = k->h;
	struct key_rsa key;
	int rv;

	key_init(&key);
	rv = key_parse(&key, m->blob, m->blob_len, NULL, 0);
	if (rv == KEY_OK && key.has_private)
		rv = KEY_EFORMAT;
	if (rv == KEY_OK)
		rv = key_size_check(&key.pub);
	if (rv == KEY_OK && oaep_max_len(&nettle_sha256, key.pub.size) < KM_H_K)
		rv = KEY_EFORMAT;
	if (rv == KEY_OK) {
		mpz_set(h->pub.n, key.pub.n);
		mpz_set(h->pub.e, key.pub.e);
		h->pub.size = key.pub.size;
		memcpy(h->der, m->blob, m->blob_len);
		h->der_len = m->blob_len;
		h->have_pub = 1;
	}
	key_clear(&key);
	if (rv != KEY_OK)
		return conn_protocol_error(
		    k->c, "not an RSA public key: %s", key_strerror(rv));
	conn_log(k->c, "#%u: RSA key of %zu bits", k->id, h->pub.size * 8);
	return 0;
}

int
kmp_gate(struct km_client *k, const struct km_msg *m)
{
	if (k->h == NULL && m->type == KM_CONFIRM_MAC)
		return conn_protocol_error(k->c, "binary frame of %zu bytes",
		    sizeof(KM_H_CONFIRM) - 1 + m->blob_len);
	if (k->h == NULL)
		return m->type == KM_PUBKEY ? conn_profile_mismatch(k->c) : 1;
	if (k->h->have_pub)
		return 1;
	if (m->type != KM_PUBKEY)
		return conn_profile_mismatch(k->c);
	return take_key(k, m);
}

void
kmp_command(struct km_client *k, const uint8_t *p, size_t len)
{
	if (k->h == NULL || len >= sizeof(k->h->command))
		return;
	memcpy(k->h->command, p, len);
	k->h->command[len] = '\0';
}

/* Faithful: the cached K and IV for the same triple, else new ones. */
static int
cached_keys(struct km_client *s, struct km_client *w, enum km_mode mode)
{
	struct km_server *srv = s->srv;
	struct km_cached *e;
	size_t i;

	for (i = 0; i < srv->ncache; i++) {
		e = &srv->cache[i];
		if (e->sender == s->id && e->waiter == w->id && e->mode == mode)
			break;
	}
	if (i == srv->ncache) {
		e = &srv->cache[srv->ncache < KM_CACHE_MAX ? srv->ncache++ : 0];
		e->sender = s->id;
		e->waiter = w->id;
		e->mode = mode;
		if (rand_fill(e->k, KM_BLOCK) == -1 ||
		    rand_fill(e->iv, KM_BLOCK) == -1)
			return -1;
	} else
		conn_log(s->c, "reusing K and IV of #%u -> #%u %s", s->id,
		    w->id, km_mode_name(mode));
	memcpy(s->k, e->k, KM_BLOCK);
	memcpy(s->iv, e->iv, KM_BLOCK);
	memcpy(w->k, e->k, KM_BLOCK);
	memcpy(w->iv, e->iv, KM_BLOCK);
	return 0;
}

int
kmp_session_keys(struct km_client *s, struct km_client *w, enum km_mode mode)
{
	if (s->h == NULL)
		return cached_keys(s, w, mode);
	/* Hardened: a fresh K for every pairing, never remembered. */
	if (rand_fill(s->h->k, KM_H_K) == -1)
		return -1;
	memcpy(w->h->k, s->h->k, KM_H_K);
	s->h->wrapped_len = w->h->wrapped_len = 0;
	return 0;
}

int
kmp_get(struct km_client *k, enum km_type what)
{
	struct km_hard *h = k->h;
	uint8_t block[KM_BLOCK];

	if (h == NULL) {
		/* One block of K or IV under K3 in ECB. */
		aes128_encrypt(&k->srv->k3, KM_BLOCK, block,
		    what == KM_GET_KEY ? k->k : k->iv);
		return km_say(k, block, sizeof(block));
	}
	if (what != KM_GET_KEY)
		return -2;
	if (oaep_encrypt(&h->pub, &nettle_sha256,
		(const uint8_t *)KM_H_OAEP_LABEL, sizeof(KM_H_OAEP_LABEL) - 1,
		NULL, rand_nettle, KM_H_K, h->k, h->wrapped) == -1) {
		conn_log(k->c, "OAEP: %s", strerror(errno));
		return -1;
	}
	h->wrapped_len = h->pub.size;
	km_trace_hard_k(&k->tr, h->k);
	return km_say(k, h->wrapped, h->wrapped_len);
}

/* Faithful: 1 when blob is the padded constant under K, IV in the mode. */
static int
constant_ok(const struct km_client *k, const uint8_t *blob)
{
	static const uint8_t want_text[] = KM_CONFIRM;
	uint8_t want[KM_CONFIRM_PADDED], got[KM_CONFIRM_PADDED];
	uint8_t iv[KM_BLOCK];
	struct aes128_ctx ctx;
	int ok;

	_Static_assert(sizeof(want_text) - 1 == KM_CONFIRM_LEN, "51 bytes");
	memcpy(want, want_text, KM_CONFIRM_LEN);
	pkcs7_pad(want, KM_CONFIRM_LEN, KM_BLOCK);
	memcpy(iv, k->iv, KM_BLOCK);
	if (k->mode == KM_CBC) {
		aes128_set_decrypt_key(&ctx, k->k);
		cbc_decrypt(&ctx, (nettle_cipher_func *)aes128_decrypt,
		    KM_BLOCK, iv, sizeof(got), got, blob);
	} else {
		aes128_set_encrypt_key(&ctx, k->k);
		cfb_decrypt(&ctx, (nettle_cipher_func *)aes128_encrypt,
		    KM_BLOCK, iv, sizeof(got), got, blob);
	}
	ok = memeql_sec(want, got, sizeof(got));
	secret_wipe(&ctx, sizeof(ctx));
	secret_wipe(got, sizeof(got));
	return ok;
}

/* Hardened: 1 when mac is HMAC-SHA256 over what k's connection carried. */
static int
mac_ok(const struct km_client *k, const uint8_t *mac)
{
	const struct km_hard *h = k->h;
	char greeting[sizeof(KM_HELLO) + sizeof(KM_H_HELLO_MARK) + 16];
	struct km_h_transcript t = {
	    .hello = (const uint8_t *)greeting,
	    .hello_len = hello(k, greeting, sizeof(greeting)),
	    .pubkey = h->der,
	    .pubkey_len = h->der_len,
	    .command = h->command,
	    .mode = km_mode_name(k->mode),
	    .wrapped = h->wrapped,
	    .wrapped_len = h->wrapped_len,
	};
	struct km_h_keys keys;
	uint8_t want[KM_H_MAC];
	int ok;

	if (h->wrapped_len == 0)
		return 0; /* it never asked for K */
	km_h_derive(h->k, &keys);
	km_h_confirm_mac(&keys, &t, want);
	ok = memeql_sec(want, mac, KM_H_MAC);
	secret_wipe(&keys, sizeof(keys));
	secret_wipe(want, sizeof(want));
	return ok;
}

int
kmp_confirm_ok(struct km_client *k, const struct km_msg *m)
{
	if (k->h == NULL)
		return m->type == KM_CONFIRM_MSG ? constant_ok(k, m->blob) : -2;
	return m->type == KM_CONFIRM_MAC ? mac_ok(k, m->blob) : -2;
}

void
kmp_unpair(struct km_client *k)
{
	secret_wipe(k->k, sizeof(k->k));
	secret_wipe(k->iv, sizeof(k->iv));
	if (k->h != NULL) {
		secret_wipe(k->h->k, sizeof(k->h->k));
		k->h->wrapped_len = 0;
	}
}

void
kmp_close(struct km_client *k)
{
	if (k->h == NULL)
		return;
	rsa_public_key_clear(&k->h->pub);
	secret_wipe(k->h, sizeof(*k->h));
	free(k->h);
	k->h = NULL;
}
