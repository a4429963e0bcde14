/*
 * mime_leaf.c - one inline text part, recognised from the top-level
 * fields and decoded with GMime's codecs, without GMime's parser.  The
 * rules are strict on purpose: what is not accepted here goes to GMime.
 */
#include <string.h>

#include "header_block.h"
#include "mime_leaf.h"

/* The value of `f` unfolded (line ends dropped, the blanks after them
 * kept) and trimmed, as a new string; NULL when it holds a byte that is
 * neither printable ASCII nor a tab, which GMime may read its own way. */
static char *
unfolded_value(const header_field *f)
{
	GString *s = g_string_sized_new(f->value_len);

	for (gsize i = 0; i < f->value_len; i++) {
		guchar c = (guchar)f->value[i];

		if (c == '\r' || c == '\n')
			continue;
		if ((c < 32 && c != '\t') || c >= 127) {
			g_string_free(s, TRUE);
			return NULL;
		}
		g_string_append_c(s, (char)c);
	}
	return g_strstrip(g_string_free(s, FALSE));
}

static gboolean
is_type_char(char c)
{
	return g_ascii_isalnum(c) || c == '-' || c == '.' || c == '+';
}

/* The characters of an RFC 2045 token that a parameter value here may
 * use: no blanks, no quotes, no tspecials, no "*" (RFC 2231). */
static gboolean
is_value_char(char c)
{
	return g_ascii_isalnum(c) || (c != '\0' && strchr("!#$%&'+-.^_`{|}~", c) != NULL);
}

static gsize
span(const char *p, gboolean (*ok)(char))
{
	gsize n = 0;

	while (p[n] != '\0' && ok(p[n]))
		n++;
	return n;
}

static const char *
skip_blanks(const char *p)
{
	while (*p == ' ' || *p == '\t')
		p++;
	return p;
}

/* One parameter at `*p` ("name=value" or name="value"); on success *p is
 * past it.  A name is one the walk reads (charset), one that makes the
 * part an attachment (name: FALSE), or any other, which is ignored. */
static gboolean
read_parameter(const char **p, mime_leaf *leaf)
{
	const char *name = *p, *value;
	gsize name_len = span(name, is_type_char), value_len;
	gboolean quoted;

	if (name_len == 0 || name[name_len] != '=')
		return FALSE;
	value = name + name_len + 1;
	quoted = *value == '"';
	value += quoted ? 1 : 0;
	value_len = span(value, is_value_char);
	if (value_len == 0 || (quoted && value[value_len] != '"'))
		return FALSE;
	*p = value + value_len + (quoted ? 1 : 0);
	if (name_len == 4 && g_ascii_strncasecmp(name, "name", 4) == 0)
		return FALSE;
	if (name_len == 7 && g_ascii_strncasecmp(name, "charset", 7) == 0) {
		if (leaf->charset != NULL)
			return FALSE;
		leaf->charset = g_strndup(value, value_len);
	}
	return TRUE;
}

/* "text/plain" or "text/html", then parameters. */
static gboolean
read_content_type(const char *s, mime_leaf *leaf)
{
	const char *p = s;
	gsize n = span(p, is_type_char);

	if (n != 4 || g_ascii_strncasecmp(p, "text", 4) != 0 || p[n] != '/')
		return FALSE;
	p += n + 1;
	n = span(p, is_type_char);
	if (n == 5 && g_ascii_strncasecmp(p, "plain", 5) == 0)
		leaf->is_html = FALSE;
	else if (n == 4 && g_ascii_strncasecmp(p, "html", 4) == 0)
		leaf->is_html = TRUE;
	else
		return FALSE;
	p = skip_blanks(p + n);
	while (*p != '\0') {
		if (*p != ';')
			return FALSE;
		p = skip_blanks(p + 1);
		if (*p == '\0')
			break;
		if (!read_parameter(&p, leaf))
			return FALSE;
		p = skip_blanks(p);
	}
	return TRUE;
}

static gboolean
read_encoding(const char *s, GMimeContentEncoding *out)
{
	static const struct {
		const char *name;
		GMimeContentEncoding encoding;
	} names[] = {
		{ "7bit", GMIME_CONTENT_ENCODING_7BIT },
		{ "8bit", GMIME_CONTENT_ENCODING_8BIT },
		{ "binary", GMIME_CONTENT_ENCODING_BINARY },
		{ "quoted-printable", GMIME_CONTENT_ENCODING_QUOTEDPRINTABLE },
		{ "base64", GMIME_CONTENT_ENCODING_BASE64 },
	};

	for (gsize i = 0; i < G_N_ELEMENTS(names); i++) {
		if (g_ascii_strcasecmp(s, names[i].name) == 0) {
			*out = names[i].encoding;
			return TRUE;
		}
	}
	return FALSE;
}

/* Reads one top-level field into `leaf`; FALSE when it rules the simple
 * reading out.  `seen` counts Content-Type, -Transfer-Encoding and
 * -Disposition, each allowed once. */
static gboolean
read_field(const header_field *f, mime_leaf *leaf, guint seen[3])
{
	char *value;
	gboolean ok = TRUE;
	int which;

	if (header_field_is(f, "Content-Type"))
		which = 0;
	else if (header_field_is(f, "Content-Transfer-Encoding"))
		which = 1;
	else if (header_field_is(f, "Content-Disposition"))
		which = 2;
	else if (header_field_is(f, "Content-Language") ||
		 header_field_is(f, "Content-Description") ||
		 header_field_is(f, "Content-ID"))
		return TRUE;  /* GMime keeps them; the walk never reads them */
	else if (f->name_len > 8 && g_ascii_strncasecmp(f->name, "Content-", 8) == 0)
		return FALSE;
	else
		return TRUE;  /* not GMime's to see (MIME-Version is ignored) */
	if (seen[which]++ > 0 || (value = unfolded_value(f)) == NULL)
		return FALSE;
	if (which == 0)
		ok = read_content_type(value, leaf);
	else if (which == 1)
		ok = read_encoding(value, &leaf->encoding);
	else
		ok = g_ascii_strcasecmp(value, "inline") == 0;
	g_free(value);
	return ok;
}

gboolean
mime_leaf_find(const GArray *fields, const char *input, gsize len, gsize end,
	mime_leaf *leaf)
{
	guint seen[3] = { 0, 0, 0 };
	gsize start;

	memset(leaf, 0, sizeof *leaf);
	leaf->encoding = GMIME_CONTENT_ENCODING_DEFAULT;
	for (guint i = 0; i < fields->len; i++) {
		if (!read_field(&g_array_index(fields, header_field, i), leaf, seen)) {
			mime_leaf_clear(leaf);
			return FALSE;
		}
	}
	/* the body starts after the empty line at `end` ("\n" or "\r\n") */
	start = end;
	if (start < len)
		start += input[start] == '\r' ? 2 : 1;
	start = MIN(start, len);
	/* the decoded bytes go to a GByteArray, whose length is a guint */
	if (len - start > G_MAXUINT - 16) {
		mime_leaf_clear(leaf);
		return FALSE;
	}
	leaf->body = input + start;
	leaf->body_len = len - start;
	return TRUE;
}

GByteArray *
mime_leaf_decode(const mime_leaf *leaf)
{
	GByteArray *out = g_byte_array_new();
	GMimeEncoding state;
	gsize n;

	if (leaf->body_len == 0)
		return out;
	g_mime_encoding_init_decode(&state, leaf->encoding);
	g_byte_array_set_size(out, (guint)g_mime_encoding_outlen(&state, leaf->body_len));
	n = g_mime_encoding_step(&state, leaf->body, leaf->body_len, (char *)out->data);
	g_byte_array_set_size(out, (guint)n);
	return out;
}

void
mime_leaf_clear(mime_leaf *leaf)
{
	g_clear_pointer(&leaf->charset, g_free);
}
