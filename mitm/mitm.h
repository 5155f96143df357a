/*
 * pk-mitm: a man in the middle on loopback.  It accepts clients, connects
 * each to the real relay or peer, cuts both byte streams into the frames of
 * one protocol (proto.c's table: a framing function and a lib/ decoder per
 * protocol), logs them as pk-xfer --trace does, and drops, replays or
 * rewrites the frames that the rules (rule.c) pick.  proxy.c is the event
 * loop; apply.c applies the rules to one frame.
 */
#ifndef PK_MITM_H
#define PK_MITM_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "chattrace.h"
#include "kmtrace.h"
#include "cawire.h"
#include "frame.h"
#include "trace.h"
#include "vaultwire.h"

#define MITM_IN (128 * 1024) /* one direction's input: a frame fits */
#define MITM_REPLAY_MAX 16 /* copies the replay rules may add, in all */
/* One direction's output queue: a largest frame and all its copies. */
#define MITM_OUT ((MITM_REPLAY_MAX + 1) * (FRAME_MAX + FRAME_HDR))
#define MITM_RULES 64
#define MITM_VALUE_MAX 4096 /* bytes one rewrite rule may set */
#define MITM_NAME_MAX 32 /* a step's or a field's name */
#define MITM_CLIENTS 64
#define MITM_ACTIVE_MAX (FRAME_MAX + FRAME_HDR) /* a frame -k may write */

/* What a framing function found at the start of a direction's input. */
enum mitm_cut {
	MITM_FRAME, /* one frame of *used bytes */
	MITM_RAW, /* *used bytes of a stream the protocol does not frame */
	MITM_MORE, /* not an error: wait for more bytes */
	MITM_BAD, /* these bytes cannot be a frame: forward them untouched */
};

/* The decoders' state of one connection (both directions). */
struct mitm_dec {
	int c2s_frames, s2c_frames; /* framed so far, per direction */
	int answered; /* keymanager-peer: the waiter has answered */
	int chat_hardened; /* chat: the client's first frame was a hello */
	struct vault_trace vault;
	struct km_trace km;
	struct ca_trace ca, ca_back; /* ca-chat: one per direction */
};

struct mitm_frame;

#define MITM_EDIT_MAX 256 /* --edit's FROM and TO, each, with a NUL */

/* --edit FROM=TO (edit.c): the first FROM of a text becomes TO. */
struct mitm_edit {
	char from[MITM_EDIT_MAX], to[MITM_EDIT_MAX];
	size_t flen, tlen;
};

/* Parses FROM=TO into e; NULL, or what is wrong with spec. */
const char *edit_parse(struct mitm_edit *e, const char *spec);
/*
 * text[0 .. len) with its first FROM replaced by TO, into out (cap
 * bytes); its length, or -1: e NULL, no FROM in text, or over cap.
 */
long edit_apply(const struct mitm_edit *e, const uint8_t *text, size_t len,
    uint8_t *out, size_t cap);
/* n bytes of opened text on stderr: printable ASCII as is, else \xNN. */
void edit_show(const uint8_t *p, size_t n);

/*
 * A protocol's active attack (pk-mitm -k FILE): with the attacker's key
 * in hand it may replace each frame, after the rules, by one of any
 * length: a key substituted, a message decrypted and encrypted again.
 */
struct mitm_active {
	/*
	 * Reads -k's key and --peer-key's (or NULL); errx(2) if it cannot.
	 * edit: --edit's, for the attack to apply to each text it opens, or
	 * NULL.
	 */
	void *(*setup)(
	    const char *key, const char *peer, const struct mitm_edit *edit);
	/* One connection's state (NULL: no memory), freed by conn_free. */
	void *(*conn_new)(void *setup);
	void (*conn_free)(void *conn);
	/*
	 * Writes the frame to send in place of fr's len bytes into out (at
	 * most cap) and returns its length; -1: send fr as it is.  Says on
	 * stderr what it learned.
	 */
	long (*frame)(void *conn, const struct mitm_frame *fr, size_t len,
	    uint8_t *out, size_t cap);
	int edits; /* 1: it opens text and takes --edit */
};

extern const struct mitm_active chat_active; /* chat_active.c */
/* e2e's (e2e_active.c): reads with the server key, forges with --edit. */
extern const struct mitm_active e2e_active;
/* The ca-chat's: the password re-wrapped, the messages read (ca_active.c). */
extern const struct mitm_active ca_active;

struct mitm_proto {
	const char *name;
	const char *about; /* one line for --help */
	/* Cuts one frame off buf; c2s: client to server. */
	enum mitm_cut (*cut)(struct mitm_dec *, int c2s, const uint8_t *buf,
	    size_t len, size_t *used);
	/* Names the fields of fr (trace_begin'd) and sets its step. */
	void (*decode)(struct mitm_dec *, struct trace_frame *, int c2s);
	void (*init)(struct mitm_dec *);
	const struct mitm_active *active; /* -k's attack, or NULL */
};

const struct mitm_proto *proto_find(const char *name);
/* Every protocol's name and about, one per line, for --help. */
void proto_list(FILE *);

enum rule_act { RULE_DROP, RULE_REPLAY, RULE_SET, RULE_XOR };

struct rule {
	char text[256]; /* as given, for messages */
	int dir; /* 0 any, 1 c2s, 2 s2c */
	char step[MITM_NAME_MAX]; /* "" any; digits: the frame's code */
	long long frame; /* #N: the connection's N-th frame, 0 any */
	long long conn; /* conn=N, 0 any */
	long long nth; /* nth=N: the N-th frame the rest matches, 0 all */
	long long seen; /* frames the rest matched so far */
	int warned; /* said that a frame lacks the field */
	enum rule_act act;
	int count; /* replay's copies */
	char field[MITM_NAME_MAX];
	size_t off; /* in the field (a raw stream's: in the stream) */
	uint8_t hex[MITM_VALUE_MAX]; /* the value: hex or @FILE's bytes */
	size_t hexlen;
};

/*
 * Parses one rule into r; proto is -p's name.  Returns NULL, or what is
 * wrong with it and in *col the 1-based column where.
 */
const char *rule_parse(
    const char *text, const char *proto, struct rule *r, size_t *col);

/* What pk-mitm does, from the command line. */
struct mitm {
	const struct mitm_proto *proto;
	const char *listen; /* HOST:PORT */
	const char *to; /* HOST:PORT */
	struct rule rules[MITM_RULES];
	size_t nrules;
	struct trace_sink sink;
	FILE *record; /* --record's file, or NULL */
	long long max_conns; /* -n: stop after so many connections, 0 never */
	int copies; /* the most times a frame may be sent: 1 + replays */
	void *active; /* -k: proto->active's setup, or NULL */
	struct mitm_edit edit; /* --edit's */
};

/* One frame as the rules see it. */
struct mitm_frame {
	long long conn, number; /* the connection's, from 1; the frame's */
	int c2s;
	int raw; /* a stream's bytes, not a frame */
	uint64_t base; /* raw: the stream offset of its first byte */
	struct trace_frame *tf;
	uint8_t *buf; /* the frame's bytes, rewritten in place */
};

/*
 * Applies every rule to the frame: rewrites its bytes, and returns how
 * many times to send it (0: dropped, 1, or 1 + the replays).  Says what
 * it did on stderr.
 */
int apply_rules(struct mitm *, struct mitm_frame *);

/* Writes the frame's record line (--record). */
void record_frame(struct mitm *, const struct mitm_frame *);

/* Listens, then forwards until killed (or -n); exits 2 on setup errors. */
void proxy_run(struct mitm *);

#endif
