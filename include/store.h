/*
 * store.h - the contact store (sqlite3).  The schema and its migrations
 * (PRAGMA user_version) live in store.c and are documented in
 * doc/kith-store.5.  The database is opened in WAL mode with a busy timeout
 * and foreign keys on; every statement is prepared with bound parameters.
 * A new database file is created mode 0600 (its directory 0700).
 *
 * Ownership: a kith_store owns its sqlite3 handle and cached statements;
 * store_close() finalises them.  Strings returned by store_* functions are
 * new (g_free) unless the comment says borrowed.
 */
#ifndef KITH_STORE_H
#define KITH_STORE_H

#include <glib.h>
#include <sqlite3.h>

#include "kith.h"
#include "message.h"

#define STORE_BUSY_TIMEOUT_MS 10000

typedef struct kith_store kith_store;

/* An interaction's direction: a message from them to me, from me to them,
 * or one where they were only copied alongside me. */
typedef enum { DIR_RECEIVED = 0, DIR_SENT = 1, DIR_COPIED = 2 } kith_direction;
const char *direction_name(kith_direction dir);

/*
 * Opens (creating when absent) and migrates the store at `path`.
 * KITH_E_TEMPFAIL when locked past the timeout, KITH_E_CANTCREAT when the
 * file or its directory cannot be made, KITH_E_DATA when it is not a kith
 * store or is newer than this kith.
 */
kith_status store_open(const char *path, kith_store **out, char **errstr);
void store_close(kith_store *store);

/* Borrowed handle for the stages that read the store with their own
 * prepared statements (remind, digest, list commands). */
sqlite3 *store_db(kith_store *store);

/* Prepares `sql` (cached for the life of the store under the pointer, so
 * pass a string literal; do not finalize; it is reset and its bindings
 * cleared before it is returned). */
kith_status store_stmt(kith_store *store, const char *sql,
	sqlite3_stmt **out, char **errstr);

/* A write transaction (BEGIN IMMEDIATE).  Batches are cheap: use one per
 * batch of messages, not one per message. */
kith_status store_begin(kith_store *store, char **errstr);
kith_status store_commit(kith_store *store, char **errstr);
void store_rollback(kith_store *store);

/* Runs a write statement to completion and resets it; a failure becomes
 * store_error(store, what). */
kith_status store_step_done(kith_store *store, sqlite3_stmt *st,
	const char *what, char **errstr);

/* Maps the last sqlite error to a status and message "what: sqlite says". */
kith_status store_error(kith_store *store, const char *what, char **errstr);

/* --- messages ------------------------------------------------------- */

/*
 * Records a message (key: Message-ID).  When the Message-ID is already
 * stored, nothing changes and *is_new is FALSE.  Records thread links
 * (In-Reply-To, References) and participants.  *rowid is the row's id.
 */
kith_status store_record_message(kith_store *store, const kith_message *msg,
	kith_direction dir, gint64 *rowid, gboolean *is_new, char **errstr);

/* Row id of a stored Message-ID, or 0. */
gint64 store_message_rowid(kith_store *store, const char *message_id);

/* --- contacts ------------------------------------------------------- */

/*
 * The contact that owns `addr` (lowercased), created when new; the display
 * name becomes `name` when non-empty and `date` is the newest seen.
 * *contact_id = 0 when the address was forgotten (tombstone): record
 * nothing for it.
 */
kith_status store_contact_for_address(kith_store *store, const char *addr,
	const char *name, gint64 date, gint64 *contact_id, gboolean *created,
	char **errstr);

/* The contact owning `addr`, or 0. */
gint64 store_contact_lookup(kith_store *store, const char *addr);

/* One interaction per (contact, message). */
kith_status store_record_interaction(kith_store *store, gint64 contact_id,
	gint64 message_rowid, kith_direction dir, gint64 date, char **errstr);

/* --- scan state ----------------------------------------------------- */

typedef struct {
	gint64 uidvalidity;
	gint64 last_uid;
	gint64 modseq;
	gint64 offset;        /* mbox: bytes consumed */
	char *fingerprint;    /* mbox: identity of the file's start */
} store_scan_state;

/* Reads the state of (source, folder); a missing row reads as zeros. */
kith_status store_scan_state_get(kith_store *store, const char *source,
	const char *folder, store_scan_state *state, char **errstr);
kith_status store_scan_state_set(kith_store *store, const char *source,
	const char *folder, const store_scan_state *state, char **errstr);
void store_scan_state_clear(store_scan_state *state);

/* Maildir files already recorded for a source: key (the unique part of the
 * file name, before ':') -> GINT_TO_POINTER(1).  New hash table. */
GHashTable *store_seen_files(kith_store *store, const char *source);
kith_status store_mark_file_seen(kith_store *store, const char *source,
	const char *key, char **errstr);

/* --- tombstones ------------------------------------------------------ */

/* TRUE when `addr` was forgotten (stored only as a salted hash). */
gboolean store_is_forgotten(kith_store *store, const char *addr);
/* Records that `addr` was forgotten, as a salted hash, never in clear. */
kith_status store_add_tombstone(kith_store *store, const char *addr,
	gint64 date, char **errstr);

#endif
