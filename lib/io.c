/*
 * io: loops over short reads and writes (skalibs allreadwrite, nc atomicio),
 * bounded whole-file reads for keys and secrets, and temp-then-rename output.
 */
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "io.h"

ssize_t
io_readall(int fd, void *buf, size_t n)
{
	size_t done = 0;
	ssize_t r;

	while (done < n) {
		r = read(fd, (char *)buf + done, n - done);
		if (r == 0)
			break;
		if (r < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		done += (size_t)r;
	}
	return (ssize_t)done;
}

ssize_t
io_writeall(int fd, const void *buf, size_t n)
{
	size_t done = 0;
	ssize_t r;

	while (done < n) {
		r = write(fd, (const char *)buf + done, n - done);
		if (r < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		done += (size_t)r;
	}
	return (ssize_t)done;
}

int
io_readfd(int fd, uint8_t *buf, size_t max, size_t *len)
{
	ssize_t r;
	uint8_t extra;

	if ((r = io_readall(fd, buf, max)) < 0)
		return -1;
	*len = (size_t)r;
	if ((size_t)r < max)
		return 0;
	/* Exactly max bytes read: fail if there is more behind them. */
	if ((r = io_readall(fd, &extra, 1)) < 0)
		return -1;
	if (r > 0) {
		errno = EFBIG;
		return -1;
	}
	return 0;
}

int
io_readfile(const char *path, uint8_t *buf, size_t max, size_t *len)
{
	struct stat st;
	int fd, rv, saved;

	if (strcmp(path, "-") == 0)
		return io_readfd(STDIN_FILENO, buf, max, len);
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1)
		return -1;
	if (fstat(fd, &st) == -1 || S_ISDIR(st.st_mode)) {
		saved = S_ISDIR(st.st_mode) ? EISDIR : errno;
		close(fd);
		errno = saved;
		return -1;
	}
	rv = io_readfd(fd, buf, max, len);
	saved = errno;
	close(fd);
	errno = saved;
	return rv;
}

void
io_grow_pipe(int fd)
{
	struct stat st;

	if (fstat(fd, &st) == 0 && S_ISFIFO(st.st_mode))
		(void)fcntl(fd, F_SETPIPE_SZ, IO_PIPE_SIZE);
}

/* The descriptor /dev/stdout, /dev/stderr or /dev/fd/N names, or -1. */
static int
fd_name(const char *path)
{
	const char *p;
	long n = 0;

	if (strcmp(path, "/dev/stdout") == 0)
		return STDOUT_FILENO;
	if (strcmp(path, "/dev/stderr") == 0)
		return STDERR_FILENO;
	if (strncmp(path, "/dev/fd/", 8) != 0 || path[8] == '\0')
		return -1;
	for (p = path + 8; *p >= '0' && *p <= '9' && n < 65536; p++)
		n = n * 10 + (*p - '0');
	return *p == '\0' && n < 65536 ? (int)n : -1;
}

/* Writes straight into fd (a dup of it) or the device or FIFO at path. */
static int
open_direct(struct io_out *o, int fd)
{
	struct stat st;
	int saved;

	o->direct = 1;
	strcpy(o->tmp, o->path);
	if (fd != -1)
		o->fd = fcntl(fd, F_DUPFD_CLOEXEC, 0);
	else
		o->fd = open(o->path,
		    O_WRONLY | O_NOCTTY | O_CLOEXEC |
			(o->flags & IO_OUT_SECRET ? O_NOFOLLOW : 0));
	if (o->fd == -1)
		return -1;
	if (fd != -1)
		return 0;
	/* Replaced by a file since lstat: never write into one in place. */
	if (fstat(o->fd, &st) == -1)
		saved = errno;
	else if (S_ISREG(st.st_mode) || S_ISDIR(st.st_mode))
		saved = S_ISDIR(st.st_mode) ? EISDIR : EEXIST;
	else
		return 0;
	close(o->fd);
	o->fd = -1;
	errno = saved;
	return -1;
}

/* A temporary file beside o->path, to be renamed over it. */
static int
open_tmp(struct io_out *o, int mode)
{
	const char *slash = strrchr(o->path, '/');
	size_t dirlen = slash ? (size_t)(slash - o->path) + 1 : 0;

	snprintf(
	    o->tmp, sizeof(o->tmp), "%.*s.pk-XXXXXX", (int)dirlen, o->path);
	/* mkostemp creates with O_EXCL and mode 0600; widen only if asked. */
	if ((o->fd = mkostemp(o->tmp, O_CLOEXEC)) == -1)
		return -1;
	if ((mode & 0777) != 0600 && fchmod(o->fd, mode & 0777) == -1) {
		io_out_abort(o);
		return -1;
	}
	return 0;
}

/* A symlink: its target's path in o->path, and st its target's. */
static int
follow(struct io_out *o, struct stat *st)
{
	char real[PATH_MAX];

	if (o->flags & IO_OUT_SECRET) {
		errno = ELOOP;
		return -1;
	}
	if (stat(o->path, st) == -1)
		return -1;
	if (!S_ISREG(st->st_mode))
		return 0;
	if (realpath(o->path, real) == NULL)
		return -1;
	if (strlen(real) >= sizeof(o->path)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	strcpy(o->path, real);
	return 0;
}

int
io_out_open(struct io_out *o, const char *path, int mode, int flags)
{
	struct stat st;
	int fd;

	o->fd = -1;
	o->flags = flags;
	o->direct = 0;
	o->tmp[0] = '\0';
	if (strlen(path) >= sizeof(o->path)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	strcpy(o->path, path);
	if ((fd = fd_name(path)) != -1)
		return open_direct(o, fd);
	if (lstat(path, &st) == -1)
		return errno == ENOENT ? open_tmp(o, mode) : -1;
	if (S_ISLNK(st.st_mode) && follow(o, &st) == -1)
		return -1;
	if (S_ISDIR(st.st_mode)) {
		errno = EISDIR;
		return -1;
	}
	if (S_ISREG(st.st_mode))
		return open_tmp(o, mode);
	if (flags & IO_OUT_REGULAR) {
		errno = EEXIST;
		return -1;
	}
	return open_direct(o, -1);
}

int
io_fsync_dir(const char *path, size_t len)
{
	char dir[PATH_MAX];
	int fd, rv;

	if (len >= sizeof(dir)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	memcpy(dir, path, len);
	dir[len] = '\0';
	if ((fd = open(len > 0 ? dir : ".",
		 O_RDONLY | O_DIRECTORY | O_CLOEXEC)) == -1)
		return -1;
	rv = fsync(fd);
	close(fd);
	return rv;
}

/* The directory part of path, for io_fsync_dir: "/" stays "/". */
static size_t
dir_len(const char *path)
{
	const char *slash = strrchr(path, '/');

	if (slash == NULL)
		return 0;
	return slash == path ? 1 : (size_t)(slash - path);
}

int
io_rename_noreplace(const char *from, const char *to)
{
	int rv;

	rv = renameat2(AT_FDCWD, from, AT_FDCWD, to, RENAME_NOREPLACE);
	/* Filesystems without RENAME_NOREPLACE: link is atomic too. */
	if (rv == -1 && errno == EINVAL && (rv = link(from, to)) == 0)
		unlink(from);
	return rv;
}

int
io_out_commit(struct io_out *o)
{
	int rv, saved;

	if (o->direct) {
		rv = close(o->fd);
		o->fd = -1;
		return rv;
	}
	if (fsync(o->fd) == -1 || close(o->fd) == -1) {
		o->fd = -1;
		saved = errno;
		io_out_abort(o);
		errno = saved;
		return -1;
	}
	o->fd = -1;
	if (o->flags & IO_OUT_FORCE)
		rv = rename(o->tmp, o->path);
	else
		rv = io_rename_noreplace(o->tmp, o->path);
	if (rv == -1) {
		saved = errno;
		io_out_abort(o);
		errno = saved;
		return -1;
	}
	return io_fsync_dir(o->path, dir_len(o->path));
}

void
io_out_abort(struct io_out *o)
{
	int saved = errno;

	if (o->fd != -1)
		close(o->fd);
	o->fd = -1;
	if (!o->direct && o->tmp[0] != '\0')
		unlink(o->tmp);
	errno = saved;
}

const char *
io_out_strerror(int errnum)
{
	if (errnum == ELOOP)
		return "is a symbolic link (a private key is never written "
		       "through one)";
	return strerror(errnum);
}
