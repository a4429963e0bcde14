/* output.c - text, tsv and json tables for the list commands. */
#include <string.h>

#include "output.h"
#include "safe.h"

struct output_table {
	output_format format;
	GPtrArray *columns;   /* char*, names without '#' */
	GArray *numeric;      /* gboolean per column */
	GPtrArray *rows;      /* GPtrArray* of char* (NULL cells allowed) */
};

gboolean
output_parse_format(const char *name, output_format *out)
{
	if (strcmp(name, "text") == 0)
		*out = FORMAT_TEXT;
	else if (strcmp(name, "tsv") == 0)
		*out = FORMAT_TSV;
	else if (strcmp(name, "json") == 0)
		*out = FORMAT_JSON;
	else
		return FALSE;
	return TRUE;
}

output_table *
output_table_new(output_format format, const char *const *columns)
{
	output_table *t = g_new0(output_table, 1);

	t->format = format;
	t->columns = g_ptr_array_new_with_free_func(g_free);
	t->numeric = g_array_new(FALSE, FALSE, sizeof(gboolean));
	t->rows = g_ptr_array_new_with_free_func((GDestroyNotify)g_ptr_array_unref);
	for (; *columns != NULL; columns++) {
		gboolean num = (*columns)[0] == '#';

		g_ptr_array_add(t->columns, g_strdup(*columns + (num ? 1 : 0)));
		g_array_append_val(t->numeric, num);
	}
	return t;
}

void
output_table_add(output_table *t, const char *const *cells)
{
	GPtrArray *row = g_ptr_array_new_with_free_func(g_free);

	for (guint i = 0; i < t->columns->len; i++)
		g_ptr_array_add(row, g_strdup(cells[i]));
	g_ptr_array_add(t->rows, row);
}

static void
print_tsv(output_table *t, FILE *fp)
{
	for (guint c = 0; c < t->columns->len; c++)
		fprintf(fp, "%s%s", c ? "\t" : "", (char *)g_ptr_array_index(t->columns, c));
	fputc('\n', fp);
	for (guint r = 0; r < t->rows->len; r++) {
		char **row = (char **)((GPtrArray *)g_ptr_array_index(t->rows, r))->pdata;

		for (guint c = 0; c < t->columns->len; c++) {
			char *cell = row[c] != NULL ? safe_terminal(row[c], 0) : g_strdup("-");

			fprintf(fp, "%s%s", c ? "\t" : "", cell);
			g_free(cell);
		}
		fputc('\n', fp);
	}
}

static void
print_json(output_table *t, FILE *fp)
{
	fputs("[", fp);
	for (guint r = 0; r < t->rows->len; r++) {
		char **row = (char **)((GPtrArray *)g_ptr_array_index(t->rows, r))->pdata;

		fputs(r ? ",\n {" : "\n {", fp);
		for (guint c = 0; c < t->columns->len; c++) {
			char *name = safe_json(g_ptr_array_index(t->columns, c));

			fprintf(fp, "%s\"%s\": ", c ? ", " : "", name);
			g_free(name);
			if (row[c] == NULL) {
				fputs("null", fp);
			} else if (g_array_index(t->numeric, gboolean, c)) {
				char *end = NULL;

				g_ascii_strtod(row[c], &end);
				fputs(end != row[c] && *end == '\0' ? row[c] : "null", fp);
			} else {
				char *v = safe_json(row[c]);

				fprintf(fp, "\"%s\"", v);
				g_free(v);
			}
		}
		fputs("}", fp);
	}
	fputs(t->rows->len ? "\n]\n" : "]\n", fp);
}

static void
print_text(output_table *t, FILE *fp, gsize max_width)
{
	guint ncol = t->columns->len;
	gsize *width = g_new0(gsize, ncol);
	GPtrArray *cells = g_ptr_array_new_with_free_func(g_free);

	for (guint c = 0; c < ncol; c++)
		width[c] = g_utf8_strlen(g_ptr_array_index(t->columns, c), -1);
	for (guint r = 0; r < t->rows->len; r++) {
		char **row = (char **)((GPtrArray *)g_ptr_array_index(t->rows, r))->pdata;

		for (guint c = 0; c < ncol; c++) {
			char *cell = row[c] != NULL ? safe_terminal(row[c], max_width) :
				g_strdup("-");

			width[c] = MAX(width[c], (gsize)g_utf8_strlen(cell, -1));
			g_ptr_array_add(cells, cell);
		}
	}
	for (guint r = 0; r <= t->rows->len; r++) {
		for (guint c = 0; c < ncol; c++) {
			const char *cell = r == 0 ? g_ptr_array_index(t->columns, c) :
				g_ptr_array_index(cells, (r - 1) * ncol + c);
			gsize pad = width[c] - (gsize)g_utf8_strlen(cell, -1);

			fputs(cell, fp);
			if (c + 1 < ncol)
				fprintf(fp, "%*s", (int)(pad + 2), "");
		}
		fputc('\n', fp);
	}
	g_ptr_array_unref(cells);
	g_free(width);
}

void
output_table_print(output_table *t, FILE *fp, gsize max_width)
{
	switch (t->format) {
	case FORMAT_TSV:  print_tsv(t, fp); break;
	case FORMAT_JSON: print_json(t, fp); break;
	case FORMAT_TEXT: print_text(t, fp, max_width); break;
	}
}

void
output_table_free(output_table *t)
{
	if (t == NULL)
		return;
	g_ptr_array_unref(t->columns);
	g_array_unref(t->numeric);
	g_ptr_array_unref(t->rows);
	g_free(t);
}
