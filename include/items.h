/*
 * items.h - the ledger: what is owed between me and each contact.
 * For each new, non-automated message it runs the detector over the new
 * text, opens items (requests and promises: who owes whom, by when),
 * records the other signals as events (thanks, offers, introductions,
 * needs, fulfilments), and closes the open items that this message
 * fulfils (same thread or same people: an attachment, a fulfilment
 * phrase, a promised introduction made, or a reply to a request).
 */
#ifndef KITH_ITEMS_H
#define KITH_ITEMS_H

#include <glib.h>

#include "config.h"
#include "detect.h"
#include "kith.h"
#include "message.h"
#include "store.h"

typedef struct {
	const kith_message *msg;
	gint64 rowid;             /* the stored message */
	kith_direction dir;
	gint64 sender;            /* the sender's contact id; 0 when it is me */
	GArray *recipients;       /* gint64 contact ids, To first then Cc, not me */
	gint64 date;              /* the message date (or now when it has none) */
} items_message;

typedef struct {
	guint opened;
	guint closed;
} items_result;

/*
 * Records what `m` opens and closes, given what the detector found in its
 * new text (`hits`, detect_hit*, borrowed).  Runs inside the caller's
 * store transaction.  Adds the counts to *result.
 */
kith_status items_record(kith_store *store, const items_message *m,
	const GPtrArray *hits, items_result *result, char **errstr);

/* "open", "done", "snoozed", "dismissed": the item statuses. */
#define ITEM_OPEN "open"
#define ITEM_DONE "done"
#define ITEM_SNOOZED "snoozed"
#define ITEM_DISMISSED "dismissed"

/* Sets an item's status by id (kith todo done/snooze/dismiss, digest
 * replies).  `snooze_until` (YYYY-MM-DD) only for snoozed.  KITH_E_USAGE
 * when there is no such item. */
kith_status items_set_status(kith_store *store, gint64 id, const char *status,
	const char *snooze_until, gint64 closed_at, char **errstr);

#endif
