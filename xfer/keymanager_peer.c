/*
 * keymanager_peer: the file on the peer channel.  The sender offers the
 * file (faithful: the ciphertext length, 8 bytes big-endian, PKCS#7-padded
 * to one block and encrypted in the session mode; hardened: its length
 * sealed with a fresh nonce), the waiter answers `yes` or `no`, and the
 * ciphertext follows raw, in IO_BLOCK pieces (hardened: each with its
 * tag).  The crypto of each is keymanager_profile.c's.  Both sides count
 * plaintext length / 16 + 1 blocks.
 */
#include <sys/stat.h>

#include <err.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "io.h"
#include "keymanager.h"
#include "pkcs7.h"
#include "progress.h"
#include "secret.h"
#include "secrets.h"

static int
save_open(const struct km_opts *o, struct io_out *out)
{
	char path[PATH_MAX];

	if (o->save == NULL)
		return 0;
	if (snprintf(path, sizeof(path), "%s/ciphertext", o->save) >=
	    (int)sizeof(path))
		errx(2, "%s: path too long", o->save);
	if (io_out_open(out, path, 0600, IO_OUT_FORCE) == -1)
		err(2, "%s", path);
	return 1;
}

static void
save_done(struct io_out *out)
{
	if (io_out_commit(out) == -1)
		err(2, "%s", out->path);
}

static void
save_put(int saving, struct io_out *out, const uint8_t *buf, size_t len)
{
	if (saving && io_writeall(out->fd, buf, len) == -1)
		err(2, "%s", out->tmp);
}

/* Sends the offer; returns 1 if the waiter said yes. */
static int
offer(struct link *peer, struct km_chain *c, const struct km_opts *o,
    uint64_t size)
{
	uint8_t blk[KM_H_OFFER];

	link_write(peer, blk, kmp_offer(c, size, blk));
	/* A person answers y or n: as long as they take, when interactive. */
	if (o->interactive)
		link_wait(peer, -1);
	link_read(peer);
	link_wait(peer, o->timeout_ms);
	printf("Message from peer: %s\n", (const char *)peer->msg);
	return link_starts(peer, "yes") && peer->len == 3;
}

long long
km_send_file(struct link *peer, const struct km_session *s,
    const struct km_opts *o, int fd)
{
	static uint8_t buf[KM_PIECE_WIRE];
	struct km_chain c;
	struct io_out out;
	struct stat st;
	uint64_t size, total = 0;
	ssize_t n;
	size_t w;
	int saving, last;

	if (fstat(fd, &st) == -1)
		err(2, "fstat");
	if (!S_ISREG(st.st_mode))
		errx(2, "the file to send must be a regular file");
	size = (uint64_t)st.st_size;
	km_chain_init(&c, s);
	if (!offer(peer, &c, o, size)) {
		km_chain_wipe(&c);
		return -1;
	}
	if (secrets_add(buf, sizeof(buf)) == -1)
		err(2, "buffer");
	saving = save_open(o, &out);
	do {
		if ((n = io_readall(fd, buf, IO_BLOCK)) == -1)
			err(2, "read");
		total += (uint64_t)n;
		last = n < IO_BLOCK;
		w = kmp_seal(&c, buf, (size_t)n, last);
		link_write_raw(peer, buf, w);
		progress(total, size);
		save_put(saving, &out, buf, w);
	} while (!last && total <= size);
	secret_wipe(buf, sizeof(buf));
	if (total != size)
		errx(2, "the file changed size while being sent");
	if (saving)
		save_done(&out);
	printf("Sent %llu bytes, %llu encrypted\n", (unsigned long long)size,
	    (unsigned long long)kmp_wire_len(&c, size));
	km_chain_wipe(&c);
	return (long long)(size / KM_BLOCK + 1);
}

/* The offer: what follows on the wire, or 0 if it does not open. */
static uint64_t
offered(struct link *peer, struct km_chain *c)
{
	uint64_t wire;

	link_read(peer);
	if (kmp_offered(c, peer->msg, peer->len, &wire) == -1)
		return 0;
	return wire;
}

/* --yes, or y/yes on stdin (a terminal or a pipe). */
static int
accepted(const struct km_opts *o)
{
	char line[64];

	if (o->yes) {
		printf("Do you wish to continue? (y/n)\n");
		return 1;
	}
	if (km_line(NULL, "Do you wish to continue? (y/n)\n", line,
		sizeof(line)) != 1)
		return 0;
	return strcmp(line, "y") == 0 || strcmp(line, "yes") == 0;
}

/*
 * -o, else a name asked until one is free (an existing file is never
 * replaced: refused now, before the transfer); NULL at EOF.
 */
static const char *
out_name(const struct km_opts *o, char *name, size_t size)
{
	struct stat st;
	int rv;

	if (o->out != NULL)
		return o->out;
	for (;;) {
		rv = km_line(NULL, "Type a name for your file: \n", name, size);
		if (rv == 0)
			return NULL;
		if (rv == -1 || *name == '\0')
			printf("Not okay: type a file name\n");
		else if (lstat(name, &st) == 0 && !S_ISCHR(st.st_mode) &&
		    !S_ISFIFO(st.st_mode))
			printf("Not okay: %s already exists; type another "
			       "name\n",
			    name);
		else
			return name;
	}
}

/*
 * Receives, opens and writes ctlen bytes; returns the plaintext size.
 * A piece that does not open (bad padding, bad tag) leaves no file.
 */
static uint64_t
receive(struct link *peer, struct km_chain *c, const struct km_opts *o,
    uint64_t ctlen, struct io_out *dst)
{
	static uint8_t buf[KM_PIECE_WIRE];
	struct io_out ct;
	uint64_t left = ctlen, plain = 0;
	size_t n;
	long keep = 0;
	int saving = save_open(o, &ct), tagged = c->hardened;

	if (secrets_add(buf, sizeof(buf)) == -1)
		err(2, "buffer");
	while (left > 0 && keep != -1) {
		n = kmp_piece(c, left);
		link_read_raw(peer, buf, n);
		save_put(saving, &ct, buf, n);
		left -= n;
		if ((keep = kmp_open(c, buf, n, left == 0)) == -1)
			break;
		if (io_writeall(dst->fd, buf, (size_t)keep) == -1)
			err(2, "%s", dst->tmp);
		plain += (uint64_t)keep;
		progress(ctlen - left, ctlen);
	}
	km_chain_wipe(c);
	secret_wipe(buf, sizeof(buf));
	if (saving)
		save_done(&ct);
	if (keep == -1) {
		io_out_abort(dst);
		if (tagged)
			errx(1,
			    "bad decrypt: a piece of the file fails its "
			    "tag (changed on the way): nothing saved");
		errx(1, "bad decrypt: the padding of the last block is wrong");
	}
	return plain;
}

long long
km_recv_file(
    struct link *peer, const struct km_session *s, const struct km_opts *o)
{
	char name[PATH_MAX];
	const char *path = o->out;
	struct km_chain c;
	struct io_out dst;
	uint64_t ctlen, plain;
	int saved;

	/* The sender's person picks the file: as long as they take. */
	if (o->interactive)
		link_wait(peer, -1);
	km_chain_init(&c, s);
	ctlen = offered(peer, &c);
	link_wait(peer, o->timeout_ms);
	if (ctlen == 0)
		errx(1, "%s: the length block does not decrypt", peer->name);
	printf("The size of the encrypted file is %llu bytes\n",
	    (unsigned long long)ctlen);
	if (!accepted(o) || (path = out_name(o, name, sizeof(name))) == NULL) {
		printf("Connection with peer aborted\n");
		link_says(peer, "no");
		km_chain_wipe(&c);
		return -1;
	}
	if (io_out_open(&dst, path, 0600, 0) == -1) {
		saved = errno;
		link_says(peer, "no");
		errno = saved;
		err(2, "%s", path);
	}
	link_says(peer, "yes");
	plain = receive(peer, &c, o, ctlen, &dst);
	if (io_out_commit(&dst) == -1)
		err(2, "%s", path);
	printf("Saved successfully\n");
	printf("Received %llu bytes, %llu encrypted\n",
	    (unsigned long long)plain, (unsigned long long)ctlen);
	return (long long)(plain / KM_BLOCK + 1);
}
