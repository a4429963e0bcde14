/*
 * ics.h - open items as an iCalendar (RFC 5545) VCALENDAR of VTODOs, so a
 * calendar or task app shows what is owed.  Lines end in CRLF, are folded
 * at 75 octets and text values are escaped (vcard.h does both).
 *
 * Ownership: an ics_todo owns its strings; ics_todo_free() releases them.
 * ics_serialize() returns a new string (g_free).
 */
#ifndef KITH_ICS_H
#define KITH_ICS_H

#include <glib.h>

typedef struct {
	char *uid;          /* stable across exports: ics_item_uid() */
	char *summary;      /* one line */
	char *description;  /* the sentence (may be multi-line) */
	char *categories;   /* comma-separated plain words, or NULL */
	gboolean has_due;
	GDate due;          /* valid when has_due: DUE;VALUE=DATE */
	gint64 created;     /* Unix time, or 0: CREATED */
} ics_todo;

void ics_todo_free(ics_todo *todo);

/*
 * A VCALENDAR (VERSION 2.0, PRODID kith) holding one VTODO per entry of
 * `todos` (ics_todo*, borrowed), each STATUS:NEEDS-ACTION and with DTSTAMP
 * `now` in UTC.
 */
char *ics_serialize(const GPtrArray *todos, GDateTime *now);

/*
 * A stable UID for an item: "HEX@kith", from SHA-256 of what identifies it
 * in any store (the message's Message-ID, the kind, who owes, the other
 * party's address as that message has it, and the sentence).  A new
 * string.
 */
char *ics_item_uid(const char *message_id, const char *kind, const char *owner,
	const char *contact_addr, const char *sentence);

#endif
