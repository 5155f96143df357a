/*
 * keyarg: the key from -k, --key-fd or --key-env and the IV from -iv,
 * --iv-file or --zero-iv.  A key is hex text (what `openssl rand -hex N`
 * writes; whitespace around it is ignored), or raw bytes with --raw-key
 * only: a mistyped hex key must not pass as a different raw key.  An IV
 * file is hex, or exactly 16 bytes that are not (raw).  The key never
 * touches argv.
 */
#include <ctype.h>
#include <err.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "aes.h"
#include "hex.h"
#include "secret.h"

/* Longest source read: hex for up to 64 bytes (so that a hex key of a
 * wrong size is named as such) with room for whitespace around it. */
#define KEY_TEXT_MAX 1024

/* What a key or an IV may be, and what to say when it is not. */
struct material {
	size_t max;
	int (*size_ok)(size_t);
	int raw_by_size; /* non-hex of a valid size is raw */
	const char *empty;
	const char *bad_hex_size;
	const char *not_hex;
	const char *bad_raw_size;
};

static int
key_size_ok(size_t n)
{
	return n == AES128_KEY_SIZE || n == AES192_KEY_SIZE ||
	    n == AES256_KEY_SIZE;
}

static int
iv_size_ok(size_t n)
{
	return n == AES_BLOCK_SIZE;
}

static const struct material key_material = {
    AES_MAX_KEY_SIZE,
    key_size_ok,
    0,
    "empty key",
    "hex key is not 16, 24 or 32 bytes",
    "key is not hex (16, 24 or 32 bytes as 32, 48 or 64 hex digits; "
    "a raw key needs --raw-key)",
    "raw key is not 16, 24 or 32 bytes",
};

static const struct material iv_material = {
    AES_BLOCK_SIZE,
    iv_size_ok,
    1,
    "empty IV",
    "hex IV is not 16 bytes",
    "IV is neither hex nor 16 raw bytes",
    "IV is neither hex nor 16 raw bytes",
};

/* Narrows [*p, *p + *len) to what lies between leading and trailing space. */
static void
trim(const char **p, size_t *len)
{
	while (*len > 0 && isspace((unsigned char)**p)) {
		(*p)++;
		(*len)--;
	}
	while (*len > 0 && isspace((unsigned char)(*p)[*len - 1]))
		(*len)--;
}

static int
all_hex(const char *p, size_t len)
{
	while (len > 0 && isxdigit((unsigned char)p[len - 1]))
		len--;
	return len == 0;
}

static const char *
raw_copy(const struct material *m, const uint8_t *text, size_t len,
    uint8_t *out, size_t *n)
{
	if (len > m->max || !m->size_ok(len))
		return m->bad_raw_size;
	memcpy(out, text, len);
	*n = len;
	return NULL;
}

/*
 * Decodes text (len bytes, not NUL-terminated; more than KEY_TEXT_MAX means
 * the source was longer) into out, as raw bytes if raw.  Returns NULL and
 * sets *n, or returns what is wrong with it.
 */
static const char *
decode(const struct material *m, int raw, const uint8_t *text, size_t len,
    uint8_t *out, size_t *n)
{
	const char *p = (const char *)text;
	size_t plen = len > KEY_TEXT_MAX ? KEY_TEXT_MAX : len;
	ssize_t h;

	if (raw)
		return raw_copy(m, text, len, out, n);
	trim(&p, &plen);
	if (plen == 0)
		return m->empty;
	if (!all_hex(p, plen))
		return m->raw_by_size && m->size_ok(len)
		    ? raw_copy(m, text, len, out, n)
		    : m->not_hex;
	if (len > KEY_TEXT_MAX || (h = hex_decode(p, plen, out, m->max)) < 0 ||
	    !m->size_ok((size_t)h))
		return m->bad_hex_size;
	*n = (size_t)h;
	return NULL;
}

/*
 * Reads a key or IV source.  A source longer than KEY_TEXT_MAX is not an
 * I/O error: *len is set past the limit, and decode calls it bad.
 */
static int
read_source(
    const char *path, int fd, const char *env, uint8_t *buf, size_t *len)
{
	const char *v;
	int rv;

	if (path != NULL)
		rv = secret_from_file(path, buf, KEY_TEXT_MAX, len);
	else if (fd != -1)
		rv = secret_from_fd(fd, buf, KEY_TEXT_MAX, len);
	else {
		rv = secret_from_env(env, buf, KEY_TEXT_MAX, len);
		/* Scrub our copy of the environment (it shows in /proc). */
		if ((v = getenv(env)) != NULL)
			secret_wipe((void *)v, strlen(v));
	}
	if (rv == -1 && errno == EFBIG) {
		*len = KEY_TEXT_MAX + 1;
		rv = 0;
	}
	return rv;
}

/* Names a source in messages: the path, "fd N" or "$VAR". */
static const char *
source_name(const char *path, int fd, const char *env, char *buf, size_t size)
{
	if (path != NULL)
		return path;
	if (fd != -1)
		snprintf(buf, size, "fd %d", fd);
	else
		snprintf(buf, size, "$%s", env);
	return buf;
}

void
aes_key_load(const struct aes_args *a, struct aes_key *k)
{
	uint8_t text[KEY_TEXT_MAX + 1];
	char name[64];
	const char *src, *why = NULL;
	size_t len;
	int rv, saved;

	if (a->key_sources == 0)
		errx(2, "no key: use -k, --key-fd or --key-env");
	if ((a->key_file != NULL && strcmp(a->key_file, "-") == 0) ||
	    a->key_fd == STDIN_FILENO)
		errx(2,
		    "the key cannot come from stdin, which carries the "
		    "data");
	src =
	    source_name(a->key_file, a->key_fd, a->key_env, name, sizeof(name));
	if (a->key_env != NULL && getenv(a->key_env) == NULL)
		errx(2, "%s: not set", src);
	rv = read_source(a->key_file, a->key_fd, a->key_env, text, &len);
	saved = errno;
	if (rv == 0)
		why = decode(
		    &key_material, a->raw_key, text, len, k->bytes, &k->len);
	secret_wipe(text, sizeof(text));
	if (rv == -1 || why != NULL) {
		secret_wipe(k, sizeof(*k));
		errno = saved;
		if (rv == -1)
			err(2, "%s", src);
		errx(2, "%s: %s", src, why);
	}
}

void
aes_iv_load(const struct aes_args *a, uint8_t iv[AES_BLOCK_SIZE])
{
	uint8_t text[KEY_TEXT_MAX + 1];
	const char *why;
	size_t len;
	ssize_t n;

	if (a->zero_iv) {
		warnx("warning: all-zero IV: the same plaintext will always "
		      "give the same ciphertext");
		memset(iv, 0, AES_BLOCK_SIZE);
		return;
	}
	if (a->iv_hex != NULL) {
		n = hex_decode(
		    a->iv_hex, strlen(a->iv_hex), iv, AES_BLOCK_SIZE);
		if (n == -1 && errno == EINVAL)
			errx(2, "-iv: IV is not hex");
		if (n != AES_BLOCK_SIZE)
			errx(2, "-iv: IV is not 16 bytes (32 hex digits)");
		return;
	}
	if (a->iv_file == NULL)
		errx(2, "no IV: use -iv, --iv-file or --zero-iv");
	if (strcmp(a->iv_file, "-") == 0)
		errx(2,
		    "the IV cannot come from stdin, which carries the "
		    "data");
	if (read_source(a->iv_file, -1, NULL, text, &len) == -1)
		err(2, "%s", a->iv_file);
	if ((why = decode(&iv_material, 0, text, len, iv, &len)) != NULL)
		errx(2, "%s: %s", a->iv_file, why);
}
