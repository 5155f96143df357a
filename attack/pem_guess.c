/*
 * pem-guess: offline passphrase guessing against an encrypted private key
 * file, one word of a list per guess.  lib/key.c's parser with a
 * passphrase answers KEY_EPASS for a wrong one on both forms, so a guess
 * is one key_parse: the legacy "Proc-Type: 4,ENCRYPTED" PEM (e2e's seed
 * 002: EVP_BytesToKey, MD5 once, then AES-CBC) costs microseconds, PBES2
 * PKCS#8 (PBKDF2, 600 000 rounds by default) a good part of a second.  The
 * first guesses are timed: when the list would take longer than the
 * budget, the attack says so and gives up honestly rather than wait.
 */
#include <err.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "attack.h"
#include "key.h"
#include "num.h"
#include "pem.h"
#include "secret.h"

#define WORD_MAX 1024 /* the longest word tried; longer lines are skipped */
#define PROBE_SECONDS 0.25 /* timed before the estimate is made */
#define BUDGET_DEFAULT 10 /* seconds the whole list may take */
#define BUDGET_MAX 86400

static const struct option longopts[] = {
    {"budget", required_argument, NULL, 'b'},
    {"words", required_argument, NULL, 'w'},
    {NULL, 0, NULL, 0},
};

struct guess {
	const uint8_t *key; /* the key file's text */
	size_t keylen;
	FILE *words;
	const char *wordfile;
	unsigned long long total, tried; /* words in the list, guessed */
	double budget, start;
};

static double
now(void)
{
	struct timespec ts;

	if (clock_gettime(CLOCK_MONOTONIC, &ts) == -1)
		err(2, "clock_gettime");
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Which encryption the file uses, for the first line. */
static const char *
form(const uint8_t *key, size_t len)
{
	struct pem p;

	if (!key_is_encrypted(key, len))
		return NULL;
	if (pem_present(key, len) && pem_parse(key, len, &p) == 0 &&
	    p.encrypted)
		return "legacy PEM (Proc-Type: 4,ENCRYPTED: EVP_BytesToKey"
		       " with MD5, one iteration, AES-CBC)";
	return "PBES2 PKCS#8 (PBKDF2, then AES-CBC)";
}

/*
 * The next word (no line end), its length, or -1 at the end.  A line
 * over WORD_MAX bytes, or with a NUL byte in it, is skipped whole.
 */
static long
next_word(struct guess *g, char *word)
{
	size_t len;
	int c, skip;

	do {
		len = 0;
		skip = 0;
		while ((c = getc(g->words)) != EOF && c != '\n')
			if (c == '\0' || len == WORD_MAX)
				skip = 1;
			else
				word[len++] = (char)c;
		if (len > 0 && word[len - 1] == '\r')
			len--;
		word[len] = '\0';
		if (!skip && len > 0)
			return (long)len;
	} while (c != EOF);
	if (ferror(g->words))
		err(2, "%s", g->wordfile);
	return -1;
}

static void
rate_line(const struct guess *g, double spent)
{
	attack_progress("%llu guesses in %.2f s: %.1f guesses per second",
	    g->tried, spent, spent > 0 ? (double)g->tried / spent : 0.0);
}

/*
 * After the probe: 1 (and the reason said) when the rest of the list
 * would overrun the budget.
 */
static int
over_budget(const struct guess *g, double spent)
{
	double rate = (double)g->tried / spent;
	double need = (double)g->total / rate;

	if (need <= g->budget)
		return 0;
	rate_line(g, spent);
	attack_progress("the list's %llu words need about %.0f s at this"
			" rate, over the budget of %.0f s: given up, nothing"
			" recovered",
	    g->total, need, g->budget);
	return 1;
}

/* One guess: 1 the word opens the key, 0 it does not; dies (2). */
static int
try_word(const struct guess *g, const char *word, size_t len)
{
	struct key_rsa k;
	int rv;

	key_init(&k);
	rv = key_parse(&k, g->key, g->keylen, (const uint8_t *)word, len);
	key_clear(&k);
	if (rv != KEY_OK && rv != KEY_EPASS)
		errx(2, "the key file: %s", key_strerror(rv));
	return rv == KEY_OK;
}

static int
guess_all(struct guess *g)
{
	char word[WORD_MAX + 2];
	double spent = 0;
	int probing = 1;
	long len;

	g->start = now();
	while ((len = next_word(g, word)) >= 0) {
		g->tried++;
		if (try_word(g, word, (size_t)len)) {
			rate_line(g, now() - g->start);
			attack_progress("the passphrase is word %llu of the"
					" list",
			    g->tried);
			attack_output((const uint8_t *)word, (size_t)len);
			explicit_bzero(word, sizeof(word));
			return 0;
		}
		spent = now() - g->start;
		if (probing && spent >= PROBE_SECONDS) {
			probing = 0;
			if (over_budget(g, spent))
				return 1;
		}
	}
	explicit_bzero(word, sizeof(word));
	rate_line(g, spent);
	attack_progress("no word of the list opens the key: nothing recovered");
	return 1;
}

/* Counts the list's words (one a line), then rewinds it. */
static unsigned long long
count_words(struct guess *g)
{
	char word[WORD_MAX + 2];
	unsigned long long n = 0;

	while (next_word(g, word) >= 0)
		n++;
	rewind(g->words);
	explicit_bzero(word, sizeof(word));
	return n;
}

static int
pem_guess_main(int argc, char *argv[])
{
	struct guess g = {.budget = BUDGET_DEFAULT};
	const char *errstr, *what;
	uint8_t *key;
	int ch, rv;

	while ((ch = attack_getopt(argc, argv, "b:w:", longopts)) != -1) {
		if (ch == 'w')
			g.wordfile = optarg;
		else if (ch == 'b') {
			g.budget =
			    (double)num_parse(optarg, 1, BUDGET_MAX, &errstr);
			if (errstr != NULL)
				errx(2, "--budget: %s: %s", optarg, errstr);
		}
	}
	argc -= optind;
	argv += optind;
	if (g.wordfile == NULL || argc != 1)
		attack_usage();
	secret_gmp_init();
	key = attack_slurp(argv[0], KEY_FILE_MAX, &g.keylen);
	g.key = key;
	if ((what = form(key, g.keylen)) == NULL)
		errx(2, "%s: not an encrypted private key", argv[0]);
	if ((g.words = fopen(g.wordfile, "r")) == NULL)
		err(2, "%s", g.wordfile);
	g.total = count_words(&g);
	attack_progress("%s: %s; %llu words to try", argv[0], what, g.total);
	rv = guess_all(&g);
	fclose(g.words);
	free(key);
	return rv;
}

const struct attack attack_pem_guess = {
    "pem-guess",
    "-w words [--budget seconds] keyfile",
    "e2e: a key file's passphrase guessed offline from a word list, the"
    " guesses per second",
    "  -b, --budget seconds  give up when the list would take longer"
    " (default 10)\n"
    "  -w, --words file      the word list, one passphrase a line\n"
    "  keyfile               an encrypted private key: legacy PEM or"
    " PBES2 PKCS#8\n",
    pem_guess_main,
};
