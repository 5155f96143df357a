/*
 * ca: the pieces of `pk-xfer ca` (seed 004): the command line
 * (ca.c), the sign-in and registration (ca_login.c), the
 * certificate requests and the interactive client (ca_ops.c), where
 * certificates are saved (ca_save.c) and the peer chat (ca_peer.c), over
 * link.h's connections.
 * Network and file failures die with exit 2; refusals with exit 1.
 */
#ifndef PK_XFER_CA_H
#define PK_XFER_CA_H

#include <stddef.h>
#include <stdint.h>

#include "cawire.h"
#include "key.h"
#include "link.h"
#include "secret.h"

struct xfer_global;
struct ca_opts {
	const struct xfer_global *g; /* its hardened: the profile */
	int hardened; /* --hardened: ca_profile.c's choices */
	int timeout_ms; /* -t: the bound of each network wait */
	const char *user; /* -u */
	const char *in; /* -i */
	const char *out; /* -o */
	const char *as; /* -n: certup stores for this name */
	const char *keyfile; /* -k */
	const char *cafile; /* --ca */
	const char *to; /* --to: the receiver's name */
	struct secret_src pass; /* the account's password; listen: -k's */
	struct secret_src chat; /* --chat-pass */
};

/*
 * ca_trace.c: --trace and --trace-json on sink s (NULL: off); ca_read,
 * ca_next, ca_write and ca_say are link_read, link_next, link_write and
 * link_says with each frame shown.  ca_show_chat shows one chat message's
 * three frames, with the plaintexts the side holds (plain, pass: NULL if
 * not), pass's note saying how.
 */
void ca_trace_to(const struct trace_sink *s);
int ca_tracing(void);
void ca_read(struct link *l);
int ca_next(struct link *l);
void ca_write(struct link *l, const void *p, size_t len);
void ca_say(struct link *l, const char *text);
void ca_show_chat(const struct link *l, enum trace_dir dir,
    const struct ca_chat *m, const uint8_t *plain, size_t plainlen,
    const uint8_t *pass, size_t passlen, const char *with);

/* One hardened chat frame p with the plaintext the side holds, or NULL. */
void ca_show_hchat(const struct link *l, enum trace_dir dir, const uint8_t *p,
    size_t len, const uint8_t *plain, size_t plainlen, const char *with);

/* ca_save.c: 1 if the last frame starts with "-----BEGIN CERTIFICATE-----". */
int ca_is_cert(const struct link *l);

/* ca_login.c */
/*
 * Reads a password from src (the terminal if none, with prompt) into buf;
 * dies naming what when it cannot.
 */
size_t ca_password(const struct secret_src *src, const char *prompt,
    const char *what, uint8_t *buf, size_t max);
/* Reads the account password now, before any connection. */
void ca_pass_read(const struct ca_opts *o, int reg);
/* Signs in as o->user (or registers it); dies with 1 when refused. */
void ca_signin(struct link *l, const struct ca_opts *o, int reg);
/* Reads the next frame and dies unless it is want. */
void ca_expect(struct link *l, const char *want);

/*
 * ca_profile.c: every choice of the hardened profile (docs/ca.md
 * "Profiles").  cap_greeted checks the CA's first prompt (read) against
 * o's profile: on a mismatch it sends name's first answer (NULL: none)
 * so that the relay sees it too, and dies with the one line, exit 2.
 */
void cap_greeted(struct link *l, const struct ca_opts *o, const char *name);
/* The hardened sign-in (or registration, then sign-in). */
void cap_signin(struct link *l, const struct ca_opts *o, int reg,
    const uint8_t *pass, size_t passlen);
/* The hardened chat: the listener's side, and the sender's to pub. */
void cap_chat_receive(
    struct link *l, const struct ca_opts *o, const struct key_rsa *k);
void cap_chat_send(struct link *l, const struct rsa_public_key *pub);
/* A faithful listener met the hardened key frame first: exit 2. */
_Noreturn void cap_chat_mismatch(const struct ca_opts *o);

/* ca_ops.c: each returns the exit status. */
int ca_csr(struct link *l, const struct ca_opts *o);
int ca_certup(struct link *l, const struct ca_opts *o);
int ca_certreq(struct link *l, const struct ca_opts *o, const char *id);
int ca_interactive(struct link *l, const struct ca_opts *o);
/* Sends one request and reads the answer; dies with 1 on "error: ". */
void ca_request(struct link *l, enum ca_op op, const char *name,
    const uint8_t *body, size_t len);

/* ca_save.c: the certificate in l->msg, from CSR or CERTREQ. */
/* To out (- is stdout), else to <CN>.crt (id.crt) if that is new. */
int ca_save_cert(const struct link *l, const char *out, const char *id);
/* To a name asked at the prompt, <CN>.crt by default; -1 at EOF. */
int ca_save_ask(const struct link *l, const char *id);

/* ca_peer.c */
/* One line of stdin into buf (a prompt on a terminal): its length, -1 at EOF.
 */
long ca_line(uint8_t buf[CA_CHAT_TEXT_MAX + 2]);
int ca_peer_listen(const struct ca_opts *o);
int ca_peer_connect(
    const struct ca_opts *o, const char *ca_addr, const char *peer);

#endif
