/*
 * prime: the random primes of an RSA key, in the shape of FIPS 186-5
 * A.1.3 / B.3.3: a random odd start from getrandom(2) with its top two bits
 * set (so that a product of two such primes has exactly the sum of their
 * sizes in bits), then the first number at or after it that survives a
 * sieve, has gcd(p - 1, e) = 1 and is a strong probable prime.
 *
 * The sieve is OpenSSL's and Go's incremental search done a window at a
 * time: the start is reduced modulo each odd prime below SIEVE_BOUND once,
 * and each residue marks the candidates start + 2j of the window that the
 * prime divides.  Nearly every survivor still fails the first
 * exponentiation, which is what key generation spends its time on, so the
 * bound trades those exponentiations against the reductions (see
 * SIEVE_BOUND).  A window is 4 candidates per bit, 11 primes expected in
 * it; a window without one is left for a new start.
 *
 * The two primes of a key are searched for on two threads (prime_pair).
 */
#include <limits.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <nettle/bignum.h>

#include "keygen.h"
#include "rand.h"
#include "secret.h"

/*
 * Odd primes below this sieve the candidates: 22999 of them leave 1
 * candidate in 11 (Mertens: 2e^-gamma / ln 2^18), so about 31
 * exponentiations (260 us each) until a 1024-bit prime, where 2^17 leaves
 * 33 and 2^19 30.  The reductions of a window cost about 2 exponentiations
 * at 2^18 and twice that at 2^19.
 */
#define SIEVE_BOUND (1u << 18)
/*
 * Small primes reduced at once: the start is reduced modulo their product,
 * which has to fit in an unsigned long.
 */
#if ULONG_MAX >> 32 >> 22 != 0
#define GROUP 3
#else
#define GROUP 1
#endif

/*
 * Bit i stands for 2i + 1, set for 1 and the composites.  A bitmap, as a
 * byte each would cost 32 page faults, about 10 us each on a virtual
 * machine: an exponentiation's worth.
 */
static uint64_t odd_composite[SIEVE_BOUND / 128];

/* Sieve of Eratosthenes, once per run; the table is not secret. */
static void
small_init(void)
{
	uint32_t i, j;

	if (odd_composite[0] != 0)
		return;
	odd_composite[0] = 1;
	for (i = 1; (2 * i + 1) * (2 * i + 1) < SIEVE_BOUND; i++) {
		if (odd_composite[i / 64] >> i % 64 & 1)
			continue;
		for (j = 2 * i * (i + 1); j < SIEVE_BOUND / 2; j += 2 * i + 1)
			odd_composite[j / 64] |= (uint64_t)1 << j % 64;
	}
}

/* The odd prime after s below SIEVE_BOUND, or 0. */
static uint32_t
small_next(uint32_t s)
{
	uint32_t i = s / 2 + 1;
	uint64_t w;

	while (i < SIEVE_BOUND / 2) {
		if ((w = ~odd_composite[i / 64] >> i % 64) != 0)
			return 2 * (i + (uint32_t)__builtin_ctzll(w)) + 1;
		i = (i / 64 + 1) * 64;
	}
	return 0;
}

/*
 * Miller-Rabin rounds for a prime of this size: FIPS 186-5 table B.1 (MR
 * only, error at most 2^-112 for 1024-bit primes, 2^-128 for 1536, 2^-144
 * for 2048), and for smaller primes the count that its appendix C.1 bound
 * gives for 2^-100 at 512 bits.  The rounds come on top of Baillie-PSW,
 * which no composite is known to pass, and do not count it.
 */
static int
mr_rounds(unsigned bits)
{
	if (bits >= 1536)
		return 4;
	if (bits >= 1024)
		return 5;
	return 7;
}

/*
 * FIPS 186-5 B.3.1 Miller-Rabin with rounds bases drawn from getrandom(2)
 * in [2, w - 2].  GMP's own extra rounds (mpz_probab_prime_p with reps > 24)
 * draw theirs from a generator with a fixed seed, the same in every run.
 */
static int
miller_rabin(const mpz_t w, int rounds)
{
	mpz_t w1, m, b, z, range;
	mp_bitcnt_t a, j;
	int pass = 1;

	mpz_inits(w1, m, b, z, range, NULL);
	mpz_sub_ui(w1, w, 1);
	a = mpz_scan1(w1, 0);
	mpz_tdiv_q_2exp(m, w1, a);
	mpz_sub_ui(range, w, 3);
	while (pass && rounds-- > 0) {
		nettle_mpz_random(b, NULL, rand_nettle, range);
		mpz_add_ui(b, b, 2);
		mpz_powm(z, b, m, w);
		if (mpz_cmp_ui(z, 1) == 0 || mpz_cmp(z, w1) == 0)
			continue;
		for (j = 1; j < a; j++) {
			mpz_powm_ui(z, z, 2, w);
			if (mpz_cmp(z, w1) == 0 || mpz_cmp_ui(z, 1) == 0)
				break;
		}
		pass = j < a && mpz_cmp(z, w1) == 0;
	}
	mpz_clears(w1, m, b, z, range, NULL);
	return pass;
}

/* Marks the j < n for which start + 2j is a multiple of a small prime. */
static void
sieve(uint8_t *mark, size_t n, const mpz_t start)
{
	uint32_t s[GROUP], r, next = small_next(1);
	unsigned long m;
	size_t j;
	int i, k;

	memset(mark, 0, n);
	while (next != 0) {
		for (k = 0, m = 1; k < GROUP && next != 0; k++) {
			m *= s[k] = next;
			next = small_next(next);
		}
		m = mpz_fdiv_ui(start, m);
		for (i = 0; i < k; i++) {
			r = (uint32_t)(m % s[i]);
			/* 2j = -r (mod s), with s odd. */
			j = r == 0 ? 0 : (r % 2 ? s[i] - r : 2 * s[i] - r) / 2;
			for (; j < n; j += s[i])
				mark[j] = 1;
		}
	}
}

/* One survivor of the sieve: the rest of A.1.3 step 4. */
static int
acceptable(const mpz_t w, mpz_t t, unsigned long e, int rounds)
{
	mpz_sub_ui(t, w, 1);
	if (mpz_gcd_ui(NULL, t, e) != 1)
		return 0;
	/* Trial division, then Baillie-PSW (reps 24: no Miller-Rabin). */
	if (mpz_probab_prime_p(w, 24) == 0)
		return 0;
	return miller_rabin(w, rounds);
}

/*
 * Sets p to the first acceptable number from a random start, as the file
 * comment says; returns 0 without one when *stop is set (stop may be NULL).
 */
static int
search(mpz_t p, unsigned bits, unsigned long e, atomic_int *stop)
{
	size_t window = 4 * (size_t)bits, j;
	uint8_t *mark;
	mpz_t start, t;
	int rounds = mr_rounds(bits), found = 0;

	if (bits < 64 || bits > PRIME_BITS_MAX)
		abort();
	small_init();
	/* Which j are marked tells start modulo every small prime. */
	if ((mark = secret_alloc(window)) == NULL)
		die(2, "out of memory");
	mpz_inits(start, t, NULL);
	while (!found) {
		nettle_mpz_random_size(start, NULL, rand_nettle, bits);
		mpz_setbit(start, bits - 1);
		mpz_setbit(start, bits - 2);
		mpz_setbit(start, 0);
		sieve(mark, window, start);
		for (j = 0; j < window && !found; j++) {
			if (stop != NULL && atomic_load(stop))
				goto out;
			if (mark[j])
				continue;
			mpz_add_ui(p, start, 2 * j);
			if (mpz_sizeinbase(p, 2) > bits)
				break;
			found = acceptable(p, t, e, rounds);
		}
	}
out:
	mpz_clears(start, t, NULL);
	secret_free(mark, window);
	return found;
}

void
prime_random(mpz_t p, unsigned bits, unsigned long e)
{
	search(p, bits, e, NULL);
}

/*
 * prime_pair: two searchers, this thread and one more, share the two
 * slots.  Each searches for a slot nobody else is on, or else for any slot
 * still empty; a prime fills the slot it was searched for or, that one
 * taken, an empty one of the same size.  The search is memoryless, so two
 * searchers find the two primes in half the time for the same work, give
 * or take the one test the loser is in when the second slot fills.
 */
struct pair {
	pthread_mutex_t lock;
	mpz_ptr slot[2];
	unsigned bits[2];
	int filled[2];
	int searching[2];
	unsigned long e;
	atomic_int done;
};

/* The slot to search next, or -1 when both are filled; under the lock. */
static int
pick(const struct pair *pp)
{
	int i, any = -1;

	for (i = 0; i < 2; i++) {
		if (pp->filled[i])
			continue;
		if (!pp->searching[i])
			return i;
		any = i;
	}
	return any;
}

static void *
searcher(void *arg)
{
	struct pair *pp = arg;
	mpz_t w;
	int i, s;

	mpz_init(w);
	pthread_mutex_lock(&pp->lock);
	while ((s = pick(pp)) != -1) {
		pp->searching[s]++;
		pthread_mutex_unlock(&pp->lock);
		i = search(w, pp->bits[s], pp->e, &pp->done);
		pthread_mutex_lock(&pp->lock);
		pp->searching[s]--;
		if (i && pp->filled[s] && !pp->filled[1 - s] &&
		    pp->bits[1 - s] == pp->bits[s])
			s = 1 - s;
		if (i && !pp->filled[s]) {
			mpz_swap(pp->slot[s], w);
			pp->filled[s] = 1;
		}
		if (pp->filled[0] && pp->filled[1])
			atomic_store(&pp->done, 1);
	}
	pthread_mutex_unlock(&pp->lock);
	mpz_clear(w);
	return NULL;
}

void
prime_pair(mpz_t p, unsigned pbits, mpz_t q, unsigned qbits, unsigned long e)
{
	struct pair pp = {.slot = {p, q}, .bits = {pbits, qbits}, .e = e};
	pthread_t other;
	int started;

	small_init();
	pthread_mutex_init(&pp.lock, NULL);
	atomic_init(&pp.done, 0);
	started = pthread_create(&other, NULL, searcher, &pp) == 0;
	searcher(&pp);
	if (started)
		pthread_join(other, NULL);
	pthread_mutex_destroy(&pp.lock);
}
