/*
 * service_key: a service's own private key, STATE/NAME.key, in any form
 * pk-keygen or openssl writes.  When it is encrypted (the e2e and ca seeds
 * keep theirs in legacy encrypted PEM), the passphrase comes from the
 * environment variable PK_NAME_PASS (NAME in capitals) or else from the
 * file STATE/NAME.pass, never from the command line.
 */
#include <ctype.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "key.h"
#include "relay.h"
#include "secret.h"

int
relay_service_key(struct relay_ctx *ctx, const char *name, struct key_rsa *k)
{
	struct secret_src src = SECRET_SRC_INIT;
	char path[PATH_MAX], pass[PATH_MAX], env[64], msg[512];
	size_t i;
	int rv;

	for (i = 0; name[i] != '\0' && i < sizeof(env) - 9; i++)
		env[3 + i] = (char)toupper((unsigned char)name[i]);
	memcpy(env, "PK_", 3);
	snprintf(env + 3 + i, sizeof(env) - 3 - i, "_PASS");
	if (snprintf(path, sizeof(path), "%s/%s.key", ctx->state_dir, name) >=
		(int)sizeof(path) ||
	    snprintf(pass, sizeof(pass), "%s/%s.pass", ctx->state_dir, name) >=
		(int)sizeof(pass)) {
		relay_log(
		    name, "%s: state directory path too long", ctx->state_dir);
		return -1;
	}
	if (getenv(env) != NULL)
		src.env = env;
	else
		src.file = pass;
	rv = key_load(k, path, &src, 1);
	if (rv != KEY_OK) {
		relay_log(
		    name, "%s", key_load_msg(rv, path, &src, msg, sizeof(msg)));
		return -1;
	}
	return 0;
}
