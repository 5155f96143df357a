/*
 * vault_session: the file half of the vault service.  828 packets feed an
 * upload (vault_upload.c) owned by the connection that sends them, in
 * order; the decrypted file then waits, keyed by (client id, file name),
 * for the client's CRC answer on any connection: 900 keeps it, 901 drops
 * it for a resend (at most VAULT_TRIES times), 902 gives up.  This table
 * lives in memory only: a restart forgets it and removes its files.
 */
#include <sys/queue.h>

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "hex.h"
#include "secret.h"
#include "vault.h"

#define SESSION_TTL_MS (10 * 60 * 1000LL) /* unanswered files go then */
#define SESSION_PER_ID 8 /* files in flight per client id */

enum session_state {
	X_RESEND, /* 901 received: waiting for packet 0 again */
	X_UPLOADING, /* packets arriving on owner */
	X_WAITING, /* decrypted: waiting for 900, 901 or 902 */
};

struct vault_session {
	TAILQ_ENTRY(vault_session) link; /* on vs->sessions */
	struct vault_state *vs;
	uint8_t id[VAULT_ID];
	uint8_t name[VAULT_NAME]; /* NUL-terminated */
	enum session_state state;
	int tries; /* 901s so far */
	struct conn *owner; /* X_UPLOADING */
	struct vault_upload *up; /* X_UPLOADING */
	uint32_t content_size;
	uint32_t orig_size;
	uint16_t total;
	uint32_t next; /* index of the next packet */
	uint32_t cksum;
	int hardened; /* the upload is sealed (vault_profile.c) */
	uint8_t receipt[VAULT_RECEIPT]; /* hardened: 1603's, not cksum */
	long long since; /* last change, ms */
	char tmp[PATH_MAX]; /* "" when none */
	/* pk-relay --trace: the key and CBC state, to show the plaintext. */
	uint8_t trace_key[VAULT_AES];
	uint8_t trace_iv[16];
};

static long long
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000LL + ts.tv_nsec / 1000000;
}

/* STATE/files/vault/<32 hex digits of id>. */
static int
client_dir(struct conn *c, const uint8_t id[VAULT_ID], char *dir, size_t size)
{
	const struct vault_state *vs = conn_service_state(c);
	char hex[2 * VAULT_ID + 1];
	int n;

	hex_encode(id, VAULT_ID, hex);
	n = snprintf(dir, size, "%s/%s", vs->files, hex);
	return n < 0 || (size_t)n >= size ? -1 : 0;
}

/*
 * A base name that stays in the client's directory and shows in a
 * listing: not empty, no leading dot, no "..", no separator, no control.
 */
static int
safe_name(const uint8_t *name)
{
	size_t i;

	if (name[0] == '\0' || name[0] == '.' ||
	    strstr((const char *)name, "..") != NULL)
		return 0;
	for (i = 0; name[i] != '\0'; i++)
		if (name[i] < 0x20 || name[i] == 0x7f || name[i] == '/' ||
		    name[i] == '\\')
			return 0;
	return 1;
}

static struct vault_session *
session_find(
    struct vault_state *vs, const uint8_t id[VAULT_ID], const uint8_t *name)
{
	struct vault_session *x;

	TAILQ_FOREACH(x, &vs->sessions, link)
	if (memcmp(x->id, id, VAULT_ID) == 0 &&
	    strcmp((const char *)x->name, (const char *)name) == 0)
		return x;
	return NULL;
}

/* Drops the upload or the decrypted file, keeping the tries. */
static void
session_discard(struct vault_session *x)
{
	secret_wipe(x->trace_key, sizeof(x->trace_key));
	upload_free(x->up);
	x->up = NULL;
	if (x->tmp[0] != '\0')
		unlink(x->tmp);
	x->tmp[0] = '\0';
	if (x->owner != NULL)
		conn_set_data(x->owner, NULL);
	x->owner = NULL;
	x->state = X_RESEND;
	x->since = now_ms();
}

static void
session_free(struct vault_session *x)
{
	session_discard(x);
	TAILQ_REMOVE(&x->vs->sessions, x, link);
	free(x);
}

/* An upload failed: forget it unless the client is between tries. */
static void
session_end(struct vault_session *x)
{
	if (x->tries > 0)
		session_discard(x);
	else
		session_free(x);
}

/* Forgets x and its file, saying why. */
static void
session_drop(struct vault_session *x, const char *why)
{
	const char *name = (const char *)x->name;

	relay_log(VAULT_SERVICE, "dropped %s: %s", name, why);
	session_free(x);
}

/* Drops files nobody answered for SESSION_TTL_MS. */
static void
session_expire(struct vault_state *vs)
{
	struct vault_session *x, *next;
	long long now = now_ms();

	for (x = TAILQ_FIRST(&vs->sessions); x != NULL; x = next) {
		next = TAILQ_NEXT(x, link);
		if (x->state != X_UPLOADING && now - x->since >= SESSION_TTL_MS)
			session_drop(x, "no CRC answer");
	}
}

/*
 * The entry for a new upload of (id, name): the old one with its tries and
 * without its file, or a new one.  A client with SESSION_PER_ID files in
 * flight loses its oldest one that is not uploading.
 */
static struct vault_session *
session_claim(
    struct vault_state *vs, const uint8_t id[VAULT_ID], const uint8_t *name)
{
	struct vault_session *x, *oldest = NULL;
	int n = 0;

	session_expire(vs);
	if ((x = session_find(vs, id, name)) != NULL) {
		session_discard(x);
		return x;
	}
	TAILQ_FOREACH(x, &vs->sessions, link)
	{
		if (memcmp(x->id, id, VAULT_ID) != 0)
			continue;
		n++;
		if (x->state != X_UPLOADING &&
		    (oldest == NULL || x->since < oldest->since))
			oldest = x;
	}
	if (n >= SESSION_PER_ID) {
		if (oldest == NULL)
			return NULL;
		session_drop(oldest, "too many files in flight for its client");
	}
	if ((x = calloc(1, sizeof(*x))) == NULL)
		return NULL;
	memcpy(x->id, id, VAULT_ID);
	vault_put_name(x->name, (const char *)name);
	x->vs = vs;
	TAILQ_INSERT_TAIL(&vs->sessions, x, link);
	return x;
}

static int
session_done(struct conn *c, struct vault_session *x)
{
	uint8_t out[VAULT_ID + 4 + VAULT_NAME + VAULT_RECEIPT];
	const char *name = (const char *)x->name;

	upload_free(x->up);
	x->up = NULL;
	secret_wipe(x->trace_key, sizeof(x->trace_key));
	x->owner = NULL;
	conn_set_data(c, NULL);
	x->state = X_WAITING;
	x->since = now_ms();
	memcpy(out, x->id, VAULT_ID);
	vault_put_u32(out + VAULT_ID, x->content_size);
	memcpy(out + VAULT_ID + 4, x->name, VAULT_NAME);
	if (x->hardened) {
		conn_log(c, "upload %s done, sealed", name);
		memcpy(
		    out + VAULT_ID + 4 + VAULT_NAME, x->receipt, VAULT_RECEIPT);
		return vault_reply(c, VAULT_FILE_CRC, out, sizeof(out));
	}
	conn_log(c, "upload %s done cksum=%u", name, x->cksum);
	vault_put_u32(out + VAULT_ID + 4 + VAULT_NAME, x->cksum);
	return vault_reply(
	    c, VAULT_FILE_CRC, out, VAULT_ID + 4 + VAULT_NAME + 4);
}

/* Decrypts the next packet of x; at the last one, answers 1603. */
static int
session_feed(
    struct conn *c, struct vault_session *x, const struct vault_packet *p)
{
	uint64_t off = (uint64_t)x->next * VAULT_PACKET;
	size_t n = VAULT_PACKET;
	char name[VAULT_NAME];
	int last = 0, rv, saved;

	if (x->content_size - off <= VAULT_PACKET) {
		n = (size_t)(x->content_size - off);
		last = 1;
	}
	if (x->hardened)
		rv = upload_sealed(x->up, p, x->next, n, last, x->receipt);
	else
		rv = upload_packet(x->up, p->content, n, last, &x->cksum);
	x->next++;
	if (rv == 0)
		return last ? session_done(c, x) : 0;
	saved = errno;
	memcpy(name, x->name, VAULT_NAME);
	session_end(x);
	if (rv == UPLOAD_EPAD)
		return vault_refuse(
		    c, "%s: the ciphertext does not decrypt", name);
	return vault_refuse(c, "writing %s: %s", name, strerror(saved));
}

/*
 * --max-file bounds the file, so its ciphertext may be one padding block
 * longer: a file of exactly --max-file bytes is accepted.
 */
static uint64_t
max_content(struct conn *c)
{
	uint64_t max = relay_max_file(conn_relay(c));

	return max - max % 16 + 16;
}

/*
 * --trace: shows the 828 in m, its plaintext when key is set (the CBC
 * chain in iv, moved on past it; hardened, index its true number).
 */
static void
trace_packet(struct conn *c, const struct vault_msg *m, const uint8_t *key,
    uint8_t iv[16], uint32_t index)
{
	struct vault_trace t = {.aes = key, .index = index};

	if (!conn_tracing(c))
		return;
	if (iv != NULL)
		memcpy(t.iv, iv, sizeof(t.iv));
	vault_trace_frame(c, TRACE_RECV, m->payload - VAULT_REQ_HDR,
	    VAULT_REQ_HDR + m->size, &t);
	if (iv != NULL)
		memcpy(iv, t.iv, sizeof(t.iv));
	secret_wipe(&t, sizeof(t));
}

/* x's temporary file and its decryption: CBC, or hardened, sealed. */
static struct vault_upload *
session_upload(struct conn *c, struct vault_session *x, const char *dir,
    const uint8_t key[VAULT_AES], uint32_t size)
{
	x->hardened = conn_hardened(c);
	return upload_open(dir, (const char *)x->name, key,
	    x->hardened ? hard_new(key, x->id, x->name, size) : NULL, x->tmp,
	    sizeof(x->tmp));
}

/* Checks a packet 0 and starts its upload. */
static int
session_begin(
    struct conn *c, const struct vault_msg *m, const struct vault_packet *p)
{
	const char *name = (const char *)p->name;
	uint8_t key[VAULT_AES];
	char dir[PATH_MAX];
	uint8_t iv[16] = {0};
	struct vault_session *x;
	int rv;

	rv = vdb_aes_key(vault_db(c), m->client_id, key);
	trace_packet(c, m, rv == 1 ? key : NULL, iv, 0);
	if (rv != 1)
		return vault_refuse(c,
		    rv == 0	  ? "unknown client id"
			: rv == 2 ? "file packet before a key exists"
				  : "database error");
	if (!safe_name(p->name))
		rv = vault_refuse(c, "unsafe file name \"%s\"", name);
	else if (!conn_hardened(c) && p->content_size % 16 != 0)
		rv = vault_refuse(c, "content size %u is not a multiple of 16",
		    p->content_size);
	else if (p->content_size > max_content(c))
		rv = vault_refuse(
		    c, "content size %u above --max-file", p->content_size);
	else if ((x = conn_data(c)) != NULL)
		session_end(x); /* this connection's earlier upload */
	if (rv == -1 || client_dir(c, m->client_id, dir, sizeof(dir)) == -1 ||
	    (x = session_claim(conn_service_state(c), m->client_id, p->name)) ==
		NULL) {
		secret_wipe(key, sizeof(key));
		return rv == -1 ? -1
				: vault_refuse(c,
				      "no room for an upload "
				      "of %s",
				      name);
	}
	x->up = session_upload(c, x, dir, key, p->content_size);
	if (conn_tracing(c)) {
		memcpy(x->trace_key, key, sizeof(key));
		memcpy(x->trace_iv, iv, sizeof(iv));
	}
	secret_wipe(key, sizeof(key));
	if (x->up == NULL) {
		rv = errno;
		x->tmp[0] = '\0';
		session_end(x);
		return vault_refuse(
		    c, "temporary file for %s: %s", name, strerror(rv));
	}
	x->state = X_UPLOADING;
	x->owner = c;
	conn_set_data(c, x);
	x->content_size = p->content_size;
	x->orig_size = p->orig_size;
	x->total = p->total;
	x->next = 0;
	conn_log(c, "upload %s start size=%u", name, p->content_size);
	return session_feed(c, x, p);
}

int
vault_session_packet(struct conn *c, const struct vault_msg *m)
{
	struct vault_packet p;
	struct vault_session *x = conn_data(c);
	int same;

	if (conn_hardened(c))
		vault_get_packet_hardened(m->payload, &p);
	else
		vault_get_packet(m->payload, &p);
	same = x != NULL && memcmp(x->id, m->client_id, VAULT_ID) == 0 &&
	    strcmp((const char *)x->name, (const char *)p.name) == 0 &&
	    x->content_size == p.content_size && x->orig_size == p.orig_size &&
	    x->total == p.total;
	if (same && p.number == (uint16_t)x->next) {
		trace_packet(c, m, x->trace_key, x->trace_iv, x->next);
		return session_feed(c, x, &p);
	}
	if (p.number == 0)
		return session_begin(c, m, &p);
	trace_packet(c, m, NULL, NULL, 0);
	if (same)
		return vault_refuse(c, "packet %u out of order (expected %u)",
		    p.number, (uint16_t)x->next);
	if (x != NULL)
		return vault_refuse(c,
		    "packet %u does not repeat its upload's "
		    "name and sizes",
		    p.number);
	return vault_refuse(c, "packet %u before packet 0", p.number);
}

/* No file waits for this answer: 1607, naming why. */
static int
session_nothing(struct conn *c, const struct vault_msg *m, const char *what)
{
	const char *name = (const char *)m->payload;
	int rv;

	if ((rv = vdb_touch(vault_db(c), m->client_id)) != 1)
		return vault_refuse(
		    c, rv == 0 ? "unknown client id" : "database error");
	return vault_refuse(c, "%s for %s: no file waits for it", what, name);
}

/* 900: the file goes into place and into the files table. */
static int
session_keep(struct conn *c, struct vault_session *x)
{
	char dir[PATH_MAX], rel[PATH_MAX], name[VAULT_NAME];
	const struct vault_state *vs = conn_service_state(c);
	int rv;

	memcpy(name, x->name, VAULT_NAME);
	if (client_dir(c, x->id, dir, sizeof(dir)) == -1 ||
	    upload_commit(x->tmp, dir, (const char *)x->name) == -1) {
		rv = errno;
		session_free(x);
		return vault_refuse(c, "keeping %s: %s", name, strerror(rv));
	}
	x->tmp[0] = '\0';
	/* The path relative to the state directory: files/vault/<id>/<name>. */
	snprintf(rel, sizeof(rel), "files/" VAULT_FILES "%s/%s",
	    dir + strlen(vs->files), (const char *)x->name);
	rv = vdb_file_verified(
	    vault_db(c), x->id, x->name, strlen((const char *)x->name), rel);
	if (rv == -1) {
		session_free(x);
		return vault_refuse(c, "database error");
	}
	conn_log(c, "%s ok %s", x->hardened ? "receipt" : "crc", name);
	rv = vault_reply(c, VAULT_THANKS, x->id, VAULT_ID);
	session_free(x);
	return rv;
}

int
vault_session_answer(struct conn *c, const struct vault_msg *m)
{
	struct vault_session *x =
	    session_find(conn_service_state(c), m->client_id, m->payload);
	char name[VAULT_NAME];
	int rv;

	if (m->code == VAULT_CRC_OK) {
		if (x == NULL || x->state != X_WAITING)
			return session_nothing(c, m, "CRC ok");
		return session_keep(c, x);
	}
	if (x == NULL || x->state == X_UPLOADING ||
	    (m->code == VAULT_CRC_RETRY && x->state != X_WAITING))
		return session_nothing(c, m,
		    m->code == VAULT_CRC_RETRY ? "CRC retry" : "CRC fail");
	if ((rv = vdb_touch(vault_db(c), m->client_id)) != 1)
		return vault_refuse(c, "database error");
	memcpy(name, x->name, VAULT_NAME);
	if (m->code == VAULT_CRC_FAIL) {
		conn_log(c, "crc fail %s", name);
		session_free(x);
		return vault_reply(c, VAULT_THANKS, m->client_id, VAULT_ID);
	}
	if (x->tries >= VAULT_TRIES) {
		session_free(x);
		return vault_refuse(
		    c, "CRC retry for %s after %d tries", name, VAULT_TRIES);
	}
	session_discard(x);
	x->tries++;
	conn_log(c, "crc retry %s", name);
	return 0;
}

void
vault_session_close(struct conn *c)
{
	struct vault_session *x = conn_data(c);

	if (x == NULL)
		return;
	conn_log(c, "upload %s abandoned at packet %u", (const char *)x->name,
	    x->next);
	session_end(x);
}

void
vault_session_fini(struct vault_state *vs)
{
	struct vault_session *x;

	while ((x = TAILQ_FIRST(&vs->sessions)) != NULL)
		session_free(x);
}
