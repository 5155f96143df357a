/*
 * keymanager_trace: --trace and --trace-json for `pk-xfer keymanager`:
 * each frame of the link to the key manager and of the peer channel,
 * named by lib/kmtrace.c (the relay's keymanager service uses the same),
 * to the sink of xfer.h.  The client holds K3, so the wrapped K and IV are
 * shown unwrapped, and K, so the confirmation's and the file's plaintext
 * are shown under their ciphertext.
 */
#include <err.h>

#include "io.h"
#include "keymanager.h"
#include "secrets.h"

struct km_tracer {
	const struct trace_sink *sink;
	struct km_trace st;
};

static void
show(void *arg, const struct link *l, enum trace_dir dir, const uint8_t *p,
    size_t len, int raw)
{
	struct km_tracer *t = arg;
	struct trace_frame fr;

	trace_begin(&fr, "keymanager", dir, l->name, p, len);
	fr.fd = l->fd;
	if (raw)
		km_trace_file(&fr, &t->st);
	else
		km_trace(&fr, &t->st);
	trace_print(t->sink, &fr);
}

void
km_trace_on(struct link *l, const struct km_opts *o, enum km_side side,
    const struct km_cred *c, const struct km_session *s)
{
	struct km_tracer *t;
	size_t scratch = s != NULL ? IO_BLOCK : 0;

	if (o->sink == NULL)
		return;
	/* It holds K and the plaintext: wiped with the other secrets. */
	if ((t = secrets_alloc(sizeof(*t) + scratch)) == NULL)
		err(2, "trace");
	t->sink = o->sink;
	km_trace_init(&t->st, side, c != NULL && !c->hardened ? &c->k3 : NULL);
	if (c != NULL && c->hardened)
		km_trace_hard_rsa(&t->st, &c->rsa);
	if (s != NULL && s->hardened)
		km_trace_hard_k(&t->st, s->hk);
	if (s != NULL) {
		if (!s->hardened)
			km_trace_keys(&t->st, s->mode, s->k, s->iv);
		t->st.scratch = (uint8_t *)(t + 1);
		t->st.scratch_size = scratch;
	}
	l->trace = show;
	l->trace_arg = t;
}

void
km_trace_off(struct link *l)
{
	if (l->trace_arg != NULL)
		secrets_release(l->trace_arg);
	l->trace = NULL;
	l->trace_arg = NULL;
}
