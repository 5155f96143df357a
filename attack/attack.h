/*
 * attack: what every pk-attack subcommand shares.  One attack is one file
 * attack/NAME.c defining a struct attack, declared below and listed in
 * attack.c's table.  Its main gets argv[0] == NAME and returns the exit
 * status: 0 the attack succeeded (the recovered data written with
 * attack_output), 1 it failed (nothing written), 2 it could not run
 * (usage, I/O, a malformed input: it may also die with errx(2, ...)).
 * Progress goes to stderr with attack_progress; a trace capture (the JSON
 * of --trace-json, docs/trace.md) is read with capture_read.
 */
#ifndef PK_ATTACK_H
#define PK_ATTACK_H

#include <stddef.h>
#include <stdint.h>
#include <stdnoreturn.h>

#include "trace.h"

struct attack {
	const char *name; /* the subcommand */
	const char *synopsis; /* its arguments, after "pk-attack NAME" */
	const char *about; /* one line for pk-attack --help */
	const char *options; /* its --help lines ("  -o file  ...\n"), or "" */
	int (*main)(int argc, char *argv[]);
};

extern const struct attack attack_ca_certup;
extern const struct attack attack_ca_cn;
extern const struct attack attack_ca_dict;
extern const struct attack attack_ca_guess;
extern const struct attack attack_chat_flip;
extern const struct attack attack_chat_keysub;
extern const struct attack attack_chat_leaver;
extern const struct attack attack_cube_root;
extern const struct attack attack_e2e_shared_key;
extern const struct attack attack_frames;
extern const struct attack attack_hastad;
extern const struct attack attack_km_k3;
extern const struct attack attack_km_reuse;
extern const struct attack attack_pem_guess;
extern const struct attack attack_vault_crc;
extern const struct attack attack_vault_padding_oracle;

/* The attack running (set by pk-attack's main before calling it). */
extern const struct attack *attack_self;
/* -o's file; NULL: stdout. */
extern const char *attack_out;

/*
 * getopt_long over the attack's arguments, handling what every attack
 * takes: -h/--help (attack_help), -o/--output FILE (attack_out), and an
 * unknown option (attack_usage).  Returns the other option characters as
 * getopt does (optarg set), -1 at the end; then optind is the first
 * operand.  longopts may be NULL.
 */
struct option;
int attack_getopt(int argc, char *argv[], const char *optstring,
    const struct option *longopts);
/* The attack's synopsis on stderr, exit 2. */
noreturn void attack_usage(void);
/* The synopsis, its options and the exit codes on stdout, exit 0. */
noreturn void attack_help(void);

/* One progress line on stderr: "pk-attack: NAME: " and the text. */
void attack_progress(const char *fmt, ...)
    __attribute__((format(printf, 1, 2)));
/* "pk-attack: NAME: N queries, M bytes recovered" on stderr. */
void attack_stats(unsigned long long queries, size_t recovered);
/*
 * Writes the recovered bytes to attack_out (a file written whole, then
 * renamed into place, replacing one that exists) or stdout; dies (2) on
 * an I/O error.
 */
void attack_output(const uint8_t *p, size_t len);
/*
 * A blocking TCP connection to addr ("host:port"), TCP_NODELAY, reads
 * timing out after 10 s; dies (2) naming addr.
 */
int attack_dial(const char *addr);
/* Reads a whole file ("-": stdin) of at most max bytes; dies (2). */
uint8_t *attack_slurp(const char *path, size_t max, size_t *len);

/*
 * The known plaintext of the attacks that write pk-mitm rules from it
 * (vault-crc, chat-flip): --at offset, --want text (1 to wmax bytes), and
 * the file (default stdin) of at most max bytes.  known_option takes the
 * option character ch if it is 'a' or 'w' (returns 1); known_read, after
 * the options, reads the file and checks that want's bytes lie within
 * it, dying (2) with one line if not.
 */
struct attack_known {
	size_t max, wmax; /* set by the caller */
	size_t at;
	int have_at;
	const char *want;
	size_t n; /* want's length */
	uint8_t *known;
	size_t len;
};
int known_option(struct attack_known *k, int ch, const char *arg);
void known_read(struct attack_known *k, int argc, char *argv[]);

/*
 * A trace capture: the frames of a --trace-json file (one JSON object per
 * line, docs/trace.md), in order.  Each frame's bytes are rebuilt from
 * the hex of its fields that have an offset, so buf is the frame as on
 * the wire and the protocol's decoder (lib/NAMEtrace.c) reads it again.
 */
#define CAPTURE_MAX (64 * 1024 * 1024) /* the largest capture file read */

struct capture_field {
	char *name;
	long long off; /* -1: a plaintext (not on the wire) */
	uint8_t *data;
	size_t len;
};

struct capture_frame {
	char *proto, *step, *who, *peer, *local; /* "" when absent */
	enum trace_dir dir;
	uint8_t *buf; /* the frame as on the wire */
	size_t len;
	struct capture_field *f;
	size_t n;
	size_t line; /* in the capture file */
};

struct capture {
	struct capture_frame *fr;
	size_t n;
};

/*
 * Reads the capture file path ("-": stdin); dies (2) naming the file and
 * the line of what it cannot read.
 */
void capture_read(struct capture *c, const char *path);
void capture_free(struct capture *c);
/*
 * The index of the first frame at or after from whose protocol, step and
 * direction match (NULL proto or step: any; dir -1: either), or -1.
 */
long capture_find(const struct capture *c, size_t from, const char *proto,
    const char *step, int dir);
/* The frame's first field named name, or NULL. */
const struct capture_field *capture_field(
    const struct capture_frame *fr, const char *name);

#endif
