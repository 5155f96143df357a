/*
 * hkdf256: HKDF-SHA256 in one call (hkdf256.h): Nettle's hkdf_extract
 * and hkdf_expand over HMAC-SHA256, the PRK and the HMAC state wiped.
 */
#include <string.h>

#include <nettle/hkdf.h>
#include <nettle/hmac.h>

#include "hkdf256.h"
#include "secret.h"

void
hkdf256(const char *salt, const uint8_t *ikm, size_t ikmlen, const char *info,
    uint8_t *out, size_t outlen)
{
	struct hmac_sha256_ctx h;
	uint8_t prk[SHA256_DIGEST_SIZE];

	hmac_sha256_set_key(&h, strlen(salt), (const uint8_t *)salt);
	hkdf_extract(&h, (nettle_hash_update_func *)hmac_sha256_update,
	    (nettle_hash_digest_func *)hmac_sha256_digest, SHA256_DIGEST_SIZE,
	    ikmlen, ikm, prk);
	hmac_sha256_set_key(&h, sizeof(prk), prk);
	hkdf_expand(&h, (nettle_hash_update_func *)hmac_sha256_update,
	    (nettle_hash_digest_func *)hmac_sha256_digest, SHA256_DIGEST_SIZE,
	    strlen(info), (const uint8_t *)info, outlen, out);
	secret_wipe(&h, sizeof(h));
	secret_wipe(prk, sizeof(prk));
}
