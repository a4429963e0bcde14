/*
 * control.h - commands by reply to a digest.  A message of mine (From one
 * of my identities) that answers a kith digest may hold, one per line in
 * its new text (never in the quote):
 *
 *   done ID          the item is done
 *   snooze ID DAYS   remind me again DAYS days after the reply's date
 *   dismiss ID       not an item; never show it again
 *
 * (ID with or without '#'; case does not matter; other lines are ignored.)
 * It answers a digest when its In-Reply-To or References name a digest this
 * store recorded (digest.h), or when its In-Reply-To is a kith digest
 * Message-ID and its subject starts with "Re: kith:" (a digest made by
 * another store of mine).  ingest.c asks control_is_reply() before it
 * records a message; such a reply is recorded (for dedup) as automated,
 * reason CONTROL_REASON, so it makes no contacts, no interactions and no
 * items, and it is applied once, when it is new.
 */
#ifndef KITH_CONTROL_H
#define KITH_CONTROL_H

#include <glib.h>

#include "config.h"
#include "kith.h"
#include "message.h"
#include "store.h"

#define CONTROL_REASON "kith control"

typedef enum { CONTROL_DONE, CONTROL_SNOOZE, CONTROL_DISMISS } control_verb;

typedef struct {
	control_verb verb;
	gint64 id;
	int days;          /* snooze only: 1..3650 */
} control_cmd;

/* The commands in `text`, in order (a new GArray of control_cmd). */
GArray *control_parse(const char *text);

/* TRUE when `msg` is my reply to a kith digest (`mine`: its direction is
 * sent). */
gboolean control_is_reply(kith_store *store, const kith_config *cfg,
	const kith_message *msg, gboolean mine);

/*
 * Applies the commands of msg->new_text inside the caller's transaction.
 * An unknown item id is logged and skipped; *applied (may be NULL) gets the
 * number applied.
 */
kith_status control_apply(kith_store *store, const kith_config *cfg,
	const kith_message *msg, guint *applied, char **errstr);

#endif
