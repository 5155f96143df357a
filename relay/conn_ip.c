/*
 * conn_ip: how many clients each source address has, for --max-per-ip.
 * One entry per address with clients (IPv4, or the whole IPv6 address),
 * in a hash table keyed with a random seed so that a peer who picks its
 * addresses (any host of a /64 can) cannot make them share one bucket.
 */
#include <sys/random.h>
#include <sys/socket.h>

#include <netinet/in.h>

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "relay.h"

#define IP_BUCKETS_MIN 64

struct ip_count {
	struct ip_count *next;
	uint8_t addr[16];
	size_t len; /* 4 or 16 */
	int n; /* clients */
};

int
ip_table_init(struct relay_ctx *ctx)
{
	size_t want = (size_t)ctx->max_clients / 4, n = IP_BUCKETS_MIN;

	if (ctx->max_per_ip == 0)
		return 0;
	while (n < want)
		n *= 2;
	if ((ctx->ip_bucket = calloc(n, sizeof(*ctx->ip_bucket))) == NULL)
		return -1;
	ctx->ip_mask = n - 1;
	if (getrandom(&ctx->ip_seed, sizeof(ctx->ip_seed), 0) !=
	    sizeof(ctx->ip_seed))
		ctx->ip_seed = (uint64_t)time(NULL) ^ (uint64_t)getpid() << 32;
	return 0;
}

void
ip_table_free(struct relay_ctx *ctx)
{
	free(ctx->ip_bucket);
	ctx->ip_bucket = NULL;
}

/* The address bytes of sa in *p; returns their count, 0 if neither. */
static size_t
ip_key(const struct sockaddr *sa, const uint8_t **p)
{
	if (sa->sa_family == AF_INET) {
		*p = (const uint8_t *)&((const struct sockaddr_in *)sa)
			 ->sin_addr;
		return 4;
	}
	if (sa->sa_family == AF_INET6) {
		*p = ((const struct sockaddr_in6 *)sa)->sin6_addr.s6_addr;
		return 16;
	}
	return 0;
}

static struct ip_count **
ip_bucket(struct relay_ctx *ctx, const uint8_t *p, size_t len)
{
	uint64_t h = ctx->ip_seed;
	size_t i;

	for (i = 0; i < len; i++) {
		h ^= p[i];
		h *= 0x100000001b3ULL; /* FNV-1a's prime */
	}
	h ^= h >> 29;
	h *= 0xbf58476d1ce4e5b9ULL;
	h ^= h >> 32;
	return &ctx->ip_bucket[h & ctx->ip_mask];
}

/*
 * Counts one more client from sa, in *ep (NULL without --max-per-ip, or
 * for an address of neither family).  Returns 1, 0 if the address already
 * has --max-per-ip clients, or -1 with errno set.
 */
int
ip_take(struct relay_ctx *ctx, const struct sockaddr *sa, struct ip_count **ep)
{
	struct ip_count **b, *e;
	const uint8_t *p = NULL;
	size_t len;

	*ep = NULL;
	if (ctx->ip_bucket == NULL || (len = ip_key(sa, &p)) == 0)
		return 1;
	b = ip_bucket(ctx, p, len);
	for (e = *b; e != NULL; e = e->next)
		if (e->len == len && memcmp(e->addr, p, len) == 0)
			break;
	if (e == NULL) {
		if ((e = calloc(1, sizeof(*e))) == NULL)
			return -1;
		memcpy(e->addr, p, len);
		e->len = len;
		e->next = *b;
		*b = e;
	}
	if (e->n >= ctx->max_per_ip)
		return 0;
	e->n++;
	*ep = e;
	return 1;
}

/* One client from e's address left; the last one frees e. */
void
ip_release(struct relay_ctx *ctx, struct ip_count *e)
{
	struct ip_count **b;

	if (e == NULL || --e->n > 0)
		return;
	for (b = ip_bucket(ctx, e->addr, e->len); *b != e; b = &(*b)->next)
		;
	*b = e->next;
	free(e);
}
