/*
 * e2e: what the relay's two services of seed 002 share (e2e.c routed
 * messaging, e2e_upload.c file upload): the server's key pair and the
 * shared client public key, which each service loads into its state, and
 * the block layer (one 256-byte RSA-OAEP-SHA256 block per frame).
 */
#ifndef PK_RELAY_E2E_H
#define PK_RELAY_E2E_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "e2ewire.h"
#include "key.h"
#include "service.h"

/*
 * The keys: the state of each service (service.h's init) begins with
 * them, so that e2e_block and e2e_send find them from the conn.
 */
struct e2e_keys {
	struct key_rsa server; /* STATE/e2e.key */
	struct key_rsa client; /* STATE/e2e-client.pub */
};

/* Loads STATE/e2e.key and STATE/e2e-client.pub; 0 or -1 (logged). */
int e2e_keys_init(struct relay_ctx *, const char *service, struct e2e_keys *);
void e2e_keys_fini(struct e2e_keys *);

/*
 * Takes the frame at the front of data and decrypts its block with the
 * server key into m (E2E_BLOCK bytes of room), setting *mlen and *used.
 * Returns 1 for a block, 0 when the frame is incomplete, -1 after a
 * protocol error (a frame that is not one 256-byte block, or a block that
 * does not decrypt: E2E_ERR_DECRYPT is queued first, so that a client
 * with the wrong server key learns why it is dropped).
 */
int e2e_block(struct conn *, const uint8_t *data, size_t len, uint8_t *m,
    size_t *mlen, size_t *used);

/* Encrypts text to the client key and queues it in one frame; 0 or -1. */
int e2e_send(struct conn *, const void *text, size_t len);

/*
 * pk-relay --trace: names a frame e2e_block or e2e_send shows (with the
 * plaintext they hold), for each service's trace callback; first: the
 * client's next block is an upload's header.
 */
void e2e_trace_conn(struct trace_frame *, int upload, int first);

#endif
