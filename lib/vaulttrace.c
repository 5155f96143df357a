/*
 * vaulttrace: the one decoder of a vault frame (seed 001) for every trace.
 * The header fields, then the payload fields of the code's vault_layout:
 * integers with their value, names as their text and their NUL padding,
 * the public key with the SHA-256 of its SubjectPublicKeyInfo, an 828's
 * content as ciphertext blocks, the zeros after the last packet's
 * ciphertext, and the plaintext (its PKCS#7 padding apart) when the
 * tracing side holds the key.
 */
#include <stdio.h>
#include <string.h>

#include <nettle/aes.h>
#include <nettle/cbc.h>
#include <nettle/sha2.h>

#include "secret.h"
#include "trace.h"
#include "vaultseal.h"
#include "vaultwire.h"

/* Each code's step, as docs/vault.md's "Fields on the wire" names it. */
static const struct {
	uint16_t code;
	const char *step;
} steps[] = {
    {VAULT_REGISTER, "register"},
    {VAULT_SEND_PUBKEY, "send_public_key"},
    {VAULT_RECONNECT, "reconnect"},
    {VAULT_SEND_FILE, "send_file"},
    {VAULT_CRC_OK, "crc_ok"},
    {VAULT_CRC_RETRY, "crc_retry"},
    {VAULT_CRC_FAIL, "crc_fail"},
    {VAULT_REGISTERED, "registered"},
    {VAULT_NAME_TAKEN, "name_taken"},
    {VAULT_AES_KEY, "aes_key"},
    {VAULT_FILE_CRC, "file_received"},
    {VAULT_THANKS, "thanks"},
    {VAULT_RECONNECT_OK, "reconnect_approved"},
    {VAULT_RECONNECT_DENIED, "reconnect_denied"},
    {VAULT_SERVER_ERROR, "server_error"},
};

/* The hardened profile's frames that differ (docs/vault.md, "Profiles"). */
static const struct {
	uint16_t code;
	const char *step;
} hardened_steps[] = {
    {VAULT_SEND_FILE, "send_file_hardened"},
    {VAULT_RECONNECT_PROOF, "reconnect_proof"},
    {VAULT_CRC_OK, "receipt_ok"},
    {VAULT_CRC_RETRY, "receipt_retry"},
    {VAULT_CRC_FAIL, "receipt_fail"},
    {VAULT_FILE_CRC, "file_received_hardened"},
    {VAULT_CHALLENGE, "reconnect_challenge"},
};

static const char *
step_of(uint16_t code, int hardened)
{
	size_t i;

	for (i = 0;
	     hardened && i < sizeof(hardened_steps) / sizeof(hardened_steps[0]);
	     i++)
		if (hardened_steps[i].code == code)
			return hardened_steps[i].step;
	for (i = 0; i < sizeof(steps) / sizeof(steps[0]); i++)
		if (steps[i].code == code)
			return steps[i].step;
	return "unknown";
}

/* A name field: its text up to the NUL, then the NULs to 255 bytes. */
static void
name_field(struct trace_frame *fr, const char *name, size_t off)
{
	const uint8_t *p = fr->buf + off, *nul = memchr(p, '\0', VAULT_NAME);
	size_t n = nul != NULL ? (size_t)(nul - p) : VAULT_NAME;
	struct trace_field *f;

	trace_add(fr, name, off, n, TRACE_TEXT);
	if (n == 0 || n == VAULT_NAME)
		trace_bad(fr, "name empty or not NUL-terminated");
	if (n == VAULT_NAME)
		return;
	f = trace_add(fr,
	    strcmp(name, "name") == 0 ? "name_padding" : "file_name_padding",
	    off + n, VAULT_NAME - n, TRACE_BYTES);
	if (f != NULL)
		f->note = "NULs to 255 bytes";
}

/* The public key's note: "sha256:" and the SHA-256 of the SPKI DER. */
static void
spki_note(struct trace_frame *fr, struct trace_field *f, struct vault_trace *t)
{
	uint8_t md[SHA256_DIGEST_SIZE];
	struct sha256_ctx ctx;
	size_t i;

	sha256_init(&ctx);
	sha256_update(&ctx, f->len, fr->buf + f->off);
	sha256_digest(&ctx, sizeof(md), md);
	memcpy(t->note, "sha256:", 7);
	for (i = 0; i < sizeof(md); i++)
		snprintf(t->note + 7 + 2 * i, 3, "%02x", md[i]);
	f->note = t->note;
}

/* The PKCS#7 padding at the end of p's n bytes: its length, or 0. */
static size_t
padding(const uint8_t *p, size_t n)
{
	size_t pad = n > 0 ? p[n - 1] : 0, i;

	if (pad == 0 || pad > AES_BLOCK_SIZE || pad > n)
		return 0;
	for (i = n - pad; i < n; i++)
		if (p[i] != pad)
			return 0;
	return pad;
}

/*
 * The plaintext of the n bytes of content at off, packet number, and in
 * the last packet its padding apart.
 */
static void
plain(struct trace_frame *fr, size_t off, size_t n, uint16_t number, int last,
    struct vault_trace *t)
{
	struct aes256_ctx aes;
	size_t pad = 0;

	if (n == 0 || n % AES_BLOCK_SIZE != 0)
		return;
	if (number == 0)
		memset(t->iv, 0, sizeof(t->iv));
	if (number == 0)
		snprintf(t->with, sizeof(t->with),
		    "AES-256-CBC, the session key, IV zero");
	else
		snprintf(t->with, sizeof(t->with),
		    "AES-256-CBC, the session key, IV = the last "
		    "ciphertext block of packet %u",
		    (unsigned)(uint16_t)(number - 1));
	aes256_set_decrypt_key(&aes, t->aes);
	cbc_decrypt(&aes, (nettle_cipher_func *)aes256_decrypt, AES_BLOCK_SIZE,
	    t->iv, n, t->plain, fr->buf + off);
	secret_wipe(&aes, sizeof(aes));
	if (last)
		pad = padding(t->plain, n);
	if (n > pad)
		trace_plain(fr, "plaintext", t->plain, n - pad, t->with);
	if (pad > 0)
		trace_plain(fr, "pkcs7_padding", t->plain + n - pad, pad,
		    "PKCS#7: the last byte says how many to strip");
}

/*
 * An 828's content at off: the packet's share of the ciphertext (the
 * last packet's is shorter, then zeros).  The number is modulo 2^16, so
 * past 65535 packets an earlier packet of the last one's number is taken
 * for the last.
 */
static void
content(struct trace_frame *fr, size_t hdr, size_t off, struct vault_trace *t)
{
	struct vault_packet p;
	uint32_t total;
	size_t n = VAULT_PACKET;
	struct trace_field *f;
	int last = 0;

	vault_get_packet(fr->buf + hdr, &p);
	total = vault_total_packets(p.content_size);
	if (total == 0 || p.total != (uint16_t)total)
		trace_bad(fr, "total_packets does not match content_size");
	else if ((last = p.number == (uint16_t)(total - 1)))
		n = p.content_size - (size_t)(total - 1) * VAULT_PACKET;
	trace_add(fr, "content", off, n, TRACE_CIPHER);
	if (t->aes != NULL)
		plain(fr, off, n, p.number, last, t);
	if (n < VAULT_PACKET &&
	    (f = trace_add(fr, "zero_fill", off + n, VAULT_PACKET - n,
		 TRACE_BYTES)) != NULL)
		f->note = "after the last ciphertext byte";
}

/*
 * A hardened 828's content at off (its nonce before it, its tag after
 * it): the plaintext when the tag verifies under the session's upload
 * key, with the packet's true number (t->index) in the associated data.
 */
static void
sealed(struct trace_frame *fr, size_t hdr, size_t off, struct vault_trace *t)
{
	struct vault_packet p;
	struct vault_keys k;
	uint8_t aad[VAULT_AAD];
	uint32_t total;
	size_t n = VAULT_PACKET;
	struct trace_field *f;

	vault_get_packet_hardened(fr->buf + hdr, &p);
	total = vault_total_packets(p.content_size);
	if (total == 0 || p.total != (uint16_t)total)
		trace_bad(fr, "total_packets does not match content_size");
	else if (p.number == (uint16_t)(total - 1))
		n = p.content_size - (size_t)(total - 1) * VAULT_PACKET;
	trace_add(fr, "content", off, n, TRACE_CIPHER);
	if (p.number == 0)
		t->index = 0;
	if (t->aes != NULL) {
		vault_keys_derive(&k, t->aes);
		vault_aad(aad, fr->buf, t->index);
		if (vault_open(k.upload, p.nonce, aad, p.content, n, t->plain,
			p.tag) == 0) {
			snprintf(t->with, sizeof(t->with),
			    "AES-256-GCM, the upload key, packet %u: the tag "
			    "verifies",
			    (unsigned)t->index);
			trace_plain(fr, "plaintext", t->plain, n, t->with);
		} else
			snprintf(t->note, sizeof(t->note),
			    "does not verify: nothing decrypted");
		secret_wipe(&k, sizeof(k));
	}
	t->index++;
	if (n < VAULT_PACKET &&
	    (f = trace_add(fr, "zero_fill", off + n, VAULT_PACKET - n,
		 TRACE_BYTES)) != NULL)
		f->note = "after the last ciphertext byte";
}

static void
payload(struct trace_frame *fr, const struct vault_layout *l, size_t hdr,
    struct vault_trace *t)
{
	int hardened = fr->buf[hdr - VAULT_RESP_HDR] == VAULT_VERSION_HARDENED;

	const struct vault_field *d;
	struct trace_field *f;
	size_t i;

	for (i = 0; i < l->nfields; i++) {
		d = &l->fields[i];
		switch (d->type) {
		case VF_U16:
			trace_uint(fr, d->name, hdr + d->off, 2, 1);
			break;
		case VF_U32:
			trace_uint(fr, d->name, hdr + d->off, 4, 1);
			break;
		case VF_NAME:
			name_field(fr, d->name, hdr + d->off);
			break;
		case VF_CONTENT:
			t->note[0] = '\0';
			if (hardened)
				sealed(fr, hdr, hdr + d->off, t);
			else
				content(fr, hdr, hdr + d->off, t);
			break;
		case VF_BYTES:
			f = trace_add(
			    fr, d->name, hdr + d->off, d->size, TRACE_BYTES);
			if (f != NULL && d->size == VAULT_PUBKEY)
				spki_note(fr, f, t);
			if (f != NULL && strcmp(d->name, "tag") == 0 &&
			    t->note[0])
				f->note = t->note;
			break;
		}
	}
}

void
vault_trace(struct trace_frame *fr, int request, struct vault_trace *t)
{
	const struct vault_layout *l;
	size_t hdr = request ? VAULT_REQ_HDR : VAULT_RESP_HDR;
	size_t h = hdr - VAULT_RESP_HDR;
	struct trace_field *f;
	uint16_t code;
	uint32_t size;
	int hardened;

	if (fr->len < hdr) {
		trace_bad(fr, "shorter than a header");
		return;
	}
	if (request)
		trace_add(fr, "client_id", 0, VAULT_ID, TRACE_BYTES);
	f = trace_uint(fr, "version", h, 1, 1);
	hardened = f->num == VAULT_VERSION_HARDENED;
	if (hardened)
		f->note = "hardened profile";
	else if (f->num != VAULT_VERSION)
		trace_bad(fr, "version is not 3 (faithful) or 4 (hardened)");
	f = trace_uint(fr, "code", h + 1, 2, 1);
	code = (uint16_t)f->num;
	fr->step = step_of(code, hardened);
	l = vault_layout_profile(code, hardened);
	f->note = l != NULL ? l->label : "unknown code";
	size = (uint32_t)trace_uint(fr, "payload_size", h + 3, 4, 1)->num;
	if (l == NULL || (request != 0) != (code < 1000))
		trace_bad(fr, "not a code of this direction");
	else if (size != l->size)
		trace_bad(fr, "payload_size is not the code's");
	else if (fr->len - hdr < size)
		trace_bad(fr, "shorter than its payload_size");
	else {
		if (fr->len - hdr > size)
			trace_bad(fr, "longer than its payload_size");
		payload(fr, l, hdr, t);
	}
}
