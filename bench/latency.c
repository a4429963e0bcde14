/*
 * latency.c - times one command run many times, each with a message on
 * standard input, as a mail delivery agent would run a filter.
 *
 *   latency [-n RUNS] [-w WARMUP] [-u] [-v] -i FILE -- COMMAND [ARG...]
 *
 * Each run is posix_spawn (vfork + exec) + wait, timed on the monotonic
 * clock from just before the spawn to just after the wait; its standard input is FILE, its output
 * goes to /dev/null (-v: kept).  With -u each run gets its own copy of FILE
 * whose Message-ID is made unique, written before the clock starts, so a
 * store sees a new message every time (a real delivery) and not the same
 * one again.  WARMUP runs (default 5) come first and are not counted.
 *
 * Prints one line:
 *   latency: runs=N failed=F median_ms=M p99_ms=P mean_ms=A min_ms=L max_ms=H
 *            cpu_median_ms=C cpu_p99_ms=Q
 * where cpu_* is the user+system time of the command (from wait4), which a
 * busy machine disturbs far less than the wall time.
 * and exits 1 when any run, warm-up runs included, failed (non-zero exit
 * or a signal).
 */
#include <errno.h>
#include <fcntl.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/resource.h>
#include <sys/time.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

static double now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static char *read_all(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return NULL;
	size_t cap = 65536, n = 0;
	char *buf = malloc(cap);
	size_t got;
	while (buf && (got = fread(buf + n, 1, cap - n, f)) > 0) {
		n += got;
		if (n == cap) {
			char *nb = realloc(buf, cap *= 2);
			if (!nb)
				free(buf);
			buf = nb;
		}
	}
	fclose(f);
	*len = n;
	return buf;
}

/* Where the Message-ID's value starts (just after '<'), or -1. */
static long find_msgid(const char *data, size_t len)
{
	size_t i = 0;
	while (i < len) {
		if (data[i] == '\n' || (data[i] == '\r' && i + 1 < len && data[i + 1] == '\n'))
			return -1; /* end of the header block */
		if (len - i > 11 && !strncasecmp(data + i, "Message-ID:", 11)) {
			for (size_t k = i + 11; k < len && data[k] != '\n'; k++)
				if (data[k] == '<')
					return (long)k + 1;
			return -1;
		}
		const char *nl = memchr(data + i, '\n', len - i);
		if (!nl)
			return -1;
		i = (size_t)(nl - data) + 1;
	}
	return -1;
}

static int write_fd(int fd, const char *p, size_t n)
{
	while (n) {
		ssize_t w = write(fd, p, n);
		if (w < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

/* A file descriptor to use as the run's standard input. */
static int input_for(int run, const char *path, const char *data, size_t len,
	int unique)
{
	if (!unique)
		return open(path, O_RDONLY);
	const char *tmp = getenv("TMPDIR");
	char name[4096];
	snprintf(name, sizeof name, "%s/latency.XXXXXX", tmp && *tmp ? tmp : "/tmp");
	int fd = mkstemp(name);
	if (fd < 0)
		return -1;
	unlink(name);
	char tag[64];
	int tl = snprintf(tag, sizeof tag, "bench-%d-%ld.", run, (long)getpid());
	long at = find_msgid(data, len);
	int rc;
	if (at >= 0) {
		rc = write_fd(fd, data, (size_t)at) || write_fd(fd, tag, (size_t)tl) ||
			write_fd(fd, data + at, len - (size_t)at);
	} else {
		char hdr[128];
		int hl = snprintf(hdr, sizeof hdr, "Message-ID: <%slatency@example.org>\n", tag);
		rc = write_fd(fd, hdr, (size_t)hl) || write_fd(fd, data, len);
	}
	if (rc || lseek(fd, 0, SEEK_SET) < 0) {
		close(fd);
		return -1;
	}
	return fd;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

/* The median of sorted `v`. */
static double median_of(const double *v, int n)
{
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

static void usage(void)
{
	fprintf(stderr, "usage: latency [-n RUNS] [-w WARMUP] [-u] [-v] -i FILE -- "
		"COMMAND [ARG...]\n");
	exit(2);
}

int main(int argc, char **argv)
{
	int runs = 500, warmup = 5, unique = 0, verbose = 0;
	const char *input = NULL;
	int opt;
	while ((opt = getopt(argc, argv, "+n:w:uvi:")) != -1) {
		switch (opt) {
		case 'n': runs = atoi(optarg); break;
		case 'w': warmup = atoi(optarg); break;
		case 'u': unique = 1; break;
		case 'v': verbose = 1; break;
		case 'i': input = optarg; break;
		default: usage();
		}
	}
	if (!input || optind >= argc || runs < 1 || warmup < 0)
		usage();
	char **cmd = argv + optind;
	size_t len = 0;
	char *data = read_all(input, &len);
	if (!data) {
		fprintf(stderr, "latency: %s: %s\n", input, strerror(errno));
		return 2;
	}
	double *ms = calloc((size_t)runs, sizeof *ms);
	double *cpu = calloc((size_t)runs, sizeof *cpu);
	int devnull = open("/dev/null", O_WRONLY);
	if (!ms || !cpu || devnull < 0)
		return 2;
	int failed = 0, first_status = 0;
	for (int i = -warmup; i < runs; i++) {
		int fd = input_for(i + warmup, input, data, len, unique);
		if (fd < 0) {
			fprintf(stderr, "latency: preparing the input: %s\n", strerror(errno));
			return 2;
		}
		posix_spawn_file_actions_t fa;
		posix_spawn_file_actions_init(&fa);
		posix_spawn_file_actions_adddup2(&fa, fd, 0);
		if (!verbose) {
			posix_spawn_file_actions_adddup2(&fa, devnull, 1);
			posix_spawn_file_actions_adddup2(&fa, devnull, 2);
		}
		pid_t pid;
		double t0 = now_ms();
		int err = posix_spawnp(&pid, cmd[0], &fa, NULL, cmd, environ);
		posix_spawn_file_actions_destroy(&fa);
		if (err) {
			fprintf(stderr, "latency: %s: %s\n", cmd[0], strerror(err));
			return 2;
		}
		int status;
		struct rusage ru;
		while (wait4(pid, &status, 0, &ru) < 0 && errno == EINTR)
			;
		double t1 = now_ms();
		close(fd);
		if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
			if (!failed)
				first_status = status;
			failed++;
		}
		if (i >= 0) {
			ms[i] = t1 - t0;
			cpu[i] = (double)(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1e3 +
				(double)(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e3;
		}
	}
	qsort(ms, (size_t)runs, sizeof *ms, cmp_double);
	qsort(cpu, (size_t)runs, sizeof *cpu, cmp_double);
	double sum = 0;
	for (int i = 0; i < runs; i++)
		sum += ms[i];
	int p99i = (int)((runs * 99 + 99) / 100) - 1; /* ceil(0.99 n) - 1 */
	printf("latency: runs=%d failed=%d median_ms=%.3f p99_ms=%.3f mean_ms=%.3f "
		"min_ms=%.3f max_ms=%.3f cpu_median_ms=%.3f cpu_p99_ms=%.3f\n", runs,
		failed, median_of(ms, runs), ms[p99i], sum / runs, ms[0], ms[runs - 1],
		median_of(cpu, runs), cpu[p99i]);
	if (failed) {
		if (WIFEXITED(first_status))
			fprintf(stderr, "latency: %d runs failed; the first exited with %d\n",
				failed, WEXITSTATUS(first_status));
		else
			fprintf(stderr, "latency: %d runs failed; the first was killed by "
				"signal %d\n", failed, WTERMSIG(first_status));
	}
	free(ms);
	free(cpu);
	free(data);
	return failed ? 1 : 0;
}
