/*
 * output.h - the list commands' three formats: text (aligned columns for
 * a person), tsv (a header line, then one row per line, for scripts) and
 * json (an array of objects).  Every cell is sanitised for its format, so
 * commands add raw values, straight from the store.
 */
#ifndef KITH_OUTPUT_H
#define KITH_OUTPUT_H

#include <stdio.h>

#include <glib.h>

typedef enum { FORMAT_TEXT, FORMAT_TSV, FORMAT_JSON } output_format;

/* "text", "tsv" or "json"; FALSE for anything else. */
gboolean output_parse_format(const char *name, output_format *out);

typedef struct output_table output_table;

/* `columns` is NULL-terminated; a name starting with '#' is numeric (a
 * JSON number), the '#' not being part of the name. */
output_table *output_table_new(output_format format, const char *const *columns);
/* Adds a row of as many cells as columns (copied); a NULL cell prints as
 * "-" in text and tsv and as null in json. */
void output_table_add(output_table *t, const char *const *cells);
/* Writes the table; in text, cells wider than `max_width` characters are
 * cut (0: no cap). */
void output_table_print(output_table *t, FILE *fp, gsize max_width);
void output_table_free(output_table *t);

#endif
