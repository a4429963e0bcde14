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

/* A folder's cur/ or new/. */
typedef struct {
	char *path;      /* the directory */
	char *folder;    /* "INBOX", "Sent", ... */
	unsigned flags;  /* INGEST_SENT for Sent folders */
} maildir_dir;

static void
maildir_dir_free(gpointer p)
{
	maildir_dir *d = p;

	g_free(d->path);
	g_free(d->folder);
	g_free(d);
}

/*
 * The unseen files of a maildir.  The listing is held whole, to be sorted
 * by delivery, so a file is 16 bytes and its name: a first scan of a
 * mailbox of a million messages holds a hundred megabytes of it, where a
 * path, key and folder string apiece took three times that.
 */
typedef struct {
	guint64 time;    /* the delivery time its name starts with, or 0 */
	guint32 name;    /* offset of its name in the listing's names */
	guint32 dir;     /* index of its directory in the listing's dirs */
} maildir_file;

typedef struct {
	GArray *files;    /* maildir_file */
	GString *names;   /* the files' names, each ending in a NUL */
	GPtrArray *dirs;  /* maildir_dir* (owned) */
} maildir_listing;

/* Names past this much are left for the next scan (offsets are 32 bits). */
#define LISTING_NAMES_MAX (G_MAXUINT32 - 65536)

static void
listing_init(maildir_listing *l)
{
	l->files = g_array_new(FALSE, FALSE, sizeof(maildir_file));
	l->names = g_string_new(NULL);
	l->dirs = g_ptr_array_new_with_free_func(maildir_dir_free);
}

static void
listing_clear(maildir_listing *l)
{
	g_array_unref(l->files);
	g_string_free(l->names, TRUE);
	g_ptr_array_unref(l->dirs);
}

static const char *
file_name(const maildir_listing *l, const maildir_file *f)
{
	return l->names->str + f->name;
}

static const maildir_dir *
file_dir(const maildir_listing *l, const maildir_file *f)
{
	return g_ptr_array_index(l->dirs, f->dir);
}

/* The file's path (new string). */
static char *
file_path(const maildir_listing *l, const maildir_file *f)
{
	return g_build_filename(file_dir(l, f)->path, file_name(l, f), NULL);
}

/* The unique part of a file's name, before ':' (new string). */
static char *
name_key(const char *name)
{
	const char *colon = strchr(name, ':');

	return colon != NULL ? g_strndup(name, (gsize)(colon - name)) : g_strdup(name);
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
list_folder(const char *dir, const char *folder, GHashTable *seen, maildir_listing *l)
{
	static const char *const subs[] = { "new", "cur" };
	unsigned flags = folder_is_sent(folder) ? INGEST_SENT : 0;

	for (gsize s = 0; s < G_N_ELEMENTS(subs); s++) {
		maildir_dir *md = g_new0(maildir_dir, 1);
		GDir *d;
		const char *name;

		md->path = g_build_filename(dir, subs[s], NULL);
		md->folder = g_strdup(folder);
		md->flags = flags;
		g_ptr_array_add(l->dirs, md);
		d = g_dir_open(md->path, 0, NULL);
		while (d != NULL && (name = g_dir_read_name(d)) != NULL) {
			maildir_file f;
			char *key;

			if (name[0] == '.')
				continue;
			if (l->names->len > LISTING_NAMES_MAX) {
				log_warn("%s: too many files for one scan; the rest are read by the next",
					md->path);
				break;
			}
			key = name_key(name);
			if (g_hash_table_contains(seen, key)) {
				g_free(key);
				continue;
			}
			g_free(key);
			/* read once here: the sort compares each file many times */
			f.time = g_ascii_strtoull(name, NULL, 10);
			f.name = (guint32)l->names->len;
			f.dir = l->dirs->len - 1;
			g_string_append_len(l->names, name, (gssize)strlen(name) + 1);
			g_array_append_val(l->files, f);
		}
		if (d != NULL)
			g_dir_close(d);
	}
}

/* The Maildir++ subfolders: ".Name" directories with a cur/. */
static void
list_maildir(const char *root, GHashTable *seen, maildir_listing *out)
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
compare_delivery(gconstpointer a, gconstpointer b, gpointer data)
{
	const maildir_file *fa = a, *fb = b;
	const maildir_listing *l = data;

	if (fa->time != fb->time)
		return fa->time < fb->time ? -1 : 1;
	return strcmp(file_name(l, fa), file_name(l, fb));
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
	const maildir_listing *listing;
	slot *slots;         /* one per file of the listing */
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
	char *path = file_path(pl->listing,
		&g_array_index(pl->listing->files, maildir_file, i));

	if (read_file(path, buf)) {
		ingest_prepare(pl->ing, (const char *)buf->data, buf->len, 0, &sl->prep);
	} else {
		if (errno != ENOENT)
			log_warn("%s: %s", path, g_strerror(errno));
		sl->vanished = TRUE;
	}
	buffer_give(pl, buf);
	g_free(path);
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
record_file(kith_ingest *ing, const char *source, const maildir_listing *l,
	const maildir_file *f, slot *sl, char **errstr)
{
	char *err = NULL, *key = NULL;
	kith_status status;

	if (sl->vanished)
		return KITH_OK;
	status = ingest_record(ing, &sl->prep, file_dir(l, f)->flags, &err);
	if (status == KITH_E_DATA) {
		char *path = file_path(l, f);

		log_warn("%s: %s; skipped", path, err);
		g_free(path);
		status = KITH_OK;
	} else if (status != KITH_OK) {
		status = kith_fail(errstr, status, "%s", err);
		goto out;
	}
	key = name_key(file_name(l, f));
	status = store_mark_file_seen(ingest_store(ing), source, key, errstr);
out:
	g_free(key);
	g_free(err);
	return status;
}

static kith_status
scan_files(kith_ingest *ing, const char *source, const maildir_listing *l,
	char **errstr)
{
	guint n = l->files->len;
	pipeline pl = { .ing = ing, .listing = l, .slots = g_new0(slot, MAX(n, 1)),
		.buffers = g_ptr_array_new_with_free_func((GDestroyNotify)g_byte_array_unref) };
	source_batch batch = { 0, 0 };
	source_pipe *pipe;
	kith_status status = KITH_OK;

	g_mutex_init(&pl.lock);
	pipe = source_pipe_new(n, PREPARE_AHEAD, prepare_file, release_file, &pl);
	for (guint i = 0; i < n && status == KITH_OK; i++) {
		const maildir_file *f = &g_array_index(l->files, maildir_file, i);

		source_pipe_take(pipe, i);
		status = record_file(ing, source, l, f, &pl.slots[i], errstr);
		source_pipe_done(pipe, i);
		source_progress(file_dir(l, f)->folder, i + 1, n);
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
	maildir_listing listing;
	kith_status status = KITH_OK;

	listing_init(&listing);
	cur = g_build_filename(acct->path, "cur", NULL);
	if (!g_file_test(cur, G_FILE_TEST_IS_DIR)) {
		status = kith_fail(errstr, KITH_E_NOINPUT, "%s: not a maildir (no cur/)",
			acct->path);
		goto out;
	}
	root = realpath(acct->path, NULL);
	source = g_strconcat("maildir:", root != NULL ? root : acct->path, NULL);
	seen = store_seen_files(store, source);
	list_maildir(acct->path, seen, &listing);
	g_array_sort_with_data(listing.files, compare_delivery, &listing);
	/* the rules may have loaded while the files were listed */
	status = ingest_rules_ready(ing, errstr);
	if (status == KITH_OK)
		status = scan_files(ing, source, &listing, errstr);
out:
	if (status != KITH_OK && status != KITH_E_INTERRUPTED)
		ingest_rollback(ing);
	source_progress_end();
	if (seen != NULL)
		g_hash_table_destroy(seen);
	listing_clear(&listing);
	free(root);
	g_free(source);
	g_free(cur);
	return status;
}

const source_ops source_maildir_ops = { "maildir", maildir_scan };
