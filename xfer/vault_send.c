/*
 * vault_send: one upload as 828 packets, then the server's 1603.  The packets
 * of a batch are built in one buffer and written with one call: headers
 * and the fixed fields are filled once, then each 1024-byte content area
 * is filled straight from the read buffer, by AES-256-CBC (zero IV,
 * PKCS#7) for `client', or by a copy of the ciphertext for `send'.  On
 * the hardened profile both encrypt: each packet is sealed on its own
 * (vault_profile.c) and a receipt replaces the CRC.
 */
#include <sys/stat.h>

#include <err.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <nettle/aes.h>
#include <nettle/cbc.h>

#include "crc.h"
#include "files.h"
#include "hex.h"
#include "io.h"
#include "pkcs7.h"
#include "progress.h"
#include "secret.h"
#include "secrets.h"
#include "vault.h"
#include "vaultseal.h"

#define BATCH 64 /* packets per write: 84 KB */

static _Alignas(64) uint8_t batch[BATCH * PKT_SIZE_H];
static _Alignas(64) uint8_t block[BATCH * VAULT_PACKET];

/* The running state of one upload. */
struct sender {
	struct aes256_ctx aes;
	uint8_t iv[AES_BLOCK_SIZE];
	struct crc crc;
	uint32_t total; /* packets, not reduced modulo 2^16 */
	uint64_t read; /* plaintext or ciphertext bytes read */
	size_t slot; /* bytes of one 828: PKT_SIZE, hardened PKT_SIZE_H */
	size_t content; /* its content's offset */
	struct vault_keys keys; /* hardened */
	struct hmac_sha256_ctx receipt; /* hardened: ours, of the plaintext */
};

/* Header and fixed fields of every slot; only packet_number varies. */
static void
fill_headers(
    const struct xconn *c, const struct vault_file *u, const struct sender *s)
{
	uint8_t *p, *f;
	size_t i;

	if (strlen(u->name) == 0 || strlen(u->name) >= VAULT_NAME)
		errx(2, "%s: file name empty or longer than %d bytes", u->name,
		    VAULT_NAME - 1);
	for (i = 0; i < BATCH; i++) {
		p = batch + i * s->slot;
		vault_put_req_hdr(p, c->id, VAULT_SEND_FILE,
		    (uint32_t)(s->slot - VAULT_REQ_HDR));
		vault_put_profile(p, 1, c->hardened);
		f = p + VAULT_REQ_HDR;
		vault_put_u32(f, u->content_size);
		vault_put_u32(f + 4, u->orig_size);
		vault_put_u16(f + 10, (uint16_t)s->total);
		vault_put_name(f + 12, u->name);
	}
}

/* Reads exactly n bytes of the input, or dies. */
static void
read_input(const struct vault_file *u, struct sender *s, uint8_t *buf, size_t n)
{
	ssize_t r;

	if ((r = io_readall(u->fd, buf, n)) == -1)
		err(2, "read");
	if ((size_t)r != n)
		errx(2, "input ended after %llu bytes (changed while sending?)",
		    (unsigned long long)(s->read + (size_t)r));
	s->read += (size_t)r;
}

/*
 * Reads the input behind the next n ciphertext bytes (n a multiple of 16,
 * the rest of the upload at the end) into block; the plaintext's last
 * block gets its PKCS#7 padding.
 */
static void
next_block(
    const struct vault_file *u, struct sender *s, size_t n, uint64_t sent)
{
	size_t plain = n;

	if (u->aes == NULL) {
		read_input(u, s, block, n);
		return;
	}
	if (sent + n == u->content_size)
		plain = n - (u->content_size - u->orig_size);
	read_input(u, s, block, plain);
	if (s->slot == PKT_SIZE_H) {
		vault_receipt_update(&s->receipt, block, plain);
		return;
	}
	crc_update(&s->crc, block, plain);
	if (plain < n && pkcs7_pad(block, plain, AES_BLOCK_SIZE) != n)
		errx(2, "internal error: padding");
}

/*
 * Fills the content areas of npkt slots from packet first with the n
 * bytes in block, encrypted on the way for `client', zero-padded at the
 * end; then flips the --flip-byte byte if it falls here.
 */
static void
fill_contents(struct sender *s, const struct vault_file *u, uint32_t first,
    size_t n, size_t npkt, uint64_t sent)
{
	uint8_t *p;
	size_t i, len;
	uint64_t f;

	for (i = 0; i < npkt; i++) {
		p = batch + i * s->slot;
		vault_put_u16(p + VAULT_REQ_HDR + 8, (uint16_t)(first + i));
		len = n - i * VAULT_PACKET;
		if (len > VAULT_PACKET)
			len = VAULT_PACKET;
		memset(p + s->content + len, 0, VAULT_PACKET - len);
		if (s->slot == PKT_SIZE_H)
			hard_seal(p, first + (uint32_t)i,
			    block + i * VAULT_PACKET, len, &s->keys);
		else if (u->aes != NULL)
			cbc_aes256_encrypt(&s->aes, s->iv, len, p + s->content,
			    block + i * VAULT_PACKET);
		else
			memcpy(p + s->content, block + i * VAULT_PACKET, len);
	}
	if (u->flip < 0 || (uint64_t)u->flip < sent ||
	    (uint64_t)u->flip >= sent + n)
		return;
	f = (uint64_t)u->flip - sent;
	batch[f / VAULT_PACKET * s->slot + s->content + f % VAULT_PACKET] ^=
	    0xff;
}

static void
trace_batch(
    struct xconn *c, const struct sender *s, uint32_t first, size_t npkt)
{
	size_t i;

	for (i = 0; i < npkt; i++)
		xtrace_packet(
		    c, batch + i * s->slot, first + (uint32_t)i, s->total);
}

/* Checks the 1603 against what was sent and returns its cksum. */
static uint32_t
file_crc(struct xconn *c, struct vault_file *u)
{
	static const uint16_t want[] = {VAULT_FILE_CRC, 0};
	const uint8_t *p;

	(void)net_reply(c, VAULT_SEND_FILE, want);
	p = c->reply.payload;
	if (vault_get_u32(p + VAULT_ID) != u->content_size ||
	    strcmp((const char *)p + VAULT_ID + 4, u->name) != 0)
		errx(2, "%s: 1603 names another file or size", c->server);
	if (c->hardened) {
		memcpy(u->theirs, p + VAULT_ID + 4 + VAULT_NAME, VAULT_RECEIPT);
		return 0;
	}
	return vault_get_u32(p + VAULT_ID + 4 + VAULT_NAME);
}

/* Static, held in the registry (lib/secrets.h) so any exit wipes it. */
static struct sender s;

void
vault_send_wipe(void)
{
	secret_wipe(&s, sizeof(s));
	secret_wipe(block, sizeof(block));
}

uint32_t
vault_send_file(struct xconn *c, struct vault_file *u)
{
	uint64_t sent = 0;
	size_t n, npkt;
	uint32_t first;

	if (secrets_add(&s, sizeof(s)) == -1 ||
	    secrets_add(block, sizeof(block)) == -1)
		err(2, "upload");
	memset(&s, 0, sizeof(s));
	s.total = vault_total_packets(u->content_size);
	s.slot = c->hardened ? PKT_SIZE_H : PKT_SIZE;
	s.content = c->hardened ? PKT_CONTENT_H : PKT_CONTENT;
	fill_headers(c, u, &s);
	if (c->hardened) {
		vault_keys_derive(&s.keys, u->aes);
		vault_receipt_init(&s.receipt, s.keys.receipt, c->id,
		    batch + PKT_CONTENT - VAULT_NAME, u->content_size);
	} else if (u->aes != NULL)
		aes256_set_encrypt_key(&s.aes, u->aes);
	crc_init(&s.crc);
	/* The trace shows the plaintext when we hold the key. */
	c->vt.aes = u->aes;
	for (first = 0; first < s.total; first += (uint32_t)npkt) {
		n = u->content_size - sent < sizeof(block)
		    ? (size_t)(u->content_size - sent)
		    : sizeof(block);
		npkt = vault_total_packets((uint32_t)n);
		next_block(u, &s, n, sent);
		fill_contents(&s, u, first, n, npkt, sent);
		if (c->sink != NULL)
			trace_batch(c, &s, first, npkt);
		if (net_write(c, batch, npkt * s.slot) == -1)
			net_lost(c, VAULT_SEND_FILE);
		/* A reply before the last batch can only be a refusal; after
		 * it, the server's 1603 may already be there. */
		if (first + npkt < s.total)
			net_check(c, VAULT_SEND_FILE);
		sent += n;
		progress(sent, u->content_size);
	}
	u->crc = crc_final(&s.crc, u->orig_size);
	if (c->hardened)
		vault_receipt_digest(&s.receipt, u->receipt);
	vault_send_wipe();
	secret_wipe(&c->vt, sizeof(c->vt));
	return file_crc(c, u);
}

/* Copies stdin into an unlinked temporary file; returns it rewound. */
static int
spool_stdin(uint64_t *size)
{
	const char *dir = getenv("TMPDIR");
	char path[4096];
	ssize_t r;
	int fd;

	if (dir == NULL || *dir == '\0')
		dir = "/tmp";
	if ((fd = open(dir, O_TMPFILE | O_RDWR | O_CLOEXEC, 0600)) == -1) {
		snprintf(path, sizeof(path), "%s/pk-xfer.XXXXXX", dir);
		if ((fd = mkostemp(path, O_CLOEXEC)) == -1 ||
		    unlink(path) == -1)
			err(2, "temporary file in %s", dir);
	}
	*size = 0;
	io_grow_pipe(STDIN_FILENO);
	while ((r = io_readall(STDIN_FILENO, block, sizeof(block))) > 0) {
		if ((*size += (size_t)r) > VAULT_SPOOL_MAX)
			errx(2, "stdin: more than %u bytes of ciphertext",
			    VAULT_SPOOL_MAX);
		if (io_writeall(fd, block, (size_t)r) == -1)
			err(2, "temporary file in %s", dir);
	}
	if (r == -1)
		err(2, "stdin");
	if (lseek(fd, 0, SEEK_SET) == -1)
		err(2, "temporary file in %s", dir);
	return fd;
}

/* The ciphertext on stdin: its fd and size, spooled unless a file. */
static int
cipher_input(uint64_t *size)
{
	struct stat st;
	off_t pos;

	if (fstat(STDIN_FILENO, &st) == -1)
		err(2, "stdin");
	if (!S_ISREG(st.st_mode))
		return spool_stdin(size);
	if ((pos = lseek(STDIN_FILENO, 0, SEEK_CUR)) == -1)
		err(2, "stdin");
	*size = st.st_size > pos ? (uint64_t)(st.st_size - pos) : 0;
	(void)posix_fadvise(STDIN_FILENO, pos, 0, POSIX_FADV_SEQUENTIAL);
	return STDIN_FILENO;
}

/* The plaintext size: --size, else the size of transfer.info's file. */
static uint32_t
orig_size(const struct vault_opts *o, const struct vault_info *t)
{
	struct stat st;

	if (o->size >= 0)
		return (uint32_t)o->size;
	if (stat(t->path, &st) == -1)
		err(2, "%s (from transfer.info; or give --size)", t->path);
	if ((uint64_t)st.st_size > UINT32_MAX)
		errx(2, "%s: larger than 4 GiB: the vault cannot carry it",
		    t->path);
	return (uint32_t)st.st_size;
}

/* The ciphertext on stdin, size bytes: whole blocks, --flip-byte in it. */
static void
check_cipher(const struct vault_opts *o, uint64_t size)
{
	if (size == 0 || size % AES_BLOCK_SIZE != 0)
		errx(2,
		    "stdin: %llu bytes: ciphertext must be whole 16-byte "
		    "blocks",
		    (unsigned long long)size);
	if (size > VAULT_SPOOL_MAX)
		errx(2, "stdin: more than %u bytes of ciphertext",
		    VAULT_SPOOL_MAX);
	if (o->flip >= 0 && (uint64_t)o->flip >= size)
		errx(2, "--flip-byte %lld: beyond the %llu bytes of ciphertext",
		    o->flip, (unsigned long long)size);
}

/*
 * Hardened: the plaintext on stdin, sealed by pk-xfer under -k's session
 * secret (GCM binds each packet's header: no filter can make it).
 */
static uint8_t secret[32];

static void
check_plain(const struct vault_opts *o, struct vault_file *u, uint64_t size)
{
	if (o->keyfile == NULL)
		errx(2,
		    "vault send --hardened: missing -k key (the session "
		    "key, 32 bytes: pk-wrap -d's output)");
	if (o->size >= 0)
		errx(2, "vault send --hardened: --size: the size is stdin's");
	if (size == 0 || size > VAULT_SPOOL_MAX)
		errx(2,
		    "stdin: %llu bytes: the hardened upload carries 1 to "
		    "%u",
		    (unsigned long long)size, VAULT_SPOOL_MAX);
	if (o->flip >= 0 && (uint64_t)o->flip >= size)
		errx(2, "--flip-byte %lld: beyond the %llu bytes of ciphertext",
		    o->flip, (unsigned long long)size);
	if (secrets_add(secret, sizeof(secret)) == -1)
		err(2, "session key");
	hard_secret_read(o->keyfile, secret);
	u->aes = secret;
	u->orig_size = (uint32_t)size;
}

int
vault_send(const struct vault_opts *o)
{
	struct vault_file u = {.flip = o->flip};
	struct vault_info t;
	struct vault_me m;
	struct xconn c;
	uint64_t size;
	uint32_t crc;
	char hex[2 * VAULT_RECEIPT + 1];

	if (!o->hardened && o->keyfile != NULL)
		errx(2, "vault send: -k only with --hardened (which encrypts)");
	info_read(&t);
	me_read(&m);
	u.name = o->name ? o->name : base_name(t.path);
	u.fd = cipher_input(&size);
	if (o->hardened)
		check_plain(o, &u, size);
	else {
		u.orig_size = orig_size(o, &t);
		check_cipher(o, size);
	}
	u.content_size = (uint32_t)size;
	net_connect(&c, t.server, o);
	memcpy(c.id, m.id, VAULT_ID);
	crc = vault_send_file(&c, &u);
	net_close(&c);
	if (!o->hardened) {
		printf("%u\n", crc);
		return 0;
	}
	hex_encode(u.theirs, VAULT_RECEIPT, hex);
	printf("%s\n", hex);
	if (!hard_receipt_ok(&u))
		errx(1,
		    "%s: the relay's receipt is not the file sent: answer "
		    "ack fail",
		    u.name);
	return 0;
}
