/*
 * stream: stdin through a cipher to stdout in large blocks with constant
 * memory.  When decrypting with padding, the last block is held back until
 * EOF (rsa-decrypt's BUF_FINAL) so that its padding can be checked; on a
 * failure the output stops where openssl enc's does.
 */
#include <string.h>
#include <unistd.h>

#include "aes.h"
#include "io.h"
#include "secret.h"

#ifndef AES_BUF
#define AES_BUF IO_BLOCK /* a multiple of AES_BLOCK_SIZE */
#endif

/* Room for one read and the block held back in front of it. */
static _Alignas(64) uint8_t inbuf[AES_BUF + AES_BLOCK_SIZE];
static _Alignas(64) uint8_t outbuf[AES_BUF + AES_BLOCK_SIZE];

/* Runs the first n bytes of inbuf through c and writes them out. */
static enum aes_status
emit(struct aes_cipher *c, size_t n)
{
	aes_cipher_run(c, outbuf, inbuf, n);
	if (io_writeall(STDOUT_FILENO, outbuf, n) == -1)
		return AES_WRITE_ERROR;
	return AES_OK;
}

/*
 * Returns the PKCS#7 pad length of the last block, or 0 if the padding is
 * bad.  It looks at every byte whatever it finds (no padding oracle in
 * the timing, for what a command's timing is worth).
 */
static size_t
pad_length(const uint8_t *last)
{
	unsigned int p = last[AES_BLOCK_SIZE - 1], bad, in_pad, i;

	bad = (p - 1) >> 4; /* p == 0 wraps; p > 16 leaves high bits */
	for (i = 0; i < AES_BLOCK_SIZE; i++) {
		in_pad = ((AES_BLOCK_SIZE - 1 - i) - p) >> 31;
		bad |= -in_pad & (last[i] ^ p);
	}
	return bad == 0 ? p : 0;
}

/* The input ended with have bytes in inbuf (fewer than AES_BUF). */
static enum aes_status
finish_encrypt(struct aes_cipher *c, int pad, size_t have)
{
	size_t whole = have - have % AES_BLOCK_SIZE, p;
	enum aes_status st;

	if (pad) {
		p = AES_BLOCK_SIZE - have % AES_BLOCK_SIZE;
		memset(inbuf + have, (int)p, p);
		return emit(c, have + p);
	}
	if (!aes_cipher_whole_blocks(c) || have == whole)
		return emit(c, have);
	/* --nopad on a partial block: openssl writes the whole ones. */
	if ((st = emit(c, whole)) != AES_OK)
		return st;
	return AES_BAD_INPUT;
}

/* The same for decryption; with pad, have includes the held-back block. */
static enum aes_status
finish_decrypt(struct aes_cipher *c, int pad, size_t have)
{
	size_t whole = have - have % AES_BLOCK_SIZE, p;
	enum aes_status st;

	if (!pad && (!aes_cipher_whole_blocks(c) || have == whole))
		return emit(c, have);
	if (have != whole || have == 0) {
		/* Not whole blocks: openssl writes the whole ones, then fails.
		 */
		if ((st = emit(c, whole)) != AES_OK)
			return st;
		return AES_BAD_INPUT;
	}
	aes_cipher_run(c, outbuf, inbuf, have);
	p = pad_length(outbuf + have - AES_BLOCK_SIZE);
	/* Bad padding: everything but the last block, as openssl writes. */
	if (io_writeall(STDOUT_FILENO, outbuf,
		have - (p != 0 ? p : AES_BLOCK_SIZE)) == -1)
		return AES_WRITE_ERROR;
	return p != 0 ? AES_OK : AES_BAD_INPUT;
}

enum aes_status
aes_stream(struct aes_cipher *c, int pad)
{
	size_t have = 0, hold, n;
	ssize_t r;

	/* The padding is in the last block, so it waits for EOF. */
	hold = c->decrypt && pad ? AES_BLOCK_SIZE : 0;
	io_grow_pipe(STDIN_FILENO);
	io_grow_pipe(STDOUT_FILENO);
	for (;;) {
		if ((r = io_readall(STDIN_FILENO, inbuf + have, AES_BUF)) == -1)
			return AES_READ_ERROR;
		have += (size_t)r;
		if ((size_t)r < AES_BUF)
			break;
		n = have - hold;
		if (emit(c, n) != AES_OK)
			return AES_WRITE_ERROR;
		memcpy(inbuf, inbuf + n, hold);
		have = hold;
	}
	if (c->decrypt)
		return finish_decrypt(c, pad, have);
	return finish_encrypt(c, pad, have);
}

void
aes_stream_wipe(void)
{
	secret_wipe(inbuf, sizeof(inbuf));
	secret_wipe(outbuf, sizeof(outbuf));
}
