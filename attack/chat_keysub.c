/*
 * chat-keysub: chat's server is never authenticated.  Eve's pk-mitm (-p
 * chat -k eve.key, mitm/chat_active.c) gave each client her key as the
 * server's and the relay her key as the client's: the relay wrapped the
 * session key under eve's key.  From the capture of pk-mitm (the frames
 * as the relay sent them) and eve's private key this opens the session
 * key and every message.  On the hardened profile the client knows the
 * server's key by its fingerprint and refuses eve's: no wrapped key in
 * the capture opens with hers.
 */
#include <getopt.h>
#include <stdlib.h>

#include "chat.h"
#include "secret.h"

static const struct option longopts[] = {
    {"key", required_argument, NULL, 'k'},
    {NULL, 0, NULL, 0},
};

static int
chat_keysub_main(int argc, char *argv[])
{
	static size_t idx[CHAT_MSGS_MAX];
	struct chat_key_src src = {NULL, NULL, NULL};
	struct capture c;
	struct chat_key key;
	size_t n, opened = 0;
	int ch;

	while ((ch = attack_getopt(argc, argv, "k:", longopts)) != -1)
		if (ch == 'k')
			src.keyfile = optarg;
	argc -= optind;
	argv += optind;
	if (src.keyfile == NULL || argc != 1)
		attack_usage();
	capture_read(&c, argv[0]);
	if (chat_session_key(&c, &src, &key) == 0) {
		n = chat_messages(&c, 0, idx, CHAT_MSGS_MAX);
		opened = chat_output(&c, idx, n, &key);
		attack_progress(
		    "%zu of the %zu messages in the capture opened", opened, n);
	} else
		attack_progress("eve holds no session key: nothing recovered");
	secret_wipe(&key, sizeof(key));
	capture_free(&c);
	return opened == 0;
}

const struct attack attack_chat_keysub = {
    "chat-keysub",
    "-k eve.key capture.json",
    "chat: eve's key given as the server's, the session key and every"
    " message opened",
    "  -k, --key file     eve's private key, which pk-mitm -k gave both"
    " sides\n"
    "  capture.json       pk-mitm's --trace-json (the frames as received)\n",
    chat_keysub_main,
};
