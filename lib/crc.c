/*
 * crc: POSIX cksum over ISA-L's crc32_ieee, which keeps the complement of a
 * non-reflected CRC-32 register and picks a PCLMULQDQ/VPCLMULQDQ folding
 * kernel at run time.  Seeding it with 0xffffffff is a zero register, as
 * POSIX wants; its complemented output after the length octets is the
 * final cksum value.
 */
#include <isa-l/crc.h>

#include "crc.h"

void
crc_init(struct crc *c)
{
	c->state = 0xffffffff;
}

void
crc_update(struct crc *c, const void *buf, size_t len)
{
	c->state = crc32_ieee(c->state, buf, len);
}

uint32_t
crc_final(const struct crc *c, uint64_t total_len)
{
	unsigned char octets[8];
	size_t n = 0;

	/* The length in the fewest octets, least significant first. */
	for (; total_len != 0; total_len >>= 8)
		octets[n++] = (unsigned char)(total_len & 0xff);
	return crc32_ieee(c->state, octets, n);
}
