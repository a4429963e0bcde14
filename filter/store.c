/*
 * store.c - the sqlite contact store: schema, migrations, and the write
 * path for messages, contacts, interactions and scan state.  The schema is
 * documented in doc/kith-store.5; a change to it is a new migration at the
 * end of `migrations`, never an edit of an old one.
 */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "log.h"
#include "store.h"

struct kith_store {
	sqlite3 *db;
	char *path;
	GHashTable *stmts;     /* sql text (borrowed static) -> sqlite3_stmt* */
	gboolean in_tx;
	char *salt;            /* for tombstone hashes */
	int tombstones;        /* in this transaction: whether there are any;
	                        * -1: not looked yet */
};

static const char *const migrations[] = {
	/* 1: the foundation */
	"CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);"
	"CREATE TABLE contacts ("
	"  id INTEGER PRIMARY KEY,"
	"  name TEXT NOT NULL DEFAULT '',"
	"  name_date INTEGER NOT NULL DEFAULT 0,"
	"  name_fixed INTEGER NOT NULL DEFAULT 0,"
	"  role TEXT NOT NULL DEFAULT 'none',"
	"  cadence INTEGER,"
	"  note TEXT NOT NULL DEFAULT '',"
	"  created INTEGER NOT NULL);"
	"CREATE TABLE addresses ("
	"  addr TEXT PRIMARY KEY,"
	"  contact_id INTEGER NOT NULL REFERENCES contacts(id) ON DELETE CASCADE"
	") WITHOUT ROWID;"
	"CREATE INDEX addresses_contact ON addresses(contact_id);"
	"CREATE TABLE tags ("
	"  contact_id INTEGER NOT NULL REFERENCES contacts(id) ON DELETE CASCADE,"
	"  tag TEXT NOT NULL, PRIMARY KEY (contact_id, tag)) WITHOUT ROWID;"
	"CREATE TABLE messages ("
	"  id INTEGER PRIMARY KEY,"
	"  message_id TEXT NOT NULL UNIQUE,"
	"  synthesized INTEGER NOT NULL DEFAULT 0,"
	"  date INTEGER NOT NULL,"
	"  tz_offset INTEGER NOT NULL DEFAULT 0,"
	"  direction INTEGER NOT NULL,"
	"  from_addr TEXT NOT NULL DEFAULT '',"
	"  subject TEXT NOT NULL DEFAULT '',"
	"  automated TEXT,"
	"  in_reply_to TEXT,"
	"  attachments INTEGER NOT NULL DEFAULT 0,"
	"  size INTEGER NOT NULL DEFAULT 0,"
	"  added INTEGER NOT NULL);"
	"CREATE INDEX messages_date ON messages(date);"
	"CREATE INDEX messages_in_reply_to ON messages(in_reply_to);"
	"CREATE TABLE message_refs ("
	"  message INTEGER NOT NULL REFERENCES messages(id) ON DELETE CASCADE,"
	"  ref TEXT NOT NULL, PRIMARY KEY (message, ref)) WITHOUT ROWID;"
	"CREATE INDEX message_refs_ref ON message_refs(ref);"
	"CREATE TABLE participants ("
	"  message INTEGER NOT NULL REFERENCES messages(id) ON DELETE CASCADE,"
	"  field TEXT NOT NULL,"
	"  addr TEXT NOT NULL,"
	"  name TEXT NOT NULL DEFAULT '',"
	"  PRIMARY KEY (message, field, addr)) WITHOUT ROWID;"
	"CREATE INDEX participants_addr ON participants(addr);"
	"CREATE TABLE attachments ("
	"  message INTEGER NOT NULL REFERENCES messages(id) ON DELETE CASCADE,"
	"  filename TEXT NOT NULL, mime_type TEXT NOT NULL, size INTEGER NOT NULL);"
	"CREATE INDEX attachments_message ON attachments(message);"
	"CREATE TABLE interactions ("
	"  contact_id INTEGER NOT NULL REFERENCES contacts(id) ON DELETE CASCADE,"
	"  message INTEGER NOT NULL REFERENCES messages(id) ON DELETE CASCADE,"
	"  direction INTEGER NOT NULL,"
	"  date INTEGER NOT NULL,"
	"  PRIMARY KEY (contact_id, message)) WITHOUT ROWID;"
	"CREATE INDEX interactions_message ON interactions(message);"
	"CREATE TABLE items ("
	"  id INTEGER PRIMARY KEY,"
	"  kind TEXT NOT NULL,"
	"  owner TEXT NOT NULL,"
	"  contact_id INTEGER REFERENCES contacts(id) ON DELETE CASCADE,"
	"  message INTEGER NOT NULL REFERENCES messages(id) ON DELETE CASCADE,"
	"  sentence TEXT NOT NULL,"
	"  rule_id TEXT NOT NULL,"
	"  due TEXT,"
	"  target TEXT,"
	"  status TEXT NOT NULL DEFAULT 'open',"
	"  snooze_until TEXT,"
	"  closed_by INTEGER REFERENCES messages(id) ON DELETE SET NULL,"
	"  closed_at INTEGER,"
	"  created INTEGER NOT NULL,"
	"  UNIQUE (message, contact_id, sentence));"
	"CREATE INDEX items_contact ON items(contact_id, status);"
	"CREATE TABLE item_recipients ("
	"  item INTEGER NOT NULL REFERENCES items(id) ON DELETE CASCADE,"
	"  contact_id INTEGER NOT NULL REFERENCES contacts(id) ON DELETE CASCADE,"
	"  PRIMARY KEY (item, contact_id)) WITHOUT ROWID;"
	"CREATE TABLE events ("
	"  id INTEGER PRIMARY KEY,"
	"  kind TEXT NOT NULL,"
	"  contact_id INTEGER NOT NULL REFERENCES contacts(id) ON DELETE CASCADE,"
	"  message INTEGER NOT NULL REFERENCES messages(id) ON DELETE CASCADE,"
	"  direction INTEGER NOT NULL,"
	"  sentence TEXT NOT NULL,"
	"  date INTEGER NOT NULL,"
	"  UNIQUE (message, contact_id, kind, sentence));"
	"CREATE INDEX events_contact ON events(contact_id, kind);"
	"CREATE TABLE scan_state ("
	"  source TEXT NOT NULL, folder TEXT NOT NULL,"
	"  uidvalidity INTEGER NOT NULL DEFAULT 0,"
	"  last_uid INTEGER NOT NULL DEFAULT 0,"
	"  modseq INTEGER NOT NULL DEFAULT 0,"
	"  offset INTEGER NOT NULL DEFAULT 0,"
	"  fingerprint TEXT,"
	"  PRIMARY KEY (source, folder)) WITHOUT ROWID;"
	"CREATE TABLE seen_files ("
	"  source TEXT NOT NULL, key TEXT NOT NULL,"
	"  PRIMARY KEY (source, key)) WITHOUT ROWID;"
	"CREATE TABLE tombstones (hash TEXT PRIMARY KEY, date INTEGER NOT NULL)"
	"  WITHOUT ROWID;",
	/* 2: the digests kith made (Message-ID, when), so a reply to one can be
	 * recognised and its commands applied (control.c). */
	"CREATE TABLE digests (message_id TEXT PRIMARY KEY, date INTEGER NOT NULL)"
	"  WITHOUT ROWID;",
	/* 3: indexes for the ledger, so closing an item costs the same after
	 * years of mail: a contact's open items by age, promised
	 * introductions, and a contact's interactions by date. */
	"CREATE INDEX items_open ON items(contact_id, owner, created)"
	"  WHERE status IN ('open', 'snoozed');"
	"CREATE INDEX interactions_contact_date ON interactions(contact_id, direction, date);",
	/* 4: a contact's open items in the order the ledger tries them
	 * (promised introductions first, then by age), with the columns it
	 * filters on, so taking the first few reads only those. */
	"DROP INDEX items_open;"
	"CREATE INDEX items_open ON items(contact_id, owner, target IS NULL, created,"
	"  message) WHERE status IN ('open', 'snoozed');",
	/* 5: the items each message settled, so that a delivery arriving
	 * before the items it settles still settles one, the oldest; and no
	 * index on In-Reply-To, which nothing looks up (replies are found
	 * through message_refs, which holds it too), but every message
	 * paid for. */
	"CREATE INDEX items_closed_by ON items(closed_by) WHERE closed_by IS NOT NULL;"
	"DROP INDEX messages_in_reply_to;",
	/* 6: a contact's items that messages settled, by when, so that a
	 * message arriving after later-dated ones finds the items it would
	 * have settled first among the few settled after its date. */
	"CREATE INDEX items_settled ON items(contact_id, owner, closed_at)"
	"  WHERE status = 'done' AND closed_by IS NOT NULL;",
};

#define SCHEMA_VERSION ((int)G_N_ELEMENTS(migrations))

const char *
direction_name(kith_direction dir)
{
	switch (dir) {
	case DIR_SENT:   return "sent";
	case DIR_COPIED: return "copied";
	default:         return "received";
	}
}

kith_status
store_error(kith_store *store, const char *what, char **errstr)
{
	int code = sqlite3_errcode(store->db);
	kith_status status = KITH_E_SOFTWARE;

	switch (code & 0xff) {
	case SQLITE_BUSY:
	case SQLITE_LOCKED:
		status = KITH_E_TEMPFAIL;
		break;
	case SQLITE_FULL:
	case SQLITE_IOERR:
		status = KITH_E_IO;
		break;
	case SQLITE_READONLY:
	case SQLITE_PERM:
	case SQLITE_CANTOPEN:
		status = KITH_E_CANTCREAT;
		break;
	case SQLITE_CORRUPT:
	case SQLITE_NOTADB:
		status = KITH_E_DATA;
		break;
	}
	return kith_fail(errstr, status, "%s: %s: %s", store->path, what,
		sqlite3_errmsg(store->db));
}

static void
finalize_stmt(gpointer p)
{
	sqlite3_finalize(p);
}

kith_status
store_stmt(kith_store *store, const char *sql, sqlite3_stmt **out, char **errstr)
{
	sqlite3_stmt *st = g_hash_table_lookup(store->stmts, sql);

	if (st == NULL) {
		if (sqlite3_prepare_v3(store->db, sql, -1, SQLITE_PREPARE_PERSISTENT,
				&st, NULL) != SQLITE_OK)
			return store_error(store, "prepare", errstr);
		g_hash_table_insert(store->stmts, (gpointer)sql, st);
	} else {
		sqlite3_reset(st);
		sqlite3_clear_bindings(st);
	}
	*out = st;
	return KITH_OK;
}

static kith_status
exec_sql(kith_store *store, const char *sql, const char *what, char **errstr)
{
	if (sqlite3_exec(store->db, sql, NULL, NULL, NULL) != SQLITE_OK)
		return store_error(store, what, errstr);
	return KITH_OK;
}

/*
 * The connection's settings.  An 8 MB page cache (sqlite's default is
 * 2 MB) holds the indexes a scan touches at random (Message-IDs,
 * references, seen files) for a mailbox of tens of thousands of
 * messages; it is a fixed bound, so memory does not grow with the
 * mailbox.  Switching a new store to WAL can find it locked by another
 * process creating it at the same moment (the first delivery's drainer
 * and a command), and sqlite does not wait there as it does elsewhere:
 * so this waits, for as long as the busy timeout.
 */
static kith_status
store_set_pragmas(kith_store *store, char **errstr)
{
	static const char pragmas[] =
		"PRAGMA journal_mode = WAL;"
		"PRAGMA synchronous = NORMAL;"
		"PRAGMA foreign_keys = ON;"
		"PRAGMA secure_delete = ON;"
		"PRAGMA cache_size = -8192;";
	gint64 until = g_get_monotonic_time() + STORE_BUSY_TIMEOUT_MS * (gint64)1000;
	int rc;

	while ((rc = sqlite3_exec(store->db, pragmas, NULL, NULL, NULL)) != SQLITE_OK &&
	       (rc == SQLITE_BUSY || rc == SQLITE_LOCKED) && g_get_monotonic_time() < until)
		g_usleep(20 * 1000);
	if (rc != SQLITE_OK)
		return store_error(store, "cannot open database", errstr);
	return KITH_OK;
}

kith_status
store_begin(kith_store *store, char **errstr)
{
	if (store->in_tx)
		return KITH_OK;
	if (exec_sql(store, "BEGIN IMMEDIATE", "begin", errstr) != KITH_OK)
		return store_error(store, "cannot lock the store", errstr);
	store->in_tx = TRUE;
	store->tombstones = -1;
	return KITH_OK;
}

kith_status
store_commit(kith_store *store, char **errstr)
{
	if (!store->in_tx)
		return KITH_OK;
	if (exec_sql(store, "COMMIT", "commit", errstr) != KITH_OK) {
		store_rollback(store);
		return store_error(store, "commit", errstr);
	}
	store->in_tx = FALSE;
	return KITH_OK;
}

void
store_rollback(kith_store *store)
{
	if (!store->in_tx)
		return;
	sqlite3_exec(store->db, "ROLLBACK", NULL, NULL, NULL);
	store->in_tx = FALSE;
}

static int
user_version(kith_store *store)
{
	sqlite3_stmt *st = NULL;
	int v = -1;

	if (sqlite3_prepare_v2(store->db, "PRAGMA user_version", -1, &st, NULL) == SQLITE_OK &&
	    sqlite3_step(st) == SQLITE_ROW)
		v = sqlite3_column_int(st, 0);
	sqlite3_finalize(st);
	return v;
}

static int
table_count(kith_store *store)
{
	sqlite3_stmt *st = NULL;
	int n = -1;

	if (sqlite3_prepare_v2(store->db, "SELECT count(*) FROM sqlite_master", -1,
			&st, NULL) == SQLITE_OK && sqlite3_step(st) == SQLITE_ROW)
		n = sqlite3_column_int(st, 0);
	sqlite3_finalize(st);
	return n;
}

/* Brings the schema up to SCHEMA_VERSION inside one write transaction,
 * re-reading the version under the lock (another process may have just
 * done it). */
static kith_status
store_migrate(kith_store *store, char **errstr)
{
	kith_status status;
	int v = user_version(store);
	char *sql;

	if (v == SCHEMA_VERSION)
		return KITH_OK;
	status = store_begin(store, errstr);
	if (status != KITH_OK)
		return status;
	v = user_version(store);
	if (v < 0 || v > SCHEMA_VERSION) {
		status = kith_fail(errstr, KITH_E_DATA,
			"%s: schema version %d is newer than this kith (%d)",
			store->path, v, SCHEMA_VERSION);
		goto out;
	}
	if (v == 0 && table_count(store) != 0) {
		status = kith_fail(errstr, KITH_E_DATA,
			"%s: not a kith store (it has tables of its own)", store->path);
		goto out;
	}
	for (; v < SCHEMA_VERSION; v++) {
		status = exec_sql(store, migrations[v], "migrate", errstr);
		if (status != KITH_OK)
			goto out;
	}
	sql = g_strdup_printf("PRAGMA user_version = %d", SCHEMA_VERSION);
	status = exec_sql(store, sql, "migrate", errstr);
	g_free(sql);
	if (status != KITH_OK)
		goto out;
	status = store_commit(store, errstr);
out:
	if (status != KITH_OK)
		store_rollback(store);
	return status;
}

/* The salt of tombstone hashes, made once per store. */
static kith_status
store_load_salt(kith_store *store, char **errstr)
{
	sqlite3_stmt *st;
	kith_status status;

	status = store_stmt(store, "SELECT value FROM meta WHERE key = 'salt'", &st, errstr);
	if (status != KITH_OK)
		return status;
	if (sqlite3_step(st) == SQLITE_ROW) {
		store->salt = g_strdup((const char *)sqlite3_column_text(st, 0));
		sqlite3_reset(st);
		return KITH_OK;
	}
	sqlite3_reset(st);
	store->salt = g_strdup_printf("%08x%08x%08x%08x", g_random_int(),
		g_random_int(), g_random_int(), g_random_int());
	status = store_stmt(store,
		"INSERT OR IGNORE INTO meta (key, value) VALUES ('salt', ?1)", &st, errstr);
	if (status != KITH_OK)
		return status;
	sqlite3_bind_text(st, 1, store->salt, -1, SQLITE_STATIC);
	if (sqlite3_step(st) != SQLITE_DONE)
		return store_error(store, "salt", errstr);
	sqlite3_reset(st);
	/* Another process may have won the race: read the stored one. */
	g_clear_pointer(&store->salt, g_free);
	status = store_stmt(store, "SELECT value FROM meta WHERE key = 'salt'", &st, errstr);
	if (status != KITH_OK)
		return status;
	if (sqlite3_step(st) == SQLITE_ROW)
		store->salt = g_strdup((const char *)sqlite3_column_text(st, 0));
	sqlite3_reset(st);
	return store->salt != NULL ? KITH_OK :
		kith_fail(errstr, KITH_E_SOFTWARE, "%s: no salt", store->path);
}

/* Creates the file 0600 (and its directory 0700) before sqlite opens it,
 * so the store is never readable by others, not even for an instant. */
static kith_status
create_private_file(const char *path, char **errstr)
{
	char *dir = g_path_get_dirname(path);
	kith_status status = KITH_OK;
	int fd;

	if (g_mkdir_with_parents(dir, 0700) != 0) {
		status = kith_fail(errstr, KITH_E_CANTCREAT,
			"cannot create directory %s: %s", dir, g_strerror(errno));
		goto out;
	}
	fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	if (fd < 0) {
		status = kith_fail(errstr, errno == EACCES ? KITH_E_CANTCREAT : KITH_E_CANTCREAT,
			"cannot open database %s: %s", path, g_strerror(errno));
		goto out;
	}
	close(fd);
out:
	g_free(dir);
	return status;
}

/*
 * Process-wide sqlite settings, made once before the first connection:
 * its allocation statistics take a global mutex on every malloc and free
 * (a scan makes tens per message), and kith never reads them.
 */
static void
store_library_init(void)
{
	static gsize done = 0;

	if (g_once_init_enter(&done)) {
		sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
		g_once_init_leave(&done, 1);
	}
}

kith_status
store_open(const char *path, kith_store **out, char **errstr)
{
	kith_store *store = g_new0(kith_store, 1);
	kith_status status;
	int rc;
	mode_t old_mask;

	store_library_init();
	store->path = g_strdup(path);
	store->stmts = g_hash_table_new_full(g_direct_hash, g_direct_equal, NULL,
		finalize_stmt);
	status = create_private_file(path, errstr);
	if (status != KITH_OK)
		goto out;
	/* sqlite creates -wal and -shm beside it: keep them private too. */
	old_mask = umask(077);
	rc = sqlite3_open_v2(path, &store->db, SQLITE_OPEN_READWRITE |
		SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, NULL);
	umask(old_mask);
	if (rc != SQLITE_OK) {
		status = kith_fail(errstr, KITH_E_CANTCREAT, "cannot open database %s: %s",
			path, store->db != NULL ? sqlite3_errmsg(store->db) : "out of memory");
		goto out;
	}
	sqlite3_extended_result_codes(store->db, 0);
	sqlite3_busy_timeout(store->db, STORE_BUSY_TIMEOUT_MS);
	status = store_set_pragmas(store, errstr);
	if (status != KITH_OK)
		goto out;
	status = store_migrate(store, errstr);
	if (status != KITH_OK)
		goto out;
	status = store_load_salt(store, errstr);
	if (status != KITH_OK)
		goto out;
	*out = store;
	store = NULL;
out:
	store_close(store);
	return status;
}

void
store_close(kith_store *store)
{
	if (store == NULL)
		return;
	store_rollback(store);
	g_hash_table_destroy(store->stmts);
	sqlite3_close(store->db);
	g_free(store->salt);
	g_free(store->path);
	g_free(store);
}

sqlite3 *
store_db(kith_store *store)
{
	return store->db;
}

/* --- messages ------------------------------------------------------------ */

kith_status
store_step_done(kith_store *store, sqlite3_stmt *st, const char *what,
	char **errstr)
{
	int rc = sqlite3_step(st);

	sqlite3_reset(st);
	if (rc != SQLITE_DONE)
		return store_error(store, what, errstr);
	return KITH_OK;
}

gint64
store_message_rowid(kith_store *store, const char *message_id)
{
	sqlite3_stmt *st;
	gint64 id = 0;

	if (store_stmt(store, "SELECT id FROM messages WHERE message_id = ?1", &st,
			NULL) != KITH_OK)
		return 0;
	sqlite3_bind_text(st, 1, message_id, -1, SQLITE_STATIC);
	if (sqlite3_step(st) == SQLITE_ROW)
		id = sqlite3_column_int64(st, 0);
	sqlite3_reset(st);
	return id;
}

static kith_status
record_participants(kith_store *store, gint64 rowid, const char *field,
	const GPtrArray *addrs, char **errstr)
{
	sqlite3_stmt *st;
	kith_status status;

	for (guint i = 0; i < addrs->len; i++) {
		const kith_address *a = g_ptr_array_index(addrs, i);

		status = store_stmt(store,
			"INSERT OR IGNORE INTO participants (message, field, addr, name) "
			"VALUES (?1, ?2, ?3, ?4)", &st, errstr);
		if (status != KITH_OK)
			return status;
		sqlite3_bind_int64(st, 1, rowid);
		sqlite3_bind_text(st, 2, field, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 3, a->addr, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 4, a->name, -1, SQLITE_STATIC);
		status = store_step_done(store, st, "record participant", errstr);
		if (status != KITH_OK)
			return status;
	}
	return KITH_OK;
}

static kith_status
record_refs(kith_store *store, gint64 rowid, const kith_message *msg, char **errstr)
{
	sqlite3_stmt *st;
	kith_status status;

	for (guint i = 0; i <= msg->references->len; i++) {
		const char *ref = i < msg->references->len ?
			g_ptr_array_index(msg->references, i) : msg->in_reply_to;

		if (ref == NULL)
			continue;
		status = store_stmt(store,
			"INSERT OR IGNORE INTO message_refs (message, ref) VALUES (?1, ?2)",
			&st, errstr);
		if (status != KITH_OK)
			return status;
		sqlite3_bind_int64(st, 1, rowid);
		sqlite3_bind_text(st, 2, ref, -1, SQLITE_STATIC);
		status = store_step_done(store, st, "record thread link", errstr);
		if (status != KITH_OK)
			return status;
	}
	return KITH_OK;
}

static kith_status
record_attachments(kith_store *store, gint64 rowid, const kith_message *msg,
	char **errstr)
{
	sqlite3_stmt *st;
	kith_status status;

	for (guint i = 0; i < msg->attachments->len; i++) {
		const kith_attachment *a = g_ptr_array_index(msg->attachments, i);

		status = store_stmt(store,
			"INSERT INTO attachments (message, filename, mime_type, size) "
			"VALUES (?1, ?2, ?3, ?4)", &st, errstr);
		if (status != KITH_OK)
			return status;
		sqlite3_bind_int64(st, 1, rowid);
		sqlite3_bind_text(st, 2, a->filename, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 3, a->mime_type, -1, SQLITE_STATIC);
		sqlite3_bind_int64(st, 4, (gint64)a->size);
		status = store_step_done(store, st, "record attachment", errstr);
		if (status != KITH_OK)
			return status;
	}
	return KITH_OK;
}

kith_status
store_record_message(kith_store *store, const kith_message *msg,
	kith_direction dir, gint64 *rowid, gboolean *is_new, char **errstr)
{
	const kith_address *from = message_sender(msg);
	sqlite3_stmt *st;
	kith_status status;

	*is_new = FALSE;
	/* One probe of the Message-ID index: a message seen before is
	 * ignored, and only then looked up. */
	status = store_stmt(store,
		"INSERT OR IGNORE INTO messages (message_id, synthesized, date, tz_offset, direction,"
		" from_addr, subject, automated, in_reply_to, attachments, size, added) "
		"VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)", &st, errstr);
	if (status != KITH_OK)
		return status;
	sqlite3_bind_text(st, 1, msg->message_id, -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 2, msg->message_id_synthesized);
	sqlite3_bind_int64(st, 3, msg->date);
	sqlite3_bind_int(st, 4, msg->tz_offset);
	sqlite3_bind_int(st, 5, dir);
	sqlite3_bind_text(st, 6, from != NULL ? from->addr : "", -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 7, msg->subject, -1, SQLITE_STATIC);
	if (msg->automated != NULL)
		sqlite3_bind_text(st, 8, msg->automated, -1, SQLITE_STATIC);
	if (msg->in_reply_to != NULL)
		sqlite3_bind_text(st, 9, msg->in_reply_to, -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 10, (int)msg->attachments->len);
	sqlite3_bind_int64(st, 11, (gint64)msg->raw_size);
	sqlite3_bind_int64(st, 12, g_get_real_time() / G_USEC_PER_SEC);
	status = store_step_done(store, st, "record message", errstr);
	if (status != KITH_OK)
		return status;
	if (sqlite3_changes(store->db) == 0) {
		*rowid = store_message_rowid(store, msg->message_id);
		if (*rowid == 0)
			return kith_fail(errstr, KITH_E_SOFTWARE,
				"record message: %s was neither stored nor new", msg->message_id);
		return KITH_OK;
	}
	*rowid = sqlite3_last_insert_rowid(store->db);
	*is_new = TRUE;
	if ((status = record_participants(store, *rowid, "from", msg->from, errstr)) ||
	    (status = record_participants(store, *rowid, "to", msg->to, errstr)) ||
	    (status = record_participants(store, *rowid, "cc", msg->cc, errstr)) ||
	    (status = record_refs(store, *rowid, msg, errstr)) ||
	    (status = record_attachments(store, *rowid, msg, errstr)))
		return status;
	return KITH_OK;
}

/* --- contacts ------------------------------------------------------------ */

gint64
store_contact_lookup(kith_store *store, const char *addr)
{
	sqlite3_stmt *st;
	gint64 id = 0;

	if (store_stmt(store, "SELECT contact_id FROM addresses WHERE addr = ?1",
			&st, NULL) != KITH_OK)
		return 0;
	sqlite3_bind_text(st, 1, addr, -1, SQLITE_STATIC);
	if (sqlite3_step(st) == SQLITE_ROW)
		id = sqlite3_column_int64(st, 0);
	sqlite3_reset(st);
	return id;
}

static char *
tombstone_hash(kith_store *store, const char *addr)
{
	char *salted = g_strconcat(store->salt, ":", addr, NULL);
	char *hash = g_compute_checksum_for_string(G_CHECKSUM_SHA256, salted, -1);

	g_free(salted);
	return hash;
}

/* Whether the store has any tombstone; known once per transaction, since
 * one holds the write lock.  TRUE when it cannot tell. */
static gboolean
any_tombstones(kith_store *store)
{
	sqlite3_stmt *st;
	gboolean any = TRUE;

	if (store->in_tx && store->tombstones >= 0)
		return store->tombstones != 0;
	if (store_stmt(store, "SELECT EXISTS (SELECT 1 FROM tombstones)", &st,
			NULL) == KITH_OK) {
		any = sqlite3_step(st) != SQLITE_ROW || sqlite3_column_int(st, 0) != 0;
		sqlite3_reset(st);
	}
	if (store->in_tx)
		store->tombstones = any;
	return any;
}

gboolean
store_is_forgotten(kith_store *store, const char *addr)
{
	sqlite3_stmt *st;
	char *hash;
	gboolean found = FALSE;

	/* Most stores have no tombstones: skip hashing every address. */
	if (!any_tombstones(store))
		return FALSE;
	hash = tombstone_hash(store, addr);
	if (store_stmt(store, "SELECT 1 FROM tombstones WHERE hash = ?1", &st,
			NULL) == KITH_OK) {
		sqlite3_bind_text(st, 1, hash, -1, SQLITE_STATIC);
		found = sqlite3_step(st) == SQLITE_ROW;
		sqlite3_reset(st);
	}
	g_free(hash);
	return found;
}

kith_status
store_add_tombstone(kith_store *store, const char *addr, gint64 date, char **errstr)
{
	sqlite3_stmt *st;
	char *hash = tombstone_hash(store, addr);
	kith_status status;

	store->tombstones = -1;
	status = store_stmt(store,
		"INSERT OR IGNORE INTO tombstones (hash, date) VALUES (?1, ?2)", &st, errstr);
	if (status == KITH_OK) {
		sqlite3_bind_text(st, 1, hash, -1, SQLITE_STATIC);
		sqlite3_bind_int64(st, 2, date);
		status = store_step_done(store, st, "record tombstone", errstr);
	}
	g_free(hash);
	return status;
}

/* Keeps the most recent non-empty display name, unless the user set one. */
static kith_status
update_contact_name(kith_store *store, gint64 id, const char *name, gint64 date,
	char **errstr)
{
	sqlite3_stmt *st;
	kith_status status;

	if (name == NULL || *name == '\0')
		return KITH_OK;
	status = store_stmt(store,
		"UPDATE contacts SET name = ?2, name_date = ?3 "
		"WHERE id = ?1 AND name_fixed = 0 AND (name_date <= ?3 OR name = '')",
		&st, errstr);
	if (status != KITH_OK)
		return status;
	sqlite3_bind_int64(st, 1, id);
	sqlite3_bind_text(st, 2, name, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 3, date);
	return store_step_done(store, st, "update contact", errstr);
}

kith_status
store_contact_for_address(kith_store *store, const char *addr, const char *name,
	gint64 date, gint64 *contact_id, gboolean *created, char **errstr)
{
	sqlite3_stmt *st;
	kith_status status;
	gint64 id;

	*created = FALSE;
	*contact_id = 0;
	id = store_contact_lookup(store, addr);
	if (id != 0) {
		*contact_id = id;
		return update_contact_name(store, id, name, date, errstr);
	}
	if (store_is_forgotten(store, addr))
		return KITH_OK;
	status = store_stmt(store,
		"INSERT INTO contacts (name, name_date, created) VALUES (?1, ?2, ?3)",
		&st, errstr);
	if (status != KITH_OK)
		return status;
	sqlite3_bind_text(st, 1, name != NULL ? name : "", -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, date);
	sqlite3_bind_int64(st, 3, date);
	status = store_step_done(store, st, "create contact", errstr);
	if (status != KITH_OK)
		return status;
	id = sqlite3_last_insert_rowid(store->db);
	status = store_stmt(store,
		"INSERT INTO addresses (addr, contact_id) VALUES (?1, ?2)", &st, errstr);
	if (status != KITH_OK)
		return status;
	sqlite3_bind_text(st, 1, addr, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, id);
	status = store_step_done(store, st, "record address", errstr);
	if (status != KITH_OK)
		return status;
	*contact_id = id;
	*created = TRUE;
	return KITH_OK;
}

kith_status
store_record_interaction(kith_store *store, gint64 contact_id, gint64 message_rowid,
	kith_direction dir, gint64 date, char **errstr)
{
	sqlite3_stmt *st;
	kith_status status;

	status = store_stmt(store,
		"INSERT OR IGNORE INTO interactions (contact_id, message, direction, date) "
		"VALUES (?1, ?2, ?3, ?4)", &st, errstr);
	if (status != KITH_OK)
		return status;
	sqlite3_bind_int64(st, 1, contact_id);
	sqlite3_bind_int64(st, 2, message_rowid);
	sqlite3_bind_int(st, 3, dir);
	sqlite3_bind_int64(st, 4, date);
	return store_step_done(store, st, "record interaction", errstr);
}

/* --- scan state ---------------------------------------------------------- */

kith_status
store_scan_state_get(kith_store *store, const char *source, const char *folder,
	store_scan_state *state, char **errstr)
{
	sqlite3_stmt *st;
	kith_status status;
	const char *fp;

	memset(state, 0, sizeof *state);
	status = store_stmt(store,
		"SELECT uidvalidity, last_uid, modseq, offset, fingerprint "
		"FROM scan_state WHERE source = ?1 AND folder = ?2", &st, errstr);
	if (status != KITH_OK)
		return status;
	sqlite3_bind_text(st, 1, source, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, folder, -1, SQLITE_STATIC);
	if (sqlite3_step(st) == SQLITE_ROW) {
		state->uidvalidity = sqlite3_column_int64(st, 0);
		state->last_uid = sqlite3_column_int64(st, 1);
		state->modseq = sqlite3_column_int64(st, 2);
		state->offset = sqlite3_column_int64(st, 3);
		fp = (const char *)sqlite3_column_text(st, 4);
		state->fingerprint = g_strdup(fp);
	}
	sqlite3_reset(st);
	return KITH_OK;
}

kith_status
store_scan_state_set(kith_store *store, const char *source, const char *folder,
	const store_scan_state *state, char **errstr)
{
	sqlite3_stmt *st;
	kith_status status;

	status = store_stmt(store,
		"INSERT OR REPLACE INTO scan_state (source, folder, uidvalidity, last_uid,"
		" modseq, offset, fingerprint) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
		&st, errstr);
	if (status != KITH_OK)
		return status;
	sqlite3_bind_text(st, 1, source, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, folder, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 3, state->uidvalidity);
	sqlite3_bind_int64(st, 4, state->last_uid);
	sqlite3_bind_int64(st, 5, state->modseq);
	sqlite3_bind_int64(st, 6, state->offset);
	if (state->fingerprint != NULL)
		sqlite3_bind_text(st, 7, state->fingerprint, -1, SQLITE_STATIC);
	return store_step_done(store, st, "save scan state", errstr);
}

void
store_scan_state_clear(store_scan_state *state)
{
	g_clear_pointer(&state->fingerprint, g_free);
}

GHashTable *
store_seen_files(kith_store *store, const char *source)
{
	GHashTable *seen = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
	sqlite3_stmt *st;

	if (store_stmt(store, "SELECT key FROM seen_files WHERE source = ?1", &st,
			NULL) != KITH_OK)
		return seen;
	sqlite3_bind_text(st, 1, source, -1, SQLITE_STATIC);
	while (sqlite3_step(st) == SQLITE_ROW)
		g_hash_table_add(seen, g_strdup((const char *)sqlite3_column_text(st, 0)));
	sqlite3_reset(st);
	return seen;
}

kith_status
store_mark_file_seen(kith_store *store, const char *source, const char *key,
	char **errstr)
{
	sqlite3_stmt *st;
	kith_status status;

	status = store_stmt(store,
		"INSERT OR IGNORE INTO seen_files (source, key) VALUES (?1, ?2)", &st, errstr);
	if (status != KITH_OK)
		return status;
	sqlite3_bind_text(st, 1, source, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, key, -1, SQLITE_STATIC);
	return store_step_done(store, st, "mark file seen", errstr);
}
