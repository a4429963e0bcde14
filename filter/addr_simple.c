/*
 * addr_simple.c - plain address lists read without GMime's parser.  The
 * rules are strict on purpose: what is not accepted here goes to GMime.
 */
#include <string.h>

#include "addr_simple.h"

/* Bytes a name's words may hold. */
static gboolean
is_name_char(char c)
{
	return g_ascii_isalnum(c) || c == '\'' || c == '-' || c == '_';
}

/* RFC 5322 atext, the bytes of a dot-atom's atoms. */
static gboolean
is_atext(char c)
{
	return g_ascii_isalnum(c) || (c != '\0' && strchr("!#$%&'*+-/=?^_`{|}~", c) != NULL);
}

/* Whether s[0..n) is a dot-atom: atoms of atext joined by single dots. */
static gboolean
is_dot_atom(const char *s, gsize n)
{
	if (n == 0 || s[0] == '.' || s[n - 1] == '.')
		return FALSE;
	for (gsize i = 0; i < n; i++) {
		if (s[i] == '.' ? s[i + 1] == '.' : !is_atext(s[i]))
			return FALSE;
	}
	return TRUE;
}

/* Whether a label of domain d[0..n) is an IDNA one ("xn--..."), which
 * GMime decodes to Unicode. */
static gboolean
has_idna_label(const char *d, gsize n)
{
	for (gsize i = 0; i + 4 <= n; i++) {
		if ((i == 0 || d[i - 1] == '.') && g_ascii_strncasecmp(d + i, "xn--", 4) == 0)
			return TRUE;
	}
	return FALSE;
}

static gboolean
is_addr_spec(const char *s, gsize n)
{
	const char *at = memchr(s, '@', n);
	gsize domain;

	if (at == NULL)
		return FALSE;
	domain = n - (gsize)(at + 1 - s);
	return memchr(at + 1, '@', domain) == NULL && is_dot_atom(s, (gsize)(at - s)) &&
		is_dot_atom(at + 1, domain) && !has_idna_label(at + 1, domain);
}

/* Whether s[0..n) is words of name characters with one space between
 * each two (or nothing). */
static gboolean
is_plain_name(const char *s, gsize n)
{
	if (n > 0 && (s[0] == ' ' || s[n - 1] == ' '))
		return FALSE;
	for (gsize i = 0; i < n; i++) {
		if (s[i] == ' ' ? s[i + 1] == ' ' : !is_name_char(s[i]))
			return FALSE;
	}
	return TRUE;
}

static const char *
trim(const char *s, gsize *n)
{
	while (*n > 0 && (s[0] == ' ' || s[0] == '\t')) {
		s++;
		(*n)--;
	}
	while (*n > 0 && (s[*n - 1] == ' ' || s[*n - 1] == '\t'))
		(*n)--;
	return s;
}

/* Whether s[0..n) is line ends and blanks only: the end of the value. */
static gboolean
only_blanks(const char *s, gsize n)
{
	for (gsize i = 0; i < n; i++) {
		if (s[i] != '\r' && s[i] != '\n' && s[i] != ' ' && s[i] != '\t')
			return FALSE;
	}
	return TRUE;
}

/* Whether the last byte of `s` but blanks is a comma. */
static gboolean
last_is_comma(const GString *s)
{
	gsize n = s->len;

	while (n > 0 && (s->str[n - 1] == ' ' || s->str[n - 1] == '\t'))
		n--;
	return n > 0 && s->str[n - 1] == ',';
}

/* One comma-separated item, trimmed, appended to `out`. */
static gboolean
parse_item(const char *s, gsize n, GArray *out)
{
	const char *lt = memchr(s, '<', n);
	addr_simple item;

	if (lt == NULL) {
		if (!is_addr_spec(s, n))
			return FALSE;
		item.name = g_strdup("");
		item.addr = g_strndup(s, n);
	} else {
		gsize name_len = (gsize)(lt - s), addr_len;
		const char *name = trim(s, &name_len), *addr = lt + 1;

		if (s[n - 1] != '>')
			return FALSE;
		addr_len = n - (gsize)(addr - s) - 1;
		if (!is_plain_name(name, name_len) || !is_addr_spec(addr, addr_len))
			return FALSE;
		item.name = g_strndup(name, name_len);
		item.addr = g_strndup(addr, addr_len);
	}
	g_array_append_val(out, item);
	return TRUE;
}

gboolean
addr_simple_parse(const char *value, gsize len, GArray *out)
{
	guint had = out->len;
	GString *flat = g_string_sized_new(len);
	const char *p, *end;
	gboolean ok = TRUE;

	/* No byte that any but the plain form could hold.  A fold is
	 * dropped where it follows a comma; GMime keeps one inside an item
	 * (in a name), so any other goes to GMime. */
	for (gsize i = 0; i < len && ok; i++) {
		char c = value[i];

		if (c == '\r' || c == '\n') {
			ok = only_blanks(value + i, len - i) || last_is_comma(flat);
			continue;
		}
		ok = (c == ' ' || c == '\t' || (c > ' ' && c < 0x7f)) &&
			strchr("\"()[]\\;:", c) == NULL;
		g_string_append_c(flat, c);
	}
	p = flat->str;
	end = flat->str + flat->len;
	while (ok && p <= end) {
		const char *comma = memchr(p, ',', (gsize)(end - p));
		gsize n = (gsize)((comma != NULL ? comma : end) - p);
		const char *item = trim(p, &n);

		ok = n > 0 && parse_item(item, n, out);
		p = (comma != NULL ? comma : end) + 1;
	}
	g_string_free(flat, TRUE);
	if (!ok && out->len > had) {
		for (guint i = had; i < out->len; i++) {
			g_free(g_array_index(out, addr_simple, i).name);
			g_free(g_array_index(out, addr_simple, i).addr);
		}
		g_array_set_size(out, had);
	}
	return ok;
}

void
addr_simple_clear(GArray *items)
{
	for (guint i = 0; i < items->len; i++) {
		g_free(g_array_index(items, addr_simple, i).name);
		g_free(g_array_index(items, addr_simple, i).addr);
	}
	g_array_set_size(items, 0);
}
