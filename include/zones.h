/*
 * zones.h - splitting a message's text into what it adds and what it
 * carries: the new text, quoted replies ("> " lines, "On ... wrote:",
 * Outlook's "-----Original Message-----" and "From:/Sent:" header blocks,
 * forwarded messages) and the signature ("-- " and common sign-off blocks).
 * Later stages read only the new text.
 */
#ifndef KITH_ZONES_H
#define KITH_ZONES_H

#include <glib.h>

typedef enum {
	ZONE_NEW,
	ZONE_QUOTE,      /* quoted or forwarded text */
	ZONE_SIGNATURE,
} zone_kind;

typedef struct {
	zone_kind kind;
	gsize start;     /* byte offset in the text */
	gsize len;       /* bytes */
} zone;

/* Splits `text` (UTF-8) into consecutive zones covering all of it.
 * Returns a new GArray of zone (g_array_unref). */
GArray *zones_split(const char *text);

/* The new-text zones joined, trimmed; a new string (g_free). */
char *zones_new_text(const char *text);

const char *zone_kind_name(zone_kind kind);

#endif
