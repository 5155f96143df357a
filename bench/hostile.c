/*
 * hostile: the load generator of bench/hostile.sh (built there with cc,
 * not part of make).  Every socket has a timeout and every mode ends by
 * itself or on SIGTERM; hostile clients connect from $HOSTILE_SRC
 * (default 127.0.0.2), normal ones from the kernel's choice (127.0.0.1).
 *
 *   hostile normal HOST PORT N SECONDS PERIOD_MS DRAIN_S
 *	N echo clients; each sends 64 bytes every PERIOD_MS and waits for
 *	them back, for SECONDS, then waits up to DRAIN_S for the replies
 *	still due.  A round trip counts from when it was due, across
 *	reconnections (a refused or closed client retries every 100 ms).
 *	Prints "n N median_us M p99_us P worst_us W unanswered U closed C".
 *   hostile chat HOST PORT M PEMFILE
 *	M chat members join and never read; one more sends 4 KiB messages
 *	as fast as the relay takes them.  A dropped member joins again.
 *   hostile guess HOST PORT M USER BATCH
 *	M clients sign in as USER and send BATCH wrong passwords in one
 *	write, read the answers, and again.
 *   hostile csr HOST PORT M USER CSRFILE INFLIGHT
 *	M clients sign in as USER (password in $HOSTILE_PASS) and keep
 *	INFLIGHT requests of CSRFILE (PEM) in flight.
 *   hostile drip HOST PORT M GAP_MS
 *	M clients each send one byte every GAP_MS (a chat name frame).
 *   hostile idle HOST PORT M HOLD_MS
 *	M connections that send nothing, held HOLD_MS, closed, again.
 *   hostile mkcsr BITS CN OUT
 *	Writes a PEM request with a BITS-bit modulus and exponent.
 * The hostile modes print "ready" once every client is in place.  A
 * client the server closes reconnects (at most once per 100 ms).
 */
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/wait.h>

#include <netinet/in.h>
#include <netinet/tcp.h>

#include <arpa/inet.h>
#include <err.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "hostile.h"

volatile sig_atomic_t hostile_stop;
static struct sockaddr_in peer;

long long
now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000LL + ts.tv_nsec / 1000;
}

void
put32(uint8_t *p, uint32_t v)
{
	p[0] = v >> 24;
	p[1] = v >> 16;
	p[2] = v >> 8;
	p[3] = v;
}

void
nap_ms(long ms)
{
	struct timespec ts = {ms / 1000, ms % 1000 * 1000000L};

	nanosleep(&ts, NULL);
}

void
set_peer(const char *host, const char *port)
{
	peer.sin_family = AF_INET;
	peer.sin_port = htons((uint16_t)atoi(port));
	if (inet_pton(AF_INET, host, &peer.sin_addr) != 1)
		errx(2, "%s: not an IPv4 address", host);
}

/* Where hostile clients connect from: $HOSTILE_SRC, else 127.0.0.2. */
const char *
hostile_src(void)
{
	const char *s = getenv("HOSTILE_SRC");

	return s != NULL && *s != '\0' ? s : "127.0.0.2";
}

const struct sockaddr *
hostile_peer(void)
{
	return (const struct sockaddr *)&peer;
}

/* A blocking socket connected from src (NULL: any) with timeout_s on
 * connect, reads and writes; -1 if the connection failed. */
int
dial(const char *src, int timeout_s)
{
	struct timeval tv = {timeout_s, 0};
	struct sockaddr_in a = {.sin_family = AF_INET};
	int fd, one = 1;

	if ((fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0)) == -1)
		err(2, "socket");
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	if (src != NULL &&
	    (inet_pton(AF_INET, src, &a.sin_addr) != 1 ||
		bind(fd, (struct sockaddr *)&a, sizeof(a)) == -1))
		err(2, "bind %s", src);
	if (connect(fd, (struct sockaddr *)&peer, sizeof(peer)) == -1) {
		close(fd);
		return -1;
	}
	return fd;
}

int
send_all(int fd, const void *p, size_t n)
{
	const uint8_t *b = p;
	ssize_t w;

	while (n > 0) {
		if ((w = send(fd, b, n, MSG_NOSIGNAL)) == -1) {
			if (errno == EINTR && !hostile_stop)
				continue;
			return -1;
		}
		b += w;
		n -= (size_t)w;
	}
	return 0;
}

int
send_frame(int fd, const void *p, size_t n)
{
	uint8_t h[4];

	put32(h, (uint32_t)n);
	return send_all(fd, h, 4) == -1 ? -1 : send_all(fd, p, n);
}

static int
read_all(int fd, uint8_t *p, size_t n)
{
	ssize_t r;

	while (n > 0) {
		if ((r = read(fd, p, n)) <= 0) {
			if (r == -1 && errno == EINTR && !hostile_stop)
				continue;
			return -1;
		}
		p += r;
		n -= (size_t)r;
	}
	return 0;
}

/* One frame into buf (NUL-terminated); -1 on EOF, timeout or size. */
int
read_frame(int fd, uint8_t *buf, size_t max, size_t *len)
{
	uint8_t h[4];

	if (read_all(fd, h, 4) == -1)
		return -1;
	*len = (size_t)h[0] << 24 | h[1] << 16 | h[2] << 8 | h[3];
	if (*len >= max || read_all(fd, buf, *len) == -1)
		return -1;
	buf[*len] = '\0';
	return 0;
}

/* Reads one frame; -1 unless its text starts with want. */
int
read_frame_is(int fd, const char *want)
{
	static uint8_t buf[HOSTILE_FRAME_MAX];
	size_t len;

	if (read_frame(fd, buf, sizeof(buf), &len) == -1)
		return -1;
	return strncmp((char *)buf, want, strlen(want)) == 0 ? 0 : -1;
}

static void
on_stop(int sig)
{
	(void)sig;
	hostile_stop = 1;
}

/* Runs fn(i, arg) in m child processes (each dies with this one), prints
 * "ready" and waits for SIGTERM, then ends the children by pid. */
void
spawn_each(int m, void (*fn)(int, void *), void *arg)
{
	pid_t *pid;
	int i;

	if ((pid = calloc((size_t)m, sizeof(*pid))) == NULL)
		err(2, NULL);
	for (i = 0; i < m; i++) {
		if ((pid[i] = fork()) == -1)
			err(2, "fork");
		if (pid[i] == 0) {
			prctl(PR_SET_PDEATHSIG, SIGKILL);
			fn(i, arg);
			_exit(0);
		}
	}
	printf("ready\n");
	while (!hostile_stop)
		pause();
	for (i = 0; i < m; i++)
		kill(pid[i], SIGKILL);
	for (i = 0; i < m; i++)
		waitpid(pid[i], NULL, 0);
	free(pid);
}

static void
usage(void)
{
	fprintf(stderr,
	    "usage: hostile normal|chat|guess|csr|drip|idle HOST "
	    "PORT N ...\n       hostile mkcsr BITS CN OUT\n");
	exit(2);
}

static void
setup(void)
{
	struct sigaction sa = {.sa_handler = on_stop};
	struct rlimit rl;

	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0) {
		rl.rlim_cur = rl.rlim_max;
		setrlimit(RLIMIT_NOFILE, &rl);
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	srand((unsigned)getpid());
}

int
main(int argc, char *argv[])
{
	const char *m = argc > 1 ? argv[1] : "";

	setup();
	if (strcmp(m, "mkcsr") == 0 && argc == 5) {
		make_csr(atoi(argv[2]), argv[3], argv[4]);
		return 0;
	}
	if (argc < 5)
		usage();
	set_peer(argv[2], argv[3]);
	if (strcmp(m, "normal") == 0 && argc == 8)
		run_normal(
		    atoi(argv[4]), atof(argv[5]), atol(argv[6]), atof(argv[7]));
	else if (strcmp(m, "chat") == 0 && argc == 6)
		run_chat(atoi(argv[4]), argv[5]);
	else if (strcmp(m, "guess") == 0 && argc == 7)
		run_guess(atoi(argv[4]), argv[5], atoi(argv[6]));
	else if (strcmp(m, "csr") == 0 && argc == 8)
		run_csr(atoi(argv[4]), argv[5], argv[6], atoi(argv[7]));
	else if (strcmp(m, "drip") == 0 && argc == 6)
		run_drip(atoi(argv[4]), atol(argv[5]));
	else if (strcmp(m, "idle") == 0 && argc == 6)
		run_idle(atoi(argv[4]), atol(argv[5]));
	else
		usage();
	return 0;
}
