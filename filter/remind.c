/*
 * remind.c - what needs attention today, from the store (see remind.h for
 * the rules of each kind).  Read-only; every date is relative to cfg->now.
 */
#include <stdio.h>
#include <string.h>

#include "remind.h"

const char *
remind_kind_name(remind_kind kind)
{
	static const char *const names[REMIND_KIND_COUNT] = {
		"owe", "waiting", "unanswered", "reconnect", "balance", "need",
	};

	return (int)kind >= 0 && kind < REMIND_KIND_COUNT ? names[kind] : "?";
}

static void
entry_free(gpointer p)
{
	remind_entry *e = p;

	if (e == NULL)
		return;
	g_free(e->address);
	g_free(e->name);
	g_free(e->what);
	g_free(e->sentence);
	g_free(e->subject);
	g_free(e);
}

void
remind_report_free(remind_report *report)
{
	if (report == NULL)
		return;
	if (report->entries != NULL)
		g_ptr_array_unref(report->entries);
	g_free(report);
}

GPtrArray *
remind_report_kind(const remind_report *report, remind_kind kind)
{
	GPtrArray *out = g_ptr_array_new();

	for (guint i = 0; i < report->entries->len; i++) {
		remind_entry *e = g_ptr_array_index(report->entries, i);

		if (e->kind == kind)
			g_ptr_array_add(out, e);
	}
	return out;
}

guint
remind_report_total(const remind_report *report)
{
	return report->entries->len;
}

/* --- dates ---------------------------------------------------------------- */

void
remind_date_of_unix(gint64 unix_time, GDate *out)
{
	GDateTime *dt = g_date_time_new_from_unix_local(unix_time);
	int y, m, d;

	g_date_clear(out, 1);
	if (dt == NULL) {
		g_date_set_dmy(out, 1, 1, 1970);
		return;
	}
	g_date_time_get_ymd(dt, &y, &m, &d);
	g_date_set_dmy(out, (GDateDay)d, (GDateMonth)m, (GDateYear)y);
	g_date_time_unref(dt);
}

void
remind_today(const kith_config *cfg, GDate *out)
{
	int y, m, d;

	g_date_clear(out, 1);
	g_date_time_get_ymd(cfg->now, &y, &m, &d);
	g_date_set_dmy(out, (GDateDay)d, (GDateMonth)m, (GDateYear)y);
}

int
remind_business_days(const GDate *from, const GDate *to)
{
	GDate d = *from;
	int n = 0;

	if (g_date_compare(to, from) <= 0)
		return 0;
	/* Whole weeks first, so a years-old request costs nothing. */
	while (g_date_days_between(&d, to) > 7) {
		g_date_add_days(&d, 7);
		n += 5;
	}
	while (g_date_compare(&d, to) < 0) {
		GDateWeekday wd;

		g_date_add_days(&d, 1);
		wd = g_date_get_weekday(&d);
		if (wd != G_DATE_SATURDAY && wd != G_DATE_SUNDAY)
			n++;
	}
	return n;
}

/* Parses "YYYY-MM-DD"; FALSE when it is not one. */
static gboolean
parse_ymd(const char *s, GDate *out)
{
	unsigned y, m, d;

	g_date_clear(out, 1);
	if (s == NULL || sscanf(s, "%4u-%2u-%2u", &y, &m, &d) != 3 ||
	    !g_date_valid_dmy((GDateDay)d, (GDateMonth)m, (GDateYear)y))
		return FALSE;
	g_date_set_dmy(out, (GDateDay)d, (GDateMonth)m, (GDateYear)y);
	return TRUE;
}

double
remind_strength(guint sent, guint received)
{
	guint two_way = MIN(sent, received);
	guint one_way = MAX(sent, received) - two_way;

	double x = two_way + 0.05 * one_way;

	/* Grows with the mail, but ever more slowly: never above 8. */
	return x / (1.0 + x / 8.0);
}

static char *
col_dup(sqlite3_stmt *st, int col)
{
	const unsigned char *s = sqlite3_column_text(st, col);

	return s != NULL ? g_strdup((const char *)s) : NULL;
}

/* --- items: owe, waiting, unanswered --------------------------------------- */

static const char items_sql[] =
	"SELECT i.id, i.kind, i.owner, i.contact_id, i.sentence, i.due, i.created,"
	" m.subject, c.name,"
	" (SELECT min(addr) FROM addresses a WHERE a.contact_id = i.contact_id) "
	"FROM items i JOIN messages m ON m.id = i.message "
	"JOIN contacts c ON c.id = i.contact_id "
	"WHERE i.status = 'open' OR (i.status = 'snoozed' AND i.snooze_until <= ?1) "
	"ORDER BY i.id";

/* A reply from them (or from another recipient of my request) after the
 * request was sent.  Auto-replies and digest commands make no
 * interactions, so they are never replies. */
static const char reply_sql[] =
	"SELECT 1 FROM interactions "
	"WHERE direction = 0 AND date > ?2 AND (contact_id = ?1 OR contact_id IN"
	" (SELECT contact_id FROM item_recipients WHERE item = ?3)) LIMIT 1";

static kith_status
has_reply(kith_store *store, gint64 contact, gint64 item, gint64 since,
	gboolean *out, char **errstr)
{
	sqlite3_stmt *st;
	kith_status status;

	status = store_stmt(store, reply_sql, &st, errstr);
	if (status != KITH_OK)
		return status;
	sqlite3_bind_int64(st, 1, contact);
	sqlite3_bind_int64(st, 2, since);
	sqlite3_bind_int64(st, 3, item);
	*out = sqlite3_step(st) == SQLITE_ROW;
	sqlite3_reset(st);
	return KITH_OK;
}

/* A new entry for the contact of the current row: its id, name and
 * address from the given columns (a missing one reads as ""). */
static remind_entry *
entry_for_row(sqlite3_stmt *st, remind_kind kind, int id_col, int name_col,
	int addr_col)
{
	remind_entry *e = g_new0(remind_entry, 1);

	e->kind = kind;
	e->contact_id = sqlite3_column_int64(st, id_col);
	e->name = col_dup(st, name_col);
	e->address = col_dup(st, addr_col);
	if (e->name == NULL)
		e->name = g_strdup("");
	if (e->address == NULL)
		e->address = g_strdup("");
	return e;
}

static kith_status
collect_items(kith_store *store, const kith_config *cfg, remind_report *r,
	char **errstr)
{
	sqlite3_stmt *st;
	kith_status status;
	char today_s[16];
	GPtrArray *rows = g_ptr_array_new_with_free_func(entry_free);

	g_date_strftime(today_s, sizeof today_s, "%Y-%m-%d", &r->today);
	status = store_stmt(store, items_sql, &st, errstr);
	if (status != KITH_OK)
		goto out;
	sqlite3_bind_text(st, 1, today_s, -1, SQLITE_TRANSIENT);
	while (sqlite3_step(st) == SQLITE_ROW) {
		const char *owner = (const char *)sqlite3_column_text(st, 2);
		gint64 created = sqlite3_column_int64(st, 6);
		remind_entry *e = entry_for_row(st, g_str_equal(owner, "me") ?
			REMIND_OWE : REMIND_WAITING, 3, 8, 9);

		e->item_id = sqlite3_column_int64(st, 0);
		e->what = col_dup(st, 1);
		e->sentence = col_dup(st, 4);
		e->due_explicit = parse_ymd((const char *)sqlite3_column_text(st, 5),
			&e->date);
		if (!e->due_explicit) {
			remind_date_of_unix(created, &e->date);
			g_date_add_days(&e->date, (guint)MAX(cfg->default_due_days, 0));
		}
		/* `days` carries the creation time until it is classified. */
		e->score = (double)created;
		e->subject = col_dup(st, 7);
		g_ptr_array_add(rows, e);
	}
	sqlite3_reset(st);

	for (guint i = 0; i < rows->len; i++) {
		remind_entry *e = g_ptr_array_index(rows, i);
		gint64 created = (gint64)e->score;
		int past = (int)g_date_days_between(&e->date, &r->today);
		gboolean keep = FALSE;

		if (e->kind == REMIND_OWE) {
			keep = past >= 0;
		} else {
			gboolean replied = TRUE;

			if (g_str_equal(e->what, "request")) {
				status = has_reply(store, e->contact_id, e->item_id, created,
					&replied, errstr);
				if (status != KITH_OK)
					goto out;
			}
			if (!replied) {
				GDate sent;

				remind_date_of_unix(created, &sent);
				e->days = remind_business_days(&sent, &r->today);
				if (e->days >= cfg->unanswered_days) {
					e->kind = REMIND_UNANSWERED;
					e->date = sent;
					e->score = e->days;
					keep = TRUE;
				}
			}
			if (!keep)
				keep = past > 0;
		}
		if (!keep)
			continue;
		if (e->kind != REMIND_UNANSWERED) {
			e->days = past;
			/* Most overdue first; for ties the older item. */
			e->score = past - created / 1e12;
		}
		g_ptr_array_index(rows, i) = NULL;
		g_ptr_array_add(r->entries, e);
	}
out:
	g_ptr_array_unref(rows);
	return status;
}

/* --- reconnect ------------------------------------------------------------- */

static const char reconnect_sql[] =
	"SELECT c.id, c.name, c.role, c.cadence,"
	" (SELECT min(addr) FROM addresses a WHERE a.contact_id = c.id),"
	" (SELECT max(date) FROM interactions i WHERE i.contact_id = c.id),"
	" (SELECT count(*) FROM interactions i WHERE i.contact_id = c.id AND i.direction = 1),"
	" (SELECT count(*) FROM interactions i WHERE i.contact_id = c.id AND i.direction = 0) "
	"FROM contacts c "
	"WHERE EXISTS (SELECT 1 FROM interactions i WHERE i.contact_id = c.id"
	" AND i.direction = 1)";

static kith_status
collect_reconnect(kith_store *store, const kith_config *cfg, remind_report *r,
	char **errstr)
{
	sqlite3_stmt *st;
	kith_status status;

	status = store_stmt(store, reconnect_sql, &st, errstr);
	if (status != KITH_OK)
		return status;
	while (sqlite3_step(st) == SQLITE_ROW) {
		kith_role role = ROLE_NONE;
		int cadence;
		GDate last;
		int days;
		remind_entry *e;

		if (!role_parse((const char *)sqlite3_column_text(st, 2), &role))
			role = ROLE_NONE;
		cadence = sqlite3_column_type(st, 3) != SQLITE_NULL &&
			sqlite3_column_int(st, 3) > 0 ? sqlite3_column_int(st, 3) :
			config_cadence_for_role(cfg, role);
		remind_date_of_unix(sqlite3_column_int64(st, 5), &last);
		days = (int)g_date_days_between(&last, &r->today);
		if (cadence <= 0 || days < cadence)
			continue;
		e = entry_for_row(st, REMIND_RECONNECT, 0, 1, 4);
		e->date = last;
		e->days = days;
		e->cadence = cadence;
		e->strength = remind_strength((guint)sqlite3_column_int(st, 6),
			(guint)sqlite3_column_int(st, 7));
		e->score = ((double)days / cadence) * (1.0 + e->strength);
		g_ptr_array_add(r->entries, e);
	}
	sqlite3_reset(st);
	return KITH_OK;
}

/* --- balance --------------------------------------------------------------- */

#define GAVE_SQL(c) \
	"((SELECT count(*) FROM items g WHERE g.contact_id = " c " AND g.owner = 'me'" \
	"   AND g.status = 'done')" \
	" + (SELECT count(*) FROM events g WHERE g.contact_id = " c \
	"   AND g.direction = 1 AND g.kind IN ('intro', 'offer'))" \
	" + (SELECT count(*) FROM events g WHERE g.contact_id = " c \
	"   AND g.direction = 0 AND g.kind = 'thanks'))"
#define ASKED_SQL(c) \
	"(SELECT count(*) FROM items t WHERE t.contact_id = " c " AND t.owner = 'them'" \
	" AND t.kind = 'request')"
#define TOOK_SQL(c) \
	"(" ASKED_SQL(c) " + (SELECT count(*) FROM events t WHERE t.contact_id = " c \
	" AND t.direction = 1 AND t.kind = 'thanks'))"

/* Asked this many times with nothing given: offer help first. */
#define BALANCE_ASKED 3

static const char balance_sql[] =
	"SELECT c.id, c.name,"
	" (SELECT min(addr) FROM addresses a WHERE a.contact_id = c.id),"
	" " ASKED_SQL("c.id") ","
	" (SELECT max(created) FROM items t WHERE t.contact_id = c.id AND t.owner = 'them'"
	"  AND t.kind = 'request'),"
	" (SELECT count(*) FROM interactions i WHERE i.contact_id = c.id AND i.direction = 1),"
	" (SELECT count(*) FROM interactions i WHERE i.contact_id = c.id AND i.direction = 0) "
	"FROM contacts c "
	"WHERE " ASKED_SQL("c.id") " >= ?1 AND " GAVE_SQL("c.id") " = 0";

static kith_status
collect_balance(kith_store *store, remind_report *r, char **errstr)
{
	sqlite3_stmt *st;
	kith_status status;

	status = store_stmt(store, balance_sql, &st, errstr);
	if (status != KITH_OK)
		return status;
	sqlite3_bind_int(st, 1, BALANCE_ASKED);
	while (sqlite3_step(st) == SQLITE_ROW) {
		remind_entry *e = entry_for_row(st, REMIND_BALANCE, 0, 1, 2);

		e->days = sqlite3_column_int(st, 3);
		remind_date_of_unix(sqlite3_column_int64(st, 4), &e->date);
		e->strength = remind_strength((guint)sqlite3_column_int(st, 5),
			(guint)sqlite3_column_int(st, 6));
		e->score = e->days;
		g_ptr_array_add(r->entries, e);
	}
	sqlite3_reset(st);
	return KITH_OK;
}

/* --- needs ----------------------------------------------------------------- */

/* Their needs said since ?1, unless I answered since with an introduction,
 * an offer or a promise to them. */
static const char needs_sql[] =
	"SELECT e.contact_id, c.name,"
	" (SELECT min(addr) FROM addresses a WHERE a.contact_id = e.contact_id),"
	" e.sentence, e.date, m.subject "
	"FROM events e JOIN contacts c ON c.id = e.contact_id "
	"JOIN messages m ON m.id = e.message "
	"WHERE e.kind = 'need' AND e.direction = 0 AND e.date >= ?1"
	" AND NOT EXISTS (SELECT 1 FROM events g WHERE g.contact_id = e.contact_id"
	"  AND g.direction = 1 AND g.kind IN ('intro', 'offer') AND g.date >= e.date)"
	" AND NOT EXISTS (SELECT 1 FROM items p WHERE p.contact_id = e.contact_id"
	"  AND p.owner = 'me' AND p.kind = 'promise' AND p.created >= e.date) "
	"ORDER BY e.date DESC, e.id";

static kith_status
collect_needs(kith_store *store, const kith_config *cfg, remind_report *r,
	char **errstr)
{
	sqlite3_stmt *st;
	kith_status status;
	gint64 since = g_date_time_to_unix(cfg->now) -
		(gint64)MAX(cfg->default_cadence, 1) * 86400;

	status = store_stmt(store, needs_sql, &st, errstr);
	if (status != KITH_OK)
		return status;
	sqlite3_bind_int64(st, 1, since);
	while (sqlite3_step(st) == SQLITE_ROW) {
		remind_entry *e = entry_for_row(st, REMIND_NEED, 0, 1, 2);

		e->what = g_strdup("need");
		e->sentence = col_dup(st, 3);
		remind_date_of_unix(sqlite3_column_int64(st, 4), &e->date);
		e->days = MAX(0, (int)g_date_days_between(&e->date, &r->today));
		e->subject = col_dup(st, 5);
		e->score = -(double)e->days;
		g_ptr_array_add(r->entries, e);
	}
	sqlite3_reset(st);
	return KITH_OK;
}

/* --- the report ------------------------------------------------------------ */

static gint
entry_cmp(gconstpointer a, gconstpointer b)
{
	const remind_entry *x = *(remind_entry *const *)a;
	const remind_entry *y = *(remind_entry *const *)b;

	if (x->kind != y->kind)
		return x->kind < y->kind ? -1 : 1;
	if (x->score != y->score)
		return x->score > y->score ? -1 : 1;
	if (x->item_id != y->item_id)
		return x->item_id < y->item_id ? -1 : 1;
	return strcmp(x->address, y->address);
}

kith_status
remind_compute(kith_store *store, const kith_config *cfg, remind_report **out,
	char **errstr)
{
	remind_report *r = g_new0(remind_report, 1);
	kith_status status;

	r->entries = g_ptr_array_new_with_free_func(entry_free);
	remind_today(cfg, &r->today);
	if ((status = collect_items(store, cfg, r, errstr)) != KITH_OK ||
	    (status = collect_reconnect(store, cfg, r, errstr)) != KITH_OK ||
	    (status = collect_balance(store, r, errstr)) != KITH_OK ||
	    (status = collect_needs(store, cfg, r, errstr)) != KITH_OK)
		goto out;
	g_ptr_array_sort(r->entries, entry_cmp);
	for (guint i = 0; i < r->entries->len; i++) {
		remind_entry *e = g_ptr_array_index(r->entries, i);

		r->count[e->kind]++;
		if (e->kind == REMIND_OWE && e->days > 0)
			r->overdue++;
	}
	*out = r;
	r = NULL;
out:
	remind_report_free(r);
	return status;
}

/* --- one relationship ------------------------------------------------------ */

static const char relation_sql[] =
	"SELECT"
	" (SELECT count(*) FROM interactions WHERE contact_id = ?1 AND direction = 1),"
	" (SELECT count(*) FROM interactions WHERE contact_id = ?1 AND direction = 0),"
	" (SELECT count(*) FROM interactions WHERE contact_id = ?1 AND direction = 2),"
	" (SELECT max(date) FROM interactions WHERE contact_id = ?1),"
	" " GAVE_SQL("?1") ", " TOOK_SQL("?1") ", " ASKED_SQL("?1");

kith_status
remind_relation_get(kith_store *store, gint64 contact_id, remind_relation *out,
	char **errstr)
{
	sqlite3_stmt *st;
	kith_status status;

	memset(out, 0, sizeof *out);
	status = store_stmt(store, relation_sql, &st, errstr);
	if (status != KITH_OK)
		return status;
	sqlite3_bind_int64(st, 1, contact_id);
	if (sqlite3_step(st) == SQLITE_ROW) {
		out->sent = (guint)sqlite3_column_int(st, 0);
		out->received = (guint)sqlite3_column_int(st, 1);
		out->copied = (guint)sqlite3_column_int(st, 2);
		out->last = sqlite3_column_int64(st, 3);
		out->gave = (guint)sqlite3_column_int(st, 4);
		out->took = (guint)sqlite3_column_int(st, 5);
		out->asked = (guint)sqlite3_column_int(st, 6);
	}
	sqlite3_reset(st);
	out->strength = remind_strength(out->sent, out->received);
	return KITH_OK;
}
