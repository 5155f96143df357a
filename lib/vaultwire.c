/*
 * vaultwire: layouts, header codecs and the bounded request/response parser
 * of the vault protocol.  See vaultwire.h and docs/vault.md.
 */
#include <string.h>

#include "vaultwire.h"

#define F(n, o, s, t)                                                          \
	{                                                                      \
		n, o, s, t                                                     \
	}

static const struct vault_field f_name[] = {
    F("name", 0, VAULT_NAME, VF_NAME),
};
static const struct vault_field f_file_name[] = {
    F("file_name", 0, VAULT_NAME, VF_NAME),
};
static const struct vault_field f_pubkey[] = {
    F("name", 0, VAULT_NAME, VF_NAME),
    F("public_key", VAULT_NAME, VAULT_PUBKEY, VF_BYTES),
};
static const struct vault_field f_file[] = {
    F("content_size", 0, 4, VF_U32),
    F("orig_file_size", 4, 4, VF_U32),
    F("packet_number", 8, 2, VF_U16),
    F("total_packets", 10, 2, VF_U16),
    F("file_name", 12, VAULT_NAME, VF_NAME),
    F("content", 12 + VAULT_NAME, VAULT_PACKET, VF_CONTENT),
};
static const struct vault_field f_id[] = {
    F("client_id", 0, VAULT_ID, VF_BYTES),
};
static const struct vault_field f_key[] = {
    F("client_id", 0, VAULT_ID, VF_BYTES),
    F("wrapped_aes_key", VAULT_ID, VAULT_WRAPPED, VF_BYTES),
};
static const struct vault_field f_crc[] = {
    F("client_id", 0, VAULT_ID, VF_BYTES),
    F("content_size", VAULT_ID, 4, VF_U32),
    F("file_name", VAULT_ID + 4, VAULT_NAME, VF_NAME),
    F("cksum", VAULT_ID + 4 + VAULT_NAME, 4, VF_U32),
};

/* The hardened profile's own: 828 and 1603 sealed, 829 and 1608 new. */
static const struct vault_field f_file_h[] = {
    F("content_size", 0, 4, VF_U32),
    F("orig_file_size", 4, 4, VF_U32),
    F("packet_number", 8, 2, VF_U16),
    F("total_packets", 10, 2, VF_U16),
    F("file_name", 12, VAULT_NAME, VF_NAME),
    F("nonce", 12 + VAULT_NAME, VAULT_NONCE, VF_BYTES),
    F("content", 12 + VAULT_NAME + VAULT_NONCE, VAULT_PACKET, VF_CONTENT),
    F("tag", 12 + VAULT_NAME + VAULT_NONCE + VAULT_PACKET, VAULT_TAG, VF_BYTES),
};
static const struct vault_field f_crc_h[] = {
    F("client_id", 0, VAULT_ID, VF_BYTES),
    F("content_size", VAULT_ID, 4, VF_U32),
    F("file_name", VAULT_ID + 4, VAULT_NAME, VF_NAME),
    F("receipt", VAULT_ID + 4 + VAULT_NAME, VAULT_RECEIPT, VF_BYTES),
};
static const struct vault_field f_proof[] = {
    F("name", 0, VAULT_NAME, VF_NAME),
    F("signature", VAULT_NAME, VAULT_SIG, VF_BYTES),
};
static const struct vault_field f_challenge[] = {
    F("client_id", 0, VAULT_ID, VF_BYTES),
    F("challenge", VAULT_ID, VAULT_CHALLENGE_LEN, VF_BYTES),
};

#define L(c, label, size, f)                                                   \
	{                                                                      \
		c, label, size, f, sizeof(f) / sizeof(f[0])                    \
	}

static const struct vault_layout layouts[] = {
    L(VAULT_REGISTER, "register", VAULT_NAME, f_name),
    L(VAULT_SEND_PUBKEY, "send public key", VAULT_NAME + VAULT_PUBKEY,
	f_pubkey),
    L(VAULT_RECONNECT, "reconnect", VAULT_NAME, f_name),
    L(VAULT_SEND_FILE, "send file", 12 + VAULT_NAME + VAULT_PACKET, f_file),
    L(VAULT_CRC_OK, "CRC ok", VAULT_NAME, f_file_name),
    L(VAULT_CRC_RETRY, "CRC wrong, sending again", VAULT_NAME, f_file_name),
    L(VAULT_CRC_FAIL, "CRC wrong, giving up", VAULT_NAME, f_file_name),
    L(VAULT_REGISTERED, "registered", VAULT_ID, f_id),
    {VAULT_NAME_TAKEN, "registration failed", 0, NULL, 0},
    L(VAULT_AES_KEY, "public key received, AES key", VAULT_ID + VAULT_WRAPPED,
	f_key),
    L(VAULT_FILE_CRC, "file received, CRC", VAULT_ID + 4 + VAULT_NAME + 4,
	f_crc),
    L(VAULT_THANKS, "message received", VAULT_ID, f_id),
    L(VAULT_RECONNECT_OK, "reconnect approved, AES key",
	VAULT_ID + VAULT_WRAPPED, f_key),
    L(VAULT_RECONNECT_DENIED, "reconnect denied", VAULT_ID, f_id),
    {VAULT_SERVER_ERROR, "general server error", 0, NULL, 0},
};

static const struct vault_layout hardened_layouts[] = {
    L(VAULT_SEND_FILE, "send file, sealed",
	12 + VAULT_NAME + VAULT_NONCE + VAULT_PACKET + VAULT_TAG, f_file_h),
    L(VAULT_RECONNECT_PROOF, "reconnect proof", VAULT_NAME + VAULT_SIG,
	f_proof),
    L(VAULT_CRC_OK, "receipt ok", VAULT_NAME, f_file_name),
    L(VAULT_CRC_RETRY, "receipt wrong, sending again", VAULT_NAME, f_file_name),
    L(VAULT_CRC_FAIL, "receipt wrong, giving up", VAULT_NAME, f_file_name),
    L(VAULT_FILE_CRC, "file received, receipt",
	VAULT_ID + 4 + VAULT_NAME + VAULT_RECEIPT, f_crc_h),
    L(VAULT_CHALLENGE, "reconnect challenge", VAULT_ID + VAULT_CHALLENGE_LEN,
	f_challenge),
};

const struct vault_layout *
vault_layout_profile(uint16_t code, int hardened)
{
	size_t i;

	for (i = 0; hardened &&
	     i < sizeof(hardened_layouts) / sizeof(hardened_layouts[0]);
	     i++)
		if (hardened_layouts[i].code == code)
			return &hardened_layouts[i];
	return vault_layout(code);
}

const struct vault_layout *
vault_layout(uint16_t code)
{
	size_t i;

	for (i = 0; i < sizeof(layouts) / sizeof(layouts[0]); i++)
		if (layouts[i].code == code)
			return &layouts[i];
	return NULL;
}

const char *
vault_strerror(int err)
{
	switch (err) {
	case VAULT_OK:
		return "ok";
	case VAULT_NEED_MORE:
		return "incomplete message";
	case VAULT_EVERSION:
		return "wrong version";
	case VAULT_ECODE:
		return "unknown code";
	case VAULT_ESIZE:
		return "payload size does not match the code";
	case VAULT_ENAME:
		return "name empty or not NUL-terminated";
	case VAULT_EPACKET:
		return "packet number not below the total";
	case VAULT_ETOTAL:
		return "total packets do not match the content size";
	case VAULT_EPROFILE:
		return "the other profile's version";
	}
	return "unknown error";
}

void
vault_put_u16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
}

void
vault_put_u32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
	p[2] = (uint8_t)(v >> 16);
	p[3] = (uint8_t)(v >> 24);
}

uint16_t
vault_get_u16(const uint8_t *p)
{
	return (uint16_t)(p[0] | p[1] << 8);
}

uint32_t
vault_get_u32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	    (uint32_t)p[3] << 24;
}

void
vault_put_req_hdr(
    uint8_t *out, const uint8_t id[VAULT_ID], uint16_t code, uint32_t size)
{
	memcpy(out, id, VAULT_ID);
	out[VAULT_ID] = VAULT_VERSION;
	vault_put_u16(out + VAULT_ID + 1, code);
	vault_put_u32(out + VAULT_ID + 3, size);
}

void
vault_put_resp_hdr(uint8_t *out, uint16_t code, uint32_t size)
{
	out[0] = VAULT_VERSION;
	vault_put_u16(out + 1, code);
	vault_put_u32(out + 3, size);
}

void
vault_put_profile(uint8_t *hdr, int request, int hardened)
{
	hdr[request ? VAULT_ID : 0] =
	    hardened ? VAULT_VERSION_HARDENED : VAULT_VERSION;
}

int
vault_put_name(uint8_t *field, const char *name)
{
	size_t n = strlen(name);

	if (n == 0 || n >= VAULT_NAME)
		return -1;
	memset(field, 0, VAULT_NAME);
	memcpy(field, name, n);
	return 0;
}

int
vault_get_name(const uint8_t *field)
{
	const uint8_t *nul = memchr(field, '\0', VAULT_NAME);

	if (nul == NULL || nul == field)
		return -1;
	return (int)(nul - field);
}

uint32_t
vault_total_packets(uint32_t content_size)
{
	return content_size / VAULT_PACKET + (content_size % VAULT_PACKET != 0);
}

void
vault_get_packet(const uint8_t *payload, struct vault_packet *p)
{
	p->content_size = vault_get_u32(payload);
	p->orig_size = vault_get_u32(payload + 4);
	p->number = vault_get_u16(payload + 8);
	p->total = vault_get_u16(payload + 10);
	p->name = payload + 12;
	p->content = payload + 12 + VAULT_NAME;
	p->nonce = p->tag = NULL;
}

void
vault_get_packet_hardened(const uint8_t *payload, struct vault_packet *p)
{
	vault_get_packet(payload, p);
	p->nonce = payload + 12 + VAULT_NAME;
	p->content = p->nonce + VAULT_NONCE;
	p->tag = p->content + VAULT_PACKET;
}

/*
 * The 16-bit packet fields limit a faithful file to 65535 packets; larger
 * files carry number and total modulo 2^16, as the original client's
 * uint16_t casts do, and the service checks the order.
 */
static int
check_packet(const uint8_t *payload, int hardened)
{
	struct vault_packet p;
	uint32_t total;

	vault_get_packet(payload, &p);
	/* GCM adds no padding: the ciphertext is the plaintext's size. */
	if (hardened && p.content_size != p.orig_size)
		return VAULT_ETOTAL;
	total = vault_total_packets(p.content_size);
	if (total == 0 || p.total != (uint16_t)total)
		return VAULT_ETOTAL;
	if (total <= UINT16_MAX && p.number >= p.total)
		return VAULT_EPACKET;
	return VAULT_OK;
}

static int
check_fields(const struct vault_layout *l, const uint8_t *payload, int hardened)
{
	size_t i;

	for (i = 0; i < l->nfields; i++)
		if (l->fields[i].type == VF_NAME &&
		    vault_get_name(payload + l->fields[i].off) < 0)
			return VAULT_ENAME;
	if (l->code == VAULT_SEND_FILE)
		return check_packet(payload, hardened);
	return VAULT_OK;
}

int
vault_parse_profile(const uint8_t *buf, size_t len, struct vault_msg *m,
    size_t *used, int request, int hardened)
{
	const struct vault_layout *l;
	const uint8_t *h = buf;
	size_t hdr = request ? VAULT_REQ_HDR : VAULT_RESP_HDR;
	uint8_t mine = hardened ? VAULT_VERSION_HARDENED : VAULT_VERSION;
	uint8_t other = hardened ? VAULT_VERSION : VAULT_VERSION_HARDENED;

	if (len < hdr)
		return VAULT_NEED_MORE;
	memset(m->client_id, 0, VAULT_ID);
	if (request) {
		memcpy(m->client_id, buf, VAULT_ID);
		h += VAULT_ID;
	}
	m->version = h[0];
	m->code = vault_get_u16(h + 1);
	m->size = vault_get_u32(h + 3);
	if (m->version == other)
		return VAULT_EPROFILE;
	if (m->version != mine)
		return VAULT_EVERSION;
	l = vault_layout_profile(m->code, hardened);
	if (l == NULL || (request != 0) != (m->code < 1000))
		return VAULT_ECODE;
	if (m->size != l->size)
		return VAULT_ESIZE;
	if (len - hdr < m->size)
		return VAULT_NEED_MORE;
	m->payload = buf + hdr;
	*used = hdr + m->size;
	return check_fields(l, m->payload, hardened);
}

int
vault_parse_request(
    const uint8_t *buf, size_t len, struct vault_msg *m, size_t *used)
{
	return vault_parse_profile(buf, len, m, used, 1, 0);
}

int
vault_parse_response(
    const uint8_t *buf, size_t len, struct vault_msg *m, size_t *used)
{
	return vault_parse_profile(buf, len, m, used, 0, 0);
}
