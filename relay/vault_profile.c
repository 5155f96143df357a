/*
 * vault_profile: what the relay's vault service does differently on its
 * hardened profile (pk-relay --hardened vault; docs/vault.md, "Profiles"),
 * in one place.  An upload's packets are opened with AES-256-GCM and a
 * packet that does not verify gets the one failure reply, 1607, like any
 * other error; the file's receipt (HMAC-SHA256, lib/vaultseal.c) takes the
 * CRC's place in 1603; and an approved reconnect is first a challenge
 * (1608) that the client must sign with the private key of the public key
 * on file (829, RSA-PSS-SHA256), on the same connection, once.
 */
#include <sys/queue.h>

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <nettle/bignum.h>
#include <nettle/pss.h>
#include <nettle/rsa.h>

#include "key.h"
#include "rand.h"
#include "secret.h"
#include "vault.h"
#include "vaultseal.h"

/* One challenge sent and not yet answered: its connection's, its id's. */
struct vault_challenge {
	LIST_ENTRY(vault_challenge) link;
	const struct conn *conn;
	uint8_t id[VAULT_ID];
	uint8_t nonce[VAULT_CHALLENGE_LEN];
};

/* An upload's hardened state: its keys and its running receipt. */
struct vault_hard {
	struct vault_keys k;
	struct hmac_sha256_ctx receipt;
};

struct vault_hard *
hard_new(const uint8_t secret[VAULT_SECRET], const uint8_t id[VAULT_ID],
    const uint8_t name[VAULT_NAME], uint32_t size)
{
	struct vault_hard *h;

	if ((h = malloc(sizeof(*h))) == NULL)
		return NULL;
	vault_keys_derive(&h->k, secret);
	vault_receipt_init(&h->receipt, h->k.receipt, id, name, size);
	return h;
}

int
hard_open(struct vault_hard *h, const struct vault_packet *p, uint32_t index,
    size_t n, uint8_t *out)
{
	uint8_t aad[VAULT_AAD];

	/* The frame is the 828 whose payload p was read from. */
	vault_aad(aad, p->name - 12 - VAULT_REQ_HDR, index);
	if (vault_open(
		h->k.upload, p->nonce, aad, p->content, n, out, p->tag) == -1) {
		secret_wipe(out, n);
		return -1;
	}
	vault_receipt_update(&h->receipt, out, n);
	return 0;
}

void
hard_receipt(struct vault_hard *h, uint8_t mac[VAULT_RECEIPT])
{
	vault_receipt_digest(&h->receipt, mac);
}

void
hard_free(struct vault_hard *h)
{
	if (h == NULL)
		return;
	secret_wipe(h, sizeof(*h));
	free(h);
}

static struct vault_challenge *
challenge_find(struct vault_state *vs, const struct conn *c)
{
	struct vault_challenge *ch;

	LIST_FOREACH(ch, &vs->challenges, link)
	if (ch->conn == c)
		return ch;
	return NULL;
}

int
vault_hard_challenge(struct conn *c, const struct vault_msg *m)
{
	struct vault_state *vs = conn_service_state(c);
	struct vault_challenge *ch = challenge_find(vs, c);
	uint8_t out[VAULT_ID + VAULT_CHALLENGE_LEN];

	if (ch == NULL && (ch = calloc(1, sizeof(*ch))) != NULL) {
		ch->conn = c;
		LIST_INSERT_HEAD(&vs->challenges, ch, link);
	}
	if (ch == NULL || rand_fill(ch->nonce, sizeof(ch->nonce)) == -1)
		return vault_refuse(c, "challenge: %s", strerror(errno));
	memcpy(ch->id, m->client_id, VAULT_ID);
	memcpy(out, ch->id, VAULT_ID);
	memcpy(out + VAULT_ID, ch->nonce, VAULT_CHALLENGE_LEN);
	conn_log(c, "reconnect %s: challenge sent", (const char *)m->payload);
	return vault_reply(c, VAULT_CHALLENGE, out, sizeof(out));
}

/* 1 when sig is id's key's RSA-PSS-SHA256 signature over ch's proof. */
static int
proof_verifies(const uint8_t spki[VAULT_PUBKEY], const uint8_t *sig,
    const struct vault_challenge *ch)
{
	uint8_t digest[32];
	struct key_rsa k;
	mpz_t s;
	int ok;

	key_init(&k);
	if (key_parse(&k, spki, VAULT_PUBKEY, NULL, 0) != KEY_OK) {
		key_clear(&k);
		return 0;
	}
	vault_proof_digest(digest, ch->id, ch->nonce);
	mpz_init(s);
	nettle_mpz_set_str_256_u(s, VAULT_SIG, sig);
	ok = rsa_pss_sha256_verify_digest(&k.pub, VAULT_PSS_SALT, digest, s);
	mpz_clear(s);
	key_clear(&k);
	return ok;
}

int
vault_hard_proof(struct conn *c, const struct vault_msg *m)
{
	struct vault_state *vs = conn_service_state(c);
	struct vault_challenge *ch = challenge_find(vs, c);
	const char *name = (const char *)m->payload;
	struct vdb_client cl;
	int rv, ok;

	if (ch == NULL || memcmp(ch->id, m->client_id, VAULT_ID) != 0)
		return vault_refuse(c, "reconnect proof without a challenge");
	/* One answer a challenge, right or wrong. */
	LIST_REMOVE(ch, link);
	rv = vdb_client(vault_db(c), m->client_id, &cl);
	ok = rv == 1 && cl.has_pubkey &&
	    strcmp((const char *)cl.name, name) == 0 &&
	    proof_verifies(cl.pubkey, m->payload + VAULT_NAME, ch);
	secret_wipe(ch, sizeof(*ch));
	free(ch);
	if (rv == -1)
		return vault_refuse(c, "database error");
	if (!ok)
		return vault_refuse(
		    c, "reconnect %s: the proof does not verify", name);
	if (vault_issue_key(
		c, m->client_id, cl.pubkey, 0, VAULT_RECONNECT_OK) == -1)
		return -1;
	conn_log(c, "reconnect %s ok: proved its key", name);
	return 0;
}

void
vault_hard_close(struct conn *c)
{
	struct vault_challenge *ch;

	if ((ch = challenge_find(conn_service_state(c), c)) == NULL)
		return;
	LIST_REMOVE(ch, link);
	free(ch);
}

void
vault_hard_fini(struct vault_state *vs)
{
	struct vault_challenge *ch;

	while ((ch = LIST_FIRST(&vs->challenges)) != NULL) {
		LIST_REMOVE(ch, link);
		free(ch);
	}
}
