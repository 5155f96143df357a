/*
 * ca_profile: what `pk-xfer --hardened ca` does differently, all of it in
 * this one file (docs/ca.md "Profiles").  The sign-in starts with "login
 * NAME" or "register NAME" after the CA's marked prompt, and any refusal
 * is one of a few texts that never say whether the name exists.  The
 * peer chat needs no chat password: the sender draws K (32 random bytes)
 * and a nonce, sends K under the receiver's certified key with RSA-OAEP
 * (SHA-256, label CA_H_OAEP_LABEL), then each line as AES-256-GCM under
 * lib/kmhard.c's data key of K with the nonce XOR its sequence number,
 * and an end frame; the listener refuses a frame that fails its tag, one
 * out of order, and a chat cut before its end.  A profile mismatch, with
 * the CA or between the peers, is one line and exit 2.
 */
#include <err.h>
#include <stdio.h>
#include <string.h>

#include <nettle/sha2.h>

#include "ca.h"
#include "cli.h"
#include "frame.h"
#include "hex.h"
#include "kmhard.h"
#include "oaep.h"
#include "rand.h"
#include "secrets.h"
#include "xfer.h"

#define HEAD (1 + CA_H_SEQ) /* a message frame: kind, sequence number */
#define MSG_MAX (HEAD + CA_CHAT_TEXT_MAX + CA_H_TAG)

/* The chat's secrets, held in the registry (lib/secrets.h). */
static struct {
	uint8_t k[CA_H_K], kbuf[CA_CHAT_WRAP_MAX];
	struct km_h_keys keys;
	uint8_t msg[MSG_MAX], text[CA_CHAT_TEXT_MAX + 2];
} s;

static void
hold(void)
{
	if (secrets_add(&s, sizeof(s)) == -1)
		err(2, "secrets");
}

void
cap_greeted(struct link *l, const struct ca_opts *o, const char *name)
{
	char first[sizeof(CA_H_REGISTER) + CA_NAME_MAX];
	int hardened = link_is(l, CA_H_ASK_USER);

	if (hardened == o->hardened)
		return;
	if (name != NULL) {
		snprintf(first, sizeof(first), "%s%s",
		    o->hardened ? CA_H_LOGIN : "", name);
		(void)link_send(l, first, strlen(first));
	}
	secrets_wipe();
	cli_profile_mismatch(o->g);
}

/* After the password: Welcome, or the one refusal (exit 1). */
static void
hwelcomed(struct link *l, const char *user, const char *what)
{
	ca_read(l);
	if (link_is(l, CA_WELCOME))
		return;
	errx(1, "%s: %s: %s refused: %.120s", l->name, user, what,
	    (const char *)l->msg);
}

static void
hsay(struct link *l, const char *word, const char *user)
{
	char line[sizeof(CA_H_REGISTER) + CA_NAME_MAX];

	snprintf(line, sizeof(line), "%s%s", word, user);
	ca_say(l, line);
}

void
cap_signin(struct link *l, const struct ca_opts *o, int reg,
    const uint8_t *pass, size_t passlen)
{
	if (reg) {
		hsay(l, CA_H_REGISTER, o->user);
		ca_read(l);
		if (!link_is(l, CA_CHOOSE_PASS))
			errx(1, "%s: %s: %.120s", l->name, o->user,
			    (const char *)l->msg);
		ca_write(l, pass, passlen);
		ca_expect(l, CA_H_REGISTERED);
	}
	hsay(l, CA_H_LOGIN, o->user);
	ca_expect(l, CA_ASK_PASS);
	ca_write(l, pass, passlen);
	/* A taken name: the sign-in after the registration fails. */
	hwelcomed(l, o->user, reg ? "registration or sign-in" : "sign-in");
}

_Noreturn void
cap_chat_mismatch(const struct ca_opts *o)
{
	secrets_wipe();
	errx(2, "%s: profile mismatch: the sender is %s, this listener is %s",
	    o->g->proto, o->hardened ? "faithful" : "hardened",
	    o->hardened ? "hardened" : "faithful");
}

/* The key frame: K unwrapped with the listener's key, the keys made. */
static void
keyed(const struct link *l, const struct ca_hchat *m, const uint8_t *frame,
    size_t len, const struct key_rsa *k, const char *keyfile)
{
	size_t klen = 0;

	if (m->wrappedlen != k->pub.size ||
	    oaep_decrypt(&k->pub, &k->priv, &nettle_sha256,
		(const uint8_t *)CA_H_OAEP_LABEL, sizeof(CA_H_OAEP_LABEL) - 1,
		NULL, rand_nettle, m->wrappedlen, m->wrapped, &klen,
		s.kbuf) != 0 ||
	    klen != CA_H_K) {
		ca_show_hchat(l, TRACE_RECV, frame, len, NULL, 0, NULL);
		errx(
		    1, "sender: the chat key does not unwrap with %s", keyfile);
	}
	memcpy(s.k, s.kbuf, CA_H_K);
	km_h_derive(s.k, &s.keys);
	ca_show_hchat(l, TRACE_RECV, frame, len, s.k, CA_H_K,
	    "the chat key, unwrapped with this side's key");
}

/* One message or the end, checked and shown; 1 at the end. */
static int
opened(const struct link *l, const struct ca_hchat *m, const uint8_t *nonce,
    uint64_t seq, const uint8_t *frame, size_t len)
{
	char hex[2 * MSG_MAX + 1];

	if (m->seq != seq)
		errx(1, "sender: frame %llu out of order (expected %llu)",
		    (unsigned long long)m->seq, (unsigned long long)seq);
	memcpy(s.text, m->ct, m->ctlen);
	if (km_h_open(&s.keys, nonce, seq, (enum km_h_kind)m->kind, m->ctlen,
		s.text, m->tag) == -1) {
		ca_show_hchat(l, TRACE_RECV, frame, len, NULL, 0, NULL);
		errx(1,
		    "sender: frame %llu fails its tag (changed on the "
		    "way): refused",
		    (unsigned long long)seq);
	}
	ca_show_hchat(l, TRACE_RECV, frame, len, s.text, m->ctlen,
	    "AES-256-GCM opened, its tag checked");
	if (m->kind == CA_H_END)
		return 1;
	hex_encode(frame + HEAD, len - HEAD, hex);
	printf("encrypted message: %s\nsequence: %llu\nmessage: %.*s\n", hex,
	    (unsigned long long)seq, (int)m->ctlen, (const char *)s.text);
	if (fflush(stdout) == EOF || ferror(stdout))
		err(2, "stdout");
	secret_wipe(s.text, sizeof(s.text));
	return 0;
}

/* The first frame is not a key frame: a faithful sender, or junk. */
static void
not_keyed(const struct link *l, const struct ca_opts *o)
{
	const uint8_t *p;
	size_t plen, used;

	if (frame_decode(l->buf, l->have, CA_FRAME_MAX, &p, &plen, &used) ==
		FRAME_OK &&
	    plen % 16 == 0)
		cap_chat_mismatch(o);
	errx(1, "sender: not a hardened chat key frame");
}

void
cap_chat_receive(
    struct link *l, const struct ca_opts *o, const struct key_rsa *k)
{
	uint8_t nonce[CA_H_NONCE];
	struct ca_hchat m;
	uint64_t seq = 0;
	size_t used;
	int rv, key = 1, end = 0;

	hold();
	for (;;) {
		rv = ca_hchat_parse(l->buf, l->have, key, &m, &used);
		if (rv == -1 && key)
			not_keyed(l, o);
		if (rv == -1 || (rv == 1 && end))
			errx(1, "sender: not a chat frame");
		if (rv == 1 && key) {
			memcpy(nonce, m.nonce, CA_H_NONCE);
			keyed(l, &m, l->buf + FRAME_HDR, used - FRAME_HDR, k,
			    o->keyfile);
			key = 0;
		} else if (rv == 1)
			end = opened(l, &m, nonce, seq++, l->buf + FRAME_HDR,
			    used - FRAME_HDR);
		if (rv == 1)
			link_take(l, used);
		else if (link_fill(l) == 0)
			break;
	}
	if (l->have != 0 || !end)
		errx(1, "sender: the chat was cut short (no end frame)");
}

/* One frame: kind, sequence number, GCM of n bytes of s.text, tag. */
static void
seal(struct link *p, const uint8_t *nonce, uint64_t seq, int kind, size_t n)
{
	int i;

	s.msg[0] = (uint8_t)kind;
	for (i = 0; i < CA_H_SEQ; i++)
		s.msg[1 + i] = (uint8_t)(seq >> (8 * (CA_H_SEQ - 1 - i)));
	memcpy(s.msg + HEAD, s.text, n);
	km_h_seal(&s.keys, nonce, seq, (enum km_h_kind)kind, n, s.msg + HEAD,
	    s.msg + HEAD + n);
	link_write(p, s.msg, HEAD + n + CA_H_TAG);
	ca_show_hchat(p, TRACE_SENT, s.msg, HEAD + n + CA_H_TAG, s.text, n,
	    kind == CA_H_END ? "the end: nothing, sealed"
			     : "the line sent, sealed by this side");
}

/* K and the nonce, drawn; K under pub; the key frame sent. */
static void
send_key(struct link *p, const struct rsa_public_key *pub, uint8_t *nonce)
{
	uint8_t *f = s.msg;

	if (rand_fill(s.k, CA_H_K) == -1 || rand_fill(nonce, CA_H_NONCE) == -1)
		err(2, "getrandom");
	memcpy(f, CA_H_CHAT_MAGIC, CA_H_MAGIC_LEN);
	memcpy(f + CA_H_MAGIC_LEN, nonce, CA_H_NONCE);
	if (oaep_encrypt(pub, &nettle_sha256, (const uint8_t *)CA_H_OAEP_LABEL,
		sizeof(CA_H_OAEP_LABEL) - 1, NULL, rand_nettle, CA_H_K, s.k,
		f + CA_H_MAGIC_LEN + CA_H_NONCE) != 0)
		err(2, "RSA-OAEP");
	link_write(p, f, CA_H_MAGIC_LEN + CA_H_NONCE + pub->size);
	ca_show_hchat(p, TRACE_SENT, f, CA_H_MAGIC_LEN + CA_H_NONCE + pub->size,
	    s.k, CA_H_K, "the chat key, drawn by this side");
	km_h_derive(s.k, &s.keys);
}

void
cap_chat_send(struct link *p, const struct rsa_public_key *pub)
{
	uint8_t nonce[CA_H_NONCE];
	uint64_t seq = 0;
	long len;

	hold();
	send_key(p, pub, nonce);
	while ((len = ca_line(s.text)) != -1)
		seal(p, nonce, seq++, CA_H_MSG, (size_t)len);
	seal(p, nonce, seq, CA_H_END, 0);
	secret_wipe(&s, sizeof(s));
}
