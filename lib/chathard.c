/*
 * chathard: the hardened chat's frames and crypto (chathard.h): HKDF-SHA256
 * (lib/hkdf256.c), AES-256-GCM (gcm.h, finished by lib/gcm256.c: tags
 * compared with memeql_sec) and SHA-256 (sha2.h) from Nettle.
 */
#include <string.h>

#include <nettle/gcm.h>

#include "chathard.h"
#include "gcm256.h"
#include "hex.h"
#include "hkdf256.h"
#include "secret.h"

static const char salt[] = "protokit chat hardened v1";
static const char *const info[] = {"up key", "down key"};
static const char sign_label[] = "protokit chat handshake v1";

int
chat_h_is_hello(const uint8_t *p, size_t len)
{
	return len >= 2 && p[0] == CHAT_H_HELLO && p[1] == CHAT_H_VERSION;
}

static uint64_t
be_get(const uint8_t *p, size_t n)
{
	uint64_t v = 0;

	while (n-- > 0)
		v = v << 8 | *p++;
	return v;
}

static void
be_put(uint8_t *p, uint64_t v, size_t n)
{
	while (n-- > 0) {
		p[n] = (uint8_t)v;
		v >>= 8;
	}
}

int
chat_h_parse(
    const uint8_t *p, size_t len, enum chat_h_dir dir, struct chat_h_sealed *s)
{
	if (len < CHAT_H_SEALED_MIN || len > CHAT_H_FRAME_MAX)
		return -1;
	s->type = p[0];
	if (p[0] != CHAT_H_MSG &&
	    (dir == CHAT_H_UP ||
		(p[0] != CHAT_H_NOTICE && p[0] != CHAT_H_REKEY)))
		return -1;
	s->epoch = (uint32_t)be_get(p + 1, CHAT_H_EPOCH);
	s->seq = be_get(p + 1 + CHAT_H_EPOCH, CHAT_H_SEQ);
	s->hdr = p;
	s->body = p + CHAT_H_HDR;
	s->len = len - CHAT_H_SEALED_MIN;
	s->tag = p + len - CHAT_H_TAG;
	return s->type;
}

void
chat_h_wrapped_header(
    uint8_t hdr[CHAT_H_WRAPPED_HDR], uint32_t epoch, size_t wrapped_len)
{
	hdr[0] = CHAT_H_WRAPPED;
	be_put(hdr + 1, epoch, CHAT_H_EPOCH);
	be_put(hdr + 1 + CHAT_H_EPOCH, wrapped_len, 2);
}

int
chat_h_wrapped_parse(const uint8_t *p, size_t len, struct chat_h_wrapped *w)
{
	if (len < CHAT_H_WRAPPED_HDR || p[0] != CHAT_H_WRAPPED)
		return -1;
	w->epoch = (uint32_t)be_get(p + 1, CHAT_H_EPOCH);
	w->wrapped_len = (size_t)be_get(p + 1 + CHAT_H_EPOCH, 2);
	if (w->wrapped_len == 0 || w->wrapped_len >= len - CHAT_H_WRAPPED_HDR)
		return -1;
	w->wrapped = p + CHAT_H_WRAPPED_HDR;
	w->sig = w->wrapped + w->wrapped_len;
	w->sig_len = len - CHAT_H_WRAPPED_HDR - w->wrapped_len;
	return 0;
}

void
chat_h_header(uint8_t hdr[CHAT_H_HDR], int type, uint32_t epoch, uint64_t seq)
{
	hdr[0] = (uint8_t)type;
	be_put(hdr + 1, epoch, CHAT_H_EPOCH);
	be_put(hdr + 1 + CHAT_H_EPOCH, seq, CHAT_H_SEQ);
}

/* dir's key of K, and the nonce and associated data of hdr, into ctx. */
static void
start(struct gcm_aes256_ctx *ctx, const uint8_t k[CHAT_H_K],
    enum chat_h_dir dir, const uint8_t hdr[CHAT_H_HDR])
{
	uint8_t key[CHAT_H_K], nonce[12] = {0};

	hkdf256(salt, k, CHAT_H_K, info[dir], key, sizeof(key));
	/* Each direction's key is new each epoch; seq never repeats in it. */
	memcpy(nonce + 12 - CHAT_H_SEQ, hdr + 1 + CHAT_H_EPOCH, CHAT_H_SEQ);
	gcm_aes256_set_key(ctx, key);
	gcm_aes256_set_iv(ctx, sizeof(nonce), nonce);
	gcm_aes256_update(ctx, CHAT_H_HDR, hdr);
	secret_wipe(key, sizeof(key));
}

void
chat_h_seal(const uint8_t k[CHAT_H_K], enum chat_h_dir dir,
    const uint8_t hdr[CHAT_H_HDR], const uint8_t *in, size_t len, uint8_t *out,
    uint8_t tag[CHAT_H_TAG])
{
	struct gcm_aes256_ctx ctx;

	start(&ctx, k, dir, hdr);
	gcm256_seal(&ctx, len, out, in, CHAT_H_TAG, tag);
}

int
chat_h_open(const uint8_t k[CHAT_H_K], enum chat_h_dir dir,
    const struct chat_h_sealed *s, uint8_t *out)
{
	struct gcm_aes256_ctx ctx;

	start(&ctx, k, dir, s->hdr);
	return gcm256_open(&ctx, s->len, out, s->body, CHAT_H_TAG, s->tag);
}

void
chat_h_fingerprint(const uint8_t *der, size_t len, uint8_t fp[CHAT_H_FP])
{
	struct sha256_ctx ctx;

	sha256_init(&ctx);
	sha256_update(&ctx, len, der);
	sha256_digest(&ctx, CHAT_H_FP, fp);
}

void
chat_h_fp_hex(const uint8_t fp[CHAT_H_FP], char hex[2 * CHAT_H_FP + 1])
{
	hex_encode(fp, CHAT_H_FP, hex);
}

int
chat_h_fp_parse(const char *s, uint8_t fp[CHAT_H_FP])
{
	size_t len;

	if (strncmp(s, "sha256:", 7) == 0)
		s += 7;
	len = strlen(s);
	if (len != 2 * CHAT_H_FP)
		return -1;
	return hex_decode(s, len, fp, CHAT_H_FP) == CHAT_H_FP ? 0 : -1;
}

/* One item of the transcript: its length (4 bytes, big-endian), then it. */
static void
item(struct sha256_ctx *ctx, const uint8_t *p, size_t len)
{
	uint8_t be[4];

	be_put(be, len, sizeof(be));
	sha256_update(ctx, sizeof(be), be);
	sha256_update(ctx, len, p);
}

void
chat_h_transcript_digest(
    const struct chat_h_transcript *t, uint8_t digest[SHA256_DIGEST_SIZE])
{
	struct sha256_ctx ctx;

	sha256_init(&ctx);
	item(&ctx, (const uint8_t *)sign_label, sizeof(sign_label) - 1);
	item(&ctx, t->hello, t->hello_len);
	item(&ctx, t->server, t->server_len);
	item(&ctx, t->client, t->client_len);
	item(&ctx, t->wrapped, t->wrapped_len);
	sha256_digest(&ctx, SHA256_DIGEST_SIZE, digest);
}
