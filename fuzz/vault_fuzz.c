/*
 * vault_fuzz: the vault request and response parsers on arbitrary bytes.
 * Checks that they never read past the buffer, that a parsed message lies
 * inside it, and that each accepted request re-encodes to the same bytes.
 */
#include <stdlib.h>
#include <string.h>

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

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	check(data, size, 1);
	check(data, size, 0);
	return 0;
}
