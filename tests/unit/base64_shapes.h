/*
 * base64_shapes.h - test messages with large base64 content, for the tests
 * of mime_cut.c (test_mime_cut, test_message): a shape's every "%B"
 * becomes the base64 of `n` pseudo-random bytes (the same for a given n),
 * in lines of 76 characters ended by `eol`.  Returns a new string.
 */
#ifndef KITH_TEST_BASE64_SHAPES_H
#define KITH_TEST_BASE64_SHAPES_H

#include <string.h>

#include <glib.h>

static inline char *
base64_shape(const char *shape, gsize n, const char *eol)
{
	guchar *raw = g_malloc(n);
	GString *s = g_string_new(NULL);
	guint32 x = 12345;
	const char *mark;
	char *flat;

	for (gsize i = 0; i < n; i++) {
		x = x * 1103515245u + 12345u;
		raw[i] = (guchar)(x >> 16);
	}
	flat = g_base64_encode(raw, n);
	while ((mark = strstr(shape, "%B")) != NULL) {
		g_string_append_len(s, shape, mark - shape);
		for (gsize i = 0, len = strlen(flat); i < len; i += 76) {
			g_string_append_len(s, flat + i, (gssize)MIN((gsize)76, len - i));
			g_string_append(s, eol);
		}
		shape = mark + 2;
	}
	g_string_append(s, shape);
	g_free(raw);
	g_free(flat);
	return g_string_free(s, FALSE);
}

#endif
