/*
 * ca: the relay's `ca` service, the certificate authority of seed 004 in
 * protokit frames.  Sign-in first, with the original's prompts: a known
 * name gets `Enter password` (sent in the clear, retried without limit);
 * an unknown one may register (`r`) or leave (`c`), and is asked that
 * again after a password too short.  Each password is hashed on the
 * worker thread (ca_work.c) while the client is held, and each wrong one
 * holds it longer before its next message is read.  Then requests:
 * CSR (a certificate for the request's CN, whoever is signed in), CERTUP
 * (a certificate of this CA stored for any name) and CERTREQ (the stored
 * certificate of a name).  A request or certificate the CA refuses gets
 * "error: ..." and the client is closed; the relay goes on.
 */
#include <nettle/memops.h>

#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ca.h"
#include "frame.h"
#include "rand.h"
#include "secret.h"

int
ca_say(struct ca_client *k, const void *msg, size_t len)
{
	static uint8_t frame[FRAME_HDR + CA_FRAME_MAX];

	if (conn_tracing(k->c) && len <= CA_FRAME_MAX) {
		frame_put_header(frame, (uint32_t)len);
		memcpy(frame + FRAME_HDR, msg, len);
		conn_trace(k->c, TRACE_SENT, frame, FRAME_HDR + len);
	}
	return conn_send_frame(k->c, msg, len, CA_FRAME_MAX);
}

int
ca_says(struct ca_client *k, const char *msg)
{
	return ca_say(k, msg, strlen(msg));
}

/* Answers "error: what: why" and closes the client after it. */
int
ca_refuse(struct ca_client *k, const char *what, const char *why)
{
	char msg[256];

	snprintf(msg, sizeof(msg), CA_ERROR "%s: %s", what, why);
	(void)ca_says(k, msg);
	return conn_protocol_error(k->c, "%s: %s", what, why);
}

static int
ca_init(struct relay_ctx *ctx, void *state)
{
	struct ca_authority *ca = state;

	if (cadb_init(ctx, &ca->db) == -1 || cap_init(ctx, ca) == -1)
		return -1;
	return casign_init(ctx, ca);
}

static void
ca_fini(struct relay_ctx *ctx, void *state)
{
	struct ca_authority *ca = state;

	(void)ctx;
	ca_work_fini(ca);
	cap_fini(ca);
	casign_fini(ca);
	cadb_fini(ca->db);
	ca->db = NULL;
}

static int
ca_connect(struct conn *c)
{
	struct ca_client *k;

	if ((k = calloc(1, sizeof(*k))) == NULL) {
		conn_log(c, "no memory");
		return -1;
	}
	k->ca = conn_service_state(c);
	k->c = c;
	conn_set_data(c, k);
	return cap_greet(k);
}

static int
on_user(struct ca_client *k, const uint8_t *p, size_t len)
{
	int rv;

	if ((rv = cap_user(k, p, len)) != 1)
		return rv;
	rv = 0;
	/* A name that could not be a user is unknown without a lookup. */
	if (ca_name_parse(p, len, k->user) == 0 &&
	    (rv = cadb_user(k->ca->db, k->user, k->salt, k->hash)) == -1)
		return ca_refuse(k, "database", "cannot look the user up");
	if (rv == 0) {
		k->state = ST_CHOICE;
		return ca_says(k, CA_NOT_FOUND);
	}
	k->state = ST_PASS;
	return ca_says(k, CA_ASK_PASS);
}

/*
 * Hands the password to the worker (ca_work.c) and holds the client until
 * done has answered: one hash at a time per client, none on the loop.
 */
int
ca_hash_start(struct ca_client *k, const uint8_t *p, size_t len,
    void (*done)(struct ca_client *, struct ca_job *))
{
	struct ca_job *j;

	if ((j = ca_job_new()) == NULL)
		return ca_refuse(k, "password", "no memory");
	j->k = k;
	j->done = done;
	j->passlen = len;
	memcpy(j->pass, p, len);
	memcpy(j->salt, k->salt, CA_SALT);
	if (ca_work_submit(k->ca, conn_relay(k->c), j) == -1) {
		secret_free(j, sizeof(*j));
		return ca_refuse(k, "password", "cannot hash it now");
	}
	k->job = j;
	conn_hold(k->c, -1);
	return 0;
}

/* A done callback's -1 (the reply is queued) closes the client. */
void
ca_hash_end(struct ca_client *k, int rv, long long hold_ms)
{
	k->job = NULL;
	if (rv == -1)
		conn_close_after_flush(k->c);
	else
		conn_hold(k->c, hold_ms);
}

/* Each wrong password doubles the wait before the next is read. */
static long long
pass_delay(unsigned tries)
{
	long long ms = CA_DELAY_MS;

	while (--tries > 0 && ms < CA_DELAY_MAX_MS)
		ms *= 2;
	return ms < CA_DELAY_MAX_MS ? ms : CA_DELAY_MAX_MS;
}

static int
wrong_pass(struct ca_client *k, long long *hold_ms)
{
	k->tries++;
	*hold_ms = pass_delay(k->tries);
	conn_log(k->c, "%s: wrong password (%u): next read in %lld ms", k->user,
	    k->tries, *hold_ms);
	return ca_says(k, CA_BAD_PASS);
}

static void
pass_done(struct ca_client *k, struct ca_job *j)
{
	long long hold_ms = 0;
	int rv;

	if (memeql_sec(j->hash, k->hash, CA_HASH)) {
		secret_wipe(k->hash, sizeof(k->hash));
		k->state = ST_OPS;
		conn_log(k->c, "%s signed in after %u wrong passwords", k->user,
		    k->tries);
		rv = ca_says(k, CA_WELCOME);
	} else
		rv = wrong_pass(k, &hold_ms);
	ca_hash_end(k, rv, hold_ms);
}

static int
on_pass(struct ca_client *k, const uint8_t *p, size_t len)
{
	long long hold_ms;
	int rv;

	if (k->ca->hardened)
		return cap_pass(k, p, len);
	if (len <= CA_PASS_MAX)
		return ca_hash_start(k, p, len, pass_done);
	rv = wrong_pass(k, &hold_ms);
	conn_hold(k->c, hold_ms);
	return rv;
}

static int
on_choice(struct ca_client *k, const uint8_t *p, size_t len)
{
	if (len == 1 && p[0] == 'r') {
		k->state = ST_NEW_USER;
		return ca_says(k, CA_CHOOSE_USER);
	}
	if (len == 1 && p[0] == 'c') {
		conn_log(k->c, "closed at the sign-up question");
		conn_close_after_flush(k->c);
		return 0;
	}
	return ca_says(k, CA_NOT_FOUND);
}

/* The original appended duplicates; the table's key refuses them. */
static int
on_new_user(struct ca_client *k, const uint8_t *p, size_t len)
{
	int rv;

	if (ca_name_parse(p, len, k->user) == -1)
		rv = ca_says(k, CA_NAME_BAD);
	else if ((rv = cadb_user(k->ca->db, k->user, k->salt, k->hash)) == -1)
		return ca_refuse(k, "database", "cannot look the user up");
	else if (rv == 1)
		rv = ca_says(k, CA_NAME_TAKEN);
	else {
		k->state = ST_NEW_PASS;
		return ca_says(k, CA_CHOOSE_PASS);
	}
	return rv == -1 ? -1 : ca_says(k, CA_CHOOSE_USER);
}

static int
add_user(struct ca_client *k, const uint8_t hash[CA_HASH])
{
	int rv;

	rv = cadb_add_user(k->ca->db, k->user, k->salt, hash);
	if (rv == -1)
		return ca_refuse(k, "database", "cannot add the user");
	if (rv == 0) {
		k->state = ST_NEW_USER;
		if (ca_says(k, CA_NAME_TAKEN) == -1)
			return -1;
		return ca_says(k, CA_CHOOSE_USER);
	}
	k->state = ST_OPS;
	conn_log(k->c, "registered %s", k->user);
	return ca_says(k, CA_WELCOME);
}

static void
new_pass_done(struct ca_client *k, struct ca_job *j)
{
	ca_hash_end(k, add_user(k, j->hash), 0);
}

static int
on_new_pass(struct ca_client *k, const uint8_t *p, size_t len)
{
	if (k->ca->hardened)
		return cap_new_pass(k, p, len);
	/* The original went back to the sign-up question. */
	if (len < CA_PASS_MIN || len > CA_PASS_MAX) {
		k->state = ST_CHOICE;
		return ca_says(k, CA_NOT_FOUND);
	}
	if (rand_fill(k->salt, CA_SALT) == -1)
		return ca_refuse(k, "registration", "no random salt");
	return ca_hash_start(k, p, len, new_pass_done);
}

/* CSR: whatever name the request claims, as the original. */
static int
do_csr(struct ca_client *k, const struct ca_req *r)
{
	struct ca_authority *ca = k->ca;
	char cn[CA_NAME_MAX + 1];
	const char *why;
	size_t derlen, pemlen;
	int rv;

	rv = casign_issue(ca, r->body, r->bodylen, cn, ca->der, &derlen,
	    ca->pem, sizeof(ca->pem), &pemlen, &why);
	if (rv != X509_OK)
		return ca_refuse(k, why, x509_strerror(rv));
	if (cap_cn(k, "certificate request", cn) == -1)
		return -1;
	if (cadb_put_cert(ca->db, cn, ca->der, derlen, k->user, "CSR") == -1)
		return ca_refuse(k, "database", "cannot store the certificate");
	conn_log(k->c, "%s (as %s): CSR for CN=%s: certificate issued", k->user,
	    r->name, cn);
	return ca_say(k, ca->pem, pemlen);
}

/* CERTUP: a certificate of this CA, stored for any name, as the original. */
static int
do_certup(struct ca_client *k, const struct ca_req *r)
{
	struct ca_authority *ca = k->ca;
	char cn[CA_NAME_MAX + 1];
	size_t derlen;
	int rv;

	if ((rv = casign_check(
		 ca, r->body, r->bodylen, ca->der, &derlen, cn)) != X509_OK)
		return ca_refuse(k, "certificate", x509_strerror(rv));
	if (cap_cn(k, "certificate", cn) == -1)
		return -1;
	if (cadb_put_cert(
		ca->db, r->name, ca->der, derlen, k->user, "CERTUP") == -1)
		return ca_refuse(k, "database", "cannot store the certificate");
	conn_log(k->c, "%s: CERTUP for %s: stored", k->user, r->name);
	return ca_says(k, CA_ACK);
}

static int
do_certreq(struct ca_client *k, const struct ca_req *r)
{
	struct ca_authority *ca = k->ca;
	char id[CA_NAME_MAX + 1], msg[CA_NAME_MAX + sizeof(CA_NO_CERT)];
	size_t derlen, pemlen;
	int rv;

	(void)ca_name_parse(r->body, r->bodylen, id); /* checked by parse */
	if ((rv = cadb_cert(ca->db, id, ca->der, &derlen)) == -1)
		return ca_refuse(k, "database", "cannot read the certificate");
	conn_log(k->c, "%s: CERTREQ for %s: %s", k->user, id,
	    rv == 1 ? "sent" : "none");
	if (rv == 0) {
		snprintf(msg, sizeof(msg), "%s" CA_NO_CERT, id);
		return ca_says(k, msg);
	}
	if (x509_pem_write(ca->der, derlen, 0, ca->pem, sizeof(ca->pem),
		&pemlen) != X509_OK)
		return ca_refuse(k, "database", "a stored certificate is bad");
	return ca_say(k, ca->pem, pemlen);
}

static int
on_request(struct ca_client *k, const uint8_t *p, size_t len)
{
	struct ca_req r;

	if (ca_req_parse(p, len, &r) == -1)
		return ca_refuse(k, "request",
		    "not \"CSR|CERTUP|CERTREQ name\\nbody\" with a safe name");
	if (cap_request(k, &r) == -1)
		return -1;
	switch (r.op) {
	case CA_CSR:
		return do_csr(k, &r);
	case CA_CERTUP:
		return do_certup(k, &r);
	default:
		return do_certreq(k, &r);
	}
}

static int (*const steps[])(struct ca_client *, const uint8_t *, size_t) = {
    [ST_USER] = on_user,
    [ST_PASS] = on_pass,
    [ST_CHOICE] = on_choice,
    [ST_NEW_USER] = on_new_user,
    [ST_NEW_PASS] = on_new_pass,
    [ST_OPS] = on_request,
};

static ssize_t
ca_bytes(struct conn *c, const uint8_t *data, size_t len)
{
	struct ca_client *k = conn_data(c);
	const uint8_t *p;
	size_t plen, used;
	int rv;

	rv = frame_decode(data, len, CA_FRAME_MAX, &p, &plen, &used);
	if (rv == FRAME_NEED_MORE)
		return 0;
	if (rv != FRAME_OK)
		return ca_refuse(k, "frame", frame_strerror(rv));
	conn_trace(c, TRACE_RECV, data, used); /* the password in the clear */
	rv = steps[k->state](k, p, plen);
	return rv == -1 ? -1 : (ssize_t)used;
}

/* pk-relay --trace: lib/catrace.c, at the client's state. */
static void
ca_trace_frame(const struct conn *c, struct trace_frame *fr)
{
	static struct ca_trace t; /* its note lives until the frame is shown */
	const struct ca_client *k = conn_data(c);

	memset(&t, 0, sizeof(t));
	t.server = 1;
	t.at = k != NULL ? (enum ca_at)k->state : CA_AT_USER;
	ca_trace(fr, &t);
}

static void
ca_close(struct conn *c)
{
	struct ca_client *k = conn_data(c);

	if (k == NULL)
		return;
	if (k->job != NULL) {
		ca_work_cancel(k->ca, k->job);
		cap_close(k);
	}
	secret_wipe(k, sizeof(*k));
	free(k);
	conn_set_data(c, NULL);
}

static const struct service_flag ca_flags[] = {
    {"pss",
	"ca: sign certificates with RSASSA-PSS (SHA-256,\n"
	"                      32-byte salt) instead of "
	"sha256WithRSAEncryption",
	offsetof(struct ca_authority, pss)},
    {NULL, NULL, 0},
};

const struct service ca_service = {
    .name = CA_SERVICE,
    .hardened = 1,
    .state_size = sizeof(struct ca_authority),
    .flags = ca_flags,
    .init = ca_init,
    .on_connect = ca_connect,
    .on_bytes = ca_bytes,
    .on_close = ca_close,
    .fini = ca_fini,
    .trace = ca_trace_frame,
};
