/* safe.c - untrusted strings made safe for terminals, HTML and headers. */
#include <string.h>

#include "safe.h"

char *
safe_utf8(const char *s, gssize len)
{
	if (s == NULL)
		return g_strdup("");
	return g_utf8_make_valid(s, len);
}

/* Characters that can reorder or hide text on a terminal or in a page. */
static gboolean
is_bidi_control(gunichar c)
{
	return (c >= 0x202A && c <= 0x202E) || (c >= 0x2066 && c <= 0x2069) ||
	       c == 0x200E || c == 0x200F || c == 0x061C;
}

char *
safe_terminal(const char *s, gsize max_chars)
{
	char *valid = safe_utf8(s, -1);
	GString *out = g_string_sized_new(strlen(valid));
	gsize n = 0;

	for (const char *p = valid; *p != '\0'; p = g_utf8_next_char(p)) {
		gunichar c = g_utf8_get_char(p);

		if (max_chars != 0 && n >= max_chars) {
			g_string_append(out, "...");
			break;
		}
		if (c == '\t' || c == '\r' || c == '\n')
			c = ' ';
		else if (c < 0x20 || c == 0x7F || (c >= 0x80 && c < 0xA0) ||
			 is_bidi_control(c))
			continue;
		g_string_append_unichar(out, c);
		n++;
	}
	g_free(valid);
	return g_string_free(out, FALSE);
}

char *
safe_html(const char *s, gsize max_chars)
{
	char *clean = safe_terminal(s, max_chars);
	char *escaped = g_markup_escape_text(clean, -1);

	g_free(clean);
	return escaped;
}

char *
safe_header(const char *s, gsize max_chars)
{
	char *clean = safe_terminal(s, max_chars);

	g_strstrip(clean);
	return clean;
}

char *
safe_json(const char *s)
{
	char *valid = safe_utf8(s, -1);
	GString *out = g_string_sized_new(strlen(valid) + 8);

	for (const char *p = valid; *p != '\0'; p = g_utf8_next_char(p)) {
		gunichar c = g_utf8_get_char(p);

		switch (c) {
		case '"':  g_string_append(out, "\\\""); break;
		case '\\': g_string_append(out, "\\\\"); break;
		case '\n': g_string_append(out, "\\n"); break;
		case '\r': g_string_append(out, "\\r"); break;
		case '\t': g_string_append(out, "\\t"); break;
		default:
			/* Bidi controls are escaped too, so a JSON viewer
			 * cannot be tricked into reordering text, and C1
			 * controls (U+0080-U+009F, CSI among them), so JSON
			 * printed on a terminal cannot drive it. */
			if (c < 0x20 || (c >= 0x7F && c < 0xA0) || is_bidi_control(c) ||
			    c == 0x2028 || c == 0x2029)
				g_string_append_printf(out, "\\u%04x", c);
			else
				g_string_append_unichar(out, c);
		}
	}
	g_free(valid);
	return g_string_free(out, FALSE);
}
