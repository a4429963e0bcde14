/*
 * sentences.c - text to sentences.
 *
 * Two passes.  Lines are first grouped into blocks: a blank line, a bullet
 * ("- ", "* ", "1. ", "2) "...), a line ending in ':' or a short line
 * of a few words or ending in punctuation followed by a capitalised one
 * (a greeting, a sign-off, a heading) ends
 * a block, and the lines of a block are joined, which undoes wrapping.
 * Each block is then cut after '.', '!', '?' or an ellipsis followed by
 * white space, unless the '.' ends a known abbreviation, an initial, or a
 * short word followed by a lower-case one.  URLs, addresses and numbers
 * never end a sentence because their dots are not followed by a space.
 */
#include <string.h>

#include "sentences.h"

/* A line shorter than this, followed by a capitalised line, ends its block. */
#define SHORT_LINE 40

/* Never end a sentence. */
static const char *const strong_abbrevs[] = {
	"mr", "mrs", "ms", "dr", "prof", "sr", "jr", "st", "e.g", "i.e", "eg",
	"ie", "vs", "cf", "approx", "no", "nos", "fig", "dept", "tel", "ph",
	"ext", "attn", "re", "fwd", "ca", "mt", "ft", "hon", "gov", "sen",
	"rep", "gen", "col", "capt", "lt", "sgt", "rev", "vol", "pp", "op",
	NULL
};

/* End a sentence only before a capital letter. */
static const char *const weak_abbrevs[] = {
	"inc", "ltd", "co", "corp", "llc", "plc", "etc", "al", "jan", "feb",
	"mar", "apr", "jun", "jul", "aug", "sep", "sept", "oct", "nov", "dec",
	"mon", "tue", "tues", "wed", "thu", "thur", "thurs", "fri", "sat", "sun",
	"a.m", "p.m", "am", "pm", "u.s", "u.k", "min", "hr", "hrs", "est",
	NULL
};

static gboolean
in_list(const char *const *list, const char *word)
{
	for (; *list != NULL; list++)
		if (strcmp(*list, word) == 0)
			return TRUE;
	return FALSE;
}

/* Length of a bullet marker at the start of `s` (after the marker's
 * trailing space), or 0. */
static gsize
bullet_len(const char *s)
{
	const char *p = s;

	if (g_str_has_prefix(p, "\xe2\x80\xa2") || g_str_has_prefix(p, "\xc2\xb7"))
		p += *p == '\xe2' ? 3 : 2;
	else if (*p == '-' || *p == '*' || *p == '+' || *p == 'o')
		p++;
	else if (g_ascii_isdigit(*p)) {
		while (g_ascii_isdigit(*p) && p - s < 3)
			p++;
		if (*p != '.' && *p != ')')
			return 0;
		p++;
	} else if (g_ascii_islower(*p) && p[1] == ')')
		p += 2;
	else
		return 0;
	if (*p != ' ' && *p != '\t')
		return 0;
	if (*s == 'o' && p - s != 1)
		return 0;
	while (*p == ' ' || *p == '\t')
		p++;
	return (gsize)(p - s);
}

static gboolean
starts_capitalised(const char *s)
{
	gunichar c = g_utf8_get_char_validated(s, -1);

	if (c == (gunichar)-1 || c == (gunichar)-2)
		return FALSE;
	return g_unichar_isupper(c) || g_unichar_isdigit(c) || c == '"' ||
	       c == '(' || c == '[';
}

static guint
word_count(const char *line)
{
	guint n = 0;
	gboolean in_word = FALSE;

	for (const char *p = line; *p != '\0'; p++) {
		gboolean space = *p == ' ' || *p == '\t';

		if (!space && !in_word)
			n++;
		in_word = !space;
	}
	return n;
}

/* Does a line end its block (given the next line)?  A short line does when
 * the next is capitalised and the short one ends a sentence or clause or
 * has a few words only (a greeting, a name, a heading). */
static gboolean
ends_block(const char *line, const char *next)
{
	gsize n = strlen(line);

	if (n == 0 || next == NULL)
		return TRUE;
	if (line[n - 1] == ':')
		return TRUE;
	if (bullet_len(next) > 0 || *next == '\0')
		return TRUE;
	if (g_utf8_strlen(line, -1) < SHORT_LINE && starts_capitalised(next) &&
	    (strchr(".!?,;", line[n - 1]) != NULL || word_count(line) <= 4))
		return TRUE;
	return FALSE;
}

/* Trims and collapses white space runs to one space. */
static char *
normalise_space(const char *s, gsize len)
{
	GString *out = g_string_sized_new(len);
	gboolean space = FALSE;

	for (gsize i = 0; i < len; i++) {
		char c = s[i];

		if (c == ' ' || c == '\t' || c == '\n' || c == '\r' ||
		    c == '\f' || c == '\v') {
			space = TRUE;
			continue;
		}
		if (space && out->len > 0)
			g_string_append_c(out, ' ');
		space = FALSE;
		g_string_append_c(out, c);
	}
	return g_string_free(out, FALSE);
}

/* The word before the terminator at `dot` (lowercased, without its final
 * dot and any leading bracket or quote); new string. */
static char *
word_before(const char *block, gsize dot)
{
	gsize start = dot;

	while (start > 0 && block[start - 1] != ' ')
		start--;
	while (start < dot && strchr("([{\"'", block[start]) != NULL)
		start++;
	return g_ascii_strdown(block + start, (gssize)(dot - start));
}

static gboolean
is_initial(const char *word)
{
	return word[0] != '\0' && word[1] == '\0' && g_ascii_isalpha(word[0]);
}

/* Should the block be cut after the '.' at `dot`, given the next word? */
static gboolean
period_ends(const char *block, gsize dot, const char *next)
{
	char *w = word_before(block, dot);
	gboolean upper = starts_capitalised(next);
	gboolean lower = g_ascii_islower(*next);
	gboolean ends = TRUE;

	if (in_list(strong_abbrevs, w) || (is_initial(w) && upper &&
					   g_ascii_isupper(block[dot - 1])))
		ends = FALSE;
	else if (in_list(weak_abbrevs, w) || strchr(w, '.') != NULL)
		ends = upper;
	else if (lower && strlen(w) <= 3)
		ends = FALSE;
	g_free(w);
	return ends;
}

/* Whether `s` starts with U+2026 HORIZONTAL ELLIPSIS; the first byte
 * is tested inline, since most bytes of a block are tested. */
static gboolean
is_ellipsis(const char *s)
{
	return (guchar)s[0] == 0xe2 && g_str_has_prefix(s, "\xe2\x80\xa6");
}

/* Cuts one block (white space already collapsed) into sentences. */
static void
split_block(const char *block, GPtrArray *out)
{
	gsize len = strlen(block), start = 0, i = 0;

	while (i < len) {
		gsize term = i, end;
		gboolean strong = FALSE;
		int dots = 0;
		const char *c = block + i;

		if (*c != '.' && *c != '!' && *c != '?' && !is_ellipsis(c)) {
			i++;
			continue;
		}
		end = i;
		while (end < len && (strchr(".!?", block[end]) != NULL ||
				     is_ellipsis(block + end))) {
			if (block[end] == '!' || block[end] == '?')
				strong = TRUE;
			if (block[end] == '.')
				dots++;
			else if (block[end] == '\xe2')
				dots += 3, end += 2;
			end++;
		}
		while (end < len && strchr(")]\"'", block[end]) != NULL)
			end++;
		while (end + 2 < len && (g_str_has_prefix(block + end, "\xe2\x80\x9d") ||
					 g_str_has_prefix(block + end, "\xe2\x80\x99")))
			end += 3;
		i = end;
		if (end < len && block[end] != ' ')
			continue;
		if (end < len && !strong) {
			const char *next = block + end + 1;

			if (dots > 1 ? !starts_capitalised(next) :
			    !period_ends(block, term, next))
				continue;
		}
		if (end > start)
			g_ptr_array_add(out, normalise_space(block + start, end - start));
		start = end;
	}
	if (start < len) {
		char *last = normalise_space(block + start, len - start);

		if (*last != '\0')
			g_ptr_array_add(out, last);
		else
			g_free(last);
	}
}

static void
flush_block(GString *block, GPtrArray *out)
{
	char *norm;

	if (block->len == 0)
		return;
	norm = normalise_space(block->str, block->len);
	if (*norm != '\0')
		split_block(norm, out);
	g_free(norm);
	g_string_truncate(block, 0);
}

GPtrArray *
sentences_split(const char *text)
{
	GPtrArray *out = g_ptr_array_new_with_free_func(g_free);
	GString *block = g_string_new(NULL);
	char **lines;

	if (text == NULL)
		goto out;
	lines = g_strsplit(text, "\n", -1);
	for (guint i = 0; lines[i] != NULL; i++)
		g_strstrip(lines[i]);
	for (guint i = 0; lines[i] != NULL; i++) {
		const char *line = lines[i];
		gsize b = bullet_len(line);

		if (b > 0) {
			flush_block(block, out);
			line += b;
		}
		if (*line != '\0') {
			if (block->len > 0)
				g_string_append_c(block, ' ');
			g_string_append(block, line);
		}
		if (ends_block(lines[i], lines[i + 1]))
			flush_block(block, out);
	}
	flush_block(block, out);
	g_strfreev(lines);
out:
	g_string_free(block, TRUE);
	return out;
}
