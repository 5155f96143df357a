/*
 * oaep: RSAES-OAEP (RFC 8017 section 7.1), which Nettle 3.8 lacks: EME-OAEP
 * encoding, a constant-time decoding, and the RSA encryption and blinded
 * decryption around them.  The hash is any Nettle hash (SHA-1 for the vault
 * and chat seeds, SHA-256 elsewhere); MGF1 always uses the same hash.
 * Functions return 0, or -1 with errno set; nothing here prints or exits.
 */
#ifndef PK_OAEP_H
#define PK_OAEP_H

#include <stddef.h>
#include <stdint.h>

#include <nettle/nettle-meta.h>
#include <nettle/rsa.h>

/*
 * Longest message a k-byte modulus carries (k - 2 hLen - 2), or -1 when
 * k is too small for the hash to carry even an empty message.
 */
long oaep_max_len(const struct nettle_hash *hash, size_t k);

/*
 * Writes the k-byte encoded message em of m (RFC 8017 7.1.1 step 2) with a
 * fresh seed from random.  EMSGSIZE when mlen exceeds oaep_max_len, EINVAL
 * for a hash with a state or digest larger than SHA-512's.
 */
int oaep_encode(const struct nettle_hash *hash, const uint8_t *label,
    size_t label_len, void *random_ctx, nettle_random_func *random, size_t k,
    uint8_t *em, size_t mlen, const uint8_t *m);

/*
 * Decodes the k-byte block em in place (7.1.2 step 3) without branching
 * on its contents: on success the message is em[0 .. *mlen).  Every way of
 * being malformed fails alike, with EBADMSG, and leaves em wiped.
 */
int oaep_decode(const struct nettle_hash *hash, const uint8_t *label,
    size_t label_len, size_t k, uint8_t *em, size_t *mlen);

/*
 * RSAES-OAEP-ENCRYPT: c receives exactly pub->size bytes.  EMSGSIZE when
 * the message is too long for the key and the hash.
 */
int oaep_encrypt(const struct rsa_public_key *pub,
    const struct nettle_hash *hash, const uint8_t *label, size_t label_len,
    void *random_ctx, nettle_random_func *random, size_t mlen, const uint8_t *m,
    uint8_t *c);

/*
 * RSAES-OAEP-DECRYPT with a blinded, checked private-key operation.  c
 * must be pub->size bytes and less than n; m must have room for
 * oaep_max_len bytes.  Any failure (wrong length, out of range, bad
 * padding, wrong key) is EBADMSG and leaves m wiped; ENOMEM is the one
 * other error.
 */
int oaep_decrypt(const struct rsa_public_key *pub,
    const struct rsa_private_key *key, const struct nettle_hash *hash,
    const uint8_t *label, size_t label_len, void *random_ctx,
    nettle_random_func *random, size_t clen, const uint8_t *c, size_t *mlen,
    uint8_t *m);

#endif
