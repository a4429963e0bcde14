/* drain.c - the spool into the store, before any command reads it. */
#include <errno.h>
#include <unistd.h>

#include "drain.h"
#include "log.h"
#include "spool.h"

/* How long a command waits for another process's drain to finish. */
#define DRAIN_WAIT_MS 30000
/* The background drain records a burst of deliveries once it is over: when
 * the spool has been quiet this long, or this long after the burst began.
 * Recording while mail is still arriving would only slow the deliveries
 * (the CPU, the disk and its journal are shared), and nobody reads the
 * store in between without draining it first. */
#define DRAIN_SETTLE_MS 200
#define DRAIN_DEFER_MAX_MS 5000

/* Ingests one spool file; the file goes only after its commit. */
static kith_status
drain_file(const kith_config *cfg, kith_ingest *ing, const char *path,
	char **errstr)
{
	char *data = NULL;
	gsize len = 0;
	GError *gerr = NULL;
	char *err = NULL;
	kith_status status;
	unsigned flags = (spool_file_flags(path) & SPOOL_SENT) ? INGEST_SENT : 0;
	char **me = spool_file_identities(cfg->spool_dir, path);

	if (!g_file_get_contents(path, &data, &len, &gerr)) {
		/* Gone already (another drainer), or unreadable: skip it. */
		log_warn("spool: %s", gerr->message);
		g_error_free(gerr);
		return KITH_OK;
	}
	ingest_set_identities(ing, me);
	status = ingest_message(ing, data, len, flags, &err);
	ingest_set_identities(ing, NULL);
	if (status == KITH_E_DATA) {
		log_warn("spool: %s: %s; kept in %s/failed", path, err, cfg->spool_dir);
		status = spool_set_aside(cfg->spool_dir, path, errstr);
		goto out;
	}
	if (status != KITH_OK) {
		ingest_rollback(ing);
		status = kith_fail(errstr, status, "%s", err);
		goto out;
	}
	status = ingest_commit(ing, errstr);
	if (status == KITH_OK)
		spool_remove(cfg->spool_dir, path);
out:
	g_strfreev(me);
	g_free(err);
	g_free(data);
	return status;
}

/* One pass over the files present now and not tried before (`tried`
 * keeps a file that could not be read from being tried forever).  *ing
 * is made on the first file: compiling the rules is the dearest part of
 * starting, and most drains find nothing to do. */
static kith_status
drain_pass(const kith_config *cfg, kith_store *store, kith_ingest **ing,
	GHashTable *tried, guint *count, char **errstr)
{
	GPtrArray *files = spool_list(cfg->spool_dir);
	kith_status status = KITH_OK;

	for (guint i = 0; i < files->len && status == KITH_OK; i++) {
		const char *path = g_ptr_array_index(files, i);

		if (!g_hash_table_add(tried, g_strdup(path)))
			continue;
		if (*ing == NULL) {
			status = ingest_new(cfg, store, ing, errstr);
			if (status != KITH_OK)
				break;
		}
		status = drain_file(cfg, *ing, path, errstr);
		if (status == KITH_OK)
			(*count)++;
	}
	g_ptr_array_unref(files);
	return status;
}

/* TRUE when the spool holds a file not tried yet. */
static gboolean
spool_has_new(const kith_config *cfg, GHashTable *tried)
{
	GPtrArray *files = spool_list(cfg->spool_dir);
	gboolean found = FALSE;

	for (guint i = 0; i < files->len && !found; i++)
		found = !g_hash_table_contains(tried, g_ptr_array_index(files, i));
	g_ptr_array_unref(files);
	return found;
}

/* drain_spool with the caller's *ing, kept across calls. */
static kith_status
drain_with(const kith_config *cfg, kith_store *store, kith_ingest **ing,
	gboolean wait, guint *count, char **errstr)
{
	kith_status status = KITH_OK;
	GHashTable *tried = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
	guint n = 0;
	int lock;

	if (!g_file_test(cfg->spool_dir, G_FILE_TEST_IS_DIR))
		goto out;
	for (;;) {
		lock = wait ? spool_lock_wait(cfg->spool_dir, DRAIN_WAIT_MS) :
			spool_lock_try(cfg->spool_dir);
		if (lock < 0)
			break;   /* another process is draining: it will get them */
		status = drain_pass(cfg, store, ing, tried, &n, errstr);
		spool_unlock(lock);
		if (status != KITH_OK)
			break;
		/* A filter that found the lock taken left its message for us:
		 * look again after letting go, so none is stranded. */
		if (!spool_has_new(cfg, tried))
			break;
	}
out:
	g_hash_table_destroy(tried);
	if (count != NULL)
		*count = n;
	return status;
}

kith_status
drain_spool(const kith_config *cfg, kith_store *store, gboolean wait,
	guint *count, char **errstr)
{
	kith_ingest *ing = NULL;
	kith_status status = drain_with(cfg, store, &ing, wait, count, errstr);

	ingest_free(ing);
	return status;
}

/* Waits until deliveries pause (see DRAIN_SETTLE_MS). */
static void
wait_for_pause(spool_watch *watch)
{
	gint64 until = g_get_monotonic_time() + (gint64)DRAIN_DEFER_MAX_MS * 1000;

	while (g_get_monotonic_time() < until &&
	       spool_watch_wait(watch, DRAIN_SETTLE_MS))
		;
}

kith_status
drain_spool_background(const kith_config *cfg, kith_store *store, guint *count,
	char **errstr)
{
	spool_watch *watch = NULL;
	kith_ingest *ing = NULL;
	kith_status status = KITH_OK;
	guint total = 0, n;
	int present;

	present = spool_drainer_try(cfg->spool_dir);
	if (present < 0)
		goto out;   /* another background drainer is here: it takes ours */
	/* Watching starts before the first pass, so nothing delivered during
	 * it goes unnoticed. */
	watch = spool_watch_new(cfg->spool_dir);
	wait_for_pause(watch);
	for (;;) {
		/* Without waiting: a command holding the drain lock records
		 * what is there, and looks again before it lets go. */
		n = 0;
		status = drain_with(cfg, store, &ing, FALSE, &n, errstr);
		total += n;
		if (status != KITH_OK)
			break;
		if (spool_watch_wait(watch, cfg->drain_linger * 1000)) {
			wait_for_pause(watch);
			continue;
		}
		/* Quiet for drain_linger seconds: leave.  A filter that saw
		 * this process here before it let go left its message for it,
		 * so look once more, and stay if one came and no other
		 * drainer took over. */
		spool_unlock(present);
		present = -1;
		if (!g_file_test(cfg->spool_dir, G_FILE_TEST_IS_DIR))
			break;
		n = 0;
		status = drain_with(cfg, store, &ing, FALSE, &n, errstr);
		total += n;
		if (status != KITH_OK || n == 0 ||
		    (present = spool_drainer_try(cfg->spool_dir)) < 0)
			break;
	}
out:
	ingest_free(ing);
	spool_unlock(present);
	spool_watch_free(watch);
	if (count != NULL)
		*count = total;
	return status;
}

kith_status
drain_open_store(const kith_config *cfg, kith_store **out, char **errstr)
{
	kith_store *store = NULL;
	kith_status status;
	char *err = NULL;
	guint n = 0;

	status = store_open(cfg->db_path, &store, errstr);
	if (status != KITH_OK)
		return status;
	/* A spool that cannot be drained now is not this command's failure:
	 * the messages stay queued for the next run. */
	if (drain_spool(cfg, store, TRUE, &n, &err) != KITH_OK) {
		log_warn("spool not drained: %s", err);
		g_free(err);
	} else if (n > 0) {
		log_info("recorded %u spooled message%s", n, n == 1 ? "" : "s");
	}
	*out = store;
	return KITH_OK;
}
