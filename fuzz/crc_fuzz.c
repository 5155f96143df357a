/*
 * crc_fuzz: lib/crc fed in random splits (empty updates included) must
 * agree with one update over the whole input and with a bit-at-a-time
 * reference of the POSIX cksum CRC, also for a length of up to 8 octets.
 * Input: 8 bytes of split seed, then the message.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "crc.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static uint32_t
ref_bytes(uint32_t reg, const uint8_t *p, size_t n)
{
	int i;

	for (; n > 0; n--, p++) {
		reg ^= (uint32_t)*p << 24;
		for (i = 0; i < 8; i++)
			reg = (reg & 0x80000000) ? (reg << 1) ^ 0x04C11DB7
						 : reg << 1;
	}
	return reg;
}

/* POSIX cksum as the standard words it, with len as the appended length. */
static uint32_t
ref_cksum(const uint8_t *p, size_t n, uint64_t len)
{
	uint32_t reg;
	uint8_t octet;

	reg = ref_bytes(0, p, n);
	for (; len != 0; len >>= 8) {
		octet = (uint8_t)(len & 0xff);
		reg = ref_bytes(reg, &octet, 1);
	}
	return ~reg;
}

static uint64_t
next(uint64_t *x)
{
	*x ^= *x << 13;
	*x ^= *x >> 7;
	*x ^= *x << 17;
	return *x;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct crc whole, split;
	uint64_t seed = 0x9e3779b97f4a7c15, big;
	size_t off, n;

	if (size >= 8) {
		memcpy(&big, data, 8);
		seed ^= big;
		data += 8;
		size -= 8;
	}
	crc_init(&whole);
	crc_update(&whole, data, size);
	crc_init(&split);
	for (off = 0; off < size; off += n) {
		n = next(&seed) % (size - off + 1);
		crc_update(&split, data + off, n);
	}
	if (crc_final(&whole, size) != crc_final(&split, size) ||
	    crc_final(&whole, size) != ref_cksum(data, size, size))
		abort();
	/* Any total length, so that every length octet count is reached. */
	big = next(&seed) >> (next(&seed) % 64);
	if (crc_final(&whole, big) != ref_cksum(data, size, big))
		abort();
	return 0;
}
