/*
 * evloop: a small event loop in the shape of redis's ae: file events on
 * fds with a read and a write callback, one list of timers, run and stop.
 * epoll is the backend.  Functions return 0 (or an id) and -1 with errno
 * set; nothing here prints or exits.
 */
#ifndef PK_EVLOOP_H
#define PK_EVLOOP_H

#define EV_NONE 0
#define EV_READ 1
#define EV_WRITE 2
#define EV_NOMORE (-1) /* a timer callback returns this to end */

struct evloop;

/* mask is the events that fired (EV_READ or EV_WRITE). */
typedef void ev_file_fn(struct evloop *, int fd, void *arg, int mask);
/* Returns the delay in ms until the next call, or EV_NOMORE. */
typedef long long ev_timer_fn(struct evloop *, long long id, void *arg);

/* fds must be below setsize. */
struct evloop *ev_create(int setsize);
void ev_free(struct evloop *);

/*
 * Adds the events in mask for fd, with fn as their callback (the other
 * event keeps its own); arg is shared by both events of an fd.
 */
int ev_add(struct evloop *, int fd, int mask, ev_file_fn *fn, void *arg);
/* Removes the events in mask; fd is out of the loop once none is left. */
int ev_del(struct evloop *, int fd, int mask);
int ev_mask(struct evloop *, int fd);

/* Calls fn after ms milliseconds; returns the timer id or -1. */
long long ev_timer_add(
    struct evloop *, long long ms, ev_timer_fn *fn, void *arg);
int ev_timer_del(struct evloop *, long long id);

/* Monotonic milliseconds, the clock of the timers. */
long long ev_now(void);

/*
 * fn runs once per pass of the loop, before it waits for events (redis's
 * beforeSleep): the place to flush what the callbacks of the pass queued.
 */
typedef void ev_sleep_fn(struct evloop *, void *arg);
void ev_before_sleep(struct evloop *, ev_sleep_fn *fn, void *arg);

/* Runs until ev_stop; returns 0 then, or -1 if epoll fails. */
int ev_run(struct evloop *);
void ev_stop(struct evloop *);

#endif
