/*
 * hostile guess and csr: clients of the relay's ca service, one process
 * each (blocking sockets with timeouts).  guess (issue 12, item 2): a
 * batch of wrong passwords in one write, then their answers, and again.
 * csr (item 3): signed in, INFLIGHT requests with a huge key in flight.
 * A client the relay closes connects and signs in again.
 */
#include <err.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "hostile.h"

#define ASK_USER "Please Enter your username"
#define ASK_PASS "Enter password"
#define WELCOME "Welcome"
#define TIMEOUT_S 30

struct ca_args {
	const char *user;
	const char *pass; /* csr: signs in with it; guess: NULL */
	uint8_t *out; /* sent in one write ... */
	size_t outlen;
	int replies; /* ... then this many frames read */
	const char *expect; /* each starting so */
};

/* Connected and at the password prompt, or -1 after a short pause. */
static int
ca_user(const char *user)
{
	int fd;

	if ((fd = dial(hostile_src(), TIMEOUT_S)) != -1) {
		if (read_frame_is(fd, ASK_USER) == 0 &&
		    send_frame(fd, user, strlen(user)) == 0 &&
		    read_frame_is(fd, ASK_PASS) == 0)
			return fd;
		close(fd);
	}
	nap_ms(100);
	return -1;
}

/* One volley: a's bytes out, a's replies in; -1 if one failed. */
static int
volley(int fd, const struct ca_args *a)
{
	int k;

	if (send_all(fd, a->out, a->outlen) == -1)
		return -1;
	for (k = 0; k < a->replies; k++)
		if (read_frame_is(fd, a->expect) == -1)
			return -1;
	return 0;
}

/* Volleys until the relay closes the client, then again. */
static void
ca_client(int i, void *arg)
{
	const struct ca_args *a = arg;
	int fd;

	(void)i;
	while (!hostile_stop) {
		if ((fd = ca_user(a->user)) == -1)
			continue;
		if (a->pass == NULL ||
		    (send_frame(fd, a->pass, strlen(a->pass)) == 0 &&
			read_frame_is(fd, WELCOME) == 0))
			while (!hostile_stop && volley(fd, a) == 0)
				;
		close(fd);
		nap_ms(100);
	}
}

/* batch frames "wrong-NNNNNN" in one buffer. */
void
run_guess(int m, const char *user, int batch)
{
	struct ca_args a = {
	    .user = user, .replies = batch, .expect = "incorrect"};
	uint8_t *p;
	int k;

	if (m < 1 || batch < 1)
		errx(2, "guess: bad counts");
	a.outlen = (size_t)batch * 16;
	if ((a.out = malloc(a.outlen + 1)) == NULL)
		err(2, NULL);
	for (k = 0, p = a.out; k < batch; k++, p += 16) {
		put32(p, 12);
		snprintf(
		    (char *)p + 4, 13, "wrong-%06u", (unsigned)k % 1000000);
	}
	spawn_each(m, ca_client, &a);
	free(a.out);
}

/* inflight frames "CSR user\n<the PEM of csrfile>" in one buffer. */
void
run_csr(int m, const char *user, const char *csrfile, int inflight)
{
	struct ca_args a = {.user = user,
	    .pass = getenv("HOSTILE_PASS"),
	    .replies = inflight,
	    .expect = "-----BEGIN"};
	uint8_t req[HOSTILE_FRAME_MAX];
	size_t n, hl, k;
	FILE *fp;

	if (m < 1 || inflight < 1 || a.pass == NULL)
		errx(2, "csr: bad counts, or no HOSTILE_PASS");
	hl = (size_t)snprintf((char *)req + 4, 80, "CSR %s\n", user);
	if ((fp = fopen(csrfile, "r")) == NULL)
		err(2, "%s", csrfile);
	n = fread(req + 4 + hl, 1, sizeof(req) - 84, fp);
	fclose(fp);
	put32(req, (uint32_t)(hl + n));
	a.outlen = (4 + hl + n) * (size_t)inflight;
	if ((a.out = malloc(a.outlen)) == NULL)
		err(2, NULL);
	for (k = 0; k < (size_t)inflight; k++)
		memcpy(a.out + k * (4 + hl + n), req, 4 + hl + n);
	spawn_each(m, ca_client, &a);
	free(a.out);
}
