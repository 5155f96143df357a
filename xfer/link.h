/*
 * link: pk-xfer's one framed TCP connection, shared by the ca, keymanager,
 * chat and e2e clients: connect, listen and accept, lib/frame.h frames of
 * at most max bytes read with one deadline per reply (xfer/deadline.h),
 * raw bytes, writes with one deadline each, close.  Its buffers are wiped
 * after use and on close.  Failures die with exit 2 naming the peer; a
 * malformed frame dies with exit 1.
 */
#ifndef PK_XFER_LINK_H
#define PK_XFER_LINK_H

#include <stddef.h>
#include <stdint.h>

#include "trace.h"

struct link;
/*
 * --trace: each whole frame (its header too) sent or received, and each
 * raw piece (raw set), before it is sent or once it is all read.
 */
typedef void link_trace_fn(void *arg, const struct link *, enum trace_dir,
    const uint8_t *p, size_t len, int raw);

struct link {
	int fd;
	const char *name; /* the peer, for messages */
	const char *gone; /* what its closing means; NULL: connection closed */
	int timeout_ms; /* each reply and each write; -1: no limit */
	long long end; /* link_fill's deadline for the reply; 0: none yet */
	size_t max; /* largest frame payload */
	uint8_t *buf; /* FRAME_HDR + max bytes: read, not yet taken */
	size_t have;
	uint8_t *msg; /* the last frame, NUL-terminated (max + 1 bytes) */
	size_t len;
	link_trace_fn *trace; /* NULL: not traced (link_open's default) */
	void *trace_arg;
};

/* Takes over a connected fd (made blocking, TCP_NODELAY). */
void link_open(
    struct link *l, int fd, const char *name, size_t max, int timeout_ms);
void link_connect(struct link *l, const char *addr, size_t max, int timeout_ms);
/* Closes the socket and wipes the buffers; again is harmless. */
void link_close(struct link *l);
/* The bound of each reply and write from now on; -1: none (a person). */
void link_wait(struct link *l, int timeout_ms);

/*
 * A listener on a free port: of the address near is connected from (so
 * the address its peer sees), or of 127.0.0.1 when near is NULL.
 */
int link_listen(const struct link *near, uint16_t *port);
/*
 * A peer on the listening lfd within timeout_ms (-1: no limit), dying
 * naming who past it; -1 if watch (when not NULL) has something to read
 * first.
 */
int link_accept(
    int lfd, const struct link *watch, int timeout_ms, const char *who);

/*
 * Reads more bytes into buf, all the fills from one link_take to the next
 * within one deadline (a reply the caller parses); 0 at EOF.
 */
size_t link_fill(struct link *l);
/* Drops n bytes from the front of buf, wiped; the next fill starts anew. */
void link_take(struct link *l, size_t n);
/* Reads one frame into msg / len within the deadline; 0 at EOF. */
int link_next(struct link *l);
/* The same, dying at EOF with l->gone. */
void link_read(struct link *l);
/* 1 when a whole frame (or a bad one) is already buffered. */
int link_pending(const struct link *l);
/* len bytes, unframed: what is buffered first. */
void link_read_raw(struct link *l, uint8_t *p, size_t len);

/* Sends one frame; -1 if the peer has gone (EPIPE, ECONNRESET). */
int link_send(struct link *l, const void *p, size_t len);
/* The same, dying if the peer has gone. */
void link_write(struct link *l, const void *p, size_t len);
void link_says(struct link *l, const char *text);
void link_write_raw(struct link *l, const void *p, size_t len);

/* 1 if the last frame is exactly text; link_starts: starts with it. */
int link_is(const struct link *l, const char *text);
int link_starts(const struct link *l, const char *text);

#endif
