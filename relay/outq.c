/*
 * outq: the output queues of pk-relay's clients as runs of shared,
 * reference-counted blobs (outq.h), so that a message fanned out to a room
 * costs one copy, not one per member.
 */
#include <stdlib.h>
#include <string.h>

#include "outq.h"

#define OUTQ_BLOB_MIN 4096 /* a queue's own blob: at least this many bytes */

struct conn_blob *
outq_blob_new(size_t *total, const void *p, size_t len, size_t cap)
{
	struct conn_blob *b;

	if ((b = malloc(sizeof(*b) + cap)) == NULL)
		return NULL;
	b->refs = 1;
	b->len = len;
	b->cap = cap;
	b->total = total;
	if (len > 0)
		memcpy(b->data, p, len);
	*total += sizeof(*b) + cap;
	return b;
}

void
outq_blob_unref(struct conn_blob *b)
{
	if (b == NULL || --b->refs > 0)
		return;
	*b->total -= sizeof(*b) + b->cap;
	free(b);
}

void
outq_init(struct outq *q, size_t *total)
{
	q->head = q->tail = NULL;
	q->total = total;
}

/* The last blob, if it is this queue's own and len more bytes fit. */
static struct conn_blob *
outq_room(const struct outq *q, size_t len)
{
	const struct outq_seg *s = q->tail;

	if (s == NULL || s->b->refs != 1 || s->end != s->b->len ||
	    s->b->cap - s->b->len < len)
		return NULL;
	return s->b;
}

size_t
outq_cost(const struct outq *q, size_t len)
{
	if (outq_room(q, len) != NULL)
		return 0;
	return sizeof(struct outq_seg) + sizeof(struct conn_blob) +
	    (len > OUTQ_BLOB_MIN ? len : OUTQ_BLOB_MIN);
}

static int
outq_push(struct outq *q, struct conn_blob *b, size_t off)
{
	struct outq_seg *s;

	if ((s = malloc(sizeof(*s))) == NULL)
		return -1;
	*q->total += sizeof(*s);
	s->next = NULL;
	s->b = b;
	s->off = off;
	s->end = b->len;
	if (q->tail != NULL)
		q->tail->next = s;
	else
		q->head = s;
	q->tail = s;
	return 0;
}

int
outq_copy(struct outq *q, const void *p, size_t len)
{
	struct conn_blob *b;

	if ((b = outq_room(q, len)) != NULL) {
		memcpy(b->data + b->len, p, len);
		b->len += len;
		q->tail->end = b->len;
		return 0;
	}
	b = outq_blob_new(
	    q->total, p, len, len > OUTQ_BLOB_MIN ? len : OUTQ_BLOB_MIN);
	if (b == NULL)
		return -1;
	if (outq_push(q, b, 0) == -1) {
		outq_blob_unref(b);
		return -1;
	}
	return 0;
}

int
outq_ref(struct outq *q, struct conn_blob *b, size_t off)
{
	if (outq_push(q, b, off) == -1)
		return -1;
	b->refs++;
	return 0;
}

int
outq_iov(const struct outq *q, struct iovec *iov, int max)
{
	const struct outq_seg *s;
	int n;

	for (s = q->head, n = 0; s != NULL && n < max; s = s->next, n++) {
		iov[n].iov_base = s->b->data + s->off;
		iov[n].iov_len = s->end - s->off;
	}
	return n;
}

static void
outq_pop(struct outq *q)
{
	struct outq_seg *s = q->head;

	if ((q->head = s->next) == NULL)
		q->tail = NULL;
	outq_blob_unref(s->b);
	*q->total -= sizeof(*s);
	free(s);
}

void
outq_consume(struct outq *q, size_t n)
{
	size_t k;

	while (n > 0 && q->head != NULL) {
		k = q->head->end - q->head->off;
		if (n < k) {
			q->head->off += n;
			return;
		}
		n -= k;
		outq_pop(q);
	}
}

void
outq_clear(struct outq *q)
{
	while (q->head != NULL)
		outq_pop(q);
}
