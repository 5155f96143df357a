/*
 * keymanager_peer: the file on the peer channel.  The sender sends the
 * ciphertext length (8 bytes big-endian, PKCS#7-padded to one block and
 * encrypted in the session mode), the waiter answers `yes` or `no`, and
 * the ciphertext follows raw, in IO_BLOCK pieces.  Each message starts a
 * new chain from the session IV, as in the original.  Both sides count
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

#include <nettle/cbc.h>
#include <nettle/cfb.h>

#include "io.h"
#include "keymanager.h"
#include "pkcs7.h"
#include "progress.h"
#include "secret.h"
#include "secrets.h"

#define KM_FILE_MAX (1ULL << 62) /* largest ciphertext accepted */

void
km_chain_init(struct km_chain *c, const struct km_session *s)
{
	if (secrets_add(c, sizeof(*c)) == -1)
		err(2, "key schedule");
	c->mode = s->mode;
	aes128_set_encrypt_key(&c->enc, s->k);
	aes128_set_decrypt_key(&c->dec, s->k);
	memcpy(c->iv, s->iv, KM_BLOCK);
}

void
km_chain_run(struct km_chain *c, int encrypt, size_t len, uint8_t *buf)
{
	nettle_cipher_func *e = (nettle_cipher_func *)aes128_encrypt;
	nettle_cipher_func *d = (nettle_cipher_func *)aes128_decrypt;

	if (c->mode == KM_CBC && encrypt)
		cbc_encrypt(&c->enc, e, KM_BLOCK, c->iv, len, buf, buf);
	else if (c->mode == KM_CBC)
		cbc_decrypt(&c->dec, d, KM_BLOCK, c->iv, len, buf, buf);
	else if (encrypt)
		cfb_encrypt(&c->enc, e, KM_BLOCK, c->iv, len, buf, buf);
	else
		cfb_decrypt(&c->enc, e, KM_BLOCK, c->iv, len, buf, buf);
}

void
km_chain_wipe(struct km_chain *c)
{
	secrets_release(c);
}

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

/* Sends the length block; returns 1 if the waiter said yes. */
static int
offer(struct link *peer, const struct km_session *s, const struct km_opts *o,
    uint64_t ctlen)
{
	uint8_t blk[KM_BLOCK];
	struct km_chain c;
	int i;

	for (i = 0; i < 8; i++)
		blk[i] = (uint8_t)(ctlen >> (56 - 8 * i));
	pkcs7_pad(blk, 8, KM_BLOCK);
	km_chain_init(&c, s);
	km_chain_run(&c, 1, KM_BLOCK, blk);
	km_chain_wipe(&c);
	link_write(peer, blk, KM_BLOCK);
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
	static uint8_t buf[IO_BLOCK + KM_BLOCK];
	struct km_chain c;
	struct io_out out;
	struct stat st;
	uint64_t size, total = 0;
	ssize_t n;
	int saving, last;

	if (fstat(fd, &st) == -1)
		err(2, "fstat");
	if (!S_ISREG(st.st_mode))
		errx(2, "the file to send must be a regular file");
	size = (uint64_t)st.st_size;
	if (!offer(peer, s, o, (size / KM_BLOCK + 1) * KM_BLOCK))
		return -1;
	if (secrets_add(buf, sizeof(buf)) == -1)
		err(2, "buffer");
	saving = save_open(o, &out);
	km_chain_init(&c, s);
	do {
		if ((n = io_readall(fd, buf, IO_BLOCK)) == -1)
			err(2, "read");
		total += (uint64_t)n;
		if ((last = n < IO_BLOCK))
			n = (ssize_t)pkcs7_pad(buf, (size_t)n, KM_BLOCK);
		km_chain_run(&c, 1, (size_t)n, buf);
		link_write_raw(peer, buf, (size_t)n);
		progress(total, size);
		save_put(saving, &out, buf, (size_t)n);
	} while (!last && total <= size);
	km_chain_wipe(&c);
	secret_wipe(buf, sizeof(buf));
	if (total != size)
		errx(2, "the file changed size while being sent");
	if (saving)
		save_done(&out);
	printf("Sent %llu bytes, %llu encrypted\n", (unsigned long long)size,
	    (unsigned long long)(size / KM_BLOCK + 1) * KM_BLOCK);
	return (long long)(size / KM_BLOCK + 1);
}

/* The length block: the ciphertext size, or 0 if it is not one. */
static uint64_t
offered(struct link *peer, const struct km_session *s)
{
	uint8_t blk[KM_BLOCK];
	struct km_chain c;
	uint64_t ctlen = 0;
	int i;

	km_read_block(peer, blk, KM_BLOCK);
	km_chain_init(&c, s);
	km_chain_run(&c, 0, KM_BLOCK, blk);
	km_chain_wipe(&c);
	if (pkcs7_strip(blk, KM_BLOCK, KM_BLOCK) != 8)
		return 0;
	for (i = 0; i < 8; i++)
		ctlen = ctlen << 8 | blk[i];
	if (ctlen % KM_BLOCK != 0 || ctlen > KM_FILE_MAX)
		return 0;
	return ctlen;
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

/* Receives, decrypts and writes ctlen bytes; returns the plaintext size. */
static uint64_t
receive(struct link *peer, const struct km_session *s, const struct km_opts *o,
    uint64_t ctlen, struct io_out *dst)
{
	static uint8_t buf[IO_BLOCK];
	struct km_chain c;
	struct io_out ct;
	uint64_t left = ctlen, plain = 0;
	size_t n, keep;
	long pad = 0;
	int saving = save_open(o, &ct);

	if (secrets_add(buf, sizeof(buf)) == -1)
		err(2, "buffer");
	km_chain_init(&c, s);
	while (left > 0) {
		n = left < IO_BLOCK ? (size_t)left : IO_BLOCK;
		link_read_raw(peer, buf, n);
		save_put(saving, &ct, buf, n);
		km_chain_run(&c, 0, n, buf);
		left -= n;
		keep = n;
		/* The last block holds the padding: check it, then drop it. */
		if (left == 0 &&
		    (pad = pkcs7_strip(
			 buf + n - KM_BLOCK, KM_BLOCK, KM_BLOCK)) != -1)
			keep = n - KM_BLOCK + (size_t)pad;
		if (io_writeall(dst->fd, buf, keep) == -1)
			err(2, "%s", dst->tmp);
		plain += keep;
		progress(ctlen - left, ctlen);
	}
	km_chain_wipe(&c);
	secret_wipe(buf, sizeof(buf));
	if (saving)
		save_done(&ct);
	if (pad == -1) {
		io_out_abort(dst);
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
	struct io_out dst;
	uint64_t ctlen, plain;
	int saved;

	/* The sender's person picks the file: as long as they take. */
	if (o->interactive)
		link_wait(peer, -1);
	ctlen = offered(peer, s);
	link_wait(peer, o->timeout_ms);
	if (ctlen == 0)
		errx(1, "%s: the length block does not decrypt", peer->name);
	printf("The size of the encrypted file is %llu bytes\n",
	    (unsigned long long)ctlen);
	if (!accepted(o) || (path = out_name(o, name, sizeof(name))) == NULL) {
		printf("Connection with peer aborted\n");
		link_says(peer, "no");
		return -1;
	}
	if (io_out_open(&dst, path, 0600, 0) == -1) {
		saved = errno;
		link_says(peer, "no");
		errno = saved;
		err(2, "%s", path);
	}
	link_says(peer, "yes");
	plain = receive(peer, s, o, ctlen, &dst);
	if (io_out_commit(&dst) == -1)
		err(2, "%s", path);
	printf("Saved successfully\n");
	printf("Received %llu bytes, %llu encrypted\n",
	    (unsigned long long)plain, (unsigned long long)ctlen);
	return (long long)(plain / KM_BLOCK + 1);
}
