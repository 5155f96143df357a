/*
 * e2e_upload: the relay's `e2e-upload` service, the file upload of seed
 * 002 (the original's upload program is lost; its README described it).
 * Every frame holds one RSA-OAEP-SHA256 block to the server key, so every
 * chunk of the file is at most 190 bytes.  The first block says
 * "upload NAME SIZE"; each later block is a chunk, and an empty block ends
 * the file.  Each block is acknowledged with a text encrypted to the
 * client key.  The chunks go to a temporary file in STATE/files/e2e, which
 * is renamed to NAME only when the empty block comes after exactly SIZE
 * bytes; an upload that stops short leaves nothing behind.  A connection
 * holds only its small struct e2e_up until its header arrives: the file and
 * its write buffer exist from the header to the end of the upload, and
 * only the bytes that passed through the buffer are wiped.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "e2e.h"
#include "io.h"
#include "secret.h"

#define UP_SERVICE "e2e-upload"
#define UP_TMP ".pk-" /* io_out's temporary names start so */
#define UP_FILES "e2e" /* its folder: STATE/files/e2e/<name> */

/* The service's state: its keys first (e2e.h), then its folder. */
struct up_state {
	struct e2e_keys keys;
	char files[PATH_MAX]; /* STATE/files/e2e */
};

/* The file being received: from the header to the end of the upload. */
struct e2e_file {
	struct io_out out;
	size_t have; /* bytes in buf */
	uint8_t buf[IO_BLOCK];
};

struct e2e_up {
	struct e2e_who who; /* first: e2e_profile.c finds it from the conn */
	struct e2e_file *file; /* NULL until the header, and after the end */
	char name[E2E_NAME_MAX + 1];
	uint64_t size; /* announced */
	uint64_t got; /* bytes received */
	unsigned long long chunks;
	int done;
};

/* Sends an "Upload Error" text and makes the caller close the client. */
static int
refuse(struct conn *c, const char *why)
{
	char text[E2E_TEXT_MAX + 1];
	int n;

	n = snprintf(text, sizeof(text), "%s%s", E2E_UP_ERROR, why);
	if (n > 0 && (size_t)n < sizeof(text))
		(void)e2e_send(c, text, (size_t)n);
	return conn_protocol_error(c, "upload refused: %s", why);
}

static int reply(struct conn *c, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static int
reply(struct conn *c, const char *fmt, ...)
{
	char text[E2E_TEXT_MAX + 1];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= sizeof(text))
		return -1;
	return e2e_send(c, text, (size_t)n);
}

static int
start(struct conn *c, struct e2e_up *up, const uint8_t *m, size_t len)
{
	char path[PATH_MAX];
	uint64_t max = relay_max_file(conn_relay(c));
	int n;

	if (e2e_upload_parse(m, len, UINT64_MAX, up->name, &up->size) == -1)
		return refuse(c,
		    "expected \"upload NAME SIZE\" with a name of "
		    "A-Z a-z 0-9 . _ - not starting with a dot");
	if (up->size > max)
		return refuse(c, "file larger than the relay's --max-file");
	n = snprintf(path, sizeof(path), "%s/%s",
	    ((struct up_state *)conn_service_state(c))->files, up->name);
	if (n < 0 || (size_t)n >= sizeof(path))
		return refuse(c, "cannot store the file");
	/* malloc, not calloc: the buffer's pages stay untouched until used. */
	if ((up->file = malloc(sizeof(*up->file))) == NULL) {
		conn_log(c, "out of memory");
		return -1;
	}
	up->file->have = 0;
	if (io_out_open(&up->file->out, path, 0600,
		IO_OUT_FORCE | IO_OUT_REGULAR) == -1) {
		conn_log(c, "%s: %s", path, strerror(errno));
		free(up->file);
		up->file = NULL;
		return refuse(c, "cannot store the file");
	}
	conn_log(c, "upload %s: %llu bytes announced", up->name,
	    (unsigned long long)up->size);
	return reply(c, E2E_UP_READY, up->name, (unsigned long long)up->size);
}

/* Writes the buffer out and wipes what it held. */
static int
flush(struct e2e_file *f)
{
	ssize_t n = io_writeall(f->out.fd, f->buf, f->have);

	secret_wipe(f->buf, f->have);
	if (n != (ssize_t)f->have)
		return -1;
	f->have = 0;
	return 0;
}

/* Ends the upload: removes the temporary file unless it was committed. */
static void
file_free(struct e2e_up *up)
{
	struct e2e_file *f = up->file;

	if (f == NULL)
		return;
	if (f->out.fd != -1)
		io_out_abort(&f->out);
	secret_wipe(f->buf, f->have);
	free(f);
	up->file = NULL;
}

static int
chunk(struct conn *c, struct e2e_up *up, const uint8_t *m, size_t len)
{
	struct e2e_file *f = up->file;

	if (len > up->size - up->got)
		return refuse(c, "more bytes than announced");
	memcpy(f->buf + f->have, m, len);
	f->have += len;
	up->got += len;
	if (f->have > sizeof(f->buf) - E2E_TEXT_MAX && flush(f) == -1) {
		conn_log(c, "upload %s: %s", up->name, strerror(errno));
		return refuse(c, "cannot store the file");
	}
	return reply(c, E2E_UP_CHUNK, ++up->chunks, len);
}

static int
finish(struct conn *c, struct e2e_up *up)
{
	if (up->got != up->size)
		return refuse(c, "the file ended short of its announced size");
	if (flush(up->file) == -1 || io_out_commit(&up->file->out) == -1) {
		conn_log(c, "upload %s: %s", up->name, strerror(errno));
		file_free(up);
		return refuse(c, "cannot store the file");
	}
	file_free(up); /* commit closed it: only the buffer goes */
	up->done = 1;
	conn_log(c, "upload %s: complete, %llu bytes in %llu chunks", up->name,
	    (unsigned long long)up->size, up->chunks);
	if (reply(c, E2E_UP_DONE, up->name, (unsigned long long)up->size) == -1)
		return -1;
	conn_close_after_flush(c);
	return 0;
}

static void
up_trace(const struct conn *c, struct trace_frame *fr)
{
	const struct e2e_up *up = conn_data(c);

	e2e_trace_conn(fr, 1, up->file == NULL && !up->done);
}

static ssize_t
up_bytes(struct conn *c, const uint8_t *data, size_t len)
{
	struct e2e_up *up = conn_data(c);
	uint8_t m[E2E_BLOCK];
	size_t mlen, used;
	int rv;

	if (up->done)
		return conn_protocol_error(c, "a block after the end");
	if ((rv = e2e_block(c, data, len, m, &mlen, &used)) <= 0)
		return rv;
	if (rv == 2)
		return (ssize_t)used;
	if (up->file == NULL)
		rv = start(c, up, m, mlen);
	else if (mlen == 0)
		rv = finish(c, up);
	else
		rv = chunk(c, up, m, mlen);
	secret_wipe(m, sizeof(m));
	return rv == -1 ? -1 : (ssize_t)used;
}

static int
up_connect(struct conn *c)
{
	struct e2e_up *up;

	if ((up = malloc(sizeof(*up))) == NULL) {
		conn_log(c, "out of memory");
		return -1;
	}
	up->file = NULL;
	up->got = up->size = up->chunks = 0;
	up->done = 0;
	up->name[0] = '\0';
	if (e2ep_connect(c, &up->who) == -1) {
		free(up);
		return -1;
	}
	conn_set_data(c, up);
	conn_log(c, "client connected");
	return 0;
}

static void
up_close(struct conn *c)
{
	struct e2e_up *up = conn_data(c);

	if (up == NULL)
		return;
	if (up->file != NULL) {
		file_free(up);
		conn_log(c,
		    "upload %s: interrupted after %llu of %llu bytes, "
		    "temporary file removed",
		    up->name, (unsigned long long)up->got,
		    (unsigned long long)up->size);
	}
	e2ep_close(&up->who);
	free(up);
}

/* Removes the temporary files a killed relay left; returns how many. */
static int
sweep(const char *dir)
{
	struct dirent *e;
	DIR *d;
	int n = 0;

	if ((d = opendir(dir)) == NULL)
		return 0;
	while ((e = readdir(d)) != NULL)
		if (e->d_type == DT_REG &&
		    strncmp(e->d_name, UP_TMP, sizeof(UP_TMP) - 1) == 0 &&
		    unlinkat(dirfd(d), e->d_name, 0) == 0)
			n++;
	closedir(d);
	return n;
}

static int
up_init(struct relay_ctx *ctx, void *state)
{
	struct up_state *st = state;
	int n;

	if (relay_service_files(ctx, UP_FILES, st->files, sizeof(st->files)) ==
		-1 ||
	    e2e_keys_init(ctx, UP_SERVICE, &st->keys) == -1)
		return -1;
	if ((n = sweep(st->files)) > 0)
		relay_log(UP_SERVICE, "removed %d unfinished uploads", n);
	return 0;
}

static void
up_fini(struct relay_ctx *ctx, void *state)
{
	struct up_state *st = state;

	(void)ctx;
	e2e_keys_fini(&st->keys);
}

const struct service e2e_upload_service = {
    .name = UP_SERVICE,
    .state_size = sizeof(struct up_state),
    .hardened = 1,
    .init = up_init,
    .on_connect = up_connect,
    .on_bytes = up_bytes,
    .on_close = up_close,
    .fini = up_fini,
    .trace = up_trace,
};
