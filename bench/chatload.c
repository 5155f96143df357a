/*
 * chatload: the load generator of bench/chat.sh (built there with cc, not
 * part of make).  One thread, poll, non-blocking sockets.
 *
 *   chatload chat|raw fanout HOST PORT N MSGS SIZE [ROUNDS]
 *	N clients join; each sends MSGS message frames of SIZE bytes (type
 *	'M', then random bytes standing for IV and ciphertext: the relay
 *	never decrypts); a round ends when every client has received the
 *	MSGS * (N - 1) frames of the others, and the next round (ROUNDS in
 *	all, default 1) starts then.  Prints "relayed R seconds S".
 *   chatload chat|raw ping HOST PORT ROUNDS SIZE
 *	Two clients; A sends, B answers each frame, A waits: prints the
 *	median round trip in microseconds.
 *   chatload chat idle HOST PORT N
 *	N clients join and stay; prints "ready" and waits for stdin to end.
 *
 * chat: each client first runs the chat set-up (name, the public key in
 * the file $CHATLOAD_PUB, and reads the server key and the wrapped session
 * key).  raw: no set-up, for ncat --broker, which relays the same frames.
 */
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/time.h>

#include <netinet/in.h>
#include <netinet/tcp.h>

#include <arpa/inet.h>
#include <err.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define RBUF 65536

struct client {
	int fd;
	uint8_t *out; /* frames still to send */
	size_t outlen, outoff;
	uint8_t in[RBUF];
	size_t inlen;
	long got; /* 'M' frames received */
};

static int chat; /* run the set-up */
static uint8_t pem[8192];
static size_t pemlen;
static struct sockaddr_in addr;

static long long
now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000LL + ts.tv_nsec / 1000;
}

static void
put32(uint8_t *p, uint32_t v)
{
	p[0] = v >> 24;
	p[1] = v >> 16;
	p[2] = v >> 8;
	p[3] = v;
}

static void
xwrite(int fd, const void *p, size_t n)
{
	const uint8_t *b = p;
	ssize_t w;

	while (n > 0) {
		if ((w = write(fd, b, n)) == -1) {
			if (errno == EINTR)
				continue;
			err(2, "write");
		}
		b += w;
		n -= (size_t)w;
	}
}

/* Blocking read of one frame's payload length, skipping its body. */
static void
skip_frame(int fd)
{
	uint8_t h[4], buf[8192];
	size_t n, len;
	ssize_t r;

	for (n = 0; n < 4; n += (size_t)r)
		if ((r = read(fd, h + n, 4 - n)) <= 0)
			errx(2, "set-up: the server closed");
	len = (size_t)h[0] << 24 | h[1] << 16 | h[2] << 8 | h[3];
	while (len > 0) {
		if ((r = read(
			 fd, buf, len < sizeof(buf) ? len : sizeof(buf))) <= 0)
			errx(2, "set-up: the server closed");
		len -= (size_t)r;
	}
}

/* A connected, set-up, non-blocking client. */
static int
join(int i)
{
	uint8_t h[4];
	char name[32];
	int fd, one = 1, n;

	if ((fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0)) == -1)
		err(2, "socket");
	if (connect(fd, (struct sockaddr *)&addr, sizeof(addr)) == -1)
		err(2, "connect (client %d)", i);
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	if (chat) {
		n = snprintf(name, sizeof(name), "user%d", i);
		put32(h, (uint32_t)n);
		xwrite(fd, h, 4);
		xwrite(fd, name, (size_t)n);
		skip_frame(fd);
		put32(h, (uint32_t)pemlen);
		xwrite(fd, h, 4);
		xwrite(fd, pem, pemlen);
		skip_frame(fd);
	}
	if (fcntl(fd, F_SETFL, O_NONBLOCK) == -1)
		err(2, "fcntl");
	return fd;
}

/* msgs frames of size bytes: 4-byte length, 'M', then random bytes. */
static uint8_t *
frames(long msgs, size_t size, size_t *len)
{
	uint8_t *p, *q;
	long i;
	size_t j;

	*len = (size_t)msgs * (4 + size);
	if ((p = malloc(*len ? *len : 1)) == NULL)
		err(2, NULL);
	for (i = 0, q = p; i < msgs; i++, q += 4 + size) {
		put32(q, (uint32_t)size);
		q[4] = 'M';
		for (j = 1; j < size; j++)
			q[4 + j] = (uint8_t)rand();
	}
	return p;
}

/* Reads what is there; counts the 'M' frames.  -1 on EOF. */
static int
drain(struct client *c)
{
	size_t off = 0, len;
	ssize_t r;

	while ((r = read(c->fd, c->in + c->inlen, RBUF - c->inlen)) > 0) {
		c->inlen += (size_t)r;
		off = 0;
		while (c->inlen - off >= 5) {
			len = (size_t)c->in[off] << 24 | c->in[off + 1] << 16 |
			    c->in[off + 2] << 8 | c->in[off + 3];
			if (len + 4 > RBUF)
				errx(2, "frame of %zu bytes", len);
			if (c->inlen - off < 4 + len)
				break;
			if (c->in[off + 4] == 'M')
				c->got++;
			off += 4 + len;
		}
		memmove(c->in, c->in + off, c->inlen - off);
		c->inlen -= off;
	}
	if (r == 0)
		return -1;
	if (errno != EAGAIN && errno != EINTR)
		err(2, "read");
	return 0;
}

static void
flush_out(struct client *c)
{
	ssize_t w;

	while (c->outoff < c->outlen) {
		w = write(c->fd, c->out + c->outoff, c->outlen - c->outoff);
		if (w == -1) {
			if (errno == EAGAIN || errno == EINTR)
				return;
			err(2, "write");
		}
		c->outoff += (size_t)w;
	}
}

static void fanout_round(struct client *, struct pollfd *, int, long);

static void
fanout(int n, long msgs, size_t size, long rounds)
{
	struct client *cl;
	struct pollfd *pf;
	long long t0, t1;
	long want = 0, round;
	int i;

	if ((cl = calloc((size_t)n, sizeof(*cl))) == NULL ||
	    (pf = calloc((size_t)n, sizeof(*pf))) == NULL)
		err(2, NULL);
	for (i = 0; i < n; i++)
		cl[i].fd = join(i);
	for (i = 0; i < n; i++) {
		cl[i].out = frames(msgs, size, &cl[i].outlen);
		pf[i].fd = cl[i].fd;
	}
	usleep(200000); /* the last join notices arrive before the clock */
	for (i = 0; i < n; i++) {
		drain(&cl[i]);
		cl[i].got = 0;
	}
	t0 = now_us();
	for (round = 0; round < rounds; round++) {
		want += msgs * (n - 1);
		for (i = 0; i < n; i++)
			cl[i].outoff = 0;
		fanout_round(cl, pf, n, want);
	}
	t1 = now_us();
	printf("relayed %ld seconds %.6f\n", want * n, (t1 - t0) / 1e6);
}

/* Until every client has received want 'M' frames in all. */
static void
fanout_round(struct client *cl, struct pollfd *pf, int n, long want)
{
	long done;
	int i;

	for (;;) {
		for (i = 0, done = 0; i < n; i++) {
			flush_out(&cl[i]);
			pf[i].events = POLLIN |
			    (cl[i].outoff < cl[i].outlen ? POLLOUT : 0);
			done += cl[i].got >= want;
		}
		if (done == n)
			break;
		if (poll(pf, (nfds_t)n, 60000) <= 0)
			errx(2, "no progress for 60 s");
		for (i = 0; i < n; i++)
			if ((pf[i].revents & (POLLIN | POLLHUP)) &&
			    drain(&cl[i]) == -1)
				errx(2, "client %d: closed by the server", i);
	}
}

static int
cmp_ll(const void *a, const void *b)
{
	long long x = *(const long long *)a, y = *(const long long *)b;

	return (x > y) - (x < y);
}

/* Waits until c has received one more 'M' frame than before. */
static void
await(struct client *c)
{
	struct pollfd p = {.fd = c->fd, .events = POLLIN};
	long before = c->got;

	while (c->got == before) {
		if (poll(&p, 1, 10000) <= 0)
			errx(2, "ping: no answer in 10 s");
		if (drain(c) == -1)
			errx(2, "ping: closed by the server");
	}
}

static void
ping(long rounds, size_t size)
{
	struct client a = {0}, b = {0};
	long long *rtt, t;
	uint8_t *f;
	size_t flen;
	long i;

	a.fd = join(0);
	b.fd = join(1);
	usleep(100000);
	drain(&a);
	drain(&b);
	f = frames(1, size, &flen);
	if ((rtt = calloc((size_t)rounds, sizeof(*rtt))) == NULL)
		err(2, NULL);
	for (i = 0; i < rounds; i++) {
		t = now_us();
		xwrite(a.fd, f, flen);
		await(&b);
		xwrite(b.fd, f, flen);
		await(&a);
		rtt[i] = now_us() - t;
	}
	qsort(rtt, (size_t)rounds, sizeof(*rtt), cmp_ll);
	printf("rtt_us %lld\n", rtt[rounds / 2]);
}

static void
idle(int n)
{
	char c;
	int i;

	for (i = 0; i < n; i++)
		join(i);
	printf("ready\n");
	fflush(stdout);
	while (read(STDIN_FILENO, &c, 1) > 0)
		;
}

static void
load_pem(void)
{
	const char *path = getenv("CHATLOAD_PUB");
	FILE *fp;

	if (path == NULL || (fp = fopen(path, "r")) == NULL)
		err(2, "CHATLOAD_PUB");
	pemlen = fread(pem, 1, sizeof(pem), fp);
	fclose(fp);
}

int
main(int argc, char *argv[])
{
	struct rlimit rl;

	if (argc < 6)
		errx(2,
		    "usage: chatload chat|raw fanout|ping|idle host port "
		    "...");
	chat = strcmp(argv[1], "chat") == 0;
	if (chat)
		load_pem();
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0) {
		rl.rlim_cur = rl.rlim_max;
		setrlimit(RLIMIT_NOFILE, &rl);
	}
	addr.sin_family = AF_INET;
	addr.sin_port = htons((uint16_t)atoi(argv[4]));
	if (inet_pton(AF_INET, argv[3], &addr.sin_addr) != 1)
		errx(2, "%s: not an IPv4 address", argv[3]);
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (strcmp(argv[2], "fanout") == 0 && (argc == 8 || argc == 9))
		fanout(atoi(argv[5]), atol(argv[6]), (size_t)atol(argv[7]),
		    argc == 9 ? atol(argv[8]) : 1);
	else if (strcmp(argv[2], "ping") == 0 && argc == 7)
		ping(atol(argv[5]), (size_t)atol(argv[6]));
	else if (strcmp(argv[2], "idle") == 0 && argc == 6)
		idle(atoi(argv[5]));
	else
		errx(2,
		    "usage: chatload chat|raw fanout|ping|idle host port ...");
	return 0;
}
