/*
 * ca_peer: the peer chat of seed 004, client to client without the CA.
 * The sender fetches the receiver's certificate from the CA (CERTREQ),
 * checks it against the CA certificate and its name (the original read an
 * unchecked <target>PublicKey.pem from disk), then sends each line of
 * stdin as three frames: AES-256-CBC ciphertext under SHA-256(password)
 * with PKCS#7 padding, the random IV, and the password wrapped with
 * RSA-OAEP-SHA256 under the receiver's key.  The receiver unwraps the
 * password, decrypts and prints each message until the sender hangs up.
 */
#include <err.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <nettle/aes.h>
#include <nettle/cbc.h>
#include <nettle/sha2.h>

#include "ca.h"
#include "files.h"
#include "frame.h"
#include "hex.h"
#include "io.h"
#include "key.h"
#include "oaep.h"
#include "pkcs7.h"
#include "rand.h"
#include "secrets.h"

#define AES_BLOCK 16

/* Secrets of the message in hand, held in the registry (lib/secrets.h). */
static struct {
	uint8_t pass[CA_CHAT_WRAP_MAX];
	size_t passlen;
	uint8_t key[SHA256_DIGEST_SIZE];
	struct aes256_ctx aes;
	uint8_t text[CA_CHAT_CT_MAX + 2];
	uint8_t line[CA_CHAT_TEXT_MAX]; /* --trace: the message sent */
} s;

static void
wipe(void)
{
	secret_wipe(&s, sizeof(s));
}

static void
hold(void)
{
	if (secrets_add(&s, sizeof(s)) == -1)
		err(2, "secrets");
}

/* The AES-256 key: SHA-256 of the password, unsalted, as the original. */
static void
derive(void)
{
	struct sha256_ctx h;

	sha256_init(&h);
	sha256_update(&h, s.passlen, s.pass);
	sha256_digest(&h, sizeof(s.key), s.key);
}

/*
 * Unwraps and decrypts one message into s: its length, -1 when the
 * password does not unwrap, -2 when the message does not decrypt; the
 * trace shows what could be opened.
 */
static long
open_msg(const struct link *l, const struct ca_chat *m, const struct key_rsa *k,
    const char *keyfile)
{
	uint8_t iv[CA_CHAT_IV];
	char with[512];
	long n;

	if (m->wrappedlen != k->pub.size ||
	    oaep_decrypt(&k->pub, &k->priv, &nettle_sha256, NULL, 0, NULL,
		rand_nettle, m->wrappedlen, m->wrapped, &s.passlen,
		s.pass) != 0) {
		ca_show_chat(l, TRACE_RECV, m, NULL, 0, NULL, 0, NULL);
		return -1;
	}
	derive();
	aes256_set_decrypt_key(&s.aes, s.key);
	memcpy(iv, m->iv, sizeof(iv));
	cbc_decrypt(&s.aes, (nettle_cipher_func *)aes256_decrypt, AES_BLOCK, iv,
	    m->ctlen, s.text, m->ct);
	n = pkcs7_strip(s.text, m->ctlen, AES_BLOCK);
	snprintf(with, sizeof(with), "unwrapped with %s", keyfile);
	ca_show_chat(l, TRACE_RECV, m, n == -1 ? NULL : s.text,
	    n == -1 ? 0 : (size_t)n, s.pass, s.passlen, with);
	return n == -1 ? -2 : n;
}

/* Unwraps, decrypts and prints one message; dies with 1 if refused. */
static void
show(const struct link *l, const struct ca_chat *m, const struct key_rsa *k,
    const char *keyfile)
{
	char hex[2 * CA_CHAT_CT_MAX + 1];
	long n;

	if ((n = open_msg(l, m, k, keyfile)) < 0) {
		wipe();
		if (n == -1)
			errx(1, "sender: the password does not unwrap with %s",
			    keyfile);
		errx(1, "sender: the message does not decrypt");
	}
	hex_encode(m->ct, m->ctlen, hex);
	printf("encrypted message: %s\n", hex);
	hex_encode(m->iv, CA_CHAT_IV, hex);
	printf("iv: %s\n", hex);
	printf("message: %.*s\n", (int)n, (const char *)s.text);
	if (fflush(stdout) == EOF || ferror(stdout))
		err(2, "stdout");
	wipe();
}

/* 1 when buf's first frame is the hardened chat's key frame. */
static int
hardened_key(const uint8_t *buf, size_t len)
{
	const uint8_t *p;
	size_t plen, used;

	return frame_decode(buf, len, CA_FRAME_MAX, &p, &plen, &used) ==
	    FRAME_OK &&
	    ca_hchat_is_key(p, plen);
}

/* Messages until the sender closes; dies with 1 on a bad one. */
static void
receive(struct link *l, const struct ca_opts *o, const struct key_rsa *k)
{
	const char *keyfile = o->keyfile;
	struct ca_chat m;
	size_t used;
	int rv;

	for (;;) {
		rv = ca_chat_parse(l->buf, l->have, &m, &used);
		if (rv == -1 && hardened_key(l->buf, l->have))
			cap_chat_mismatch(o);
		if (rv == -1)
			errx(1, "sender: not a chat message");
		if (rv == 1) {
			show(l, &m, k, keyfile);
			link_take(l, used);
		} else if (link_fill(l) == 0) {
			if (l->have != 0)
				errx(1, "sender: message cut short");
			return;
		}
	}
}

int
ca_peer_listen(const struct ca_opts *o)
{
	static struct link l;
	struct key_rsa k;
	uint16_t port;
	int lfd;

	hold();
	xfer_key_load(&k, o->keyfile, &o->pass);
	lfd = link_listen(NULL, &port);
	printf("listening on 127.0.0.1:%u\n", port);
	if (fflush(stdout) == EOF || ferror(stdout))
		err(2, "stdout");
	link_open(&l, link_accept(lfd, NULL, o->timeout_ms, "sender"), "sender",
	    CA_FRAME_MAX, o->timeout_ms);
	close(lfd);
	if (o->hardened)
		cap_chat_receive(&l, o, &k);
	else
		receive(&l, o, &k);
	link_close(&l);
	secrets_release(&k);
	fprintf(stderr, "sender left\n");
	return 0;
}

/* The CA certificate from path, checked as a self-signed root. */
static void
load_root(const char *path, uint8_t *der, struct x509_cert *root)
{
	uint8_t text[X509_PEM_MAX];
	size_t len, derlen;
	int rv;

	if (io_readfile(path, text, sizeof(text), &len) == -1)
		err(2, "%s", path);
	if ((rv = x509_der_from_text(
		 text, len, 0, der, X509_DER_MAX, &derlen)) != X509_OK ||
	    (rv = x509_cert_parse(root, der, derlen)) != X509_OK)
		errx(2, "%s: %s", path, x509_strerror(rv));
	if ((rv = x509_cert_verify(root, root, time(NULL))) != X509_OK)
		errx(1, "%s: not a valid CA certificate: %s", path,
		    x509_strerror(rv));
}

/* CERTREQ for o->to, checked against the root and the name. */
static void
fetch_cert(struct link *l, const struct ca_opts *o,
    const struct x509_cert *root, uint8_t *der, struct x509_cert *c)
{
	size_t derlen;
	int rv;

	ca_request(
	    l, CA_CERTREQ, o->user, (const uint8_t *)o->to, strlen(o->to));
	if (!ca_is_cert(l))
		errx(1, "%s: %s", l->name, (const char *)l->msg);
	if ((rv = x509_der_from_text(
		 l->msg, l->len, 0, der, X509_DER_MAX, &derlen)) != X509_OK ||
	    (rv = x509_cert_parse(c, der, derlen)) != X509_OK ||
	    (rv = x509_cert_verify(c, root, time(NULL))) != X509_OK)
		errx(1,
		    "%s: the certificate of %s does not verify against "
		    "%s: %s",
		    l->name, o->to, o->cafile, x509_strerror(rv));
	if (strcmp(c->subject.cn, o->to) != 0)
		errx(1, "%s: the certificate sent for %s is CN=%s", l->name,
		    o->to, c->subject.cn);
	if (c->pub.size < CA_CHAT_WRAP_MIN || c->pub.size > CA_CHAT_WRAP_MAX)
		errx(1, "%s: %s has a %zu-bit key", l->name, o->to,
		    c->pub.size * 8);
	fprintf(stderr, "certificate of %s verified against %s\n", o->to,
	    o->cafile);
}

/* One message: [ciphertext, iv, OAEP-SHA256(password)]. */
static void
send_one(struct link *p, const struct rsa_public_key *pub, size_t len)
{
	uint8_t iv[CA_CHAT_IV], chain[CA_CHAT_IV], wrapped[CA_CHAT_WRAP_MAX];
	size_t n;

	if (rand_fill(iv, sizeof(iv)) == -1)
		err(2, "getrandom");
	memcpy(s.line, s.text, len);
	n = pkcs7_pad(s.text, len, AES_BLOCK);
	memcpy(chain, iv, sizeof(iv));
	cbc_encrypt(&s.aes, (nettle_cipher_func *)aes256_encrypt, AES_BLOCK,
	    chain, n, s.text, s.text);
	if (oaep_encrypt(pub, &nettle_sha256, NULL, 0, NULL, rand_nettle,
		s.passlen, s.pass, wrapped) != 0)
		err(2, "RSA-OAEP");
	link_write(p, s.text, n);
	link_write(p, iv, sizeof(iv));
	link_write(p, wrapped, pub->size);
	ca_show_chat(p, TRACE_SENT,
	    &(struct ca_chat){s.text, n, iv, wrapped, pub->size}, s.line, len,
	    s.pass, s.passlen, "the chat password, wrapped by this side");
}

long
ca_line(uint8_t buf[CA_CHAT_TEXT_MAX + 2])
{
	size_t len;

	if (isatty(STDIN_FILENO))
		fputs("Enter your message: ", stderr);
	if (fgets((char *)buf, CA_CHAT_TEXT_MAX + 2, stdin) == NULL) {
		if (ferror(stdin))
			err(2, "stdin");
		return -1;
	}
	len = strcspn((char *)buf, "\n");
	if (len > CA_CHAT_TEXT_MAX)
		errx(2, "stdin: a message longer than %d bytes",
		    CA_CHAT_TEXT_MAX);
	return (long)len;
}

/* Each line of stdin is one message. */
static void
send_lines(struct link *p, const struct rsa_public_key *pub)
{
	long len;

	while ((len = ca_line(s.text)) != -1)
		send_one(p, pub, (size_t)len);
}

int
ca_peer_connect(const struct ca_opts *o, const char *ca_addr, const char *peer)
{
	static struct link l;
	static uint8_t rootder[X509_DER_MAX], der[X509_DER_MAX];
	struct x509_cert root, c;

	hold();
	load_root(o->cafile, rootder, &root);
	if (!o->hardened)
		s.passlen =
		    ca_password(&o->chat, "Chat password:", "the chat password",
			s.pass, sizeof(s.pass));
	ca_pass_read(o, 0);
	link_connect(&l, ca_addr, CA_FRAME_MAX, o->timeout_ms);
	ca_signin(&l, o, 0);
	fetch_cert(&l, o, &root, der, &c);
	link_close(&l);
	if (o->hardened) {
		link_connect(&l, peer, CA_FRAME_MAX, o->timeout_ms);
		cap_chat_send(&l, &c.pub);
		link_close(&l);
		x509_cert_clear(&c);
		x509_cert_clear(&root);
		return 0;
	}
	if ((long)s.passlen > oaep_max_len(&nettle_sha256, c.pub.size))
		errx(2, "the chat password is longer than %ld bytes",
		    oaep_max_len(&nettle_sha256, c.pub.size));
	derive();
	aes256_set_encrypt_key(&s.aes, s.key);
	link_connect(&l, peer, CA_FRAME_MAX, o->timeout_ms);
	send_lines(&l, &c.pub);
	link_close(&l);
	x509_cert_clear(&c);
	x509_cert_clear(&root);
	wipe();
	return 0;
}
