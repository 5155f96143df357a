/*
 * vault_steps: the subcommands that are one request and one reply each
 * (register 825, pubkey 826, reconnect 827, ack 900/901/902), on a
 * connection of their own, and the exchanges `client` repeats on its one
 * connection.  Identity travels between steps in me.info.
 */
#include <err.h>
#include <stdio.h>
#include <string.h>

#include "files.h"
#include "hex.h"
#include "secrets.h"
#include "vault.h"

uint16_t
step_register(struct xconn *c, const char *name, struct vault_me *m)
{
	static const uint16_t want[] = {VAULT_REGISTERED, VAULT_NAME_TAKEN, 0};
	uint8_t payload[VAULT_NAME];
	uint16_t code;

	if (vault_put_name(payload, name) == -1)
		errx(2, "%s: name empty or longer than %d bytes", name,
		    VAULT_NAME - 1);
	memset(c->id, 0, VAULT_ID);
	net_request(c, VAULT_REGISTER, payload, sizeof(payload));
	code = net_reply(c, VAULT_REGISTER, want);
	if (code == VAULT_REGISTERED) {
		memcpy(c->id, c->reply.payload, VAULT_ID);
		memcpy(m->id, c->id, VAULT_ID);
		strcpy(m->name, name);
	}
	return code;
}

void
step_pubkey(struct xconn *c, const struct vault_me *m,
    const uint8_t spki[VAULT_PUBKEY], uint8_t wrapped[VAULT_WRAPPED])
{
	static const uint16_t want[] = {VAULT_AES_KEY, 0};
	uint8_t payload[VAULT_NAME + VAULT_PUBKEY];

	vault_put_name(payload, m->name);
	memcpy(payload + VAULT_NAME, spki, VAULT_PUBKEY);
	memcpy(c->id, m->id, VAULT_ID);
	net_request(c, VAULT_SEND_PUBKEY, payload, sizeof(payload));
	(void)net_reply(c, VAULT_SEND_PUBKEY, want);
	memcpy(wrapped, c->reply.payload + VAULT_ID, VAULT_WRAPPED);
}

uint16_t
step_reconnect(
    struct xconn *c, struct vault_me *m, uint8_t wrapped[VAULT_WRAPPED])
{
	static const uint16_t want[] = {
	    VAULT_RECONNECT_OK, VAULT_RECONNECT_DENIED, 0};
	static const uint16_t want_h[] = {
	    VAULT_CHALLENGE, VAULT_RECONNECT_DENIED, 0};
	uint8_t payload[VAULT_NAME];
	uint16_t code;

	vault_put_name(payload, m->name);
	memcpy(c->id, m->id, VAULT_ID);
	net_request(c, VAULT_RECONNECT, payload, sizeof(payload));
	code = net_reply(c, VAULT_RECONNECT, c->hardened ? want_h : want);
	/* Hardened: the key comes only for a proof of the private key. */
	if (code == VAULT_CHALLENGE) {
		hard_prove(c, m, wrapped);
		return VAULT_RECONNECT_OK;
	}
	if (code == VAULT_RECONNECT_OK)
		memcpy(wrapped, c->reply.payload + VAULT_ID, VAULT_WRAPPED);
	else
		memcpy(m->id, c->reply.payload, VAULT_ID);
	return code;
}

/*
 * Follows a 1606 as the original client does: the server has registered
 * the name again under the id 1606 carries, so that id goes into me.info
 * and the public key (826) into the same connection.  The key is
 * me.info's when it holds one (the original makes a new pair every time),
 * else a new RSA-1024 key with e = 17, saved as the original saves it.
 */
void
step_denied(struct xconn *c, struct vault_me *m, struct key_rsa *k,
    uint8_t wrapped[VAULT_WRAPPED])
{
	uint8_t spki[VAULT_PUBKEY];

	if (!vault_key_me(k, 0))
		vault_key_new(k);
	vault_key_save(k, m);
	vault_key_spki(k, "me.info", spki);
	step_pubkey(c, m, spki, wrapped);
}

void
step_ack(struct xconn *c, uint16_t code, const char *name)
{
	static const uint16_t want[] = {VAULT_THANKS, 0};
	uint8_t payload[VAULT_NAME];

	if (vault_put_name(payload, name) == -1)
		errx(2, "%s: file name empty or longer than %d bytes", name,
		    VAULT_NAME - 1);
	net_request(c, code, payload, sizeof(payload));
	/* 901 has no reply: the client sends the file again. */
	if (code != VAULT_CRC_RETRY)
		(void)net_reply(c, code, want);
}

int
vault_register(const struct vault_opts *o)
{
	struct vault_info t;
	struct vault_me m;
	struct xconn c;
	char hex[2 * VAULT_ID + 1];

	info_read(&t);
	net_connect(&c, t.server, o);
	if (step_register(&c, o->name ? o->name : t.name, &m) ==
	    VAULT_NAME_TAKEN)
		errx(1, "name taken: %s", o->name ? o->name : t.name);
	net_close(&c);
	me_write(&m, NULL, 0);
	hex_encode(m.id, VAULT_ID, hex);
	printf("%s\n", hex);
	return 0;
}

int
vault_pubkey(const struct vault_opts *o)
{
	uint8_t spki[VAULT_PUBKEY], wrapped[VAULT_WRAPPED];
	struct vault_info t;
	struct vault_me m;
	struct key_rsa k;
	struct xconn c;

	info_read(&t);
	me_read(&m);
	xfer_key_load(&k, o->keyfile, &o->pass);
	vault_key_spki(&k, o->keyfile, spki);
	net_connect(&c, t.server, o);
	step_pubkey(&c, &m, spki, wrapped);
	net_close(&c);
	vault_key_save(&k, &m);
	secrets_release(&k);
	out_write(o->outfile, wrapped, sizeof(wrapped));
	return 0;
}

int
vault_reconnect(const struct vault_opts *o)
{
	uint8_t wrapped[VAULT_WRAPPED];
	char hex[2 * VAULT_ID + 1];
	struct vault_info t;
	struct vault_me m;
	struct key_rsa k;
	struct xconn c;

	info_read(&t);
	me_read(&m);
	net_connect(&c, t.server, o);
	if (step_reconnect(&c, &m, wrapped) == VAULT_RECONNECT_DENIED) {
		hex_encode(m.id, VAULT_ID, hex);
		warnx("reconnect denied (1606): the server registered %s again "
		      "as %s; sending the public key (826)",
		    m.name, hex);
		step_denied(&c, &m, &k, wrapped);
		secrets_release(&k);
	}
	net_close(&c);
	out_write(o->outfile, wrapped, sizeof(wrapped));
	return 0;
}

int
vault_ack(const struct vault_opts *o)
{
	static const struct {
		const char *word;
		uint16_t code;
	} acks[] = {
	    {"ok", VAULT_CRC_OK},
	    {"retry", VAULT_CRC_RETRY},
	    {"fail", VAULT_CRC_FAIL},
	};
	struct vault_info t;
	struct vault_me m;
	struct xconn c;
	size_t i;

	for (i = 0; strcmp(o->ack, acks[i].word) != 0; i++)
		;
	info_read(&t);
	me_read(&m);
	net_connect(&c, t.server, o);
	memcpy(c.id, m.id, VAULT_ID);
	step_ack(&c, acks[i].code, o->name ? o->name : base_name(t.path));
	if (acks[i].code == VAULT_CRC_RETRY)
		net_finish(&c, VAULT_CRC_RETRY);
	net_close(&c);
	return 0;
}
