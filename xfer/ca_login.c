/*
 * ca_login: the sign-in dialog of seed 004 for the step subcommands: the
 * user name, then the password (sent in the clear inside its frame, as
 * the original did), or registration with `r`.  Passwords come from a
 * file, an fd, the environment or the terminal, never from argv.
 */
#include <err.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ca.h"
#include "pass.h"
#include "secrets.h"

static uint8_t pass[CA_PASS_MAX]; /* held in the registry: wiped at exit */
static size_t passlen; /* 0: not read yet */

size_t
ca_password(const struct secret_src *src, const char *prompt, const char *what,
    uint8_t *buf, size_t max)
{
	char msg[512];
	size_t len;

	if (secret_passphrase(src, prompt, buf, max, &len) == 0)
		return len;
	if (errno == ENOTTY)
		errx(2,
		    "no terminal to ask for %s: give it in a file, an fd "
		    "or the environment (see --help)",
		    what);
	errx(2, "%s", pass_msg(src, "", msg, sizeof(msg)));
}

void
ca_expect(struct link *l, const char *want)
{
	ca_read(l);
	if (!link_is(l, want))
		errx(2, "%s: expected \"%s\", got \"%.80s\"", l->name, want,
		    (const char *)l->msg);
}

/* After the password: Welcome, or the refusal. */
static void
welcomed(struct link *l, const char *user, const char *what)
{
	ca_read(l);
	if (link_is(l, CA_WELCOME))
		return;
	if (link_is(l, CA_BAD_PASS))
		errx(1, "%s: %s: %s", l->name, user, CA_BAD_PASS);
	errx(1, "%s: %s: %s refused: \"%.80s\"", l->name, user, what,
	    (const char *)l->msg);
}

static void
register_user(struct link *l, const char *user)
{
	ca_say(l, "r");
	ca_expect(l, CA_CHOOSE_USER);
	ca_say(l, user);
	ca_read(l);
	if (!link_is(l, CA_CHOOSE_PASS))
		errx(1, "%s: %s: %s", l->name, user, (const char *)l->msg);
	ca_write(l, pass, passlen);
	welcomed(l, user, "registration");
}

void
ca_pass_read(const struct ca_opts *o, int reg)
{
	if (secrets_add(pass, sizeof(pass)) == -1)
		err(2, "password");
	passlen = ca_password(
	    &o->pass, "Password:", "the password", pass, sizeof(pass));
	if (reg && passlen < CA_PASS_MIN)
		errx(1, "the password is too short: min length = %d",
		    CA_PASS_MIN);
}

/* The original's dialog, after its first prompt. */
static void
signin(struct link *l, const struct ca_opts *o, int reg)
{
	ca_say(l, o->user);
	ca_read(l);
	if (link_is(l, CA_NOT_FOUND) && reg)
		register_user(l, o->user);
	else if (link_is(l, CA_NOT_FOUND))
		errx(1, "%s: %s: user not found (pk-xfer ca register first)",
		    l->name, o->user);
	else if (link_is(l, CA_ASK_PASS) && reg)
		errx(1, "%s: %s: already registered", l->name, o->user);
	else if (link_is(l, CA_ASK_PASS)) {
		ca_write(l, pass, passlen);
		welcomed(l, o->user, "sign-in");
	} else
		errx(2, "%s: unexpected \"%.80s\"", l->name,
		    (const char *)l->msg);
}

void
ca_signin(struct link *l, const struct ca_opts *o, int reg)
{
	if (passlen == 0)
		ca_pass_read(o, reg);
	ca_read(l);
	cap_greeted(l, o, o->user);
	if (o->hardened)
		cap_signin(l, o, reg, pass, passlen);
	else if (!link_is(l, CA_ASK_USER))
		errx(2, "%s: expected \"%s\", got \"%.80s\"", l->name,
		    CA_ASK_USER, (const char *)l->msg);
	else
		signin(l, o, reg);
	secret_wipe(pass, sizeof(pass));
	passlen = 0;
}
