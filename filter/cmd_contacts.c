/*
 * cmd_contacts.c - `kith contacts`: one line per contact.
 * Columns (a public interface, in this order): address, name, first, last,
 * sent, received.  `first` and `last` are the dates of the first and last
 * interaction; `sent` counts messages I sent them, `received` messages
 * they sent me.
 */
#include <stdio.h>

#include "cmdutil.h"
#include "commands.h"
#include "drain.h"

static const char contacts_sql[] =
	"SELECT (SELECT min(addr) FROM addresses a WHERE a.contact_id = c.id),"
	" c.name,"
	" (SELECT min(date) FROM interactions i WHERE i.contact_id = c.id),"
	" (SELECT max(date) FROM interactions i WHERE i.contact_id = c.id),"
	" (SELECT count(*) FROM interactions i WHERE i.contact_id = c.id AND i.direction = 1),"
	" (SELECT count(*) FROM interactions i WHERE i.contact_id = c.id AND i.direction = 0) "
	"FROM contacts c "
	"ORDER BY 4 DESC, 1";

kith_status
cmd_contacts(kith_config *cfg, int argc, char **argv, char **errstr)
{
	static const char *const columns[] = {
		"address", "name", "first", "last", "#sent", "#received", NULL,
	};
	char *format = NULL;
	GOptionEntry entries[] = {
		{ "format", 'f', 0, G_OPTION_ARG_STRING, &format,
		  "Output format: text, tsv or json", "FORMAT" },
		{ NULL, 0, 0, 0, NULL, NULL, NULL },
	};
	output_format fmt;
	output_table *t = NULL;
	kith_store *store = NULL;
	sqlite3_stmt *st;
	kith_status status;

	status = cmd_parse_options(&argc, &argv, entries, "",
		"List contacts, the most recent first.", errstr);
	if (status != KITH_OK)
		goto out;
	status = cmd_parse_format(format, &fmt, errstr);
	if (status != KITH_OK)
		goto out;
	status = drain_open_store(cfg, &store, errstr);
	if (status != KITH_OK)
		goto out;
	status = store_stmt(store, contacts_sql, &st, errstr);
	if (status != KITH_OK)
		goto out;
	t = output_table_new(fmt, columns);
	while (sqlite3_step(st) == SQLITE_ROW) {
		char *first = cmd_format_date(sqlite3_column_int64(st, 2));
		char *last = cmd_format_date(sqlite3_column_int64(st, 3));
		const char *cells[6] = {
			(const char *)sqlite3_column_text(st, 0),
			(const char *)sqlite3_column_text(st, 1),
			first, last,
			(const char *)sqlite3_column_text(st, 4),
			(const char *)sqlite3_column_text(st, 5),
		};

		output_table_add(t, cells);
		g_free(first);
		g_free(last);
	}
	sqlite3_reset(st);
	output_table_print(t, stdout, 40);
out:
	output_table_free(t);
	store_close(store);
	g_free(format);
	return status;
}
