/*
 * crc: the POSIX cksum CRC (CRC-32, polynomial 0x04C11DB7, not reflected,
 * initial register 0, the length appended in the fewest octets LSB first,
 * result complemented), computed incrementally with ISA-L's carry-less
 * multiply folding.  Link with -lisal.
 */
#ifndef PK_CRC_H
#define PK_CRC_H

#include <stddef.h>
#include <stdint.h>

struct crc {
	uint32_t state; /* ISA-L's convention: the complemented register */
};

void crc_init(struct crc *c);
void crc_update(struct crc *c, const void *buf, size_t len);
/* total_len is the byte count of every update; returns what cksum prints. */
uint32_t crc_final(const struct crc *c, uint64_t total_len);

#endif
