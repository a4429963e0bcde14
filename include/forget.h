/*
 * forget.h - forgetting a person, for good.  `kith contact forget` deletes
 * the contact and everything derived from their mail; a tombstone (a
 * salted hash of each address, never the address) keeps a later scan or
 * delivery from bringing them back: ingest.c screens every message with
 * forget_screen_message() before recording it.
 */
#ifndef KITH_FORGET_H
#define KITH_FORGET_H

#include <glib.h>

#include "config.h"
#include "kith.h"
#include "message.h"
#include "store.h"

/*
 * Deletes contact `contact_id` inside the caller's transaction: the messages
 * they sent and those whose only other participants were them or me (with
 * their thread links, participants, attachments, interactions, items and
 * events), their rows in the participants of every other message, their
 * addresses, interactions, items, events, tags and the contact itself; and
 * records a tombstone for each address.  *addresses (may be NULL) gets the
 * number of addresses forgotten.
 */
kith_status forget_contact(kith_store *store, const kith_config *cfg,
	gint64 contact_id, guint *addresses, char **errstr);

/*
 * After the transaction commits: rewrites the database file so nothing
 * deleted survives in free pages or the write-ahead log (VACUUM, then
 * PRAGMA wal_checkpoint(TRUNCATE)).  KITH_E_TEMPFAIL when another process
 * keeps the log busy (the data is deleted; run it again later).
 */
kith_status forget_scrub(kith_store *store, char **errstr);

/*
 * Screens a parsed message before it is recorded: removes forgotten
 * addresses from its From, To, Cc and Reply-To lists, and returns TRUE when
 * nothing of it may be recorded: it was written by a forgotten person, or
 * its only other participants were forgotten (as forget_contact deletes).
 * Cheap: one salted hash per address.
 */
gboolean forget_screen_message(kith_store *store, const kith_config *cfg,
	kith_message *msg);

#endif
