/*
 * vault_fuzz: the vault request and response parsers on arbitrary bytes,
 * on both profiles (the hardened one's sealed 828, 829, 1603 and 1608).
 * Checks that they never read past the buffer, that a parsed message lies
 * inside it, and that each accepted request re-encodes to the same bytes;
 * that an accepted hardened 828 opens only under its tag (lib/vaultseal.c)
 * without reading out of bounds; and the trace's decoder
 * (lib/vaulttrace.c) on the same bytes, with and without a key: every
 * field it names lies inside the frame.  fuzz/seeds-vault/ holds frames of
 * both profiles.
 */
#include <stdlib.h>
#include <string.h>

#include "trace.h"
#include "vaultseal.h"
#include "vaultwire.h"

/* An accepted hardened 828 under an all-zero session key: it opens, or not. */
static void
open_packet(const struct vault_msg *m)
{
	static const uint8_t secret[VAULT_SECRET];
	static uint8_t out[VAULT_PACKET];
	struct vault_packet p;
	struct vault_keys k;
	uint8_t aad[VAULT_AAD];
	size_t n;

	vault_get_packet_hardened(m->payload, &p);
	n = p.content_size % VAULT_PACKET;
	if (n == 0 || p.number + 1u != p.total)
		n = VAULT_PACKET;
	vault_keys_derive(&k, secret);
	vault_aad(aad, m->payload - VAULT_REQ_HDR, p.number);
	(void)vault_open(k.upload, p.nonce, aad, p.content, n, out, p.tag);
}

static void
check(const uint8_t *data, size_t size, int request, int hardened)
{
	struct vault_msg m;
	uint8_t hdr[VAULT_REQ_HDR];
	size_t used = 0, off = 0;
	int rv;

	while (off < size) {
		rv = vault_parse_profile(
		    data + off, size - off, &m, &used, request, hardened);
		if (rv != VAULT_OK)
			return;
		if (used > size - off || used > VAULT_MSG_MAX)
			abort();
		if (request) {
			vault_put_req_hdr(hdr, m.client_id, m.code, m.size);
			vault_put_profile(hdr, 1, hardened);
			if (memcmp(hdr, data + off, VAULT_REQ_HDR) != 0)
				abort();
		}
		if (request && hardened && m.code == VAULT_SEND_FILE)
			open_packet(&m);
		off += used;
	}
}

static void
decode(const uint8_t *data, size_t size, int request, const uint8_t *key)
{
	static struct vault_trace t;
	struct trace_frame fr;
	size_t i;

	memset(&t, 0, sizeof(t));
	t.aes = key;
	trace_begin(&fr, "vault", TRACE_SENT, NULL, data, size);
	vault_trace(&fr, request, &t);
	for (i = 0; i < fr.n; i++)
		if (fr.f[i].type != TRACE_PLAIN &&
		    (fr.f[i].off > size || fr.f[i].len > size - fr.f[i].off))
			abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const uint8_t key[32];

	check(data, size, 1, 0);
	check(data, size, 0, 0);
	check(data, size, 1, 1);
	check(data, size, 0, 1);
	decode(data, size, 1, NULL);
	decode(data, size, 1, key);
	decode(data, size, 0, NULL);
	return 0;
}
