/*
 * ca_pass: the users' password hashes as the latest original made them,
 * PBKDF2-HMAC-SHA512 with 100000 rounds, but with a random 32-byte salt
 * used as bytes (the original used 64 hex characters of a SHA-256 as the
 * salt text).  One hash takes tens of milliseconds, so the relay runs
 * them on a worker thread (ca_work.c) and compares in constant time
 * (ca.c): see docs/ca.md.
 */
#include <nettle/hmac.h>
#include <nettle/pbkdf2.h>

#include "ca.h"

void
capass_hash(const uint8_t *pass, size_t len, const uint8_t salt[CA_SALT],
    uint8_t hash[CA_HASH])
{
	pbkdf2_hmac_sha512(len, pass, CA_ITER, CA_SALT, salt, CA_HASH, hash);
}
