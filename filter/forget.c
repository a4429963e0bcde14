/*
 * forget.c - deleting a person and everything derived from their mail,
 * and keeping them out afterwards (forget.h).
 */
#include <string.h>

#include "forget.h"
#include "log.h"

/* Adds the rows of a one-column integer query bound to `text`. */
static kith_status
collect_ids(kith_store *store, const char *sql, const char *text, GHashTable *into,
	char **errstr)
{
	sqlite3_stmt *st;
	kith_status status;

	status = store_stmt(store, sql, &st, errstr);
	if (status != KITH_OK)
		return status;
	sqlite3_bind_text(st, 1, text, -1, SQLITE_STATIC);
	while (sqlite3_step(st) == SQLITE_ROW) {
		gint64 *id = g_new(gint64, 1);

		*id = sqlite3_column_int64(st, 0);
		g_hash_table_add(into, id);
	}
	sqlite3_reset(st);
	return KITH_OK;
}

/* Is every participant of message `id` one of `addrs` or me?  And did
 * one of `addrs` write it? */
static kith_status
message_is_theirs(kith_store *store, const kith_config *cfg, gint64 id,
	GHashTable *addrs, gboolean *out, char **errstr)
{
	sqlite3_stmt *st;
	kith_status status;
	gboolean theirs = TRUE;

	status = store_stmt(store, "SELECT from_addr FROM messages WHERE id = ?1", &st,
		errstr);
	if (status != KITH_OK)
		return status;
	sqlite3_bind_int64(st, 1, id);
	if (sqlite3_step(st) == SQLITE_ROW &&
	    g_hash_table_contains(addrs, sqlite3_column_text(st, 0))) {
		sqlite3_reset(st);
		*out = TRUE;
		return KITH_OK;
	}
	sqlite3_reset(st);
	status = store_stmt(store, "SELECT addr FROM participants WHERE message = ?1",
		&st, errstr);
	if (status != KITH_OK)
		return status;
	sqlite3_bind_int64(st, 1, id);
	while (theirs && sqlite3_step(st) == SQLITE_ROW) {
		const char *a = (const char *)sqlite3_column_text(st, 0);

		theirs = g_hash_table_contains(addrs, a) || config_is_me(cfg, a);
	}
	sqlite3_reset(st);
	*out = theirs;
	return KITH_OK;
}

kith_status
forget_contact(kith_store *store, const kith_config *cfg, gint64 contact_id,
	guint *naddr, char **errstr)
{
	GHashTable *addrs = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
	GHashTable *msgs = g_hash_table_new_full(g_int64_hash, g_int64_equal, g_free, NULL);
	GHashTableIter it;
	gpointer key;
	sqlite3_stmt *st;
	kith_status status;
	gint64 now = g_date_time_to_unix(cfg->now);

	status = store_stmt(store, "SELECT addr FROM addresses WHERE contact_id = ?1",
		&st, errstr);
	if (status != KITH_OK)
		goto out;
	sqlite3_bind_int64(st, 1, contact_id);
	while (sqlite3_step(st) == SQLITE_ROW)
		g_hash_table_add(addrs, g_strdup((const char *)sqlite3_column_text(st, 0)));
	sqlite3_reset(st);

	/* The messages they took part in. */
	g_hash_table_iter_init(&it, addrs);
	while (g_hash_table_iter_next(&it, &key, NULL)) {
		if ((status = collect_ids(store, "SELECT DISTINCT message FROM participants "
				"WHERE addr = ?1", key, msgs, errstr)) != KITH_OK ||
		    (status = collect_ids(store, "SELECT id FROM messages "
				"WHERE from_addr = ?1", key, msgs, errstr)) != KITH_OK)
			goto out;
	}
	/* Theirs (written by them, or only between us) go whole; the
	 * cascade takes their links, participants, attachments,
	 * interactions, items and events. */
	g_hash_table_iter_init(&it, msgs);
	while (g_hash_table_iter_next(&it, &key, NULL)) {
		gint64 id = *(gint64 *)key;
		gboolean theirs = FALSE;

		status = message_is_theirs(store, cfg, id, addrs, &theirs, errstr);
		if (status != KITH_OK)
			goto out;
		if (!theirs)
			continue;
		status = store_stmt(store, "DELETE FROM messages WHERE id = ?1", &st, errstr);
		if (status != KITH_OK)
			goto out;
		sqlite3_bind_int64(st, 1, id);
		status = store_step_done(store, st, "forget message", errstr);
		if (status != KITH_OK)
			goto out;
	}
	/* Their place in everyone else's messages, then the tombstones. */
	g_hash_table_iter_init(&it, addrs);
	while (g_hash_table_iter_next(&it, &key, NULL)) {
		status = store_stmt(store, "DELETE FROM participants WHERE addr = ?1", &st,
			errstr);
		if (status != KITH_OK)
			goto out;
		sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
		status = store_step_done(store, st, "forget participant", errstr);
		if (status != KITH_OK)
			goto out;
		status = store_add_tombstone(store, key, now, errstr);
		if (status != KITH_OK)
			goto out;
	}
	/* The contact: its addresses, tags, interactions, items, item
	 * recipients and events go with it. */
	status = store_stmt(store, "DELETE FROM contacts WHERE id = ?1", &st, errstr);
	if (status != KITH_OK)
		goto out;
	sqlite3_bind_int64(st, 1, contact_id);
	status = store_step_done(store, st, "forget contact", errstr);
	if (status != KITH_OK)
		goto out;
	if (naddr != NULL)
		*naddr = g_hash_table_size(addrs);
out:
	g_hash_table_destroy(addrs);
	g_hash_table_destroy(msgs);
	return status;
}

kith_status
forget_scrub(kith_store *store, char **errstr)
{
	sqlite3 *db = store_db(store);
	sqlite3_stmt *st = NULL;
	kith_status status = KITH_OK;
	int busy = 0;

	if (sqlite3_exec(db, "VACUUM", NULL, NULL, NULL) != SQLITE_OK)
		return store_error(store, "vacuum", errstr);
	if (sqlite3_prepare_v2(db, "PRAGMA wal_checkpoint(TRUNCATE)", -1, &st,
			NULL) != SQLITE_OK)
		return store_error(store, "checkpoint", errstr);
	if (sqlite3_step(st) == SQLITE_ROW)
		busy = sqlite3_column_int(st, 0);
	else
		status = store_error(store, "checkpoint", errstr);
	sqlite3_finalize(st);
	if (status == KITH_OK && busy)
		status = kith_fail(errstr, KITH_E_TEMPFAIL, "another process is using the "
			"store: the data is deleted, but the write-ahead log still holds it; "
			"run 'kith contact forget' again later");
	return status;
}

/* Removes forgotten addresses from a list; TRUE when any was removed. */
static gboolean
screen_list(kith_store *store, GPtrArray *list)
{
	gboolean removed = FALSE;

	for (guint i = list->len; i-- > 0;) {
		const kith_address *a = g_ptr_array_index(list, i);

		if (store_is_forgotten(store, a->addr)) {
			g_ptr_array_remove_index(list, i);
			removed = TRUE;
		}
	}
	return removed;
}

static gboolean
only_me(const kith_config *cfg, const GPtrArray *list)
{
	for (guint i = 0; i < list->len; i++) {
		const kith_address *a = g_ptr_array_index(list, i);

		if (!config_is_me(cfg, a->addr))
			return FALSE;
	}
	return TRUE;
}

gboolean
forget_screen_message(kith_store *store, const kith_config *cfg, kith_message *msg)
{
	gboolean removed;

	if (screen_list(store, msg->from))
		return TRUE;
	removed = screen_list(store, msg->to);
	removed = screen_list(store, msg->cc) || removed;
	removed = screen_list(store, msg->reply_to) || removed;
	/* Mine, and now to nobody but me: it was only between us. */
	return removed && only_me(cfg, msg->from) && only_me(cfg, msg->to) &&
	       only_me(cfg, msg->cc);
}
