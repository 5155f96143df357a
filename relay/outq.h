/*
 * outq: a client's output queue for the relay core (conn.c), a list of
 * runs of reference-counted blobs.  Bytes sent to one client are copied
 * into a blob of that queue's own (appended to its last one while there is
 * room); a blob sent to many clients (a chat message fanned out to a room)
 * is held once and referenced by each queue.  Every byte allocated, blobs
 * and runs, is counted in the size_t the blobs and queues point to: the
 * relay's total against --max-queued.
 */
#ifndef PK_RELAY_OUTQ_H
#define PK_RELAY_OUTQ_H

#include <sys/uio.h>

#include <stddef.h>
#include <stdint.h>

struct conn_blob {
	size_t refs;
	size_t len;
	size_t cap;
	size_t *total; /* counts sizeof(*this) + cap */
	uint8_t data[];
};

struct outq_seg {
	struct outq_seg *next;
	struct conn_blob *b;
	size_t off, end; /* queued: b->data[off..end) */
};

struct outq {
	struct outq_seg *head, *tail;
	size_t *total;
};

/* A blob of cap bytes holding the len first from p; NULL on no memory. */
struct conn_blob *outq_blob_new(
    size_t *total, const void *p, size_t len, size_t cap);
void outq_blob_unref(struct conn_blob *);

void outq_init(struct outq *, size_t *total);
/* The bytes outq_copy(len) would allocate. */
size_t outq_cost(const struct outq *, size_t len);
/* Appends a copy of len bytes; 0, or -1 on no memory. */
int outq_copy(struct outq *, const void *, size_t len);
/* Appends b->data[off..b->len), uncopied; 0, or -1 on no memory. */
int outq_ref(struct outq *, struct conn_blob *, size_t off);
/* Points iov[0..max) at the front of the queue; returns how many. */
int outq_iov(const struct outq *, struct iovec *, int max);
/* Drops n bytes (at most what is queued) from the front. */
void outq_consume(struct outq *, size_t n);
void outq_clear(struct outq *);

#endif
