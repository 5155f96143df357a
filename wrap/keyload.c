/*
 * keyload: loads a key with lib/key's key_load (the passphrase from the
 * source the user named, or the terminal) and dies with its message.
 */
#include <err.h>

#include "key.h"
#include "secret.h"
#include "wrap.h"

void
load_key(struct key_rsa *k, const char *path, const struct secret_src *pass,
    int need_private)
{
	char msg[512];
	int rv;

	key_init(k);
	if ((rv = key_load(k, path, pass, need_private)) != KEY_OK) {
		key_load_msg(rv, path, pass, msg, sizeof(msg));
		key_clear(k);
		errx(key_load_exit(rv), "%s", msg);
	}
}
