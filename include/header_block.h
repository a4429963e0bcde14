/*
 * header_block.h - a message's top-level header block split into its
 * fields, by the rules GMime's parser uses, so that kith can read the
 * fields itself and hand GMime only those that shape the MIME structure.
 * A field is a line "Name: value" (blanks may come before the colon, none
 * inside the name, no control characters) and the lines after it that
 * start with a space or a tab.  A line that is no field is dropped with
 * its continuation lines; the block ends at the first empty line.
 *
 * Nothing is copied: every pointer points into the input, which the
 * caller keeps for as long as it reads the fields.
 */
#ifndef KITH_HEADER_BLOCK_H
#define KITH_HEADER_BLOCK_H

#include <glib.h>

typedef struct {
	const char *name;   /* the field name, without blanks before the colon */
	gsize name_len;
	const char *value;  /* after the colon, to the end of the field's last
	                     * line: folds and line ends included */
	gsize value_len;
	const char *start;  /* the whole field as it appears, every line */
	gsize len;
} header_field;

/*
 * Appends the fields of the header block at the start of `data` to
 * `fields` (a GArray of header_field) and returns the offset of the empty
 * line that ends the block, or `len` when there is none.
 */
gsize header_block_split(const char *data, gsize len, GArray *fields);

/* Whether field `f` is called `name` (ASCII, any case). */
gboolean header_field_is(const header_field *f, const char *name);

/* The value of the first field `name` as a new NUL-terminated string
 * (g_free), or NULL when there is none. */
char *header_block_value(const GArray *fields, const char *name);

/* The same for the one field `name`: NULL also when there is more than
 * one, which GMime may read either way. */
char *header_block_only_value(const GArray *fields, const char *name);

#endif
