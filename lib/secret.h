/*
 * secret: memory that is wiped when freed (also installed into GMP), and
 * secrets read from a file, an fd, the environment or the terminal, never
 * from argv.  Functions return 0 or -1 with errno set; nothing is printed.
 */
#ifndef PK_SECRET_H
#define PK_SECRET_H

#include <stddef.h>
#include <stdint.h>

#define SECRET_MAX 4096 /* longest passphrase or key text accepted */

/* Zeroed memory; secret_free wipes n bytes before freeing. */
void *secret_alloc(size_t n);
void secret_free(void *p, size_t n);
void secret_wipe(void *p, size_t n);

/* Makes GMP wipe every limb it frees or moves (mpz_clear does not). */
void secret_gmp_init(void);

/*
 * Each reads at most max bytes into buf and sets *len.  EFBIG if the
 * source holds more.  The trailing line ending is kept; see secret_chomp.
 */
int secret_from_file(const char *path, uint8_t *buf, size_t max, size_t *len);
int secret_from_fd(int fd, uint8_t *buf, size_t max, size_t *len);
int secret_from_env(const char *name, uint8_t *buf, size_t max, size_t *len);
/* Prompts on stderr with echo off; ENOTTY when stdin is not a terminal. */
int secret_from_tty(const char *prompt, uint8_t *buf, size_t max, size_t *len);

/*
 * Where a passphrase comes from: at most one of a file, an fd (>= 0) or an
 * environment variable; none set means the terminal.  lib/pass.h sets one
 * from an option and words the messages with the tool's words.
 */
struct pass_words;
struct secret_src {
	const char *file;
	int fd;
	const char *env;
	const struct pass_words *words; /* NULL: plain words */
};
#define SECRET_SRC_INIT                                                        \
	{                                                                      \
		NULL, -1, NULL, NULL                                           \
	}

/*
 * Reads a passphrase from src, or from the terminal with prompt when src
 * names no source (ENOTTY when stdin is not one), and drops its line
 * ending.  An empty passphrase is ENODATA.  buf is wiped on failure.
 */
int secret_passphrase(const struct secret_src *src, const char *prompt,
    uint8_t *buf, size_t max, size_t *len);
/* Drops one trailing "\n" or "\r\n" (a passphrase file's line ending). */
size_t secret_chomp(const uint8_t *buf, size_t len);

#endif
