/*
 * vcard.h - reading and writing vCards: 4.0 (RFC 6350) out; 4.0, 3.0
 * (RFC 2426) and the common parts of 2.1 in, as khard, abook and address
 * books export them.
 *
 * Only what kith keeps is modelled: the formatted name (FN), the structured
 * name (N), every EMAIL, CATEGORIES (kith's role and tags), NOTE, UID and
 * kith's reconnect cadence as X-KITH-CADENCE.  Every other property is read
 * past and dropped.
 *
 * The parser takes any bytes: LF or CRLF line ends, folded lines (a line
 * starting with a space or tab continues the one before), quoted parameter
 * values, backslash escapes, quoted-printable values (2.1 and some 3.0
 * exports), group prefixes ("item1.EMAIL") and invalid UTF-8 (replaced
 * with U+FFFD).  It never aborts on bad input; caps on the number of cards
 * and values bound its memory.
 *
 * Ownership: a vcard_card owns all its strings and arrays; vcard_card_free()
 * releases them.  Serialised strings are new (g_free).
 */
#ifndef KITH_VCARD_H
#define KITH_VCARD_H

#include <glib.h>

#include "kith.h"

/* Caps for hostile input. */
#define VCARD_MAX_INPUT (64 * 1024 * 1024)
#define VCARD_MAX_CARDS 100000
#define VCARD_MAX_VALUES 1000   /* emails or categories per card */

typedef struct {
	char *uid;            /* UID value, or NULL */
	char *fn;             /* formatted name, "" when absent */
	char *family;         /* N: family name, "" when absent */
	char *given;          /* N: given name(s), "" when absent */
	GPtrArray *emails;    /* char*, as written (trimmed), in order */
	GPtrArray *categories;/* char*, in order, unescaped, non-empty */
	char *note;           /* NOTE, or NULL */
	int cadence;          /* X-KITH-CADENCE in days; 0: absent */
} vcard_card;

vcard_card *vcard_card_new(void);
void vcard_card_free(vcard_card *card);

/*
 * Parses `len` bytes of one or more vCards.  On success *cards is a new
 * GPtrArray of vcard_card* (free function set; g_ptr_array_unref), in the
 * order of the input; cards beyond VCARD_MAX_CARDS are dropped with a
 * warning.  Text outside BEGIN:VCARD/END:VCARD is ignored; a
 * card cut off by the end of the input is kept.  KITH_E_DATA (with
 * *errstr) when no card is found or the input is larger than
 * VCARD_MAX_INPUT; *cards is then NULL.
 */
kith_status vcard_parse(const char *data, gsize len, GPtrArray **cards,
	char **errstr);

/*
 * One vCard 4.0, CRLF line ends, lines folded at 75 octets (never inside a
 * UTF-8 character), text values escaped.  Writes VERSION, UID (when set),
 * FN, N, one EMAIL per address, CATEGORIES (when any), NOTE (when set) and
 * X-KITH-CADENCE (when > 0), in that order.
 */
char *vcard_serialize(const vcard_card *card);

/* Appends one content line to `out`, folded at 75 octets and ended with
 * CRLF (shared with ics.c: iCalendar folds the same way). */
void vcard_append_folded(GString *out, const char *line);

/* Escapes a text value: backslash, comma, semicolon and newlines
 * (CR, LF or CRLF become "\n").  A new string. */
char *vcard_escape(const char *value);

/*
 * A stable "urn:uuid:..." for a contact from one of its addresses (kith
 * uses the smallest): a name-based UUID from SHA-256, so the same address
 * gives the same UID in every store and every export.
 */
char *vcard_uid_for_address(const char *addr);

#endif
