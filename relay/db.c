/*
 * db: the relay's SQLite database, STATE_DIR/protokit.db, in WAL mode with
 * synchronous=FULL so that a commit is on disk before the relay answers.
 * PRAGMA user_version is the core schema version; the core table `schema`
 * holds each service's own version, moved on by db_migrate.
 */
#include <sys/stat.h>

#include <err.h>
#include <errno.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "relay.h"

#define DB_NAME "protokit.db"
#define DB_VERSION 1 /* of the core schema below */

static const char db_core_schema[] =
    "CREATE TABLE schema (service TEXT PRIMARY KEY,"
    " version INTEGER NOT NULL);"
    "PRAGMA user_version = 1;";

/* Creates dir (0700) unless it is already a directory; dies on failure. */
static void
db_mkdir(const char *dir)
{
	struct stat st;

	if (mkdir(dir, 0700) == 0)
		return;
	if (errno != EEXIST)
		err(2, "mkdir %s", dir);
	if (stat(dir, &st) == -1)
		err(2, "%s", dir);
	if (!S_ISDIR(st.st_mode))
		errx(2, "%s: not a directory", dir);
}

/* Runs a statement that returns one integer or text row into *out. */
static int
db_pragma(sqlite3 *db, const char *sql, char *out, size_t size)
{
	sqlite3_stmt *st;
	int rv = -1;

	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
		return -1;
	if (sqlite3_step(st) == SQLITE_ROW) {
		snprintf(
		    out, size, "%s", (const char *)sqlite3_column_text(st, 0));
		rv = 0;
	}
	sqlite3_finalize(st);
	return rv;
}

static void
db_core(struct relay_ctx *ctx, const char *path)
{
	sqlite3 *db = ctx->db;
	char val[32];
	int version;

	if (db_pragma(db, "PRAGMA journal_mode = WAL", val, sizeof(val)) ||
	    strcmp(val, "wal") != 0)
		errx(
		    2, "%s: cannot use WAL mode: %s", path, sqlite3_errmsg(db));
	if (sqlite3_exec(db,
		"PRAGMA synchronous = FULL;"
		"PRAGMA foreign_keys = ON;",
		NULL, NULL, NULL) != SQLITE_OK ||
	    db_pragma(db, "PRAGMA user_version", val, sizeof(val)))
		errx(2, "%s: %s", path, sqlite3_errmsg(db));
	version = atoi(val);
	if (version > DB_VERSION)
		errx(2,
		    "%s: schema version %d is newer than this pk-relay "
		    "(%d)",
		    path, version, DB_VERSION);
	if (version == 0 &&
	    (sqlite3_exec(db, "BEGIN IMMEDIATE", NULL, NULL, NULL) !=
		    SQLITE_OK ||
		sqlite3_exec(db, db_core_schema, NULL, NULL, NULL) !=
		    SQLITE_OK ||
		sqlite3_exec(db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK))
		errx(2, "%s: cannot create the schema: %s", path,
		    sqlite3_errmsg(db));
}

/* Creates STATE_DIR, STATE_DIR/files and the database; dies on failure. */
int
db_open(struct relay_ctx *ctx)
{
	char path[PATH_MAX];
	int n;

	db_mkdir(ctx->state_dir);
	n = snprintf(
	    ctx->files_dir, sizeof(ctx->files_dir), "%s/files", ctx->state_dir);
	if (n < 0 || (size_t)n >= sizeof(ctx->files_dir))
		errx(2, "%s: state directory name too long", ctx->state_dir);
	db_mkdir(ctx->files_dir);
	snprintf(path, sizeof(path), "%s/%s", ctx->state_dir, DB_NAME);
	if (sqlite3_open_v2(path, &ctx->db,
		SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE |
		    SQLITE_OPEN_NOMUTEX,
		NULL) != SQLITE_OK)
		errx(2, "%s: %s", path,
		    ctx->db != NULL ? sqlite3_errmsg(ctx->db) : "cannot open");
	sqlite3_busy_timeout(ctx->db, 5000);
	db_core(ctx, path);
	return 0;
}

void
db_close(struct relay_ctx *ctx)
{
	if (ctx->db != NULL && sqlite3_close(ctx->db) != SQLITE_OK)
		relay_log("relay", "closing the database: %s",
		    sqlite3_errmsg(ctx->db));
	ctx->db = NULL;
}

static int
db_service_version(sqlite3 *db, const char *service)
{
	sqlite3_stmt *st;
	int version = -1;

	if (sqlite3_prepare_v2(db,
		"SELECT version FROM schema "
		"WHERE service = ?",
		-1, &st, NULL) != SQLITE_OK)
		return -1;
	sqlite3_bind_text(st, 1, service, -1, SQLITE_STATIC);
	switch (sqlite3_step(st)) {
	case SQLITE_ROW:
		version = sqlite3_column_int(st, 0);
		break;
	case SQLITE_DONE:
		version = 0;
		break;
	}
	sqlite3_finalize(st);
	return version;
}

static int
db_set_version(sqlite3 *db, const char *service, int version)
{
	sqlite3_stmt *st;
	int rc;

	if (sqlite3_prepare_v2(db,
		"INSERT OR REPLACE INTO schema "
		"(service, version) VALUES (?, ?)",
		-1, &st, NULL) != SQLITE_OK)
		return -1;
	sqlite3_bind_text(st, 1, service, -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 2, version);
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? 0 : -1;
}

int
db_migrate(
    struct relay_ctx *ctx, const char *service, int version, const char *sql)
{
	sqlite3 *db = ctx->db;
	int have;

	if (sqlite3_exec(db, "BEGIN IMMEDIATE", NULL, NULL, NULL) != SQLITE_OK)
		goto fail;
	if ((have = db_service_version(db, service)) == -1)
		goto rollback;
	if (have >= version)
		return sqlite3_exec(db, "COMMIT", NULL, NULL, NULL) == SQLITE_OK
		    ? 0
		    : -1;
	if (sqlite3_exec(db, sql, NULL, NULL, NULL) != SQLITE_OK ||
	    db_set_version(db, service, version) == -1 ||
	    sqlite3_exec(db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK)
		goto rollback;
	relay_log(service, "database schema version %d", version);
	return 0;
rollback:
	relay_log(service, "database schema version %d: %s", version,
	    sqlite3_errmsg(db));
	sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
	return -1;
fail:
	relay_log(service, "database: %s", sqlite3_errmsg(db));
	return -1;
}
