/*
 * vault: the relay's `vault` service, the Open University 20937 course
 * server (seed 001) byte for byte: requests parsed with lib/vaultwire,
 * register (825), public key (826) and reconnect (827) answered here, file
 * packets and CRC answers (828, 900-902) in vault_session.c.  Every piece of
 * state is keyed by the client id in the request header, never by the
 * connection, because each step of pk-xfer may use a connection of its
 * own.  A malformed request gets 1607 and closes that client only.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <nettle/sha1.h>

#include "hex.h"
#include "key.h"
#include "oaep.h"
#include "rand.h"
#include "secret.h"
#include "vault.h"

struct vdb *
vault_db(struct conn *c)
{
	struct vault_state *vs = conn_service_state(c);

	return vs->db;
}

int
vault_reply(struct conn *c, uint16_t code, const uint8_t *payload, size_t len)
{
	uint8_t msg[VAULT_RESP_HDR + VAULT_ID + 4 + VAULT_NAME + VAULT_RECEIPT];

	if (len > sizeof(msg) - VAULT_RESP_HDR)
		return -1;
	vault_put_resp_hdr(msg, code, (uint32_t)len);
	vault_put_profile(msg, 0, conn_hardened(c));
	if (len > 0)
		memcpy(msg + VAULT_RESP_HDR, payload, len);
	vault_trace_frame(c, TRACE_SENT, msg, VAULT_RESP_HDR + len, NULL);
	return conn_send(c, msg, VAULT_RESP_HDR + len);
}

/* A random UUID4: version 4, variant 10. */
static int
new_uuid(uint8_t id[VAULT_ID])
{
	if (rand_fill(id, VAULT_ID) == -1)
		return -1;
	id[6] = (id[6] & 0x0f) | 0x40;
	id[8] = (id[8] & 0x3f) | 0x80;
	return 0;
}

/*
 * Registers the name field of m under a new UUID4 and answers 1600, or
 * 1601 when the name is taken.  With old not NULL this is a denied
 * reconnect, as the original server answers it: old's record of that name
 * goes if it has no key, the name is registered again, 1606 carries the
 * new id and the client sends its public key (826) with it next; a name
 * another id holds is refused (the original's server thread dies there).
 */
static int
register_name(struct conn *c, const struct vault_msg *m, const uint8_t *old)
{
	const char *name = (const char *)m->payload;
	uint8_t id[VAULT_ID];
	char hex[2 * VAULT_ID + 1];
	int rv = 2, tries;

	/* A second UUID only if the first one was somebody's already. */
	for (tries = 0; tries < 2 && rv == 2; tries++) {
		if (new_uuid(id) == -1)
			return vault_refuse(c, "random: %s", strerror(errno));
		rv = vdb_register(vault_db(c), old, id, m->payload,
		    (size_t)vault_get_name(m->payload));
	}
	if (rv == -1 || rv == 2)
		return vault_refuse(c, "database error");
	if (rv == 1 && old != NULL)
		return vault_refuse(c,
		    "reconnect %s denied: the name belongs "
		    "to another client id",
		    name);
	if (rv == 1) {
		conn_log(c, "name taken %s", name);
		return vault_reply(c, VAULT_NAME_TAKEN, NULL, 0);
	}
	hex_encode(id, VAULT_ID, hex);
	if (old != NULL) {
		conn_log(c, "reconnect %s denied: registered again id=%s", name,
		    hex);
		return vault_reply(c, VAULT_RECONNECT_DENIED, id, VAULT_ID);
	}
	conn_log(c, "register %s id=%s", name, hex);
	return vault_reply(c, VAULT_REGISTERED, id, VAULT_ID);
}

/* An RSA public key whose SPKI DER is exactly these 160 bytes. */
static int
spki_parse(struct key_rsa *k, const uint8_t spki[VAULT_PUBKEY])
{
	uint8_t der[2 * VAULT_PUBKEY];
	size_t len;

	if (key_parse(k, spki, VAULT_PUBKEY, NULL, 0) != KEY_OK ||
	    k->has_private || k->pub.size != VAULT_WRAPPED ||
	    key_spki_der(k, der, sizeof(der), &len) != KEY_OK ||
	    len != VAULT_PUBKEY || memcmp(der, spki, VAULT_PUBKEY) != 0)
		return -1;
	return 0;
}

int
vault_issue_key(struct conn *c, const uint8_t id[VAULT_ID],
    const uint8_t spki[VAULT_PUBKEY], int store_spki, uint16_t code)
{
	struct key_rsa k;
	uint8_t aes[VAULT_AES], out[VAULT_ID + VAULT_WRAPPED];
	int rv = -1;

	key_init(&k);
	if (spki_parse(&k, spki) == -1) {
		key_clear(&k);
		vdb_touch(vault_db(c), id);
		return vault_refuse(c,
		    "public key is not a 1024-bit RSA "
		    "SubjectPublicKeyInfo in DER");
	}
	if (rand_fill(aes, sizeof(aes)) == 0 &&
	    oaep_encrypt(&k.pub, &nettle_sha1, NULL, 0, NULL, rand_nettle,
		sizeof(aes), aes, out + VAULT_ID) == 0)
		rv = vdb_set_keys(
		    vault_db(c), id, store_spki ? spki : NULL, aes);
	else
		relay_log(
		    VAULT_SERVICE, "making the AES key: %s", strerror(errno));
	secret_wipe(aes, sizeof(aes));
	key_clear(&k);
	if (rv != 1)
		return vault_refuse(c, "cannot issue an AES key");
	memcpy(out, id, VAULT_ID);
	return vault_reply(c, code, out, sizeof(out));
}

static int
do_pubkey(struct conn *c, const struct vault_msg *m)
{
	struct vdb_client cl;
	const char *name = (const char *)m->payload;
	int rv;

	if ((rv = vdb_client(vault_db(c), m->client_id, &cl)) != 1)
		return vault_refuse(
		    c, rv == 0 ? "unknown client id" : "database error");
	if (strcmp((const char *)cl.name, (const char *)m->payload) != 0) {
		vdb_touch(vault_db(c), m->client_id);
		return vault_refuse(c,
		    "public key for %s from another "
		    "client's id",
		    name);
	}
	if (vault_issue_key(c, m->client_id, m->payload + VAULT_NAME, 1,
		VAULT_AES_KEY) == -1)
		return -1;
	conn_log(c, "pubkey %s", name);
	return 0;
}

static int
do_reconnect(struct conn *c, const struct vault_msg *m)
{
	struct vdb_client cl;
	const char *name = (const char *)m->payload;
	int rv;

	if ((rv = vdb_client(vault_db(c), m->client_id, &cl)) == -1)
		return vault_refuse(c, "database error");
	if (rv == 0 || !cl.has_pubkey ||
	    strcmp((const char *)cl.name, (const char *)m->payload) != 0)
		return register_name(c, m, m->client_id);
	/* Hardened: only once the client proves it holds the key. */
	if (conn_hardened(c))
		return vault_hard_challenge(c, m);
	if (vault_issue_key(
		c, m->client_id, cl.pubkey, 0, VAULT_RECONNECT_OK) == -1)
		return -1;
	conn_log(c, "reconnect %s ok", name);
	return 0;
}

void
vault_trace_frame(struct conn *c, enum trace_dir dir, const uint8_t *p,
    size_t len, struct vault_trace *t)
{
	struct vault_state *vs = conn_service_state(c);
	struct vault_trace none;

	if (!conn_tracing(c))
		return;
	if (t == NULL) {
		memset(&none, 0, sizeof(none));
		t = &none;
	}
	vs->tracing = t;
	conn_trace(c, dir, p, len);
	vs->tracing = NULL;
}

/* service.h's trace callback: lib's one decoder. */
static void
vault_trace_cb(const struct conn *c, struct trace_frame *fr)
{
	struct vault_state *vs = conn_service_state(c);

	if (vs->tracing != NULL)
		vault_trace(fr, fr->dir == TRACE_RECV, vs->tracing);
}

static ssize_t
vault_bytes(struct conn *c, const uint8_t *data, size_t len)
{
	struct vault_msg m;
	size_t used = 0;
	int rv;

	rv = vault_parse_profile(data, len, &m, &used, 1, conn_hardened(c));
	if (rv == VAULT_NEED_MORE)
		return 0;
	if (rv == VAULT_EPROFILE) {
		/* The reply's version tells the client this relay's profile. */
		vault_trace_frame(c, TRACE_RECV, data, VAULT_REQ_HDR, NULL);
		vault_reply(c, VAULT_SERVER_ERROR, NULL, 0);
		return conn_profile_mismatch(c);
	}
	/* An 828 is shown by vault_session.c, which holds its key. */
	if (rv != VAULT_OK || m.code != VAULT_SEND_FILE)
		vault_trace_frame(
		    c, TRACE_RECV, data, used > 0 ? used : VAULT_REQ_HDR, NULL);
	if (rv != VAULT_OK)
		return vault_refuse(c, "%s", vault_strerror(rv));
	switch (m.code) {
	case VAULT_REGISTER:
		rv = register_name(c, &m, NULL);
		break;
	case VAULT_SEND_PUBKEY:
		rv = do_pubkey(c, &m);
		break;
	case VAULT_RECONNECT:
		rv = do_reconnect(c, &m);
		break;
	case VAULT_SEND_FILE:
		rv = vault_session_packet(c, &m);
		break;
	case VAULT_RECONNECT_PROOF:
		rv = vault_hard_proof(c, &m);
		break;
	default:
		rv = vault_session_answer(c, &m);
		break;
	}
	return rv == -1 ? -1 : (ssize_t)used;
}

static int
vault_init(struct relay_ctx *ctx, void *state)
{
	struct vault_state *vs = state;
	int n;

	TAILQ_INIT(&vs->sessions);
	LIST_INIT(&vs->challenges);
	if (vdb_init(ctx, &vs->db) == -1 ||
	    relay_service_files(
		ctx, VAULT_FILES, vs->files, sizeof(vs->files)) == -1)
		return -1;
	/* Uploads in progress and files awaiting 900 die with the relay. */
	if ((n = upload_sweep(vs->files)) == -1) {
		relay_log(VAULT_SERVICE, "%s: %s", vs->files, strerror(errno));
		return -1;
	}
	if (n > 0)
		relay_log(VAULT_SERVICE, "removed %d unfinished uploads", n);
	return 0;
}

static void
vault_fini(struct relay_ctx *ctx, void *state)
{
	struct vault_state *vs = state;

	(void)ctx;
	vault_session_fini(vs);
	vault_hard_fini(vs);
	vdb_fini(vs->db);
	vs->db = NULL;
}

static void
vault_close(struct conn *c)
{
	vault_session_close(c);
	vault_hard_close(c);
}

const struct service vault_service = {
    .name = VAULT_SERVICE,
    .state_size = sizeof(struct vault_state),
    .hardened = 1,
    .init = vault_init,
    .on_bytes = vault_bytes,
    .on_close = vault_close,
    .fini = vault_fini,
    .trace = vault_trace_cb,
};
