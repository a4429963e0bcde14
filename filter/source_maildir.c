/*
 * source_maildir.c - Maildir and Maildir++ folders.  Files are read, never
 * renamed or flagged.  A file is known by the unique part of its name (the
 * part before ':'), which a mail client keeps when it moves the file from
 * new/ to cur/ or changes its flags, so a rescan of an unchanged maildir
 * reads directories only.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "log.h"
#include "message.h"
#include "source.h"
#include "store.h"

typedef struct {
	char *path;      /* the file */
	char *key;       /* the unique part of its name */
	char *folder;    /* "INBOX", "Sent", ... */
	unsigned flags;  /* INGEST_SENT for Sent folders */
	guint64 time;    /* the delivery time its name starts with, or 0 */
	const char *name;  /* its name, into `path` */
} maildir_file;

static void
maildir_file_free(gpointer p)
{
	maildir_file *f = p;

	g_free(f->path);
	g_free(f->key);
	g_free(f->folder);
	g_free(f);
}

/* Folder names that hold my own sent mail. */
static gboolean
folder_is_sent(const char *folder)
{
	static const char *const names[] = {
		"sent", "sent items", "sent messages", "sent mail", "[gmail].sent mail",
		"inbox.sent", "gesendet", "envoyés", "enviados", NULL,
	};
	char *lower = g_utf8_strdown(folder, -1);
	gboolean sent = FALSE;

	for (const char *const *n = names; *n != NULL && !sent; n++)
		sent = strcmp(lower, *n) == 0;
	g_free(lower);
	return sent;
}

/* Lists the unseen files of one Maildir folder's cur/ and new/. */
static void
list_folder(const char *dir, const char *folder, GHashTable *seen, GPtrArray *out)
{
	static const char *const subs[] = { "new", "cur" };
	unsigned flags = folder_is_sent(folder) ? INGEST_SENT : 0;

	for (gsize s = 0; s < G_N_ELEMENTS(subs); s++) {
		char *sub = g_build_filename(dir, subs[s], NULL);
		GDir *d = g_dir_open(sub, 0, NULL);
		const char *name;

		while (d != NULL && (name = g_dir_read_name(d)) != NULL) {
			const char *colon = strchr(name, ':');
			char *key;
			maildir_file *f;

			if (name[0] == '.')
				continue;
			key = colon != NULL ? g_strndup(name, (gsize)(colon - name)) :
				g_strdup(name);
			if (g_hash_table_contains(seen, key)) {
				g_free(key);
				continue;
			}
			f = g_new0(maildir_file, 1);
			f->path = g_build_filename(sub, name, NULL);
			f->name = strrchr(f->path, '/') + 1;
			/* read once here: the sort compares each file many times */
			f->time = g_ascii_strtoull(name, NULL, 10);
			f->key = key;
			f->folder = g_strdup(folder);
			f->flags = flags;
			g_ptr_array_add(out, f);
		}
		if (d != NULL)
			g_dir_close(d);
		g_free(sub);
	}
}

/* The Maildir++ subfolders: ".Name" directories with a cur/. */
static void
list_maildir(const char *root, GHashTable *seen, GPtrArray *out)
{
	GDir *d = g_dir_open(root, 0, NULL);
	const char *name;

	list_folder(root, "INBOX", seen, out);
	while (d != NULL && (name = g_dir_read_name(d)) != NULL) {
		char *sub, *cur;

		if (name[0] != '.' || strcmp(name, ".") == 0 || strcmp(name, "..") == 0)
			continue;
		sub = g_build_filename(root, name, NULL);
		cur = g_build_filename(sub, "cur", NULL);
		if (g_file_test(cur, G_FILE_TEST_IS_DIR))
			list_folder(sub, name + 1, seen, out);
		g_free(cur);
		g_free(sub);
	}
	if (d != NULL)
		g_dir_close(d);
}

/* Maildir names start with the delivery time: in that order a reply comes
 * after what it answers, across folders too. */
static gint
compare_delivery(gconstpointer a, gconstpointer b)
{
	const maildir_file *fa = *(maildir_file *const *)a;
	const maildir_file *fb = *(maildir_file *const *)b;

	if (fa->time != fb->time)
		return fa->time < fb->time ? -1 : 1;
	return strcmp(fa->name, fb->name);
}

/*
 * Reading and parsing run ahead of recording, in worker threads (the
 * pipeline of source.h): they need no store, and they are most of the
 * work.  Results are recorded in delivery order by the scanning thread,
 * PREPARE_AHEAD files at most being in flight, and SOURCE_PIPE_BYTES
 * (which bound memory).  Enough of them to keep the workers busy while
 * the recording thread commits a batch (tens of milliseconds of writes
 * and syncs): with 32 they stood still for each commit.
 */
#define PREPARE_AHEAD 512

typedef struct {
	const maildir_file *file;
	ingest_prepared prep;
	gboolean vanished;   /* moved or deleted since it was listed */
} slot;

/*
 * A file is read into a buffer that goes back to the pipeline once the
 * message is prepared (ingest_prepare keeps nothing of it), for the next
 * file: the largest blocks a scan needs are then a few buffers that
 * grow to the largest file, rather than one fresh block per file, which
 * the allocator spreads over more memory (peak RSS of the bench scan: 44
 * MB with a block per file, 41 MB so).  Buffers over READ_BUFFER_KEEP
 * are not kept.
 */
#define READ_BUFFER_KEEP (4 * 1024 * 1024)
/* A GByteArray holds under 4 GiB; no mail comes near. */
#define READ_FILE_MAX (G_MAXUINT / 2)

typedef struct {
	const kith_ingest *ing;
	slot *slots;
	GMutex lock;
	GPtrArray *buffers;  /* GByteArray*, idle (owned) */
} pipeline;

static GByteArray *
buffer_take(pipeline *pl)
{
	GByteArray *buf = NULL;

	g_mutex_lock(&pl->lock);
	if (pl->buffers->len > 0)
		buf = g_ptr_array_steal_index_fast(pl->buffers, pl->buffers->len - 1);
	g_mutex_unlock(&pl->lock);
	return buf != NULL ? buf : g_byte_array_new();
}

static void
buffer_give(pipeline *pl, GByteArray *buf)
{
	if (buf->len > READ_BUFFER_KEEP) {
		g_byte_array_unref(buf);
		return;
	}
	g_mutex_lock(&pl->lock);
	g_ptr_array_add(pl->buffers, buf);
	g_mutex_unlock(&pl->lock);
}

/* Reads the file at `path` into `buf` (its bytes, then a NUL not counted
 * in buf->len).  FALSE with errno set when it cannot be read. */
static gboolean
read_file(const char *path, GByteArray *buf)
{
	struct stat sb;
	gsize have = 0;
	gboolean ok = FALSE;
	int fd = open(path, O_RDONLY | O_CLOEXEC), saved;

	if (fd < 0)
		return FALSE;
	if (fstat(fd, &sb) < 0)
		goto out;
	/* the file may grow while it is read: room for a byte more than its
	 * size tells when it did */
	if ((guint64)sb.st_size >= READ_FILE_MAX) {
		errno = EFBIG;
		goto out;
	}
	g_byte_array_set_size(buf, (guint)sb.st_size + 1);
	for (;;) {
		ssize_t n;

		if (have == buf->len && buf->len >= READ_FILE_MAX / 2) {
			errno = EFBIG;
			goto out;
		}
		if (have == buf->len)
			g_byte_array_set_size(buf, buf->len + MAX(buf->len, 4096u));
		n = read(fd, buf->data + have, buf->len - have);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			goto out;
		if (n == 0)
			break;
		have += (gsize)n;
	}
	g_byte_array_set_size(buf, have + 1);
	buf->data[have] = '\0';
	g_byte_array_set_size(buf, have);
	ok = TRUE;
out:
	saved = errno;
	close(fd);
	errno = saved;
	return ok;
}

static gsize
prepare_file(guint i, gpointer data)
{
	pipeline *pl = data;
	slot *sl = &pl->slots[i];
	GByteArray *buf = buffer_take(pl);

	if (read_file(sl->file->path, buf)) {
		ingest_prepare(pl->ing, (const char *)buf->data, buf->len, 0, &sl->prep);
	} else {
		if (errno != ENOENT)
			log_warn("%s: %s", sl->file->path, g_strerror(errno));
		sl->vanished = TRUE;
	}
	buffer_give(pl, buf);
	return ingest_prepared_bytes(&sl->prep);
}

static void
release_file(guint i, gpointer data)
{
	pipeline *pl = data;

	ingest_prepared_clear(&pl->slots[i].prep);
}

/* Records one prepared file: a vanished file waits for the next scan, an
 * unparseable one is logged and marked seen. */
static kith_status
record_file(kith_ingest *ing, const char *source, slot *sl, char **errstr)
{
	char *err = NULL;
	kith_status status;

	if (sl->vanished)
		return KITH_OK;
	status = ingest_record(ing, &sl->prep, sl->file->flags, &err);
	if (status == KITH_E_DATA) {
		log_warn("%s: %s; skipped", sl->file->path, err);
		status = KITH_OK;
	} else if (status != KITH_OK) {
		status = kith_fail(errstr, status, "%s", err);
		goto out;
	}
	status = store_mark_file_seen(ingest_store(ing), source, sl->file->key, errstr);
out:
	g_free(err);
	return status;
}

static kith_status
scan_files(kith_ingest *ing, const char *source, GPtrArray *files, char **errstr)
{
	pipeline pl = { .ing = ing, .slots = g_new0(slot, MAX(files->len, 1)),
		.buffers = g_ptr_array_new_with_free_func((GDestroyNotify)g_byte_array_unref) };
	source_batch batch = { 0, 0 };
	source_pipe *pipe;
	kith_status status = KITH_OK;

	g_mutex_init(&pl.lock);
	for (guint i = 0; i < files->len; i++)
		pl.slots[i].file = g_ptr_array_index(files, i);
	pipe = source_pipe_new(files->len, PREPARE_AHEAD, prepare_file, release_file, &pl);
	for (guint i = 0; i < files->len && status == KITH_OK; i++) {
		source_pipe_take(pipe, i);
		status = record_file(ing, source, &pl.slots[i], errstr);
		source_pipe_done(pipe, i);
		source_progress(pl.slots[i].file->folder, i + 1, files->len);
		/* State and messages commit together, a batch at a time, and
		 * at once when asked to stop. */
		if (status == KITH_OK && (source_batch_due(&batch, 1) || source_stop_requested())) {
			status = ingest_commit(ing, errstr);
			source_batch_committed(&batch);
			if (status == KITH_OK && source_stop_requested())
				status = KITH_E_INTERRUPTED;
		}
	}
	source_pipe_free(pipe);
	if (status == KITH_OK)
		status = ingest_commit(ing, errstr);
	g_free(pl.slots);
	g_ptr_array_unref(pl.buffers);
	g_mutex_clear(&pl.lock);
	return status;
}

static kith_status
maildir_scan(const kith_account *acct, kith_ingest *ing, char **errstr)
{
	kith_store *store = ingest_store(ing);
	char *root = NULL, *source = NULL, *cur = NULL;
	GHashTable *seen = NULL;
	GPtrArray *files = g_ptr_array_new_with_free_func(maildir_file_free);
	kith_status status = KITH_OK;

	cur = g_build_filename(acct->path, "cur", NULL);
	if (!g_file_test(cur, G_FILE_TEST_IS_DIR)) {
		status = kith_fail(errstr, KITH_E_NOINPUT, "%s: not a maildir (no cur/)",
			acct->path);
		goto out;
	}
	root = realpath(acct->path, NULL);
	source = g_strconcat("maildir:", root != NULL ? root : acct->path, NULL);
	seen = store_seen_files(store, source);
	list_maildir(acct->path, seen, files);
	g_ptr_array_sort(files, compare_delivery);
	/* the rules may have loaded while the files were listed */
	status = ingest_rules_ready(ing, errstr);
	if (status == KITH_OK)
		status = scan_files(ing, source, files, errstr);
out:
	if (status != KITH_OK && status != KITH_E_INTERRUPTED)
		ingest_rollback(ing);
	source_progress_end();
	if (seen != NULL)
		g_hash_table_destroy(seen);
	g_ptr_array_unref(files);
	free(root);
	g_free(source);
	g_free(cur);
	return status;
}

const source_ops source_maildir_ops = { "maildir", maildir_scan };
