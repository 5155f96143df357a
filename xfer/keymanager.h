/*
 * keymanager: the pieces of `pk-xfer keymanager` (seed 000): the
 * command line (keymanager.c), the pairing with the key manager
 * (keymanager_pair.c) and the file on the peer channel
 * (keymanager_peer.c), over link.h's connections (framed, raw for the
 * ciphertext).  Network and file failures die with exit 2.
 */
#ifndef PK_XFER_KEYMANAGER_H
#define PK_XFER_KEYMANAGER_H

#include <stddef.h>
#include <stdint.h>

#include <nettle/aes.h>

#include "kmtrace.h"
#include "kmwire.h"
#include "link.h"

struct km_opts {
	const char *k3file; /* -k */
	const char *out; /* -o: the waiter's output file */
	const char *save; /* --save: directory for the step files */
	const char *mode; /* --mode */
	long long to; /* --to: waiter id, -1: the first listed */
	int yes; /* --yes */
	int flip_count; /* --flip-count */
	int interactive; /* prompts on stdin */
	int timeout_ms; /* -t: each network wait, not a person's */
	const struct trace_sink *sink; /* --trace, --trace-json; NULL: off */
};

/* The session: K, IV and the mode, unwrapped from the key manager. */
struct km_session {
	enum km_mode mode;
	uint8_t k[KM_BLOCK], iv[KM_BLOCK];
	uint8_t kw[KM_BLOCK], ivw[KM_BLOCK]; /* as received */
};

/* One CBC or CFB-128 chain from the session's IV. */
struct km_chain {
	enum km_mode mode;
	struct aes128_ctx enc, dec;
	uint8_t iv[KM_BLOCK];
};

/*
 * keymanager_pair.c: each returns 0 ok, 1 refused (message shown).  K3
 * and the session are held in lib/secrets.h's registry from km_k3_load and
 * km_pair on: the caller releases them (secrets_release).
 */
void km_k3_load(const char *path, struct aes128_ctx *k3);
int km_pair(struct link *km, const struct km_opts *o,
    const struct aes128_ctx *k3, struct km_session *s);
int km_waiter_start(struct link *km);
int km_sender_address(struct link *km, char *addr, size_t size);
int km_counts(struct link *km, const struct km_opts *o, uint64_t count);
void km_save(
    const struct km_opts *o, const char *name, const void *buf, size_t len);
void km_show(struct link *km);
/* Reads one frame and dies unless it is exactly want bytes long. */
void km_read_block(struct link *l, uint8_t *out, size_t want);

/*
 * keymanager_peer.c: a chain is held in the registry from km_chain_init
 * to km_chain_wipe; the file functions return the block count, or -1 if
 * refused.
 */
void km_chain_init(struct km_chain *c, const struct km_session *s);
void km_chain_run(struct km_chain *c, int encrypt, size_t len, uint8_t *buf);
void km_chain_wipe(struct km_chain *c);
long long km_send_file(struct link *peer, const struct km_session *s,
    const struct km_opts *o, int fd);
long long km_recv_file(
    struct link *peer, const struct km_session *s, const struct km_opts *o);

/*
 * keymanager_trace.c: with o->sink, l's frames are traced from now on, as
 * side sees them, unwrapping with k3 and opening with s's K (each NULL
 * when the side lacks it), until km_trace_off.
 */
void km_trace_on(struct link *l, const struct km_opts *o, enum km_side side,
    const struct aes128_ctx *k3, const struct km_session *s);
void km_trace_off(struct link *l);

/* keymanager.c: file NULL: asked once the waiter is connected. */
int km_run_wait(
    const struct km_opts *o, struct link *km, const struct aes128_ctx *k3);
int km_run_send(const struct km_opts *o, struct link *km,
    const struct aes128_ctx *k3, const char *file);

/* keymanager_tty.c */
/*
 * Prints prompt and reads a line of stdin into buf without its line
 * ending: 1, or 0 at EOF, or -1 for a line of size - 2 bytes or more
 * (read to its end and dropped).  With watch, what that link sends while
 * the person types is shown, and its closing is reported at once (exit
 * 2).  stdin is unbuffered (km_interactive) so that poll sees every line.
 */
int km_line(struct link *watch, const char *prompt, char *buf, size_t size);
/* The original's command loop: commands from stdin until `end` or EOF. */
int km_interactive(
    struct km_opts *o, struct link *km, const struct aes128_ctx *k3);

#endif
