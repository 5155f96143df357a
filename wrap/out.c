/*
 * out: pk-wrap's one output, a block or a signature, written whole to
 * stdout, which is then closed so that an error the kernel reports late
 * (a full disk, NFS) still fails the run.
 */
#include <unistd.h>

#include "io.h"
#include "wrap.h"

int
write_out(const uint8_t *buf, size_t n)
{
	if (io_writeall(STDOUT_FILENO, buf, n) != (ssize_t)n ||
	    close(STDOUT_FILENO) == -1)
		return -1;
	return 0;
}
