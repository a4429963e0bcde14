/*
 * dates.h - due dates from the words of a sentence, resolved against the
 * message's Date in the sender's time zone (conventions in kith(1)).
 */
#ifndef KITH_DATES_H
#define KITH_DATES_H

#include <glib.h>

#include "config.h"

/*
 * Looks for a due-date phrase in `sentence`.  `msg_date` is the message's
 * Date in the sender's zone (NULL: no date, and only absolute dates with a
 * year resolve).  On a hit returns TRUE, sets *due and, when `phrase` is
 * not NULL, *phrase to a new copy of the words that gave it.  "ASAP",
 * "soon" and sentences without a date return FALSE.
 */
gboolean dates_find_due(const char *sentence, GDateTime *msg_date,
	date_order order, GDate *due, char **phrase);

#endif
