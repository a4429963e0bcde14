/*
 * cmd_query.c - `kith query STRING...`: an address lookup for mutt's and
 * neomutt's query_command (and a drop-in for lbdbq).
 *
 * Output (the query_command format): a status line ("kith: 3 matches"),
 * then one line per matching address: ADDRESS<TAB>NAME<TAB>INFO, where
 * INFO is the contact's role when one is set, else the date of the last
 * interaction (YYYY-MM-DD).  STRING (several words are joined by spaces)
 * matches a substring of a name or an address, ignoring case (Unicode case
 * folding).  The strongest relationships come first: two-way exchange
 * weighs most (the smaller of sent and received), then the number of
 * interactions, then the most recent.  No match prints "kith: no matches"
 * and exits 1, as lbdbq does.  Every field is sanitised (no tabs, line
 * breaks or control characters).
 *
 * With --format text|tsv|json the matches are a table instead (columns
 * address, name, role, last, sent, received), with no status line, and
 * no match is not an error.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmdutil.h"
#include "commands.h"
#include "drain.h"
#include "safe.h"

typedef struct {
	char *addr;
	char *name;
	char *role;
	gint64 sent, received, total, last;
} query_row;

static void
query_row_free(gpointer p)
{
	query_row *r = p;

	g_free(r->addr);
	g_free(r->name);
	g_free(r->role);
	g_free(r);
}

/* Case-folded, NFC-normalised, valid UTF-8 (a new string). */
static char *
fold(const char *s)
{
	char *valid = safe_utf8(s, -1);
	char *folded = g_utf8_casefold(valid, -1);
	char *norm = g_utf8_normalize(folded, -1, G_NORMALIZE_ALL_COMPOSE);

	g_free(valid);
	g_free(folded);
	return norm != NULL ? norm : g_strdup("");
}

static gint
compare_rows(gconstpointer pa, gconstpointer pb)
{
	const query_row *a = *(query_row *const *)pa;
	const query_row *b = *(query_row *const *)pb;
	gint64 ma = MIN(a->sent, a->received), mb = MIN(b->sent, b->received);

	if (ma != mb)
		return ma > mb ? -1 : 1;
	if (a->total != b->total)
		return a->total > b->total ? -1 : 1;
	if (a->last != b->last)
		return a->last > b->last ? -1 : 1;
	return strcmp(a->addr, b->addr);
}

static const char query_sql[] =
	"SELECT a.addr, c.name, c.role,"
	" (SELECT count(*) FROM interactions i WHERE i.contact_id = c.id AND i.direction = 1),"
	" (SELECT count(*) FROM interactions i WHERE i.contact_id = c.id AND i.direction = 0),"
	" (SELECT count(*) FROM interactions i WHERE i.contact_id = c.id),"
	" (SELECT max(date) FROM interactions i WHERE i.contact_id = c.id) "
	"FROM addresses a JOIN contacts c ON c.id = a.contact_id";

/* The matching addresses, strongest first (a new array of query_row*). */
static kith_status
find_matches(kith_store *store, const char *needle, GPtrArray **out, char **errstr)
{
	GPtrArray *rows = g_ptr_array_new_with_free_func(query_row_free);
	char *want = fold(needle);
	sqlite3_stmt *st;
	kith_status status;

	status = store_stmt(store, query_sql, &st, errstr);
	if (status != KITH_OK)
		goto out;
	while (sqlite3_step(st) == SQLITE_ROW) {
		const char *addr = (const char *)sqlite3_column_text(st, 0);
		const char *name = (const char *)sqlite3_column_text(st, 1);
		char *fa = fold(addr), *fn = fold(name);
		gboolean hit = strstr(fa, want) != NULL || strstr(fn, want) != NULL;

		g_free(fa);
		g_free(fn);
		if (hit) {
			query_row *r = g_new0(query_row, 1);

			r->addr = g_strdup(addr);
			r->name = g_strdup(name != NULL ? name : "");
			r->role = g_strdup((const char *)sqlite3_column_text(st, 2));
			r->sent = sqlite3_column_int64(st, 3);
			r->received = sqlite3_column_int64(st, 4);
			r->total = sqlite3_column_int64(st, 5);
			r->last = sqlite3_column_int64(st, 6);
			g_ptr_array_add(rows, r);
		}
	}
	sqlite3_reset(st);
	g_ptr_array_sort(rows, compare_rows);
	*out = rows;
	rows = NULL;
out:
	if (rows != NULL)
		g_ptr_array_unref(rows);
	g_free(want);
	return status;
}

static void
print_mutt(const GPtrArray *rows)
{
	if (rows->len == 0) {
		printf("kith: no matches\n");
		return;
	}
	printf("kith: %u match%s\n", rows->len, rows->len == 1 ? "" : "es");
	for (guint i = 0; i < rows->len; i++) {
		const query_row *r = g_ptr_array_index(rows, i);
		gboolean has_role = r->role != NULL && *r->role != '\0' &&
			strcmp(r->role, "none") != 0;
		char *info = has_role ? g_strdup(r->role) :
			r->last > 0 ? cmd_format_date(r->last) : g_strdup("");
		char *a = safe_terminal(r->addr, 0);
		char *n = safe_terminal(r->name, 0);
		char *f = safe_terminal(info, 0);

		printf("%s\t%s\t%s\n", a, n, f);
		g_free(a);
		g_free(n);
		g_free(f);
		g_free(info);
	}
}

static void
print_table(const GPtrArray *rows, output_format fmt)
{
	static const char *const columns[] = {
		"address", "name", "role", "last", "#sent", "#received", NULL,
	};
	output_table *t = output_table_new(fmt, columns);

	for (guint i = 0; i < rows->len; i++) {
		const query_row *r = g_ptr_array_index(rows, i);
		char *last = r->last > 0 ? cmd_format_date(r->last) : NULL;
		char *sent = g_strdup_printf("%" G_GINT64_FORMAT, r->sent);
		char *recv = g_strdup_printf("%" G_GINT64_FORMAT, r->received);
		const char *cells[6] = { r->addr, r->name, r->role, last, sent, recv };

		output_table_add(t, cells);
		g_free(last);
		g_free(sent);
		g_free(recv);
	}
	output_table_print(t, stdout, 40);
	output_table_free(t);
}

kith_status
cmd_query(kith_config *cfg, int argc, char **argv, char **errstr)
{
	char *format = NULL;
	GOptionEntry entries[] = {
		{ "format", 'f', 0, G_OPTION_ARG_STRING, &format,
		  "A table instead of the query_command format: text, tsv or json",
		  "FORMAT" },
		{ NULL, 0, 0, 0, NULL, NULL, NULL },
	};
	output_format fmt = FORMAT_TEXT;
	GPtrArray *rows = NULL;
	kith_store *store = NULL;
	char *needle = NULL;
	gboolean none = FALSE;
	kith_status status;

	status = cmd_parse_options(&argc, &argv, entries, "STRING",
		"Look up addresses for mutt's query_command: a status line, then "
		"ADDRESS<TAB>NAME<TAB>INFO lines, strongest relationships first.", errstr);
	if (status != KITH_OK)
		goto out;
	if (format != NULL && (status = cmd_parse_format(format, &fmt, errstr)) != KITH_OK)
		goto out;
	if (argc < 2) {
		status = kith_fail(errstr, KITH_E_USAGE, "query: usage: kith query STRING");
		goto out;
	}
	needle = g_strjoinv(" ", argv + 1);
	g_strstrip(needle);
	status = drain_open_store(cfg, &store, errstr);
	if (status != KITH_OK)
		goto out;
	status = find_matches(store, needle, &rows, errstr);
	if (status != KITH_OK)
		goto out;
	if (format != NULL) {
		print_table(rows, fmt);
	} else {
		print_mutt(rows);
		none = rows->len == 0;
	}
out:
	if (rows != NULL)
		g_ptr_array_unref(rows);
	store_close(store);
	g_free(needle);
	g_free(format);
	if (status == KITH_OK && none) {
		/* The query_command convention (lbdbq): no match exits 1.  Not
		 * a kith status, so it does not go through kith_exit_code(). */
		fflush(stdout);
		exit(1);
	}
	return status;
}
