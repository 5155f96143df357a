/*
 * hostile: the load generator of bench/hostile.sh (built there with cc,
 * not part of make): normal clients' echo round trips, and the hostile
 * clients of issue 12.  Shared by hostile.c, hostile_attack.c and
 * hostile_csr.c.
 */
#ifndef PK_BENCH_HOSTILE_H
#define PK_BENCH_HOSTILE_H

#include <signal.h>
#include <stddef.h>
#include <stdint.h>

struct sockaddr;

#define HOSTILE_FRAME_MAX 32768 /* above every service's largest frame */

extern volatile sig_atomic_t hostile_stop; /* SIGTERM or SIGINT seen */

long long now_us(void);
void put32(uint8_t *, uint32_t);
void set_peer(const char *host, const char *port);
int dial(const char *src, int timeout_s);
const struct sockaddr *hostile_peer(void);
const char *hostile_src(void);
int send_all(int fd, const void *, size_t);
int send_frame(int fd, const void *, size_t);
int read_frame(int fd, uint8_t *buf, size_t max, size_t *len);
int read_frame_is(int fd, const char *want);
void nap_ms(long ms);
void spawn_each(int m, void (*fn)(int, void *), void *arg);

/* The modes; each runs until SIGTERM unless it says otherwise. */
void run_normal(int n, double seconds, long period_ms, double drain_s);
void run_chat(int m, const char *pemfile);
void run_guess(int m, const char *user, int batch);
void run_csr(int m, const char *user, const char *csrfile, int inflight);
void run_drip(int m, long gap_ms);
void run_idle(int m, long hold_ms);
void make_csr(int bits, const char *cn, const char *out);

#endif
