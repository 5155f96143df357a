/*
 * vault_client: `pk-xfer vault client`, the original course client in one
 * process and on one connection.  With me.info it reconnects (after a
 * 1606 it sends its key under the new id), else it registers, makes an
 * RSA-1024 key with e = 17 and sends it; then it encrypts transfer.info's
 * file, sends it, and compares the server's CRC with its own: 900 when
 * they match, else 901 and again, at most 3 tries, then 902.
 */
#include <sys/stat.h>

#include <err.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include <nettle/aes.h>

#include "files.h"
#include "hex.h"
#include "secret.h"
#include "secrets.h"
#include "vault.h"

/* The session's AES key: static, held in the registry (lib/secrets.h). */
static uint8_t session_key[32];

static void
progress(const char *line)
{
	puts(line);
	fflush(stdout);
}

/* Registers t's name and sends a new key; the AES key into aes. */
static void
register_new(struct xconn *c, const struct vault_info *t, uint8_t aes[32])
{
	uint8_t spki[VAULT_PUBKEY], wrapped[VAULT_WRAPPED];
	struct vault_me m;
	struct key_rsa k;

	if (step_register(c, t->name, &m) == VAULT_NAME_TAKEN)
		errx(1, "name taken: %s", t->name);
	progress("REGISTER REQUEST COMPLETED");
	vault_key_new(&k);
	vault_key_save(&k, &m);
	vault_key_spki(&k, "new key", spki);
	step_pubkey(c, &m, spki, wrapped);
	vault_key_unwrap(&k, wrapped, aes);
	secrets_release(&k);
	progress("SEND PUBLIC KEY COMPLETED");
}

/*
 * Reconnects as me.info says (following a 1606 with 826), else registers;
 * the AES key into aes.
 */
static void
session(struct xconn *c, const struct vault_info *t, uint8_t aes[32])
{
	uint8_t wrapped[VAULT_WRAPPED];
	struct vault_me m;
	struct key_rsa k;

	char hex[2 * VAULT_ID + 1];

	if (access("me.info", F_OK) != 0) {
		register_new(c, t, aes);
		return;
	}
	me_read(&m);
	if (step_reconnect(c, &m, wrapped) == VAULT_RECONNECT_OK) {
		vault_key_me(&k, 1);
		vault_key_unwrap(&k, wrapped, aes);
		secrets_release(&k);
		progress("RECONNECT REQUEST COMPLETED");
		return;
	}
	hex_encode(m.id, VAULT_ID, hex);
	printf("RECONNECT DENIED: registered again as %s\n", hex);
	step_denied(c, &m, &k, wrapped);
	vault_key_unwrap(&k, wrapped, aes);
	secrets_release(&k);
	progress("SEND PUBLIC KEY COMPLETED");
}

/* Opens transfer.info's file and sets the upload's sizes. */
static void
open_file(const struct vault_info *t, struct vault_file *u, int hardened)
{
	struct stat st;

	if ((u->fd = open(t->path, O_RDONLY | O_CLOEXEC)) == -1)
		err(2, "%s", t->path);
	if (fstat(u->fd, &st) == -1)
		err(2, "%s", t->path);
	if (!S_ISREG(st.st_mode))
		errx(2, "%s: not a regular file", t->path);
	if ((uint64_t)st.st_size >= VAULT_SPOOL_MAX)
		errx(2, "%s: too large: the vault carries less than 4 GiB",
		    t->path);
	(void)posix_fadvise(u->fd, 0, 0, POSIX_FADV_SEQUENTIAL);
	u->name = base_name(t->path);
	u->orig_size = (uint32_t)st.st_size;
	u->content_size = (u->orig_size / AES_BLOCK_SIZE + 1) * AES_BLOCK_SIZE;
	/* Hardened: GCM adds no padding, and an empty file has no packet. */
	if (hardened)
		u->content_size = u->orig_size;
	if (hardened && u->orig_size == 0)
		errx(2, "%s: empty: the hardened upload carries 1 byte or more",
		    t->path);
}

/* The relay's check value is ours: the CRC, hardened the receipt. */
static int
check_value(const struct xconn *c, const struct vault_file *u, uint32_t crc)
{
	char hex[2 * VAULT_RECEIPT + 1];

	if (!c->hardened) {
		printf("RESPONSE CRC %u\n", crc);
		return crc == u->crc;
	}
	hex_encode(u->theirs, VAULT_RECEIPT, hex);
	printf("RESPONSE RECEIPT %s\n", hex);
	return hard_receipt_ok(u);
}

/* Sends until the CRCs agree, at most VAULT_TRIES times; 0 or 1. */
static int
send_file(struct xconn *c, struct vault_file *u)
{
	uint32_t crc;
	int try;

	for (try = 1;; try++) {
		if (lseek(u->fd, 0, SEEK_SET) == -1)
			err(2, "%s", u->name);
		crc = vault_send_file(c, u);
		progress("SEND FILE REQUEST COMPLETED");
		if (check_value(c, u, crc)) {
			progress(c->hardened ? "Correct receipt"
					     : "Correct checksum");
			step_ack(c, VAULT_CRC_OK, u->name);
			progress("CRC OK REQUEST COMPLETED");
			return 0;
		}
		if (c->hardened)
			printf(
			    "Wrong receipt (try %d of %d)\n", try, VAULT_TRIES);
		else
			printf("Wrong checksum: ours is %u (try %d of %d)\n",
			    u->crc, try, VAULT_TRIES);
		if (try == VAULT_TRIES)
			break;
		step_ack(c, VAULT_CRC_RETRY, u->name);
	}
	step_ack(c, VAULT_CRC_FAIL, u->name);
	warnx(
	    "%s: wrong checksum %d times: gave up (902)", u->name, VAULT_TRIES);
	return 1;
}

int
vault_client(const struct vault_opts *o)
{
	struct vault_file u = {.flip = o->flip, .aes = session_key};
	struct vault_info t;
	struct xconn c;
	int rv;

	if (secrets_add(session_key, sizeof(session_key)) == -1)
		err(2, "session key");
	info_read(&t);
	open_file(&t, &u, o->hardened);
	if (o->flip >= 0 && (uint64_t)o->flip >= u.content_size)
		errx(2, "--flip-byte %lld: beyond the %u bytes of ciphertext",
		    o->flip, u.content_size);
	net_connect(&c, t.server, o);
	session(&c, &t, session_key);
	rv = send_file(&c, &u);
	net_close(&c);
	close(u.fd);
	return rv;
}
