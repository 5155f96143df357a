/*
 * record: --record FILE, the raw capture: one line per frame as pk-mitm
 * received it, before any rule, for replay and offline attacks:
 * "CONN FRAME DIR STEP HEX" (DIR c2s or s2c; `xxd -r -p` turns HEX back
 * into the frame's bytes).
 */
#include <stdio.h>

#include "mitm.h"

void
record_frame(struct mitm *m, const struct mitm_frame *f)
{
	size_t i;

	if (m->record == NULL)
		return;
	fprintf(m->record, "%lld %lld %s %s ", f->conn, f->number,
	    f->c2s ? "c2s" : "s2c", f->tf->step);
	for (i = 0; i < f->tf->len; i++)
		fprintf(m->record, "%02x", f->buf[i]);
	fputc('\n', m->record);
	fflush(m->record);
}
