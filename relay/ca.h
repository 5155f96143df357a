/*
 * ca: what the files of the relay's ca service share: the dialog
 * (ca.c), the users and certificates tables (ca_db.c), the password
 * hashes (ca_pass.c) and the thread that computes them (ca_work.c), and
 * the CA's key and certificate (ca_sign.c).
 */
#ifndef PK_RELAY_CA_H
#define PK_RELAY_CA_H

#include <stddef.h>
#include <stdint.h>

#include "cawire.h"
#include "service.h"
#include "x509.h"

#define CA_SERVICE "ca"
#define CA_DAYS 365 /* validity of an issued certificate */
#define CA_SALT 32
#define CA_HASH 64 /* PBKDF2-HMAC-SHA512 output */
#define CA_ITER 100000
/*
 * After a wrong password the client is not read for CA_DELAY_MS, doubled
 * with each further one up to CA_DELAY_MAX_MS (docs/ca.md).
 */
#define CA_DELAY_MS 250
#define CA_DELAY_MAX_MS 4000
/*
 * Hardened (ca_profile.c): a name's failed sign-ins, from any connection,
 * hold it CA_H_DELAY_MS, doubled per failure; CA_H_LOCK_AFTER in a row
 * lock it CA_H_LOCK_MS.  CA_H_NAMES names are remembered.
 */
#define CA_H_DELAY_MS 100
#define CA_H_LOCK_AFTER 5
#define CA_H_LOCK_MS (15 * 60 * 1000)
#define CA_H_NAMES 4096

/*
 * ca_db.c: its statements, prepared by cadb_init into *d; each returns 0,
 * or -1 after logging the database error.
 */
struct cadb;
int cadb_init(struct relay_ctx *ctx, struct cadb **d);
void cadb_fini(struct cadb *d);
/* 1 and the salt and hash when name is a user, 0 when not, -1. */
int cadb_user(struct cadb *d, const char *name, uint8_t salt[CA_SALT],
    uint8_t hash[CA_HASH]);
/* 1 added, 0 the name is taken, -1. */
int cadb_add_user(struct cadb *d, const char *name, const uint8_t salt[CA_SALT],
    const uint8_t hash[CA_HASH]);
/* Stores der as name's certificate, replacing any; by: who sent it. */
int cadb_put_cert(struct cadb *d, const char *name, const uint8_t *der,
    size_t len, const char *by, const char *how);
/* 1 and the DER in out (X509_DER_MAX) when name has one, 0 when not, -1. */
int cadb_cert(struct cadb *d, const char *name, uint8_t *out, size_t *len);

/* ca_pass.c: PBKDF2-HMAC-SHA512, CA_ITER rounds (safe on any thread). */
void capass_hash(const uint8_t *pass, size_t len, const uint8_t salt[CA_SALT],
    uint8_t hash[CA_HASH]);

/*
 * ca_work.c: one worker thread hashes every password, off the loop.  A
 * job is made by ca_job_new, filled and given to ca_work_submit (0, or -1
 * logged); the worker fills hash, then done(k, job) runs on the loop
 * thread and the job is wiped and freed after it.  The client's on_close
 * calls ca_work_cancel for a job still out: done is then never called.
 */
struct ca_client;
struct ca_job {
	struct ca_client *k;
	void (*done)(struct ca_client *, struct ca_job *);
	int cancelled; /* set on the loop thread, under the worker's lock */
	size_t passlen;
	uint8_t pass[CA_PASS_MAX]; /* wiped once hashed */
	uint8_t salt[CA_SALT];
	uint8_t hash[CA_HASH]; /* the worker's answer */
	struct ca_job *next;
};
struct ca_authority;
struct ca_job *ca_job_new(void);
int ca_work_submit(
    struct ca_authority *ca, struct relay_ctx *ctx, struct ca_job *j);
void ca_work_cancel(struct ca_authority *ca, struct ca_job *j);
/* Stops and joins the thread (after every client closed). */
void ca_work_fini(struct ca_authority *ca);

/*
 * The service's state (service.h's init): its flag, the CA itself
 * (ca_sign.c) and the scratch for one answer (callbacks run one at once).
 */
struct ca_names;
struct ca_authority {
	int pss; /* --pss: sign with RSASSA-PSS */
	int hardened; /* pk-relay --hardened ca: ca_profile.c's choices */
	struct ca_names *names; /* hardened: failed sign-ins per name */
	struct cadb *db;
	struct ca_worker *worker; /* ca_work.c, once a password came */
	int have_key;
	struct key_rsa key;
	struct x509_cert root;
	uint8_t rootder[X509_DER_MAX];
	uint8_t der[X509_DER_MAX], pem[X509_PEM_MAX];
};

/* ca_sign.c */
int casign_init(struct relay_ctx *ctx, struct ca_authority *ca);
void casign_fini(struct ca_authority *ca);
/*
 * Issues a certificate for the request (PEM or DER): the PEM in out, the
 * DER in der (X509_DER_MAX), the request's CN in cn.  Returns 0 or an
 * X509_E* code; *why says which step failed ("request", "name", ...).
 */
int casign_issue(const struct ca_authority *ca, const uint8_t *req,
    size_t reqlen, char cn[CA_NAME_MAX + 1], uint8_t *der, size_t *derlen,
    uint8_t *out, size_t max, size_t *outlen, const char **why);
/*
 * Parses a certificate (PEM or DER) strictly and checks it was issued by
 * this CA and is valid now; its DER in der, its CN in cn.  0 or an
 * X509_E* code.
 */
int casign_check(const struct ca_authority *ca, const uint8_t *text, size_t len,
    uint8_t *der, size_t *derlen, char cn[CA_NAME_MAX + 1]);

/* ca.c: what the client's next frame answers (lib/cawire.h's, for trace). */
enum ca_state {
	ST_USER = CA_AT_USER, /* CA_ASK_USER sent */
	ST_PASS = CA_AT_PASS, /* CA_ASK_PASS or CA_BAD_PASS sent */
	ST_CHOICE = CA_AT_CHOICE, /* CA_NOT_FOUND sent: r or c */
	ST_NEW_USER = CA_AT_NEW_USER, /* CA_CHOOSE_USER sent */
	ST_NEW_PASS = CA_AT_NEW_PASS, /* CA_CHOOSE_PASS sent */
	ST_OPS = CA_AT_OPS, /* signed in */
};

struct ca_client {
	struct ca_authority *ca; /* the service's state */
	struct conn *c;
	enum ca_state state;
	char user[CA_NAME_MAX + 1];
	unsigned tries; /* wrong passwords so far */
	struct ca_job *job; /* a password with the worker; the client is held */
	int known; /* hardened: user is in the users table */
	uint8_t salt[CA_SALT], hash[CA_HASH];
};

/* ca.c, for ca_profile.c: a frame to the client, "error: " and close. */
int ca_say(struct ca_client *k, const void *msg, size_t len);
int ca_says(struct ca_client *k, const char *msg);
int ca_refuse(struct ca_client *k, const char *what, const char *why);
/* Hands the password to the worker; done answers on the loop thread. */
int ca_hash_start(struct ca_client *k, const uint8_t *p, size_t len,
    void (*done)(struct ca_client *, struct ca_job *));
/* Ends done: -1 closes the client after its reply, else holds hold_ms. */
void ca_hash_end(struct ca_client *k, int rv, long long hold_ms);

/*
 * ca_profile.c: every choice of the hardened profile (docs/ca.md
 * "Profiles"), called by ca.c at each step where the profiles differ.
 * Each returns what a step of ca.c returns (0, or -1 to close).
 */
/* init: the failed sign-ins table when hardened; 0 or -1 logged. */
int cap_init(struct relay_ctx *ctx, struct ca_authority *ca);
void cap_fini(struct ca_authority *ca);
/* The first prompt, with the profile's mark. */
int cap_greet(struct ca_client *k);
/* Hardened: "login NAME" / "register NAME"; faithful: 1 to go on. */
int cap_user(struct ca_client *k, const uint8_t *p, size_t len);
int cap_pass(struct ca_client *k, const uint8_t *p, size_t len);
int cap_new_pass(struct ca_client *k, const uint8_t *p, size_t len);
/*
 * Hardened: 0 when the request may go on, else the refusal's -1
 * (names bound to the signed-in user); faithful: always 0.
 */
int cap_request(struct ca_client *k, const struct ca_req *r);
/* Hardened: the CN of a CSR or CERTUP is the signed-in user's, else -1. */
int cap_cn(struct ca_client *k, const char *what, const char *cn);
/* The client goes with a hash out: its name is free to try again. */
void cap_close(struct ca_client *k);

#endif
