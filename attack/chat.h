/*
 * chat: what the chat attacks (seed 003) read from a capture: the session
 * key, opened from a wrapped key frame with a private key (or given), and
 * each message once, opened with it; on either profile (lib/chathard.h:
 * a 32-byte K per client, each message sealed with AES-256-GCM).  The
 * faithful relay forwards a message unchanged to every member, so a
 * capture of several connections holds the same frame several times.
 * Only the bytes on the wire are used: the plaintext a tracing side
 * added is not.
 */
#ifndef PK_ATTACK_CHAT_H
#define PK_ATTACK_CHAT_H

#include <stddef.h>
#include <stdint.h>

#include "attack.h"
#include "chathard.h"
#include "chatwire.h"

#define CHAT_MSGS_MAX 4096 /* distinct messages read from a capture */

/* Where the session key comes from (the attack's options). */
struct chat_key_src {
	const char *keyfile; /* -k: a private key */
	const char *wrapped; /* -w: its wrapped key (pk-xfer --save-key) */
	const char *session; /* -s: the session key itself, 16 or 32 bytes */
};

/* A session key: the faithful profile's 16 bytes, or a hardened K. */
struct chat_key {
	uint8_t k[CHAT_H_K];
	int hardened;
};

/*
 * The session key: -s's, or -w's opened with -k's key, or the first of
 * the capture's wrapped key frames that -k's key opens.  0, or -1 (said
 * with attack_progress) when none opens; dies (2) on a file it cannot
 * read.
 */
int chat_session_key(const struct capture *c, const struct chat_key_src *src,
    struct chat_key *key);
/*
 * The indexes of the capture's distinct messages (at most max) first
 * seen at or after from, in the order of the capture; their count.
 */
size_t chat_messages(
    const struct capture *c, size_t from, size_t *idx, size_t max);
/*
 * Opens a message frame with key into text (CHAT_TEXT_MAX bytes): its
 * length, or -1 when it is not of key's profile or does not open: a
 * faithful one must read as "user: text" (CFB-8 opens anything, a wrong
 * key gives noise), a sealed one's tag must verify.
 */
long chat_open(
    const struct capture_frame *fr, const struct chat_key *key, uint8_t *text);
/*
 * Opens the messages idx[0 .. n) with key and writes each that opens,
 * and a newline, with attack_output; the number opened (nothing written
 * when none).
 */
size_t chat_output(const struct capture *c, const size_t *idx, size_t n,
    const struct chat_key *key);

#endif
