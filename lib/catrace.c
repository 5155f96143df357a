/*
 * catrace: the one decoder of the ca protocol's frames for --trace and
 * --trace-json (lib/trace.h): the prompts and answers of the sign-in as
 * text (the password too: it crosses the wire in the clear, a weakness
 * of the original that protokit keeps, docs/ca.md), the requests' fields,
 * the PEM request or certificate with its sizes, CN and key fingerprint,
 * and the peer chat's ciphertext, IV and wrapped password, with the
 * plaintexts under them on the side that holds them; the hardened
 * profile's "login NAME" and "register NAME", its refusals, and its
 * chat's key, messages and end.  The field names are docs/ca.md's
 * "Fields on the wire" and "Fields on the wire, hardened profile".
 */
#include <stdio.h>
#include <string.h>

#include <nettle/sha2.h>

#include "cawire.h"
#include "frame.h"

#define PASS_NOTE "in the clear on the wire, a weakness: docs/ca.md"

/* The CA's prompts: what each means and what the client answers next. */
static const struct {
	const char *text, *note;
	enum ca_at at;
} prompts[] = {
    {CA_ASK_USER, "asks the user name", CA_AT_USER},
    {CA_ASK_PASS, "asks the password", CA_AT_PASS},
    {CA_BAD_PASS, "wrong password: asks it again", CA_AT_PASS},
    {CA_WELCOME, "signed in: requests may follow", CA_AT_OPS},
    {CA_NOT_FOUND, "unknown user: r signs up, c closes", CA_AT_CHOICE},
    {CA_CHOOSE_USER, "asks a new user name", CA_AT_NEW_USER},
    {CA_CHOOSE_PASS, "asks the new password", CA_AT_NEW_PASS},
    {CA_NAME_TAKEN, "refused: the name is taken", CA_AT_NEW_USER},
    {CA_NAME_BAD, "refused: not a safe name", CA_AT_NEW_USER},
    {CA_H_ASK_USER, "hardened: asks login NAME or register NAME", CA_AT_USER},
    {CA_H_REGISTERED, "hardened: the same whether the name was free or not",
	CA_AT_USER},
};

/* The hardened CA's refusals, then the CA closes (prefixes). */
static const struct {
	const char *text, *note;
} refusals[] = {
    {CA_H_BAD_LOGIN,
	"hardened: the one answer for an unknown name or a "
	"wrong password"},
    {CA_H_WAIT, "hardened: the name is held after a failed sign-in"},
    {CA_H_LOCKED, "hardened: the name is locked after too many failures"},
};

#define NPROMPTS (sizeof(prompts) / sizeof(prompts[0]))

static int
starts(const uint8_t *p, size_t len, const char *s)
{
	return len >= strlen(s) && memcmp(p, s, strlen(s)) == 0;
}

static void
digest(const uint8_t *p, size_t len, uint8_t md[SHA256_DIGEST_SIZE])
{
	struct sha256_ctx h;

	sha256_init(&h);
	sha256_update(&h, len, p);
	sha256_digest(&h, SHA256_DIGEST_SIZE, md);
}

/* The CN and SPKI SHA-256 of a PEM request or certificate; X509_* code. */
static int
pem_key(const uint8_t *p, size_t len, int csr, size_t *derlen,
    char cn[X509_CN_MAX + 1], uint8_t md[SHA256_DIGEST_SIZE])
{
	uint8_t der[X509_DER_MAX];
	struct x509_csr r;
	struct x509_cert c;
	int rv;

	if ((rv = x509_der_from_text(p, len, csr, der, sizeof(der), derlen)) !=
	    X509_OK)
		return rv;
	if (csr) {
		if ((rv = x509_csr_parse(&r, der, *derlen)) == X509_OK) {
			digest(r.spki, r.spkilen, md);
			memcpy(cn, r.subject.cn, sizeof(r.subject.cn));
		}
		x509_csr_clear(&r);
	} else {
		if ((rv = x509_cert_parse(&c, der, *derlen)) == X509_OK) {
			digest(c.spki, c.spkilen, md);
			memcpy(cn, c.subject.cn, sizeof(c.subject.cn));
		}
		x509_cert_clear(&c);
	}
	return rv;
}

/* A PEM request or certificate: sizes, CN and key fingerprint as note. */
static void
pem(struct trace_frame *fr, struct ca_trace *t, const char *name, size_t off,
    int csr)
{
	struct trace_field *f;
	uint8_t md[SHA256_DIGEST_SIZE];
	char cn[X509_CN_MAX + 1];
	size_t len = fr->len - off, derlen, n, i;
	int rv;

	if ((f = trace_add(fr, name, off, len, TRACE_PEM)) == NULL)
		return;
	f->note = t->note;
	if ((rv = pem_key(fr->buf + off, len, csr, &derlen, cn, md)) !=
	    X509_OK) {
		snprintf(t->note, sizeof(t->note), "PEM %zu bytes: %s", len,
		    x509_strerror(rv));
		return;
	}
	n = (size_t)snprintf(t->note, sizeof(t->note),
	    "PEM %zu bytes, DER %zu, CN=%s, key sha256:", len, derlen, cn);
	for (i = 0; i < sizeof(md) && n + 3 <= sizeof(t->note); i++, n += 2)
		snprintf(t->note + n, sizeof(t->note) - n, "%02x", md[i]);
}

/* A frame the CA sends: a prompt, a certificate, or another answer. */
static void
from_ca(struct trace_frame *fr, struct ca_trace *t)
{
	const uint8_t *p = fr->buf + FRAME_HDR;
	size_t len = fr->len - FRAME_HDR, i;
	struct trace_field *f;

	for (i = 0; i < NPROMPTS; i++)
		if (len == strlen(prompts[i].text) &&
		    memcmp(p, prompts[i].text, len) == 0)
			break;
	if (i < NPROMPTS) {
		fr->step = "prompt";
		t->at = prompts[i].at;
		if ((f = trace_add(fr, "text", FRAME_HDR, len, TRACE_TEXT)))
			f->note = prompts[i].note;
		return;
	}
	if (starts(p, len, "-----BEGIN CERTIFICATE-----")) {
		fr->step = "certificate";
		pem(fr, t, "certificate", FRAME_HDR, 0);
		return;
	}
	fr->step = "answer";
	if ((f = trace_add(fr, "text", FRAME_HDR, len, TRACE_TEXT)) == NULL)
		return;
	for (i = 0; i < sizeof(refusals) / sizeof(refusals[0]); i++)
		if (starts(p, len, refusals[i].text)) {
			f->note = refusals[i].note;
			return;
		}
	if (starts(p, len, CA_ERROR))
		f->note = "refused: the CA closes the connection";
	else if (len == strlen(CA_ACK) && memcmp(p, CA_ACK, len) == 0)
		f->note = "CERTUP: stored";
	else
		f->note = "CERTREQ: no such certificate";
}

/* A request after Welcome: "TYPE NAME\nBODY". */
static void
request(struct trace_frame *fr, struct ca_trace *t)
{
	const uint8_t *p = fr->buf + FRAME_HDR;
	size_t len = fr->len - FRAME_HDR, sp, nl;
	struct ca_req r;
	static const char *const steps[] = {"CSR", "CERTUP", "CERTREQ"};

	if (ca_req_parse(p, len, &r) == -1) {
		fr->step = "request";
		trace_add(fr, "request", FRAME_HDR, len, TRACE_TEXT);
		trace_bad(fr, "not \"CSR|CERTUP|CERTREQ name\\nbody\"");
		return;
	}
	fr->step = steps[r.op];
	sp = (size_t)((const uint8_t *)memchr(p, ' ', len) - p);
	nl = sp + 1 + strlen(r.name);
	trace_add(fr, "type", FRAME_HDR, sp, TRACE_TEXT);
	trace_add(fr, "space", FRAME_HDR + sp, 1, TRACE_TEXT);
	trace_add(fr, "name", FRAME_HDR + sp + 1, nl - sp - 1, TRACE_TEXT);
	trace_add(fr, "newline", FRAME_HDR + nl, 1, TRACE_TEXT);
	if (r.op == CA_CERTREQ)
		trace_add(fr, "id", FRAME_HDR + nl + 1, r.bodylen, TRACE_TEXT);
	else
		pem(fr, t, r.op == CA_CSR ? "csr" : "certificate",
		    FRAME_HDR + nl + 1, r.op == CA_CSR);
}

/* Hardened: "login NAME" or "register NAME"; 0 when it is not one. */
static int
hardened_user(struct trace_frame *fr)
{
	const uint8_t *p = fr->buf + FRAME_HDR;
	size_t len = fr->len - FRAME_HDR, w;

	if (starts(p, len, CA_H_LOGIN)) {
		fr->step = "login";
		w = strlen(CA_H_LOGIN);
	} else if (starts(p, len, CA_H_REGISTER)) {
		fr->step = "register";
		w = strlen(CA_H_REGISTER);
	} else
		return 0;
	trace_add(fr, "word", FRAME_HDR, w, TRACE_TEXT);
	if (len > w)
		trace_add(fr, "name", FRAME_HDR + w, len - w, TRACE_TEXT);
	else
		trace_bad(fr, "no name");
	return 1;
}

/* A frame the client sends the CA: what it answers, by the last prompt. */
static void
to_ca(struct trace_frame *fr, struct ca_trace *t)
{
	static const struct {
		const char *step, *field, *note;
	} answers[] = {
	    [CA_AT_USER] = {"user", "name", NULL},
	    [CA_AT_PASS] = {"password", "password", PASS_NOTE},
	    [CA_AT_CHOICE] = {"choice", "choice", "r signs up, c closes"},
	    [CA_AT_NEW_USER] = {"new-user", "name", NULL},
	    [CA_AT_NEW_PASS] = {"new-password", "password", PASS_NOTE},
	};
	struct trace_field *f;

	if (t->at == CA_AT_OPS) {
		request(fr, t);
		return;
	}
	if (t->at == CA_AT_USER && hardened_user(fr))
		return;
	fr->step = answers[t->at].step;
	if ((f = trace_add(fr, answers[t->at].field, FRAME_HDR,
		 fr->len - FRAME_HDR, TRACE_TEXT)) != NULL)
		f->note = answers[t->at].note;
}

/* The hardened chat's key frame: magic, nonce, K wrapped; K if held. */
static void
hchat_key(struct trace_frame *fr, struct ca_trace *t, const struct ca_hchat *m)
{
	size_t off = FRAME_HDR;
	struct trace_field *f;

	fr->step = "chat-key";
	trace_add(fr, "magic", off, CA_H_MAGIC_LEN, TRACE_TEXT);
	trace_add(fr, "nonce", off += CA_H_MAGIC_LEN, CA_H_NONCE, TRACE_BYTES);
	if ((f = trace_add(fr, "wrapped", off + CA_H_NONCE, m->wrappedlen,
		 TRACE_BYTES)) != NULL)
		f->note = "K, RSA-OAEP-SHA256 under the receiver's certified "
			  "key";
	if (t->plain != NULL)
		trace_plain(fr, "key", t->plain, t->plainlen, t->with);
}

/* A hardened message or the end: kind, sequence number, GCM, tag. */
static void
hchat_msg(struct trace_frame *fr, struct ca_trace *t, const struct ca_hchat *m)
{
	size_t off = FRAME_HDR;
	struct trace_field *f;

	fr->step = m->kind == CA_H_END ? "chat-end" : "chat-message";
	if ((f = trace_add(fr, "kind", off, 1, TRACE_TEXT)) != NULL)
		f->note = m->kind == CA_H_END ? "the end: a cut is seen"
					      : "a message";
	if ((f = trace_uint(fr, "seq", off + 1, CA_H_SEQ, 0)) != NULL)
		f->note = "the sequence number, XORed into the nonce";
	off += 1 + CA_H_SEQ;
	if (m->kind == CA_H_MSG) {
		trace_add(fr, "ciphertext", off, m->ctlen, TRACE_CIPHER);
		if (t->plain != NULL)
			trace_plain(
			    fr, "plaintext", t->plain, t->plainlen, t->with);
	}
	if ((f = trace_add(fr, "tag", off + m->ctlen, CA_H_TAG, TRACE_BYTES)) !=
	    NULL)
		f->note = "AES-256-GCM's tag: the kind and number included";
}

/* The hardened chat: the key frame first, then messages and the end. */
static void
hchat(struct trace_frame *fr, struct ca_trace *t)
{
	struct ca_hchat m;
	size_t used;
	int key = ca_hchat_is_key(fr->buf + FRAME_HDR, fr->len - FRAME_HDR);

	if (ca_hchat_parse(fr->buf, fr->len, key, &m, &used) != 1 ||
	    used != fr->len) {
		fr->step = "chat-message";
		trace_add(
		    fr, "frame", FRAME_HDR, fr->len - FRAME_HDR, TRACE_BYTES);
		trace_bad(fr, "not a hardened chat frame");
	} else if (key)
		hchat_key(fr, t, &m);
	else
		hchat_msg(fr, t, &m);
	t->plain = NULL;
}

/* The peer chat: ciphertext, IV, the wrapped password, in turn. */
static void
chat(struct trace_frame *fr, struct ca_trace *t)
{
	size_t len = fr->len - FRAME_HDR;
	struct trace_field *f;

	if (t->chat == 1) {
		fr->step = "chat-ciphertext";
		trace_add(fr, "ciphertext", FRAME_HDR, len, TRACE_CIPHER);
		if (len % 16 != 0)
			trace_bad(fr, "not whole AES blocks");
		if (t->plain != NULL)
			trace_plain(fr, "plaintext", t->plain, t->plainlen,
			    "AES-256-CBC, key SHA-256(chat password), the IV "
			    "of the next frame; PKCS#7 padding removed");
		t->plain = NULL;
	} else if (t->chat == 2) {
		fr->step = "chat-iv";
		trace_add(fr, "iv", FRAME_HDR, len, TRACE_IV);
		if (len != CA_CHAT_IV)
			trace_bad(fr, "an IV is 16 bytes");
	} else {
		fr->step = "chat-password";
		if ((f = trace_add(
			 fr, "wrapped", FRAME_HDR, len, TRACE_BYTES)) != NULL)
			f->note = "RSA-OAEP-SHA256 under the receiver's key";
		if (t->pass != NULL)
			trace_plain(
			    fr, "password", t->pass, t->passlen, t->with);
		t->pass = NULL;
	}
	t->chat = t->chat % 3 + 1;
}

void
ca_trace(struct trace_frame *fr, struct ca_trace *t)
{
	struct trace_field *f;

	fr->step = t->chat ? "chat" : "frame";
	if ((f = trace_uint(fr, "length", 0, FRAME_HDR, 0)) == NULL)
		return;
	if (f->num != fr->len - FRAME_HDR) {
		trace_bad(fr, "the length is not the frame's");
		return;
	}
	if (fr->len == FRAME_HDR)
		trace_bad(fr, "an empty frame");
	else if (t->chat &&
	    (t->hardened ||
		ca_hchat_is_key(fr->buf + FRAME_HDR, fr->len - FRAME_HDR)))
		hchat(fr, t);
	else if (t->chat)
		chat(fr, t);
	else if ((fr->dir == TRACE_SENT) == (t->server != 0))
		from_ca(fr, t);
	else
		to_ca(fr, t);
}
