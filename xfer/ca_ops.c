/*
 * ca_ops: the requests after `Welcome` (CSR, CERTUP, CERTREQ) as step
 * subcommands, and the original's interactive client: the server's
 * prompts answered from stdin (passwords from the terminal with echo off,
 * or a --pass-* source), then operations chosen at a prompt until
 * "Terminate connection? (y/n)" is answered y.
 */
#include <err.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "ca_client.h"
#include "io.h"
#include "xfer.h"

static uint8_t req[CA_FRAME_MAX];
static uint8_t file[X509_PEM_MAX];

void
ca_request(struct ca_link *l, enum ca_op op, const char *name,
    const uint8_t *body, size_t len)
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
ca_csr(struct ca_link *l, const struct ca_opts *o)
{
	size_t len = read_input(o->in);

	ca_request(l, CA_CSR, o->user, file, len);
	if (!ca_is_cert(l))
		errx(1, "%s: CSR: \"%.80s\"", l->name, (const char *)l->msg);
	out_write(o->out, l->msg, l->len);
	return 0;
}

int
ca_certup(struct ca_link *l, const struct ca_opts *o)
{
	size_t len = read_input(o->in);
	const char *name = o->as != NULL ? o->as : o->user;

	ca_request(l, CA_CERTUP, name, file, len);
	if (!ca_is(l, CA_ACK))
		errx(1, "%s: CERTUP: \"%.80s\"", l->name, (const char *)l->msg);
	fprintf(stderr, "%s: stored for %s\n", CA_ACK, name);
	return 0;
}

int
ca_certreq(struct ca_link *l, const struct ca_opts *o, const char *id)
{
	ca_request(l, CA_CERTREQ, o->user, (const uint8_t *)id, strlen(id));
	if (ca_is_cert(l)) {
		out_write(o->out, l->msg, l->len);
		return 0;
	}
	warnx("%s: %s", l->name, (const char *)l->msg);
	return 1;
}

/* A password prompt: the --pass-* source, the terminal, or a line. */
static int
answer_password(struct ca_link *l, const struct ca_opts *o)
{
	struct secret_src none = SECRET_SRC_INIT;
	uint8_t pass[CA_PASS_MAX + 2];
	size_t len;
	int fixed =
	    o->pass.file != NULL || o->pass.fd != -1 || o->pass.env != NULL;

	if (fixed && ca_is(l, CA_BAD_PASS))
		errx(1, "%s: %s", l->name, CA_BAD_PASS);
	if (fixed || isatty(STDIN_FILENO))
		len = ca_password(fixed ? &o->pass : &none,
		    "Password:", "the password", pass, CA_PASS_MAX);
	else if (cli_prompt(NULL, (char *)pass, sizeof(pass)) == NULL)
		return -1;
	else
		len = strlen((char *)pass);
	ca_write(l, pass, len);
	secret_wipe(pass, sizeof(pass));
	return 0;
}

/* The sign-in dialog as the server leads it; 0 at Welcome, -1 at EOF. */
static int
dialog(struct ca_link *l, const struct ca_opts *o, char *user)
{
	char line[CA_NAME_MAX + 2];

	while (ca_next(l)) {
		printf("%s\n", (const char *)l->msg);
		if (ca_is(l, CA_WELCOME))
			return 0;
		if (ca_is(l, CA_NAME_BAD) || ca_is(l, CA_NAME_TAKEN))
			continue;
		if (ca_is(l, CA_ASK_PASS) || ca_is(l, CA_BAD_PASS) ||
		    ca_is(l, CA_CHOOSE_PASS)) {
			if (answer_password(l, o) == -1)
				return -1;
			continue;
		}
		if (cli_prompt(NULL, line, sizeof(line)) == NULL)
			return -1;
		if ((ca_is(l, CA_ASK_USER) || ca_is(l, CA_CHOOSE_USER)) &&
		    strlen(line) <= CA_NAME_MAX)
			memcpy(user, line, strlen(line) + 1);
		ca_says(l, line);
	}
	return -1;
}

/* One operation chosen at the prompt; 0 done, -1 at EOF. */
static int
operation(struct ca_link *l, const char *user)
{
	char op[16], path[4096], id[CA_NAME_MAX + 2];
	size_t len;

	if (cli_prompt("Enter operation type (CSR, CERTUP, CERTREQ): ", op,
		sizeof(op)) == NULL)
		return -1;
	if (strcasecmp(op, "csr") == 0 || strcasecmp(op, "certup") == 0) {
		if (cli_prompt("Enter the file name: ", path, sizeof(path)) ==
		    NULL)
			return -1;
		if (strcasecmp(op, "certup") == 0 &&
		    cli_prompt("Enter the id to store it for: ", id,
			sizeof(id)) == NULL)
			return -1;
		len = read_input(path);
		ca_request(l, strcasecmp(op, "csr") == 0 ? CA_CSR : CA_CERTUP,
		    strcasecmp(op, "csr") == 0 ? user : id, file, len);
	} else if (strcasecmp(op, "certreq") == 0) {
		if (cli_prompt("Enter the requested id: ", id, sizeof(id)) ==
		    NULL)
			return -1;
		ca_request(
		    l, CA_CERTREQ, user, (const uint8_t *)id, strlen(id));
	} else {
		printf("unknown operation: %s\n", op);
		return 0;
	}
	printf("%s%s", (const char *)l->msg,
	    l->len > 0 && l->msg[l->len - 1] == '\n' ? "" : "\n");
	return 0;
}

int
ca_interactive(struct ca_link *l, const struct ca_opts *o)
{
	char user[CA_NAME_MAX + 1] = "", yn[8];

	if (dialog(l, o, user) == -1)
		return 0;
	for (;;) {
		if (operation(l, user) == -1 ||
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
