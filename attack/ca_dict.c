/*
 * ca-dict: an offline dictionary attack on a captured peer chat of seed
 * 004.  Each message is AES-256-CBC under SHA-256(password), unsalted, so
 * a word list is tried at SHA-256 speed without asking anyone: a word
 * whose key gives the first message's last block a right PKCS#7 padding
 * is a candidate (a wrong word passes about one time in 256), confirmed
 * when every message of the capture decrypts, padding right, to text.
 * The wrapped copy of the password is not needed.  On the hardened
 * profile the chat key is random (wrapped with RSA-OAEP) and the messages
 * AES-GCM: there is no password to guess, and nothing is recovered.
 */
#include <err.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <nettle/aes.h>
#include <nettle/cbc.h>
#include <nettle/sha2.h>

#include "ca.h"
#include "pkcs7.h"

#define MSG_MAX 256 /* chat messages read from the captures */
#define BLOCK 16

static const struct option longopts[] = {
    {"words", required_argument, NULL, 'w'},
    {NULL, 0, NULL, 0},
};

struct msg {
	uint8_t *ct; /* points into the capture */
	size_t len;
	uint8_t iv[BLOCK];
	int have_iv;
};

struct dict {
	struct msg m[MSG_MAX];
	size_t n, hardened; /* messages; frames of the hardened chat */
	uint8_t text[CA_CHAT_CT_MAX];
};

/* A field that was on the wire (not a plaintext the side added). */
static const struct capture_field *
wire(const struct capture_frame *fr, const char *name)
{
	const struct capture_field *f = capture_field(fr, name);

	return f != NULL && f->off >= 0 ? f : NULL;
}

/* A hardened chat frame, as lib/catrace.c names it (never CBC). */
static int
hardened_step(const char *step)
{
	return strcmp(step, "chat-key") == 0 ||
	    strcmp(step, "chat-message") == 0 || strcmp(step, "chat-end") == 0;
}

/*
 * The messages of c: a ciphertext, then the IV sent after it; the
 * hardened chat's frames are only counted.
 */
static void
messages(struct dict *d, const struct capture *c)
{
	const struct capture_field *f;
	struct msg *m = &d->m[d->n];
	size_t i;

	for (i = 0; i < c->n && d->n < MSG_MAX; i++) {
		const struct capture_frame *fr = &c->fr[i];

		if (hardened_step(fr->step))
			d->hardened++;
		else if (strcmp(fr->step, "chat-ciphertext") == 0 &&
		    (f = wire(fr, "ciphertext")) != NULL && f->len > 0 &&
		    f->len % BLOCK == 0 && f->len <= CA_CHAT_CT_MAX) {
			m->ct = f->data;
			m->len = f->len;
		} else if (strcmp(fr->step, "chat-iv") == 0 && m->ct != NULL &&
		    (f = wire(fr, "iv")) != NULL && f->len == BLOCK) {
			memcpy(m->iv, f->data, BLOCK);
			m = &d->m[++d->n];
		}
	}
}

static void
derive(const char *w, struct aes256_ctx *aes)
{
	uint8_t key[SHA256_DIGEST_SIZE];
	struct sha256_ctx h;

	sha256_init(&h);
	sha256_update(&h, strlen(w), (const uint8_t *)w);
	sha256_digest(&h, sizeof(key), key);
	aes256_set_decrypt_key(aes, key);
	explicit_bzero(&h, sizeof(h));
	explicit_bzero(key, sizeof(key));
}

/* The last block of m alone: whether its PKCS#7 padding is right. */
static int
padding_ok(const struct aes256_ctx *aes, const struct msg *m)
{
	uint8_t iv[BLOCK], out[BLOCK];

	memcpy(iv, m->len > BLOCK ? m->ct + m->len - 2 * BLOCK : m->iv, BLOCK);
	cbc_decrypt(aes, (nettle_cipher_func *)aes256_decrypt, BLOCK, iv, BLOCK,
	    out, m->ct + m->len - BLOCK);
	return pkcs7_strip(out, BLOCK, BLOCK) >= 0;
}

/* m decrypted into d->text: its length, or -1 (padding, or not text). */
static long
open_msg(struct dict *d, const struct aes256_ctx *aes, const struct msg *m)
{
	uint8_t iv[BLOCK];
	long n, i;

	memcpy(iv, m->iv, BLOCK);
	cbc_decrypt(aes, (nettle_cipher_func *)aes256_decrypt, BLOCK, iv,
	    m->len, d->text, m->ct);
	if ((n = pkcs7_strip(d->text, m->len, BLOCK)) < 0)
		return -1;
	for (i = 0; i < n; i++)
		if ((d->text[i] < 0x20 && d->text[i] != '\t') ||
		    d->text[i] == 0x7f)
			return -1;
	return n;
}

/* Every message opens to text: written, one a line.  0, or -1. */
static int
confirm(struct dict *d, const struct aes256_ctx *aes, int write)
{
	uint8_t *out, *p;
	size_t i;
	long n;

	if ((out = p = malloc(d->n * (CA_CHAT_CT_MAX + 1))) == NULL)
		err(2, NULL);
	for (i = 0; i < d->n; i++) {
		if ((n = open_msg(d, aes, &d->m[i])) < 0)
			break;
		memcpy(p, d->text, (size_t)n);
		p += n;
		*p++ = '\n';
	}
	if (i == d->n && write) {
		attack_stats(0, (size_t)(p - out));
		attack_output(out, (size_t)(p - out));
	}
	explicit_bzero(out, d->n * (CA_CHAT_CT_MAX + 1));
	explicit_bzero(d->text, sizeof(d->text));
	free(out);
	return i == d->n ? 0 : -1;
}

/* Each word in turn; the index of the one confirmed, or -1. */
static long
crack(struct dict *d, const struct ca_words *l, const char *path)
{
	struct aes256_ctx aes;
	size_t i, candidates = 0;
	double t0 = ca_now(), secs;
	long found = -1;

	for (i = 0; i < l->n && found == -1; i++) {
		derive(l->w[i], &aes);
		if (!padding_ok(&aes, &d->m[0]))
			continue;
		candidates++;
		if (confirm(d, &aes, 0) == 0)
			found = (long)i;
	}
	secs = ca_now() - t0;
	attack_progress("%zu words in %.3f s: %.0f guesses per second; %zu"
			" with a right padding",
	    i, secs, secs > 0 ? i / secs : 0.0, candidates);
	if (found != -1) {
		attack_progress("the chat password: %s (word %ld of %s)",
		    l->w[found], found + 1, path);
		(void)confirm(d, &aes, 1);
	}
	explicit_bzero(&aes, sizeof(aes));
	return found;
}

static int
ca_dict_main(int argc, char *argv[])
{
	static struct dict d;
	struct capture *c;
	struct ca_words l;
	const char *words = NULL;
	size_t i;
	long found = -1;
	int ch;

	while ((ch = attack_getopt(argc, argv, "w:", longopts)) != -1)
		if (ch == 'w')
			words = optarg;
	argc -= optind;
	argv += optind;
	if (words == NULL || argc < 1)
		attack_usage();
	ca_words_read(&l, words, 0);
	if ((c = calloc((size_t)argc, sizeof(*c))) == NULL)
		err(2, NULL);
	for (i = 0; i < (size_t)argc; i++) {
		capture_read(&c[i], argv[i]);
		messages(&d, &c[i]);
	}
	attack_progress("%zu AES-256-CBC chat messages in the capture, %zu"
			" frames of the hardened chat",
	    d.n, d.hardened);
	if (d.n == 0)
		attack_progress("no message under SHA-256(password)%s: nothing"
				" recovered",
		    d.hardened ? " (hardened: a random key, AES-GCM)" : "");
	else if ((found = crack(&d, &l, words)) == -1)
		attack_progress("no word of %s opens the messages: nothing"
				" recovered",
		    words);
	for (i = 0; i < (size_t)argc; i++)
		capture_free(&c[i]);
	free(c);
	ca_words_free(&l);
	return found == -1;
}

const struct attack attack_ca_dict = {
    "ca-dict",
    "-w words capture.json ...",
    "ca: the peer chat's key is SHA-256(password): a dictionary opens a"
    " capture",
    "  -w, --words file   passwords to try, one a line\n"
    "  capture.json       --trace-json captures of the peer chat (pk-mitm,\n"
    "                     pk-xfer): the messages are written, one a line\n",
    ca_dict_main,
};
