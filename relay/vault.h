/*
 * vault: the declarations shared by the relay's vault service (seed 001,
 * the course file vault): vault.c (the service and the key requests),
 * vault_session.c (828 packets and the CRC answers), vault_upload.c (one
 * upload decrypted into a temporary file) and vault_db.c (its tables).
 */
#ifndef PK_RELAY_VAULT_H
#define PK_RELAY_VAULT_H

#include <sys/queue.h>

#include <limits.h>
#include <stddef.h>
#include <stdint.h>

#include "service.h"
#include "vaultwire.h"

#define VAULT_AES 32 /* AES-256 key bytes */
#define VAULT_SERVICE "vault"
#define VAULT_FILES "vault" /* its folder: STATE/files/vault/<id>/<name> */

/*
 * The service's state (service.h's init): the files in flight, each
 * uploading or waiting for its CRC answer (vault_session.c).
 */
struct vault_session;
struct vault_challenge;
struct vdb;
struct vault_state {
	TAILQ_HEAD(, vault_session) sessions;
	LIST_HEAD(, vault_challenge) challenges; /* vault_profile.c */
	struct vdb *db; /* vault_db.c */
	char files[PATH_MAX]; /* STATE/files/vault */
	struct vault_trace *tracing; /* the decoder's state, in conn_trace */
};

/* vault.c */
struct vdb *vault_db(struct conn *); /* the service's statements */
/* Sends a reply, its header in the client's profile. */
int vault_reply(struct conn *, uint16_t code, const uint8_t *, size_t);
/*
 * Makes a fresh AES key, stores it (with spki when store_spki) and sends
 * it wrapped with RSA-OAEP-SHA1 for spki in a `code` response.
 */
int vault_issue_key(struct conn *, const uint8_t id[VAULT_ID],
    const uint8_t spki[VAULT_PUBKEY], int store_spki, uint16_t code);
/*
 * pk-relay --trace: shows one request received or reply sent, with t
 * (an upload's key and CBC state, moved on past an 828) or none.
 */
void vault_trace_frame(struct conn *, enum trace_dir, const uint8_t *, size_t,
    struct vault_trace *t);
/* Sends 1607, logs "protocol error: why" and is -1, for on_bytes. */
#define vault_refuse(c, ...)                                                   \
	(vault_reply((c), VAULT_SERVER_ERROR, NULL, 0),                        \
	    conn_protocol_error((c), __VA_ARGS__))

/* vault_session.c: requests 828, 900, 901 and 902. */
int vault_session_packet(struct conn *, const struct vault_msg *);
int vault_session_answer(struct conn *, const struct vault_msg *);
void vault_session_close(struct conn *);
void vault_session_fini(struct vault_state *);

/* vault_db.c: every function returns -1 on a database error (logged). */
struct vdb_client {
	uint8_t name[VAULT_NAME]; /* NUL-terminated */
	uint8_t pubkey[VAULT_PUBKEY];
	int has_pubkey;
};

/* Prepares the statements into *d; vdb_fini finalizes and frees them. */
int vdb_init(struct relay_ctx *, struct vdb **d);
void vdb_fini(struct vdb *);
/*
 * Registers name under id: 0, 1 name taken, 2 id taken.  With old not
 * NULL, first forgets old if it is name's record without a public key
 * (a denied reconnect registers again), in the same transaction.
 */
int vdb_register(struct vdb *, const uint8_t *old, const uint8_t id[VAULT_ID],
    const uint8_t *name, size_t len);
/* 1 found, 0 unknown id (a read: last_seen is not touched). */
int vdb_client(struct vdb *, const uint8_t id[VAULT_ID], struct vdb_client *);
/* Stores a new AES key (and the public key unless NULL); 1, or 0 unknown. */
int vdb_set_keys(struct vdb *, const uint8_t id[VAULT_ID],
    const uint8_t *pubkey, const uint8_t aes[VAULT_AES]);
/* last_seen now: 1, or 0 for an unknown id. */
int vdb_touch(struct vdb *, const uint8_t id[VAULT_ID]);
/* The AES key, last_seen now: 1, 0 unknown id, 2 no key yet. */
int vdb_aes_key(
    struct vdb *, const uint8_t id[VAULT_ID], uint8_t aes[VAULT_AES]);
/* Records a verified file and touches its client in one transaction. */
int vdb_file_verified(struct vdb *, const uint8_t id[VAULT_ID],
    const uint8_t *name, size_t len, const char *path);

/*
 * vault_profile.c: the hardened profile's differences.  An approved 827
 * gets a challenge (1608); 829 answers it with a signature, and only then
 * 1605.  An upload's packets open with hard_open (0, or -1 when the tag
 * does not verify: out wiped), its receipt comes from hard_receipt.
 */
int vault_hard_challenge(struct conn *, const struct vault_msg *);
int vault_hard_proof(struct conn *, const struct vault_msg *);
void vault_hard_close(struct conn *);
void vault_hard_fini(struct vault_state *);
struct vault_hard;
struct vault_packet;
struct vault_hard *hard_new(const uint8_t secret[VAULT_AES],
    const uint8_t id[VAULT_ID], const uint8_t name[VAULT_NAME], uint32_t size);
int hard_open(struct vault_hard *, const struct vault_packet *, uint32_t index,
    size_t n, uint8_t *out);
void hard_receipt(struct vault_hard *, uint8_t mac[VAULT_RECEIPT]);
void hard_free(struct vault_hard *);

/* vault_upload.c */
struct vault_upload;

/*
 * Makes dir (0700) and a temporary file dir/.name.XXXXXX (0600), whose
 * path goes to tmp, and keys the decryption: with hard NULL, AES-256-CBC
 * under key; else hard's (the upload owns it from now on).  Returns NULL
 * with errno set.
 */
struct vault_upload *upload_open(const char *dir, const char *name,
    const uint8_t key[VAULT_AES], struct vault_hard *hard, char *tmp,
    size_t tmpsize);
/*
 * Decrypts n bytes (a multiple of 16) of ciphertext in order.  At the last
 * packet it checks and strips the padding, writes the rest, fsyncs and
 * closes the file, and sets *cksum.  0 ok; -1 with errno on a write error;
 * UPLOAD_EPAD when the padding is bad.
 */
#define UPLOAD_EPAD (-2)
int upload_packet(struct vault_upload *, const uint8_t *, size_t n, int last,
    uint32_t *cksum);
/*
 * The same for a hardened packet p, index its true number: UPLOAD_EPAD
 * when it does not verify; at the last one the receipt goes to mac.
 */
int upload_sealed(struct vault_upload *, const struct vault_packet *p,
    uint32_t index, size_t n, int last, uint8_t mac[VAULT_RECEIPT]);
/* Wipes the key and frees; closes the file if still open. */
void upload_free(struct vault_upload *);
/* Renames a finished tmp to dir/name and makes the rename durable. */
int upload_commit(const char *tmp, const char *dir, const char *name);
/* Removes dot-files left in files/<id>/ by an earlier run. */
int upload_sweep(const char *files);

#endif
