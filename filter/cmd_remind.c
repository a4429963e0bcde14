/*
 * cmd_remind.c - `kith remind [--format text|tsv|json]`: what needs
 * attention today (remind.h), one row per reminder.
 *
 * Columns (a public interface, in this order): kind id contact name date
 * days what text.  kind is owe, waiting, unanswered, reconnect, balance or
 * need; id the item's id ("-" for reconnect, balance and need); contact the
 * contact's address; date YYYY-MM-DD (the due date, the day a request was
 * sent, the last exchange, or the day a need was said); days as in
 * remind.h; what a short description; text the sentence that made it.
 */
#include <stdio.h>

#include "cmdutil.h"
#include "commands.h"
#include "digest.h"
#include "drain.h"
#include "remind.h"

kith_status
cmd_remind(kith_config *cfg, int argc, char **argv, char **errstr)
{
	static const char *const columns[] = {
		"kind", "#id", "contact", "name", "date", "#days", "what", "text", NULL,
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
	remind_report *report = NULL;
	kith_status status;

	status = cmd_parse_options(&argc, &argv, entries, "",
		"What you owe, what they owe you, unanswered requests, contacts "
		"going cold, and their needs.", errstr);
	if (status != KITH_OK)
		goto out;
	status = cmd_parse_format(format, &fmt, errstr);
	if (status != KITH_OK)
		goto out;
	if (argc != 1) {
		status = kith_fail(errstr, KITH_E_USAGE, "remind: unexpected argument '%s'",
			argv[1]);
		goto out;
	}
	status = drain_open_store(cfg, &store, errstr);
	if (status != KITH_OK)
		goto out;
	status = remind_compute(store, cfg, &report, errstr);
	if (status != KITH_OK)
		goto out;
	t = output_table_new(fmt, columns);
	for (guint i = 0; i < report->entries->len; i++) {
		remind_entry *e = g_ptr_array_index(report->entries, i);
		char id[24], date[16], days[16];
		char *what = digest_entry_summary(e);
		const char *cells[8] = {
			remind_kind_name(e->kind), e->item_id > 0 ? id : NULL, e->address,
			e->name, date, days, what, e->sentence,
		};

		g_snprintf(id, sizeof id, "%" G_GINT64_FORMAT, e->item_id);
		g_snprintf(days, sizeof days, "%d", e->days);
		if (g_date_valid(&e->date))
			g_date_strftime(date, sizeof date, "%Y-%m-%d", &e->date);
		else
			g_strlcpy(date, "-", sizeof date);
		output_table_add(t, cells);
		g_free(what);
	}
	output_table_print(t, stdout, 60);
out:
	output_table_free(t);
	remind_report_free(report);
	store_close(store);
	g_free(format);
	return status;
}
