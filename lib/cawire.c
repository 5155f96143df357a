/*
 * cawire: parsing and formatting of the ca protocol's request frames and
 * peer chat messages (the hardened profile's too); names are checked here
 * before anything stores them.
 */
#include <string.h>
#include <strings.h>

#include "cawire.h"
#include "frame.h"

static const char *const op_names[] = {
    [CA_CSR] = "CSR",
    [CA_CERTUP] = "CERTUP",
    [CA_CERTREQ] = "CERTREQ",
};

#define NOPS (sizeof(op_names) / sizeof(op_names[0]))

const char *
ca_op_name(enum ca_op op)
{
	return (size_t)op < NOPS ? op_names[op] : "?";
}

int
ca_name_parse(const uint8_t *p, size_t len, char name[CA_NAME_MAX + 1])
{
	if (len == 0 || len > CA_NAME_MAX || memchr(p, '\0', len) != NULL)
		return -1;
	memcpy(name, p, len);
	name[len] = '\0';
	if (!x509_cn_safe(name)) {
		name[0] = '\0';
		return -1;
	}
	return 0;
}

/* The op named by the word p[0..len), in any case, or -1. */
static int
op_parse(const uint8_t *p, size_t len)
{
	size_t i;

	for (i = 0; i < NOPS; i++)
		if (strlen(op_names[i]) == len &&
		    strncasecmp((const char *)p, op_names[i], len) == 0)
			return (int)i;
	return -1;
}

int
ca_req_parse(const uint8_t *p, size_t len, struct ca_req *r)
{
	const uint8_t *sp, *nl;
	char id[CA_NAME_MAX + 1];
	int op;

	memset(r, 0, sizeof(*r));
	if ((nl = memchr(p, '\n', len)) == NULL ||
	    (sp = memchr(p, ' ', (size_t)(nl - p))) == NULL)
		return -1;
	if ((op = op_parse(p, (size_t)(sp - p))) == -1 ||
	    ca_name_parse(sp + 1, (size_t)(nl - sp - 1), r->name) == -1)
		return -1;
	r->op = (enum ca_op)op;
	r->body = nl + 1;
	r->bodylen = len - (size_t)(nl + 1 - p);
	if (r->bodylen == 0)
		return -1;
	if (r->op == CA_CERTREQ && ca_name_parse(r->body, r->bodylen, id) == -1)
		return -1;
	return 0;
}

int
ca_req_format(enum ca_op op, const char *name, const uint8_t *body,
    size_t bodylen, uint8_t *out, size_t max, size_t *len)
{
	const char *word = ca_op_name(op);
	size_t wl = strlen(word), nl = strlen(name);

	if (max < wl + 1 + nl + 1 || bodylen > max - (wl + 1 + nl + 1))
		return -1;
	memcpy(out, word, wl);
	out[wl] = ' ';
	memcpy(out + wl + 1, name, nl);
	out[wl + 1 + nl] = '\n';
	memcpy(out + wl + nl + 2, body, bodylen);
	*len = wl + nl + 2 + bodylen;
	return 0;
}

/* One frame of at most max bytes at buf + *off: 1, 0 need more, -1. */
static int
next(const uint8_t *buf, size_t len, size_t *off, size_t max, const uint8_t **p,
    size_t *plen)
{
	size_t used;
	int rv;

	rv = frame_decode(buf + *off, len - *off, max, p, plen, &used);
	if (rv == FRAME_NEED_MORE)
		return 0;
	if (rv != FRAME_OK)
		return -1;
	*off += used;
	return 1;
}

int
ca_chat_parse(const uint8_t *buf, size_t len, struct ca_chat *m, size_t *used)
{
	size_t off = 0, ivlen;
	int rv;

	memset(m, 0, sizeof(*m));
	if ((rv = next(buf, len, &off, CA_CHAT_CT_MAX, &m->ct, &m->ctlen)) != 1)
		return rv;
	if (m->ctlen % 16 != 0)
		return -1;
	if ((rv = next(buf, len, &off, CA_CHAT_IV, &m->iv, &ivlen)) != 1)
		return rv;
	if (ivlen != CA_CHAT_IV)
		return -1;
	if ((rv = next(buf, len, &off, CA_CHAT_WRAP_MAX, &m->wrapped,
		 &m->wrappedlen)) != 1)
		return rv;
	if (m->wrappedlen < CA_CHAT_WRAP_MIN)
		return -1;
	*used = off;
	return 1;
}

int
ca_hchat_is_key(const uint8_t *p, size_t len)
{
	return len >= CA_H_MAGIC_LEN &&
	    memcmp(p, CA_H_CHAT_MAGIC, CA_H_MAGIC_LEN) == 0;
}

static uint64_t
get_u64(const uint8_t *p)
{
	uint64_t v = 0;
	int i;

	for (i = 0; i < 8; i++)
		v = v << 8 | p[i];
	return v;
}

/* The key frame: magic, nonce, K wrapped (CA_CHAT_WRAP_MIN .. MAX). */
static int
hchat_key(const uint8_t *p, size_t len, struct ca_hchat *m)
{
	size_t head = CA_H_MAGIC_LEN + CA_H_NONCE;

	if (!ca_hchat_is_key(p, len) || len < head + CA_CHAT_WRAP_MIN ||
	    len > head + CA_CHAT_WRAP_MAX)
		return -1;
	m->kind = 'k';
	m->nonce = p + CA_H_MAGIC_LEN;
	m->wrapped = p + head;
	m->wrappedlen = len - head;
	return 1;
}

int
ca_hchat_parse(
    const uint8_t *buf, size_t len, int key, struct ca_hchat *m, size_t *used)
{
	const uint8_t *p;
	size_t plen, off = 0, head = 1 + CA_H_SEQ;
	int rv;

	memset(m, 0, sizeof(*m));
	if ((rv = next(buf, len, &off,
		 key ? CA_H_MAGIC_LEN + CA_H_NONCE + CA_CHAT_WRAP_MAX
		     : head + CA_CHAT_TEXT_MAX + CA_H_TAG,
		 &p, &plen)) != 1)
		return rv;
	*used = off;
	if (key)
		return hchat_key(p, plen, m);
	if (plen < head + CA_H_TAG || (p[0] != CA_H_MSG && p[0] != CA_H_END) ||
	    (p[0] == CA_H_END && plen != head + CA_H_TAG))
		return -1;
	m->kind = p[0];
	m->seq = get_u64(p + 1);
	m->ct = p + head;
	m->ctlen = plen - head - CA_H_TAG;
	m->tag = p + plen - CA_H_TAG;
	return 1;
}
