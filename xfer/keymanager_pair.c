/*
 * keymanager_pair: a client's side of the key manager's steps after
 * `conn` (sender) or `wait` (waiter): the mode, K (and IV) and the
 * confirmation (their crypto is keymanager_profile.c's), `start` /
 * `send_data`, and the block counts.  With --save each step's bytes go to a
 * file of the directory, so that the real filters can be shown on them.
 */
#include <err.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>

#include "files.h"
#include "keymanager.h"
#include "secret.h"
#include "secrets.h"

void
km_k3_load(const char *path, struct aes128_ctx *k3)
{
	uint8_t buf[KM_K3_FILE_MAX], key[KM_BLOCK];
	size_t len;
	int rv;

	if (secret_from_file(path, buf, sizeof(buf), &len) == -1)
		err(2, "%s", path);
	rv = km_k3_decode(buf, len, key);
	secret_wipe(buf, sizeof(buf));
	if (rv == -1) {
		secret_wipe(key, sizeof(key));
		errx(2, "%s: not a 128-bit AES key (pk-keygen aes -b 128)",
		    path);
	}
	if (secrets_add(k3, sizeof(*k3)) == -1)
		err(2, "K3");
	aes128_set_decrypt_key(k3, key);
	secret_wipe(key, sizeof(key));
}

void
km_save(const struct km_opts *o, const char *name, const void *buf, size_t len)
{
	char path[PATH_MAX];

	if (o->save == NULL)
		return;
	if (snprintf(path, sizeof(path), "%s/%s", o->save, name) >=
	    (int)sizeof(path))
		errx(2, "%s: path too long", o->save);
	out_write(path, buf, len);
}

void
km_read_block(struct link *l, uint8_t *out, size_t want)
{
	link_read(l);
	if (l->len != want && link_starts(l, KM_PEER_ERROR))
		errx(1, "%s: %s", l->name, (const char *)l->msg);
	if (l->len != want)
		errx(2, "%s: expected %zu bytes, got \"%.80s\"", l->name, want,
		    (const char *)l->msg);
	memcpy(out, l->msg, want);
	secret_wipe(l->msg, want);
}

void
km_show(struct link *km)
{
	printf("Message from server: %s\n", (const char *)km->msg);
	fflush(stdout);
}

int
km_pair(struct link *km, const struct km_opts *o, const struct km_cred *c,
    struct km_session *s, const char *command)
{
	if (secrets_add(s, sizeof(*s)) == -1)
		err(2, "session key");
	if (link_starts(km, "cbc") && km->len == 3)
		s->mode = KM_CBC;
	else if (link_starts(km, "cfb") && km->len == 3)
		s->mode = KM_CFB;
	else {
		km_show(km);
		return 1;
	}
	printf("Mode: %s\n", km->msg);
	km_save(o, "mode", km->msg, km->len);
	if (kmp_keys(km, o, c, s) != 0)
		return 1;
	kmp_confirm(km, c, s, command);
	printf("Confirmation sent to the server, waiting response\n");
	fflush(stdout);
	return 0;
}

/*
 * The answer to the confirmation: `start` (waiter) or `send_data`
 * (sender) when both were good, else `key error` (this side's failed),
 * `peer key error` / `peer error` (the other side's): shown, 1.
 */
int
km_waiter_start(struct link *km)
{
	link_read(km);
	if (!link_starts(km, "start") || km->len != 5) {
		km_show(km);
		return 1;
	}
	printf("Confirmation received, starting communication with peer\n");
	link_says(km, "start");
	link_read(km);
	km_show(km);
	return 0;
}

int
km_sender_address(struct link *km, char *addr, size_t size)
{
	link_read(km);
	if (!link_starts(km, KM_SEND_DATA " ") ||
	    km->len - sizeof(KM_SEND_DATA) >= size) {
		km_show(km);
		return 1;
	}
	memcpy(addr, km->msg + sizeof(KM_SEND_DATA),
	    km->len - sizeof(KM_SEND_DATA) + 1);
	printf("Confirmation received, connecting to peer\n");
	return 0;
}

int
km_counts(struct link *km, const struct km_opts *o, uint64_t count)
{
	char msg[40];
	int n;

	if (o->flip_count)
		count++;
	n = snprintf(msg, sizeof(msg), "size %llu", (unsigned long long)count);
	km_save(o, "count", msg + 5, (size_t)n - 5);
	link_says(km, msg);
	link_read(km);
	km_show(km);
	km_save(o, "verdict", km->msg, km->len);
	return link_starts(km, KM_SIZES_OK) ? 0 : 1;
}
