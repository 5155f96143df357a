/*
 * kmwire: the words of the key manager protocol (seed 000), shared by
 * the relay service (relay/keymanager.c), its client (xfer/keymanager*.c)
 * and the fuzz target.  Every message is one lib/frame.h frame.
 */
#ifndef PK_KMWIRE_H
#define PK_KMWIRE_H

#include <stddef.h>
#include <stdint.h>

#define KM_FRAME_MAX 4096 /* largest control frame either side accepts */
#define KM_CMD_MAX 64 /* longest text command */
#define KM_BLOCK 16
#define KM_CONFIRM_LEN 51 /* the constant, as in the original */
#define KM_CONFIRM_PADDED 64 /* PKCS#7-padded: what goes on the wire */

/*
 * The original's confirmation constant, byte for byte: 40 ASCII bytes
 * and 11 fixed binary bytes (a free known plaintext for every session K).
 */
#define KM_CONFIRM                                                             \
	"This message is to confirm key receival "                             \
	"\x0a\x64\xc8\x0f\x11\x13\x05\x04\x03\x02\x01"

#define KM_HELLO                                                               \
	"Hello client #%u! Welcome to encrypted files sender! Type your "      \
	"commands to the command line!"
#define KM_WAITERS                                                             \
	"select a peer to send a message\nyour next command should be "        \
	"'conn <peer_id> <enc_mode>\nlist of available waiters:\n"
#define KM_NO_WAITERS "No waiters at the moment. Try again later."
#define KM_KEY_ERROR "key error" /* to a client whose confirmation failed */
#define KM_PEER_ERROR "peer error" /* to the sender: the waiter failed */
#define KM_PEER_KEY_ERROR "peer key error" /* to the waiter: the sender did */
#define KM_NOTIFY "I will notify your peer"
#define KM_SEND_DATA "send_data"
#define KM_SIZES_OK "alles gut"
#define KM_SIZES_BAD "sizes don't match"
#define KM_UNEXPECTED "unexpected command"

enum km_mode { KM_CBC = 1, KM_CFB = 2 };

enum km_type {
	KM_BAD = -1, /* neither text nor a confirmation block */
	KM_UNKNOWN = 0, /* printable text that is no command */
	KM_WAIT, /* wait PORT */
	KM_SEND, /* send */
	KM_CONN, /* conn ID cbc|cfb */
	KM_GET_KEY, /* get key */
	KM_GET_IV, /* get iv */
	KM_START, /* start */
	KM_SIZE, /* size N */
	KM_END, /* end */
	KM_CONFIRM_MSG, /* the 64-byte encrypted confirmation */
	KM_PUBKEY, /* hardened: `pubkey ` and the client's SPKI DER */
	KM_CONFIRM_MAC, /* hardened: `confirm ` and HMAC-SHA256 */
};

struct km_msg {
	enum km_type type;
	unsigned id; /* conn */
	enum km_mode mode; /* conn */
	uint16_t port; /* wait */
	uint64_t count; /* size */
	const uint8_t *blob; /* the confirmation, the MAC, the key's DER */
	size_t blob_len;
};

#define KM_K3_FILE_MAX 80 /* largest K3 file: 32 hex digits and slack */

/*
 * Decodes a K3 file's contents (16 raw bytes, or 32 hex digits as
 * `pk-keygen aes -b 128` writes them) into key; 0, or -1 if it is neither.
 */
int km_k3_decode(const uint8_t *buf, size_t len, uint8_t key[KM_BLOCK]);

/*
 * Parses one frame's payload (kmwire.c); returns m->type.  It knows both
 * profiles' frames: the relay tells a client on the other profile by them.
 */
enum km_type km_parse(const uint8_t *p, size_t len, struct km_msg *m);
const char *km_mode_name(enum km_mode);

#endif
