/*
 * automated.h - is a message from a robot, a list or a newsletter?
 * Automated mail makes no contacts and no interactions and never counts
 * as a reply; it is still stored, marked, with the reason.
 */
#ifndef KITH_AUTOMATED_H
#define KITH_AUTOMATED_H

#include "message.h"

/* The reason a message is automated ("list-id", "auto-submitted: auto-replied",
 * "precedence: bulk", "x-autoreply", "vacation", "delivery report",
 * "sender: mailer-daemon", "no-reply sender", ...), as a new string, or NULL
 * for mail written by a person.  Reads headers, sender and is_report. */
char *automated_reason(const kith_message *msg);

/* TRUE for no-reply style, mailer-daemon and postmaster addresses. */
gboolean automated_address(const char *addr);

#endif
