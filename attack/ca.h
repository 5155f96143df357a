/*
 * ca: what the ca attacks (seed 004) say to a live CA: one blocking
 * connection at a time with lib/frame.h's frames and lib/cawire.h's
 * prompts, a sign-in and a request, and a word list read from a file.
 * A connection can also be read a piece at a time (ca_pull, ca_frame)
 * for ca-guess's many connections under poll.
 */
#ifndef PK_ATTACK_CA_H
#define PK_ATTACK_CA_H

#include <stddef.h>
#include <stdint.h>

#include "attack.h"
#include "cawire.h"
#include "frame.h"

#define CA_WORDS_MAX (16 * 1024 * 1024) /* the largest word list read */

struct ca_conn {
	int fd;
	const char *addr;
	uint8_t in[FRAME_HDR + CA_FRAME_MAX]; /* read, not yet framed */
	size_t have;
	char msg[CA_FRAME_MAX + 1]; /* the last frame's payload, and a NUL */
	size_t len;
};

/* Connects to the CA (attack_dial: dies 2). */
void ca_open(struct ca_conn *c, const char *addr);
void ca_close(struct ca_conn *c);
/* One read(2): the bytes read, 0 at EOF; dies (2) on an error. */
size_t ca_pull(struct ca_conn *c);
/* 1: a frame read (msg, len), 0: more bytes needed; dies (2) on a bad one. */
int ca_frame(struct ca_conn *c);
/* The next frame, read blocking: 0, or -1 when the CA closed first. */
int ca_next(struct ca_conn *c);
/* The next frame; dies (2) naming what was expected if none came. */
void ca_expect(struct ca_conn *c, const char *what);
/* Writes one frame; dies (2). */
void ca_send(struct ca_conn *c, const void *p, size_t len);
/*
 * Answers the CA's first prompt (the last frame) with name: as it is to
 * the faithful CA, "login NAME" to the hardened one (its prompt's mark).
 * Returns 1 for the hardened CA, else 0.
 */
int ca_send_name(struct ca_conn *c, const char *name);
/* Whether the last frame is the text s, or starts with it. */
int ca_starts(const struct ca_conn *c, const char *s);
int ca_is(const struct ca_conn *c, const char *s);
/*
 * Signs in as user: 0 after Welcome, else says on stderr what the CA
 * answered and returns 1.
 */
int ca_signin(
    struct ca_conn *c, const char *user, const uint8_t *pass, size_t passlen);
/* Sends the request; its answer is the next frame (-1: the CA closed). */
int ca_ask(struct ca_conn *c, enum ca_op op, const char *user, const void *body,
    size_t len);

/* What ca-cn and ca-certup need: the CA, mallory's name and password. */
struct ca_who {
	const char *addr, *user;
	uint8_t pass[CA_PASS_MAX];
	size_t passlen;
};

/*
 * Sets w->user (-u) or reads w's password (--pass-file) from an option
 * of ca_who_options; returns 0, or -1 when ch is not one of them.
 */
int ca_who_option(struct ca_who *w, int ch, const char *arg);
#define CA_WHO_OPTIONS                                                         \
	{"user", required_argument, NULL, 'u'},                                \
	{                                                                      \
		"pass-file", required_argument, NULL, 'P'                      \
	}
#define CA_WHO_HELP                                                            \
	"  -u, --user name    the attacker's user name at the CA\n"            \
	"  --pass-file file   its password (the file's first line)\n"
/* Signs in as w on a fresh connection; dies (2) if it cannot. */
void ca_who_signin(const struct ca_who *w, struct ca_conn *c);
/*
 * The certificate the CA gives for id (CERTREQ, signed in as w) as DER
 * in der (X509_DER_MAX bytes): 0, or 1 when it has none (said).
 */
int ca_fetch(
    const struct ca_who *w, const char *id, uint8_t *der, size_t *derlen);
/* A certificate file (PEM or DER) as DER; dies (2). */
void ca_cert_read(const char *path, uint8_t *der, size_t *derlen);

/*
 * A password from a file (its first line), as pk-xfer --pass-file reads
 * it; dies (2).  Returns its length.
 */
size_t ca_pass_file(const char *path, uint8_t *pass, size_t max);

/* Seconds on the monotonic clock, for the guesses per second. */
double ca_now(void);

/* A word list: the non-empty lines of a file, in order. */
struct ca_words {
	char *buf;
	char **w;
	size_t n;
};

/*
 * Reads the words of path; names: each must be a safe user name.  Dies
 * (2) naming the file and line of a word it refuses.
 */
void ca_words_read(struct ca_words *l, const char *path, int names);
void ca_words_free(struct ca_words *l);

#endif
