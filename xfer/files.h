/*
 * files: what the steps of every protocol read and write: key files held
 * in lib/secrets.h's registry, and outputs written whole.
 */
#ifndef PK_XFER_FILES_H
#define PK_XFER_FILES_H

#include <stddef.h>
#include <stdint.h>

#include "key.h"
#include "secret.h"

/*
 * Loads path into k, held; dies (1 wrong passphrase, 2 else) naming it.
 * A held key is in lib/secrets.h's registry, wiped at any exit; the caller
 * lets it go with secrets_release(k) before k's frame ends.
 */
void xfer_key_load(
    struct key_rsa *k, const char *path, const struct secret_src *pass);
/* Initialises k and holds it in the registry. */
void xfer_key_hold(struct key_rsa *k);
/* Dies with lib/key's reason for rv about path, once every secret is wiped. */
_Noreturn void xfer_key_die(
    int rv, const char *path, const struct secret_src *pass);
/* Writes len bytes to path (0600), or to stdout when path is NULL. */
void out_write(const char *path, const uint8_t *buf, size_t len);
/* The base name a path is sent under (file_name fields). */
const char *base_name(const char *path);

#endif
