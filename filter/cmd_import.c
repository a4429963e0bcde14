/*
 * cmd_import.c - `kith import --vcard FILE|DIR`: contacts from vCards
 * (4.0, 3.0, 2.1; khard, abook and address-book exports).  FILE "-" reads
 * standard input; a directory is read as a vdir (every *.vcf in it).
 *
 * Each card becomes one contact, found by any of its addresses or created
 * for the first: every EMAIL is added to it (an address that already
 * belongs to another contact stays there, with a warning); FN (else N)
 * becomes its name, fixed against names seen in mail; the first
 * CATEGORY that names a role sets the role, the others become tags; NOTE
 * sets the note and X-KITH-CADENCE the cadence.  Cards without a usable address are
 * skipped, as are forgotten addresses.  One transaction for the whole
 * import.
 */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cmdutil.h"
#include "commands.h"
#include "config.h"
#include "drain.h"
#include "log.h"
#include "message.h"
#include "vcard.h"

typedef struct {
	guint cards;
	guint created;
	guint updated;
	guint skipped;
} import_stats;

static kith_status
add_address(kith_store *store, gint64 id, const char *addr, char **errstr)
{
	sqlite3_stmt *st;
	kith_status status;
	gint64 owner = store_contact_lookup(store, addr);

	if (owner == id)
		return KITH_OK;
	if (owner != 0) {
		log_warn("import: %s already belongs to another contact; left there", addr);
		return KITH_OK;
	}
	if (store_is_forgotten(store, addr))
		return KITH_OK;
	status = store_stmt(store,
		"INSERT INTO addresses (addr, contact_id) VALUES (?1, ?2)", &st, errstr);
	if (status != KITH_OK)
		return status;
	sqlite3_bind_text(st, 1, addr, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, id);
	return store_step_done(store, st, "add address", errstr);
}

/* The name a card gives: FN, else N's given and family names; "" for an
 * FN that is only one of the addresses (what kith writes for a contact
 * without a name, since FN is required).  A new string. */
static char *
card_name(const vcard_card *card)
{
	char *name = *card->fn != '\0' ? g_strdup(card->fn) :
		g_strstrip(g_strjoin(" ", card->given, card->family, NULL));

	for (guint i = 0; i < card->emails->len && *name != '\0'; i++) {
		if (*card->family == '\0' && *card->given == '\0' &&
		    g_ascii_strcasecmp(name, g_ptr_array_index(card->emails, i)) == 0)
			*name = '\0';
	}
	return name;
}

/* Name, role, tags, note, cadence from the card. */
static kith_status
apply_fields(kith_store *store, gint64 id, const vcard_card *card, gint64 now,
	char **errstr)
{
	sqlite3_stmt *st;
	kith_status status = KITH_OK;
	char *name;
	gboolean have_role = FALSE;

	name = card_name(card);
	if (*name != '\0') {
		status = store_stmt(store,
			"UPDATE contacts SET name = ?2, name_date = ?3, name_fixed = 1 "
			"WHERE id = ?1", &st, errstr);
		if (status != KITH_OK)
			goto out;
		sqlite3_bind_int64(st, 1, id);
		sqlite3_bind_text(st, 2, name, -1, SQLITE_STATIC);
		sqlite3_bind_int64(st, 3, now);
		if ((status = store_step_done(store, st, "set name", errstr)) != KITH_OK)
			goto out;
	}
	for (guint i = 0; i < card->categories->len; i++) {
		const char *cat = g_ptr_array_index(card->categories, i);
		kith_role role;

		if (!have_role && role_parse(cat, &role)) {
			have_role = TRUE;
			status = store_stmt(store,
				"UPDATE contacts SET role = ?2 WHERE id = ?1", &st, errstr);
			if (status != KITH_OK)
				goto out;
			sqlite3_bind_int64(st, 1, id);
			sqlite3_bind_text(st, 2, role_name(role), -1, SQLITE_STATIC);
		} else {
			/* A second role name is a tag: the first one wins. */
			status = store_stmt(store,
				"INSERT OR IGNORE INTO tags (contact_id, tag) VALUES (?1, ?2)",
				&st, errstr);
			if (status != KITH_OK)
				goto out;
			sqlite3_bind_int64(st, 1, id);
			sqlite3_bind_text(st, 2, cat, -1, SQLITE_STATIC);
		}
		if ((status = store_step_done(store, st, "set category", errstr)) != KITH_OK)
			goto out;
	}
	if (card->note != NULL) {
		status = store_stmt(store, "UPDATE contacts SET note = ?2 WHERE id = ?1",
			&st, errstr);
		if (status != KITH_OK)
			goto out;
		sqlite3_bind_int64(st, 1, id);
		sqlite3_bind_text(st, 2, card->note, -1, SQLITE_STATIC);
		if ((status = store_step_done(store, st, "set note", errstr)) != KITH_OK)
			goto out;
	}
	if (card->cadence > 0) {
		status = store_stmt(store, "UPDATE contacts SET cadence = ?2 WHERE id = ?1",
			&st, errstr);
		if (status != KITH_OK)
			goto out;
		sqlite3_bind_int64(st, 1, id);
		sqlite3_bind_int(st, 2, card->cadence);
		status = store_step_done(store, st, "set cadence", errstr);
	}
out:
	g_free(name);
	return status;
}

static kith_status
import_card(kith_store *store, const vcard_card *card, gint64 now,
	import_stats *stats, char **errstr)
{
	GPtrArray *addrs = g_ptr_array_new_with_free_func(g_free);
	kith_status status = KITH_OK;
	gint64 id = 0;
	gboolean created = FALSE;

	stats->cards++;
	for (guint i = 0; i < card->emails->len; i++) {
		char *a = message_normalize_address(g_ptr_array_index(card->emails, i));

		if (a == NULL) {
			log_warn("import: '%s' is not an e-mail address; skipped",
				(const char *)g_ptr_array_index(card->emails, i));
			continue;
		}
		if (g_ptr_array_find_with_equal_func(addrs, a, g_str_equal, NULL) ||
		    store_is_forgotten(store, a)) {
			g_free(a);
			continue;
		}
		g_ptr_array_add(addrs, a);
	}
	for (guint i = 0; i < addrs->len && id == 0; i++)
		id = store_contact_lookup(store, g_ptr_array_index(addrs, i));
	if (id == 0 && addrs->len > 0) {
		char *name = card_name(card);

		status = store_contact_for_address(store, g_ptr_array_index(addrs, 0),
			name, now, &id, &created, errstr);
		g_free(name);
		if (status != KITH_OK)
			goto out;
	}
	if (id == 0) {
		log_warn("import: card '%s' has no usable e-mail address; skipped",
			*card->fn != '\0' ? card->fn : "(no name)");
		stats->skipped++;
		goto out;
	}
	for (guint i = 0; i < addrs->len; i++) {
		status = add_address(store, id, g_ptr_array_index(addrs, i), errstr);
		if (status != KITH_OK)
			goto out;
	}
	status = apply_fields(store, id, card, now, errstr);
	if (status != KITH_OK)
		goto out;
	if (created)
		stats->created++;
	else
		stats->updated++;
out:
	g_ptr_array_unref(addrs);
	return status;
}

/* g_ptr_array_sort passes pointers to the elements. */
static gint
compare_paths(gconstpointer a, gconstpointer b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Reads FILE, "-" (stdin) or every *.vcf of a directory, parsed; appends
 * the cards to `cards`. */
static kith_status
read_cards(const char *path, GPtrArray *cards, char **errstr)
{
	GPtrArray *files = g_ptr_array_new_with_free_func(g_free);
	kith_status status = KITH_OK;

	if (strcmp(path, "-") != 0 && g_file_test(path, G_FILE_TEST_IS_DIR)) {
		GDir *dir = g_dir_open(path, 0, NULL);
		const char *name;

		if (dir == NULL) {
			status = kith_fail(errstr, KITH_E_NOINPUT, "cannot read %s", path);
			goto out;
		}
		while ((name = g_dir_read_name(dir)) != NULL) {
			if (g_str_has_suffix(name, ".vcf") || g_str_has_suffix(name, ".VCF"))
				g_ptr_array_add(files, g_build_filename(path, name, NULL));
		}
		g_dir_close(dir);
		g_ptr_array_sort(files, compare_paths);
	} else {
		g_ptr_array_add(files, g_strdup(path));
	}
	for (guint i = 0; i < files->len; i++) {
		const char *f = g_ptr_array_index(files, i);
		GPtrArray *parsed = NULL;
		GError *gerr = NULL;
		char *data = NULL, *err = NULL;
		gsize len = 0;

		if (strcmp(f, "-") == 0) {
			GByteArray *b = cmd_read_all(STDIN_FILENO, VCARD_MAX_INPUT + 1);

			len = b->len;
			data = (char *)g_byte_array_free(b, FALSE);
		} else if (!g_file_get_contents(f, &data, &len, &gerr)) {
			status = kith_fail(errstr, KITH_E_NOINPUT, "%s", gerr->message);
			g_clear_error(&gerr);
			goto out;
		}
		if (vcard_parse(data, len, &parsed, &err) != KITH_OK) {
			/* In a directory one bad file does not stop the rest. */
			if (files->len > 1) {
				log_warn("%s: %s; skipped", f, err);
			} else {
				status = kith_fail(errstr, KITH_E_DATA, "%s: %s", f, err);
			}
			g_free(err);
			g_free(data);
			if (status != KITH_OK)
				goto out;
			continue;
		}
		/* The cards move to `cards`, in order. */
		g_ptr_array_set_free_func(parsed, NULL);
		for (guint j = 0; j < parsed->len; j++)
			g_ptr_array_add(cards, g_ptr_array_index(parsed, j));
		g_ptr_array_unref(parsed);
		g_free(data);
	}
out:
	g_ptr_array_unref(files);
	return status;
}

kith_status
cmd_import(kith_config *cfg, int argc, char **argv, char **errstr)
{
	gboolean vcard = FALSE;
	GOptionEntry entries[] = {
		{ "vcard", 0, 0, G_OPTION_ARG_NONE, &vcard,
		  "Contacts from vCard (3.0 or 4.0; a directory: every *.vcf)", NULL },
		{ NULL, 0, 0, 0, NULL, NULL, NULL },
	};
	GPtrArray *cards = g_ptr_array_new_with_free_func((GDestroyNotify)vcard_card_free);
	import_stats stats = { 0 };
	kith_store *store = NULL;
	gint64 now = g_date_time_to_unix(cfg->now);
	kith_status status;

	status = cmd_parse_options(&argc, &argv, entries, "--vcard FILE",
		"Import contacts from vCards (FILE, a directory of .vcf, or - for "
		"standard input).", errstr);
	if (status != KITH_OK)
		goto out;
	if (!vcard || argc != 2) {
		status = kith_fail(errstr, KITH_E_USAGE,
			"import: usage: kith import --vcard FILE");
		goto out;
	}
	status = read_cards(argv[1], cards, errstr);
	if (status != KITH_OK)
		goto out;
	status = drain_open_store(cfg, &store, errstr);
	if (status != KITH_OK)
		goto out;
	status = store_begin(store, errstr);
	if (status != KITH_OK)
		goto out;
	for (guint i = 0; i < cards->len && status == KITH_OK; i++)
		status = import_card(store, g_ptr_array_index(cards, i), now, &stats, errstr);
	if (status == KITH_OK)
		status = store_commit(store, errstr);
	if (status != KITH_OK)
		goto out;
	printf("%u card%s: %u new contact%s, %u updated, %u skipped\n",
		stats.cards, stats.cards == 1 ? "" : "s", stats.created,
		stats.created == 1 ? "" : "s", stats.updated, stats.skipped);
out:
	if (status != KITH_OK && store != NULL)
		store_rollback(store);
	store_close(store);
	g_ptr_array_unref(cards);
	return status;
}
