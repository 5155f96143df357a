/*
 * echo: sends back every byte it gets, like inetd's echo service (RFC 862);
 * the diagnostic service for pk-relay's core.
 */
#include "service.h"

static ssize_t
echo_bytes(struct conn *c, const uint8_t *data, size_t len)
{
	if (conn_send(c, data, len) == -1)
		return -1;
	return (ssize_t)len;
}

const struct service echo_service = {
    .name = "echo",
    .on_bytes = echo_bytes,
};
