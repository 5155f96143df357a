/*
 * ca_pass: the users' password hashes as the latest original made them,
 * PBKDF2-HMAC-SHA512 with 100000 rounds, but with a random 32-byte salt
 * used as bytes (the original used 64 hex characters of a SHA-256 as the
 * salt text) and a constant-time comparison.  One hash takes tens of
 * milliseconds on the relay's one thread: see docs/ca.md.
 */
#include <nettle/hmac.h>
#include <nettle/memops.h>
#include <nettle/pbkdf2.h>

#include "ca.h"
#include "secret.h"

void
capass_hash(const uint8_t *pass, size_t len, const uint8_t salt[CA_SALT],
    uint8_t hash[CA_HASH])
{
	pbkdf2_hmac_sha512(len, pass, CA_ITER, CA_SALT, salt, CA_HASH, hash);
}

int
capass_check(const uint8_t *pass, size_t len, const uint8_t salt[CA_SALT],
    const uint8_t hash[CA_HASH])
{
	uint8_t got[CA_HASH];
	int ok;

	capass_hash(pass, len, salt, got);
	ok = memeql_sec(got, hash, CA_HASH);
	secret_wipe(got, sizeof(got));
	return ok;
}
