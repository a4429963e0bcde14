/*
 * cmd_export.c - `kith export --vcard [FILE|DIR/]` and `kith export --ics
 * [FILE]`: contacts as vCard 4.0, open items as iCalendar VTODOs.  Without
 * FILE (or with "-") the export goes to standard output.  For --vcard, a
 * FILE that is a directory, or ends in '/', gets one UID.vcf per contact
 * (a vdir, as khard and vdirsyncer read it); cards kith wrote there
 * before for contacts that are gone (merged, forgotten) are removed, and
 * no other file is touched.  Files are written atomically and mode 0600:
 * they hold the address book.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cmdutil.h"
#include "commands.h"
#include "config.h"
#include "drain.h"
#include "ics.h"
#include "log.h"
#include "safe.h"
#include "vcard.h"

/* "Ann Lee" -> family "Lee", given "Ann"; "Lee, Ann" likewise; a single
 * word is a given name. */
static void
split_name(const char *name, char **family, char **given)
{
	const char *comma = strchr(name, ',');
	const char *space;
	char *n = g_strstrip(g_strdup(name));

	if (comma != NULL) {
		char **parts = g_strsplit(n, ",", 2);

		*family = g_strstrip(g_strdup(parts[0]));
		*given = g_strstrip(g_strdup(parts[1] != NULL ? parts[1] : ""));
		g_strfreev(parts);
	} else if ((space = strrchr(n, ' ')) != NULL) {
		*family = g_strdup(space + 1);
		*given = g_strstrip(g_strndup(n, (gsize)(space - n)));
	} else {
		*family = g_strdup("");
		*given = g_strdup(n);
	}
	g_free(n);
}

/* Every contact with at least one address, ordered by its smallest
 * address; a new array of vcard_card*. */
static kith_status
load_cards(kith_store *store, GPtrArray **out, char **errstr)
{
	GPtrArray *cards = g_ptr_array_new_with_free_func((GDestroyNotify)vcard_card_free);
	sqlite3_stmt *st, *sub;
	kith_status status;

	status = store_stmt(store,
		"SELECT c.id, c.name, c.role, c.cadence, c.note,"
		" (SELECT min(addr) FROM addresses a WHERE a.contact_id = c.id) AS first "
		"FROM contacts c WHERE first IS NOT NULL ORDER BY first, c.id", &st, errstr);
	if (status != KITH_OK)
		goto out;
	while (sqlite3_step(st) == SQLITE_ROW) {
		vcard_card *card = vcard_card_new();
		gint64 id = sqlite3_column_int64(st, 0);
		const char *name = (const char *)sqlite3_column_text(st, 1);
		const char *role = (const char *)sqlite3_column_text(st, 2);
		const char *note = (const char *)sqlite3_column_text(st, 4);
		kith_role r;

		g_ptr_array_add(cards, card);
		g_free(card->fn);
		card->fn = g_strdup(name != NULL ? name : "");
		g_free(card->family);
		g_free(card->given);
		split_name(card->fn, &card->family, &card->given);
		card->uid = vcard_uid_for_address((const char *)sqlite3_column_text(st, 5));
		if (sqlite3_column_type(st, 3) != SQLITE_NULL)
			card->cadence = sqlite3_column_int(st, 3);
		if (note != NULL && *note != '\0')
			card->note = g_strdup(note);
		if (role != NULL && role_parse(role, &r) && r != ROLE_NONE)
			g_ptr_array_add(card->categories, g_strdup(role_name(r)));

		status = store_stmt(store,
			"SELECT addr FROM addresses WHERE contact_id = ?1 ORDER BY addr",
			&sub, errstr);
		if (status != KITH_OK)
			goto out;
		sqlite3_bind_int64(sub, 1, id);
		while (sqlite3_step(sub) == SQLITE_ROW)
			g_ptr_array_add(card->emails,
				g_strdup((const char *)sqlite3_column_text(sub, 0)));
		sqlite3_reset(sub);

		status = store_stmt(store,
			"SELECT tag FROM tags WHERE contact_id = ?1 ORDER BY tag", &sub, errstr);
		if (status != KITH_OK)
			goto out;
		sqlite3_bind_int64(sub, 1, id);
		while (sqlite3_step(sub) == SQLITE_ROW)
			g_ptr_array_add(card->categories,
				g_strdup((const char *)sqlite3_column_text(sub, 0)));
		sqlite3_reset(sub);
	}
	sqlite3_reset(st);
	*out = cards;
	cards = NULL;
out:
	if (cards != NULL)
		g_ptr_array_unref(cards);
	return status;
}

/* Writes `data` to `path` atomically, mode 0600; "-" or NULL: stdout. */
static kith_status
write_output(const char *path, const char *data, gsize len, char **errstr)
{
	GError *gerr = NULL;
	kith_status status = KITH_OK;

	if (path == NULL || strcmp(path, "-") == 0) {
		if (!cmd_write_all(STDOUT_FILENO, data, len))
			return kith_fail(errstr, KITH_E_IO, "cannot write to standard output: %s",
				g_strerror(errno));
		return KITH_OK;
	}
	if (!g_file_set_contents_full(path, data, (gssize)len,
			G_FILE_SET_CONTENTS_CONSISTENT, 0600, &gerr))
		status = kith_fail(errstr, KITH_E_CANTCREAT, "%s", gerr->message);
	g_clear_error(&gerr);
	return status;
}

static gboolean
is_dir_target(const char *path)
{
	return path != NULL && strcmp(path, "-") != 0 &&
		(g_str_has_suffix(path, "/") || g_file_test(path, G_FILE_TEST_IS_DIR));
}

/* TRUE when `name` in `dir` is a card kith wrote: "UUID.vcf" with kith's
 * UUID layout (version 8) and that UID inside. */
static gboolean
kith_card_file(const char *dir, const char *name)
{
	char *uuid, *file, *data = NULL, *want;
	gboolean ours = FALSE;

	if (!g_str_has_suffix(name, ".vcf") || strlen(name) != 36 + 4)
		return FALSE;
	uuid = g_strndup(name, 36);
	if (!g_uuid_string_is_valid(uuid) || uuid[14] != '8') {
		g_free(uuid);
		return FALSE;
	}
	file = g_build_filename(dir, name, NULL);
	want = g_strconcat("\r\nUID:urn:uuid:", uuid, "\r\n", NULL);
	if (g_file_get_contents(file, &data, NULL, NULL))
		ours = strstr(data, want) != NULL;
	g_free(data);
	g_free(want);
	g_free(file);
	g_free(uuid);
	return ours;
}

/* Removes the cards kith wrote to `dir` before whose contact is gone
 * (merged or forgotten): `keep` holds the file names just written. */
static void
remove_stale_cards(const char *dir, GHashTable *keep)
{
	GDir *d = g_dir_open(dir, 0, NULL);
	const char *name;

	if (d == NULL)
		return;
	while ((name = g_dir_read_name(d)) != NULL) {
		char *file;

		if (g_hash_table_contains(keep, name) || !kith_card_file(dir, name))
			continue;
		file = g_build_filename(dir, name, NULL);
		if (unlink(file) != 0)
			log_warn("cannot remove %s: %s", file, g_strerror(errno));
		else
			log_info("removed %s: the contact is gone", file);
		g_free(file);
	}
	g_dir_close(d);
}

static kith_status
export_vcard(kith_store *store, const char *path, char **errstr)
{
	GPtrArray *cards = NULL;
	GString *all = NULL;
	GHashTable *written = NULL;   /* file names written to a vdir */
	kith_status status;
	gboolean dir = is_dir_target(path);

	status = load_cards(store, &cards, errstr);
	if (status != KITH_OK)
		goto out;
	if (dir && g_mkdir_with_parents(path, 0700) != 0) {
		status = kith_fail(errstr, KITH_E_CANTCREAT, "cannot create directory %s: %s",
			path, g_strerror(errno));
		goto out;
	}
	all = g_string_new(NULL);
	written = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
	for (guint i = 0; i < cards->len; i++) {
		const vcard_card *card = g_ptr_array_index(cards, i);
		char *text = vcard_serialize(card);

		if (dir) {
			/* The file name is the UUID: stable, so a re-export
			 * replaces each contact's file in place. */
			const char *id = card->uid + strlen("urn:uuid:");
			char *name = g_strconcat(id, ".vcf", NULL);
			char *file = g_build_filename(path, name, NULL);

			status = write_output(file, text, strlen(text), errstr);
			g_hash_table_add(written, name);
			g_free(file);
		} else {
			g_string_append(all, text);
		}
		g_free(text);
		if (status != KITH_OK)
			goto out;
	}
	if (dir)
		remove_stale_cards(path, written);
	else
		status = write_output(path, all->str, all->len, errstr);
	if (status == KITH_OK && path != NULL && strcmp(path, "-") != 0)
		log_info("exported %u contact%s to %s", cards->len,
			cards->len == 1 ? "" : "s", path);
out:
	if (written != NULL)
		g_hash_table_destroy(written);
	if (all != NULL)
		g_string_free(all, TRUE);
	if (cards != NULL)
		g_ptr_array_unref(cards);
	return status;
}

/* The SUMMARY of an item: who owes what, on one line. */
static char *
item_summary(const char *kind, const char *owner, const char *who,
	const char *sentence)
{
	gboolean mine = g_strcmp0(owner, "me") == 0;
	gboolean request = g_strcmp0(kind, "request") == 0;
	char *s = safe_terminal(sentence, 60);
	char *summary;

	if (mine && request)
		summary = g_strdup_printf("Do for %s: %s", who, s);
	else if (mine)
		summary = g_strdup_printf("Keep promise to %s: %s", who, s);
	else if (request)
		summary = g_strdup_printf("Waiting on %s: %s", who, s);
	else
		summary = g_strdup_printf("%s promised: %s", who, s);
	g_free(s);
	return summary;
}

static kith_status
export_ics(kith_config *cfg, kith_store *store, const char *path, char **errstr)
{
	GPtrArray *todos = g_ptr_array_new_with_free_func((GDestroyNotify)ics_todo_free);
	sqlite3_stmt *st;
	char *text = NULL;
	kith_status status;

	status = store_stmt(store,
		"SELECT i.kind, i.owner, i.sentence, i.due, i.created, m.message_id,"
		" c.name, (SELECT min(addr) FROM addresses a WHERE a.contact_id = i.contact_id),"
		/* the UID's address: the contact's as the item's message has it,
		 * which another address added to the contact does not change */
		" (SELECT min(p.addr) FROM participants p JOIN addresses a"
		"  ON a.addr = p.addr AND a.contact_id = i.contact_id WHERE p.message = i.message) "
		"FROM items i JOIN messages m ON m.id = i.message "
		"LEFT JOIN contacts c ON c.id = i.contact_id "
		"WHERE i.status = 'open' ORDER BY i.due IS NULL, i.due, i.id", &st, errstr);
	if (status != KITH_OK)
		goto out;
	while (sqlite3_step(st) == SQLITE_ROW) {
		const char *kind = (const char *)sqlite3_column_text(st, 0);
		const char *owner = (const char *)sqlite3_column_text(st, 1);
		const char *sentence = (const char *)sqlite3_column_text(st, 2);
		const char *due = (const char *)sqlite3_column_text(st, 3);
		const char *name = (const char *)sqlite3_column_text(st, 6);
		const char *addr = (const char *)sqlite3_column_text(st, 7);
		const char *uid_addr = (const char *)sqlite3_column_text(st, 8);
		const char *who = name != NULL && *name != '\0' ? name :
			addr != NULL ? addr : "someone";
		ics_todo *t = g_new0(ics_todo, 1);
		int y, mo, d;

		t->uid = ics_item_uid((const char *)sqlite3_column_text(st, 5), kind,
			owner, uid_addr != NULL ? uid_addr : addr, sentence);
		t->summary = item_summary(kind, owner, who, sentence);
		t->description = g_strdup(sentence != NULL ? sentence : "");
		t->categories = g_strdup_printf("kith,%s", kind != NULL ? kind : "item");
		t->created = sqlite3_column_int64(st, 4);
		if (due != NULL && sscanf(due, "%d-%d-%d", &y, &mo, &d) == 3 &&
		    g_date_valid_dmy((GDateDay)d, (GDateMonth)mo, (GDateYear)y)) {
			g_date_set_dmy(&t->due, (GDateDay)d, (GDateMonth)mo, (GDateYear)y);
			t->has_due = TRUE;
		}
		g_ptr_array_add(todos, t);
	}
	sqlite3_reset(st);
	text = ics_serialize(todos, cfg->now);
	status = write_output(path, text, strlen(text), errstr);
	if (status == KITH_OK && path != NULL && strcmp(path, "-") != 0)
		log_info("exported %u open item%s to %s", todos->len,
			todos->len == 1 ? "" : "s", path);
out:
	g_free(text);
	g_ptr_array_unref(todos);
	return status;
}

kith_status
cmd_export(kith_config *cfg, int argc, char **argv, char **errstr)
{
	gboolean vcard = FALSE, ics = FALSE;
	GOptionEntry entries[] = {
		{ "vcard", 0, 0, G_OPTION_ARG_NONE, &vcard,
		  "Contacts as vCard 4.0 (a DIR/ gets one file per contact)", NULL },
		{ "ics", 0, 0, G_OPTION_ARG_NONE, &ics,
		  "Open items as iCalendar to-dos", NULL },
		{ NULL, 0, 0, 0, NULL, NULL, NULL },
	};
	kith_store *store = NULL;
	kith_status status;

	status = cmd_parse_options(&argc, &argv, entries, "--vcard|--ics [FILE]",
		"Export contacts (vCard) or open items (iCalendar); standard output "
		"without FILE.", errstr);
	if (status != KITH_OK)
		goto out;
	if (vcard == ics) {
		status = kith_fail(errstr, KITH_E_USAGE,
			"export: give one of --vcard or --ics (see kith export --help)");
		goto out;
	}
	if (argc > 2) {
		status = kith_fail(errstr, KITH_E_USAGE, "export: one FILE at most");
		goto out;
	}
	status = drain_open_store(cfg, &store, errstr);
	if (status != KITH_OK)
		goto out;
	if (vcard)
		status = export_vcard(store, argc > 1 ? argv[1] : NULL, errstr);
	else
		status = export_ics(cfg, store, argc > 1 ? argv[1] : NULL, errstr);
out:
	store_close(store);
	return status;
}
