/*
 * help: one subcommand's usage picked out of a tool's --help text.
 */
#ifndef PK_HELP_H
#define PK_HELP_H

#include <stddef.h>

/*
 * Writes into out (size bytes, NUL-terminated) the usage of subcommand
 * name: the synopsis entries where name follows the word prefix (global
 * options written `...` spelled out from the first entry), the
 * definitions those use (`pass-option: ...`), name's description and the
 * options its synopsis names from the options text, and the paragraph
 * starting "Exit ".  Returns 0; -1 with errno ENOENT when no synopsis
 * entry names it, ERANGE when out is too small.
 */
int help_select(char *out, size_t size, const char *synopsis,
    const char *options, const char *prefix, const char *name);

#endif
