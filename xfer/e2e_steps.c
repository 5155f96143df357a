/*
 * e2e_steps: the one-shot steps of `pk-xfer e2e` for scripts.  send
 * sends one message to the e2e service and prints every answer until the
 * server closes (the protocol has no success answer, only errors, so a
 * close without one is said to be no receipt).
 * upload streams a file to the e2e-upload service: "upload NAME SIZE",
 * then 190-byte chunks with up to E2E_WINDOW of them ahead of their
 * acknowledgements, each acknowledgement decrypted and checked, then an
 * empty block for the end.
 */
#include <sys/socket.h>
#include <sys/stat.h>

#include <err.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "e2e.h"
#include "files.h"
#include "io.h"
#include "progress.h"

int
e2e_step_send(const struct e2e_opts *o, const char *server, const char *text)
{
	static struct e2e_client c;
	uint8_t reply[E2E_BLOCK];
	size_t len;
	int rv, status = 0, answers = 0;

	e2e_check_len(strlen(text));
	e2e_open(&c, o, server);
	if (e2e_seal(&c, text, strlen(text)) == -1)
		errx(2, "%s: the server closed the connection", server);
	if (shutdown(c.net.fd, SHUT_WR) == -1)
		err(2, "%s", server);
	while ((rv = e2e_recv(&c, reply, &len)) >= 0) {
		if (rv == 1) {
			status = answers = 1; /* refused, said so */
			continue;
		}
		e2e_print("", reply, len);
		answers++;
		if (memchr(reply, '|', len) == NULL)
			status = 1;
		(void)e2e_dropped(&c, reply, len);
	}
	/* The relay routes a message without a word, then closes. */
	if (answers == 0)
		warnx("%s: the server closed without an error; e2e sends no "
		      "receipt, so delivery to %.*s is not confirmed",
		    server, (int)strcspn(text, "/"), text);
	link_close(&c.net);
	return status;
}

/* The file to upload: a regular file, its size in *size. */
static int
open_file(const char *path, off_t *size)
{
	struct stat st;
	int fd;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1 ||
	    fstat(fd, &st) == -1)
		err(2, "%s", path);
	if (!S_ISREG(st.st_mode))
		errx(2, "%s: not a regular file", path);
	*size = st.st_size;
	return fd;
}

/* Waits for the next answer and dies with 1 unless it is want. */
static void
expect(struct e2e_client *c, const char *want)
{
	uint8_t text[E2E_BLOCK];
	size_t len;

	if (e2e_recv(c, text, &len) == -1)
		errx(1, "%s: the server closed the connection", c->net.name);
	if (len == strlen(want) && memcmp(text, want, len) == 0)
		return;
	fflush(stdout);
	if (!e2e_dropped(c, text, len))
		errx(1, "%s: %.*s", c->net.name, (int)len, (const char *)text);
	exit(1);
}

static void
sent(struct e2e_client *c, const void *p, size_t len)
{
	if (e2e_seal(c, p, len) == -1)
		errx(1, "%s: the server closed the connection", c->net.name);
}

/*
 * Sends the chunks (190 bytes each but the last), E2E_WINDOW ahead of
 * their acknowledgements.
 */
static void
chunks(struct e2e_client *c, int fd, off_t size, const char *path)
{
	uint8_t buf[E2E_TEXT_MAX];
	size_t lens[E2E_WINDOW];
	unsigned long long next = 0, acked = 0;
	char want[E2E_TEXT_MAX + 1];
	off_t total = 0;
	ssize_t n = 1;

	for (;;) {
		while (n > 0 && next - acked < E2E_WINDOW) {
			if ((n = io_readall(fd, buf, sizeof(buf))) == -1)
				err(2, "%s", path);
			if (n == 0)
				break;
			sent(c, buf, (size_t)n);
			lens[next++ % E2E_WINDOW] = (size_t)n;
			total += n;
			progress((uint64_t)total, (uint64_t)size);
		}
		if (next == acked)
			break;
		snprintf(want, sizeof(want), E2E_UP_CHUNK, acked + 1,
		    lens[acked % E2E_WINDOW]);
		expect(c, want);
		acked++;
	}
	explicit_bzero(buf, sizeof(buf));
	if (total != size)
		errx(2, "%s: changed while being sent", path);
}

int
e2e_step_upload(const struct e2e_opts *o, const char *server, const char *path)
{
	static struct e2e_client c;
	const char *name = o->name != NULL ? o->name : base_name(path);
	char text[E2E_TEXT_MAX + 1];
	off_t size;
	int fd, n;

	if (e2e_name_check((const uint8_t *)name, strlen(name)) == -1)
		errx(2,
		    "%s: not a name the server takes: 1 to %d bytes of "
		    "A-Z a-z 0-9 . _ -, no leading dot (use --name)",
		    name, E2E_NAME_MAX);
	fd = open_file(path, &size);
	c.upload = 1;
	e2e_open(&c, o, server);
	n = snprintf(
	    text, sizeof(text), E2E_UP_HELLO " %s %lld", name, (long long)size);
	sent(&c, text, (size_t)n);
	snprintf(
	    text, sizeof(text), E2E_UP_READY, name, (unsigned long long)size);
	expect(&c, text);
	puts(text);
	chunks(&c, fd, size, path);
	close(fd);
	sent(&c, "", 0);
	snprintf(
	    text, sizeof(text), E2E_UP_DONE, name, (unsigned long long)size);
	expect(&c, text);
	puts(text);
	if (fflush(stdout) == EOF || ferror(stdout))
		err(2, "stdout");
	link_close(&c.net);
	return 0;
}
