/*
 * secrets: the registry of a run's secrets (buffers and RSA keys), so that
 * one call wipes every one still held, before a tool dies or at its exit
 * (signify kdf: collect the error, wipe, then errx).  A tool registers its
 * wipe once; the dying stays the tool's.  A buffer or key registered here
 * must outlive its entry: static, allocated here, or released before its
 * stack frame returns.  Functions return 0 or -1 (ENOSPC past SECRETS_MAX
 * entries, ENOMEM); nothing is printed.
 */
#ifndef PK_SECRETS_H
#define PK_SECRETS_H

#include <stddef.h>

#include "key.h"

#define SECRETS_MAX 32 /* entries held at once */

/* Zeroed memory, wiped and freed by secrets_release or secrets_wipe. */
void *secrets_alloc(size_t n);
/* An initialised key, cleared and freed by secrets_release/_wipe. */
struct key_rsa *secrets_key_alloc(void);
/* The caller's n bytes, wiped (not freed) later; again is harmless. */
int secrets_add(void *p, size_t n);
/* key_init(k) (clearing it first if held), then k is cleared later. */
int secrets_key(struct key_rsa *k);
/* Wipes (clears, frees) p now and forgets it; p not held is ignored. */
void secrets_release(void *p);
/* Releases every entry, the newest first. */
void secrets_wipe(void);

#endif
