/*
 * keymanager_tty: the original's interactive client of seed 000: commands
 * typed at "Introduce next command:" (`wait`, `send`, `conn ID cbc|cfb`,
 * `end`, and protokit's `help`), from a terminal or a pipe.  A typo is
 * checked here, said and forgotten: only a well-formed command reaches the
 * key manager, and the session goes on.  While the prompt waits, the key
 * manager's connection is watched too, so that its closing is reported
 * when it happens, not at the next command.
 */
#include <err.h>
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "keymanager.h"

static const char help_text[] =
    "Commands (as the original's README describes them):\n"
    "  wait                       wait for a sender to send you a file\n"
    "                             (you answer y/n and name the file)\n"
    "  send                       list the waiters you can send to\n"
    "  conn <peer_id> <enc_mode>  send a file to waiter peer_id, enc_mode\n"
    "                             cbc or cfb (you are asked for the file)\n"
    "  end                        end the session\n"
    "  help                       this list\n";

/* Waits until stdin can be read, showing what watch sends meanwhile. */
static void
await_stdin(struct link *watch)
{
	struct pollfd p[2] = {
	    {.fd = STDIN_FILENO, .events = POLLIN},
	    {.fd = watch->fd, .events = POLLIN},
	};

	for (;;) {
		if (poll(p, 2, -1) == -1) {
			if (errno == EINTR)
				continue;
			err(2, "poll");
		}
		if (p[1].revents != 0) {
			/* Dies, naming the key manager, if it closed. */
			link_read(watch);
			km_show(watch);
			continue;
		}
		if (p[0].revents != 0)
			return;
	}
}

int
km_line(struct link *watch, const char *prompt, char *buf, size_t size)
{
	size_t n;
	int c;

	if (prompt != NULL)
		printf("%s", prompt);
	fflush(stdout);
	if (watch != NULL)
		await_stdin(watch);
	if (fgets(buf, (int)size, stdin) == NULL)
		return 0;
	n = strcspn(buf, "\r\n");
	if (buf[n] == '\0' && n == size - 1) {
		while ((c = getchar()) != EOF && c != '\n')
			;
		return -1;
	}
	buf[n] = '\0';
	return 1;
}

/*
 * What is wrong with a typed command, or NULL if it may go to the key
 * manager (an unknown word does: it answers `unexpected command`).
 */
static const char *
typo(const char *line, char *why, size_t size)
{
	struct km_msg m;
	const char *p;

	for (p = line; *p != '\0'; p++)
		if ((unsigned char)*p < 0x20 || (unsigned char)*p > 0x7e) {
			snprintf(why, size,
			    "the command has a non-printable "
			    "character (0x%02x)",
			    (unsigned char)*p);
			return why;
		}
	switch (km_parse((const uint8_t *)line, strlen(line), &m)) {
	case KM_CONN:
	case KM_SEND:
	case KM_END:
	case KM_UNKNOWN:
		break;
	default:
		return "that step is the client's own: type help";
	}
	if (strncmp(line, "conn", 4) == 0 && m.type != KM_CONN)
		return "usage: conn <peer_id> <enc_mode>, enc_mode cbc or cfb";
	return NULL;
}

/* Sends one command the client does not follow itself; shows the answer. */
static void
plain(struct link *km, const char *line)
{
	link_says(km, line);
	link_read(km);
	km_show(km);
}

int
km_interactive(struct km_opts *o, struct link *km, const struct km_cred *c)
{
	char line[KM_CMD_MAX + 2], mode[4], why[80];
	const char *bad;
	struct km_msg m;
	int rv;

	o->interactive = 1;
	while ((rv = km_line(km, "Introduce next command: \n", line,
		    sizeof(line))) != 0) {
		if (rv == -1)
			bad = "a command is at most 64 characters";
		else if (*line == '\0')
			continue;
		else
			bad = typo(line, why, sizeof(why));
		if (bad != NULL) {
			printf("not sent: %s%s\n", bad,
			    strstr(bad, "help") != NULL ? "" : "; type help");
			continue;
		}
		if (strcmp(line, "end") == 0)
			break;
		if (strcmp(line, "help") == 0)
			fputs(help_text, stdout);
		else if (strcmp(line, "wait") == 0)
			(void)km_run_wait(o, km, c);
		else if (km_parse((const uint8_t *)line, strlen(line), &m) ==
		    KM_CONN) {
			o->to = m.id;
			snprintf(
			    mode, sizeof(mode), "%s", km_mode_name(m.mode));
			o->mode = mode;
			(void)km_run_send(o, km, c, NULL);
		} else
			plain(km, line);
	}
	link_says(km, "end");
	return 0;
}
