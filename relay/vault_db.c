/*
 * vault_db: the vault service's tables in the relay's database, in the
 * course layout (clients: id, name, public_key, last_seen, aes_key; files:
 * id, file_name, path_name, verified), and the few statements the service
 * runs, prepared once.  Every write commits before the service answers
 * (the core runs WAL with synchronous=FULL).
 */
#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>

#include "vault.h"

#define NOW "strftime('%Y-%m-%dT%H:%M:%SZ', 'now')"

static const char schema_v1[] =
    "CREATE TABLE clients ("
    " id BLOB PRIMARY KEY NOT NULL CHECK (length(id) = 16),"
    " name TEXT NOT NULL UNIQUE,"
    " public_key BLOB CHECK (public_key IS NULL OR length(public_key) = 160),"
    " last_seen TEXT NOT NULL,"
    " aes_key BLOB CHECK (aes_key IS NULL OR length(aes_key) = 32));"
    "CREATE TABLE files ("
    " id BLOB NOT NULL REFERENCES clients (id),"
    " file_name TEXT NOT NULL,"
    " path_name TEXT NOT NULL,"
    " verified INTEGER NOT NULL DEFAULT 0 CHECK (verified IN (0, 1)),"
    " PRIMARY KEY (id, file_name));";

/* Files moved from STATE/files/<id> into STATE/files/vault/<id> (files.c). */
static const char schema_v2[] =
    "UPDATE files SET path_name = 'files/vault/' || substr(path_name, 7)"
    " WHERE substr(path_name, 1, 12) <> 'files/vault/';";

enum {
	S_REGISTER,
	S_FORGET,
	S_CLIENT,
	S_KEYS,
	S_TOUCH,
	S_AES,
	S_FILE,
	S_BEGIN,
	S_COMMIT,
	S_ROLLBACK,
	S_COUNT
};

static const char *const sql[S_COUNT] = {
    [S_REGISTER] = "INSERT INTO clients (id, name, last_seen) "
		   "VALUES (?1, ?2, " NOW ")",
    [S_FORGET] = "DELETE FROM clients WHERE id = ?1 AND name = ?2 "
		 "AND public_key IS NULL",
    [S_CLIENT] = "SELECT name, public_key FROM clients WHERE id = ?1",
    [S_KEYS] = "UPDATE clients SET public_key = coalesce(?2, public_key), "
	       "aes_key = ?3, last_seen = " NOW " WHERE id = ?1",
    [S_TOUCH] = "UPDATE clients SET last_seen = " NOW " WHERE id = ?1",
    [S_AES] = "UPDATE clients SET last_seen = " NOW " WHERE id = ?1 "
	      "RETURNING aes_key",
    [S_FILE] = "INSERT INTO files (id, file_name, path_name, verified) "
	       "VALUES (?1, ?2, ?3, 1) ON CONFLICT (id, file_name) DO UPDATE "
	       "SET path_name = excluded.path_name, verified = 1",
    [S_BEGIN] = "BEGIN IMMEDIATE",
    [S_COMMIT] = "COMMIT",
    [S_ROLLBACK] = "ROLLBACK",
};

/* The statements, prepared once; in the service's state. */
struct vdb {
	sqlite3 *db;
	sqlite3_stmt *st[S_COUNT];
};

/* Logs the database's last error; returns -1. */
static int
vdb_fail(struct vdb *d)
{
	relay_log(VAULT_SERVICE, "database: %s", sqlite3_errmsg(d->db));
	return -1;
}

int
vdb_init(struct relay_ctx *ctx, struct vdb **dp)
{
	struct vdb *d;
	int i;

	if (db_migrate(ctx, VAULT_SERVICE, 1, schema_v1) == -1 ||
	    db_migrate(ctx, VAULT_SERVICE, 2, schema_v2) == -1)
		return -1;
	if ((d = *dp = calloc(1, sizeof(*d))) == NULL) {
		relay_log(VAULT_SERVICE, "no memory");
		return -1;
	}
	d->db = relay_db(ctx);
	for (i = 0; i < S_COUNT; i++)
		if (sqlite3_prepare_v3(d->db, sql[i], -1,
			SQLITE_PREPARE_PERSISTENT, &d->st[i],
			NULL) != SQLITE_OK)
			return vdb_fail(d);
	return 0;
}

void
vdb_fini(struct vdb *d)
{
	int i;

	if (d == NULL)
		return;
	for (i = 0; i < S_COUNT; i++)
		sqlite3_finalize(d->st[i]);
	free(d);
}

/*
 * Runs s to its end after a first step that returned rc (a row has been
 * read); returns the last step code, with s reset and its bindings cleared.
 */
static int
vdb_end(sqlite3_stmt *s, int rc)
{
	while (rc == SQLITE_ROW)
		rc = sqlite3_step(s);
	sqlite3_reset(s);
	sqlite3_clear_bindings(s);
	return rc;
}

static int
vdb_run(sqlite3_stmt *s)
{
	return vdb_end(s, sqlite3_step(s));
}

static void
vdb_bind_id(sqlite3_stmt *s, const uint8_t id[VAULT_ID])
{
	sqlite3_bind_blob(s, 1, id, VAULT_ID, SQLITE_STATIC);
}

/* The insert of a new client: 0, 1 name taken, 2 id taken, -1. */
static int
vdb_insert(
    struct vdb *d, const uint8_t id[VAULT_ID], const uint8_t *name, size_t len)
{
	sqlite3_stmt *s = d->st[S_REGISTER];
	int rc;

	vdb_bind_id(s, id);
	sqlite3_bind_text(s, 2, (const char *)name, (int)len, SQLITE_STATIC);
	if ((rc = vdb_run(s)) == SQLITE_DONE)
		return 0;
	if (rc == SQLITE_CONSTRAINT) {
		switch (sqlite3_extended_errcode(d->db)) {
		case SQLITE_CONSTRAINT_UNIQUE:
			return 1;
		case SQLITE_CONSTRAINT_PRIMARYKEY:
			return 2;
		}
	}
	return vdb_fail(d);
}

int
vdb_register(struct vdb *d, const uint8_t *old, const uint8_t id[VAULT_ID],
    const uint8_t *name, size_t len)
{
	sqlite3_stmt *s = d->st[S_FORGET];
	int rv;

	if (old == NULL)
		return vdb_insert(d, id, name, len);
	if (vdb_run(d->st[S_BEGIN]) != SQLITE_DONE)
		return vdb_fail(d);
	vdb_bind_id(s, old);
	sqlite3_bind_text(s, 2, (const char *)name, (int)len, SQLITE_STATIC);
	if (vdb_run(s) != SQLITE_DONE) {
		vdb_fail(d);
		rv = -1;
	} else
		rv = vdb_insert(d, id, name, len);
	if (rv == 0 && vdb_run(d->st[S_COMMIT]) == SQLITE_DONE)
		return 0;
	if (rv == 0)
		rv = vdb_fail(d);
	vdb_run(d->st[S_ROLLBACK]);
	return rv;
}

int
vdb_client(struct vdb *d, const uint8_t id[VAULT_ID], struct vdb_client *cl)
{
	sqlite3_stmt *s = d->st[S_CLIENT];
	const void *p;
	int found = 0, rc, n;

	memset(cl, 0, sizeof(*cl));
	vdb_bind_id(s, id);
	if ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		found = 1;
		p = sqlite3_column_text(s, 0);
		n = sqlite3_column_bytes(s, 0);
		if (p != NULL && n < VAULT_NAME)
			memcpy(cl->name, p, (size_t)n);
		p = sqlite3_column_blob(s, 1);
		if (p != NULL && sqlite3_column_bytes(s, 1) == VAULT_PUBKEY) {
			memcpy(cl->pubkey, p, VAULT_PUBKEY);
			cl->has_pubkey = 1;
		}
	}
	rc = vdb_end(s, rc);
	return rc == SQLITE_DONE ? found : vdb_fail(d);
}

int
vdb_set_keys(struct vdb *d, const uint8_t id[VAULT_ID], const uint8_t *pubkey,
    const uint8_t aes[VAULT_AES])
{
	sqlite3_stmt *s = d->st[S_KEYS];

	vdb_bind_id(s, id);
	if (pubkey != NULL)
		sqlite3_bind_blob(s, 2, pubkey, VAULT_PUBKEY, SQLITE_STATIC);
	sqlite3_bind_blob(s, 3, aes, VAULT_AES, SQLITE_STATIC);
	if (vdb_run(s) != SQLITE_DONE)
		return vdb_fail(d);
	return sqlite3_changes(d->db) > 0;
}

int
vdb_touch(struct vdb *d, const uint8_t id[VAULT_ID])
{
	sqlite3_stmt *s = d->st[S_TOUCH];

	vdb_bind_id(s, id);
	if (vdb_run(s) != SQLITE_DONE)
		return vdb_fail(d);
	return sqlite3_changes(d->db) > 0;
}

int
vdb_aes_key(struct vdb *d, const uint8_t id[VAULT_ID], uint8_t aes[VAULT_AES])
{
	sqlite3_stmt *s = d->st[S_AES];
	const void *p;
	int rv = 0, rc;

	vdb_bind_id(s, id);
	if ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		p = sqlite3_column_blob(s, 0);
		rv = 2;
		if (p != NULL && sqlite3_column_bytes(s, 0) == VAULT_AES) {
			memcpy(aes, p, VAULT_AES);
			rv = 1;
		}
	}
	rc = vdb_end(s, rc);
	return rc == SQLITE_DONE ? rv : vdb_fail(d);
}

int
vdb_file_verified(struct vdb *d, const uint8_t id[VAULT_ID],
    const uint8_t *name, size_t len, const char *path)
{
	sqlite3_stmt *s = d->st[S_FILE];

	if (vdb_run(d->st[S_BEGIN]) != SQLITE_DONE)
		return vdb_fail(d);
	if (vdb_touch(d, id) == -1)
		goto rollback;
	vdb_bind_id(s, id);
	sqlite3_bind_text(s, 2, (const char *)name, (int)len, SQLITE_STATIC);
	sqlite3_bind_text(s, 3, path, -1, SQLITE_STATIC);
	if (vdb_run(s) != SQLITE_DONE ||
	    vdb_run(d->st[S_COMMIT]) != SQLITE_DONE)
		goto rollback;
	return 0;
rollback:
	vdb_fail(d);
	vdb_run(d->st[S_ROLLBACK]);
	return -1;
}
