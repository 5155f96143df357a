/*
 * kmwire: the key manager's parser of one client frame.  A frame
 * of exactly 64 bytes is the encrypted confirmation; anything else must be
 * printable ASCII, and is one of the original's commands or unknown text.
 * Numbers are plain decimal with no sign, no leading space, no suffix.
 */
#include <string.h>

#include "hex.h"
#include "kmhard.h"
#include "kmwire.h"
#include "secret.h"

/* Parses all of s as a decimal number in [0, max]; -1 if it is not one. */
static int
decimal(const char *s, uint64_t max, uint64_t *out)
{
	uint64_t v = 0;

	if (*s == '\0' || (*s == '0' && s[1] != '\0'))
		return -1;
	for (; *s != '\0'; s++) {
		if (*s < '0' || *s > '9')
			return -1;
		if (v > (max - (uint64_t)(*s - '0')) / 10)
			return -1;
		v = v * 10 + (uint64_t)(*s - '0');
	}
	*out = v;
	return 0;
}

static enum km_type
conn_args(char *args, struct km_msg *m)
{
	char *sp = strchr(args, ' ');
	uint64_t id;

	if (sp == NULL)
		return KM_UNKNOWN;
	*sp++ = '\0';
	if (decimal(args, 0xffffffffu, &id) == -1)
		return KM_UNKNOWN;
	if (strcmp(sp, "cbc") == 0)
		m->mode = KM_CBC;
	else if (strcmp(sp, "cfb") == 0)
		m->mode = KM_CFB;
	else
		return KM_UNKNOWN;
	m->id = (unsigned)id;
	return KM_CONN;
}

static enum km_type
text(char *s, struct km_msg *m)
{
	static const struct {
		const char *word;
		enum km_type type;
	} plain[] = {
	    {"send", KM_SEND},
	    {"get key", KM_GET_KEY},
	    {"get iv", KM_GET_IV},
	    {"start", KM_START},
	    {"end", KM_END},
	};
	uint64_t v;
	size_t i;

	for (i = 0; i < sizeof(plain) / sizeof(plain[0]); i++)
		if (strcmp(s, plain[i].word) == 0)
			return plain[i].type;
	if (strncmp(s, "wait ", 5) == 0) {
		if (decimal(s + 5, 65535, &v) == -1 || v == 0)
			return KM_UNKNOWN;
		m->port = (uint16_t)v;
		return KM_WAIT;
	}
	if (strncmp(s, "size ", 5) == 0) {
		if (decimal(s + 5, UINT64_MAX, &v) == -1)
			return KM_UNKNOWN;
		m->count = v;
		return KM_SIZE;
	}
	if (strncmp(s, "conn ", 5) == 0)
		return conn_args(s + 5, m);
	return KM_UNKNOWN;
}

/*
 * 1 if p is word then binary data (of exactly want bytes, or any number
 * above 0 when want is 0), left in m->blob.
 */
static int
prefixed(const uint8_t *p, size_t len, const char *word, size_t want,
    struct km_msg *m)
{
	size_t n = strlen(word);

	if (len <= n || memcmp(p, word, n) != 0 ||
	    (want != 0 && len - n != want))
		return 0;
	m->blob = p + n;
	m->blob_len = len - n;
	return 1;
}

enum km_type
km_parse(const uint8_t *p, size_t len, struct km_msg *m)
{
	char s[KM_CMD_MAX + 1];
	size_t i;

	memset(m, 0, sizeof(*m));
	if (prefixed(p, len, KM_H_PUBKEY, 0, m))
		return m->type = KM_PUBKEY;
	if (prefixed(p, len, KM_H_CONFIRM, KM_H_MAC, m))
		return m->type = KM_CONFIRM_MAC;
	if (len == KM_CONFIRM_PADDED) {
		m->blob = p;
		m->blob_len = len;
		return m->type = KM_CONFIRM_MSG;
	}
	for (i = 0; i < len; i++)
		if (p[i] < 0x20 || p[i] > 0x7e)
			return m->type = KM_BAD;
	if (len > KM_CMD_MAX)
		return m->type = KM_UNKNOWN;
	memcpy(s, p, len);
	s[len] = '\0';
	return m->type = text(s, m);
}

const char *
km_mode_name(enum km_mode mode)
{
	return mode == KM_CBC ? "cbc" : "cfb";
}

int
km_k3_decode(const uint8_t *buf, size_t len, uint8_t key[KM_BLOCK])
{
	uint8_t tmp[KM_K3_FILE_MAX / 2];
	ssize_t n;

	if (len == KM_BLOCK) {
		memcpy(key, buf, KM_BLOCK);
		return 0;
	}
	n = hex_decode((const char *)buf, len, tmp, sizeof(tmp));
	if (n == KM_BLOCK)
		memcpy(key, tmp, KM_BLOCK);
	secret_wipe(tmp, sizeof(tmp));
	return n == KM_BLOCK ? 0 : -1;
}
