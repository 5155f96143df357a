/*
 * evloop: the epoll backend of lib/evloop.h.  Each registered fd carries a
 * generation in its epoll data, bumped when the fd leaves the loop, so that
 * an event fetched for an fd that a callback closed (and maybe reused) in
 * the same pass is skipped instead of reaching the new owner.
 */
#include <sys/epoll.h>

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#include "evloop.h"

struct ev_file {
	int mask;
	uint32_t gen;
	ev_file_fn *rfn;
	ev_file_fn *wfn;
	void *arg;
};

struct ev_timer {
	long long id; /* -1 once deleted */
	long long when;
	ev_timer_fn *fn;
	void *arg;
	struct ev_timer *next;
};

struct evloop {
	int epfd;
	int setsize;
	int stop;
	long long next_id;
	struct ev_file *files;
	struct epoll_event *fired;
	struct ev_timer *timers;
	ev_sleep_fn *sleep_fn;
	void *sleep_arg;
};

long long
ev_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

struct evloop *
ev_create(int setsize)
{
	struct evloop *ev;

	if (setsize <= 0) {
		errno = EINVAL;
		return NULL;
	}
	if ((ev = calloc(1, sizeof(*ev))) == NULL)
		return NULL;
	ev->setsize = setsize;
	ev->files = calloc((size_t)setsize, sizeof(*ev->files));
	ev->fired = calloc((size_t)setsize, sizeof(*ev->fired));
	if (ev->files == NULL || ev->fired == NULL ||
	    (ev->epfd = epoll_create1(EPOLL_CLOEXEC)) == -1) {
		free(ev->files);
		free(ev->fired);
		free(ev);
		return NULL;
	}
	return ev;
}

void
ev_free(struct evloop *ev)
{
	struct ev_timer *t, *next;

	if (ev == NULL)
		return;
	for (t = ev->timers; t != NULL; t = next) {
		next = t->next;
		free(t);
	}
	close(ev->epfd);
	free(ev->files);
	free(ev->fired);
	free(ev);
}

static int
ev_ctl(struct evloop *ev, int op, int fd, int mask)
{
	struct epoll_event ee = {0};

	if (mask & EV_READ)
		ee.events |= EPOLLIN;
	if (mask & EV_WRITE)
		ee.events |= EPOLLOUT;
	ee.data.u64 = (uint64_t)ev->files[fd].gen << 32 | (uint32_t)fd;
	return epoll_ctl(ev->epfd, op, fd, &ee);
}

int
ev_add(struct evloop *ev, int fd, int mask, ev_file_fn *fn, void *arg)
{
	struct ev_file *f;
	int op;

	if (fd < 0 || fd >= ev->setsize) {
		errno = ERANGE;
		return -1;
	}
	f = &ev->files[fd];
	op = f->mask == EV_NONE ? EPOLL_CTL_ADD : EPOLL_CTL_MOD;
	if (ev_ctl(ev, op, fd, f->mask | mask) == -1)
		return -1;
	f->mask |= mask;
	if (mask & EV_READ)
		f->rfn = fn;
	if (mask & EV_WRITE)
		f->wfn = fn;
	f->arg = arg;
	return 0;
}

int
ev_del(struct evloop *ev, int fd, int mask)
{
	struct ev_file *f;
	int left, rv;

	if (fd < 0 || fd >= ev->setsize) {
		errno = ERANGE;
		return -1;
	}
	f = &ev->files[fd];
	if ((f->mask & mask) == EV_NONE)
		return 0;
	left = f->mask & ~mask;
	if (left != EV_NONE) {
		if ((rv = ev_ctl(ev, EPOLL_CTL_MOD, fd, left)) == 0)
			f->mask = left;
		return rv;
	}
	/* Out of the loop even if epoll refuses (the fd may be closed). */
	rv = epoll_ctl(ev->epfd, EPOLL_CTL_DEL, fd, NULL);
	f->mask = EV_NONE;
	f->gen++;
	return rv;
}

int
ev_mask(struct evloop *ev, int fd)
{
	if (fd < 0 || fd >= ev->setsize)
		return EV_NONE;
	return ev->files[fd].mask;
}

long long
ev_timer_add(struct evloop *ev, long long ms, ev_timer_fn *fn, void *arg)
{
	struct ev_timer *t;

	if ((t = malloc(sizeof(*t))) == NULL)
		return -1;
	t->id = ev->next_id++;
	t->when = ev_now() + ms;
	t->fn = fn;
	t->arg = arg;
	t->next = ev->timers;
	ev->timers = t;
	return t->id;
}

int
ev_timer_del(struct evloop *ev, long long id)
{
	struct ev_timer *t;

	for (t = ev->timers; t != NULL; t = t->next) {
		if (t->id == id && id != -1) {
			t->id = -1; /* freed by the next timer pass */
			return 0;
		}
	}
	errno = ENOENT;
	return -1;
}

/* Milliseconds until the nearest timer, or -1 (wait forever). */
static int
ev_wait_ms(struct evloop *ev)
{
	struct ev_timer *t;
	long long min = -1, now;

	for (t = ev->timers; t != NULL; t = t->next)
		if (t->id != -1 && (min == -1 || t->when < min))
			min = t->when;
	if (min == -1)
		return -1;
	now = ev_now();
	if (min <= now)
		return 0;
	return min - now > 1000000 ? 1000000 : (int)(min - now);
}

static void
ev_timers(struct evloop *ev)
{
	struct ev_timer *t, **tp;
	long long maxid = ev->next_id, now, next;

	for (tp = &ev->timers; (t = *tp) != NULL;) {
		if (t->id == -1) {
			*tp = t->next;
			free(t);
		} else
			tp = &t->next;
	}
	/* Timers added by a callback wait for the next pass. */
	for (t = ev->timers; t != NULL; t = t->next) {
		now = ev_now();
		if (t->id == -1 || t->id >= maxid || t->when > now)
			continue;
		next = t->fn(ev, t->id, t->arg);
		if (next == EV_NOMORE)
			t->id = -1;
		else if (t->id != -1)
			t->when = ev_now() + next;
	}
}

static void
ev_dispatch(struct evloop *ev, struct epoll_event *ee)
{
	int fd = (int)(uint32_t)ee->data.u64, mask = EV_NONE;
	uint32_t gen = (uint32_t)(ee->data.u64 >> 32);
	struct ev_file *f = &ev->files[fd];

	if (ee->events & (EPOLLIN | EPOLLERR | EPOLLHUP))
		mask |= EV_READ;
	if (ee->events & (EPOLLOUT | EPOLLERR | EPOLLHUP))
		mask |= EV_WRITE;
	if (f->gen == gen && (f->mask & mask & EV_READ))
		f->rfn(ev, fd, f->arg, EV_READ);
	/* The read callback may have removed or closed the fd. */
	if (f->gen == gen && (f->mask & mask & EV_WRITE))
		f->wfn(ev, fd, f->arg, EV_WRITE);
}

int
ev_run(struct evloop *ev)
{
	int i, n;

	ev->stop = 0;
	while (!ev->stop) {
		if (ev->sleep_fn != NULL) {
			ev->sleep_fn(ev, ev->sleep_arg);
			if (ev->stop)
				break;
		}
		n = epoll_wait(
		    ev->epfd, ev->fired, ev->setsize, ev_wait_ms(ev));
		if (n == -1) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		for (i = 0; i < n && !ev->stop; i++)
			ev_dispatch(ev, &ev->fired[i]);
		ev_timers(ev);
	}
	return 0;
}

void
ev_before_sleep(struct evloop *ev, ev_sleep_fn *fn, void *arg)
{
	ev->sleep_fn = fn;
	ev->sleep_arg = arg;
}

void
ev_stop(struct evloop *ev)
{
	ev->stop = 1;
}
