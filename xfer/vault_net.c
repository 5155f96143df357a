/*
 * vault_net: the client end of one TCP connection to the vault service.  The
 * socket is non-blocking and every wait polls for the time left of one -t
 * deadline per reply and per write (xfer/deadline.h), so a silent or a
 * dripping server costs at most that long.  Replies are read
 * with vault_parse_response, which checks the version, the code and the
 * payload size of the header before the payload is read.
 */
#include <sys/socket.h>
#include <sys/types.h>

#include <netinet/in.h>
#include <netinet/tcp.h>

#include <err.h>
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "deadline.h"
#include "dial.h"
#include "vault.h"
#include "xfer.h"

static const char *
label(uint16_t code)
{
	const struct vault_layout *l = vault_layout(code);

	if (l == NULL)
		l = vault_layout_profile(code, 1);

	return l != NULL ? l->label : "unknown";
}

void
net_connect(struct xconn *c, const char *server, const struct vault_opts *o)
{
	memset(c, 0, sizeof(*c));
	c->timeout_ms = o->timeout_ms;
	c->sink = o->sink;
	c->hardened = o->hardened;
	c->server = server;
	c->fd = dial(server, c->timeout_ms);
}

void
net_close(struct xconn *c)
{
	if (c->fd != -1 && close(c->fd) == -1)
		warn("close %s", c->server);
	c->fd = -1;
}

int
net_write(struct xconn *c, const void *buf, size_t len)
{
	struct iovec iov = {(void *)buf, len};

	if (deadline_sendv(c->fd, &iov, 1, deadline_in(c->timeout_ms)) == 0)
		return 0;
	if (errno == EPIPE || errno == ECONNRESET)
		return -1;
	/* The server may have answered early (1607) and stopped. */
	if (errno == ETIMEDOUT)
		errx(2, "%s: no progress sending for %d s", c->server,
		    c->timeout_ms / 1000);
	err(2, "send to %s", c->server);
}

void
net_request(struct xconn *c, uint16_t code, const uint8_t *payload, size_t len)
{
	uint8_t msg[VAULT_MSG_MAX];

	vault_put_req_hdr(msg, c->id, code, (uint32_t)len);
	vault_put_profile(msg, 1, c->hardened);
	memcpy(msg + VAULT_REQ_HDR, payload, len);
	if (c->sink != NULL)
		xtrace_frame(c, TRACE_SENT, msg, VAULT_REQ_HDR + len, 1);
	if (net_write(c, msg, VAULT_REQ_HDR + len) == -1)
		net_lost(c, code);
}

/* Reads up to n bytes by end; fewer only at EOF.  Dies past end. */
static size_t
read_upto(struct xconn *c, uint8_t *buf, size_t n, uint16_t req, long long end)
{
	size_t done = 0;
	ssize_t r;

	while (done < n) {
		if ((r = deadline_recv(c->fd, buf + done, n - done, end)) == 0)
			break;
		if (r > 0) {
			done += (size_t)r;
			continue;
		}
		if (errno != ETIMEDOUT)
			err(2, "recv from %s", c->server);
		errx(2, "%s: no reply to %u (%s) in %d s", c->server, req,
		    label(req), c->timeout_ms / 1000);
	}
	return done;
}

/*
 * The original server's 1604 announces a 255-byte payload, sends the
 * 16-byte client id and closes: 1 when c->reply is such a 1604, taken
 * with a warning; 0 for any other header.
 */
static int
short_thanks(struct xconn *c, uint16_t req, long long end)
{
	size_t got;

	if (c->reply.code != VAULT_THANKS || c->reply.size != VAULT_NAME)
		return 0;
	got = read_upto(c, c->in + VAULT_RESP_HDR, VAULT_NAME, req, end);
	if (c->sink != NULL)
		xtrace_frame(c, TRACE_RECV, c->in, VAULT_RESP_HDR + got, 1);
	if (got != VAULT_ID)
		errx(2, "%s: malformed reply (code 1604): %s", c->server,
		    vault_strerror(VAULT_ESIZE));
	warnx("%s: 1604 announced %d payload bytes but sent the %d-byte "
	      "client id and closed, as the original server does: taken",
	    c->server, VAULT_NAME, VAULT_ID);
	c->reply.size = VAULT_ID;
	c->reply.payload = c->in + VAULT_RESP_HDR;
	return 1;
}

/* The relay answered in the other profile's version: the one line. */
static _Noreturn void
mismatch(struct xconn *c, size_t have)
{
	const struct xfer_global g = {
	    .proto = "vault", .hardened = c->hardened};

	if (c->sink != NULL)
		xtrace_frame(c, TRACE_RECV, c->in, have, 1);
	cli_profile_mismatch(&g);
}

/*
 * Reads one whole reply into c->in and c->reply within one deadline; dies
 * if malformed.
 */
static void
read_reply(struct xconn *c, uint16_t req)
{
	long long end = deadline_in(c->timeout_ms);
	size_t got, have, used;
	int rv;

	have = read_upto(c, c->in, VAULT_RESP_HDR, req, end);
	if (have == 0)
		errx(2, "%s: connection closed before the reply to %u (%s)",
		    c->server, req, label(req));
	if (have < VAULT_RESP_HDR)
		errx(2, "%s: short reply: %zu of %d header bytes", c->server,
		    have, VAULT_RESP_HDR);
	rv = vault_parse_profile(c->in, have, &c->reply, &used, 0, c->hardened);
	if (rv == VAULT_EPROFILE)
		mismatch(c, have);
	if (rv == VAULT_ESIZE && short_thanks(c, req, end))
		return;
	if (rv == VAULT_NEED_MORE) {
		got = read_upto(c, c->in + have, c->reply.size, req, end);
		if (got < c->reply.size)
			errx(2, "%s: short reply %u: %zu of %u payload bytes",
			    c->server, c->reply.code, got, c->reply.size);
		have += got;
		rv = vault_parse_profile(
		    c->in, have, &c->reply, &used, 0, c->hardened);
	}
	if (rv != VAULT_OK) {
		if (c->sink != NULL)
			xtrace_frame(c, TRACE_RECV, c->in, have, 1);
		errx(2, "%s: malformed reply (code %u): %s", c->server,
		    c->reply.code, vault_strerror(rv));
	}
	if (c->sink != NULL)
		xtrace_frame(c, TRACE_RECV, c->in, used, 1);
}

/*
 * Dies with 1 for a 1607 after req.  The wire has no reason field, so
 * the line after it says what 1607 can mean at that step, and where the
 * relay writes the reason.
 */
static _Noreturn void
server_error(uint16_t req, int hardened)
{
	static const struct {
		uint16_t req;
		const char *why;
	} hints[] = {
	    {VAULT_REGISTER,
		"a request the server could not parse, or could not store"},
	    {VAULT_SEND_PUBKEY,
		"an unknown client id, a name that is not the id's, or a "
		"key that is not RSA-1024 with e = 17"},
	    {VAULT_RECONNECT, "the name belongs to another client id"},
	    {VAULT_SEND_FILE,
		"a ciphertext that does not decrypt with the server's "
		"current AES key (a stale key: every reconnect makes a new "
		"one; or bad padding), a file over the relay's --max-file, "
		"an unsafe file name, packets out of order, or an unknown "
		"client id"},
	    {VAULT_CRC_OK,
		"no file of that name waits for a CRC answer (a wrong "
		"name, already answered, or dropped after 10 minutes)"},
	    {VAULT_CRC_RETRY,
		"no file of that name waits for a CRC answer, or a 4th "
		"retry"},
	    {VAULT_CRC_FAIL, "no file of that name waits for a CRC answer"},
	    {VAULT_RECONNECT_PROOF,
		"the proof does not verify: me.info's key is not the one "
		"the relay holds for this client id"},
	};
	static const char sealed[] =
	    "a packet that does not open with the server's current key "
	    "(tampered with, or a stale key: every reconnect makes a new "
	    "one), a file over the relay's --max-file, an unsafe file "
	    "name, packets out of order, or an unknown client id";
	size_t i;

	warnx("server error (1607) after %u (%s)", req, label(req));
	for (i = 0; i < sizeof(hints) / sizeof(hints[0]); i++)
		if (hints[i].req == req)
			warnx("1607 after %u can mean: %s; pk-relay logs the "
			      "reason on its stderr (\"vault PEER protocol "
			      "error: ...\")",
			    req,
			    hardened && req == VAULT_SEND_FILE ? sealed
							       : hints[i].why);
	exit(1);
}

uint16_t
net_reply(struct xconn *c, uint16_t req, const uint16_t *want)
{
	uint16_t code;
	size_t i;

	read_reply(c, req);
	code = c->reply.code;
	if (code == VAULT_SERVER_ERROR)
		server_error(req, c->hardened);
	for (i = 0; want[i] != 0 && want[i] != code; i++)
		;
	if (want[i] == 0)
		errx(2, "%s: unexpected reply %u (%s) to %u (%s)", c->server,
		    code, label(code), req, label(req));
	/* All but 1600, 1606 (a new id) and 1601, 1607 (none) echo ours. */
	if (code != VAULT_REGISTERED && code != VAULT_RECONNECT_DENIED &&
	    c->reply.size >= VAULT_ID &&
	    memcmp(c->reply.payload, c->id, VAULT_ID) != 0)
		errx(2, "%s: reply %u (%s) names another client id", c->server,
		    code, label(code));
	return code;
}

void
net_finish(struct xconn *c, uint16_t req)
{
	struct pollfd p = {.fd = c->fd, .events = POLLIN};
	long long end = deadline_in(c->timeout_ms);
	uint8_t b;
	ssize_t r;
	int n;

	if (shutdown(c->fd, SHUT_WR) == -1)
		err(2, "shutdown %s", c->server);
	do {
		if ((n = deadline_poll(&p, 1, end)) == -1)
			err(2, "poll");
		if (n == 0)
			errx(2, "%s: connection still open %d s after %u (%s)",
			    c->server, c->timeout_ms / 1000, req, label(req));
		r = recv(c->fd, &b, 1, MSG_PEEK);
	} while (r == -1 && (errno == EINTR || errno == EAGAIN));
	if (r == -1)
		err(2, "recv from %s", c->server);
	/* EOF: the server took the request without a word, as it should. */
	if (r > 0)
		net_lost(c, req);
}

void
net_check(struct xconn *c, uint16_t req)
{
	struct pollfd p = {.fd = c->fd, .events = POLLIN};

	if (poll(&p, 1, 0) > 0)
		net_lost(c, req);
}

_Noreturn void
net_lost(struct xconn *c, uint16_t req)
{
	static const uint16_t none[] = {0};

	/* Whatever came is either a 1607 (exit 1) or a protocol error. */
	(void)net_reply(c, req, none);
	errx(2, "%s: unreachable", c->server);
}
