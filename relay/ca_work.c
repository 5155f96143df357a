/*
 * ca_work: the ca service's one worker thread, which runs every client's
 * PBKDF2 (tens of milliseconds each) so that no hash ever holds the event
 * loop and the other clients behind it.  The loop thread queues a job,
 * the worker hashes it and queues it back, and an eventfd in the loop
 * wakes ca_work_ready, which hands the hash to the job's client.  A
 * client that closes first only cancels its job: the worker skips it, or
 * its result is dropped.  The thread starts with the first job.
 */
#include <sys/eventfd.h>

#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <unistd.h>

#include "ca.h"
#include "evloop.h"
#include "secret.h"

struct ca_worker {
	pthread_t thread;
	pthread_mutex_t lock;
	pthread_cond_t wake;
	int stop;
	int efd; /* the worker adds 1 when it queues a result */
	struct evloop *ev;
	struct ca_job *todo, **todo_tail; /* under lock, like done */
	struct ca_job *done, **done_tail;
};

static void
job_free(struct ca_job *j)
{
	secret_free(j, sizeof(*j));
}

struct ca_job *
ca_job_new(void)
{
	return secret_alloc(sizeof(struct ca_job));
}

static void
push(struct ca_job ***tail, struct ca_job *j)
{
	j->next = NULL;
	**tail = j;
	*tail = &j->next;
}

static void *
work_main(void *arg)
{
	struct ca_worker *w = arg;
	struct ca_job *j;
	uint64_t one = 1;
	ssize_t n;

	pthread_mutex_lock(&w->lock);
	while (!w->stop) {
		if ((j = w->todo) == NULL) {
			pthread_cond_wait(&w->wake, &w->lock);
			continue;
		}
		if ((w->todo = j->next) == NULL)
			w->todo_tail = &w->todo;
		if (j->cancelled) {
			job_free(j);
			continue;
		}
		pthread_mutex_unlock(&w->lock);
		capass_hash(j->pass, j->passlen, j->salt, j->hash);
		secret_wipe(j->pass, sizeof(j->pass));
		pthread_mutex_lock(&w->lock);
		push(&w->done_tail, j);
		/* Cannot fail: the count stays far below its maximum. */
		n = write(w->efd, &one, sizeof(one));
		(void)n;
	}
	pthread_mutex_unlock(&w->lock);
	return NULL;
}

/* The loop side: each finished job goes to its client, if still there. */
static void
work_ready(struct evloop *ev, int fd, void *arg, int mask)
{
	struct ca_worker *w = arg;
	struct ca_job *j, *next;
	uint64_t count;

	(void)ev;
	(void)mask;
	if (read(fd, &count, sizeof(count)) == -1)
		return;
	pthread_mutex_lock(&w->lock);
	j = w->done;
	w->done = NULL;
	w->done_tail = &w->done;
	pthread_mutex_unlock(&w->lock);
	for (; j != NULL; j = next) {
		next = j->next;
		if (!j->cancelled)
			j->done(j->k, j);
		job_free(j);
	}
}

/* The thread takes no signal: they all belong to the loop's signalfd. */
static int
work_start(struct ca_worker *w)
{
	sigset_t all, old;
	int rv;

	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	rv = pthread_create(&w->thread, NULL, work_main, w);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (rv != 0) {
		errno = rv;
		return -1;
	}
	return 0;
}

static struct ca_worker *
work_new(struct evloop *ev)
{
	struct ca_worker *w;

	if ((w = calloc(1, sizeof(*w))) == NULL)
		return NULL;
	w->ev = ev;
	w->todo_tail = &w->todo;
	w->done_tail = &w->done;
	pthread_mutex_init(&w->lock, NULL);
	pthread_cond_init(&w->wake, NULL);
	if ((w->efd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC)) == -1) {
		free(w);
		return NULL;
	}
	if (ev_add(ev, w->efd, EV_READ, work_ready, w) == -1 ||
	    work_start(w) == -1) {
		ev_del(ev, w->efd, EV_READ);
		close(w->efd);
		free(w);
		return NULL;
	}
	return w;
}

int
ca_work_submit(struct ca_authority *ca, struct relay_ctx *ctx, struct ca_job *j)
{
	if (ca->worker == NULL &&
	    (ca->worker = work_new(relay_loop(ctx))) == NULL) {
		relay_log(CA_SERVICE, "worker thread: cannot start");
		return -1;
	}
	pthread_mutex_lock(&ca->worker->lock);
	push(&ca->worker->todo_tail, j);
	pthread_cond_signal(&ca->worker->wake);
	pthread_mutex_unlock(&ca->worker->lock);
	return 0;
}

void
ca_work_cancel(struct ca_authority *ca, struct ca_job *j)
{
	pthread_mutex_lock(&ca->worker->lock);
	j->cancelled = 1;
	pthread_mutex_unlock(&ca->worker->lock);
}

static void
free_list(struct ca_job *j)
{
	struct ca_job *next;

	for (; j != NULL; j = next) {
		next = j->next;
		job_free(j);
	}
}

void
ca_work_fini(struct ca_authority *ca)
{
	struct ca_worker *w = ca->worker;

	if (w == NULL)
		return;
	pthread_mutex_lock(&w->lock);
	w->stop = 1;
	pthread_cond_signal(&w->wake);
	pthread_mutex_unlock(&w->lock);
	pthread_join(w->thread, NULL);
	free_list(w->todo);
	free_list(w->done);
	ev_del(w->ev, w->efd, EV_READ);
	close(w->efd);
	pthread_mutex_destroy(&w->lock);
	pthread_cond_destroy(&w->wake);
	free(w);
	ca->worker = NULL;
}
