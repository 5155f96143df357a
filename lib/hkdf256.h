/*
 * hkdf256: HKDF-SHA256 (RFC 5869) from Nettle's hkdf.h, extract then
 * expand in one call, its state wiped, for the hardened profiles' keys
 * (lib/vaultseal.c, lib/kmhard.c, lib/chathard.c).
 */
#ifndef PK_HKDF256_H
#define PK_HKDF256_H

#include <stddef.h>
#include <stdint.h>

/*
 * outlen bytes (at most 255 * 32) of key from the ikmlen bytes of ikm,
 * the text salt and the text info.
 */
void hkdf256(const char *salt, const uint8_t *ikm, size_t ikmlen,
    const char *info, uint8_t *out, size_t outlen);

#endif
