/*
 * cmd_contact.c - `kith contact`: what kith cannot know about a person.
 *
 *   kith contact ADDRESS [--name N] [--role ROLE] [--cadence DAYS]
 *                        [--note TEXT] [--tag T]...
 *   kith contact merge ADDRESS ADDRESS
 *   kith contact forget ADDRESS
 *
 * Setting anything creates the contact when it is new (not when it was
 * forgotten).  --name fixes the name (mail no longer changes it); --role is
 * challenger, expert, hub, mentor, promoter, role-model or none; --cadence
 * 0 goes back to the role's default; --tag adds a tag (repeatable).  With no
 * option it prints what it knows.  `merge` makes the second address's
 * person part of the first's (addresses, interactions, items, events, tags;
 * the best name is kept).  `forget` deletes the person and everything
 * derived from their mail, keeps only a salted hash of each address so they
 * are not recorded again, and rewrites the database file (forget.h).
 */
#include <stdio.h>
#include <string.h>

#include "cmdutil.h"
#include "commands.h"
#include "drain.h"
#include "forget.h"
#include "message.h"
#include "remind.h"
#include "safe.h"

static kith_status
lookup(kith_store *store, const char *arg, char **addr, gint64 *id, char **errstr)
{
	*addr = message_normalize_address(arg);
	if (*addr == NULL)
		return kith_fail(errstr, KITH_E_USAGE, "contact: '%s' is not an address", arg);
	*id = store_contact_lookup(store, *addr);
	if (*id == 0)
		return kith_fail(errstr, KITH_E_NOINPUT, "contact: no contact %s", *addr);
	return KITH_OK;
}

/* Runs a statement bound to (?1, ?2) = (a, b) to completion. */
static kith_status
exec_ids(kith_store *store, const char *sql, gint64 a, gint64 b, char **errstr)
{
	sqlite3_stmt *st;
	kith_status status;
	int rc;

	status = store_stmt(store, sql, &st, errstr);
	if (status != KITH_OK)
		return status;
	sqlite3_bind_int64(st, 1, a);
	if (sqlite3_bind_parameter_count(st) >= 2)
		sqlite3_bind_int64(st, 2, b);
	rc = sqlite3_step(st);
	sqlite3_reset(st);
	return rc == SQLITE_DONE ? KITH_OK : store_error(store, "update contact", errstr);
}

/* --- show -------------------------------------------------------------------- */

static void
field(const char *label, const char *value)
{
	char *clean = safe_terminal(value, 0);

	printf("%-10s %s\n", label, clean);
	g_free(clean);
}

kith_status
contact_print_card(kith_store *store, const kith_config *cfg, gint64 id,
	char **errstr)
{
	sqlite3_stmt *st;
	kith_status status;
	GString *list = g_string_new(NULL);
	remind_relation rel;
	kith_role role = ROLE_NONE;
	char *s;

	status = store_stmt(store, "SELECT name, role, cadence, note, name_fixed "
		"FROM contacts WHERE id = ?1", &st, errstr);
	if (status != KITH_OK)
		goto out;
	sqlite3_bind_int64(st, 1, id);
	if (sqlite3_step(st) == SQLITE_ROW) {
		field("name", (const char *)sqlite3_column_text(st, 0));
		if (!role_parse((const char *)sqlite3_column_text(st, 1), &role))
			role = ROLE_NONE;
		field("role", role_name(role));
		if (sqlite3_column_type(st, 2) != SQLITE_NULL)
			printf("%-10s %d days\n", "cadence", sqlite3_column_int(st, 2));
		else
			printf("%-10s %d days (the %s default)\n", "cadence",
				config_cadence_for_role(cfg, role),
				role == ROLE_NONE ? "general" : role_name(role));
		if (*(const char *)sqlite3_column_text(st, 3) != '\0')
			field("note", (const char *)sqlite3_column_text(st, 3));
	}
	sqlite3_reset(st);
	status = store_stmt(store, "SELECT addr FROM addresses WHERE contact_id = ?1 "
		"ORDER BY addr", &st, errstr);
	if (status != KITH_OK)
		goto out;
	sqlite3_bind_int64(st, 1, id);
	while (sqlite3_step(st) == SQLITE_ROW)
		g_string_append_printf(list, "%s%s", list->len ? ", " : "",
			(const char *)sqlite3_column_text(st, 0));
	sqlite3_reset(st);
	field("addresses", list->str);
	g_string_truncate(list, 0);
	status = store_stmt(store, "SELECT tag FROM tags WHERE contact_id = ?1 "
		"ORDER BY tag", &st, errstr);
	if (status != KITH_OK)
		goto out;
	sqlite3_bind_int64(st, 1, id);
	while (sqlite3_step(st) == SQLITE_ROW)
		g_string_append_printf(list, "%s%s", list->len ? ", " : "",
			(const char *)sqlite3_column_text(st, 0));
	sqlite3_reset(st);
	if (list->len > 0)
		field("tags", list->str);
	status = remind_relation_get(store, id, &rel, errstr);
	if (status != KITH_OK)
		goto out;
	s = g_strdup_printf("%u sent, %u received, %u copied (strength %.1f)",
		rel.sent, rel.received, rel.copied, rel.strength);
	field("mail", s);
	g_free(s);
	s = g_strdup_printf("gave %u, took %u", rel.gave, rel.took);
	field("give/take", s);
	g_free(s);
out:
	g_string_free(list, TRUE);
	return status;
}

/* --- set --------------------------------------------------------------------- */

typedef struct {
	char *name;
	char *role;
	int cadence;          /* -1: unchanged */
	char *note;
	char **tags;
} contact_opts;

static gboolean
opts_any(const contact_opts *o)
{
	return o->name != NULL || o->role != NULL || o->cadence >= 0 ||
	       o->note != NULL || (o->tags != NULL && o->tags[0] != NULL);
}

static kith_status
check_text(const char *what, const char *s, char **errstr)
{
	if (s != NULL && !g_utf8_validate(s, -1, NULL))
		return kith_fail(errstr, KITH_E_USAGE, "contact: --%s is not UTF-8", what);
	return KITH_OK;
}

static kith_status
contact_set(kith_config *cfg, const char *arg, const contact_opts *o, char **errstr)
{
	kith_store *store = NULL;
	kith_status status;
	char *addr = message_normalize_address(arg);
	kith_role role = ROLE_NONE;
	sqlite3_stmt *st;
	gint64 id = 0;
	gboolean created = FALSE;
	gint64 now = g_date_time_to_unix(cfg->now);

	if (addr == NULL) {
		status = kith_fail(errstr, KITH_E_USAGE, "contact: '%s' is not an address", arg);
		goto out;
	}
	if (o->role != NULL && !role_parse(o->role, &role)) {
		status = kith_fail(errstr, KITH_E_USAGE, "contact: --role %s: expected "
			"challenger, expert, hub, mentor, promoter, role-model or none", o->role);
		goto out;
	}
	if ((status = check_text("name", o->name, errstr)) != KITH_OK ||
	    (status = check_text("note", o->note, errstr)) != KITH_OK)
		goto out;
	for (char **t = o->tags; t != NULL && *t != NULL; t++) {
		if ((status = check_text("tag", *t, errstr)) != KITH_OK)
			goto out;
		if (**t == '\0') {
			status = kith_fail(errstr, KITH_E_USAGE, "contact: --tag is empty");
			goto out;
		}
	}
	status = drain_open_store(cfg, &store, errstr);
	if (status != KITH_OK)
		goto out;
	if (!opts_any(o)) {
		id = store_contact_lookup(store, addr);
		status = id == 0 ? kith_fail(errstr, KITH_E_NOINPUT, "contact: no contact %s",
			addr) : contact_print_card(store, cfg, id, errstr);
		goto out;
	}
	status = store_begin(store, errstr);
	if (status != KITH_OK)
		goto out;
	status = store_contact_for_address(store, addr, NULL, now, &id, &created, errstr);
	if (status != KITH_OK)
		goto out;
	if (id == 0) {
		status = kith_fail(errstr, KITH_E_USAGE, "contact: %s was forgotten", addr);
		goto out;
	}
	if (o->name != NULL) {
		status = store_stmt(store, "UPDATE contacts SET name = ?2, name_fixed = 1,"
			" name_date = ?3 WHERE id = ?1", &st, errstr);
		if (status != KITH_OK)
			goto out;
		sqlite3_bind_int64(st, 1, id);
		sqlite3_bind_text(st, 2, o->name, -1, SQLITE_STATIC);
		sqlite3_bind_int64(st, 3, now);
		if (sqlite3_step(st) != SQLITE_DONE) {
			sqlite3_reset(st);
			status = store_error(store, "set name", errstr);
			goto out;
		}
		sqlite3_reset(st);
	}
	if (o->role != NULL) {
		status = store_stmt(store, "UPDATE contacts SET role = ?2 WHERE id = ?1",
			&st, errstr);
		if (status != KITH_OK)
			goto out;
		sqlite3_bind_int64(st, 1, id);
		sqlite3_bind_text(st, 2, role_name(role), -1, SQLITE_STATIC);
		if (sqlite3_step(st) != SQLITE_DONE) {
			sqlite3_reset(st);
			status = store_error(store, "set role", errstr);
			goto out;
		}
		sqlite3_reset(st);
	}
	if (o->cadence == 0)
		status = exec_ids(store, "UPDATE contacts SET cadence = NULL WHERE id = ?1",
			id, 0, errstr);
	else if (o->cadence > 0)
		status = exec_ids(store, "UPDATE contacts SET cadence = ?2 WHERE id = ?1",
			id, o->cadence, errstr);
	if (status != KITH_OK)
		goto out;
	if (o->note != NULL) {
		status = store_stmt(store, "UPDATE contacts SET note = ?2 WHERE id = ?1",
			&st, errstr);
		if (status != KITH_OK)
			goto out;
		sqlite3_bind_int64(st, 1, id);
		sqlite3_bind_text(st, 2, o->note, -1, SQLITE_STATIC);
		if (sqlite3_step(st) != SQLITE_DONE) {
			sqlite3_reset(st);
			status = store_error(store, "set note", errstr);
			goto out;
		}
		sqlite3_reset(st);
	}
	for (char **t = o->tags; t != NULL && *t != NULL; t++) {
		status = store_stmt(store, "INSERT OR IGNORE INTO tags (contact_id, tag) "
			"VALUES (?1, ?2)", &st, errstr);
		if (status != KITH_OK)
			goto out;
		sqlite3_bind_int64(st, 1, id);
		sqlite3_bind_text(st, 2, *t, -1, SQLITE_STATIC);
		if (sqlite3_step(st) != SQLITE_DONE) {
			sqlite3_reset(st);
			status = store_error(store, "add tag", errstr);
			goto out;
		}
		sqlite3_reset(st);
	}
	status = store_commit(store, errstr);
	if (status != KITH_OK)
		goto out;
	status = contact_print_card(store, cfg, id, errstr);
out:
	store_close(store);
	g_free(addr);
	return status;
}

/* --- merge ------------------------------------------------------------------- */

typedef struct {
	char *name;
	gint64 name_date;
	gboolean name_fixed;
	char *role;
	gboolean has_cadence;
	int cadence;
	char *note;
	gint64 created;
} contact_row;

static kith_status
read_row(kith_store *store, gint64 id, contact_row *r, char **errstr)
{
	sqlite3_stmt *st;
	kith_status status;

	memset(r, 0, sizeof *r);
	status = store_stmt(store, "SELECT name, name_date, name_fixed, role, cadence,"
		" note, created FROM contacts WHERE id = ?1", &st, errstr);
	if (status != KITH_OK)
		return status;
	sqlite3_bind_int64(st, 1, id);
	if (sqlite3_step(st) == SQLITE_ROW) {
		r->name = g_strdup((const char *)sqlite3_column_text(st, 0));
		r->name_date = sqlite3_column_int64(st, 1);
		r->name_fixed = sqlite3_column_int(st, 2) != 0;
		r->role = g_strdup((const char *)sqlite3_column_text(st, 3));
		r->has_cadence = sqlite3_column_type(st, 4) != SQLITE_NULL;
		r->cadence = sqlite3_column_int(st, 4);
		r->note = g_strdup((const char *)sqlite3_column_text(st, 5));
		r->created = sqlite3_column_int64(st, 6);
	}
	sqlite3_reset(st);
	return KITH_OK;
}

static void
clear_row(contact_row *r)
{
	g_free(r->name);
	g_free(r->role);
	g_free(r->note);
}

static kith_status
contact_merge(kith_config *cfg, const char *arg_a, const char *arg_b, char **errstr)
{
	static const char *const moves[] = {
		"UPDATE OR IGNORE interactions SET contact_id = ?1 WHERE contact_id = ?2",
		"DELETE FROM interactions WHERE contact_id = ?2",
		"UPDATE OR IGNORE items SET contact_id = ?1 WHERE contact_id = ?2",
		"DELETE FROM items WHERE contact_id = ?2",
		"UPDATE OR IGNORE item_recipients SET contact_id = ?1 WHERE contact_id = ?2",
		"DELETE FROM item_recipients WHERE contact_id = ?2",
		"DELETE FROM item_recipients WHERE contact_id = ?1 AND item IN"
		" (SELECT id FROM items WHERE contact_id = ?1)",
		"UPDATE OR IGNORE events SET contact_id = ?1 WHERE contact_id = ?2",
		"DELETE FROM events WHERE contact_id = ?2",
		"INSERT OR IGNORE INTO tags (contact_id, tag)"
		" SELECT ?1, tag FROM tags WHERE contact_id = ?2",
		"UPDATE addresses SET contact_id = ?1 WHERE contact_id = ?2",
	};
	kith_store *store = NULL;
	kith_status status;
	char *a = NULL, *b = NULL, *note = NULL;
	gint64 ida = 0, idb = 0;
	contact_row ra = { 0 }, rb = { 0 };
	const contact_row *best;
	sqlite3_stmt *st;

	status = drain_open_store(cfg, &store, errstr);
	if (status != KITH_OK)
		goto out;
	if ((status = lookup(store, arg_a, &a, &ida, errstr)) != KITH_OK ||
	    (status = lookup(store, arg_b, &b, &idb, errstr)) != KITH_OK)
		goto out;
	if (ida == idb) {
		printf("%s and %s are already one contact\n", a, b);
		goto out;
	}
	status = store_begin(store, errstr);
	if (status != KITH_OK)
		goto out;
	if ((status = read_row(store, ida, &ra, errstr)) != KITH_OK ||
	    (status = read_row(store, idb, &rb, errstr)) != KITH_OK)
		goto out;
	for (gsize i = 0; i < G_N_ELEMENTS(moves); i++) {
		status = exec_ids(store, moves[i], ida, idb, errstr);
		if (status != KITH_OK)
			goto out;
	}
	/* The best name: one the user set, else the newest seen. */
	if (ra.name_fixed)
		best = &ra;
	else if (rb.name_fixed)
		best = &rb;
	else if (*ra.name == '\0' || (*rb.name != '\0' && rb.name_date > ra.name_date))
		best = &rb;
	else
		best = &ra;
	note = *ra.note != '\0' && *rb.note != '\0' ?
		g_strconcat(ra.note, "\n", rb.note, NULL) :
		g_strdup(*ra.note != '\0' ? ra.note : rb.note);
	status = store_stmt(store, "UPDATE contacts SET name = ?2, name_date = ?3,"
		" name_fixed = ?4, role = ?5, cadence = ?6, note = ?7, created = ?8 "
		"WHERE id = ?1", &st, errstr);
	if (status != KITH_OK)
		goto out;
	sqlite3_bind_int64(st, 1, ida);
	sqlite3_bind_text(st, 2, best->name, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 3, best->name_date);
	sqlite3_bind_int(st, 4, best->name_fixed);
	sqlite3_bind_text(st, 5, g_str_equal(ra.role, "none") ? rb.role : ra.role, -1,
		SQLITE_STATIC);
	if (ra.has_cadence || rb.has_cadence)
		sqlite3_bind_int(st, 6, ra.has_cadence ? ra.cadence : rb.cadence);
	sqlite3_bind_text(st, 7, note, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 8, MIN(ra.created, rb.created));
	if (sqlite3_step(st) != SQLITE_DONE) {
		sqlite3_reset(st);
		status = store_error(store, "merge contacts", errstr);
		goto out;
	}
	sqlite3_reset(st);
	status = exec_ids(store, "DELETE FROM contacts WHERE id = ?1", idb, 0, errstr);
	if (status != KITH_OK)
		goto out;
	status = store_commit(store, errstr);
	if (status != KITH_OK)
		goto out;
	status = contact_print_card(store, cfg, ida, errstr);
out:
	clear_row(&ra);
	clear_row(&rb);
	g_free(note);
	g_free(a);
	g_free(b);
	store_close(store);
	return status;
}

/* --- forget ------------------------------------------------------------------ */

static kith_status
contact_forget(kith_config *cfg, const char *arg, char **errstr)
{
	kith_store *store = NULL;
	kith_status status;
	char *addr = NULL;
	gint64 id = 0;
	guint n = 0;

	status = drain_open_store(cfg, &store, errstr);
	if (status != KITH_OK)
		goto out;
	status = lookup(store, arg, &addr, &id, errstr);
	if (status != KITH_OK)
		goto out;
	status = store_begin(store, errstr);
	if (status != KITH_OK)
		goto out;
	status = forget_contact(store, cfg, id, &n, errstr);
	if (status != KITH_OK)
		goto out;
	status = store_commit(store, errstr);
	if (status != KITH_OK)
		goto out;
	status = forget_scrub(store, errstr);
	if (status != KITH_OK)
		goto out;
	printf("forgot %s (%u address%s)\n", addr, n, n == 1 ? "" : "es");
out:
	g_free(addr);
	store_close(store);
	return status;
}

kith_status
cmd_contact(kith_config *cfg, int argc, char **argv, char **errstr)
{
	contact_opts o = { .cadence = -1 };
	int cadence = -1;
	GOptionEntry entries[] = {
		{ "name", 'n', 0, G_OPTION_ARG_STRING, &o.name,
		  "Their name (mail no longer changes it)", "NAME" },
		{ "role", 'r', 0, G_OPTION_ARG_STRING, &o.role,
		  "challenger, expert, hub, mentor, promoter, role-model or none", "ROLE" },
		{ "cadence", 'c', 0, G_OPTION_ARG_INT, &cadence,
		  "Reconnect every DAYS days (0: the role's default)", "DAYS" },
		{ "note", 0, 0, G_OPTION_ARG_STRING, &o.note,
		  "A note about them", "TEXT" },
		{ "tag", 't', 0, G_OPTION_ARG_STRING_ARRAY, &o.tags,
		  "Add a tag (repeatable)", "TAG" },
		{ NULL, 0, 0, 0, NULL, NULL, NULL },
	};
	kith_status status;

	status = cmd_parse_options(&argc, &argv, entries,
		"ADDRESS [OPTION...] | merge ADDRESS ADDRESS | forget ADDRESS",
		"Set what kith cannot know about a contact; merge two; forget one.",
		errstr);
	if (status != KITH_OK)
		goto out;
	if (cadence < -1 || cadence > 3650) {
		status = kith_fail(errstr, KITH_E_USAGE,
			"contact: --cadence must be from 0 to 3650 days");
		goto out;
	}
	o.cadence = cadence;
	if (argc >= 2 && (g_str_equal(argv[1], "merge") || g_str_equal(argv[1], "forget"))) {
		gboolean merge = g_str_equal(argv[1], "merge");

		if (opts_any(&o)) {
			status = kith_fail(errstr, KITH_E_USAGE, "contact %s: takes no options",
				argv[1]);
		} else if (argc != (merge ? 4 : 3)) {
			status = kith_fail(errstr, KITH_E_USAGE, "contact %s: expected %s",
				argv[1], merge ? "two addresses" : "one address");
		} else if (merge) {
			status = contact_merge(cfg, argv[2], argv[3], errstr);
		} else {
			status = contact_forget(cfg, argv[2], errstr);
		}
		goto out;
	}
	if (argc != 2) {
		status = kith_fail(errstr, KITH_E_USAGE, "contact: expected one ADDRESS");
		goto out;
	}
	status = contact_set(cfg, argv[1], &o, errstr);
out:
	g_free(o.name);
	g_free(o.role);
	g_free(o.note);
	g_strfreev(o.tags);
	return status;
}
