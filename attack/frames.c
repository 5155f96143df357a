/*
 * frames: not an attack but what every capture-based attack starts with:
 * the frames of a --trace-json capture as the attacks read them, one line
 * each (index, direction, protocol, step, bytes rebuilt from the fields,
 * who), and with -x the frame's bytes in hex.
 */
#include <err.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>

#include "attack.h"
#include "hex.h"

static void
print(const struct capture_frame *fr, size_t i, int dump)
{
	char *hex;

	printf("%zu %s %s %s %zu%s%s\n", i,
	    fr->dir == TRACE_SENT ? "sent" : "received", fr->proto, fr->step,
	    fr->len, *fr->who ? " " : "", fr->who);
	if (!dump)
		return;
	if ((hex = malloc(2 * fr->len + 1)) == NULL)
		err(2, NULL);
	hex_encode(fr->buf, fr->len, hex);
	printf("%s\n", hex);
	free(hex);
}

static int
frames_main(int argc, char *argv[])
{
	struct capture c;
	size_t i;
	int ch, dump = 0;

	while ((ch = attack_getopt(argc, argv, "x", NULL)) != -1)
		if (ch == 'x')
			dump = 1;
	argc -= optind;
	argv += optind;
	if (argc > 1 || attack_out != NULL)
		attack_usage();
	capture_read(&c, argc ? argv[0] : "-");
	for (i = 0; i < c.n; i++)
		print(&c.fr[i], i, dump);
	attack_progress("%zu frames", c.n);
	capture_free(&c);
	if (fflush(stdout) == EOF || ferror(stdout))
		err(2, "stdout");
	return 0;
}

const struct attack attack_frames = {
    "frames",
    "[-x] [capture.json]",
    "no attack: a capture's frames as the attacks read them",
    "  -x                 each frame's bytes in hex, rebuilt from its"
    " fields\n"
    "  capture.json       a --trace-json file (default: stdin)\n",
    frames_main,
};
