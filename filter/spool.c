/* spool.c - the delivery queue between `kith filter` and the store.
 * GLib and libc only: the delivery fast path links nothing heavier. */
#include <errno.h>
#include <stdio.h>
#include <fcntl.h>
#include <string.h>
#include <poll.h>
#include <sys/file.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <unistd.h>

#include "spool.h"

static kith_status
spool_prepare(const char *spool_dir, char **errstr)
{
	static const char *const subdirs[] = { "tmp", "new", "failed", "meta" };

	for (gsize i = 0; i < G_N_ELEMENTS(subdirs); i++) {
		char *d = g_build_filename(spool_dir, subdirs[i], NULL);
		int rc = g_mkdir_with_parents(d, 0700);

		g_free(d);
		if (rc != 0)
			return kith_fail(errstr, KITH_E_CANTCREAT,
				"cannot create spool %s: %s", spool_dir, g_strerror(errno));
	}
	return KITH_OK;
}

static kith_status
write_all(int fd, const char *data, gsize len)
{
	while (len > 0) {
		ssize_t n = write(fd, data, len);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			return KITH_E_IO;
		}
		data += n;
		len -= (gsize)n;
	}
	return KITH_OK;
}

/* A unique name, maildir style: time.pid_counter_random.host[,S]. */
static char *
spool_name(unsigned flags)
{
	static unsigned counter;
	gint64 now = g_get_real_time();
	char host[64] = "localhost";

	gethostname(host, sizeof host - 1);
	for (char *h = host; *h != '\0'; h++) {
		if (*h == '/' || *h == ':' || *h == ',')
			*h = '_';
	}
	return g_strdup_printf("%" G_GINT64_FORMAT ".%06d.P%dQ%uR%08x.%s%s",
		now / G_USEC_PER_SEC, (int)(now % G_USEC_PER_SEC), (int)getpid(),
		counter++, g_random_int(), host, (flags & SPOOL_SENT) ? ",S" : "");
}

/* Writes `data` to tmp/NAME, flushed, and renames it to SUBDIR/NAME. */
static kith_status
write_file(const char *spool_dir, const char *subdir, const char *name,
	const char *data, gsize len, char **path_out, char **errstr)
{
	char *tmp = NULL, *dst = NULL;
	kith_status status = KITH_OK;
	int fd = -1;

	tmp = g_build_filename(spool_dir, "tmp", name, NULL);
	dst = g_build_filename(spool_dir, subdir, name, NULL);
	fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (fd < 0) {
		status = kith_fail(errstr, KITH_E_CANTCREAT, "cannot create %s: %s",
			tmp, g_strerror(errno));
		goto out;
	}
	/* Written, flushed to disk, then renamed: a crash leaves either no
	 * file in new/ or a whole one. */
	if (write_all(fd, data, len) != KITH_OK || fsync(fd) != 0) {
		status = kith_fail(errstr, KITH_E_IO, "cannot write %s: %s",
			tmp, g_strerror(errno));
		goto out;
	}
	if (close(fd) != 0) {
		fd = -1;
		status = kith_fail(errstr, KITH_E_IO, "cannot write %s: %s",
			tmp, g_strerror(errno));
		goto out;
	}
	fd = -1;
	if (rename(tmp, dst) != 0) {
		status = kith_fail(errstr, KITH_E_IO, "cannot move %s into the spool: %s",
			tmp, g_strerror(errno));
		goto out;
	}
	if (path_out != NULL) {
		*path_out = dst;
		dst = NULL;
	}
out:
	if (fd >= 0)
		close(fd);
	if (status != KITH_OK && tmp != NULL)
		unlink(tmp);
	g_free(tmp);
	g_free(dst);
	return status;
}

kith_status
spool_write_as(const char *spool_dir, const char *data, gsize len, unsigned flags,
	char *const *me, char **path_out, char **errstr)
{
	char *name = NULL, *ids = NULL;
	kith_status status;

	status = spool_prepare(spool_dir, errstr);
	if (status != KITH_OK)
		goto out;
	name = spool_name(flags);
	/* The identities go first: the message must never be visible in
	 * new/ without them. */
	if (me != NULL && me[0] != NULL) {
		char *joined = g_strjoinv("\n", (char **)me);

		ids = g_strconcat(joined, "\n", NULL);
		g_free(joined);
		status = write_file(spool_dir, "meta", name, ids, strlen(ids), NULL, errstr);
		if (status != KITH_OK)
			goto out;
	}
	status = write_file(spool_dir, "new", name, data, len, path_out, errstr);
out:
	g_free(ids);
	g_free(name);
	return status;
}

kith_status
spool_write(const char *spool_dir, const char *data, gsize len, unsigned flags,
	char **path_out, char **errstr)
{
	return spool_write_as(spool_dir, data, len, flags, NULL, path_out, errstr);
}

static char *
meta_path(const char *spool_dir, const char *path)
{
	char *base = g_path_get_basename(path);
	char *meta = g_build_filename(spool_dir, "meta", base, NULL);

	g_free(base);
	return meta;
}

char **
spool_file_identities(const char *spool_dir, const char *path)
{
	char *meta = meta_path(spool_dir, path);
	char *text = NULL;
	char **ids = NULL;

	if (g_file_get_contents(meta, &text, NULL, NULL)) {
		g_strstrip(text);
		if (*text != '\0')
			ids = g_strsplit(text, "\n", -1);
	}
	g_free(text);
	g_free(meta);
	return ids;
}

void
spool_remove(const char *spool_dir, const char *path)
{
	char *meta = meta_path(spool_dir, path);

	unlink(path);
	unlink(meta);
	g_free(meta);
}

/* flock(LOCK_EX | LOCK_NB) on the spool file `name`; its fd or -1. */
static int
lock_file_try(const char *spool_dir, const char *name)
{
	char *path;
	int fd;

	path = g_build_filename(spool_dir, name, NULL);
	fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	if (fd < 0 && errno == ENOENT && spool_prepare(spool_dir, NULL) == KITH_OK)
		fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	g_free(path);
	if (fd < 0)
		return -1;
	if (flock(fd, LOCK_EX | LOCK_NB) != 0) {
		close(fd);
		return -1;
	}
	return fd;
}

int
spool_lock_try(const char *spool_dir)
{
	return lock_file_try(spool_dir, "lock");
}

int
spool_drainer_try(const char *spool_dir)
{
	return lock_file_try(spool_dir, "drainer");
}

int
spool_lock_wait(const char *spool_dir, int timeout_ms)
{
	gint64 deadline = g_get_monotonic_time() + (gint64)timeout_ms * 1000;
	int fd;

	/* Polled rather than a blocking flock, so the wait is bounded. */
	while ((fd = spool_lock_try(spool_dir)) < 0) {
		if (g_get_monotonic_time() >= deadline)
			return -1;
		g_usleep(5000);
	}
	return fd;
}

void
spool_unlock(int lock_fd)
{
	if (lock_fd >= 0)
		close(lock_fd);   /* closing releases the flock */
}

static gint
compare_paths(gconstpointer a, gconstpointer b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

GPtrArray *
spool_list(const char *spool_dir)
{
	GPtrArray *out = g_ptr_array_new_with_free_func(g_free);
	char *dir = g_build_filename(spool_dir, "new", NULL);
	GDir *d = g_dir_open(dir, 0, NULL);
	const char *name;

	while (d != NULL && (name = g_dir_read_name(d)) != NULL) {
		if (name[0] != '.')
			g_ptr_array_add(out, g_build_filename(dir, name, NULL));
	}
	if (d != NULL)
		g_dir_close(d);
	g_free(dir);
	/* Names start with the time: sorted is oldest first. */
	g_ptr_array_sort(out, compare_paths);
	return out;
}

unsigned
spool_file_flags(const char *path)
{
	return g_str_has_suffix(path, ",S") ? SPOOL_SENT : 0;
}

kith_status
spool_set_aside(const char *spool_dir, const char *path, char **errstr)
{
	char *base = g_path_get_basename(path);
	char *dst = g_build_filename(spool_dir, "failed", base, NULL);
	kith_status status = KITH_OK;

	if (rename(path, dst) != 0) {
		status = kith_fail(errstr, KITH_E_IO, "cannot move %s to %s: %s",
			path, dst, g_strerror(errno));
	} else {
		char *meta = meta_path(spool_dir, path);

		unlink(meta);
		g_free(meta);
	}
	g_free(base);
	g_free(dst);
	return status;
}

/* --- waiting for deliveries ------------------------------------------------ */

struct spool_watch {
	char *spool_dir;
	char *new_dir;
	int fd;            /* inotify on new/, or -1: poll the directory */
	guint seen;        /* polling: files in new/ at the last look */
};

spool_watch *
spool_watch_new(const char *spool_dir)
{
	spool_watch *w = g_new0(spool_watch, 1);

	w->spool_dir = g_strdup(spool_dir);
	w->new_dir = g_build_filename(spool_dir, "new", NULL);
	w->fd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
	if (w->fd >= 0 && inotify_add_watch(w->fd, w->new_dir,
			IN_MOVED_TO | IN_CLOSE_WRITE | IN_DELETE_SELF | IN_MOVE_SELF) < 0) {
		close(w->fd);
		w->fd = -1;
	}
	return w;
}

/* Reads and discards the queued events; FALSE when new/ itself went. */
static gboolean
watch_consume(spool_watch *w)
{
	char buf[4096] __attribute__((aligned(__alignof__(struct inotify_event))));
	gboolean alive = TRUE;
	ssize_t n;

	while ((n = read(w->fd, buf, sizeof buf)) > 0) {
		for (char *p = buf; p < buf + n;) {
			const struct inotify_event *ev = (const struct inotify_event *)p;

			if (ev->mask & (IN_DELETE_SELF | IN_MOVE_SELF | IN_IGNORED))
				alive = FALSE;
			p += sizeof *ev + ev->len;
		}
	}
	return alive;
}

static guint
spool_count(const char *spool_dir)
{
	GPtrArray *files = spool_list(spool_dir);
	guint n = files->len;

	g_ptr_array_unref(files);
	return n;
}

gboolean
spool_watch_wait(spool_watch *w, int timeout_ms)
{
	gint64 deadline = g_get_monotonic_time() + (gint64)timeout_ms * 1000;

	if (w->fd >= 0) {
		struct pollfd pfd = { .fd = w->fd, .events = POLLIN };

		for (;;) {
			gint64 left = (deadline - g_get_monotonic_time()) / 1000;
			int rc = poll(&pfd, 1, left > 0 ? (int)left : 0);

			if (rc > 0)
				return watch_consume(w) &&
					g_file_test(w->new_dir, G_FILE_TEST_IS_DIR);
			if (rc == 0 || errno != EINTR)
				return FALSE;
		}
	}
	/* No inotify: look every 50 ms for a change in the number of files. */
	for (;;) {
		guint n;

		if (!g_file_test(w->new_dir, G_FILE_TEST_IS_DIR))
			return FALSE;
		n = spool_count(w->spool_dir);
		if (n > 0 && n != w->seen) {
			w->seen = n;
			return TRUE;
		}
		w->seen = n;
		if (g_get_monotonic_time() >= deadline)
			return FALSE;
		g_usleep(50 * 1000);
	}
}

void
spool_watch_free(spool_watch *w)
{
	if (w == NULL)
		return;
	if (w->fd >= 0)
		close(w->fd);
	g_free(w->spool_dir);
	g_free(w->new_dir);
	g_free(w);
}
