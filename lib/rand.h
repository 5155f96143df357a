/*
 * rand: the kernel's CSPRNG (getrandom(2)) behind Nettle's random-function
 * signature, for key generation, IVs, salts and padding.
 */
#ifndef PK_RAND_H
#define PK_RAND_H

#include <stddef.h>
#include <stdint.h>

/* Fills dst; returns 0, or -1 with errno set (never a short fill). */
int rand_fill(uint8_t *dst, size_t n);
/* nettle_random_func: ctx is unused; aborts if the kernel cannot supply. */
void rand_nettle(void *ctx, size_t n, uint8_t *dst);

#endif
