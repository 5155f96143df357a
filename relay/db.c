/*
 * db: the relay's SQLite database, STATE_DIR/protokit.db, in WAL mode with
 * synchronous=FULL so that a commit is on disk before the relay answers.
 * PRAGMA application_id marks the file as protokit's, PRAGMA user_version
 * is the core schema version, and the core table `schema` holds each
 * service's own version, moved on by db_migrate.  The schema is made only
 * for a database that does not exist yet: an empty, foreign or read-only
 * file stops the relay at start, naming it.
 */
#include <sys/stat.h>

#include <err.h>
#include <errno.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "io.h"
#include "relay.h"

#define DB_NAME "protokit.db"
#define DB_VERSION 1 /* of the core schema below */
#define DB_APP_ID 1886086242 /* PRAGMA application_id: 0x706b6462, "pkdb" */
#define DB_STR_(x) #x
#define DB_STR(x) DB_STR_(x)
#define DB_STAMP "PRAGMA application_id = " DB_STR(DB_APP_ID) ";"

static const char db_core_schema[] =
    "CREATE TABLE schema (service TEXT PRIMARY KEY,"
    " version INTEGER NOT NULL);"
    "PRAGMA user_version = 1;" DB_STAMP;

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

static int
db_int(sqlite3 *db, const char *sql, const char *path)
{
	char val[32];

	if (db_pragma(db, sql, val, sizeof(val)) == -1)
		errx(2, "%s: not a protokit database: %s", path,
		    sqlite3_errmsg(db));
	return atoi(val);
}

static void
db_exec(sqlite3 *db, const char *sql, const char *path, const char *what)
{
	if (sqlite3_exec(db, sql, NULL, NULL, NULL) != SQLITE_OK)
		errx(2, "%s: %s: %s", path, what, sqlite3_errmsg(db));
}

static sqlite3 *
db_open_file(const char *path, int flags)
{
	sqlite3 *db = NULL;

	if (sqlite3_open_v2(path, &db, flags | SQLITE_OPEN_NOMUTEX, NULL) !=
	    SQLITE_OK)
		errx(2, "%s: %s", path,
		    db != NULL ? sqlite3_errmsg(db) : "cannot open");
	sqlite3_busy_timeout(db, 5000);
	return db;
}

/*
 * A new database with the core schema, made under a temporary name (in
 * rollback mode, so that the file holds everything once closed) and
 * linked into place: a relay killed meanwhile leaves no half-made
 * protokit.db that the next start would have to guess about.
 */
static void
db_create(const char *dir, const char *path)
{
	char tmp[PATH_MAX + 8], side[PATH_MAX + 16];
	sqlite3 *db;

	snprintf(tmp, sizeof(tmp), "%s.new", path);
	snprintf(side, sizeof(side), "%s-journal", tmp);
	(void)unlink(side); /* left by a start that was killed */
	if (unlink(tmp) == -1 && errno != ENOENT)
		err(2, "%s", tmp);
	db = db_open_file(tmp, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE);
	db_exec(db,
	    "PRAGMA synchronous = FULL;"
	    "BEGIN IMMEDIATE;",
	    tmp, "cannot create the schema");
	db_exec(db, db_core_schema, tmp, "cannot create the schema");
	db_exec(db, "COMMIT", tmp, "cannot create the schema");
	if (sqlite3_close(db) != SQLITE_OK)
		errx(2, "%s: %s", tmp, sqlite3_errmsg(db));
	if (io_rename_noreplace(tmp, path) == -1)
		err(2, "%s", path);
	if (io_fsync_dir(dir, strlen(dir)) == -1)
		err(2, "%s", dir);
	relay_log("relay", "%s: new database", path);
}

/*
 * Dies unless db is a protokit database (its application_id, or before
 * there was one a user_version and the core `schema` table) that this
 * pk-relay can read and write.
 */
static void
db_check(sqlite3 *db, const char *path)
{
	int app, version;

	app = db_int(db, "PRAGMA application_id", path);
	version = db_int(db, "PRAGMA user_version", path);
	if (app != DB_APP_ID &&
	    (app != 0 || version < 1 ||
		db_int(db,
		    "SELECT count(*) FROM sqlite_master WHERE type = 'table' "
		    "AND name = 'schema'",
		    path) != 1))
		errx(2,
		    "%s: not a protokit database (application_id %d, "
		    "user_version %d)",
		    path, app, version);
	if (version > DB_VERSION)
		errx(2,
		    "%s: schema version %d is newer than this pk-relay "
		    "(%d)",
		    path, version, DB_VERSION);
	if (sqlite3_db_readonly(db, "main") == 1)
		errx(
		    2, "%s: read-only (pk-relay writes to its database)", path);
}

static void
db_core(sqlite3 *db, const char *path)
{
	char val[32];

	db_check(db, path);
	if (db_pragma(db, "PRAGMA journal_mode = WAL", val, sizeof(val)) ||
	    strcmp(val, "wal") != 0)
		errx(
		    2, "%s: cannot use WAL mode: %s", path, sqlite3_errmsg(db));
	db_exec(db,
	    "PRAGMA synchronous = FULL;"
	    "PRAGMA foreign_keys = ON;",
	    path, "cannot set up");
	/* Fail now, not at the first client's write; stamp older files. */
	db_exec(
	    db, "BEGIN IMMEDIATE;" DB_STAMP "COMMIT;", path, "cannot write");
}

/*
 * Creates STATE_DIR and STATE_DIR/files, and the database only if it does
 * not exist; an existing file must be a protokit database (an empty file
 * is not: it was never one, or it lost what it held).  Dies on failure.
 */
int
db_open(struct relay_ctx *ctx)
{
	char path[PATH_MAX];
	struct stat st;
	int n;

	db_mkdir(ctx->state_dir);
	n = snprintf(
	    ctx->files_dir, sizeof(ctx->files_dir), "%s/files", ctx->state_dir);
	if (n < 0 || (size_t)n >= sizeof(ctx->files_dir))
		errx(2, "%s: state directory name too long", ctx->state_dir);
	db_mkdir(ctx->files_dir);
	if (files_layout(ctx) == -1)
		errx(2, "%s: cannot lay out its folders", ctx->files_dir);
	snprintf(path, sizeof(path), "%s/%s", ctx->state_dir, DB_NAME);
	if (stat(path, &st) == -1) {
		if (errno != ENOENT)
			err(2, "%s", path);
		db_create(ctx->state_dir, path);
	} else if (!S_ISREG(st.st_mode))
		errx(2, "%s: not a regular file", path);
	else if (st.st_size == 0)
		errx(2,
		    "%s: an empty file, not a protokit database (restore it, "
		    "or remove it to start with an empty one)",
		    path);
	ctx->db = db_open_file(path, SQLITE_OPEN_READWRITE);
	db_core(ctx->db, path);
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
