/*
 * known: the --at offset --want text [known-plaintext] of the attacks
 * that turn a known plaintext into pk-mitm rules.
 */
#include <err.h>
#include <string.h>

#include "attack.h"
#include "num.h"

int
known_option(struct attack_known *k, int ch, const char *arg)
{
	const char *errstr;

	if (ch == 'w')
		k->want = arg;
	else if (ch == 'a') {
		k->at = (size_t)num_parse(arg, 0, (long long)k->max, &errstr);
		if (errstr != NULL)
			errx(2, "--at: %s is %s", arg, errstr);
		k->have_at = 1;
	} else
		return 0;
	return 1;
}

void
known_read(struct attack_known *k, int argc, char *argv[])
{
	if (k->want == NULL || !k->have_at || argc > 1)
		attack_usage();
	k->known = attack_slurp(argc ? argv[0] : "-", k->max, &k->len);
	k->n = strlen(k->want);
	if (k->n == 0 || k->n > k->wmax)
		errx(2, "--want: %zu bytes: give 1 to %zu", k->n, k->wmax);
	if (k->at + k->n > k->len)
		errx(2,
		    "--at %zu --want of %zu bytes: past the end of the "
		    "known plaintext (%zu bytes)",
		    k->at, k->n, k->len);
}
