/*
 * html.c - HTML to plain text by walking libxml2's HTML tree.
 *
 * Output is built through a small writer that holds back white space and
 * line breaks until the next visible character, so markup never yields
 * runs of blank lines or trailing spaces, and every line inside a
 * blockquote starts with "> ".
 */
#include <limits.h>
#include <string.h>

#include <libxml/HTMLparser.h>
#include <libxml/tree.h>

#include "html.h"

/* libxml2 limits its own tree depth; this guards our recursion too. */
#define HTML_MAX_DEPTH 256

typedef struct {
	GString *out;
	int newlines;      /* line breaks owed before the next text (0-2) */
	int nl_quote;      /* blockquote depth when the breaks were first owed */
	gboolean space;    /* a space owed before the next text */
	int quote;         /* blockquote depth */
	int pre;           /* inside <pre>: keep white space */
} writer;

static gboolean
name_in(const xmlChar *name, const char *const *list)
{
	for (; *list != NULL; list++)
		if (g_ascii_strcasecmp((const char *)name, *list) == 0)
			return TRUE;
	return FALSE;
}

static const char *const skipped[] = {
	"script", "style", "head", "template", "title", "noscript", "iframe", "object",
	"svg", "math", NULL,
};
static const char *const paragraphs[] = {
	"p", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "pre", "table", "ul",
	"ol", "dl", "hr", "address", "figure", NULL,
};
static const char *const blocks[] = {
	"div", "li", "tr", "dt", "dd", "section", "article", "header", "footer", "nav",
	"aside", "main", "form", "fieldset", "center", "tbody", "thead", "tfoot",
	"caption", "details", "summary", "figcaption", NULL,
};

static void
owe_newlines(writer *w, int n)
{
	if (w->newlines == 0)
		w->nl_quote = w->quote;
	if (w->newlines < n)
		w->newlines = n;
}

/* One more line break (<br>, a newline in <pre>): two make a blank line. */
static void
add_break(writer *w)
{
	if (w->out->len == 0)
		return;
	if (w->newlines == 0)
		w->nl_quote = w->quote;
	w->newlines = MIN(w->newlines + 1, 2);
}

/* Writes the "> " prefix of a line, or for a blank line the bare ">"
 * marks of the outer quote depth, so quotes stay contiguous. */
static void
line_prefix(writer *w, int depth, gboolean blank_line)
{
	int i;

	for (i = 0; i < depth; i++)
		g_string_append(w->out, blank_line ? ">" : "> ");
}

/* Pays owed breaks and space before visible text. */
static void
settle(writer *w)
{
	int i;

	if (w->out->len == 0) {
		line_prefix(w, w->quote, FALSE);
	} else if (w->newlines > 0) {
		for (i = 0; i < w->newlines; i++) {
			g_string_append_c(w->out, '\n');
			if (i + 1 < w->newlines) {
				line_prefix(w, MIN(w->nl_quote, w->quote), TRUE);
				g_string_append_c(w->out, '\n');
				i++;
			}
		}
		line_prefix(w, w->quote, FALSE);
	} else if (w->space) {
		g_string_append_c(w->out, ' ');
	}
	w->newlines = 0;
	w->space = FALSE;
}

/* Characters that render as nothing and only confuse later stages. */
static gboolean
invisible(gunichar c)
{
	return c == 0x200B || c == 0x200C || c == 0x200D || c == 0xFEFF || c == 0x00AD ||
		c == 0x034F || c == 0x2060;
}

static gboolean
blank(gunichar c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' ||
		c == 0x00A0 || c == 0x2007 || c == 0x202F;
}

static void
write_text(writer *w, const char *text)
{
	const char *p;

	for (p = text; *p; p = g_utf8_next_char(p)) {
		gunichar c = g_utf8_get_char_validated(p, -1);

		if (c == (gunichar)-1 || c == (gunichar)-2)
			c = 0xFFFD;
		if (invisible(c))
			continue;
		if (w->pre && c == '\n') {
			add_break(w);
			continue;
		}
		if (blank(c)) {
			if (w->pre)
				c = ' ';
			else {
				w->space = TRUE;
				continue;
			}
		}
		settle(w);
		g_string_append_unichar(w->out, c);
	}
}

static void walk_children(writer *w, xmlNode *node, int depth);

static void
walk_element(writer *w, xmlNode *node, int depth)
{
	const xmlChar *name = node->name;

	if (name_in(name, skipped))
		return;
	if (g_ascii_strcasecmp((const char *)name, "br") == 0) {
		add_break(w);
		return;
	}
	if (name_in(name, paragraphs))
		owe_newlines(w, 2);
	else if (name_in(name, blocks))
		owe_newlines(w, 1);
	else if (g_ascii_strcasecmp((const char *)name, "td") == 0 ||
		g_ascii_strcasecmp((const char *)name, "th") == 0)
		w->space = TRUE;

	if (g_ascii_strcasecmp((const char *)name, "li") == 0) {
		settle(w);
		g_string_append(w->out, "- ");
	}
	if (g_ascii_strcasecmp((const char *)name, "blockquote") == 0)
		w->quote++;
	if (g_ascii_strcasecmp((const char *)name, "pre") == 0)
		w->pre++;

	walk_children(w, node, depth + 1);

	if (g_ascii_strcasecmp((const char *)name, "pre") == 0)
		w->pre--;
	if (g_ascii_strcasecmp((const char *)name, "blockquote") == 0) {
		w->quote--;
		owe_newlines(w, 2);
	} else if (name_in(name, paragraphs)) {
		owe_newlines(w, 2);
	} else if (name_in(name, blocks)) {
		owe_newlines(w, 1);
	}
}

static void
walk_children(writer *w, xmlNode *node, int depth)
{
	xmlNode *child;

	if (depth > HTML_MAX_DEPTH)
		return;
	for (child = node->children; child != NULL; child = child->next) {
		if (child->type == XML_ELEMENT_NODE)
			walk_element(w, child, depth);
		else if ((child->type == XML_TEXT_NODE || child->type == XML_CDATA_SECTION_NODE) &&
			child->content != NULL)
			write_text(w, (const char *)child->content);
	}
}

char *
html_to_text(const char *html, gsize len)
{
	writer w = { g_string_new(NULL), 0, 0, FALSE, 0, 0 };
	htmlDocPtr doc = NULL;
	xmlNode *root;

	if (html == NULL || len == 0)
		goto out;
	/* libxml2 takes an int length; mail bodies never approach it */
	doc = htmlReadMemory(html, (int)MIN(len, (gsize)INT_MAX), NULL, "UTF-8",
		HTML_PARSE_RECOVER | HTML_PARSE_NOERROR | HTML_PARSE_NOWARNING |
		HTML_PARSE_NONET);
	if (doc == NULL)
		goto out;
	root = xmlDocGetRootElement(doc);
	if (root != NULL) {
		/* the root itself may be a bare element when <html> is missing */
		if (root->type == XML_ELEMENT_NODE && !name_in(root->name, skipped))
			walk_element(&w, root, 0);
	}
out:
	if (doc != NULL)
		xmlFreeDoc(doc);
	return g_strstrip(g_string_free(w.out, FALSE));
}
