/*
 * chat_key: the chat service's keys.  The server key pair lives in
 * STATE/chat.key so that `pk-keygen rsa -b 2048 --no-pass` can make it
 * beforehand (protokit-chat does); when it is missing the relay makes one
 * at start with the same Nettle call, as the original did on every start.
 * The session key comes from getrandom, once per run.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "chat.h"
#include "io.h"
#include "rand.h"
#include "secret.h"

/* Writes a new RSA-2048 key to path with O_EXCL; 0 or -1 (logged). */
static int
key_make(struct key_rsa *k, const char *path)
{
	uint8_t pem[KEY_PEM_MAX];
	size_t len;
	int fd, rv = -1;

	mpz_set_ui(k->pub.e, 65537);
	if (!rsa_generate_keypair(&k->pub, &k->priv, NULL, rand_nettle, NULL,
		NULL, CHAT_SERVER_BITS, 0)) {
		relay_log("chat", "RSA key generation failed");
		return -1;
	}
	k->has_private = 1;
	if (key_pkcs8_pem(k, NULL, 0, 0, pem, sizeof(pem), &len) != KEY_OK) {
		relay_log("chat", "%s: cannot encode the key", path);
		goto out;
	}
	fd = open(
	    path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd == -1 || io_writeall(fd, pem, len) != (ssize_t)len ||
	    fsync(fd) == -1) {
		relay_log("chat", "%s: %s", path, strerror(errno));
		if (fd != -1)
			close(fd);
		goto out;
	}
	if (close(fd) == -1)
		relay_log("chat", "%s: %s", path, strerror(errno));
	else
		rv = 0;
out:
	secret_wipe(pem, sizeof(pem));
	return rv;
}

int
chat_key_init(struct relay_ctx *ctx, struct chat_server *s)
{
	struct key_rsa k;
	char path[PATH_MAX], msg[256];
	int n, rv, made = 0;

	n = snprintf(
	    path, sizeof(path), "%s/%s", relay_state_dir(ctx), CHAT_KEY_FILE);
	if (n < 0 || (size_t)n >= sizeof(path)) {
		relay_log("chat", "state directory path too long");
		return -1;
	}
	key_init(&k);
	rv = key_load(&k, path, NULL, 1);
	if (rv == KEY_EIO && errno == ENOENT) {
		key_clear(&k);
		key_init(&k);
		if (key_make(&k, path) == -1) {
			key_clear(&k);
			return -1;
		}
		made = 1;
		rv = KEY_OK;
	}
	if (rv == KEY_OK)
		rv = key_spki_pem(
		    &k, s->spki_pem, sizeof(s->spki_pem), &s->spki_len);
	/* Sent as the original sends it: no newline after the last line. */
	if (rv == KEY_OK)
		s->spki_len = chat_pem_len(s->spki_pem, s->spki_len);
	if (rv != KEY_OK) {
		relay_log("chat", "%s",
		    key_load_msg(rv, path, NULL, msg, sizeof(msg)));
		key_clear(&k);
		return -1;
	}
	relay_log("chat", "server key %s: %s RSA-%zu", path,
	    made ? "made" : "read", mpz_sizeinbase(k.pub.n, 2));
	if (s->hardened)
		return chatp_key(s, &k);
	key_clear(&k);
	if (rand_fill(s->session_key, sizeof(s->session_key)) == -1) {
		relay_log("chat", "random: %s", strerror(errno));
		return -1;
	}
	return 0;
}
