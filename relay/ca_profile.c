/*
 * ca_profile: every choice of the ca service's hardened profile (pk-relay
 * --hardened ca, docs/ca.md "Profiles") in this one file; ca.c calls it
 * where the profiles differ.  Faithful: the original's prompts, and a
 * hardened client's first answer is a profile mismatch.  Hardened: the
 * client says "login NAME" or "register NAME"; a login always gets
 * "Enter password" and one answer for an unknown name and a wrong
 * password (an unknown name's password is hashed under a dummy salt, so
 * both take one PBKDF2); failed sign-ins are counted per name, whichever
 * connection sends them, and hold the name for CA_H_DELAY_MS, doubled per
 * failure, then lock it for CA_H_LOCK_MS after CA_H_LOCK_AFTER; one
 * attempt per connection.  A registration is answered alike whether the
 * name was free or taken.  Requests name the signed-in user only: a CSR's
 * CN and CERTUP's name and certificate must be that user's.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <nettle/memops.h>

#include "ca.h"
#include "rand.h"
#include "secret.h"

/* One name that failed to sign in (any name, known or not). */
struct ca_name {
	char name[CA_NAME_MAX + 1]; /* "" a free slot; "-" bad names */
	unsigned fails; /* since the last good sign-in */
	long long until; /* CLOCK_MONOTONIC ms: no attempt before */
	int busy; /* a password of this name is with the worker */
};

struct ca_names {
	struct ca_name n[CA_H_NAMES];
	uint8_t salt[CA_SALT], hash[CA_HASH]; /* unknown names: a dummy */
};

static long long
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int
cap_init(struct relay_ctx *ctx, struct ca_authority *ca)
{
	if (!(ca->hardened = relay_hardened(ctx, CA_SERVICE)))
		return 0;
	if ((ca->names = secret_alloc(sizeof(*ca->names))) == NULL) {
		relay_log(CA_SERVICE, "no memory for the sign-in table");
		return -1;
	}
	if (rand_fill(ca->names->salt, CA_SALT) == -1 ||
	    rand_fill(ca->names->hash, CA_HASH) == -1) {
		relay_log(CA_SERVICE, "getrandom failed");
		return -1;
	}
	relay_log(CA_SERVICE,
	    "hardened: one answer for unknown names and wrong passwords, "
	    "%d failures lock a name for %d s, names bound to the user",
	    CA_H_LOCK_AFTER, CA_H_LOCK_MS / 1000);
	return 0;
}

void
cap_fini(struct ca_authority *ca)
{
	if (ca->names != NULL)
		secret_free(ca->names, sizeof(*ca->names));
	ca->names = NULL;
}

int
cap_greet(struct ca_client *k)
{
	return ca_says(k, k->ca->hardened ? CA_H_ASK_USER : CA_ASK_USER);
}

/* The name's slot: found, or a free one, or the oldest one not held. */
static struct ca_name *
slot(struct ca_names *t, const char *name, long long now)
{
	struct ca_name *n, *old = NULL;
	size_t i;

	for (i = 0; i < CA_H_NAMES; i++) {
		n = &t->n[i];
		if (strcmp(n->name, name) == 0)
			return n;
		if (n->busy || (n->name[0] != '\0' && n->until > now))
			continue;
		if (old == NULL || n->name[0] == '\0' ||
		    (old->name[0] != '\0' && n->until < old->until))
			old = n;
	}
	if (old != NULL) {
		memset(old, 0, sizeof(*old));
		snprintf(old->name, sizeof(old->name), "%s", name);
	}
	return old;
}

/* How long a name waits after its fails-th failure in a row. */
static long long
hold_after(unsigned fails)
{
	if (fails >= CA_H_LOCK_AFTER)
		return CA_H_LOCK_MS;
	return (long long)CA_H_DELAY_MS << (fails - 1);
}

/*
 * Refused before any hash: the name is held, or another connection's
 * password for it is with the worker (its hold, if any, is past: wait
 * one CA_H_DELAY_MS, about a hash), or the table is full.
 */
static int
held(struct ca_client *k, const struct ca_name *n, long long now)
{
	char msg[128];
	long long ms = n != NULL ? n->until - now : 0;
	int locked = n != NULL && n->fails >= CA_H_LOCK_AFTER;
	const char *why = locked ? "locked" : "held";

	if (ms < CA_H_DELAY_MS)
		ms = CA_H_DELAY_MS;
	if (n == NULL)
		why = "held (table full)";
	else if (n->busy && n->until <= now)
		why = "held (another sign-in is being hashed)";
	snprintf(msg, sizeof(msg), "%s%lld s", locked ? CA_H_LOCKED : CA_H_WAIT,
	    (ms + 999) / 1000);
	conn_log(k->c, "%s: sign-in %s (%u failures), %lld ms to go", k->user,
	    why, n != NULL ? n->fails : 0, ms);
	(void)ca_says(k, msg);
	conn_close_after_flush(k->c);
	return 0;
}

/* "login NAME": the password next, whether NAME is a user or not. */
static int
login(struct ca_client *k, const uint8_t *p, size_t len)
{
	int rv;

	if (ca_name_parse(p, len, k->user) == -1)
		snprintf(k->user, sizeof(k->user), "-");
	else if ((rv = cadb_user(k->ca->db, k->user, k->salt, k->hash)) == -1)
		return ca_refuse(k, "database", "cannot look the user up");
	else
		k->known = rv;
	if (!k->known) {
		memcpy(k->salt, k->ca->names->salt, CA_SALT);
		memcpy(k->hash, k->ca->names->hash, CA_HASH);
	}
	k->state = ST_PASS;
	return ca_says(k, CA_ASK_PASS);
}

static int
starts(const uint8_t *p, size_t len, const char *word)
{
	return len >= strlen(word) && memcmp(p, word, strlen(word)) == 0;
}

int
cap_user(struct ca_client *k, const uint8_t *p, size_t len)
{
	size_t l = strlen(CA_H_LOGIN), r = strlen(CA_H_REGISTER);
	int marked =
	    starts(p, len, CA_H_LOGIN) || starts(p, len, CA_H_REGISTER);

	if (!k->ca->hardened) {
		if (!marked)
			return 1;
		(void)ca_says(k,
		    CA_ERROR "profile mismatch: the relay is "
			     "faithful");
		return conn_profile_mismatch(k->c);
	}
	if (starts(p, len, CA_H_LOGIN))
		return login(k, p + l, len - l);
	if (!starts(p, len, CA_H_REGISTER)) {
		(void)ca_says(k,
		    CA_ERROR "profile mismatch: the relay is "
			     "hardened");
		return conn_profile_mismatch(k->c);
	}
	if (ca_name_parse(p + r, len - r, k->user) == -1)
		return ca_says(k, CA_NAME_BAD);
	k->state = ST_NEW_PASS;
	return ca_says(k, CA_CHOOSE_PASS);
}

static void
pass_done(struct ca_client *k, struct ca_job *j)
{
	struct ca_name *n = slot(k->ca->names, k->user, now_ms());
	int ok = memeql_sec(j->hash, k->hash, CA_HASH) & k->known;

	secret_wipe(k->hash, sizeof(k->hash));
	if (n != NULL)
		n->busy = 0;
	if (ok) {
		if (n != NULL)
			memset(n, 0, sizeof(*n));
		k->state = ST_OPS;
		conn_log(k->c, "%s signed in", k->user);
		ca_hash_end(k, ca_says(k, CA_WELCOME), 0);
		return;
	}
	if (n != NULL) {
		n->fails++;
		n->until = now_ms() + hold_after(n->fails);
	}
	conn_log(k->c, "%s: failed sign-in (%u in a row): held %lld ms",
	    k->user, n != NULL ? n->fails : 0,
	    n != NULL ? hold_after(n->fails) : 0);
	(void)ca_says(k, CA_H_BAD_LOGIN);
	ca_hash_end(k, -1, 0); /* one attempt per connection */
}

int
cap_pass(struct ca_client *k, const uint8_t *p, size_t len)
{
	long long now = now_ms();
	struct ca_name *n = slot(k->ca->names, k->user, now);

	if (n == NULL || n->busy || n->until > now)
		return held(k, n, now);
	if (len > CA_PASS_MAX) {
		len = CA_PASS_MAX; /* hashed all the same, and it fails */
		k->known = 0;
	}
	n->busy = 1;
	return ca_hash_start(k, p, len, pass_done);
}

void
cap_close(struct ca_client *k)
{
	struct ca_name *n;

	if (!k->ca->hardened || k->state != ST_PASS)
		return;
	if ((n = slot(k->ca->names, k->user, now_ms())) != NULL)
		n->busy = 0;
}

/* A taken name is answered as a free one: the sign-in after it tells. */
static void
new_pass_done(struct ca_client *k, struct ca_job *j)
{
	int rv;

	rv = cadb_add_user(k->ca->db, k->user, k->salt, j->hash);
	if (rv == -1) {
		ca_hash_end(
		    k, ca_refuse(k, "database", "cannot add the user"), 0);
		return;
	}
	conn_log(k->c, rv == 1 ? "registered %s" : "%s: taken, not registered",
	    k->user);
	k->state = ST_USER;
	ca_hash_end(k, ca_says(k, CA_H_REGISTERED), 0);
}

int
cap_new_pass(struct ca_client *k, const uint8_t *p, size_t len)
{
	if (len < CA_PASS_MIN || len > CA_PASS_MAX)
		return ca_says(k, CA_CHOOSE_PASS);
	if (rand_fill(k->salt, CA_SALT) == -1)
		return ca_refuse(k, "registration", "no random salt");
	return ca_hash_start(k, p, len, new_pass_done);
}

int
cap_request(struct ca_client *k, const struct ca_req *r)
{
	char why[2 * CA_NAME_MAX + 64];

	if (!k->ca->hardened || strcmp(r->name, k->user) == 0)
		return 0;
	snprintf(why, sizeof(why), "%s is not the signed-in user %s", r->name,
	    k->user);
	return ca_refuse(k, ca_op_name(r->op), why);
}

int
cap_cn(struct ca_client *k, const char *what, const char *cn)
{
	char why[2 * CA_NAME_MAX + 64];

	if (!k->ca->hardened || strcmp(cn, k->user) == 0)
		return 0;
	snprintf(why, sizeof(why), "CN=%s is not the signed-in user %s", cn,
	    k->user);
	return ca_refuse(k, what, why);
}
