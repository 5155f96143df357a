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

#include "key.h"
#include "kmhard.h"
#include "kmtrace.h"
#include "kmwire.h"
#include "io.h"
#include "link.h"

struct xfer_global;

struct km_opts {
	const struct xfer_global *g; /* pk-xfer's globals: --hardened */
	int hardened; /* --hardened: the hardened profile */
	const char *k3file; /* -k: K3, or (hardened) the client's RSA key */
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

/* What the client holds for the whole session, by profile. */
struct km_cred {
	int hardened;
	struct aes128_ctx k3; /* faithful: K3's decryption key */
	struct key_rsa rsa; /* hardened: the client's own key */
	uint8_t der[KM_FRAME_MAX]; /* its public key as sent (SPKI DER) */
	size_t der_len;
	uint8_t hello[KM_FRAME_MAX]; /* the greeting, for the transcript */
	size_t hello_len;
};

/* The session: K, IV and the mode, unwrapped from the key manager. */
struct km_session {
	enum km_mode mode;
	uint8_t k[KM_BLOCK], iv[KM_BLOCK]; /* faithful */
	uint8_t kw[KM_BLOCK], ivw[KM_BLOCK]; /* as received */
	int hardened;
	uint8_t hk[KM_H_K]; /* hardened: K, opened with the RSA key */
	struct km_h_keys keys; /* what HKDF makes of it */
	uint8_t wrapped[KEY_RSA_BITS_MAX / 8]; /* K as received */
	size_t wrapped_len;
};

/*
 * One message's (faithful: a CBC or CFB-128 chain from the session's
 * IV) or one transfer's (hardened: AES-256-GCM, its nonce, the counter
 * of its messages) encryption.
 */
struct km_chain {
	enum km_mode mode;
	struct aes128_ctx enc, dec;
	uint8_t iv[KM_BLOCK];
	int hardened;
	struct km_h_keys keys;
	uint8_t nonce[KM_H_NONCE];
	uint64_t counter; /* the last piece's; 0: the offer */
};

/* The most a piece takes on the wire (a tag, or PKCS#7's block). */
#define KM_PIECE_WIRE (IO_BLOCK + KM_BLOCK)

/*
 * keymanager_profile.c: every crypto choice that differs between the
 * faithful and the hardened profile.  kmp_load holds c's keys in
 * lib/secrets.h's registry (the caller releases c->k3 and c->rsa);
 * kmp_greeted reads the greeting and dies (exit 2) if it is the other
 * profile's; kmp_keys gets K (and IV) and kmp_confirm proves them.
 */
void kmp_load(const struct km_opts *o, struct km_cred *c);
void kmp_greeted(struct link *km, const struct km_opts *o, struct km_cred *c);
int kmp_keys(struct link *km, const struct km_opts *o, const struct km_cred *c,
    struct km_session *s);
void kmp_confirm(struct link *km, const struct km_cred *c,
    const struct km_session *s, const char *command);
/*
 * The chain of one message (faithful) or transfer (hardened: a fresh
 * nonce), held in the registry until km_chain_wipe.  kmp_offer writes
 * the offer of a size-byte file into out (KM_H_OFFER bytes at most) and
 * returns its length; kmp_offered opens one into the bytes that follow
 * on the wire, -1 if it does not open.  kmp_seal encrypts a piece of n
 * bytes in place and returns its wire length; kmp_piece is the next
 * piece's wire length with left to come, kmp_open opens one and returns
 * the bytes to keep, -1 if it does not open.
 */
void km_chain_init(struct km_chain *c, const struct km_session *s);
void km_chain_run(struct km_chain *c, int encrypt, size_t len, uint8_t *buf);
void km_chain_wipe(struct km_chain *c);
uint64_t kmp_wire_len(const struct km_chain *c, uint64_t size);
size_t kmp_offer(struct km_chain *c, uint64_t size, uint8_t *out);
int kmp_offered(
    struct km_chain *c, const uint8_t *p, size_t len, uint64_t *wire);
size_t kmp_seal(struct km_chain *c, uint8_t *buf, size_t n, int last);
size_t kmp_piece(const struct km_chain *c, uint64_t left);
long kmp_open(struct km_chain *c, uint8_t *buf, size_t n, int last);

/*
 * keymanager_pair.c: each returns 0 ok, 1 refused (message shown).  The
 * session is held in lib/secrets.h's registry from km_pair on: the
 * caller releases it (secrets_release).  command is the client's `wait
 * P` or `conn ID MODE`, in the hardened confirmation's transcript.
 */
void km_k3_load(const char *path, struct aes128_ctx *k3);
int km_pair(struct link *km, const struct km_opts *o, const struct km_cred *c,
    struct km_session *s, const char *command);
int km_waiter_start(struct link *km);
int km_sender_address(struct link *km, char *addr, size_t size);
int km_counts(struct link *km, const struct km_opts *o, uint64_t count);
void km_save(
    const struct km_opts *o, const char *name, const void *buf, size_t len);
void km_show(struct link *km);
/* Reads one frame and dies unless it is exactly want bytes long. */
void km_read_block(struct link *l, uint8_t *out, size_t want);

/*
 * keymanager_peer.c: the file functions return the block count, or -1
 * if refused.
 */
long long km_send_file(struct link *peer, const struct km_session *s,
    const struct km_opts *o, int fd);
long long km_recv_file(
    struct link *peer, const struct km_session *s, const struct km_opts *o);

/*
 * keymanager_trace.c: with o->sink, l's frames are traced from now on, as
 * side sees them, unwrapping K with c's K3 or RSA key and opening with
 * s's K (each NULL when the side lacks it), until km_trace_off.
 */
void km_trace_on(struct link *l, const struct km_opts *o, enum km_side side,
    const struct km_cred *c, const struct km_session *s);
void km_trace_off(struct link *l);

/* keymanager.c: file NULL: asked once the waiter is connected. */
int km_run_wait(
    const struct km_opts *o, struct link *km, const struct km_cred *c);
int km_run_send(const struct km_opts *o, struct link *km,
    const struct km_cred *c, const char *file);

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
int km_interactive(struct km_opts *o, struct link *km, const struct km_cred *c);

#endif
