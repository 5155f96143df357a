/*
 * relay: the core's own declarations, shared by relay.c, listen.c, conn.c,
 * db.c and log.c.  Services see only service.h.
 */
#ifndef PK_RELAY_H
#define PK_RELAY_H

#include <sys/queue.h>
#include <sys/socket.h>

#include <limits.h>
#include <stdarg.h>
#include <stdint.h>

#include "service.h"
#include "trace.h"

#define RELAY_ADDR_MAX 64 /* "[v6 address]:port" */
#define RELAY_SLACK_FDS 32 /* std, epoll, signalfd, database, services */
#define RELAY_LINGER_MS 2000 /* drain a closing client's input this long */
#define RELAY_DRAIN_MS 2000 /* flush queues this long at shutdown */

struct listener {
	const struct service *svc;
	int fd;
	struct sockaddr_storage ss;
	socklen_t sslen;
	char addr[RELAY_ADDR_MAX]; /* as bound */
	struct relay_ctx *ctx;
	void *state; /* its service's */
};

TAILQ_HEAD(conn_list, conn);

struct relay_ctx {
	struct evloop *ev;
	struct sqlite3 *db;
	const char *state_dir;
	char files_dir[PATH_MAX];
	uint64_t max_file;
	int max_clients;
	int nclients;
	long long idle_ms; /* 0: no idle timeout */
	size_t out_max; /* --max-queued: all output queues together */
	size_t out_total; /* bytes the output queues hold now */
	long long msg_ms; /* a message's deadline; 0: none */
	int max_per_ip; /* 0: no limit */
	struct ip_count **ip_bucket; /* conn_ip.c; NULL: no limit */
	size_t ip_mask;
	uint64_t ip_seed;
	int setsize; /* fds below this fit */
	struct conn **conns; /* indexed by fd */
	struct listener *listeners;
	int nlisteners;
	void **states; /* each service's, by its place in services.c */
	uint32_t hardened; /* --hardened: bit k for the k-th service */
	struct conn_list idle; /* open, oldest activity first */
	struct conn_list linger; /* closing, oldest first */
	struct conn_list msgs; /* in mid-message, oldest deadline first */
	struct conn_list pending; /* output queued this pass, to flush */
	struct conn_list queued; /* with an output queue allocated */
	struct conn *reap; /* to close when callbacks end */
	long long sweep_id;
	int sigfd;
	int spare_fd; /* closed to accept on EMFILE */
	int stopping;
	struct trace_sink sink; /* --trace (stderr), --trace-json */
	uint8_t rbuf[CONN_IN_MAX];
};

/* files.c: STATE/files in its layout of one folder a service; 0 or -1. */
int files_layout(struct relay_ctx *);

/* listen.c */
const char *listen_parse(const char *, struct listener *);
int listen_open(struct listener *);
void addr_format(const struct sockaddr *, char *, size_t);

/* conn.c */
int conn_start(struct relay_ctx *);
/* Drops the client (why and err are logged when it closes). */
void conn_kill(struct conn *, const char *why, int err);
void conn_accept(struct evloop *, int, void *, int);
void conn_shutdown(struct relay_ctx *);
void conn_close_all(struct relay_ctx *);

/* conn_ip.c: clients per source address, for --max-per-ip */
struct ip_count;
int ip_table_init(struct relay_ctx *);
void ip_table_free(struct relay_ctx *);
int ip_take(struct relay_ctx *, const struct sockaddr *, struct ip_count **);
void ip_release(struct relay_ctx *, struct ip_count *);

/* db.c */
int db_open(struct relay_ctx *);
void db_close(struct relay_ctx *);

/* log.c */
void log_vline(const char *, const char *, const char *, va_list);
void log_line(const char *, const char *, const char *, ...)
    __attribute__((format(printf, 3, 4)));

/* services.c */
const struct service *service_find(const char *);
void service_names(char *, size_t);
/* Every service's state (NULL for those without); NULL on no memory. */
void **services_alloc(void);
void services_free(void **);
void *service_state(void **, const struct service *);
/* Its place in services.c (below 32), for relay_ctx's hardened bits. */
unsigned service_index(const struct service *);
/* The k-th flag of all the services', and its service; NULL past the end. */
const struct service_flag *service_flag(size_t k, const struct service **);

#endif
