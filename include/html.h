/*
 * html.h - HTML to plain text with libxml2's HTML parser (never a tag
 * stripper).  script, style, head and template content are dropped; block
 * elements (p, div, br, li, tr, h1-h6, blockquote...) become line breaks,
 * list items get "- ", blockquote lines get "> " so quotes stay quotes,
 * entities are decoded, runs of blank space collapse.
 */
#ifndef KITH_HTML_H
#define KITH_HTML_H

#include <glib.h>

/* `html` is UTF-8 (already converted).  Returns new UTF-8 text (g_free);
 * never NULL (empty on unparseable input). */
char *html_to_text(const char *html, gsize len);

#endif
