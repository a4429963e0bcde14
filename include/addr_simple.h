/*
 * addr_simple.h - an address field in its plainest form, read without
 * GMime's address parser.
 *
 * Most From, To and Cc fields are a few "Name <local@domain>" or bare
 * "local@domain" items; GMime's parser builds a list object, an address
 * object per item and decodes the phrase, which was a twentieth of a
 * scan.  addr_simple_parse() takes only a value it is sure GMime reads
 * the same way: printable ASCII, items split by commas, names made of
 * letters, digits, apostrophes, hyphens and underscores with single
 * spaces between words, addresses of dot-atoms, folds only after a comma
 * (GMime keeps a fold inside a name), no IDNA label in the domain (GMime
 * decodes "xn--" labels to Unicode).  Anything else (quotes, comments,
 * groups, encoded words, an empty item, a name with a dot) is refused
 * and goes to GMime.  test_message checks both readings of
 * every address field in tests/data and ../shared/mail-corpus agree.
 */
#ifndef KITH_ADDR_SIMPLE_H
#define KITH_ADDR_SIMPLE_H

#include <glib.h>

/* One item: both new strings (g_free). */
typedef struct {
	char *name;   /* "" when there is none */
	char *addr;   /* the addr-spec as written */
} addr_simple;

/*
 * Parses the field value `value` (`len` bytes, folds included) into
 * `out`, a GArray of addr_simple, and returns TRUE; or returns FALSE
 * with `out` as it was when the value is not in the plain form.
 */
gboolean addr_simple_parse(const char *value, gsize len, GArray *out);

/* Frees the strings of every item of `items` and empties it. */
void addr_simple_clear(GArray *items);

#endif
