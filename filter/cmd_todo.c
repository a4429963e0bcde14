/*
 * cmd_todo.c - `kith todo`: the ledger's open items, most urgent first,
 * and closing them by hand.
 *
 *   kith todo [--all] [--format text|tsv|json]
 *   kith todo done ID
 *   kith todo snooze ID DAYS
 *   kith todo dismiss ID
 *
 * Columns (a public interface, in this order): id kind owner contact due
 * status text.  `contact` is the contact's address, `due` YYYY-MM-DD or
 * "-".  Open items are those with status open and those snoozed until
 * today or earlier; --all lists every item, open ones first.  Order: items
 * with a due date by that date (so the overdue come first), then items
 * without one, oldest first (they fall due cfg->default_due_days after
 * they were made).
 *
 * A dismissed item stays in the store as dismissed: its message is never
 * detected again (a message already stored is never re-read), so it cannot
 * come back.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmdutil.h"
#include "commands.h"
#include "drain.h"
#include "items.h"
#include "remind.h"

static const char todo_sql[] =
	"SELECT i.id, i.kind, i.owner,"
	" (SELECT min(addr) FROM addresses a WHERE a.contact_id = i.contact_id),"
	" i.due, i.status, i.sentence,"
	" (i.status = 'open' OR (i.status = 'snoozed' AND i.snooze_until <= ?2)) AS live "
	"FROM items i "
	"WHERE ?1 OR i.status = 'open' OR (i.status = 'snoozed' AND i.snooze_until <= ?2) "
	"ORDER BY live DESC, i.due IS NULL, i.due, i.created, i.id";

static gboolean
parse_id(const char *s, gint64 *out)
{
	char *end = NULL;
	gint64 v;

	if (s == NULL)
		return FALSE;
	if (*s == '#')
		s++;
	if (!g_ascii_isdigit(*s))
		return FALSE;
	v = g_ascii_strtoll(s, &end, 10);
	if (end == NULL || *end != '\0' || v <= 0)
		return FALSE;
	*out = v;
	return TRUE;
}

static kith_status
todo_list(kith_config *cfg, gboolean all, output_format fmt, char **errstr)
{
	static const char *const columns[] = {
		"#id", "kind", "owner", "contact", "due", "status", "text", NULL,
	};
	kith_store *store = NULL;
	output_table *t = NULL;
	sqlite3_stmt *st;
	kith_status status;
	GDate today;
	char today_s[16];

	remind_today(cfg, &today);
	g_date_strftime(today_s, sizeof today_s, "%Y-%m-%d", &today);
	status = drain_open_store(cfg, &store, errstr);
	if (status != KITH_OK)
		goto out;
	status = store_stmt(store, todo_sql, &st, errstr);
	if (status != KITH_OK)
		goto out;
	sqlite3_bind_int(st, 1, all ? 1 : 0);
	sqlite3_bind_text(st, 2, today_s, -1, SQLITE_TRANSIENT);
	t = output_table_new(fmt, columns);
	while (sqlite3_step(st) == SQLITE_ROW) {
		const char *cells[7];

		for (int i = 0; i < 7; i++)
			cells[i] = (const char *)sqlite3_column_text(st, i);
		output_table_add(t, cells);
	}
	sqlite3_reset(st);
	output_table_print(t, stdout, 60);
out:
	output_table_free(t);
	store_close(store);
	return status;
}

static kith_status
todo_set(kith_config *cfg, const char *verb, int argc, char **argv, char **errstr)
{
	gboolean snooze = g_str_equal(verb, "snooze");
	kith_store *store = NULL;
	kith_status status;
	char *until = NULL;
	gint64 id = 0, days = 0;
	const char *new_status;

	if (argc != (snooze ? 4 : 3) || !parse_id(argv[2], &id)) {
		status = kith_fail(errstr, KITH_E_USAGE, "todo %s: expected %s", verb,
			snooze ? "ID DAYS" : "ID");
		goto out;
	}
	if (snooze) {
		char *end = NULL;
		GDate d;

		days = g_ascii_strtoll(argv[3], &end, 10);
		if (end == NULL || *end != '\0' || end == argv[3] || days < 1 ||
		    days > 3650) {
			status = kith_fail(errstr, KITH_E_USAGE,
				"todo snooze: DAYS must be a number from 1 to 3650, not '%s'",
				argv[3]);
			goto out;
		}
		remind_today(cfg, &d);
		g_date_add_days(&d, (guint)days);
		until = g_malloc(16);
		g_date_strftime(until, 16, "%Y-%m-%d", &d);
	}
	new_status = snooze ? ITEM_SNOOZED : g_str_equal(verb, "done") ? ITEM_DONE :
		ITEM_DISMISSED;
	status = drain_open_store(cfg, &store, errstr);
	if (status != KITH_OK)
		goto out;
	status = store_begin(store, errstr);
	if (status != KITH_OK)
		goto out;
	status = items_set_status(store, id, new_status, until,
		g_date_time_to_unix(cfg->now), errstr);
	if (status != KITH_OK)
		goto out;
	status = store_commit(store, errstr);
	if (status != KITH_OK)
		goto out;
	if (snooze)
		printf("#%" G_GINT64_FORMAT " snoozed until %s\n", id, until);
	else
		printf("#%" G_GINT64_FORMAT " %s\n", id, new_status);
out:
	store_close(store);
	g_free(until);
	return status;
}

kith_status
cmd_todo(kith_config *cfg, int argc, char **argv, char **errstr)
{
	gboolean all = FALSE;
	char *format = NULL;
	GOptionEntry entries[] = {
		{ "all", 'a', 0, G_OPTION_ARG_NONE, &all,
		  "Every item, also done, dismissed and snoozed ones", NULL },
		{ "format", 'f', 0, G_OPTION_ARG_STRING, &format,
		  "Output format: text, tsv or json", "FORMAT" },
		{ NULL, 0, 0, 0, NULL, NULL, NULL },
	};
	output_format fmt;
	kith_status status;

	status = cmd_parse_options(&argc, &argv, entries,
		"[done ID | snooze ID DAYS | dismiss ID]",
		"List open items, most urgent first; or close, snooze or dismiss one.",
		errstr);
	if (status != KITH_OK)
		goto out;
	status = cmd_parse_format(format, &fmt, errstr);
	if (status != KITH_OK)
		goto out;
	if (argc == 1) {
		status = todo_list(cfg, all, fmt, errstr);
	} else if (g_str_equal(argv[1], "done") || g_str_equal(argv[1], "snooze") ||
		   g_str_equal(argv[1], "dismiss")) {
		status = todo_set(cfg, argv[1], argc, argv, errstr);
	} else {
		status = kith_fail(errstr, KITH_E_USAGE,
			"todo: unknown subcommand '%s' (done, snooze, dismiss)", argv[1]);
	}
out:
	g_free(format);
	return status;
}
