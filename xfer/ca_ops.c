/*
 * ca_ops: the requests after `Welcome` (CSR, CERTUP, CERTREQ) as step
 * subcommands, and the original's interactive client: the server's
 * prompts answered from stdin (passwords from the terminal with echo off,
 * or a --pass-* source), then operations chosen at a prompt (or `help`)
 * until "Terminate connection? (y/n)" is answered y; a certificate that
 * comes back is saved (ca_save.c).
 */
#include <err.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "ca.h"
#include "cli.h"
#include "files.h"
#include "io.h"
#include "secrets.h"

static uint8_t req[CA_FRAME_MAX];
static uint8_t file[X509_PEM_MAX];

void
ca_request(struct link *l, enum ca_op op, const char *name, const uint8_t *body,
    size_t len)
{
	size_t n;

	if (ca_req_format(op, name, body, len, req, sizeof(req), &n) == -1)
		errx(2, "%s: request too long", ca_op_name(op));
	ca_write(l, req, n);
	ca_read(l);
	if (l->len >= strlen(CA_ERROR) &&
	    memcmp(l->msg, CA_ERROR, strlen(CA_ERROR)) == 0)
		errx(1, "%s: %s", l->name, (const char *)l->msg);
}

static size_t
read_input(const char *path)
{
	size_t len;

	if (io_readfile(path, file, sizeof(file), &len) == -1)
		err(2, "%s", path);
	if (len == 0)
		errx(2, "%s: empty", path);
	return len;
}

int
ca_csr(struct link *l, const struct ca_opts *o)
{
	size_t len = read_input(o->in);

	ca_request(l, CA_CSR, o->user, file, len);
	if (!ca_is_cert(l))
		errx(1, "%s: CSR: \"%.80s\"", l->name, (const char *)l->msg);
	return ca_save_cert(l, o->out, o->user);
}

int
ca_certup(struct link *l, const struct ca_opts *o)
{
	size_t len = read_input(o->in);
	const char *name = o->as != NULL ? o->as : o->user;

	ca_request(l, CA_CERTUP, name, file, len);
	if (!link_is(l, CA_ACK))
		errx(1, "%s: CERTUP: \"%.80s\"", l->name, (const char *)l->msg);
	fprintf(stderr, "%s: stored for %s\n", CA_ACK, name);
	return 0;
}

int
ca_certreq(struct link *l, const struct ca_opts *o, const char *id)
{
	ca_request(l, CA_CERTREQ, o->user, (const uint8_t *)id, strlen(id));
	if (ca_is_cert(l)) {
		out_write(o->out, l->msg, l->len);
		return 0;
	}
	warnx("%s: %s", l->name, (const char *)l->msg);
	return 1;
}

/* A line that is not empty (no frame is empty): 0, or -1 at EOF. */
static int
line_read(char *buf, size_t size)
{
	do
		if (cli_prompt(NULL, buf, size) == NULL)
			return -1;
	while (buf[0] == '\0');
	return 0;
}

/* A password prompt: the --pass-* source, the terminal, or a line. */
static int
answer_password(struct link *l, const struct ca_opts *o)
{
	static uint8_t pass[CA_PASS_MAX + 2]; /* held in the registry */
	struct secret_src none = SECRET_SRC_INIT;
	size_t len;
	int fixed =
	    o->pass.file != NULL || o->pass.fd != -1 || o->pass.env != NULL;

	if (secrets_add(pass, sizeof(pass)) == -1)
		err(2, "password");

	if (fixed && link_is(l, CA_BAD_PASS))
		errx(1, "%s: %s", l->name, CA_BAD_PASS);
	if (fixed || isatty(STDIN_FILENO))
		len = ca_password(fixed ? &o->pass : &none,
		    "Password:", "the password", pass, CA_PASS_MAX);
	else if (line_read((char *)pass, sizeof(pass)) == -1)
		return -1;
	else
		len = strlen((char *)pass);
	ca_write(l, pass, len);
	secret_wipe(pass, sizeof(pass));
	return 0;
}

static size_t
word(const char *line, const char *w)
{
	return strncmp(line, w, strlen(w)) == 0 ? strlen(w) : 0;
}

/*
 * The answer to a prompt; at the hardened name prompts only "login NAME"
 * or "register NAME" goes out (a bare name, the faithful dialog's, would
 * end it as a profile mismatch).  The length of the word before the name
 * (0 for none), or -1 at EOF.
 */
static long
answer_read(struct link *l, const struct ca_opts *o, char *line, size_t size)
{
	int ask = link_is(l, CA_H_ASK_USER) || link_is(l, CA_H_REGISTERED);
	size_t skip;

	for (;;) {
		if (line_read(line, size) == -1)
			return -1;
		if (!o->hardened)
			return 0;
		if ((skip = word(line, CA_H_LOGIN)) == 0)
			skip = word(line, CA_H_REGISTER);
		if (skip != 0 || !ask)
			return (long)skip;
		printf("type login NAME or register NAME\n");
	}
}

/* The sign-in dialog as the server leads it; 0 at Welcome, -1 at EOF. */
static int
dialog(struct link *l, const struct ca_opts *o, char *user)
{
	char line[sizeof(CA_H_REGISTER) + CA_NAME_MAX + 1];
	long skip;
	int first = 1;

	while (ca_next(l)) {
		if (first)
			cap_greeted(l, o, NULL);
		first = 0;
		/* A hardened refusal ends the dialog: said once, on stderr. */
		if (link_is(l, CA_H_BAD_LOGIN) || link_starts(l, CA_H_WAIT) ||
		    link_starts(l, CA_H_LOCKED))
			errx(1, "%s: %s", l->name, (const char *)l->msg);
		printf("%s\n", (const char *)l->msg);
		if (link_is(l, CA_WELCOME))
			return 0;
		if (link_is(l, CA_NAME_BAD) || link_is(l, CA_NAME_TAKEN))
			continue;
		if (link_is(l, CA_ASK_PASS) || link_is(l, CA_BAD_PASS) ||
		    link_is(l, CA_CHOOSE_PASS)) {
			if (answer_password(l, o) == -1)
				return -1;
			continue;
		}
		if ((skip = answer_read(l, o, line, sizeof(line))) == -1)
			return -1;
		if ((link_is(l, CA_ASK_USER) || link_is(l, CA_CHOOSE_USER) ||
			link_is(l, CA_H_ASK_USER) ||
			link_is(l, CA_H_REGISTERED)) &&
		    strlen(line + skip) <= CA_NAME_MAX)
			memcpy(user, line + skip, strlen(line + skip) + 1);
		ca_say(l, line);
	}
	return -1;
}

static const char ops_help[] =
    "Operations (as the original's README describes them; any case):\n"
    "  CSR      certificate signing request: your public key (a PEM\n"
    "           request: pk-keygen csr) and your id; the CA signs it and\n"
    "           you save the certificate, <id>.crt by default\n"
    "  CERTUP   certificate upload: a certificate of this CA and the id\n"
    "           to store it for\n"
    "  CERTREQ  certificate request: the id whose certificate you want;\n"
    "           you may save it\n"
    "  help     this list\n";

/* A file to send, or -1 after saying why it cannot be read. */
static long
read_try(const char *path)
{
	size_t len;

	if (io_readfile(path, file, sizeof(file), &len) == -1) {
		printf("%s: %s\n", path, strerror(errno));
		return -1;
	}
	if (len == 0) {
		printf("%s: empty\n", path);
		return -1;
	}
	return (long)len;
}

/* CSR or CERTUP: the file, then the request; 1 when not sent. */
static int
upload(struct link *l, enum ca_op op, const char *user)
{
	char path[4096], id[CA_NAME_MAX + 2];
	long len;

	if (cli_prompt("Enter the file name: ", path, sizeof(path)) == NULL)
		return -1;
	if (op == CA_CERTUP &&
	    cli_prompt("Enter the id to store it for: ", id, sizeof(id)) ==
		NULL)
		return -1;
	if ((len = read_try(path)) == -1)
		return 1;
	ca_request(l, op, op == CA_CSR ? user : id, file, (size_t)len);
	return 0;
}

/* One operation chosen at the prompt; 0 done, 1 none, -1 at EOF. */
static int
operation(struct link *l, const char *user)
{
	char op[64], id[CA_NAME_MAX + 2];
	int rv;

	if (cli_prompt("Enter operation type (CSR, CERTUP, CERTREQ): ", op,
		sizeof(op)) == NULL)
		return -1;
	if (op[0] == '\0') /* Enter alone: asked again */
		return 1;
	if (strcasecmp(op, "help") == 0) {
		fputs(ops_help, stdout);
		return 1;
	}
	if (strcasecmp(op, "csr") == 0 || strcasecmp(op, "certup") == 0) {
		rv = upload(
		    l, strcasecmp(op, "csr") == 0 ? CA_CSR : CA_CERTUP, user);
		if (rv != 0)
			return rv;
	} else if (strcasecmp(op, "certreq") == 0) {
		if (cli_prompt("Enter the requested id: ", id, sizeof(id)) ==
		    NULL)
			return -1;
		ca_request(
		    l, CA_CERTREQ, user, (const uint8_t *)id, strlen(id));
	} else {
		printf("unknown operation: %s (type help)\n", op);
		return 1;
	}
	printf("%s%s", (const char *)l->msg,
	    l->len > 0 && l->msg[l->len - 1] == '\n' ? "" : "\n");
	if (ca_is_cert(l) &&
	    ca_save_ask(l, strcasecmp(op, "certreq") == 0 ? id : user) == -1)
		return -1;
	return 0;
}

int
ca_interactive(struct link *l, const struct ca_opts *o)
{
	char user[CA_NAME_MAX + 1] = "", yn[8];
	int rv;

	if (dialog(l, o, user) == -1)
		return 0;
	for (;;) {
		while ((rv = operation(l, user)) == 1)
			;
		if (rv == -1 ||
		    cli_prompt("Terminate connection? (y/n) ", yn,
			sizeof(yn)) == NULL) {
			putchar('\n'); /* ends the prompt's line at EOF */
			break;
		}
		if (strcmp(yn, "y") == 0)
			break;
	}
	if (fflush(stdout) == EOF || ferror(stdout))
		err(2, "stdout");
	return 0;
}
