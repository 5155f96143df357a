/*
 * secrets: a table of the secrets held, each wiped (and freed, if it was
 * allocated here) when released.  Keys' numbers are wiped by GMP's
 * allocator (secret_gmp_init), which key_clear goes through.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "secret.h"
#include "secrets.h"

static struct held {
	void *p;
	size_t n; /* bytes; 0 for a key */
	int owned; /* allocated here: freed on release */
} held[SECRETS_MAX];
static size_t nheld;

static int
hold(void *p, size_t n, int owned)
{
	size_t i;

	for (i = 0; i < nheld; i++)
		if (held[i].p == p)
			return 0;
	if (nheld == SECRETS_MAX) {
		errno = ENOSPC;
		return -1;
	}
	held[nheld++] = (struct held){p, n, owned};
	return 0;
}

static void
clear(const struct held *h)
{
	if (h->n == 0)
		key_clear(h->p);
	else
		secret_wipe(h->p, h->n);
	if (h->owned)
		free(h->p);
}

void *
secrets_alloc(size_t n)
{
	void *p;

	if ((p = secret_alloc(n)) == NULL)
		return NULL;
	if (hold(p, n, 1) == -1) {
		secret_free(p, n);
		return NULL;
	}
	return p;
}

struct key_rsa *
secrets_key_alloc(void)
{
	struct key_rsa *k;

	if ((k = calloc(1, sizeof(*k))) == NULL)
		return NULL;
	key_init(k);
	if (hold(k, 0, 1) == -1) {
		key_clear(k);
		free(k);
		return NULL;
	}
	return k;
}

int
secrets_add(void *p, size_t n)
{
	return hold(p, n, 0);
}

int
secrets_key(struct key_rsa *k)
{
	secrets_release(k);
	key_init(k);
	return hold(k, 0, 0);
}

void
secrets_release(void *p)
{
	size_t i;

	for (i = 0; i < nheld && held[i].p != p; i++)
		;
	if (i == nheld)
		return;
	clear(&held[i]);
	memmove(&held[i], &held[i + 1], (nheld - i - 1) * sizeof(held[0]));
	nheld--;
}

void
secrets_wipe(void)
{
	while (nheld > 0) {
		nheld--;
		clear(&held[nheld]);
	}
}
