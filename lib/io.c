/*
 * io: loops over short reads and writes (skalibs allreadwrite, nc atomicio),
 * bounded whole-file reads for keys and secrets, and temp-then-rename output.
 */
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
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

int
io_out_open(struct io_out *o, const char *path, int mode, int force)
{
	const char *slash;
	size_t dirlen;
	struct stat st;

	o->fd = -1;
	o->force = force;
	if (strlen(path) >= sizeof(o->path)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	if (lstat(path, &st) == 0 && S_ISDIR(st.st_mode)) {
		errno = EISDIR;
		return -1;
	}
	strcpy(o->path, path);
	slash = strrchr(path, '/');
	dirlen = slash ? (size_t)(slash - path) + 1 : 0;
	snprintf(o->tmp, sizeof(o->tmp), "%.*s.pk-XXXXXX", (int)dirlen, path);
	/* mkostemp creates with O_EXCL and mode 0600; widen only if asked. */
	if ((o->fd = mkostemp(o->tmp, O_CLOEXEC)) == -1)
		return -1;
	if ((mode & 0777) != 0600 && fchmod(o->fd, mode & 0777) == -1) {
		io_out_abort(o);
		return -1;
	}
	return 0;
}

int
io_out_commit(struct io_out *o)
{
	int rv, saved;

	if (fsync(o->fd) == -1 || close(o->fd) == -1) {
		o->fd = -1;
		saved = errno;
		io_out_abort(o);
		errno = saved;
		return -1;
	}
	o->fd = -1;
	if (o->force)
		rv = rename(o->tmp, o->path);
	else {
		rv = renameat2(AT_FDCWD, o->tmp, AT_FDCWD, o->path,
		    RENAME_NOREPLACE);
		/* Filesystems without RENAME_NOREPLACE: link is atomic too. */
		if (rv == -1 && errno == EINVAL &&
		    (rv = link(o->tmp, o->path)) == 0)
			unlink(o->tmp);
	}
	if (rv == -1) {
		saved = errno;
		io_out_abort(o);
		errno = saved;
		return -1;
	}
	return 0;
}

void
io_out_abort(struct io_out *o)
{
	int saved = errno;

	if (o->fd != -1)
		close(o->fd);
	o->fd = -1;
	unlink(o->tmp);
	errno = saved;
}
