/* test_store.c - the store: schema, migrations, idempotent messages,
 * contacts and names, tombstones, scan state, privacy of the file. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "store.h"

typedef struct {
	char *dir;
	char *path;
	kith_store *store;
} fixture;

static int
setup(void **state)
{
	fixture *f = g_new0(fixture, 1);
	char *err = NULL;

	f->dir = g_dir_make_tmp("kith-store-XXXXXX", NULL);
	f->path = g_build_filename(f->dir, "sub", "kith.db", NULL);
	assert_int_equal(store_open(f->path, &f->store, &err), KITH_OK);
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	fixture *f = *state;
	char *cmd = g_strdup_printf("rm -rf '%s'", f->dir);

	store_close(f->store);
	assert_int_equal(system(cmd), 0);
	g_free(cmd);
	g_free(f->path);
	g_free(f->dir);
	g_free(f);
	return 0;
}

static kith_message *
parse(const char *text)
{
	kith_message *msg = NULL;
	char *err = NULL;

	assert_int_equal(message_parse(text, strlen(text), &msg, &err), KITH_OK);
	return msg;
}

static gint64
count(kith_store *store, const char *sql)
{
	sqlite3_stmt *st = NULL;
	gint64 n = -1;

	assert_int_equal(sqlite3_prepare_v2(store_db(store), sql, -1, &st, NULL), SQLITE_OK);
	if (sqlite3_step(st) == SQLITE_ROW)
		n = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return n;
}

static const char msg_a[] =
	"From: Ann Lee <ann@example.org>\n"
	"To: me@example.org\n"
	"Subject: hello\n"
	"Date: Mon, 30 Mar 2026 09:00:00 +0200\n"
	"Message-ID: <a1@example.org>\n"
	"References: <root@example.org> <mid@example.org>\n"
	"In-Reply-To: <mid@example.org>\n"
	"\n"
	"Hi.\n";

static void
test_private_file(void **state)
{
	fixture *f = *state;
	struct stat st;
	char *dir = g_path_get_dirname(f->path);

	assert_int_equal(stat(f->path, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);
	assert_int_equal(stat(dir, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0700);
	g_free(dir);
}

static void
test_schema_version(void **state)
{
	fixture *f = *state;

	assert_true(count(f->store, "PRAGMA user_version") >= 1);
	assert_int_equal(count(f->store, "PRAGMA foreign_keys"), 1);
	assert_int_equal(count(f->store, "SELECT count(*) FROM sqlite_master "
		"WHERE name IN ('contacts','addresses','messages','interactions',"
		"'items','scan_state','tombstones')"), 7);
}

static void
test_reopen_keeps_data(void **state)
{
	fixture *f = *state;
	kith_message *msg = parse(msg_a);
	gint64 rowid = 0;
	gboolean is_new = FALSE;
	char *err = NULL;

	assert_int_equal(store_record_message(f->store, msg, DIR_RECEIVED, &rowid,
		&is_new, &err), KITH_OK);
	store_close(f->store);
	assert_int_equal(store_open(f->path, &f->store, &err), KITH_OK);
	assert_int_equal(store_message_rowid(f->store, "a1@example.org"), rowid);
	message_free(msg);
}

static void
test_message_once(void **state)
{
	fixture *f = *state;
	kith_message *msg = parse(msg_a);
	gint64 r1 = 0, r2 = 0;
	gboolean n1 = FALSE, n2 = TRUE;
	char *err = NULL;

	assert_int_equal(store_record_message(f->store, msg, DIR_RECEIVED, &r1, &n1, &err), KITH_OK);
	assert_int_equal(store_record_message(f->store, msg, DIR_RECEIVED, &r2, &n2, &err), KITH_OK);
	assert_true(n1);
	assert_false(n2);
	assert_int_equal(r1, r2);
	assert_int_equal(count(f->store, "SELECT count(*) FROM messages"), 1);
	/* thread links: the references and In-Reply-To, each once */
	assert_int_equal(count(f->store, "SELECT count(*) FROM message_refs"), 2);
	assert_int_equal(count(f->store, "SELECT count(*) FROM participants"), 2);
	message_free(msg);
}

static void
test_contact_names(void **state)
{
	fixture *f = *state;
	gint64 id = 0, id2 = 0;
	gboolean created = FALSE;
	char *err = NULL;

	assert_int_equal(store_contact_for_address(f->store, "ann@example.org", "Ann",
		100, &id, &created, &err), KITH_OK);
	assert_true(created);
	/* an older message does not replace a newer name */
	assert_int_equal(store_contact_for_address(f->store, "ann@example.org", "A. Lee",
		50, &id2, &created, &err), KITH_OK);
	assert_false(created);
	assert_int_equal(id, id2);
	assert_int_equal(count(f->store, "SELECT count(*) FROM contacts WHERE name = 'Ann'"), 1);
	/* a newer one does; an empty one never does */
	store_contact_for_address(f->store, "ann@example.org", "Ann Lee", 200, &id2, &created, &err);
	store_contact_for_address(f->store, "ann@example.org", "", 300, &id2, &created, &err);
	assert_int_equal(count(f->store, "SELECT count(*) FROM contacts WHERE name = 'Ann Lee'"), 1);
	assert_int_equal(store_contact_lookup(f->store, "ann@example.org"), id);
	assert_int_equal(store_contact_lookup(f->store, "nobody@example.org"), 0);
}

static void
test_interaction_once(void **state)
{
	fixture *f = *state;
	kith_message *msg = parse(msg_a);
	gint64 rowid = 0, id = 0;
	gboolean b = FALSE;
	char *err = NULL;

	store_record_message(f->store, msg, DIR_RECEIVED, &rowid, &b, &err);
	store_contact_for_address(f->store, "ann@example.org", "Ann", 1, &id, &b, &err);
	assert_int_equal(store_record_interaction(f->store, id, rowid, DIR_RECEIVED, 1, &err), KITH_OK);
	assert_int_equal(store_record_interaction(f->store, id, rowid, DIR_RECEIVED, 1, &err), KITH_OK);
	assert_int_equal(count(f->store, "SELECT count(*) FROM interactions"), 1);
	message_free(msg);
}

static void
test_tombstone(void **state)
{
	fixture *f = *state;
	gint64 id = 1;
	gboolean created = TRUE;
	char *err = NULL;
	char *data = NULL;
	gsize len = 0;

	assert_false(store_is_forgotten(f->store, "gone@example.org"));
	/* inside a transaction too, where "no tombstones" is remembered */
	assert_int_equal(store_begin(f->store, &err), KITH_OK);
	assert_false(store_is_forgotten(f->store, "gone@example.org"));
	assert_int_equal(store_add_tombstone(f->store, "gone@example.org", 1, &err), KITH_OK);
	assert_true(store_is_forgotten(f->store, "gone@example.org"));
	assert_false(store_is_forgotten(f->store, "here@example.org"));
	assert_int_equal(store_commit(f->store, &err), KITH_OK);
	assert_true(store_is_forgotten(f->store, "gone@example.org"));
	assert_int_equal(store_contact_for_address(f->store, "gone@example.org", "Gone",
		5, &id, &created, &err), KITH_OK);
	assert_int_equal(id, 0);
	assert_false(created);
	/* the address itself is nowhere in the file */
	assert_int_equal(sqlite3_exec(store_db(f->store), "PRAGMA wal_checkpoint(TRUNCATE)",
		NULL, NULL, NULL), SQLITE_OK);
	assert_true(g_file_get_contents(f->path, &data, &len, NULL));
	assert_null(memmem(data, len, "gone@example.org", 16));
	g_free(data);
}

static void
test_scan_state(void **state)
{
	fixture *f = *state;
	store_scan_state s = { 7, 42, 9, 100, g_strdup("abc") }, r;
	char *err = NULL;

	assert_int_equal(store_scan_state_get(f->store, "imap:x", "INBOX", &r, &err), KITH_OK);
	assert_int_equal(r.last_uid, 0);
	assert_null(r.fingerprint);
	assert_int_equal(store_scan_state_set(f->store, "imap:x", "INBOX", &s, &err), KITH_OK);
	assert_int_equal(store_scan_state_get(f->store, "imap:x", "INBOX", &r, &err), KITH_OK);
	assert_int_equal(r.uidvalidity, 7);
	assert_int_equal(r.last_uid, 42);
	assert_int_equal(r.modseq, 9);
	assert_int_equal(r.offset, 100);
	assert_string_equal(r.fingerprint, "abc");
	store_scan_state_clear(&r);
	store_scan_state_clear(&s);
}

static void
test_seen_files(void **state)
{
	fixture *f = *state;
	GHashTable *seen;
	char *err = NULL;

	assert_int_equal(store_mark_file_seen(f->store, "maildir:/m", "123.M1", &err), KITH_OK);
	assert_int_equal(store_mark_file_seen(f->store, "maildir:/m", "123.M1", &err), KITH_OK);
	seen = store_seen_files(f->store, "maildir:/m");
	assert_int_equal(g_hash_table_size(seen), 1);
	assert_true(g_hash_table_contains(seen, "123.M1"));
	g_hash_table_destroy(seen);
	seen = store_seen_files(f->store, "maildir:/other");
	assert_int_equal(g_hash_table_size(seen), 0);
	g_hash_table_destroy(seen);
}

static void
test_not_a_kith_store(void **state)
{
	fixture *f = *state;
	char *path = g_build_filename(f->dir, "other.db", NULL);
	sqlite3 *db = NULL;
	kith_store *store = NULL;
	char *err = NULL;

	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	assert_int_equal(sqlite3_exec(db, "CREATE TABLE t (x)", NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(db);
	assert_int_equal(store_open(path, &store, &err), KITH_E_DATA);
	assert_non_null(strstr(err, "not a kith store"));
	assert_null(store);
	g_free(err);
	g_free(path);
}

static void
test_newer_schema_refused(void **state)
{
	fixture *f = *state;
	kith_store *store = NULL;
	char *err = NULL;

	assert_int_equal(sqlite3_exec(store_db(f->store), "PRAGMA user_version = 999",
		NULL, NULL, NULL), SQLITE_OK);
	assert_int_equal(store_open(f->path, &store, &err), KITH_E_DATA);
	assert_non_null(strstr(err, "newer than this kith"));
	g_free(err);
}

static void
test_transactions(void **state)
{
	fixture *f = *state;
	kith_message *msg = parse(msg_a);
	gint64 rowid = 0;
	gboolean b = FALSE;
	char *err = NULL;

	assert_int_equal(store_begin(f->store, &err), KITH_OK);
	store_record_message(f->store, msg, DIR_RECEIVED, &rowid, &b, &err);
	store_rollback(f->store);
	assert_int_equal(count(f->store, "SELECT count(*) FROM messages"), 0);
	assert_int_equal(store_begin(f->store, &err), KITH_OK);
	store_record_message(f->store, msg, DIR_RECEIVED, &rowid, &b, &err);
	assert_int_equal(store_commit(f->store, &err), KITH_OK);
	assert_int_equal(count(f->store, "SELECT count(*) FROM messages"), 1);
	message_free(msg);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_private_file, setup, teardown),
		cmocka_unit_test_setup_teardown(test_schema_version, setup, teardown),
		cmocka_unit_test_setup_teardown(test_reopen_keeps_data, setup, teardown),
		cmocka_unit_test_setup_teardown(test_message_once, setup, teardown),
		cmocka_unit_test_setup_teardown(test_contact_names, setup, teardown),
		cmocka_unit_test_setup_teardown(test_interaction_once, setup, teardown),
		cmocka_unit_test_setup_teardown(test_tombstone, setup, teardown),
		cmocka_unit_test_setup_teardown(test_scan_state, setup, teardown),
		cmocka_unit_test_setup_teardown(test_seen_files, setup, teardown),
		cmocka_unit_test_setup_teardown(test_not_a_kith_store, setup, teardown),
		cmocka_unit_test_setup_teardown(test_newer_schema_refused, setup, teardown),
		cmocka_unit_test_setup_teardown(test_transactions, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
