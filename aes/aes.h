/*
 * aes: what pk-aes-cbc and pk-aes-cfb share.  The mains fill a struct
 * aes_args from the command line (args.c); aes_run (run.c) loads the IV
 * and key (keyarg.c), sets up the cipher (cipher.c) and streams stdin to
 * stdout (stream.c).
 */
#ifndef PK_AES_H
#define PK_AES_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <nettle/aes.h>
#include <nettle/nettle-types.h>

enum aes_mode {
	AES_CBC,
	AES_CFB, /* CFB-128, openssl -aes-N-cfb */
	AES_CFB8, /* CFB-8, openssl -aes-N-cfb8 */
};

/* The command line, as the mains leave it for aes_run. */
struct aes_args {
	enum aes_mode mode;
	int encrypt;
	int decrypt;
	int pad; /* PKCS#7 */
	const char *key_file; /* -k */
	int key_fd; /* --key-fd, -1 if none */
	const char *key_env; /* --key-env */
	int key_sources; /* how many of the three were given */
	int raw_key; /* --raw-key: the key is raw bytes */
	const char *iv_hex; /* -iv, --iv */
	const char *iv_file; /* --iv-file */
	int zero_iv; /* --zero-iv */
	int iv_sources;
};

/* Long-option values past the range of characters. */
enum {
	OPT_CFB8 = 256,
	OPT_IV,
	OPT_IV_FILE,
	OPT_KEY_ENV,
	OPT_KEY_FD,
	OPT_NOPAD,
	OPT_PAD,
	OPT_RAW_KEY,
	OPT_ZERO_IV,
};

/* The getopt string and long options both tools take (args.c). */
#define AES_OPTSTRING "+:dehi:k:" /* with opterr = 0 */
#define AES_LONGOPTS                                                           \
	{"decrypt", no_argument, NULL, 'd'},                                   \
	    {"encrypt", no_argument, NULL, 'e'},                               \
	    {"help", no_argument, NULL, 'h'},                                  \
	    {"iv", required_argument, NULL, OPT_IV},                           \
	    {"iv-file", required_argument, NULL, OPT_IV_FILE},                 \
	    {"key-env", required_argument, NULL, OPT_KEY_ENV},                 \
	    {"key-fd", required_argument, NULL, OPT_KEY_FD},                   \
	    {"key-file", required_argument, NULL, 'k'},                        \
	    {"raw-key", no_argument, NULL, OPT_RAW_KEY},                       \
	{                                                                      \
		"zero-iv", no_argument, NULL, OPT_ZERO_IV                      \
	}

/* Takes option ch common to both tools; else says what is wrong, -1. */
int aes_option(struct aes_args *a, int ch, int argc, char *argv[]);
/* Dies on an operand, a pair of options that exclude each other, or
 * neither -e nor -d. */
void aes_args_check(const struct aes_args *a, int argc, char *argv[]);
/* After the line saying what is wrong: where help is; exit 2. */
_Noreturn void aes_usage(void);
/* The --help lines for the common options; then the exit codes, and exit 0
 * (2 when stdout could not take them). */
void aes_help_common(FILE *fp);
_Noreturn void aes_help_exit(void);

/* Key and IV material (keyarg.c); each dies with a message on failure. */
struct aes_key {
	uint8_t bytes[AES_MAX_KEY_SIZE];
	size_t len;
};
void aes_iv_load(const struct aes_args *a, uint8_t iv[AES_BLOCK_SIZE]);
void aes_key_load(const struct aes_args *a, struct aes_key *k);

/* One mode and direction of AES over a key (cipher.c). */
struct aes_cipher {
	union {
		struct aes128_ctx a128;
		struct aes192_ctx a192;
		struct aes256_ctx a256;
	} ctx;
	nettle_cipher_func *block; /* AES-N forward, or inverse for CBC -d */
	enum aes_mode mode;
	int decrypt;
	size_t key_len;
	uint8_t iv[AES_BLOCK_SIZE]; /* the chaining state */
};
void aes_cipher_init(struct aes_cipher *c, enum aes_mode mode, int decrypt,
    const struct aes_key *k, const uint8_t iv[AES_BLOCK_SIZE]);
/*
 * dst and src must not overlap.  len is a multiple of the block size on
 * every call but the last; only CFB and CFB-8 take a partial last block.
 */
void aes_cipher_run(
    struct aes_cipher *c, uint8_t *dst, const uint8_t *src, size_t len);
/* 1 if the mode works on whole blocks only (CBC). */
int aes_cipher_whole_blocks(const struct aes_cipher *c);
void aes_cipher_wipe(struct aes_cipher *c);

/* stream.c: stdin to stdout through c, with or without PKCS#7 padding. */
enum aes_status {
	AES_OK,
	AES_BAD_INPUT, /* not whole blocks, or bad padding */
	AES_READ_ERROR, /* errno set */
	AES_WRITE_ERROR, /* errno set */
};
enum aes_status aes_stream(struct aes_cipher *c, int pad);
/* Wipes the stream buffers, which held plaintext. */
void aes_stream_wipe(void);

/* run.c: the one worker; exits with the tool's status. */
_Noreturn void aes_run(const struct aes_args *a);

#endif
