/* vcard.c - vCard parsing (4.0, 3.0, 2.1) and vCard 4.0 output. */
#include <string.h>

#include "log.h"
#include "safe.h"
#include "vcard.h"

#define FOLD_OCTETS 75

vcard_card *
vcard_card_new(void)
{
	vcard_card *c = g_new0(vcard_card, 1);

	c->fn = g_strdup("");
	c->family = g_strdup("");
	c->given = g_strdup("");
	c->emails = g_ptr_array_new_with_free_func(g_free);
	c->categories = g_ptr_array_new_with_free_func(g_free);
	return c;
}

void
vcard_card_free(vcard_card *card)
{
	if (card == NULL)
		return;
	g_free(card->uid);
	g_free(card->fn);
	g_free(card->family);
	g_free(card->given);
	g_ptr_array_unref(card->emails);
	g_ptr_array_unref(card->categories);
	g_free(card->note);
	g_free(card);
}

/* --- output ---------------------------------------------------------------- */

char *
vcard_escape(const char *value)
{
	GString *s = g_string_sized_new(value != NULL ? strlen(value) + 8 : 1);

	for (const char *p = value; p != NULL && *p != '\0'; p++) {
		switch (*p) {
		case '\\': g_string_append(s, "\\\\"); break;
		case ',':  g_string_append(s, "\\,"); break;
		case ';':  g_string_append(s, "\\;"); break;
		case '\r':
			if (p[1] == '\n')
				p++;
			/* fall through */
		case '\n': g_string_append(s, "\\n"); break;
		default:
			/* Other control characters have no place in a text
			 * value (tab does). */
			if (((guchar)*p < 0x20 && *p != '\t') || *p == 0x7f)
				break;
			g_string_append_c(s, *p);
			break;
		}
	}
	return g_string_free(s, FALSE);
}

void
vcard_append_folded(GString *out, const char *line)
{
	gsize len = strlen(line), pos = 0, room = FOLD_OCTETS;

	while (len - pos > room) {
		gsize cut = pos + room;

		/* Never split a UTF-8 sequence: back up to a lead byte. */
		while (cut > pos + 1 && ((guchar)line[cut] & 0xC0) == 0x80)
			cut--;
		g_string_append_len(out, line + pos, (gssize)(cut - pos));
		g_string_append(out, "\r\n ");
		pos = cut;
		room = FOLD_OCTETS - 1;   /* the leading space counts */
	}
	g_string_append(out, line + pos);
	g_string_append(out, "\r\n");
}

/* Appends "NAME:escaped(value)" folded. */
static void
append_text(GString *out, const char *name, const char *value)
{
	char *esc = vcard_escape(value);
	char *line = g_strconcat(name, ":", esc, NULL);

	vcard_append_folded(out, line);
	g_free(line);
	g_free(esc);
}

char *
vcard_serialize(const vcard_card *card)
{
	GString *out = g_string_new("BEGIN:VCARD\r\nVERSION:4.0\r\n");
	const char *fn = card->fn;
	GString *line;

	if (card->uid != NULL && *card->uid != '\0') {
		line = g_string_new("UID:");
		/* A URI: no text escaping, but no line breaks either. */
		for (const char *p = card->uid; *p != '\0'; p++)
			if (*p != '\r' && *p != '\n')
				g_string_append_c(line, *p);
		vcard_append_folded(out, line->str);
		g_string_free(line, TRUE);
	}
	/* FN is required: fall back to the first address. */
	if ((fn == NULL || *fn == '\0') && card->emails->len > 0)
		fn = g_ptr_array_index(card->emails, 0);
	append_text(out, "FN", fn != NULL ? fn : "");
	{
		char *fam = vcard_escape(card->family), *giv = vcard_escape(card->given);
		char *n = g_strdup_printf("N:%s;%s;;;", fam, giv);

		vcard_append_folded(out, n);
		g_free(n);
		g_free(fam);
		g_free(giv);
	}
	for (guint i = 0; i < card->emails->len; i++)
		append_text(out, "EMAIL", g_ptr_array_index(card->emails, i));
	if (card->categories->len > 0) {
		line = g_string_new("CATEGORIES:");
		for (guint i = 0; i < card->categories->len; i++) {
			char *esc = vcard_escape(g_ptr_array_index(card->categories, i));

			if (i > 0)
				g_string_append_c(line, ',');
			g_string_append(line, esc);
			g_free(esc);
		}
		vcard_append_folded(out, line->str);
		g_string_free(line, TRUE);
	}
	if (card->note != NULL && *card->note != '\0')
		append_text(out, "NOTE", card->note);
	if (card->cadence > 0)
		g_string_append_printf(out, "X-KITH-CADENCE:%d\r\n", card->cadence);
	g_string_append(out, "END:VCARD\r\n");
	return g_string_free(out, FALSE);
}

char *
vcard_uid_for_address(const char *addr)
{
	char *seed = g_strconcat("kith-contact:", addr != NULL ? addr : "", NULL);
	char *h = g_compute_checksum_for_string(G_CHECKSUM_SHA256, seed, -1);
	char *uid;

	/* RFC 9562 layout: version 8 (custom, name-based), variant 10. */
	h[12] = '8';
	h[16] = "89ab"[g_ascii_xdigit_value(h[16]) & 3];
	uid = g_strdup_printf("urn:uuid:%.8s-%.4s-%.4s-%.4s-%.12s",
		h, h + 8, h + 12, h + 16, h + 20);
	g_free(h);
	g_free(seed);
	return uid;
}

/* --- input ----------------------------------------------------------------- */

/* Removes backslash escapes: \n \N -> newline, \, \; \\ -> the character;
 * other escapes are kept as written.  A new string. */
static char *
unescape(const char *s, gsize len)
{
	GString *out = g_string_sized_new(len);

	for (gsize i = 0; i < len; i++) {
		if (s[i] == '\\' && i + 1 < len) {
			char c = s[i + 1];

			if (c == 'n' || c == 'N') {
				g_string_append_c(out, '\n');
				i++;
				continue;
			}
			if (c == ',' || c == ';' || c == '\\' || c == ':') {
				g_string_append_c(out, c);
				i++;
				continue;
			}
		}
		g_string_append_c(out, s[i]);
	}
	return g_string_free(out, FALSE);
}

/* Splits `s` at every `sep` not escaped by a backslash; the parts are
 * unescaped and trimmed.  At most `max` parts (the rest is dropped). */
static GPtrArray *
split_escaped(const char *s, char sep, guint max)
{
	GPtrArray *parts = g_ptr_array_new_with_free_func(g_free);
	gsize len = strlen(s), start = 0;

	for (gsize i = 0; i <= len && parts->len < max; i++) {
		if (i + 1 < len && s[i] == '\\') {
			i++;
			continue;
		}
		if (i >= len || s[i] == sep) {
			char *part = unescape(s + start, MIN(i, len) - start);

			g_ptr_array_add(parts, g_strstrip(part));
			start = i + 1;
		}
	}
	return parts;
}

/* Decodes quoted-printable "=XX"; a '=' not followed by two hex digits is
 * kept.  A new string of `*out_len` bytes. */
static char *
qp_decode(const char *s, gsize len, gsize *out_len)
{
	GString *out = g_string_sized_new(len);

	for (gsize i = 0; i < len; i++) {
		if (s[i] == '=' && i + 2 < len && g_ascii_isxdigit(s[i + 1]) &&
		    g_ascii_isxdigit(s[i + 2])) {
			g_string_append_c(out, (char)(g_ascii_xdigit_value(s[i + 1]) * 16 +
				g_ascii_xdigit_value(s[i + 2])));
			i += 2;
			continue;
		}
		g_string_append_c(out, s[i]);
	}
	*out_len = out->len;
	return g_string_free(out, FALSE);
}

/* One content line, split: [group.]NAME *(;PARAM) : VALUE. */
typedef struct {
	char *name;       /* uppercased, without the group */
	gboolean qp;      /* ENCODING=QUOTED-PRINTABLE (or a bare QUOTED-PRINTABLE) */
	char *charset;    /* CHARSET=..., or NULL */
	const char *value;/* borrowed from the line */
	gsize value_len;
} content_line;

static void
content_line_clear(content_line *cl)
{
	g_free(cl->name);
	g_free(cl->charset);
	memset(cl, 0, sizeof *cl);
}

/* The offset of the first ':' outside double quotes, or -1. */
static gssize
value_colon(const char *s, gsize len)
{
	gboolean quoted = FALSE;

	for (gsize i = 0; i < len; i++) {
		if (s[i] == '"')
			quoted = !quoted;
		else if (s[i] == ':' && !quoted)
			return (gssize)i;
	}
	return -1;
}

static void
parse_param(content_line *cl, const char *p, gsize len)
{
	const char *eq = memchr(p, '=', len);
	char *key, *val;

	if (eq == NULL) {
		key = g_strndup(p, len);
		val = NULL;
	} else {
		key = g_strndup(p, (gsize)(eq - p));
		val = g_strndup(eq + 1, len - (gsize)(eq - p) - 1);
	}
	g_strstrip(key);
	if (val != NULL) {
		g_strstrip(val);
		/* Strip one pair of quotes. */
		gsize vl = strlen(val);
		if (vl >= 2 && val[0] == '"' && val[vl - 1] == '"') {
			memmove(val, val + 1, vl - 2);
			val[vl - 2] = '\0';
		}
	}
	if ((val == NULL && g_ascii_strcasecmp(key, "QUOTED-PRINTABLE") == 0) ||
	    (val != NULL && g_ascii_strcasecmp(key, "ENCODING") == 0 &&
	     g_ascii_strcasecmp(val, "QUOTED-PRINTABLE") == 0))
		cl->qp = TRUE;
	if (val != NULL && g_ascii_strcasecmp(key, "CHARSET") == 0 && cl->charset == NULL)
		cl->charset = g_strdup(val);
	g_free(key);
	g_free(val);
}

/* FALSE when the line has no ':' or no name. */
static gboolean
parse_content_line(const char *s, gsize len, content_line *cl)
{
	gssize colon = value_colon(s, len);
	gsize head_len, i, name_end;
	const char *dot;
	char *name;

	memset(cl, 0, sizeof *cl);
	if (colon < 0)
		return FALSE;
	head_len = (gsize)colon;
	for (name_end = 0; name_end < head_len && s[name_end] != ';'; name_end++)
		;
	name = g_strndup(s, name_end);
	g_strstrip(name);
	dot = strrchr(name, '.');
	cl->name = g_ascii_strup(dot != NULL ? dot + 1 : name, -1);
	g_free(name);
	if (*cl->name == '\0') {
		content_line_clear(cl);
		return FALSE;
	}
	/* Parameters: ';'-separated, quotes protect ';' and ':'. */
	i = name_end;
	while (i < head_len) {
		gsize start = ++i;
		gboolean quoted = FALSE;

		while (i < head_len && (s[i] != ';' || quoted)) {
			if (s[i] == '"')
				quoted = !quoted;
			i++;
		}
		if (i > start)
			parse_param(cl, s + start, i - start);
	}
	cl->value = s + colon + 1;
	cl->value_len = len - (gsize)colon - 1;
	return TRUE;
}

/* The value as valid UTF-8 (decoded and converted), still escaped. */
static char *
decode_value(const content_line *cl)
{
	char *raw, *out;
	gsize raw_len;

	if (cl->qp)
		raw = qp_decode(cl->value, cl->value_len, &raw_len);
	else {
		raw = g_strndup(cl->value, cl->value_len);
		raw_len = cl->value_len;
	}
	if (cl->charset != NULL && g_ascii_strcasecmp(cl->charset, "UTF-8") != 0 &&
	    g_ascii_strcasecmp(cl->charset, "UTF8") != 0) {
		char *conv = g_convert(raw, (gssize)raw_len, "UTF-8", cl->charset,
			NULL, &raw_len, NULL);

		if (conv != NULL) {
			g_free(raw);
			raw = conv;
		}
	}
	out = safe_utf8(raw, (gssize)strnlen(raw, raw_len));
	g_free(raw);
	return out;
}

static void
card_property(vcard_card *card, const content_line *cl)
{
	char *v = decode_value(cl);
	const char *n = cl->name;

	if (strcmp(n, "FN") == 0 && *card->fn == '\0') {
		g_free(card->fn);
		card->fn = unescape(v, strlen(v));
		g_strstrip(card->fn);
	} else if (strcmp(n, "N") == 0 && *card->family == '\0' && *card->given == '\0') {
		GPtrArray *parts = split_escaped(v, ';', 5);

		if (parts->len > 0) {
			g_free(card->family);
			card->family = g_strdup(g_ptr_array_index(parts, 0));
		}
		if (parts->len > 1) {
			g_free(card->given);
			card->given = g_strdup(g_ptr_array_index(parts, 1));
		}
		g_ptr_array_unref(parts);
	} else if (strcmp(n, "EMAIL") == 0 && card->emails->len < VCARD_MAX_VALUES) {
		char *e = unescape(v, strlen(v));
		const char *addr = g_strstrip(e);

		if (g_ascii_strncasecmp(addr, "mailto:", 7) == 0)
			addr += 7;
		if (*addr != '\0')
			g_ptr_array_add(card->emails, g_strdup(addr));
		g_free(e);
	} else if (strcmp(n, "CATEGORIES") == 0) {
		GPtrArray *parts = split_escaped(v, ',', VCARD_MAX_VALUES);

		for (guint i = 0; i < parts->len &&
		     card->categories->len < VCARD_MAX_VALUES; i++) {
			const char *c = g_ptr_array_index(parts, i);

			if (*c != '\0')
				g_ptr_array_add(card->categories, g_strdup(c));
		}
		g_ptr_array_unref(parts);
	} else if (strcmp(n, "NOTE") == 0 && card->note == NULL) {
		card->note = unescape(v, strlen(v));
	} else if (strcmp(n, "UID") == 0 && card->uid == NULL) {
		card->uid = unescape(v, strlen(v));
		g_strstrip(card->uid);
	} else if (strcmp(n, "X-KITH-CADENCE") == 0) {
		char *end = NULL;
		gint64 days = g_ascii_strtoll(g_strstrip(v), &end, 10);

		if (end != v && end != NULL && *end == '\0' && days > 0 && days <= 3650)
			card->cadence = (int)days;
	}
	g_free(v);
}

/* The parser's state between logical lines. */
typedef struct {
	GPtrArray *cards;
	vcard_card *cur;   /* the card being read (depth >= 1) */
	int depth;         /* BEGIN:VCARD nesting (2.1 AGENT cards nest) */
	gboolean capped;   /* VCARD_MAX_CARDS reached (warned once) */
} parser;

static gboolean
value_is(const content_line *cl, const char *word)
{
	char *v = g_strndup(cl->value, cl->value_len);
	gboolean is = g_ascii_strcasecmp(g_strstrip(v), word) == 0;

	g_free(v);
	return is;
}

static void
logical_line(parser *p, const char *s, gsize len)
{
	content_line cl;

	if (!parse_content_line(s, len, &cl))
		return;
	if (strcmp(cl.name, "BEGIN") == 0 && value_is(&cl, "VCARD")) {
		if (p->depth == 0 && p->cards->len < VCARD_MAX_CARDS)
			p->cur = vcard_card_new();
		else if (p->depth == 0 && !p->capped) {
			log_warn("more than %d vCards in one input; the rest are ignored",
				VCARD_MAX_CARDS);
			p->capped = TRUE;
		}
		if (p->depth < G_MAXINT)
			p->depth++;
	} else if (strcmp(cl.name, "END") == 0 && value_is(&cl, "VCARD")) {
		if (p->depth > 0 && --p->depth == 0 && p->cur != NULL) {
			g_ptr_array_add(p->cards, p->cur);
			p->cur = NULL;
		}
	} else if (p->depth == 1 && p->cur != NULL) {
		card_property(p->cur, &cl);
	}
	content_line_clear(&cl);
}

/* TRUE when the logical line so far is a quoted-printable value ending in
 * a soft line break ('='), which the next physical line continues. */
static gboolean
qp_continues(const GString *line)
{
	content_line cl;
	gboolean yes;

	if (line->len == 0 || line->str[line->len - 1] != '=')
		return FALSE;
	if (!parse_content_line(line->str, line->len, &cl))
		return FALSE;
	yes = cl.qp;
	content_line_clear(&cl);
	return yes;
}

kith_status
vcard_parse(const char *data, gsize len, GPtrArray **cards, char **errstr)
{
	parser p = { g_ptr_array_new_with_free_func((GDestroyNotify)vcard_card_free), NULL, 0, FALSE };
	GString *line = g_string_new(NULL);
	gboolean have_line = FALSE;
	kith_status status = KITH_OK;
	gsize pos = 0;

	*cards = NULL;
	if (len > VCARD_MAX_INPUT) {
		status = kith_fail(errstr, KITH_E_DATA,
			"vCard input larger than %d MB", VCARD_MAX_INPUT / (1024 * 1024));
		goto out;
	}
	/* A UTF-8 byte order mark is not part of the first line. */
	if (len >= 3 && memcmp(data, "\xEF\xBB\xBF", 3) == 0)
		pos = 3;
	while (pos < len) {
		gsize start = pos, end;

		while (pos < len && data[pos] != '\n' && data[pos] != '\r')
			pos++;
		end = pos;
		if (pos < len && data[pos] == '\r')
			pos++;
		if (pos < len && data[pos] == '\n')
			pos++;
		if (have_line && end > start && (data[start] == ' ' || data[start] == '\t')) {
			/* A folded continuation: drop the one white space. */
			g_string_append_len(line, data + start + 1, (gssize)(end - start - 1));
			continue;
		}
		if (have_line && qp_continues(line)) {
			/* A quoted-printable soft break: drop the '='. */
			g_string_truncate(line, line->len - 1);
			g_string_append_len(line, data + start, (gssize)(end - start));
			continue;
		}
		if (have_line)
			logical_line(&p, line->str, line->len);
		g_string_assign(line, "");
		g_string_append_len(line, data + start, (gssize)(end - start));
		have_line = TRUE;
	}
	if (have_line)
		logical_line(&p, line->str, line->len);
	/* A card cut off by the end of the input is kept. */
	if (p.cur != NULL) {
		g_ptr_array_add(p.cards, p.cur);
		p.cur = NULL;
	}
	if (p.cards->len == 0) {
		status = kith_fail(errstr, KITH_E_DATA, "no vCard found (no BEGIN:VCARD line)");
		goto out;
	}
	*cards = p.cards;
	p.cards = NULL;
out:
	if (p.cards != NULL)
		g_ptr_array_unref(p.cards);
	vcard_card_free(p.cur);
	g_string_free(line, TRUE);
	return status;
}
