/*
 * ca: what the files of the relay's ca service share: the dialog
 * (ca.c), the users and certificates tables (ca_db.c), the password
 * hashes (ca_pass.c) and the CA's key and certificate (ca_sign.c).
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

/* ca_pass.c: PBKDF2-HMAC-SHA512, CA_ITER rounds. */
void capass_hash(const uint8_t *pass, size_t len, const uint8_t salt[CA_SALT],
    uint8_t hash[CA_HASH]);
/* 1 when pass hashes to hash with salt, compared in constant time. */
int capass_check(const uint8_t *pass, size_t len, const uint8_t salt[CA_SALT],
    const uint8_t hash[CA_HASH]);

/*
 * The service's state (service.h's init): its flag, the CA itself
 * (ca_sign.c) and the scratch for one answer (callbacks run one at once).
 */
struct ca_authority {
	int pss; /* --pss: sign with RSASSA-PSS */
	struct cadb *db;
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
 * this CA and is valid now; its DER in der.  0 or an X509_E* code.
 */
int casign_check(const struct ca_authority *ca, const uint8_t *text, size_t len,
    uint8_t *der, size_t *derlen);

#endif
