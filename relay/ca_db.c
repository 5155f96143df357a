/*
 * ca_db: the ca service's tables in the relay's database: users (name,
 * PBKDF2 salt and hash, rounds) and certs (the DER of the last certificate
 * issued or uploaded for a name, who sent it, how).  The original kept
 * UserList.json and one <name>.sig file per name.  Names reach here only
 * after ca_name_parse.  Every write commits before the service answers.
 */
#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>

#include "ca.h"

#define NOW "strftime('%Y-%m-%dT%H:%M:%SZ', 'now')"

static const char schema_v1[] =
    "CREATE TABLE users ("
    " name TEXT PRIMARY KEY NOT NULL,"
    " salt BLOB NOT NULL CHECK (length(salt) = 32),"
    " hash BLOB NOT NULL CHECK (length(hash) = 64),"
    " iterations INTEGER NOT NULL,"
    " created TEXT NOT NULL);"
    "CREATE TABLE certs ("
    " name TEXT PRIMARY KEY NOT NULL,"
    " der BLOB NOT NULL,"
    " sent_by TEXT NOT NULL,"
    " how TEXT NOT NULL CHECK (how IN ('CSR', 'CERTUP')),"
    " updated TEXT NOT NULL);";

enum { S_USER, S_ADD_USER, S_PUT_CERT, S_CERT, S_COUNT };

static const char *const sql[S_COUNT] = {
    [S_USER] = "SELECT salt, hash FROM users WHERE name = ?1",
    [S_ADD_USER] = "INSERT INTO users (name, salt, hash, iterations, "
		   "created) VALUES (?1, ?2, ?3, ?4, " NOW ") "
		   "ON CONFLICT (name) DO NOTHING",
    [S_PUT_CERT] =
	"INSERT INTO certs (name, der, sent_by, how, updated) "
	"VALUES (?1, ?2, ?3, ?4, " NOW ") ON CONFLICT (name) DO UPDATE "
	"SET der = excluded.der, sent_by = excluded.sent_by, "
	"how = excluded.how, updated = excluded.updated",
    [S_CERT] = "SELECT der FROM certs WHERE name = ?1",
};

/* The statements, prepared once; in the service's state. */
struct cadb {
	sqlite3 *db;
	sqlite3_stmt *st[S_COUNT];
};

static int
fail(struct cadb *d, sqlite3_stmt *s)
{
	relay_log(CA_SERVICE, "database: %s", sqlite3_errmsg(d->db));
	if (s != NULL) {
		sqlite3_reset(s);
		sqlite3_clear_bindings(s);
	}
	return -1;
}

/* Resets s for its next use; returns rv. */
static int
done(sqlite3_stmt *s, int rv)
{
	sqlite3_reset(s);
	sqlite3_clear_bindings(s);
	return rv;
}

int
cadb_init(struct relay_ctx *ctx, struct cadb **dp)
{
	struct cadb *d;
	int i;

	if (db_migrate(ctx, CA_SERVICE, 1, schema_v1) == -1)
		return -1;
	if ((d = *dp = calloc(1, sizeof(*d))) == NULL) {
		relay_log(CA_SERVICE, "no memory");
		return -1;
	}
	d->db = relay_db(ctx);
	for (i = 0; i < S_COUNT; i++)
		if (sqlite3_prepare_v3(d->db, sql[i], -1,
			SQLITE_PREPARE_PERSISTENT, &d->st[i],
			NULL) != SQLITE_OK)
			return fail(d, NULL);
	return 0;
}

void
cadb_fini(struct cadb *d)
{
	int i;

	if (d == NULL)
		return;
	for (i = 0; i < S_COUNT; i++)
		sqlite3_finalize(d->st[i]);
	free(d);
}

/* Runs the lookup s for name: 1 a row is ready, 0 none (reset), -1. */
static int
lookup(struct cadb *d, sqlite3_stmt *s, const char *name)
{
	int rc;

	sqlite3_bind_text(s, 1, name, -1, SQLITE_STATIC);
	rc = sqlite3_step(s);
	if (rc == SQLITE_DONE)
		return done(s, 0);
	if (rc != SQLITE_ROW)
		return fail(d, s);
	return 1;
}

int
cadb_user(struct cadb *d, const char *name, uint8_t salt[CA_SALT],
    uint8_t hash[CA_HASH])
{
	sqlite3_stmt *s = d->st[S_USER];
	int rv;

	if ((rv = lookup(d, s, name)) != 1)
		return rv;
	if (sqlite3_column_bytes(s, 0) != CA_SALT ||
	    sqlite3_column_bytes(s, 1) != CA_HASH) {
		relay_log(CA_SERVICE, "database: user %s: bad row", name);
		return done(s, -1);
	}
	memcpy(salt, sqlite3_column_blob(s, 0), CA_SALT);
	memcpy(hash, sqlite3_column_blob(s, 1), CA_HASH);
	return done(s, 1);
}

int
cadb_add_user(struct cadb *d, const char *name, const uint8_t salt[CA_SALT],
    const uint8_t hash[CA_HASH])
{
	sqlite3_stmt *s = d->st[S_ADD_USER];

	sqlite3_bind_text(s, 1, name, -1, SQLITE_STATIC);
	sqlite3_bind_blob(s, 2, salt, CA_SALT, SQLITE_STATIC);
	sqlite3_bind_blob(s, 3, hash, CA_HASH, SQLITE_STATIC);
	sqlite3_bind_int(s, 4, CA_ITER);
	if (sqlite3_step(s) != SQLITE_DONE)
		return fail(d, s);
	return done(s, sqlite3_changes(d->db) == 1);
}

int
cadb_put_cert(struct cadb *d, const char *name, const uint8_t *der, size_t len,
    const char *by, const char *how)
{
	sqlite3_stmt *s = d->st[S_PUT_CERT];

	sqlite3_bind_text(s, 1, name, -1, SQLITE_STATIC);
	sqlite3_bind_blob(s, 2, der, (int)len, SQLITE_STATIC);
	sqlite3_bind_text(s, 3, by, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 4, how, -1, SQLITE_STATIC);
	if (sqlite3_step(s) != SQLITE_DONE)
		return fail(d, s);
	return done(s, 0);
}

int
cadb_cert(struct cadb *d, const char *name, uint8_t *out, size_t *len)
{
	sqlite3_stmt *s = d->st[S_CERT];
	int rv, n;

	if ((rv = lookup(d, s, name)) != 1)
		return rv;
	n = sqlite3_column_bytes(s, 0);
	if (n <= 0 || n > X509_DER_MAX) {
		relay_log(
		    CA_SERVICE, "database: certificate %s: bad row", name);
		return done(s, -1);
	}
	memcpy(out, sqlite3_column_blob(s, 0), (size_t)n);
	*len = (size_t)n;
	return done(s, 1);
}
