/*
 * pk-cksum: POSIX cksum.  Prints "CRC SIZE NAME" for each file operand, or
 * "CRC SIZE" for stdin when there is none, byte for byte as GNU cksum does
 * by default, streaming each file through lib/crc in large blocks.
 */
#include <err.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "crc.h"
#include "io.h"

#ifndef CKSUM_BLOCK
#define CKSUM_BLOCK (256 * 1024) /* measured: see bench/cksum.sh */
#endif

static _Noreturn void usage(void);
static _Noreturn void help(void);
static int sum_fd(int fd, uint32_t *crc, uint64_t *len);
static int cksum_file(const char *path, int print_name);

/* The one read buffer: memory stays constant whatever the input. */
static _Alignas(64) uint8_t block[CKSUM_BLOCK];

static const char synopsis[] = "usage: pk-cksum [file ...]\n";

/* After getopt's line saying what is wrong: where help is. */
static _Noreturn void
usage(void)
{
	fputs("Try 'pk-cksum --help'\n", stderr);
	exit(2);
}

static _Noreturn void
help(void)
{
	fputs(synopsis, stdout);
	fputs("Print the POSIX CRC and size of each file, as GNU cksum does;\n"
	      "with no file, or when file is -, read standard input.\n"
	      "  -h, --help  print this help and exit\n"
	      "Exit status: 0 ok; 1 a file could not be read (the others are\n"
	      "still summed, as with GNU cksum); 2 usage or output error.\n",
	    stdout);
	if (fflush(stdout) == EOF || ferror(stdout))
		err(2, "stdout");
	exit(0);
}

/* Returns 0 with the CRC and byte count of everything left on fd, or -1. */
static int
sum_fd(int fd, uint32_t *crc, uint64_t *len)
{
	struct crc c;
	ssize_t r;

	(void)posix_fadvise(fd, 0, 0, POSIX_FADV_SEQUENTIAL);
	io_grow_pipe(fd);
	crc_init(&c);
	*len = 0;
	do {
		if ((r = io_readall(fd, block, sizeof(block))) == -1)
			return -1;
		crc_update(&c, block, (size_t)r);
		*len += (uint64_t)r;
	} while ((size_t)r == sizeof(block));
	*crc = crc_final(&c, *len);
	return 0;
}

/* Prints one line for path ("-" is stdin), or warns and returns -1. */
static int
cksum_file(const char *path, int print_name)
{
	uint64_t len;
	uint32_t crc;
	int fd, rv;

	if (strcmp(path, "-") == 0)
		fd = STDIN_FILENO;
	else if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1) {
		warn("%s", path);
		return -1;
	}
	/* A directory opens; its first read fails with EISDIR. */
	if ((rv = sum_fd(fd, &crc, &len)) == -1)
		warn("%s", path);
	if (fd != STDIN_FILENO)
		(void)close(fd);
	if (rv == -1)
		return -1;
	if (print_name)
		printf("%" PRIu32 " %" PRIu64 " %s\n", crc, len, path);
	else
		printf("%" PRIu32 " %" PRIu64 "\n", crc, len);
	return 0;
}

int
main(int argc, char *argv[])
{
	static const struct option longopts[] = {
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	int ch, status = 0;

	while ((ch = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		switch (ch) {
		case 'h':
			help();
		default:
			usage();
		}
	}
	argc -= optind;
	argv += optind;

	if (argc == 0)
		status = cksum_file("-", 0) == -1;
	for (; argc > 0; argc--, argv++)
		if (cksum_file(*argv, 1) == -1)
			status = 1;
	if (fflush(stdout) == EOF || ferror(stdout) || fclose(stdout) == EOF)
		err(2, "stdout");
	return status;
}
