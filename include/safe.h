/*
 * safe.h - sanitising untrusted strings before they reach a terminal, HTML
 * or a mail header.  Every function returns a new string (g_free) and
 * accepts NULL (returning an empty string).  Invalid UTF-8 is replaced by
 * U+FFFD first.
 */
#ifndef KITH_SAFE_H
#define KITH_SAFE_H

#include <glib.h>

/* Valid UTF-8 copy of `s` (length `len`, or -1 for NUL-terminated). */
char *safe_utf8(const char *s, gssize len);

/* For a terminal or a TSV cell: drops C0/C1 controls (tab, CR, LF become a
 * space), bidirectional overrides and isolates, and caps the result at
 * `max_chars` characters (0: no cap), marking a cut with "...". */
char *safe_terminal(const char *s, gsize max_chars);

/* For HTML text and attribute values: safe_terminal() then &<>"' escaped. */
char *safe_html(const char *s, gsize max_chars);

/* For an unstructured header value: one line, no controls, capped. */
char *safe_header(const char *s, gsize max_chars);

/* For JSON string contents (without the quotes). */
char *safe_json(const char *s);

#endif
