/*
 * e2e: what the relay's two services of seed 002 share (e2e.c routed
 * messaging, e2e_upload.c file upload): the server's key pair and the
 * shared client public key, which each service loads into its state, and
 * the block layer (one 256-byte RSA-OAEP-SHA256 block per frame).
 */
#ifndef PK_RELAY_E2E_H
#define PK_RELAY_E2E_H

#include <sys/types.h>

#include <limits.h>
#include <stddef.h>
#include <stdint.h>

#include "e2ewire.h"
#include "key.h"
#include "service.h"

/*
 * The keys: the state of each service (service.h's init) begins with
 * them, so that e2e_block and e2e_send find them from the conn.
 */
struct e2e_keys {
	struct key_rsa server; /* STATE/e2e.key */
	struct key_rsa client; /* STATE/e2e-client.pub (faithful) */
	int hardened; /* pk-relay --hardened: e2e_profile.c */
	char clients[PATH_MAX]; /* hardened: STATE/e2e-clients */
};

/*
 * What every connection's data (conn_set_data) of both services begins
 * with: the hardened profile's state of the client (e2e_profile.c), NULL
 * when faithful.
 */
struct e2e_hard;
struct e2e_who {
	struct e2e_hard *h;
};

/* Loads STATE/e2e.key and STATE/e2e-client.pub; 0 or -1 (logged). */
int e2e_keys_init(struct relay_ctx *, const char *service, struct e2e_keys *);
void e2e_keys_fini(struct e2e_keys *);

/*
 * Takes the frame at the front of data and decrypts its block with the
 * server key into m (E2E_BLOCK bytes of room), setting *mlen and *used.
 * Returns 1 for a block, 0 when the frame is incomplete, 2 for a frame
 * of the hardened profile's that holds nothing for the service (a hello:
 * *used is set), -1 after a protocol error (a frame that is not one 256-byte
 * block, or a block that does not decrypt: E2E_ERR_DECRYPT is queued first, so
 * that a client with the wrong server key learns why it is dropped).
 */
int e2e_block(struct conn *, const uint8_t *data, size_t len, uint8_t *m,
    size_t *mlen, size_t *used);

/* Encrypts text to the client key and queues it in one frame; 0 or -1. */
int e2e_send(struct conn *, const void *text, size_t len);

/*
 * e2e_profile.c: the hardened profile, all of it (docs/e2e.md
 * "Profiles").  e2ep_keys loads the server key (PBES2 only) in place of
 * the faithful keys; e2ep_connect and e2ep_close keep a client's state
 * in who; e2ep_frame takes a hardened frame's payload (the hello, or a
 * block it opens into m, keeping a message's signature), returning as
 * e2e_block; e2ep_send seals text to the client's own key, with sig (a
 * forwarded message's) or NULL; e2ep_name is the client's name (NULL
 * before its hello); e2ep_sig the signature of its last block, or NULL.
 */
int e2ep_keys(struct relay_ctx *, const char *service, struct e2e_keys *);
int e2ep_connect(struct conn *, struct e2e_who *);
void e2ep_close(struct e2e_who *);
int e2ep_frame(struct conn *, const uint8_t *data, size_t used,
    const uint8_t *p, size_t plen, uint8_t *m, size_t *mlen);
int e2ep_send(struct conn *, const void *text, size_t len, const uint8_t *sig);
const char *e2ep_name(const struct conn *);
const uint8_t *e2ep_sig(const struct conn *);
/* The relay shows a frame with the plaintext under it (e2e.c). */
void e2e_show(struct conn *, enum trace_dir, const uint8_t *frame, size_t len,
    const uint8_t *text, size_t tlen);

/*
 * pk-relay --trace: names a frame e2e_block or e2e_send shows (with the
 * plaintext they hold), for each service's trace callback; first: the
 * client's next block is an upload's header.
 */
void e2e_trace_conn(struct trace_frame *, int upload, int first);

#endif
