/*
 * vaultwire: the `vault` protocol's wire format (seed 001, the Open
 * University 20937 course server), shared by the relay's vault service and
 * the pk-xfer client.  Little-endian, fixed-size payloads, NUL-padded names.
 * A table gives each code's payload fields, so the parser, the encoder and
 * the --trace dump agree.  Nothing here prints or allocates.
 */
#ifndef PK_VAULTWIRE_H
#define PK_VAULTWIRE_H

#include <stddef.h>
#include <stdint.h>

#define VAULT_VERSION 3
#define VAULT_VERSION_HARDENED 4 /* the hardened profile's (vaultseal.h) */
#define VAULT_REQ_HDR 23 /* client_id 16, version 1, code 2, size 4 */
#define VAULT_RESP_HDR 7 /* version 1, code 2, size 4 */
#define VAULT_ID 16
#define VAULT_NAME 255
#define VAULT_PUBKEY 160 /* SPKI DER of RSA-1024 with e = 17 */
#define VAULT_WRAPPED 128 /* RSA-1024 OAEP-SHA1 of the AES-256 key */
#define VAULT_PACKET 1024 /* file content per 828 request */
#define VAULT_TRIES 3 /* CRC attempts before 902 */
#define VAULT_NONCE 12 /* hardened: AES-256-GCM nonce per packet */
#define VAULT_TAG 16 /* hardened: its tag */
#define VAULT_RECEIPT 32 /* hardened: HMAC-SHA256 in 1603 */
#define VAULT_CHALLENGE_LEN 32 /* hardened: the reconnect's challenge */
#define VAULT_SIG 128 /* hardened: RSA-1024 PSS signature */
/* The largest request: a hardened 828. */
#define VAULT_MSG_MAX                                                          \
	(VAULT_REQ_HDR + 12 + VAULT_NAME + VAULT_NONCE + VAULT_PACKET +        \
	    VAULT_TAG)

enum vault_code {
	VAULT_REGISTER = 825,
	VAULT_SEND_PUBKEY = 826,
	VAULT_RECONNECT = 827,
	VAULT_SEND_FILE = 828,
	VAULT_RECONNECT_PROOF = 829, /* hardened only */
	VAULT_CRC_OK = 900,
	VAULT_CRC_RETRY = 901,
	VAULT_CRC_FAIL = 902,
	VAULT_REGISTERED = 1600,
	VAULT_NAME_TAKEN = 1601,
	VAULT_AES_KEY = 1602,
	VAULT_FILE_CRC = 1603,
	VAULT_THANKS = 1604,
	VAULT_RECONNECT_OK = 1605,
	VAULT_RECONNECT_DENIED = 1606,
	VAULT_SERVER_ERROR = 1607,
	VAULT_CHALLENGE = 1608, /* hardened only */
};

enum vault_ftype { VF_BYTES, VF_U16, VF_U32, VF_NAME, VF_CONTENT };

struct vault_field {
	const char *name;
	uint16_t off;
	uint16_t size;
	enum vault_ftype type;
};

struct vault_layout {
	uint16_t code;
	const char *label;
	uint32_t size; /* the payload size this code must carry */
	const struct vault_field *fields;
	size_t nfields;
};

/* The layout of a request or response code; NULL for an unknown code. */
const struct vault_layout *vault_layout(uint16_t code);
/* The same in a profile (hardened: 828 and 1603 differ, 829 and 1608). */
const struct vault_layout *vault_layout_profile(uint16_t code, int hardened);

struct vault_msg {
	uint8_t client_id[VAULT_ID]; /* requests only */
	uint8_t version;
	uint16_t code;
	uint32_t size;
	const uint8_t *payload; /* points into the caller's buffer */
};

/* Why a request was refused; vault_strerror names each. */
enum vault_err {
	VAULT_OK = 0,
	VAULT_NEED_MORE = 1, /* not an error: read more bytes */
	VAULT_EVERSION = -1,
	VAULT_ECODE = -2,
	VAULT_ESIZE = -3,
	VAULT_ENAME = -4,
	VAULT_EPACKET = -5,
	VAULT_ETOTAL = -6,
	VAULT_EPROFILE = -7, /* the other profile's version: m->version */
};

const char *vault_strerror(int err);

/*
 * Parses one request from buf: VAULT_NEED_MORE until the header and its
 * payload are there, else VAULT_OK with *used set, or a VAULT_E* code.
 * The header is checked (version, known request code, exact payload size)
 * before the payload is waited for, so a peer cannot make us buffer more
 * than VAULT_MSG_MAX bytes.  Name fields are checked to be NUL-terminated
 * and non-empty; 828's packet numbers and totals are checked for shape.
 */
int vault_parse_request(
    const uint8_t *buf, size_t len, struct vault_msg *m, size_t *used);
/* The same for a response (client side). */
int vault_parse_response(
    const uint8_t *buf, size_t len, struct vault_msg *m, size_t *used);
/*
 * Either of them in a profile: the faithful one is version 3, the
 * hardened one 4; the other profile's version is VAULT_EPROFILE as soon
 * as the header is there.
 */
int vault_parse_profile(const uint8_t *buf, size_t len, struct vault_msg *m,
    size_t *used, int request, int hardened);

/* Header encoders: write VAULT_REQ_HDR or VAULT_RESP_HDR bytes. */
void vault_put_req_hdr(
    uint8_t *out, const uint8_t id[VAULT_ID], uint16_t code, uint32_t size);
void vault_put_resp_hdr(uint8_t *out, uint16_t code, uint32_t size);
/* Sets the version byte of a header just encoded to hardened's or not. */
void vault_put_profile(uint8_t *hdr, int request, int hardened);

/* Little-endian field access. */
void vault_put_u16(uint8_t *p, uint16_t v);
void vault_put_u32(uint8_t *p, uint32_t v);
uint16_t vault_get_u16(const uint8_t *p);
uint32_t vault_get_u32(const uint8_t *p);

/*
 * Name fields: vault_put_name NUL-pads name into VAULT_NAME bytes (-1 if it
 * does not fit with its NUL); vault_get_name returns the length of a valid
 * field (NUL-terminated, non-empty), else -1.
 */
int vault_put_name(uint8_t *field, const char *name);
int vault_get_name(const uint8_t *field);

/*
 * vaulttrace.c: the one decoder of a vault frame, for pk-xfer --trace,
 * pk-relay --trace and the fuzzer.  It names the header fields and, from
 * the layout table, each payload field of the frame in fr (a request when
 * request is set, else a response), as docs/vault.md's "Fields on the
 * wire" names them; fr->step is the code's step name.  Malformed frames
 * are marked (trace_bad), never refused.  t is the tracing side's state,
 * zeroed to start: with t->aes set, an 828's content is decrypted into
 * t->plain and shown under the ciphertext; t->iv follows the CBC chain
 * from packet to packet (reset by packet 0).
 */
struct trace_frame;
struct vault_trace {
	const uint8_t *aes; /* the session's AES-256 key, or NULL */
	uint8_t iv[16]; /* CBC state before the next 828's content */
	uint32_t index; /* hardened: the next 828's true number */
	uint8_t plain[VAULT_PACKET]; /* the plaintext shown */
	char with[96]; /* what opened it */
	char note[96]; /* the public key's fingerprint */
};
void vault_trace(struct trace_frame *fr, int request, struct vault_trace *t);

/* 828 fields, read from a parsed request's payload. */
struct vault_packet {
	uint32_t content_size; /* total ciphertext bytes */
	uint32_t orig_size; /* plaintext bytes */
	uint16_t number; /* 0 .. total - 1 */
	uint16_t total;
	const uint8_t *name; /* VAULT_NAME bytes */
	const uint8_t *content; /* VAULT_PACKET bytes */
	const uint8_t *nonce, *tag; /* hardened; NULL faithful */
};

void vault_get_packet(const uint8_t *payload, struct vault_packet *p);
/* The same for a hardened 828: nonce and tag around the content. */
void vault_get_packet_hardened(const uint8_t *payload, struct vault_packet *p);
/* ceil(content_size / VAULT_PACKET), the total a packet must carry. */
uint32_t vault_total_packets(uint32_t content_size);

#endif
