/*
 * pk-xfer: what every protocol's client shares.  main (xfer.c) parses the
 * global options and calls the protocol's main (xfer/<proto>.c, with
 * xfer/<proto>.h for its other files).  The other shared modules have
 * their own headers: cli.h (usage, help, options), dial.h and deadline.h
 * (connections and -t), link.h (framed links), files.h (keys, outputs).
 */
#ifndef PK_XFER_H
#define PK_XFER_H

#include "trace.h"

#define XFER_TIMEOUT_MS (30 * 1000) /* default -t */
#define XFER_TIMEOUT_MAX 86400 /* the largest -t, seconds */

/* The options of every protocol, before or after its name (xfer.c). */
struct xfer_global {
	const char *dir; /* -C: where the step runs */
	int timeout_ms; /* -t sec: each connect, reply and write */
	int trace; /* --trace or --trace-json: sink has somewhere to write */
	struct trace_sink sink; /* text: stderr (--trace); json: --trace-json */
	int hardened; /* --hardened: the protocol's hardened profile */
	const char *proto; /* the protocol's name, once known (xfer.c) */
	int can_harden; /* 1: proto has a hardened profile */
};

/*
 * For each protocol's getopt_long, which takes the global options after
 * the protocol's name too: their letters, their long options, and the
 * value --trace returns (cli_global stores them).
 */
enum {
	XFER_OPT_TRACE = 1000, /* above the protocols' own (256 ..) */
	XFER_OPT_TRACE_JSON,
	XFER_OPT_TRACE_AS,
	XFER_OPT_HARDENED,
	XFER_OPT_END /* cli.h's pass-options follow: no value is taken twice */
};
#define XFER_SHORTOPTS "C:qt:"
/* clang-format off */
#define XFER_LONGOPTS \
	{"hardened", no_argument, NULL, XFER_OPT_HARDENED}, \
	{"quiet", no_argument, NULL, 'q'}, \
	{"timeout", required_argument, NULL, 't'}, \
	{"trace", no_argument, NULL, XFER_OPT_TRACE}, \
	{"trace-json", required_argument, NULL, XFER_OPT_TRACE_JSON}, \
	{"trace-as", required_argument, NULL, XFER_OPT_TRACE_AS}
/* clang-format on */

/*
 * Each protocol's command line, argv[0] the tool and the protocol's name
 * among the rest, with the global options given before it in g; returns
 * the exit status or dies with it.
 */
int ca_main(struct xfer_global *g, int argc, char *argv[]);
int chat_main(struct xfer_global *g, int argc, char *argv[]);
int e2e_main(struct xfer_global *g, int argc, char *argv[]);
int keymanager_main(struct xfer_global *g, int argc, char *argv[]);
int vault_main(struct xfer_global *g, int argc, char *argv[]);

#endif
