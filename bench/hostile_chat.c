/*
 * hostile chat: members who join the chat and never read, and one sender
 * who keeps them fed (issue 12, item 1).  One member is replaced by a new
 * one every 2000/M ms, since a member the relay drops never learns it
 * (the relay's FIN waits behind the data the member does not read).
 */
#include <sys/socket.h>

#include <err.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "hostile.h"

#define MSG_LEN 4113 /* CHAT_FRAME_MAX: 'M', IV, 4096 bytes */
#define BURST 16 /* messages in the sender's buffer */
#define ROTATE_MS 2000 /* each member is replaced this often */

static uint8_t pem[8192];
static size_t pemlen;

/* A member through the whole set-up, or -1. */
static int
join(const char *name)
{
	uint8_t buf[HOSTILE_FRAME_MAX];
	size_t len;
	int fd;

	if ((fd = dial(hostile_src(), 10)) == -1)
		return -1;
	if (send_frame(fd, name, strlen(name)) == -1 ||
	    read_frame(fd, buf, sizeof(buf), &len) == -1 ||
	    send_frame(fd, pem, pemlen) == -1 ||
	    read_frame(fd, buf, sizeof(buf), &len) == -1) {
		close(fd);
		return -1;
	}
	return fd;
}

static void
load_pem(const char *path)
{
	FILE *fp;

	if ((fp = fopen(path, "r")) == NULL)
		err(2, "%s", path);
	pemlen = fread(pem, 1, sizeof(pem), fp);
	fclose(fp);
}

static uint8_t *
burst(size_t *len)
{
	uint8_t *p;
	size_t i, j;

	*len = BURST * (4 + MSG_LEN);
	if ((p = malloc(*len)) == NULL)
		err(2, NULL);
	for (i = 0; i < BURST; i++) {
		put32(p + i * (4 + MSG_LEN), MSG_LEN);
		p[i * (4 + MSG_LEN) + 4] = 'M';
		for (j = 5; j < 4 + MSG_LEN; j++)
			p[i * (4 + MSG_LEN) + j] = (uint8_t)rand();
	}
	return p;
}

static void
rejoin(int *fd, const char *name)
{
	if (*fd != -1)
		close(*fd);
	*fd = join(name);
}

/* The sender: writes what the relay takes, reads what it gets. */
static void
feed(int *fd, const uint8_t *buf, size_t len, size_t *off, int ms)
{
	struct pollfd p = {.fd = *fd, .events = POLLIN | POLLOUT};
	uint8_t junk[65536];
	ssize_t r;

	if (*fd == -1) {
		rejoin(fd, "sender");
		if (*fd != -1)
			fcntl(*fd, F_SETFL, O_NONBLOCK);
		nap_ms(ms);
		return;
	}
	if (poll(&p, 1, ms) <= 0)
		return;
	while ((r = read(*fd, junk, sizeof(junk))) > 0)
		;
	if (r == 0 || (r == -1 && errno != EAGAIN && errno != EINTR)) {
		rejoin(fd, "sender");
		if (*fd != -1)
			fcntl(*fd, F_SETFL, O_NONBLOCK);
		return;
	}
	if ((r = send(*fd, buf + *off, len - *off, MSG_NOSIGNAL)) > 0)
		*off = (*off + (size_t)r) % len;
}

void
run_chat(int m, const char *pemfile)
{
	char name[32];
	uint8_t *buf;
	size_t len, off = 0;
	long long tick, now;
	int *fd, i, sender = -1, next = 0;

	load_pem(pemfile);
	buf = burst(&len);
	if (m < 1 || (fd = calloc((size_t)m, sizeof(*fd))) == NULL)
		errx(2, "chat: bad member count");
	for (i = 0; i < m; i++) {
		snprintf(name, sizeof(name), "silent%d", i);
		fd[i] = join(name);
	}
	printf("ready\n");
	tick = now_us() + ROTATE_MS * 1000LL / m;
	while (!hostile_stop) {
		now = now_us();
		if (now >= tick) {
			snprintf(name, sizeof(name), "silent%d", next);
			rejoin(&fd[next], name);
			next = (next + 1) % m;
			tick = now + ROTATE_MS * 1000LL / m;
			continue;
		}
		feed(&sender, buf, len, &off, (int)((tick - now) / 1000) + 1);
	}
	for (i = 0; i < m; i++)
		if (fd[i] != -1)
			close(fd[i]);
	free(fd);
	free(buf);
}
