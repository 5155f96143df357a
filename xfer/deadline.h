/*
 * deadline: pk-xfer's -t, one deadline per reply, per connect and per
 * write, never restarted by a byte: every wait polls for the time left
 * only, so a server dripping one byte at a time cannot hold a client past
 * it.  The socket reads and writes of every protocol's client go through
 * here (xfer/link.c, xfer/vault_net.c).
 */
#ifndef PK_XFER_DEADLINE_H
#define PK_XFER_DEADLINE_H

#include <sys/types.h>
#include <sys/uio.h>

#include <poll.h>
#include <stddef.h>

/* When a wait of timeout_ms starting now ends; -1 (never) if it is < 0. */
long long deadline_in(int timeout_ms);

/*
 * poll(2) on p until the deadline end (-1: none), retrying EINTR with the
 * time left: the count of fds ready, 0 past the deadline, -1 with errno.
 */
int deadline_poll(struct pollfd *p, nfds_t n, long long end);

/*
 * One recv(2) of at most n bytes once fd is readable by end: the count, 0
 * at EOF (a reset is one), -1 with errno (ETIMEDOUT past the deadline).
 */
ssize_t deadline_recv(int fd, void *buf, size_t n, long long end);

/*
 * Sends all of iov[0 .. cnt) by end (iov is consumed): 0, or -1 with errno:
 * ETIMEDOUT past the deadline, EPIPE or ECONNRESET when the peer has gone.
 */
int deadline_sendv(int fd, struct iovec *iov, int cnt, long long end);

#endif
