/*
 * pk-relay: serves each SERVICE@HOST:PORT on its own listener from one
 * thread and one event loop, with the state of every service in one SQLite
 * database.  main parses options; serve() runs the relay until SIGINT or
 * SIGTERM.
 */
#include <sys/resource.h>
#include <sys/signalfd.h>

#include <err.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "evloop.h"
#include "num.h"
#include "relay.h"

#define DEFAULT_STATE_DIR "state"
#define DEFAULT_MAX_CLIENTS 10000
#define DEFAULT_IDLE_TIMEOUT 60
#define DEFAULT_MESSAGE_TIMEOUT 30
#define DEFAULT_MAX_PER_IP 1000
#define DEFAULT_MAX_FILE (1024LL * 1024 * 1024)
#define DEFAULT_MAX_QUEUED (64LL * 1024 * 1024)
#define SETSIZE_MAX (1 << 20)
#define CONSOLE_LINE_MAX 256

enum {
	OPT_CONSOLE = 256,
	OPT_HARDENED,
	OPT_IDLE_TIMEOUT,
	OPT_MAX_CLIENTS,
	OPT_MAX_FILE,
	OPT_MAX_QUEUED,
	OPT_MAX_PER_IP,
	OPT_MESSAGE_TIMEOUT,
	OPT_TRACE,
	OPT_TRACE_JSON,
	OPT_FLAG, /* + k: the k-th service flag (service_flag) */
};

static const char synopsis[] =
    "usage: pk-relay [--console] [-d state_dir] [--hardened service]\n"
    "           [--idle-timeout sec] [--max-clients n] [--max-file bytes]\n"
    "           [--max-per-ip n]\n"
    "           [--max-queued bytes] [--message-timeout sec] [--pss]\n"
    "           [--trace] [--trace-json file]\n"
    "           service@host:port ...\n";

static const char options[] =
    "\n"
    "  --console           read commands from stdin: TERMINATE closes every\n"
    "                      connection and exits 0\n"
    "  -d dir              state directory, made 0700 if missing (default\n"
    "                      ./" DEFAULT_STATE_DIR "): protokit.db (made only\n"
    "                      if missing) and files/SERVICE/\n"
    "  -h, --help          print this help and exit\n"
    "  --hardened service  serve service on its hardened profile (one\n"
    "                      option a service; the default is faithful:\n"
    "                      the original's behaviour, weaknesses and all);\n"
    "                      a client on the other profile is refused\n"
    "  --idle-timeout sec  close a client silent for sec seconds (default\n"
    "                      60; 0: never); keymanager clients, who wait\n"
    "                      for a person, are spared (TCP keepalive)\n"
    "  --max-clients n     clients served at once; more are refused\n"
    "                      (default 10000)\n"
    "  --max-file bytes    largest file a client may send (default\n"
    "                      1073741824)\n"
    "  --max-per-ip n      clients served at once from one address (IPv4,\n"
    "                      or the whole IPv6 address); more are refused\n"
    "                      (default 1000; 0: no limit)\n"
    "  --max-queued bytes  output queued for all clients together; when\n"
    "                      it is reached the client with the most queued\n"
    "                      (the slowest reader) is dropped, and logged\n"
    "                      (default 67108864; at least 4194304)\n"
    "  --message-timeout sec\n"
    "                      close a client whose message (frame, line) is\n"
    "                      not whole sec seconds after its first byte\n"
    "                      (default 30; 0: never); each message received\n"
    "                      starts the clock again, so long uploads are fine\n"
    "  --trace             show every frame each client sends and is sent,\n"
    "                      field by field, on stderr (docs/trace.md)\n"
    "  --trace-json file   append the same, one JSON object per frame, to\n"
    "                      file\n";

static const char notes[] =
    "\n"
    "host is an IPv4 address or an IPv6 address in brackets; port 0 picks a\n"
    "free port.  One line \"listening service host:port\" per listener goes\n"
    "to stdout, then one line per event to stderr.  SIGINT or SIGTERM stops\n"
    "accepting, flushes replies for up to 2 s and exits.\n"
    "\n"
    "Exit codes: 0 stopped by a signal or by TERMINATE; 2 could not start\n"
    "(usage, address, state directory, database, file descriptor limit).\n";

static const struct option core_longopts[] = {
    {"console", no_argument, NULL, OPT_CONSOLE},
    {"hardened", required_argument, NULL, OPT_HARDENED},
    {"help", no_argument, NULL, 'h'},
    {"idle-timeout", required_argument, NULL, OPT_IDLE_TIMEOUT},
    {"max-clients", required_argument, NULL, OPT_MAX_CLIENTS},
    {"max-file", required_argument, NULL, OPT_MAX_FILE},
    {"max-queued", required_argument, NULL, OPT_MAX_QUEUED},
    {"max-per-ip", required_argument, NULL, OPT_MAX_PER_IP},
    {"message-timeout", required_argument, NULL, OPT_MESSAGE_TIMEOUT},
    {"trace", no_argument, NULL, OPT_TRACE},
    {"trace-json", required_argument, NULL, OPT_TRACE_JSON},
};

#define NCORE (sizeof(core_longopts) / sizeof(core_longopts[0]))

/*
 * The core's and the services' long options, made by main; held here so
 * that an exit while they are parsed (a bad value, --help) leaves them
 * reachable, not leaked.
 */
static struct option *longopts;

/* After the line saying what is wrong: where help is. */
static _Noreturn void
usage(void)
{
	fputs("Try 'pk-relay --help'\n", stderr);
	exit(2);
}

static _Noreturn void
help(void)
{
	char names[256];

	const struct service_flag *f;
	size_t k;

	service_names(names, sizeof(names));
	fputs(synopsis, stdout);
	fputs(options, stdout);
	for (k = 0; (f = service_flag(k, NULL)) != NULL; k++)
		printf("  --%-17s %s\n", f->name, f->help);
	fputs(notes, stdout);
	printf("\nServices: %s\n", names);
	if (fflush(stdout) == EOF || ferror(stdout))
		err(2, "stdout");
	exit(0);
}

static long long
number(const char *opt, const char *s, long long min, long long max)
{
	const char *errstr;
	long long v;

	v = num_parse(s, min, max, &errstr);
	if (errstr != NULL)
		errx(2, "%s %s: %s", opt, s, errstr);
	return v;
}

uint64_t
relay_max_file(const struct relay_ctx *ctx)
{
	return ctx->max_file;
}

struct sqlite3 *
relay_db(const struct relay_ctx *ctx)
{
	return ctx->db;
}

struct evloop *
relay_loop(const struct relay_ctx *ctx)
{
	return ctx->ev;
}

int
relay_hardened(const struct relay_ctx *ctx, const char *name)
{
	const struct service *svc = service_find(name);

	return svc != NULL && (ctx->hardened >> service_index(svc) & 1);
}

/* --hardened NAME: a service that has a hardened profile. */
static void
hardened_set(struct relay_ctx *ctx, const char *name)
{
	const struct service *svc;

	if ((svc = service_find(name)) == NULL)
		errx(2, "--hardened %s: no such service", name);
	if (!svc->hardened)
		errx(2, "--hardened %s: %s has no hardened profile yet", name,
		    name);
	ctx->hardened |= UINT32_C(1) << service_index(svc);
}

const char *
relay_state_dir(const struct relay_ctx *ctx)
{
	return ctx->state_dir;
}

const char *
relay_files_dir(const struct relay_ctx *ctx)
{
	return ctx->files_dir;
}

/*
 * Raises the soft fd limit to the hard one and checks that the clients,
 * the listeners and the relay's own fds fit; returns the table size.
 */
static int
fd_limit(int max_clients, int nlisteners)
{
	struct rlimit rl;
	long long need = (long long)max_clients + nlisteners + RELAY_SLACK_FDS;

	if (getrlimit(RLIMIT_NOFILE, &rl) == -1)
		err(2, "getrlimit");
	if (rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		if (rl.rlim_cur > SETSIZE_MAX)
			rl.rlim_cur = SETSIZE_MAX;
		if (setrlimit(RLIMIT_NOFILE, &rl) == -1 &&
		    getrlimit(RLIMIT_NOFILE, &rl) == -1)
			err(2, "getrlimit");
	}
	if (rl.rlim_cur > SETSIZE_MAX)
		rl.rlim_cur = SETSIZE_MAX;
	if ((long long)rl.rlim_cur < need)
		errx(2,
		    "--max-clients %d needs %lld file descriptors but the "
		    "limit is %lld (ulimit -Hn)",
		    max_clients, need, (long long)rl.rlim_cur);
	return (int)rl.rlim_cur;
}

/* SIGINT and SIGTERM arrive on an fd in the loop; SIGPIPE is ignored. */
static int
signals_fd(void)
{
	sigset_t set;
	int fd;

	if (signal(SIGPIPE, SIG_IGN) == SIG_ERR)
		err(2, "signal");
	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	if (sigprocmask(SIG_BLOCK, &set, NULL) == -1)
		err(2, "sigprocmask");
	if ((fd = signalfd(-1, &set, SFD_NONBLOCK | SFD_CLOEXEC)) == -1)
		err(2, "signalfd");
	return fd;
}

/* The first signal drains the clients; a second one stops at once. */
static void
on_signal(struct evloop *ev, int fd, void *arg, int mask)
{
	struct relay_ctx *ctx = arg;
	struct signalfd_siginfo si;

	(void)mask;
	if (read(fd, &si, sizeof(si)) != sizeof(si))
		return;
	relay_log("relay", "SIG%s: stopping", sigabbrev_np((int)si.ssi_signo));
	if (ctx->stopping)
		ev_stop(ev);
	else
		conn_shutdown(ctx);
}

/*
 * --console: one command per line on stdin, as the chat seed's server
 * reads TERMINATE from its console.  EOF just stops listening to stdin.
 */
static void
on_console(struct evloop *ev, int fd, void *arg, int mask)
{
	static char line[CONSOLE_LINE_MAX];
	static size_t len;
	struct relay_ctx *ctx = arg;
	char *nl;
	ssize_t n;

	(void)mask;
	n = read(fd, line + len, sizeof(line) - 1 - len);
	if (n <= 0) {
		ev_del(ev, fd, EV_READ);
		return;
	}
	len += (size_t)n;
	line[len] = '\0';
	while ((nl = strchr(line, '\n')) != NULL || len == sizeof(line) - 1) {
		if (nl == NULL)
			nl = line + len - 1;
		*nl = '\0';
		if (strcmp(line, "TERMINATE") == 0 && !ctx->stopping) {
			relay_log("relay",
			    "console: TERMINATE: closing all "
			    "connections");
			ev_del(ev, fd, EV_READ);
			conn_shutdown(ctx);
		} else if (line[0] != '\0' && strcmp(line, "TERMINATE") != 0)
			relay_log("relay",
			    "console: unknown command (the one "
			    "command is TERMINATE)");
		len -= (size_t)(nl + 1 - line);
		memmove(line, nl + 1, len + 1);
	}
}

/* The core's options, then each service's flags (OPT_FLAG + k). */
static struct option *
longopts_make(void)
{
	const struct service_flag *f;
	struct option *o;
	size_t k, n;

	for (n = 0; service_flag(n, NULL) != NULL; n++)
		;
	if ((o = calloc(NCORE + n + 1, sizeof(*o))) == NULL)
		err(2, NULL);
	memcpy(o, core_longopts, sizeof(core_longopts));
	for (k = 0; k < n; k++) {
		f = service_flag(k, NULL);
		o[NCORE + k] = (struct option){
		    f->name, no_argument, NULL, OPT_FLAG + (int)k};
	}
	return o;
}

/* The k-th service flag was given: its int in the state becomes 1. */
static void
flag_set(struct relay_ctx *ctx, size_t k)
{
	const struct service *svc;
	const struct service_flag *f = service_flag(k, &svc);
	int one = 1;

	memcpy((char *)service_state(ctx->states, svc) + f->offset, &one,
	    sizeof(one));
}

/* Runs each service's init once, however many listeners it has. */
static void
services_init(struct relay_ctx *ctx, int fini)
{
	const struct service *svc;
	int i, j;

	for (i = 0; i < ctx->nlisteners; i++) {
		svc = ctx->listeners[i].svc;
		for (j = 0; j < i && ctx->listeners[j].svc != svc; j++)
			;
		if (j < i)
			continue;
		if (fini && svc->fini != NULL)
			svc->fini(ctx, ctx->listeners[i].state);
		else if (!fini && svc->init != NULL &&
		    svc->init(ctx, ctx->listeners[i].state) == -1)
			errx(2, "%s: cannot start the service", svc->name);
	}
}

static void
listeners_open(struct relay_ctx *ctx, char **argv)
{
	int i;

	for (i = 0; i < ctx->nlisteners; i++) {
		if (listen_open(&ctx->listeners[i]) == -1)
			err(2, "%s", argv[i]);
		ctx->listeners[i].ctx = ctx;
		ctx->listeners[i].state =
		    service_state(ctx->states, ctx->listeners[i].svc);
	}
}

/* Only once everything is ready: a client may connect right after. */
static void
listeners_print(struct relay_ctx *ctx)
{
	int i;

	for (i = 0; i < ctx->nlisteners; i++)
		printf("listening %s %s\n", ctx->listeners[i].svc->name,
		    ctx->listeners[i].addr);
	if (fflush(stdout) == EOF || ferror(stdout))
		err(2, "stdout");
}

static int
serve(struct relay_ctx *ctx, char **argv, int console)
{
	ctx->setsize = fd_limit(ctx->max_clients, ctx->nlisteners);
	ctx->sigfd = signals_fd();
	listeners_open(ctx, argv);
	db_open(ctx);
	services_init(ctx, 0);
	if ((ctx->ev = ev_create(ctx->setsize)) == NULL ||
	    conn_start(ctx) == -1 ||
	    ev_add(ctx->ev, ctx->sigfd, EV_READ, on_signal, ctx) == -1)
		err(2, "event loop");
	if (console &&
	    ev_add(ctx->ev, STDIN_FILENO, EV_READ, on_console, ctx) == -1)
		err(2, "--console: stdin");
	listeners_print(ctx);
	relay_log("relay", "started: %d listeners, up to %d clients, state %s",
	    ctx->nlisteners, ctx->max_clients, ctx->state_dir);
	if (ev_run(ctx->ev) == -1)
		err(2, "epoll_wait");
	conn_close_all(ctx);
	services_init(ctx, 1);
	db_close(ctx);
	ev_free(ctx->ev);
	close(ctx->sigfd);
	free(ctx->listeners);
	services_free(ctx->states);
	relay_log("relay", "stopped");
	return 0;
}

int
main(int argc, char *argv[])
{
	static struct relay_ctx ctx;
	const char *why;
	int ch, i, console = 0;

	ctx.state_dir = DEFAULT_STATE_DIR;
	ctx.max_clients = DEFAULT_MAX_CLIENTS;
	ctx.idle_ms = DEFAULT_IDLE_TIMEOUT * 1000LL;
	ctx.max_file = DEFAULT_MAX_FILE;
	ctx.out_max = DEFAULT_MAX_QUEUED;
	ctx.max_per_ip = DEFAULT_MAX_PER_IP;
	ctx.msg_ms = DEFAULT_MESSAGE_TIMEOUT * 1000LL;
	if ((ctx.states = services_alloc()) == NULL)
		err(2, NULL);
	longopts = longopts_make();

	while ((ch = getopt_long(argc, argv, "d:h", longopts, NULL)) != -1) {
		switch (ch) {
		case OPT_CONSOLE:
			console = 1;
			break;
		case 'd':
			ctx.state_dir = optarg;
			break;
		case 'h':
			help();
		case OPT_HARDENED:
			hardened_set(&ctx, optarg);
			break;
		case OPT_IDLE_TIMEOUT:
			ctx.idle_ms =
			    number("--idle-timeout", optarg, 0, 86400 * 365) *
			    1000;
			break;
		case OPT_MAX_CLIENTS:
			ctx.max_clients = (int)number(
			    "--max-clients", optarg, 1, SETSIZE_MAX);
			break;
		case OPT_MAX_FILE:
			ctx.max_file = (uint64_t)number(
			    "--max-file", optarg, 1, 1LL << 62);
			break;
		case OPT_MAX_QUEUED:
			ctx.out_max = (size_t)number(
			    "--max-queued", optarg, CONN_OUT_MAX, 1LL << 62);
			break;
		case OPT_MAX_PER_IP:
			ctx.max_per_ip =
			    (int)number("--max-per-ip", optarg, 0, SETSIZE_MAX);
			break;
		case OPT_MESSAGE_TIMEOUT:
			ctx.msg_ms = number("--message-timeout", optarg, 0,
					 86400 * 365) *
			    1000;
			break;
		case OPT_TRACE:
			ctx.sink.text = stderr;
			break;
		case OPT_TRACE_JSON:
			if (ctx.sink.json == NULL &&
			    (ctx.sink.json = trace_json_open(optarg)) == NULL)
				err(2, "--trace-json %s", optarg);
			ctx.sink.who = "relay"; /* the charts' participant */
			break;
		default:
			if (ch < OPT_FLAG)
				usage();
			flag_set(&ctx, (size_t)(ch - OPT_FLAG));
		}
	}
	argc -= optind;
	argv += optind;
	free(longopts);
	longopts = NULL;

	if (argc == 0) {
		warnx("missing service@host:port");
		usage();
	}
	if (*ctx.state_dir == '\0')
		errx(2, "-d: empty state directory");
	ctx.nlisteners = argc;
	if ((ctx.listeners = calloc((size_t)argc, sizeof(*ctx.listeners))) ==
	    NULL)
		err(2, NULL);
	for (i = 0; i < argc; i++)
		if ((why = listen_parse(argv[i], &ctx.listeners[i])) != NULL)
			errx(2, "%s: %s", argv[i], why);

	return serve(&ctx, argv, console);
}
