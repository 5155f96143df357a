/*
 * gcm256: an AES-256-GCM seal or open finished (gcm256.h): Nettle's
 * gcm.h, the tag compared with memeql_sec, the context wiped.
 */
#include <nettle/memops.h>

#include "gcm256.h"
#include "secret.h"

void
gcm256_seal(struct gcm_aes256_ctx *g, size_t n, uint8_t *out, const uint8_t *in,
    size_t taglen, uint8_t *tag)
{
	gcm_aes256_encrypt(g, n, out, in);
	gcm_aes256_digest(g, taglen, tag);
	secret_wipe(g, sizeof(*g));
}

int
gcm256_open(struct gcm_aes256_ctx *g, size_t n, uint8_t *out, const uint8_t *in,
    size_t taglen, const uint8_t *tag)
{
	uint8_t want[GCM_DIGEST_SIZE];
	int ok;

	gcm_aes256_decrypt(g, n, out, in);
	gcm_aes256_digest(g, taglen, want);
	secret_wipe(g, sizeof(*g));
	ok = memeql_sec(want, tag, taglen);
	if (!ok)
		secret_wipe(out, n);
	return ok ? 0 : -1;
}
