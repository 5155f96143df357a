/*
 * deadline: waits, reads and writes on a socket bounded by one deadline
 * on the monotonic clock (not by a timeout per system call), for every
 * protocol's client.  Sends never block (MSG_DONTWAIT) and wait for
 * POLLOUT instead, so the socket may be blocking or not.
 */
#include <sys/socket.h>

#include <err.h>
#include <errno.h>
#include <limits.h>
#include <time.h>

#include "deadline.h"

/* Milliseconds on the monotonic clock. */
static long long
now_ms(void)
{
	struct timespec ts;

	if (clock_gettime(CLOCK_MONOTONIC, &ts) == -1)
		err(2, "clock_gettime");
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

long long
deadline_in(int timeout_ms)
{
	return timeout_ms < 0 ? -1 : now_ms() + timeout_ms;
}

int
deadline_poll(struct pollfd *p, nfds_t n, long long end)
{
	long long left;
	int rv;

	for (;;) {
		left = end < 0 ? -1 : end - now_ms();
		if (left < 0 && end >= 0)
			left = 0;
		rv = poll(p, n, left > INT_MAX ? INT_MAX : (int)left);
		if (rv != -1 || errno != EINTR)
			return rv;
	}
}

ssize_t
deadline_recv(int fd, void *buf, size_t n, long long end)
{
	struct pollfd p = {.fd = fd, .events = POLLIN};
	ssize_t r;

	for (;;) {
		if ((r = deadline_poll(&p, 1, end)) == 0)
			errno = ETIMEDOUT;
		if (r <= 0)
			return -1;
		r = recv(fd, buf, n, MSG_DONTWAIT);
		if (r >= 0)
			return r;
		if (errno == ECONNRESET)
			return 0;
		if (errno != EINTR && errno != EAGAIN)
			return -1;
	}
}

/* Drops r sent bytes from the front of iov[0 .. *cnt). */
static struct iovec *
advance(struct iovec *iov, int *cnt, size_t r)
{
	while (*cnt > 0 && r >= iov->iov_len) {
		r -= iov->iov_len;
		iov++;
		(*cnt)--;
	}
	if (*cnt > 0) {
		iov->iov_base = (char *)iov->iov_base + r;
		iov->iov_len -= r;
	}
	return iov;
}

int
deadline_sendv(int fd, struct iovec *iov, int cnt, long long end)
{
	struct pollfd p = {.fd = fd, .events = POLLOUT};
	struct msghdr m = {0};
	ssize_t r;
	int n;

	while (cnt > 0) {
		m.msg_iov = iov;
		m.msg_iovlen = (size_t)cnt;
		r = sendmsg(fd, &m, MSG_NOSIGNAL | MSG_DONTWAIT);
		if (r >= 0) {
			iov = advance(iov, &cnt, (size_t)r);
			continue;
		}
		if (errno == EINTR)
			continue;
		if (errno != EAGAIN && errno != EWOULDBLOCK)
			return -1;
		if ((n = deadline_poll(&p, 1, end)) == 0)
			errno = ETIMEDOUT;
		if (n <= 0)
			return -1;
	}
	return 0;
}
