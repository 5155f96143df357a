/*
 * service: what one protocol of pk-relay implements, and what it may call.
 *
 * The core owns sockets, buffers and the event loop; a service sees bytes.
 * All callbacks run on the relay's one thread and must not block (no
 * waiting on the network; SQLite and local files are fine).  Work that
 * takes milliseconds per message (a password hash) goes to a worker
 * thread whose results come back through an fd in relay_loop, with the
 * client held (conn_hold) meanwhile, as ca_work.c does.
 *
 * init(relay, state)
 *                   Once at start, for each service named on the command
 *                   line: create tables with db_migrate.  -1 stops the
 *                   relay (the service has logged why with relay_log).
 *                   state is the service's own: state_size bytes, zeroed
 *                   (NULL when 0), with its flags set; every callback
 *                   reaches it through conn_service_state(conn).
 * on_connect(conn)  A client arrived.  Set per-connection state with
 *                   conn_set_data.  May queue a greeting.  -1 closes the
 *                   client after flushing what was queued.
 * on_bytes(conn, data, len)
 *                   data holds every byte received and not yet consumed
 *                   (at most CONN_IN_MAX).  Return how many bytes from the
 *                   front were consumed: the rest stays and is offered
 *                   again, with more after it, when more arrives.  The core
 *                   calls again at once while the service consumes
 *                   something and bytes remain, so one message per call is
 *                   fine.  Return 0 when a message is incomplete; if the
 *                   buffer is then full, the core logs a protocol error
 *                   and closes the client (no reply: a service with its
 *                   own error reply checks its sizes first).  Return -1 on
 *                   a protocol error after queueing the error reply
 *                   (conn_protocol_error logs the reason): the core flushes
 *                   the queue, then closes.  While the client's output
 *                   queue is above its high-water mark the core stops
 *                   calling on_bytes and stops reading (backpressure).
 *                   When the peer shuts down its side, bytes still not
 *                   consumed are dropped and the client closes once its
 *                   queue is written.
 * on_drain(conn)    Optional (may be NULL): the output queue fell below
 *                   the low-water mark after backpressure; a service that
 *                   streams a large reply sends the next part here.
 * on_close(conn)    Always called exactly once when the client goes, for
 *                   any reason; free the state set with conn_set_data.  The
 *                   socket can no longer be written.
 * fini(relay, state)
 *                   Optional: at shutdown, before the database closes;
 *                   the core frees state after it.
 *
 * Every callback but on_bytes may be NULL.  A conn pointer is valid from
 * on_connect until on_close returns.  conn_send may target any open conn,
 * not only the one whose callback runs: clients are only ever closed
 * between callbacks.
 *
 * Durability: the database runs in WAL mode with synchronous=FULL, so a
 * committed transaction survives SIGKILL.  Commit before queueing the
 * reply that acknowledges the data.
 */
#ifndef PK_RELAY_SERVICE_H
#define PK_RELAY_SERVICE_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "trace.h"

#define CONN_IN_MAX (64 * 1024) /* input buffer per client */
#define CONN_OUT_HIGH (256 * 1024) /* stop reading above this */
#define CONN_OUT_LOW (64 * 1024) /* resume at or below this */
#define CONN_OUT_MAX (4 * 1024 * 1024) /* drop the client above this */

struct conn;
struct evloop;
struct relay_ctx;
struct sqlite3;

/*
 * A flag of the service's own on pk-relay's command line, --name (no
 * argument): it sets the int at offset in the service's state to 1.
 */
struct service_flag {
	const char *name;
	const char *help; /* its --help text, after "  --name" */
	size_t offset;
};

struct service {
	const char *name;
	size_t state_size; /* the service's state: one, zeroed, at start */
	const struct service_flag *flags; /* ended by a NULL name; or NULL */
	int hardened; /* 1: has a hardened profile (pk-relay --hardened) */
	int (*init)(struct relay_ctx *, void *state);
	int (*on_connect)(struct conn *);
	ssize_t (*on_bytes)(struct conn *, const uint8_t *, size_t);
	void (*on_drain)(struct conn *);
	void (*on_close)(struct conn *);
	void (*fini)(struct relay_ctx *, void *state);
	/*
	 * pk-relay --trace: names the fields of a frame the service gave to
	 * conn_trace (fr->buf, fr->len, fr->dir set; the step "unknown"
	 * until set); NULL: shown as one unnamed field.
	 */
	void (*trace)(const struct conn *, struct trace_frame *fr);
};

/*
 * Queues len bytes for the client; the core writes every client's queue
 * once per pass of the event loop, before it waits again (at once when
 * the queue passes 32 KiB), so replies go out in one write.  Returns 0, or -1
 * if the client is closing or the queue would pass CONN_OUT_MAX: the core then
 * drops the client and logs why, and the service should return from its
 * callback (any return value).
 */
int conn_send(struct conn *, const void *, size_t);
/*
 * The same for one frame: the 4-byte length, then the payload of 1 to max
 * bytes (as the clients check it); a payload out of that range drops the
 * client (logged) and is -1.
 */
int conn_send_frame(struct conn *, const void *, size_t, size_t max);
/*
 * One message for many clients, held once however many queue it:
 * conn_blob_new copies len bytes (NULL on no memory), conn_send_blob
 * queues them as conn_send does (the same returns) without another copy,
 * and conn_blob_free drops the caller's hold; the bytes are freed once
 * every queue has written them.
 */
struct conn_blob;
struct conn_blob *conn_blob_new(struct relay_ctx *, const void *, size_t);
int conn_send_blob(struct conn *, struct conn_blob *);
void conn_blob_free(struct conn_blob *);
/*
 * pk-relay --trace: shows one whole frame (or line, or packet) the
 * service received from the client (TRACE_RECV) or sends it (TRACE_SENT),
 * named by the service's trace callback.  conn_tracing says whether
 * tracing is on, so a service can skip the work of showing.
 */
void conn_trace(struct conn *, enum trace_dir, const uint8_t *, size_t);
int conn_tracing(const struct conn *);
/* Stops reading; closes once everything queued is written. */
void conn_close_after_flush(struct conn *);
/*
 * Takes the client off --idle-timeout for good (one that waits on a
 * person, who may take any time) and turns on TCP keepalive instead, so
 * that a peer whose host vanished is still closed (within about 2 min).
 */
void conn_no_idle(struct conn *);
/*
 * Stops reading the client and offering it bytes (what it already sent is
 * kept) for ms milliseconds, or with ms < 0 until the next conn_hold; a
 * call replaces the hold before it.  Replies still go out, and a client
 * that closes while held is closed as always.  For a service whose every
 * message costs (a password hash), or that waits for a worker thread.
 */
void conn_hold(struct conn *, long long ms);
/* Logs one line "TIME SERVICE PEER message" on stderr. */
void conn_log(struct conn *, const char *, ...)
    __attribute__((format(printf, 2, 3)));
/* Logs "protocol error: message" and returns -1, for on_bytes to return. */
int conn_protocol_error(struct conn *, const char *, ...)
    __attribute__((format(printf, 2, 3)));

void *conn_data(const struct conn *);
void conn_set_data(struct conn *, void *);
const char *conn_peer(const struct conn *); /* "ip:port" */
struct relay_ctx *conn_relay(const struct conn *);
void *conn_service_state(const struct conn *); /* init's state */
/*
 * Profiles: 1 when pk-relay runs the client's service hardened
 * (--hardened NAME), 0 when faithful (the default).
 */
int conn_hardened(const struct conn *);
/*
 * The client speaks the other profile: logs "profile mismatch: the relay
 * is P, the client is Q" and returns -1, for on_bytes to return after
 * queueing the reply that tells the client (the core flushes, closes).
 */
int conn_profile_mismatch(struct conn *);

/* Logs one line "TIME SERVICE message" on stderr. */
void relay_log(const char *service, const char *, ...)
    __attribute__((format(printf, 2, 3)));

uint64_t relay_max_file(const struct relay_ctx *); /* --max-file */
struct sqlite3 *relay_db(const struct relay_ctx *);
/*
 * The event loop (lib/evloop.h), from the first on_connect on (NULL in
 * init): for a service's own fd, such as the eventfd of a worker thread
 * whose results the callback then hands to its clients.
 */
struct evloop *relay_loop(const struct relay_ctx *);
const char *relay_state_dir(const struct relay_ctx *); /* -d */
/* 1 when --hardened named the service, for its init. */
int relay_hardened(const struct relay_ctx *, const char *service);
const char *relay_files_dir(const struct relay_ctx *); /* STATE/files */
/*
 * The service's own folder of files, STATE/files/folder, into dir (size
 * bytes), made 0700 if missing: no other service's names meet its own.
 * Returns 0, or -1 after logging why.
 */
int relay_service_files(
    struct relay_ctx *, const char *folder, char *dir, size_t size);

/*
 * Loads the service's private key STATE/NAME.key into k (key_init'ed by
 * the caller, key_clear'ed by it in every case).  An encrypted key's
 * passphrase comes from $PK_NAME_PASS (NAME in capitals), else from the
 * file STATE/NAME.pass.  Returns 0, or -1 after logging why.
 */
struct key_rsa;
int relay_service_key(struct relay_ctx *, const char *, struct key_rsa *);

/*
 * Brings the service's tables to version by running sql (one or more
 * statements) in a transaction, once: call it with versions 1, 2, ... in
 * order; steps already applied are skipped.  Returns 0 or -1 (logged).
 */
int db_migrate(
    struct relay_ctx *, const char *service, int version, const char *sql);

#endif
