/*
 * chat-leaver: chat has one session key for everyone, for as long as the
 * relay runs.  A member who has left (EXIT) keeps it and opens, from a
 * capture of the others' connections, every message sent after she
 * left.  Her key comes from her own wrapped_key frame (in the capture,
 * or as pk-xfer --save-key kept it) and her private key, or as she
 * unwrapped it.  On the hardened profile the relay makes a new key when
 * the membership changes: her old one opens nothing sent after.
 */
#include <err.h>
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "chat.h"
#include "secret.h"

static const struct option longopts[] = {
    {"key", required_argument, NULL, 'k'},
    {"left", required_argument, NULL, 'u'},
    {"session-key", required_argument, NULL, 's'},
    {"wrapped", required_argument, NULL, 'w'},
    {NULL, 0, NULL, 0},
};

/*
 * The frame after the last of NAME's connection (its user name or hello
 * names it; a capture of pk-mitm or a relay tells connections apart by
 * their local address); or else after the notice "NAME left the chat",
 * which the faithful profile sends in clear.  Dies (2) if neither is in
 * the capture.
 */
static size_t
after_leaving(const struct capture *c, const char *name)
{
	const struct capture_field *f;
	const char *local = NULL;
	char text[CHAT_NAME_MAX + 32];
	size_t len = strlen(name), i, last = 0;

	for (i = 0; i < c->n && local == NULL; i++)
		if ((strcmp(c->fr[i].step, "user_name") == 0 ||
			strcmp(c->fr[i].step, "hello") == 0) &&
		    (f = capture_field(&c->fr[i], "name")) != NULL &&
		    f->len == len && memcmp(f->data, name, len) == 0 &&
		    *c->fr[i].local != '\0')
			local = c->fr[i].local;
	for (i = 0; local != NULL && i < c->n; i++)
		if (strcmp(c->fr[i].local, local) == 0)
			last = i + 1;
	if (local != NULL)
		return last;
	len = (size_t)snprintf(text, sizeof(text), "%s left the chat", name);
	for (i = 0; i < c->n; i++)
		if (strcmp(c->fr[i].step, "notice") == 0 &&
		    (f = capture_field(&c->fr[i], "text")) != NULL &&
		    f->len == len && memcmp(f->data, text, len) == 0)
			return i + 1;
	errx(2, "no connection of %s's and no notice \"%s\" in the capture",
	    name, text);
}

static int
chat_leaver_main(int argc, char *argv[])
{
	static size_t idx[CHAT_MSGS_MAX];
	struct chat_key_src src = {NULL, NULL, NULL};
	const char *name = NULL;
	struct capture c;
	struct chat_key key;
	size_t n, from = 0, opened = 0;
	int ch;

	while ((ch = attack_getopt(argc, argv, "k:s:u:w:", longopts)) != -1)
		if (ch == 'k')
			src.keyfile = optarg;
		else if (ch == 's')
			src.session = optarg;
		else if (ch == 'u')
			name = optarg;
		else if (ch == 'w')
			src.wrapped = optarg;
	argc -= optind;
	argv += optind;
	if (argc != 1 || (src.keyfile == NULL) == (src.session == NULL) ||
	    (src.wrapped != NULL && src.keyfile == NULL))
		attack_usage();
	if (name != NULL && strlen(name) > CHAT_NAME_MAX)
		errx(2, "-u %s: longer than %d bytes", name, CHAT_NAME_MAX);
	capture_read(&c, argv[0]);
	if (name != NULL)
		from = after_leaving(&c, name);
	n = chat_messages(&c, from, idx, CHAT_MSGS_MAX);
	attack_progress("%zu messages in the capture%s%s", n,
	    name != NULL ? " after " : "", name != NULL ? name : "");
	if (chat_session_key(&c, &src, &key) == 0) {
		opened = chat_output(&c, idx, n, &key);
		attack_progress(
		    "%zu of them opened with the leaver's key", opened);
	}
	if (opened == 0)
		attack_progress("nothing recovered");
	secret_wipe(&key, sizeof(key));
	capture_free(&c);
	return opened == 0;
}

const struct attack attack_chat_leaver = {
    "chat-leaver",
    "-k key [-w wrapped] | -s session-key [-u name] capture.json",
    "chat: a member who left opens what was said after, with her old key",
    "  -k, --key file     the leaver's private key: it opens her wrapped"
    " key\n"
    "                     (-w, or her wrapped_key frame in the capture)\n"
    "  -s, --session-key file\n"
    "                     the session key she unwrapped (16 bytes)\n"
    "  -u, --left name    only the messages after name's connection"
    " ended\n"
    "                     (or the notice \"name left the chat\")\n"
    "  -w, --wrapped file her wrapped session key (pk-xfer chat"
    " --save-key)\n"
    "  capture.json       a --trace-json capture of the others' chat\n",
    chat_leaver_main,
};
