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

/* --- closing --------------------------------------------------------------
 *
 * Closing reads only what the store holds (participants, thread links,
 * attachments, fulfilment events), never the text, so it gives the same
 * answer whatever order messages arrive in: a message closes what earlier
 * messages opened, and a new item is closed by a later message already
 * stored (a scan of a Sent folder after the inbox, a late filter run).
 * Outside its thread a delivery settles one untargeted item, the oldest:
 * an older item arriving after it takes the delivery from a newer one,
 * which is reopened and settled anew.  (When two such deliveries arrive
 * out of order, the same items end settled, possibly each by the other.)
 */

/* What a stored message can do to the items of its parties. */
typedef struct {
	gint64 rowid;
	gint64 date;
	gboolean sent;        /* from me: it settles what I owe */
	GArray *parties;      /* gint64 contacts: recipients if sent, else the sender */
	gboolean delivers;    /* a real attachment or a fulfilment phrase */
	GHashTable *thread;   /* row ids of the stored messages of its thread */
	GPtrArray *people;    /* casefolded names and addresses of To and Cc;
	                       * NULL until a promised introduction asks */
	gboolean closed_outside; /* it already settled an item outside its thread */
} closer;

typedef struct {
	gint64 id;
	gint64 message;       /* the message that opened it */
	char *kind;
	char *target;
	gint64 created;
} open_item;

/* An item settled by a delivery outside its thread, as it is ordered
 * among a contact's items (created, message, id) and whom it concerns. */
typedef struct {
	gint64 id, message, created, contact;
	gboolean owed_by_me;
	gboolean is_request;
} settled_item;

/* Whether item a was opened before item b: the order a delivery takes
 * the items it may settle in (load_candidates). */
static gboolean
settled_before(const settled_item *a, const settled_item *b)
{
	if (a->created != b->created)
		return a->created < b->created;
	if (a->message != b->message)
		return a->message < b->message;
	return a->id < b->id;
}

/* Settled item x as an untargeted open_item, for close_forward to offer
 * to later deliveries; its kind is a static string: not for
 * open_item_free. */
static open_item
open_item_of(const settled_item *x)
{
	return (open_item){ x->id, x->message,
		(char *)detect_kind_name(x->is_request ? DETECT_REQUEST : DETECT_PROMISE),
		NULL, x->created };
}

static void
open_item_free(gpointer p)
{
	open_item *it = p;

	g_free(it->kind);
	g_free(it->target);
	g_free(it);
}

static void
closer_clear(closer *c)
{
	if (c->parties != NULL)
		g_array_unref(c->parties);
	if (c->thread != NULL)
		g_hash_table_destroy(c->thread);
	if (c->people != NULL)
		g_ptr_array_unref(c->people);
	memset(c, 0, sizeof *c);
}

/* Adds to `thread` the row ids of the stored messages that `id` names,
 * and of those that refer to it (its other replies). */
static kith_status
add_thread_members(kith_store *store, const char *id, GHashTable *thread,
	char **errstr)
{
	sqlite3_stmt *st;
	kith_status status;
	gint64 rowid = store_message_rowid(store, id);

	if (rowid != 0)
		g_hash_table_add(thread, GINT_TO_POINTER(rowid));
	status = store_stmt(store, "SELECT message FROM message_refs WHERE ref = ?1",
		&st, errstr);
	if (status != KITH_OK)
		return status;
	sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
	while (sqlite3_step(st) == SQLITE_ROW)
		g_hash_table_add(thread, GINT_TO_POINTER(sqlite3_column_int64(st, 0)));
	sqlite3_reset(st);
	return KITH_OK;
}

static kith_status
load_closer_thread(kith_store *store, closer *c, char **errstr)
{
	GPtrArray *refs = g_ptr_array_new_with_free_func(g_free);
	sqlite3_stmt *st;
	kith_status status;

	status = store_stmt(store, "SELECT ref FROM message_refs WHERE message = ?1",
		&st, errstr);
	if (status != KITH_OK)
		goto out;
	sqlite3_bind_int64(st, 1, c->rowid);
	while (sqlite3_step(st) == SQLITE_ROW)
		g_ptr_array_add(refs, g_strdup((const char *)sqlite3_column_text(st, 0)));
	sqlite3_reset(st);
	for (guint i = 0; i < refs->len && status == KITH_OK; i++)
		status = add_thread_members(store, g_ptr_array_index(refs, i), c->thread,
			errstr);
out:
	g_ptr_array_unref(refs);
	return status;
}

/* Reads the closer's To and Cc, once: only a promised introduction needs
 * them, and most messages meet none. */
static kith_status
load_closer_people(kith_store *store, closer *c, char **errstr)
{
	sqlite3_stmt *st;
	kith_status status;

	if (c->people != NULL)
		return KITH_OK;
	c->people = g_ptr_array_new_with_free_func(g_free);
	status = store_stmt(store, "SELECT name, addr FROM participants "
		"WHERE message = ?1 AND field IN ('to', 'cc')", &st, errstr);
	if (status != KITH_OK)
		return status;
	sqlite3_bind_int64(st, 1, c->rowid);
	while (sqlite3_step(st) == SQLITE_ROW) {
		g_ptr_array_add(c->people, g_utf8_casefold(
			(const char *)sqlite3_column_text(st, 0), -1));
		g_ptr_array_add(c->people, g_strdup(
			(const char *)sqlite3_column_text(st, 1)));
	}
	sqlite3_reset(st);
	return KITH_OK;
}

/*
 * Reads what message `rowid` can close.  *usable is FALSE for automated
 * mail, which never closes anything.
 */
static kith_status
load_closer(kith_store *store, gint64 rowid, closer *c, gboolean *usable,
	char **errstr)
{
	sqlite3_stmt *st;
	kith_status status;

	memset(c, 0, sizeof *c);
	*usable = FALSE;
	c->rowid = rowid;
	c->parties = g_array_new(FALSE, FALSE, sizeof(gint64));
	c->thread = g_hash_table_new(g_direct_hash, g_direct_equal);
	status = store_stmt(store, "SELECT date, direction, automated IS NULL,"
		" EXISTS (SELECT 1 FROM attachments a WHERE a.message = m.id AND"
		"  (a.mime_type NOT LIKE 'image/%' OR a.size > 65536)) OR"
		" EXISTS (SELECT 1 FROM events e WHERE e.message = m.id AND e.kind = 'fulfil')"
		" FROM messages m WHERE id = ?1", &st, errstr);
	if (status != KITH_OK)
		return status;
	sqlite3_bind_int64(st, 1, rowid);
	if (sqlite3_step(st) == SQLITE_ROW) {
		c->date = sqlite3_column_int64(st, 0);
		c->sent = sqlite3_column_int(st, 1) == DIR_SENT;
		*usable = sqlite3_column_int(st, 2) != 0;
		c->delivers = sqlite3_column_int(st, 3) != 0;
	}
	sqlite3_reset(st);
	if (!*usable)
		return KITH_OK;
	status = store_stmt(store, "SELECT contact_id FROM interactions "
		"WHERE message = ?1 AND direction = ?2", &st, errstr);
	if (status != KITH_OK)
		return status;
	sqlite3_bind_int64(st, 1, rowid);
	sqlite3_bind_int(st, 2, c->sent ? DIR_SENT : DIR_RECEIVED);
	while (sqlite3_step(st) == SQLITE_ROW) {
		gint64 id = sqlite3_column_int64(st, 0);

		g_array_append_val(c->parties, id);
	}
	sqlite3_reset(st);
	return load_closer_thread(store, c, errstr);
}

/* Does the closer bring in the person a promised introduction named? */
static gboolean
brings_in(const closer *c, const char *target)
{
	char *want = g_utf8_casefold(target, -1);
	gboolean found = FALSE;

	/* people holds pairs: a name, then its address */
	for (guint i = 0; i + 1 < c->people->len && !found; i += 2) {
		const char *name = g_ptr_array_index(c->people, i);
		const char *addr = g_ptr_array_index(c->people, i + 1);
		gsize n = strlen(name);

		found = (*name != '\0' && (strcmp(name, want) == 0 ||
			(g_str_has_prefix(name, want) && name[strlen(want)] == ' ') ||
			(g_str_has_prefix(want, name) && want[n] == ' '))) ||
			strstr(addr, want) != NULL;
	}
	g_free(want);
	return found;
}

/*
 * The rule.  In the item's thread a reply answers a request, and a
 * delivery settles anything; outside it, one delivery settles one item.
 * A promised introduction is kept when the person is brought in.
 */
static gboolean
closer_settles(const closer *c, const open_item *it)
{
	gboolean is_request = strcmp(it->kind, "request") == 0;

	if (it->target != NULL && !is_request)
		return brings_in(c, it->target);
	if (g_hash_table_contains(c->thread, GINT_TO_POINTER(it->message)))
		return c->delivers || is_request;
	return c->delivers && !c->closed_outside;
}

/* Marks item `id` settled by closer c, or open again when c is NULL (a
 * delivery that settled it went to an older item). */
static kith_status
set_item_closer(kith_store *store, gint64 id, const closer *c, char **errstr)
{
	sqlite3_stmt *st;
	kith_status status;

	status = store_stmt(store, "UPDATE items SET status = ?2, closed_by = ?3,"
		" closed_at = ?4, snooze_until = NULL WHERE id = ?1", &st, errstr);
	if (status != KITH_OK)
		return status;
	sqlite3_bind_int64(st, 1, id);
	sqlite3_bind_text(st, 2, c != NULL ? ITEM_DONE : ITEM_OPEN, -1, SQLITE_STATIC);
	if (c != NULL) {
		sqlite3_bind_int64(st, 3, c->rowid);
		sqlite3_bind_int64(st, 4, c->date);
	} else {
		sqlite3_bind_null(st, 3);
		sqlite3_bind_null(st, 4);
	}
	return store_step_done(store, st, c != NULL ? "close item" : "reopen item",
		errstr);
}

/* Settles `it` with `c` when the rule says so. */
static kith_status
try_close(kith_store *store, closer *c, const open_item *it, gboolean *closed,
	char **errstr)
{
	kith_status status;

	*closed = FALSE;
	if (it->message == c->rowid)
		return KITH_OK;
	/* a promised introduction is settled by who the closer brings in */
	if (it->target != NULL && strcmp(it->kind, "request") != 0 &&
	    (status = load_closer_people(store, c, errstr)) != KITH_OK)
		return status;
	if (!closer_settles(c, it))
		return KITH_OK;
	status = set_item_closer(store, it->id, c, errstr);
	if (status != KITH_OK)
		return status;
	if (!g_hash_table_contains(c->thread, GINT_TO_POINTER(it->message)) &&
	    it->target == NULL)
		c->closed_outside = TRUE;
	*closed = TRUE;
	return KITH_OK;
}

/* Appends the rows of a prepared candidate query (id, message, kind,
 * target, created), skipping items already taken; with `first_untargeted`, stops
 * after the first row without a target. */
static void
collect_rows(sqlite3_stmt *st, GHashTable *taken, GPtrArray *out, int limit,
	gboolean first_untargeted)
{
	int n = 0;
	gboolean untargeted = FALSE;

	while ((limit == 0 || n < limit) && !untargeted && sqlite3_step(st) == SQLITE_ROW) {
		gint64 id = sqlite3_column_int64(st, 0);
		open_item *it;

		if (!g_hash_table_add(taken, GINT_TO_POINTER(id)))
			continue;
		it = g_new0(open_item, 1);
		it->id = id;
		it->message = sqlite3_column_int64(st, 1);
		it->kind = g_strdup((const char *)sqlite3_column_text(st, 2));
		it->target = g_strdup((const char *)sqlite3_column_text(st, 3));
		it->created = sqlite3_column_int64(st, 4);
		g_ptr_array_add(out, it);
		n++;
		untargeted = first_untargeted && it->target == NULL;
	}
	sqlite3_reset(st);
}

/*
 * The open items a closer could settle: those its parties owe that were
 * opened in its thread; the oldest others when it delivers; promised
 * introductions.  Looking only there keeps a message's cost independent
 * of how many items a contact has left open over the years.
 */
static kith_status
load_candidates(kith_store *store, const closer *c, GPtrArray *out, char **errstr)
{
	GHashTable *taken = g_hash_table_new(g_direct_hash, g_direct_equal);
	const char *owner = c->sent ? "me" : "them";
	sqlite3_stmt *st;
	kith_status status = KITH_OK;
	GHashTableIter iter;
	gpointer key;

	for (guint p = 0; p < c->parties->len && status == KITH_OK; p++) {
		gint64 contact = g_array_index(c->parties, gint64, p);

		g_hash_table_iter_init(&iter, c->thread);
		while (status == KITH_OK && g_hash_table_iter_next(&iter, &key, NULL)) {
			/* "+contact_id": look up by message (a handful of
			 * rows), not through a contact's open items. */
			status = store_stmt(store, "SELECT id, message, kind, target, created FROM items "
				"WHERE message = ?1 AND +contact_id = ?2 AND owner = ?3 "
				"AND status IN ('open', 'snoozed') AND created <= ?4", &st, errstr);
			if (status != KITH_OK)
				break;
			sqlite3_bind_int64(st, 1, GPOINTER_TO_INT(key));
			sqlite3_bind_int64(st, 2, contact);
			sqlite3_bind_text(st, 3, owner, -1, SQLITE_STATIC);
			/* as for a later message (settle_from_later): a reply
			 * dated before the item cannot have settled it */
			sqlite3_bind_int64(st, 4, c->date);
			collect_rows(st, taken, out, 0, FALSE);
		}
		if (status != KITH_OK)
			break;
		status = store_stmt(store, "SELECT id, message, kind, target, created FROM items "
			"WHERE contact_id = ?1 AND owner = ?2 AND message != ?3 "
			"AND status IN ('open', 'snoozed') AND created <= ?4 "
			"AND (target IS NULL) <= ?5 ORDER BY target IS NULL, created, message, id "
			"LIMIT ?6", &st, errstr);
		if (status != KITH_OK)
			break;
		sqlite3_bind_int64(st, 1, contact);
		sqlite3_bind_text(st, 2, owner, -1, SQLITE_STATIC);
		sqlite3_bind_int64(st, 3, c->rowid);
		sqlite3_bind_int64(st, 4, c->date);
		sqlite3_bind_int(st, 5, c->delivers ? 1 : 0);	/* (target IS NULL) is 0 or 1 */
		/* enough rows for 64 not already taken from the thread */
		sqlite3_bind_int64(st, 6, 64 + g_hash_table_size(taken));
		/* Outside its thread a delivery settles one item without a
		 * target, the oldest (closer_settles): the rows after it are
		 * never settled, so they are not read. */
		collect_rows(st, taken, out, 64, TRUE);
	}
	g_hash_table_destroy(taken);
	return status;
}

static kith_status load_settled_outside(kith_store *store, const closer *c,
	settled_item *x, gboolean *found, char **errstr);
static kith_status close_forward(kith_store *store, const open_item *it,
	gint64 contact, gboolean owed_by_me, gint64 since, gboolean *closed,
	char **errstr);
static kith_status reclaim_from_later(kith_store *store, const closer *c,
	items_result *result, char **errstr);

/* The order closer c tries its candidates in (a GCompareDataFunc): those
 * of its thread and promised introductions first, as loaded; then the
 * others by age over all its parties, as a delivery to several people
 * settles one item outside its thread, the oldest of any of theirs. */
static gint
candidate_order(gconstpointer a, gconstpointer b, gpointer data)
{
	const open_item *x = *(open_item *const *)a, *y = *(open_item *const *)b;
	const closer *c = data;
	gboolean x_by_age = x->target == NULL &&
		!g_hash_table_contains(c->thread, GINT_TO_POINTER(x->message));
	gboolean y_by_age = y->target == NULL &&
		!g_hash_table_contains(c->thread, GINT_TO_POINTER(y->message));

	if (x_by_age != y_by_age)
		return x_by_age ? 1 : -1;
	if (!x_by_age)
		return 0;
	if (x->created != y->created)
		return x->created < y->created ? -1 : 1;
	if (x->message != y->message)
		return x->message < y->message ? -1 : 1;
	return x->id < y->id ? -1 : x->id > y->id;
}

/* What the new message `rowid` settles among earlier items. */
static kith_status
close_backward(kith_store *store, gint64 rowid, items_result *result, char **errstr)
{
	GPtrArray *cands = g_ptr_array_new_with_free_func(open_item_free);
	closer c;
	settled_item held;
	gboolean usable = FALSE, closed;
	kith_status status;

	status = load_closer(store, rowid, &c, &usable, errstr);
	if (status != KITH_OK || !usable)
		goto out;
	/* settling again after reclaim_from_later took an item back, it may
	 * still hold its one item outside its thread */
	status = load_settled_outside(store, &c, &held, &c.closed_outside, errstr);
	if (status != KITH_OK)
		goto out;
	status = load_candidates(store, &c, cands, errstr);
	g_ptr_array_sort_with_data(cands, candidate_order, &c);
	for (guint i = 0; i < cands->len && status == KITH_OK; i++) {
		status = try_close(store, &c, g_ptr_array_index(cands, i), &closed, errstr);
		if (status == KITH_OK && closed)
			result->closed++;
	}
	if (status == KITH_OK)
		status = reclaim_from_later(store, &c, result, errstr);
out:
	closer_clear(&c);
	g_ptr_array_unref(cands);
	return status;
}

/*
 * The untargeted item that closer c settled outside its thread, if any:
 * a delivery settles one such item, and later arrivals must know which.
 */
static kith_status
load_settled_outside(kith_store *store, const closer *c, settled_item *x,
	gboolean *found, char **errstr)
{
	sqlite3_stmt *st;
	kith_status status;

	*found = FALSE;
	/* a few rows: the oldest is picked here, not sorted by sqlite */
	status = store_stmt(store, "SELECT id, message, created, contact_id, owner = 'me',"
		" kind = 'request' FROM items WHERE closed_by = ?1 AND target IS NULL"
		" AND status = 'done'", &st, errstr);
	if (status != KITH_OK)
		return status;
	sqlite3_bind_int64(st, 1, c->rowid);
	while (sqlite3_step(st) == SQLITE_ROW) {
		settled_item row = {
			sqlite3_column_int64(st, 0), sqlite3_column_int64(st, 1),
			sqlite3_column_int64(st, 2), sqlite3_column_int64(st, 3),
			sqlite3_column_int(st, 4) != 0, sqlite3_column_int(st, 5) != 0,
		};

		if (g_hash_table_contains(c->thread, GINT_TO_POINTER(row.message)) ||
		    (*found && !settled_before(&row, x)))
			continue;
		*x = row;
		*found = TRUE;
	}
	sqlite3_reset(st);
	return KITH_OK;
}

/*
 * Whether closer c, had it arrived in date order, would have settled `x`,
 * which a later-dated message settled: in c's thread as the rule says;
 * outside it only when c delivers and x is older than `mine`, the item c
 * settled outside its thread (if any).
 */
static gboolean
would_have_settled(const closer *c, const settled_item *x, const settled_item *mine,
	gboolean have_mine)
{
	if (g_hash_table_contains(c->thread, GINT_TO_POINTER(x->message)))
		return c->delivers || x->is_request;
	return c->delivers && (!have_mine || settled_before(x, mine));
}

/*
 * The oldest untargeted item owed by c's parties, opened by c's date,
 * that a message dated after c settled and that c, in date order, would
 * have settled first (would_have_settled): into *x, with that message in
 * *later.  The index on (contact, owner, closed_at) keeps this to the
 * few items settled after c's date.
 */
static kith_status
find_reclaimable(kith_store *store, const closer *c, const settled_item *mine,
	gboolean have_mine, settled_item *x, gint64 *later, gboolean *found,
	char **errstr)
{
	sqlite3_stmt *st;
	kith_status status = KITH_OK;

	*found = FALSE;
	for (guint p = 0; p < c->parties->len && status == KITH_OK; p++) {
		status = store_stmt(store, "SELECT id, message, created, kind = 'request',"
			" closed_by FROM items WHERE contact_id = ?1 AND owner = ?2"
			" AND status = 'done' AND closed_by IS NOT NULL AND closed_at > ?3"
			" AND created <= ?3 AND target IS NULL", &st, errstr);
		if (status != KITH_OK)
			break;
		sqlite3_bind_int64(st, 1, g_array_index(c->parties, gint64, p));
		sqlite3_bind_text(st, 2, c->sent ? "me" : "them", -1, SQLITE_STATIC);
		sqlite3_bind_int64(st, 3, c->date);
		while (sqlite3_step(st) == SQLITE_ROW) {
			settled_item row = {
				sqlite3_column_int64(st, 0), sqlite3_column_int64(st, 1),
				sqlite3_column_int64(st, 2), g_array_index(c->parties, gint64, p),
				c->sent, sqlite3_column_int(st, 3) != 0,
			};

			if ((*found && !settled_before(&row, x)) ||
			    !would_have_settled(c, &row, mine, have_mine))
				continue;
			*x = row;
			*later = sqlite3_column_int64(st, 4);
			*found = TRUE;
		}
		sqlite3_reset(st);
	}
	return status;
}

static kith_status
item_is_open(kith_store *store, gint64 id, gboolean *open, char **errstr)
{
	sqlite3_stmt *st;
	kith_status status;

	*open = FALSE;
	status = store_stmt(store, "SELECT 1 FROM items WHERE id = ?1"
		" AND status IN ('open', 'snoozed')", &st, errstr);
	if (status != KITH_OK)
		return status;
	sqlite3_bind_int64(st, 1, id);
	*open = sqlite3_step(st) == SQLITE_ROW;
	sqlite3_reset(st);
	return KITH_OK;
}

/*
 * Closer c arrived after messages dated later than it: it takes back
 * each item one of them settled that c, in date order, would have
 * settled first.  That message then settles anew what it can
 * (close_backward), and an item c let go of for an older one is offered
 * to the deliveries after it (close_forward).  So the ledger is that of
 * the messages in date order, whatever order they arrive in (an old
 * archive imported after the inbox).  Each step hands an item to an
 * earlier message, or a message's claim to a later one, so this ends.
 */
static kith_status
reclaim_from_later(kith_store *store, const closer *c, items_result *result,
	char **errstr)
{
	kith_status status = KITH_OK;
	gboolean found = TRUE;

	while (status == KITH_OK && found) {
		settled_item mine = { 0 }, x = { 0 };
		gboolean have_mine = FALSE, outside, open = FALSE, closed = FALSE;
		items_result again = { 0 };
		gint64 later = 0;

		status = load_settled_outside(store, c, &mine, &have_mine, errstr);
		if (status == KITH_OK)
			status = find_reclaimable(store, c, &mine, have_mine, &x, &later,
				&found, errstr);
		if (status != KITH_OK || !found)
			break;
		outside = !g_hash_table_contains(c->thread, GINT_TO_POINTER(x.message));
		if (outside && have_mine)
			status = set_item_closer(store, mine.id, NULL, errstr);
		else
			result->closed++;
		if (status == KITH_OK)
			status = set_item_closer(store, x.id, c, errstr);
		if (status == KITH_OK)
			status = close_backward(store, later, &again, errstr);
		if (status != KITH_OK || !outside || !have_mine)
			continue;
		status = item_is_open(store, mine.id, &open, errstr);
		if (status == KITH_OK && open) {
			open_item it = open_item_of(&mine);

			status = close_forward(store, &it, mine.contact, mine.owed_by_me,
				mine.created, &closed, errstr);
		}
	}
	return status;
}

/*
 * Whether later closer c settles `it` (described by `self`).  A delivery
 * outside the item's thread settles the oldest untargeted item it can,
 * whatever order they arrive in: when c already settled a newer one, that
 * one is reopened into *displaced (*has_displaced) for the caller to
 * settle anew; when c settled an older one, c is spent.
 */
static kith_status
try_close_later(kith_store *store, closer *c, const open_item *it,
	const settled_item *self, gboolean *closed, settled_item *displaced,
	gboolean *has_displaced, char **errstr)
{
	settled_item x;
	gboolean found = FALSE;
	kith_status status;

	*closed = FALSE;
	if (it->target != NULL || !c->delivers ||
	    g_hash_table_contains(c->thread, GINT_TO_POINTER(it->message)))
		return try_close(store, c, it, closed, errstr);
	status = load_settled_outside(store, c, &x, &found, errstr);
	if (status != KITH_OK || (found && !settled_before(self, &x)))
		return status;
	if (found) {
		status = set_item_closer(store, x.id, NULL, errstr);
		if (status != KITH_OK)
			return status;
		*displaced = x;
		*has_displaced = TRUE;
	}
	return try_close(store, c, it, closed, errstr);
}

/* Whether one of the owing party's messages stored after `it` (described
 * by `self`), oldest first, settles it; *displaced as try_close_later. */
static kith_status
settle_from_later(kith_store *store, const open_item *it, const settled_item *self,
	gboolean *settled, settled_item *displaced, gboolean *has_displaced,
	char **errstr)
{
	GArray *later = g_array_new(FALSE, FALSE, sizeof(gint64));
	sqlite3_stmt *st;
	kith_status status;

	*settled = *has_displaced = FALSE;
	status = store_stmt(store, "SELECT message FROM interactions "
		"WHERE contact_id = ?1 AND direction = ?2 AND date >= ?3 AND message != ?4 "
		"ORDER BY date, message LIMIT 200", &st, errstr);
	if (status != KITH_OK)
		goto out;
	sqlite3_bind_int64(st, 1, self->contact);
	sqlite3_bind_int(st, 2, self->owed_by_me ? DIR_SENT : DIR_RECEIVED);
	sqlite3_bind_int64(st, 3, self->created);
	sqlite3_bind_int64(st, 4, self->message);
	while (sqlite3_step(st) == SQLITE_ROW) {
		gint64 id = sqlite3_column_int64(st, 0);

		g_array_append_val(later, id);
	}
	sqlite3_reset(st);
	for (guint i = 0; i < later->len && !*settled && status == KITH_OK; i++) {
		closer c;
		gboolean usable = FALSE;

		status = load_closer(store, g_array_index(later, gint64, i), &c, &usable,
			errstr);
		if (status == KITH_OK && usable)
			status = try_close_later(store, &c, it, self, settled, displaced,
				has_displaced, errstr);
		closer_clear(&c);
	}
out:
	g_array_unref(later);
	return status;
}

/*
 * Whether a message already stored, later than the item, settles it.  An
 * item it displaces is settled the same way in turn; each displaced item
 * is newer than the one before, so this ends.
 */
static kith_status
close_forward(kith_store *store, const open_item *it, gint64 contact,
	gboolean owed_by_me, gint64 since, gboolean *closed, char **errstr)
{
	settled_item self = { it->id, it->message, since, contact, owed_by_me,
		strcmp(it->kind, "request") == 0 };
	open_item cur = *it;
	kith_status status;

	for (;;) {
		settled_item displaced = { 0 };
		gboolean settled, has_displaced;

		status = settle_from_later(store, &cur, &self, &settled, &displaced,
			&has_displaced, errstr);
		if (cur.id == it->id)
			*closed = settled;
		if (status != KITH_OK || !has_displaced)
			return status;
		self = displaced;
		cur = open_item_of(&displaced);
	}
}

/* --- opening ---------------------------------------------------------------- */

static kith_status
record_events(kith_store *store, const items_message *m, const GPtrArray *hits,
	char **errstr)
{
	kith_status status = KITH_OK;

	for (guint i = 0; i < hits->len && status == KITH_OK; i++) {
		const detect_hit *hit = g_ptr_array_index(hits, i);
		const char *owner = NULL;
		gint64 contact = 0;

		if (hit->kind == DETECT_REQUEST || hit->kind == DETECT_PROMISE ||
		    !item_party(m, hit, &owner, &contact))
			continue;
		status = insert_event(store, m, hit, contact, errstr);
	}
	return status;
}

static kith_status
open_items(kith_store *store, const items_message *m, const GPtrArray *hits,
	items_result *result, char **errstr)
{
	kith_status status = KITH_OK;

	for (guint i = 0; i < hits->len && status == KITH_OK; i++) {
		const detect_hit *hit = g_ptr_array_index(hits, i);
		open_item it = { 0 };
		const char *owner = NULL;
		gint64 contact = 0;
		gboolean inserted = FALSE, closed = FALSE;

		if ((hit->kind != DETECT_REQUEST && hit->kind != DETECT_PROMISE) ||
		    !item_party(m, hit, &owner, &contact))
			continue;
		status = insert_item(store, m, hit, owner, contact, &inserted, errstr);
		if (status != KITH_OK || !inserted)
			continue;
		result->opened++;
		it.id = sqlite3_last_insert_rowid(store_db(store));
		it.message = m->rowid;
		it.kind = (char *)detect_kind_name(hit->kind);
		it.target = hit->target;
		it.created = m->date;
		if (m->dir == DIR_SENT)
			status = insert_recipients(store, it.id, m->recipients, errstr);
		if (status == KITH_OK)
			status = close_forward(store, &it, contact, strcmp(owner, "me") == 0,
				m->date, &closed, errstr);
		if (status == KITH_OK && closed)
			result->closed++;
	}
	return status;
}

kith_status
items_record(kith_store *store, const items_message *m, const GPtrArray *hits,
	items_result *result, char **errstr)
{
	kith_status status;

	/* The signals first (a fulfilment phrase is what closing reads), then
	 * what this message settles, then what it opens: a reply that
	 * promises more opens an item that this same message must not close. */
	status = record_events(store, m, hits, errstr);
	if (status == KITH_OK)
		status = close_backward(store, m->rowid, result, errstr);
	if (status == KITH_OK)
		status = open_items(store, m, hits, result, errstr);
	return status;
}

kith_status
items_set_status(kith_store *store, gint64 id, const char *status_name,
	const char *snooze_until, gint64 closed_at, char **errstr)
{
	sqlite3_stmt *st;
	kith_status status;

	/* the user's word: no message settled it, and none takes it back */
	status = store_stmt(store, "UPDATE items SET status = ?2, snooze_until = ?3,"
		" closed_at = ?4, closed_by = NULL WHERE id = ?1", &st, errstr);
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
