/*
 * vault_profile: what `pk-xfer --hardened vault` does differently, in one
 * place (docs/vault.md, "Profiles"): the session secret read from a file
 * for `send`, each 828 packet sealed with AES-256-GCM under a fresh random
 * nonce (lib/vaultseal.c), the relay's receipt in 1603 checked in constant
 * time, and the proof a reconnect needs: me.info's key signs the relay's
 * challenge with RSA-PSS-SHA256.
 */
#include <err.h>
#include <errno.h>
#include <string.h>

#include <nettle/bignum.h>
#include <nettle/memops.h>
#include <nettle/pss.h>
#include <nettle/rsa.h>

#include "files.h"
#include "io.h"
#include "rand.h"
#include "secret.h"
#include "secrets.h"
#include "vault.h"
#include "vaultseal.h"

void
hard_secret_read(const char *path, uint8_t secret[32])
{
	uint8_t buf[33];
	size_t len;

	if (io_readfile(path, buf, sizeof(buf), &len) == -1) {
		secret_wipe(buf, sizeof(buf));
		if (errno == EFBIG)
			errx(2, "%s: not a 32-byte key", path);
		err(2, "%s", path);
	}
	if (len == 32)
		memcpy(secret, buf, 32);
	secret_wipe(buf, sizeof(buf));
	if (len != 32)
		errx(2, "%s: %zu bytes, not a 32-byte key", path, len);
}

void
hard_seal(uint8_t *slot, uint32_t index, const uint8_t *plain, size_t len,
    const struct vault_keys *k)
{
	uint8_t aad[VAULT_AAD], *nonce = slot + PKT_CONTENT;

	if (rand_fill(nonce, VAULT_NONCE) == -1)
		err(2, "random nonce");
	vault_aad(aad, slot, index);
	vault_seal(k->upload, nonce, aad, plain, len, nonce + VAULT_NONCE,
	    nonce + VAULT_NONCE + VAULT_PACKET);
}

int
hard_receipt_ok(const struct vault_file *u)
{
	return memeql_sec(u->receipt, u->theirs, VAULT_RECEIPT);
}

/* The 128-byte RSA-PSS-SHA256 signature of k over the proof's digest. */
static void
sign_proof(const struct key_rsa *k, const uint8_t id[VAULT_ID],
    const uint8_t *challenge, uint8_t sig[VAULT_SIG])
{
	uint8_t digest[32], salt[VAULT_PSS_SALT];
	mpz_t s;
	int ok;

	vault_proof_digest(digest, id, challenge);
	if (rand_fill(salt, sizeof(salt)) == -1)
		err(2, "random salt");
	mpz_init(s);
	ok = rsa_pss_sha256_sign_digest_tr(&k->pub, &k->priv, NULL, rand_nettle,
	    sizeof(salt), salt, digest, s);
	if (ok && k->pub.size == VAULT_SIG)
		nettle_mpz_get_str_256(VAULT_SIG, sig, s);
	mpz_clear(s);
	if (!ok || k->pub.size != VAULT_SIG)
		errx(2,
		    "me.info: cannot sign the reconnect challenge with an "
		    "RSA-1024 key");
}

void
hard_prove(
    struct xconn *c, const struct vault_me *m, uint8_t wrapped[VAULT_WRAPPED])
{
	static const uint16_t want[] = {VAULT_RECONNECT_OK, 0};
	uint8_t payload[VAULT_NAME + VAULT_SIG];
	struct key_rsa k;

	vault_key_me(&k, 1);
	vault_put_name(payload, m->name);
	sign_proof(
	    &k, m->id, c->reply.payload + VAULT_ID, payload + VAULT_NAME);
	secrets_release(&k);
	net_request(c, VAULT_RECONNECT_PROOF, payload, sizeof(payload));
	(void)net_reply(c, VAULT_RECONNECT_PROOF, want);
	memcpy(wrapped, c->reply.payload + VAULT_ID, VAULT_WRAPPED);
}
