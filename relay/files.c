/*
 * files: STATE/files, where services keep what clients send, one folder
 * each (STATE/files/vault, STATE/files/e2e), so that no service's names
 * can collide with another's.  Before this layout vault's client folders
 * and e2e-upload's files lay side by side in STATE/files: files_layout
 * moves them into their folders at start (directories were vault's,
 * regular files e2e-upload's), and logs what it moved or left.
 */
#include <sys/stat.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "io.h"
#include "relay.h"

#define FOLDER_VAULT "vault" /* as vault.h VAULT_FILES */
#define FOLDER_E2E "e2e" /* as e2e_upload.c UP_FILES */
#define SET_ASIDE ".layout-" /* an old e2e upload named like a folder */
#define UP_TMP ".pk-" /* e2e-upload's temporary files */

int
relay_service_files(
    struct relay_ctx *ctx, const char *folder, char *dir, size_t size)
{
	const char *files = relay_files_dir(ctx);
	int n;

	n = snprintf(dir, size, "%s/%s", files, folder);
	if (n < 0 || (size_t)n >= size) {
		relay_log(folder, "%s/%s: path too long", files, folder);
		return -1;
	}
	if (mkdir(dir, 0700) == 0) {
		if (io_fsync_dir(files, strlen(files)) == 0)
			return 0;
	} else if (errno == EEXIST) {
		/* A file there is refused by whoever opens a path in it. */
		return 0;
	}
	relay_log(folder, "%s: %s", dir, strerror(errno));
	return -1;
}

/* Where an old-layout entry of STATE/files goes, or NULL to leave it. */
static const char *
destination(int fd, const char *name, unsigned char type)
{
	struct stat st;

	if (type == DT_UNKNOWN || type == DT_LNK) {
		if (fstatat(fd, name, &st, AT_SYMLINK_NOFOLLOW) == -1)
			return NULL;
		type = S_ISDIR(st.st_mode) ? DT_DIR
		    : S_ISREG(st.st_mode)  ? DT_REG
					   : DT_UNKNOWN;
	}
	if (type == DT_DIR)
		return strcmp(name, FOLDER_VAULT) == 0 ||
			strcmp(name, FOLDER_E2E) == 0
		    ? NULL
		    : FOLDER_VAULT;
	return type == DT_REG ? FOLDER_E2E : NULL;
}

/*
 * Moves one entry into folder, keeping its name; 1 moved, 0 not.  Of the
 * dot-files, e2e-upload's temporaries die as they would at its start, and
 * others stay.
 */
static int
move(int fd, const char *name, const char *folder)
{
	char to[NAME_MAX + 16];
	const char *keep = name;

	if (strncmp(name, SET_ASIDE, sizeof(SET_ASIDE) - 1) == 0)
		keep = name + sizeof(SET_ASIDE) - 1;
	else if (name[0] == '.') {
		if (strncmp(name, UP_TMP, sizeof(UP_TMP) - 1) == 0)
			(void)unlinkat(fd, name, 0);
		return 0;
	}
	snprintf(to, sizeof(to), "%s/%s", folder, keep);
	if (renameat2(fd, name, fd, to, RENAME_NOREPLACE) == 0)
		return 1;
	relay_log("relay", "%s: left in place: %s", name, strerror(errno));
	return 0;
}

/* An old e2e upload named "vault" or "e2e" steps aside for the folder. */
static void
set_aside(int fd, const char *name)
{
	char aside[64];
	struct stat st;

	if (fstatat(fd, name, &st, AT_SYMLINK_NOFOLLOW) == -1 ||
	    S_ISDIR(st.st_mode))
		return;
	snprintf(aside, sizeof(aside), "%s%s", SET_ASIDE, name);
	(void)renameat2(fd, name, fd, aside, RENAME_NOREPLACE);
}

/* fsync(2) on STATE/files/folder after the moves; 0 or -1 (logged). */
static int
synced(struct relay_ctx *ctx, const char *folder)
{
	char dir[PATH_MAX];

	snprintf(dir, sizeof(dir), "%s/%s", relay_files_dir(ctx), folder);
	if (io_fsync_dir(dir, strlen(dir)) == 0)
		return 0;
	relay_log("relay", "%s: %s", dir, strerror(errno));
	return -1;
}

int
files_layout(struct relay_ctx *ctx)
{
	char dir[PATH_MAX];
	struct dirent *e;
	const char *to;
	DIR *d;
	int fd, n = 0;

	if ((d = opendir(relay_files_dir(ctx))) == NULL)
		return -1;
	fd = dirfd(d);
	set_aside(fd, FOLDER_VAULT);
	set_aside(fd, FOLDER_E2E);
	rewinddir(d); /* so that readdir sees the names set aside */
	if (relay_service_files(ctx, FOLDER_VAULT, dir, sizeof(dir)) == -1 ||
	    relay_service_files(ctx, FOLDER_E2E, dir, sizeof(dir)) == -1) {
		closedir(d);
		return -1;
	}
	while ((e = readdir(d)) != NULL)
		if (strcmp(e->d_name, ".") != 0 &&
		    strcmp(e->d_name, "..") != 0 &&
		    (to = destination(fd, e->d_name, e->d_type)) != NULL)
			n += move(fd, e->d_name, to);
	closedir(d);
	if (n == 0)
		return 0;
	if (synced(ctx, FOLDER_VAULT) == -1 || synced(ctx, FOLDER_E2E) == -1 ||
	    synced(ctx, ".") == -1)
		return -1;
	relay_log("relay",
	    "%s: moved %d entries of the old layout into %s/ and %s/",
	    relay_files_dir(ctx), n, FOLDER_VAULT, FOLDER_E2E);
	return 0;
}
