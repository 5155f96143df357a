/*
 * ca_save: where a certificate from the CA goes, as the original filed
 * each one under its id (`<id>.sig`): `<CN>.crt`, the name the CA issued
 * it for, unless a name is given (-o, or typed at the prompt).  A default
 * or typed name never replaces a file; -o does, as everywhere in pk-xfer.
 */
#include <sys/stat.h>

#include <err.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>

#include "ca.h"
#include "cli.h"
#include "files.h"

/* <CN>.crt of the PEM certificate in l->msg, else <fallback>.crt. */
static void
default_name(
    const struct link *l, const char *fallback, char *name, size_t size)
{
	static uint8_t der[X509_DER_MAX];
	struct x509_cert c;
	const char *id = fallback;
	size_t len;
	int parsed = 0;

	if (x509_der_from_text(l->msg, l->len, 0, der, sizeof(der), &len) ==
		X509_OK &&
	    (parsed = 1, x509_cert_parse(&c, der, len) == X509_OK) &&
	    x509_cn_safe(c.subject.cn))
		id = c.subject.cn;
	snprintf(name, size, "%s.crt", id);
	if (parsed)
		x509_cert_clear(&c);
}

/* 0 when path does not exist yet; else says why not (-1). */
static int
fresh(const char *path)
{
	struct stat st;

	if (lstat(path, &st) == 0)
		printf("%s already exists: not replaced\n", path);
	else if (errno != ENOENT)
		printf("%s: %s\n", path, strerror(errno));
	else
		return 0;
	return -1;
}

int
ca_is_cert(const struct link *l)
{
	static const char begin[] = "-----BEGIN CERTIFICATE-----";

	return l->len >= sizeof(begin) - 1 &&
	    memcmp(l->msg, begin, sizeof(begin) - 1) == 0;
}

int
ca_save_cert(const struct link *l, const char *out, const char *id)
{
	char name[CA_NAME_MAX + 8];

	if (out != NULL) {
		out_write(out, l->msg, l->len);
		return 0;
	}
	default_name(l, id, name, sizeof(name));
	if (fresh(name) == -1)
		errx(2, "%s exists: give -o file (- is stdout)", name);
	out_write(name, l->msg, l->len);
	fprintf(stderr, "certificate saved as %s\n", name);
	return 0;
}

int
ca_save_ask(const struct link *l, const char *id)
{
	char def[CA_NAME_MAX + 8], prompt[CA_NAME_MAX + 64], name[PATH_MAX];

	default_name(l, id, def, sizeof(def));
	snprintf(prompt, sizeof(prompt),
	    "Save the certificate as (Enter for %s): ", def);
	for (;;) {
		if (cli_prompt(prompt, name, sizeof(name)) == NULL)
			return -1;
		if (*name == '\0')
			snprintf(name, sizeof(name), "%s", def);
		if (fresh(name) == 0)
			break;
	}
	out_write(name, l->msg, l->len);
	printf("certificate saved as %s\n", name);
	return 0;
}
