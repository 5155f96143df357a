/*
 * io: whole reads and writes that loop over short counts and EINTR, bounded
 * whole-file reads, and output files that appear only when complete.
 * Every function returns 0 (or a count) on success and -1 with errno set.
 */
#ifndef PK_IO_H
#define PK_IO_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#define IO_BLOCK (64 * 1024) /* filters move data in blocks of this size */
#define IO_PIPE_SIZE (1024 * 1024)

/* Returns the count moved; less than n only at EOF (read) or -1 on error. */
ssize_t io_readall(int fd, void *buf, size_t n);
ssize_t io_writeall(int fd, const void *buf, size_t n);

/* Reads all of fd into buf; fails with EFBIG if it holds more than max. */
int io_readfd(int fd, uint8_t *buf, size_t max, size_t *len);
/* The same for a named file ("-" is stdin); EISDIR for a directory. */
int io_readfile(const char *path, uint8_t *buf, size_t max, size_t *len);

/* fsync(2) on the directory path[0..len) (len 0: "."), after a rename. */
int io_fsync_dir(const char *path, size_t len);

/* rename(2), but EEXIST if to exists (no probe-then-rename race). */
int io_rename_noreplace(const char *from, const char *to);

/* Enlarges a pipe's buffer to IO_PIPE_SIZE; does nothing for other fds. */
void io_grow_pipe(int fd);

/*
 * An output file.  A regular file (or a new name) is written to a
 * temporary name in the target directory and renamed into place by
 * io_out_commit after fsync, which then fsyncs the directory so that the
 * new name is as durable as the data; without IO_OUT_FORCE, commit fails with
 * EEXIST if the target exists (no probe-then-create race).  A character
 * device or a FIFO (/dev/null, mkfifo) is written into, never replaced, as
 * `openssl -out` does, and /dev/stdout, /dev/stderr and /dev/fd/N name the
 * open descriptor.  A symlink is followed to its target, except with
 * IO_OUT_SECRET (ELOOP).  Directories are EISDIR.
 */
#define IO_OUT_FORCE 1 /* replace an existing regular file */
#define IO_OUT_SECRET 2 /* a private key: never through a symlink */
#define IO_OUT_REGULAR 4 /* a regular file only: EEXIST for a device */

struct io_out {
	int fd;
	int flags;
	int direct; /* into a device, FIFO or descriptor */
	char path[4096];
	char tmp[4096 + 16]; /* the path itself when direct */
};

int io_out_open(struct io_out *o, const char *path, int mode, int flags);
int io_out_commit(struct io_out *o);
void io_out_abort(struct io_out *o);
/* strerror, but ELOOP says why a private key was not written. */
const char *io_out_strerror(int errnum);

#endif
