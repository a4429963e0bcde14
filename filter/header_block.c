/*
 * header_block.c - the top-level header block split into fields, by the
 * rules of GMime's parser (gmime-parser.c, step_headers), so that the
 * fields kith reads are the ones GMime would have seen.
 */
#include <string.h>

#include "header_block.h"

static gboolean
is_blank(char c)
{
	return c == ' ' || c == '\t';
}

/* The length of the field name that starts `line` (of `n` bytes, no line
 * end), blanks before the colon excluded, or 0 when the line does not
 * start a field: the name runs to the first ':'; blanks may follow it,
 * but nothing after a blank and no control character may come before the
 * colon; an empty name is no name. */
static gsize
field_name_len(const char *line, gsize n, gsize *colon)
{
	gsize i, name_end = 0;
	gboolean blank = FALSE;

	for (i = 0; i < n && line[i] != ':'; i++) {
		guchar c = (guchar)line[i];

		if (is_blank((char)c)) {
			if (!blank)
				name_end = i;
			blank = TRUE;
		} else if (blank || c < 32 || c == 127) {
			return 0;
		}
	}
	if (i == n || i == 0)
		return 0;
	*colon = i;
	return blank ? name_end : i;
}

gsize
header_block_split(const char *data, gsize len, GArray *fields)
{
	gsize pos = 0;
	/* the field that continuation lines extend: -1 none, -2 a line that
	 * was no field (its continuations are dropped with it) */
	gssize current = -1;

	while (pos < len) {
		const char *line = data + pos;
		const char *nl = memchr(line, '\n', len - pos);
		gsize n = nl != NULL ? (gsize)(nl - line) : len - pos;
		gsize next = pos + n + (nl != NULL ? 1 : 0);
		gsize colon = 0, name_len;

		/* an empty line ("\n" or "\r\n") ends the block */
		if (n == 0 || (n == 1 && line[0] == '\r' && nl != NULL))
			return pos;
		if (is_blank(line[0]) && current != -1) {
			if (current >= 0) {
				header_field *f = &g_array_index(fields, header_field, current);

				f->len = next - (gsize)(f->start - data);
				f->value_len = next - (gsize)(f->value - data);
			}
			pos = next;
			continue;
		}
		name_len = field_name_len(line, n, &colon);
		if (name_len == 0) {
			current = -2;
			pos = next;
			continue;
		}
		{
			header_field f = {
				.name = line, .name_len = name_len,
				.value = line + colon + 1, .value_len = next - (pos + colon + 1),
				.start = line, .len = next - pos,
			};

			g_array_append_val(fields, f);
			current = (gssize)fields->len - 1;
		}
		pos = next;
	}
	return len;
}

gboolean
header_field_is(const header_field *f, const char *name)
{
	gsize n = strlen(name);

	return f->name_len == n && g_ascii_strncasecmp(f->name, name, n) == 0;
}

char *
header_block_value(const GArray *fields, const char *name)
{
	for (guint i = 0; i < fields->len; i++) {
		const header_field *f = &g_array_index(fields, header_field, i);

		if (header_field_is(f, name))
			return g_strndup(f->value, f->value_len);
	}
	return NULL;
}

char *
header_block_only_value(const GArray *fields, const char *name)
{
	const header_field *found = NULL;

	for (guint i = 0; i < fields->len; i++) {
		const header_field *f = &g_array_index(fields, header_field, i);

		if (!header_field_is(f, name))
			continue;
		if (found != NULL)
			return NULL;
		found = f;
	}
	return found != NULL ? g_strndup(found->value, found->value_len) : NULL;
}
