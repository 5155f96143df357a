/*
 * vault_upload: one upload of the vault service, decrypted as its packets
 * arrive (AES-256-CBC, zero IV) into a temporary file dir/.name.XXXXXX,
 * the plaintext buffered into large writes and CRCed (POSIX cksum) on the
 * way; at the last packet the PKCS#7 padding is checked and stripped and
 * the file is made durable.  The file is renamed into place only when the
 * client confirms the CRC (upload_commit).  On the hardened profile each
 * packet is opened by vault_profile.c instead (AES-256-GCM, no padding)
 * and the receipt takes the CRC's place.
 */
#include <sys/stat.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <nettle/aes.h>
#include <nettle/cbc.h>

#include "crc.h"
#include "io.h"
#include "pkcs7.h"
#include "secret.h"
#include "vault.h"

#define UPLOAD_BUF IO_BLOCK /* plaintext bytes per write(2) */
#define UPLOAD_SYNC (16 * 1024 * 1024) /* start writeback this often */
#define UPLOAD_TMPNAME 200 /* bytes of the name kept in the temp name */

struct vault_upload {
	struct aes256_ctx aes;
	uint8_t iv[AES_BLOCK_SIZE];
	struct crc crc;
	uint64_t total; /* plaintext bytes written */
	uint64_t synced; /* handed to writeback */
	int fd;
	size_t have; /* plaintext in buf */
	struct vault_hard *hard; /* hardened: vault_profile.c's; else NULL */
	uint8_t buf[UPLOAD_BUF + VAULT_PACKET];
};

struct vault_upload *
upload_open(const char *dir, const char *name, const uint8_t key[VAULT_AES],
    struct vault_hard *hard, char *tmp, size_t tmpsize)
{
	struct vault_upload *up;
	int n;

	if (mkdir(dir, 0700) == -1 && errno != EEXIST) {
		hard_free(hard);
		return NULL;
	}
	n = snprintf(
	    tmp, tmpsize, "%s/.%.*s.XXXXXX", dir, UPLOAD_TMPNAME, name);
	if (n < 0 || (size_t)n >= tmpsize) {
		hard_free(hard);
		errno = ENAMETOOLONG;
		return NULL;
	}
	if ((up = malloc(sizeof(*up))) == NULL) {
		hard_free(hard);
		return NULL;
	}
	up->hard = hard;
	/* mkostemp opens with O_EXCL, mode 0600: never an existing file. */
	if ((up->fd = mkostemp(tmp, O_CLOEXEC)) == -1) {
		upload_free(up);
		return NULL;
	}
	aes256_set_decrypt_key(&up->aes, key);
	memset(up->iv, 0, sizeof(up->iv));
	crc_init(&up->crc);
	up->total = up->synced = 0;
	up->have = 0;
	return up;
}

/* Writes and CRCs the buffered plaintext; starts writeback now and then. */
static int
upload_flush(struct vault_upload *up)
{
	crc_update(&up->crc, up->buf, up->have);
	if (io_writeall(up->fd, up->buf, up->have) == -1)
		return -1;
	up->total += up->have;
	up->have = 0;
	/* So that the final fsync does not stall the relay on a large file. */
	if (up->total - up->synced >= UPLOAD_SYNC) {
		sync_file_range(up->fd, (off_t)up->synced,
		    (off_t)(up->total - up->synced), SYNC_FILE_RANGE_WRITE);
		up->synced = up->total;
	}
	return 0;
}

/* The last plaintext is in buf: writes it, makes the file durable. */
static int
upload_finish(struct vault_upload *up)
{
	int rv;

	if (upload_flush(up) == -1 || fsync(up->fd) == -1)
		return -1;
	rv = close(up->fd);
	up->fd = -1;
	return rv;
}

int
upload_packet(struct vault_upload *up, const uint8_t *ct, size_t n, int last,
    uint32_t *cksum)
{
	long len;

	cbc_decrypt(&up->aes, (nettle_cipher_func *)aes256_decrypt,
	    AES_BLOCK_SIZE, up->iv, n, up->buf + up->have, ct);
	up->have += n;
	if (!last)
		return up->have >= UPLOAD_BUF ? upload_flush(up) : 0;
	if ((len = pkcs7_strip(up->buf, up->have, AES_BLOCK_SIZE)) == -1)
		return UPLOAD_EPAD;
	up->have = (size_t)len;
	if (upload_finish(up) == -1)
		return -1;
	*cksum = crc_final(&up->crc, up->total);
	return 0;
}

int
upload_sealed(struct vault_upload *up, const struct vault_packet *p,
    uint32_t index, size_t n, int last, uint8_t mac[VAULT_RECEIPT])
{
	if (hard_open(up->hard, p, index, n, up->buf + up->have) == -1)
		return UPLOAD_EPAD;
	up->have += n;
	if (!last)
		return up->have >= UPLOAD_BUF ? upload_flush(up) : 0;
	if (upload_finish(up) == -1)
		return -1;
	hard_receipt(up->hard, mac);
	return 0;
}

void
upload_free(struct vault_upload *up)
{
	if (up == NULL)
		return;
	if (up->fd != -1)
		close(up->fd);
	secret_wipe(&up->aes, sizeof(up->aes));
	secret_wipe(up->iv, sizeof(up->iv));
	hard_free(up->hard);
	free(up);
}

int
upload_commit(const char *tmp, const char *dir, const char *name)
{
	char path[PATH_MAX];
	const char *slash;
	int n;

	n = snprintf(path, sizeof(path), "%s/%s", dir, name);
	if (n < 0 || (size_t)n >= sizeof(path)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	if (rename(tmp, path) == -1 || io_fsync_dir(dir, strlen(dir)) == -1)
		return -1;
	/* The client's directory itself may be new since the last fsync. */
	if ((slash = strrchr(dir, '/')) != NULL &&
	    io_fsync_dir(dir, (size_t)(slash - dir)) == -1)
		return -1;
	return 0;
}

/* Unlinks the dot-files of one client directory; returns how many. */
static int
sweep_dir(int parent, const char *name)
{
	struct dirent *e;
	DIR *d;
	int fd, n = 0;

	fd = openat(
	    parent, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd == -1 || (d = fdopendir(fd)) == NULL) {
		if (fd != -1)
			close(fd);
		return 0;
	}
	while ((e = readdir(d)) != NULL) {
		if (e->d_name[0] != '.' || strcmp(e->d_name, ".") == 0 ||
		    strcmp(e->d_name, "..") == 0)
			continue;
		if (unlinkat(fd, e->d_name, 0) == 0)
			n++;
	}
	closedir(d);
	return n;
}

int
upload_sweep(const char *files)
{
	struct dirent *e;
	DIR *d;
	int n = 0;

	if ((d = opendir(files)) == NULL)
		return -1;
	while ((e = readdir(d)) != NULL)
		if (e->d_name[0] != '.')
			n += sweep_dir(dirfd(d), e->d_name);
	closedir(d);
	return n;
}
