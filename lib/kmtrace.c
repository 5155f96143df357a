/*
 * kmtrace: the key manager's frames as named fields.  Every control
 * message and the peer channel's length block and answer are one
 * lib/frame.h frame: the 4-byte `length`, then the text (`text`), a
 * wrapped key (`wrapped_k`, `wrapped_iv`) or a ciphertext
 * (`confirmation`, `size_block`); the file follows raw (`ciphertext`).
 * A frame's step comes from its words, a 16-byte answer's from the
 * client's last command.  The hardened profile's frames (steps ending in
 * `_hardened`, and `pubkey`) are told from the greeting's mark, the
 * client's key frame, or the side's profile (km_trace_hard_k).
 */
#include <stdio.h>
#include <string.h>

#include <nettle/cbc.h>
#include <nettle/cfb.h>
#include <nettle/sha2.h>

#include "frame.h"
#include "key.h"
#include "kmtrace.h"
#include "oaep.h"
#include "rand.h"
#include "secret.h"

void
km_trace_init(
    struct km_trace *t, enum km_side side, const struct aes128_ctx *k3)
{
	memset(t, 0, sizeof(*t));
	t->side = side;
	t->k3 = k3;
}

void
km_trace_keys(struct km_trace *t, enum km_mode mode, const uint8_t k[KM_BLOCK],
    const uint8_t iv[KM_BLOCK])
{
	t->mode = mode;
	memcpy(t->k, k, KM_BLOCK);
	memcpy(t->iv, iv, KM_BLOCK);
	t->have_k = t->have_iv = 1;
}

void
km_trace_hard_k(struct km_trace *t, const uint8_t k[KM_H_K])
{
	t->hardened = 1;
	memcpy(t->hk, k, KM_H_K);
	km_h_derive(k, &t->keys);
	t->have_hk = 1;
}

void
km_trace_hard_rsa(struct km_trace *t, const struct key_rsa *rsa)
{
	t->hardened = 1;
	t->rsa = rsa;
}

/* 1 if the frame comes from the client (or, on the peer channel, sender). */
static int
from_client(const struct km_trace *t, enum trace_dir dir)
{
	if (t->side == KM_SIDE_CLIENT || t->side == KM_SIDE_SENDER)
		return dir == TRACE_SENT;
	return dir == TRACE_RECV;
}

static int
keyed(const struct km_trace *t)
{
	return t->have_k && t->have_iv && t->mode != 0;
}

static const char *
opened_with(const struct km_trace *t)
{
	return t->mode == KM_CBC ? "K and IV, AES-128-CBC"
				 : "K and IV, AES-128-CFB";
}

/* Decrypts len bytes in the mode under K from iv (updated: the chain). */
static void
open_chain(const struct km_trace *t, uint8_t iv[KM_BLOCK], size_t len,
    uint8_t *dst, const uint8_t *src)
{
	struct aes128_ctx ctx;

	if (t->mode == KM_CBC) {
		aes128_set_decrypt_key(&ctx, t->k);
		cbc_decrypt(&ctx, (nettle_cipher_func *)aes128_decrypt,
		    KM_BLOCK, iv, len, dst, src);
	} else {
		aes128_set_encrypt_key(&ctx, t->k);
		cfb_decrypt(&ctx, (nettle_cipher_func *)aes128_encrypt,
		    KM_BLOCK, iv, len, dst, src);
	}
	secret_wipe(&ctx, sizeof(ctx));
}

/* A ciphertext of one message, from the session IV, with its plaintext. */
static void
message(struct trace_frame *fr, struct km_trace *t, const char *name,
    const char *plain, size_t len)
{
	uint8_t iv[KM_BLOCK];

	if (trace_add(fr, name, FRAME_HDR, len, TRACE_CIPHER) == NULL ||
	    !keyed(t))
		return;
	memcpy(iv, t->iv, KM_BLOCK);
	open_chain(t, iv, len, t->plain, fr->buf + FRAME_HDR);
	trace_plain(fr, plain, t->plain, len, opened_with(t));
}

/* A payload that should be text: its words, or malformed. */
static void
words(struct trace_frame *fr, const uint8_t *p, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++)
		if ((p[i] < 0x20 || p[i] > 0x7e) && p[i] != '\n')
			break;
	if (i < len) {
		trace_add(fr, "bytes", FRAME_HDR, len, TRACE_BYTES);
		trace_bad(fr, "binary where text was expected");
		return;
	}
	trace_add(fr, "text", FRAME_HDR, len, TRACE_TEXT);
}

static void
client_frame(
    struct trace_frame *fr, struct km_trace *t, const uint8_t *p, size_t len)
{
	static const char *const step[] = {
	    [KM_UNKNOWN] = "text",
	    [KM_WAIT] = "wait",
	    [KM_SEND] = "send",
	    [KM_CONN] = "conn",
	    [KM_GET_KEY] = "get_key",
	    [KM_GET_IV] = "get_iv",
	    [KM_START] = "start",
	    [KM_SIZE] = "size",
	    [KM_END] = "end",
	    [KM_CONFIRM_MSG] = "confirm",
	    [KM_PUBKEY] = "pubkey",
	    [KM_CONFIRM_MAC] = "confirm_hardened",
	};
	struct km_msg m;

	t->last = km_parse(p, len, &m);
	if (m.type == KM_PUBKEY || m.type == KM_CONFIRM_MAC) {
		fr->step = step[m.type];
		t->hardened |= m.type == KM_PUBKEY;
		trace_add(fr, "word", FRAME_HDR, len - m.blob_len, TRACE_TEXT);
		trace_add(fr, m.type == KM_PUBKEY ? "public_key" : "mac",
		    FRAME_HDR + len - m.blob_len, m.blob_len, TRACE_BYTES);
		return;
	}
	if (m.type == KM_CONFIRM_MSG) {
		fr->step = step[m.type];
		message(fr, t, "confirmation", "constant", len);
		return;
	}
	fr->step = m.type == KM_BAD ? "binary" : step[m.type];
	if (m.type == KM_CONN)
		t->mode = m.mode;
	words(fr, p, len);
}

/* What the key manager says, from its words. */
static const char *
server_step(const uint8_t *p, size_t len)
{
	static const struct {
		const char *text;
		int prefix; /* the text starts with it */
		const char *step;
	} said[] = {
	    {"Hello client #", 1, "hello"},
	    {"select a peer", 1, "waiters"},
	    {KM_NO_WAITERS, 0, "waiters"},
	    {"cbc", 0, "mode"},
	    {"cfb", 0, "mode"},
	    {"start", 0, "start"},
	    {KM_NOTIFY, 0, "notify"},
	    {KM_SEND_DATA " ", 1, "send_data"},
	    {KM_SIZES_OK, 0, "verdict"},
	    {KM_SIZES_BAD, 0, "verdict"},
	    {KM_KEY_ERROR, 0, "error"},
	    {KM_PEER_ERROR, 1, "error"},
	    {KM_PEER_KEY_ERROR, 0, "error"},
	    {KM_UNEXPECTED, 0, "error"},
	};
	size_t i, n, mark = sizeof(KM_H_HELLO_MARK) - 1;

	if (len > 14 + mark && memcmp(p, "Hello client #", 14) == 0 &&
	    memcmp(p + len - mark, KM_H_HELLO_MARK, mark) == 0)
		return "hello_hardened";
	for (i = 0; i < sizeof(said) / sizeof(said[0]); i++) {
		n = strlen(said[i].text);
		if ((said[i].prefix ? len >= n : len == n) &&
		    memcmp(p, said[i].text, n) == 0)
			return said[i].step;
	}
	return "text";
}

/* K or IV under K3, unwrapped when the side holds K3. */
static void
wrapped(struct trace_frame *fr, struct km_trace *t, const uint8_t *p, int iv)
{
	uint8_t *out = iv ? t->iv : t->k;

	fr->step = iv ? "iv" : "key";
	if (trace_add(fr, iv ? "wrapped_iv" : "wrapped_k", FRAME_HDR, KM_BLOCK,
		TRACE_CIPHER) == NULL ||
	    t->k3 == NULL)
		return;
	aes128_decrypt(t->k3, KM_BLOCK, out, p);
	*(iv ? &t->have_iv : &t->have_k) = 1;
	trace_plain(fr, iv ? "iv" : "k", out, KM_BLOCK, "K3, AES-128-ECB");
}

/* K under the client's RSA key, opened with it (or known: the relay). */
static void
oaep_wrapped(
    struct trace_frame *fr, struct km_trace *t, const uint8_t *p, size_t len)
{
	const struct key_rsa *r = t->rsa;
	const char *with = "the key manager's own K";
	uint8_t k[KEY_RSA_BITS_MAX / 8];
	size_t klen = 0;

	fr->step = "key_hardened";
	if (trace_add(fr, "oaep_k", FRAME_HDR, len, TRACE_CIPHER) == NULL)
		return;
	if (r != NULL && len == r->pub.size &&
	    oaep_decrypt(&r->pub, &r->priv, &nettle_sha256,
		(const uint8_t *)KM_H_OAEP_LABEL, sizeof(KM_H_OAEP_LABEL) - 1,
		NULL, rand_nettle, len, p, &klen, k) == 0 &&
	    klen == KM_H_K) {
		km_trace_hard_k(t, k);
		with = "the client's RSA key, RSA-OAEP-SHA256";
	}
	secret_wipe(k, sizeof(k));
	if (t->have_hk)
		trace_plain(fr, "k", t->hk, KM_H_K, with);
}

static void
server_frame(
    struct trace_frame *fr, struct km_trace *t, const uint8_t *p, size_t len)
{
	if (t->last == KM_GET_KEY && (t->hardened || t->rsa != NULL) &&
	    len != KM_BLOCK) {
		oaep_wrapped(fr, t, p, len);
		t->last = KM_UNKNOWN;
		return;
	}
	if (len == KM_BLOCK &&
	    (t->last == KM_GET_KEY || t->last == KM_GET_IV)) {
		wrapped(fr, t, p, t->last == KM_GET_IV);
		t->last = KM_UNKNOWN;
		return;
	}
	fr->step = server_step(p, len);
	t->hardened |= strcmp(fr->step, "hello_hardened") == 0;
	if (strcmp(fr->step, "mode") == 0)
		t->mode = p[1] == 'b' ? KM_CBC : KM_CFB;
	words(fr, p, len);
}

/* The hardened offer: the nonce, the sealed length and its tag. */
static void
sealed_offer(struct trace_frame *fr, struct km_trace *t, size_t len)
{
	const uint8_t *p = fr->buf + FRAME_HDR;

	fr->step = "offer_hardened";
	if (len != KM_H_OFFER) {
		trace_add(fr, "bytes", FRAME_HDR, len, TRACE_BYTES);
		trace_bad(fr, "the offer is not nonce, length and tag");
		return;
	}
	trace_add(fr, "nonce", FRAME_HDR, KM_H_NONCE, TRACE_IV);
	memcpy(t->nonce, p, KM_H_NONCE);
	t->have_nonce = 1;
	trace_add(fr, "size_ct", FRAME_HDR + KM_H_NONCE, 8, TRACE_CIPHER);
	if (t->have_hk) {
		memcpy(t->plain, p + KM_H_NONCE, 8);
		if (km_h_open(&t->keys, t->nonce, 0, KM_H_KIND_OFFER, 8,
			t->plain, p + KM_H_NONCE + 8) == 0)
			trace_plain(fr, "size", t->plain, 8,
			    "the data key from K, AES-256-GCM");
		else
			trace_bad(fr, "the tag does not verify");
	}
	trace_add(fr, "tag", FRAME_HDR + KM_H_NONCE + 8, KM_H_TAG, TRACE_BYTES);
}

/* The sender's length block, or the waiter's yes or no. */
static void
peer_frame(struct trace_frame *fr, struct km_trace *t, size_t len)
{
	if (!from_client(t, fr->dir)) {
		fr->step = "answer";
		words(fr, fr->buf + FRAME_HDR, len);
		return;
	}
	if (t->hardened) {
		sealed_offer(fr, t, len);
		return;
	}
	fr->step = "offer";
	if (len != KM_BLOCK) {
		trace_add(fr, "bytes", FRAME_HDR, len, TRACE_BYTES);
		trace_bad(fr, "the length block is not one block");
		return;
	}
	message(fr, t, "size_block", "size", len);
}

void
km_trace(struct trace_frame *fr, struct km_trace *t)
{
	struct trace_field *f;
	size_t len;

	fr->proto = "keymanager";
	if ((f = trace_uint(fr, "length", 0, FRAME_HDR, 0)) == NULL)
		return;
	len = fr->len - FRAME_HDR;
	if (f->num != len || len == 0) {
		trace_bad(fr, "the length is not the payload's");
		return;
	}
	if (t->side == KM_SIDE_SENDER || t->side == KM_SIDE_WAITER)
		peer_frame(fr, t, len);
	else if (from_client(t, fr->dir))
		client_frame(fr, t, fr->buf + FRAME_HDR, len);
	else
		server_frame(fr, t, fr->buf + FRAME_HDR, len);
}

/* A hardened piece: ciphertext and tag, opened with the offer's nonce. */
static void
sealed_piece(struct trace_frame *fr, struct km_trace *t)
{
	size_t n = fr->len - KM_H_TAG;
	uint64_t counter = (uint64_t)++t->pieces;

	fr->step = "file_hardened";
	trace_add(fr, "ciphertext", 0, n, TRACE_CIPHER);
	if (t->have_hk && t->have_nonce && t->scratch != NULL &&
	    n <= t->scratch_size) {
		memcpy(t->scratch, fr->buf, n);
		if (km_h_open(&t->keys, t->nonce, counter,
			n < KM_H_PIECE ? KM_H_KIND_LAST : KM_H_KIND_PIECE, n,
			t->scratch, fr->buf + n) == 0)
			trace_plain(fr, "plaintext", t->scratch, n,
			    "the data key from K, AES-256-GCM");
		else
			trace_bad(fr, "the tag does not verify");
	}
	trace_add(fr, "tag", n, KM_H_TAG, TRACE_BYTES);
}

void
km_trace_file(struct trace_frame *fr, struct km_trace *t)
{
	const char *with = "K, AES-128-CBC, chained from the piece before";

	if (t->hardened) {
		fr->proto = "keymanager";
		if (fr->len >= KM_H_TAG)
			sealed_piece(fr, t);
		else {
			fr->step = "file_hardened";
			trace_add(fr, "bytes", 0, fr->len, TRACE_BYTES);
			trace_bad(fr, "shorter than a tag");
		}
		return;
	}

	fr->proto = "keymanager";
	fr->step = "file";
	if (trace_add(fr, "ciphertext", 0, fr->len, TRACE_CIPHER) == NULL)
		return;
	if (fr->len % KM_BLOCK != 0) {
		trace_bad(fr, "not whole blocks");
		return;
	}
	if (t->pieces++ == 0) {
		memcpy(t->chain, t->iv, KM_BLOCK);
		with = opened_with(t);
	} else if (t->mode == KM_CFB)
		with = "K, AES-128-CFB, chained from the piece before";
	if (!keyed(t) || t->scratch == NULL || fr->len > t->scratch_size) {
		if (fr->len >= KM_BLOCK)
			memcpy(
			    t->chain, fr->buf + fr->len - KM_BLOCK, KM_BLOCK);
		return;
	}
	open_chain(t, t->chain, fr->len, t->scratch, fr->buf);
	trace_plain(fr, "plaintext", t->scratch, fr->len, with);
}
