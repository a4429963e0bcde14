/*
 * cmd_show.c - `kith show ADDRESS`: one contact's record and history:
 * who they are, their addresses, open items between us, and every
 * interaction, newest first.
 */
#include <stdio.h>

#include "cmdutil.h"
#include "commands.h"
#include "drain.h"
#include "message.h"
#include "safe.h"

static kith_status
print_items(kith_store *store, gint64 id, char **errstr)
{
	sqlite3_stmt *st;
	kith_status status;
	gboolean any = FALSE;

	status = store_stmt(store, "SELECT id, kind, owner, due, status, sentence "
		"FROM items WHERE contact_id = ?1 AND status IN ('open', 'snoozed') "
		"ORDER BY due IS NULL, due, id", &st, errstr);
	if (status != KITH_OK)
		return status;
	sqlite3_bind_int64(st, 1, id);
	while (sqlite3_step(st) == SQLITE_ROW) {
		const char *owner = (const char *)sqlite3_column_text(st, 2);
		char *text = safe_terminal((const char *)sqlite3_column_text(st, 5), 100);

		if (!any)
			printf("\nOpen items:\n");
		any = TRUE;
		printf("  #%lld %s %s, due %s: %s\n", (long long)sqlite3_column_int64(st, 0),
			g_str_equal(owner, "me") ? "I owe" : "they owe",
			(const char *)sqlite3_column_text(st, 1),
			sqlite3_column_type(st, 3) == SQLITE_NULL ? "-" :
				(const char *)sqlite3_column_text(st, 3),
			text);
		g_free(text);
	}
	sqlite3_reset(st);
	return KITH_OK;
}

/* Their needs: the notebook kept for helping them. */
static kith_status
print_needs(kith_store *store, gint64 id, char **errstr)
{
	sqlite3_stmt *st;
	kith_status status;
	gboolean any = FALSE;

	status = store_stmt(store, "SELECT e.date, e.sentence FROM events e "
		"WHERE e.contact_id = ?1 AND e.kind = 'need' AND e.direction = 0 "
		"UNION ALL SELECT i.created, i.sentence FROM items i "
		"WHERE i.contact_id = ?1 AND i.owner = 'me' AND i.kind = 'request' "
		"AND i.status IN ('open', 'snoozed') ORDER BY 1 DESC", &st, errstr);
	if (status != KITH_OK)
		return status;
	sqlite3_bind_int64(st, 1, id);
	while (sqlite3_step(st) == SQLITE_ROW) {
		char *date = cmd_format_date(sqlite3_column_int64(st, 0));
		char *text = safe_terminal((const char *)sqlite3_column_text(st, 1), 200);

		if (!any)
			printf("\nNeeds:\n");
		any = TRUE;
		printf("  %s  %s\n", date, text);
		g_free(date);
		g_free(text);
	}
	sqlite3_reset(st);
	return KITH_OK;
}

static kith_status
print_history(kith_store *store, gint64 id, char **errstr)
{
	sqlite3_stmt *st;
	kith_status status;

	status = store_stmt(store, "SELECT i.date, i.direction, m.subject, m.attachments "
		"FROM interactions i JOIN messages m ON m.id = i.message "
		"WHERE i.contact_id = ?1 ORDER BY i.date DESC, m.id DESC", &st, errstr);
	if (status != KITH_OK)
		return status;
	sqlite3_bind_int64(st, 1, id);
	printf("\nHistory:\n");
	while (sqlite3_step(st) == SQLITE_ROW) {
		char *date = cmd_format_date(sqlite3_column_int64(st, 0));
		int dir = sqlite3_column_int(st, 1);
		char *subject = safe_terminal((const char *)sqlite3_column_text(st, 2), 80);

		printf("  %s  %-4s %s%s\n", date, dir == DIR_SENT ? "to" :
			dir == DIR_RECEIVED ? "from" : "cc", subject,
			sqlite3_column_int(st, 3) > 0 ? " [attachment]" : "");
		g_free(date);
		g_free(subject);
	}
	sqlite3_reset(st);
	return KITH_OK;
}

kith_status
cmd_show(kith_config *cfg, int argc, char **argv, char **errstr)
{
	kith_store *store = NULL;
	kith_status status;
	char *addr = NULL;
	gint64 id;

	status = cmd_parse_options(&argc, &argv, NULL, "ADDRESS",
		"Show a contact: who they are, open items, and the history.", errstr);
	if (status != KITH_OK)
		goto out;
	if (argc != 2) {
		status = kith_fail(errstr, KITH_E_USAGE, "show: expected one ADDRESS");
		goto out;
	}
	addr = message_normalize_address(argv[1]);
	if (addr == NULL) {
		status = kith_fail(errstr, KITH_E_USAGE, "show: '%s' is not an address",
			argv[1]);
		goto out;
	}
	status = drain_open_store(cfg, &store, errstr);
	if (status != KITH_OK)
		goto out;
	id = store_contact_lookup(store, addr);
	if (id == 0) {
		status = kith_fail(errstr, KITH_E_NOINPUT, "show: no contact %s", addr);
		goto out;
	}
	/* Who they are, the mail between us and the give and take: the
	 * same card `kith contact ADDRESS` prints. */
	if ((status = contact_print_card(store, cfg, id, errstr)) != KITH_OK ||
	    (status = print_items(store, id, errstr)) != KITH_OK ||
	    (status = print_needs(store, id, errstr)) != KITH_OK ||
	    (status = print_history(store, id, errstr)) != KITH_OK)
		goto out;
out:
	g_free(addr);
	store_close(store);
	return status;
}
