/*
 * run: the worker both mains call.  It loads the IV and then the key,
 * keeps the key only as long as the cipher setup needs it, streams, and
 * wipes the key schedule and the buffers before any exit.
 */
#include <err.h>
#include <errno.h>
#include <stdlib.h>
#include <unistd.h>

#include "aes.h"
#include "secret.h"

_Noreturn void
aes_run(const struct aes_args *a)
{
	struct aes_cipher c;
	struct aes_key k;
	uint8_t iv[AES_BLOCK_SIZE];
	enum aes_status st;
	int saved;

	/* The IV first: it is not secret, so its errors need no wiping. */
	aes_iv_load(a, iv);
	aes_key_load(a, &k);
	aes_cipher_init(&c, a->mode, a->decrypt, &k, iv);
	secret_wipe(&k, sizeof(k));

	st = aes_stream(&c, a->pad);
	saved = errno;
	aes_cipher_wipe(&c);
	aes_stream_wipe();
	errno = saved;
	switch (st) {
	case AES_READ_ERROR:
		err(2, "stdin");
	case AES_WRITE_ERROR:
		err(2, "stdout");
	case AES_BAD_INPUT:
		if (a->decrypt)
			errx(1, "bad decrypt");
		errx(1,
		    "bad encrypt: input is not whole 16-byte blocks "
		    "(--nopad)");
	case AES_OK:
		break;
	}
	if (close(STDOUT_FILENO) == -1)
		err(2, "stdout");
	exit(0);
}
