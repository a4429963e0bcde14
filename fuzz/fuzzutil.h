/*
 * fuzzutil.h - what the libFuzzer harnesses share: quiet logging, the
 * shipped rules directory, and handing bytes to parsers that read files.
 */
#ifndef KITH_FUZZUTIL_H
#define KITH_FUZZUTIL_H

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <glib.h>

#include "log.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static inline void
fuzz_die(const char *what, const char *err)
{
	fprintf(stderr, "fuzz: %s: %s\n", what, err != NULL ? err : "failed");
	abort();   /* libFuzzer keeps the input as a crash */
}

/* Parsers warn about bad input on stderr: keep only errors (still formatted,
 * so the logger is exercised too). */
static inline void
fuzz_quiet(void)
{
	if (getenv("FUZZ_VERBOSE") == NULL)
		log_set_verbosity(-1);
}

/* $KITH_RULES_DIR, else rules/ of the tree the fuzzer is run from. */
static inline const char *
fuzz_rules_dir(void)
{
	const char *dir = getenv("KITH_RULES_DIR");

	return dir != NULL ? dir : "rules";
}

/*
 * A file holding `data`, for parsers that take a path: an anonymous
 * memory file (no disk traffic), mode 0600, named by /proc/self/fd.
 * Returns the fd (the caller closes it) and sets *path (static buffer).
 */
static inline int
fuzz_memfile(const uint8_t *data, size_t size, const char **path)
{
	static char buf[64];
	int fd = memfd_create("fuzz-input", MFD_CLOEXEC);
	size_t off = 0;

	if (fd < 0)
		fuzz_die("memfd_create", strerror(errno));
	if (fchmod(fd, 0600) != 0)
		fuzz_die("fchmod", strerror(errno));
	while (off < size) {
		ssize_t n = write(fd, data + off, size - off);

		if (n < 0)
			fuzz_die("write", strerror(errno));
		off += (size_t)n;
	}
	snprintf(buf, sizeof buf, "/proc/self/fd/%d", fd);
	*path = buf;
	return fd;
}

#endif
