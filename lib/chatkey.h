/*
 * chatkey: the chat's crypto (seed 003) as the attacker's tools use it,
 * pk-mitm's key substitution and pk-attack's chat attacks: the session
 * key unwrapped from its RSA-OAEP frame (either profile's) or wrapped
 * again under another key, and a faithful message's AES-128-CFB8 either
 * way.  Functions
 * return 0, or -1 with errno set; nothing here prints or exits.
 */
#ifndef PK_CHATKEY_H
#define PK_CHATKEY_H

#include <stddef.h>
#include <stdint.h>

#include "chatwire.h"
#include "key.h"

/*
 * Opens the wrapped session key w (len bytes) with k's private key into
 * key: faithful, CHAT_KEY bytes under OAEP-SHA1; hardened, CHAT_H_K
 * under OAEP-SHA256 with CHAT_H_OAEP_LABEL (lib/chathard.h).  EBADMSG
 * when it does not open or is not of that length.
 */
int chatkey_unwrap(const struct key_rsa *k, int hardened, const uint8_t *w,
    size_t len, uint8_t *key);
/*
 * Wraps key under pub (RSA-OAEP-SHA1, a fresh seed) into out, pub->size
 * bytes; ENOSPC when cap is smaller.
 */
int chatkey_wrap(const struct rsa_public_key *pub, const uint8_t key[CHAT_KEY],
    uint8_t *out, size_t cap);
/* AES-128-CFB8 of len bytes, src to dst (which may be the same). */
void chatkey_cfb8(const uint8_t key[CHAT_KEY], const uint8_t iv[CHAT_IV],
    int encrypt, size_t len, uint8_t *dst, const uint8_t *src);

#endif
