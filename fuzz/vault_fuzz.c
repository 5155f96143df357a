/*
 * vault_fuzz: the vault request and response parsers on arbitrary bytes.
 * Checks that they never read past the buffer, that a parsed message lies
 * inside it, and that each accepted request re-encodes to the same bytes;
 * and the trace's decoder (lib/vaulttrace.c) on the same bytes, with and
 * without a key: every field it names lies inside the frame.
 */
#include <stdlib.h>
#include <string.h>

#include "trace.h"
#include "vaultwire.h"

static void
check(const uint8_t *data, size_t size, int request)
{
	struct vault_msg m;
	uint8_t hdr[VAULT_REQ_HDR];
	size_t used = 0, off = 0;
	int rv;

	while (off < size) {
		rv = request
		    ? vault_parse_request(data + off, size - off, &m, &used)
		    : vault_parse_response(data + off, size - off, &m, &used);
		if (rv != VAULT_OK)
			return;
		if (used > size - off || used > VAULT_MSG_MAX)
			abort();
		if (request) {
			vault_put_req_hdr(hdr, m.client_id, m.code, m.size);
			if (memcmp(hdr, data + off, VAULT_REQ_HDR) != 0)
				abort();
		}
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

	check(data, size, 1);
	check(data, size, 0);
	decode(data, size, 1, NULL);
	decode(data, size, 1, key);
	decode(data, size, 0, NULL);
	return 0;
}
