/*
 * source_maildir.c - Maildir and Maildir++ folders.  Files are read, never
 * renamed or flagged.  A file is known by the unique part of its name (the
 * part before ':'), which a mail client keeps when it moves the file from
 * new/ to cur/ or changes its flags, so a rescan of an unchanged maildir
 * reads directories only.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

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

typedef struct {
	const kith_ingest *ing;
	slot *slots;
} pipeline;

static gsize
prepare_file(guint i, gpointer data)
{
	pipeline *pl = data;
	slot *sl = &pl->slots[i];
	char *raw = NULL;
	gsize len = 0;
	GError *gerr = NULL;

	if (g_file_get_contents(sl->file->path, &raw, &len, &gerr)) {
		ingest_prepare(pl->ing, raw, len, 0, &sl->prep);
	} else {
		if (!g_error_matches(gerr, G_FILE_ERROR, G_FILE_ERROR_NOENT))
			log_warn("%s", gerr->message);
		sl->vanished = TRUE;
		g_error_free(gerr);
	}
	g_free(raw);
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
	pipeline pl = { .ing = ing, .slots = g_new0(slot, MAX(files->len, 1)) };
	source_batch batch = { 0, 0 };
	source_pipe *pipe;
	kith_status status = KITH_OK;

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
