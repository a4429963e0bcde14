/*
 * items.c - the ledger of what is owed.  A request in a message from X is
 * owed by its recipients to X; a promise by X is owed by X.  Items close
 * when the owing party delivers: an attachment or a fulfilment phrase in
 * a later message to the same people, the promised person brought into a
 * message, or, for a request, a reply in the same thread.
 */
#include <string.h>

#include "items.h"
#include "log.h"

/* Attachments that say "here it is": not signature logos. */
static gboolean
has_real_attachment(const kith_message *msg)
{
	for (guint i = 0; i < msg->attachments->len; i++) {
		const kith_attachment *a = g_ptr_array_index(msg->attachments, i);

		if (!g_str_has_prefix(a->mime_type, "image/") || a->size > 64 * 1024)
			return TRUE;
	}
	return FALSE;
}

static GDateTime *
message_local_date(const kith_message *msg)
{
	GDateTime *utc, *local;
	GTimeZone *tz;

	if (!msg->date_valid)
		return NULL;
	utc = g_date_time_new_from_unix_utc(msg->date);
	if (utc == NULL)
		return NULL;
	tz = g_time_zone_new_offset(msg->tz_offset * 60);
	local = g_date_time_to_timezone(utc, tz);
	g_time_zone_unref(tz);
	g_date_time_unref(utc);
	return local;
}

/* --- opening ------------------------------------------------------------- */

static kith_status
insert_item(kith_store *store, const items_message *m, const detect_hit *hit,
	const char *owner, gint64 contact, gboolean *inserted, char **errstr)
{
	sqlite3_stmt *st;
	kith_status status;
	char due[16];

	*inserted = FALSE;
	status = store_stmt(store,
		"INSERT OR IGNORE INTO items (kind, owner, contact_id, message, sentence,"
		" rule_id, due, target, status, created) "
		"VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, 'open', ?9)", &st, errstr);
	if (status != KITH_OK)
		return status;
	sqlite3_bind_text(st, 1, detect_kind_name(hit->kind), -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, owner, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 3, contact);
	sqlite3_bind_int64(st, 4, m->rowid);
	sqlite3_bind_text(st, 5, hit->sentence, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 6, hit->rule_id, -1, SQLITE_STATIC);
	if (hit->has_due) {
		g_date_strftime(due, sizeof due, "%Y-%m-%d", &hit->due);
		sqlite3_bind_text(st, 7, due, -1, SQLITE_TRANSIENT);
	}
	if (hit->target != NULL)
		sqlite3_bind_text(st, 8, hit->target, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 9, m->date);
	if (sqlite3_step(st) != SQLITE_DONE) {
		sqlite3_reset(st);
		return store_error(store, "record item", errstr);
	}
	sqlite3_reset(st);
	*inserted = sqlite3_changes(store_db(store)) > 0;
	return KITH_OK;
}

/* My request to several people: the others are recorded with the item. */
static kith_status
insert_recipients(kith_store *store, gint64 item, const GArray *recipients,
	char **errstr)
{
	sqlite3_stmt *st;
	kith_status status;

	for (guint i = 1; i < recipients->len; i++) {
		status = store_stmt(store, "INSERT OR IGNORE INTO item_recipients "
			"(item, contact_id) VALUES (?1, ?2)", &st, errstr);
		if (status != KITH_OK)
			return status;
		sqlite3_bind_int64(st, 1, item);
		sqlite3_bind_int64(st, 2, g_array_index(recipients, gint64, i));
		if (sqlite3_step(st) != SQLITE_DONE) {
			sqlite3_reset(st);
			return store_error(store, "record item recipient", errstr);
		}
		sqlite3_reset(st);
	}
	return KITH_OK;
}

static kith_status
insert_event(kith_store *store, const items_message *m, const detect_hit *hit,
	gint64 contact, char **errstr)
{
	sqlite3_stmt *st;
	kith_status status;

	status = store_stmt(store,
		"INSERT OR IGNORE INTO events (kind, contact_id, message, direction,"
		" sentence, date) VALUES (?1, ?2, ?3, ?4, ?5, ?6)", &st, errstr);
	if (status != KITH_OK)
		return status;
	sqlite3_bind_text(st, 1, detect_kind_name(hit->kind), -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, contact);
	sqlite3_bind_int64(st, 3, m->rowid);
	sqlite3_bind_int(st, 4, m->dir == DIR_SENT ? 1 : 0);
	sqlite3_bind_text(st, 5, hit->sentence, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 6, m->date);
	if (sqlite3_step(st) != SQLITE_DONE) {
		sqlite3_reset(st);
		return store_error(store, "record event", errstr);
	}
	sqlite3_reset(st);
	return KITH_OK;
}

/* Who owes, and to whom, for one hit; FALSE when nobody does. */
static gboolean
item_party(const items_message *m, const detect_hit *hit, const char **owner,
	gint64 *contact)
{
	gboolean mine = m->dir == DIR_SENT;

	if (mine) {
		if (m->recipients->len == 0)
			return FALSE;
		*contact = g_array_index(m->recipients, gint64, 0);
		/* My request is owed by them; my promise by me. */
		*owner = hit->kind == DETECT_REQUEST ? "them" : "me";
	} else {
		if (m->sender == 0)
			return FALSE;
		*contact = m->sender;
		*owner = hit->kind == DETECT_REQUEST ? "me" : "them";
	}
	return TRUE;
}

static kith_status
open_items(kith_store *store, const items_message *m, GPtrArray *hits,
	items_result *result, char **errstr)
{
	kith_status status = KITH_OK;

	for (guint i = 0; i < hits->len && status == KITH_OK; i++) {
		const detect_hit *hit = g_ptr_array_index(hits, i);
		const char *owner = NULL;
		gint64 contact = 0;
		gboolean inserted = FALSE;

		if (!item_party(m, hit, &owner, &contact))
			continue;
		if (hit->kind != DETECT_REQUEST && hit->kind != DETECT_PROMISE) {
			status = insert_event(store, m, hit, contact, errstr);
			continue;
		}
		status = insert_item(store, m, hit, owner, contact, &inserted, errstr);
		if (status != KITH_OK || !inserted)
			continue;
		result->opened++;
		if (m->dir == DIR_SENT)
			status = insert_recipients(store,
				sqlite3_last_insert_rowid(store_db(store)), m->recipients, errstr);
	}
	return status;
}

/* --- closing ------------------------------------------------------------- */

typedef struct {
	gint64 id;
	char *kind;
	char *target;
	char *message_id;    /* of the message that opened it */
	gboolean in_thread;  /* this message replies in the item's thread */
} open_item;

static void
open_item_free(gpointer p)
{
	open_item *it = p;

	g_free(it->kind);
	g_free(it->target);
	g_free(it->message_id);
	g_free(it);
}

/* TRUE when `msg` refers to the item's message or to one it refers to. */
static gboolean
in_thread(kith_store *store, const kith_message *msg, gint64 item_message,
	const char *item_message_id)
{
	sqlite3_stmt *st;
	GHashTable *refs = g_hash_table_new(g_str_hash, g_str_equal);
	gboolean found = FALSE;

	for (guint i = 0; i < msg->references->len; i++)
		g_hash_table_add(refs, g_ptr_array_index(msg->references, i));
	if (msg->in_reply_to != NULL)
		g_hash_table_add(refs, msg->in_reply_to);
	found = g_hash_table_contains(refs, item_message_id);
	if (!found && store_stmt(store, "SELECT ref FROM message_refs WHERE message = ?1",
			&st, NULL) == KITH_OK) {
		sqlite3_bind_int64(st, 1, item_message);
		while (!found && sqlite3_step(st) == SQLITE_ROW)
			found = g_hash_table_contains(refs, sqlite3_column_text(st, 0));
		sqlite3_reset(st);
	}
	g_hash_table_destroy(refs);
	return found;
}

/* The open items that the sender of `m` owes to the other party. */
static kith_status
load_candidates(kith_store *store, const items_message *m, GPtrArray *out,
	char **errstr)
{
	sqlite3_stmt *st;
	kith_status status;
	gboolean mine = m->dir == DIR_SENT;
	guint nparties = mine ? m->recipients->len : (m->sender != 0 ? 1 : 0);

	for (guint p = 0; p < nparties; p++) {
		gint64 contact = mine ? g_array_index(m->recipients, gint64, p) : m->sender;

		status = store_stmt(store,
			"SELECT i.id, i.kind, i.target, msg.message_id, i.message FROM items i "
			"JOIN messages msg ON msg.id = i.message "
			"WHERE i.contact_id = ?1 AND i.owner = ?2 AND i.message != ?3 "
			"AND i.status IN ('open', 'snoozed') AND msg.date <= ?4 "
			"ORDER BY msg.date, i.id", &st, errstr);
		if (status != KITH_OK)
			return status;
		sqlite3_bind_int64(st, 1, contact);
		sqlite3_bind_text(st, 2, mine ? "me" : "them", -1, SQLITE_STATIC);
		sqlite3_bind_int64(st, 3, m->rowid);
		sqlite3_bind_int64(st, 4, m->date);
		while (sqlite3_step(st) == SQLITE_ROW) {
			open_item *it = g_new0(open_item, 1);

			it->id = sqlite3_column_int64(st, 0);
			it->kind = g_strdup((const char *)sqlite3_column_text(st, 1));
			it->target = g_strdup((const char *)sqlite3_column_text(st, 2));
			it->message_id = g_strdup((const char *)sqlite3_column_text(st, 3));
			it->in_thread = sqlite3_column_int64(st, 4);  /* rowid, for now */
			g_ptr_array_add(out, it);
		}
		sqlite3_reset(st);
	}
	for (guint i = 0; i < out->len; i++) {
		open_item *it = g_ptr_array_index(out, i);
		gint64 rowid = it->in_thread;

		it->in_thread = in_thread(store, m->msg, rowid, it->message_id);
	}
	return KITH_OK;
}

/* Does `m` bring in the person a promised introduction named? */
static gboolean
brings_in(const items_message *m, const char *target)
{
	const GPtrArray *lists[] = { m->msg->to, m->msg->cc };
	char *want = g_utf8_casefold(target, -1);
	gboolean found = FALSE;

	for (gsize l = 0; l < G_N_ELEMENTS(lists) && !found; l++) {
		for (guint i = 0; i < lists[l]->len && !found; i++) {
			const kith_address *a = g_ptr_array_index(lists[l], i);
			char *name = g_utf8_casefold(a->name, -1);
			char *first = g_strdup(name);
			char *space = strchr(first, ' ');

			if (space != NULL)
				*space = '\0';
			found = (*name != '\0' && (strcmp(name, want) == 0 ||
				strcmp(first, want) == 0 || g_str_has_prefix(want, name))) ||
				strstr(a->addr, want) != NULL;
			g_free(first);
			g_free(name);
		}
	}
	g_free(want);
	return found;
}

static kith_status
close_item(kith_store *store, const items_message *m, gint64 id, char **errstr)
{
	sqlite3_stmt *st;
	kith_status status;

	status = store_stmt(store, "UPDATE items SET status = 'done', closed_by = ?2,"
		" closed_at = ?3, snooze_until = NULL WHERE id = ?1", &st, errstr);
	if (status != KITH_OK)
		return status;
	sqlite3_bind_int64(st, 1, id);
	sqlite3_bind_int64(st, 2, m->rowid);
	sqlite3_bind_int64(st, 3, m->date);
	if (sqlite3_step(st) != SQLITE_DONE) {
		sqlite3_reset(st);
		return store_error(store, "close item", errstr);
	}
	sqlite3_reset(st);
	return KITH_OK;
}

/*
 * What this message closes.  In the thread of an item: a reply answers a
 * request; an attachment or fulfilment phrase delivers anything.  Outside
 * the thread, an attachment or phrase delivers the oldest open item.  A
 * promised introduction closes when the person is brought in.
 */
static kith_status
close_items(kith_store *store, const items_message *m, GPtrArray *hits,
	items_result *result, char **errstr)
{
	GPtrArray *cands = g_ptr_array_new_with_free_func(open_item_free);
	gboolean delivered = has_real_attachment(m->msg);
	gboolean closed_outside = FALSE;
	kith_status status;

	for (guint i = 0; i < hits->len && !delivered; i++)
		delivered = ((detect_hit *)g_ptr_array_index(hits, i))->kind == DETECT_FULFIL;
	status = load_candidates(store, m, cands, errstr);
	for (guint i = 0; i < cands->len && status == KITH_OK; i++) {
		open_item *it = g_ptr_array_index(cands, i);
		gboolean is_request = strcmp(it->kind, "request") == 0;
		gboolean close;

		if (it->target != NULL && !is_request)
			close = brings_in(m, it->target);
		else if (it->in_thread)
			close = delivered || is_request;
		else
			close = delivered && !closed_outside;
		if (!close)
			continue;
		if (!it->in_thread && it->target == NULL)
			closed_outside = TRUE;
		status = close_item(store, m, it->id, errstr);
		if (status == KITH_OK)
			result->closed++;
	}
	g_ptr_array_unref(cands);
	return status;
}

kith_status
items_record(kith_store *store, const kith_config *cfg, const kith_rules *rules,
	const items_message *m, items_result *result, char **errstr)
{
	GDateTime *date = message_local_date(m->msg);
	detect_ctx ctx = { date, cfg->date_order };
	GPtrArray *hits = detect_text(rules, m->msg->new_text, &ctx);
	kith_status status;

	/* Close first: a reply that promises more opens a new item, which
	 * this same message must not close. */
	status = close_items(store, m, hits, result, errstr);
	if (status == KITH_OK)
		status = open_items(store, m, hits, result, errstr);
	g_ptr_array_unref(hits);
	if (date != NULL)
		g_date_time_unref(date);
	return status;
}

kith_status
items_set_status(kith_store *store, gint64 id, const char *status_name,
	const char *snooze_until, gint64 closed_at, char **errstr)
{
	sqlite3_stmt *st;
	kith_status status;

	status = store_stmt(store, "UPDATE items SET status = ?2, snooze_until = ?3,"
		" closed_at = ?4 WHERE id = ?1", &st, errstr);
	if (status != KITH_OK)
		return status;
	sqlite3_bind_int64(st, 1, id);
	sqlite3_bind_text(st, 2, status_name, -1, SQLITE_STATIC);
	if (snooze_until != NULL)
		sqlite3_bind_text(st, 3, snooze_until, -1, SQLITE_STATIC);
	if (strcmp(status_name, ITEM_OPEN) != 0 && strcmp(status_name, ITEM_SNOOZED) != 0)
		sqlite3_bind_int64(st, 4, closed_at);
	if (sqlite3_step(st) != SQLITE_DONE) {
		sqlite3_reset(st);
		return store_error(store, "update item", errstr);
	}
	sqlite3_reset(st);
	if (sqlite3_changes(store_db(store)) == 0)
		return kith_fail(errstr, KITH_E_USAGE, "no item #%" G_GINT64_FORMAT, id);
	return KITH_OK;
}
