/* test_mime_leaf.c - which top-level shapes are read as one text part
 * without GMime's parser, what is read of them, and the decoding.  That
 * the reading is GMime's is test_message's test_same_reading_*. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "header_block.h"
#include "mime_leaf.h"

typedef struct {
	const char *raw;
	gboolean simple;
	gboolean is_html;
	const char *charset;           /* NULL: none */
	GMimeContentEncoding encoding;
	const char *body;              /* the encoded body */
} shape_case;

static void
check_shape(const shape_case *c)
{
	GArray *fields = g_array_new(FALSE, FALSE, sizeof(header_field));
	gsize len = strlen(c->raw);
	gsize end = header_block_split(c->raw, len, fields);
	mime_leaf leaf;
	gboolean simple = mime_leaf_find(fields, c->raw, len, end, &leaf);

	if (simple != c->simple)
		fail_msg("%s: simple %d, want %d", c->raw, simple, c->simple);
	if (simple) {
		if (leaf.is_html != c->is_html)
			fail_msg("%s: is_html %d", c->raw, leaf.is_html);
		if (g_strcmp0(leaf.charset, c->charset) != 0)
			fail_msg("%s: charset %s", c->raw, leaf.charset ? leaf.charset : "-");
		if (leaf.encoding != c->encoding)
			fail_msg("%s: encoding %d", c->raw, leaf.encoding);
		if (leaf.body_len != strlen(c->body) ||
		    memcmp(leaf.body, c->body, leaf.body_len) != 0)
			fail_msg("%s: body \"%.*s\"", c->raw, (int)leaf.body_len, leaf.body);
	}
	mime_leaf_clear(&leaf);
	g_array_unref(fields);
}

static void
test_simple_shapes(void **state)
{
	static const shape_case cases[] = {
		{ "Subject: s\n\nbody\n", TRUE, FALSE, NULL,
		  GMIME_CONTENT_ENCODING_DEFAULT, "body\n" },
		{ "Subject: s\r\n\r\nbody\r\n", TRUE, FALSE, NULL,
		  GMIME_CONTENT_ENCODING_DEFAULT, "body\r\n" },
		{ "Subject: s\n", TRUE, FALSE, NULL, GMIME_CONTENT_ENCODING_DEFAULT, "" },
		{ "Content-Type: text/plain; charset=\"UTF-8\"; format=flowed\n"
		  "Content-Transfer-Encoding: Quoted-Printable\n\n=41\n",
		  TRUE, FALSE, "UTF-8", GMIME_CONTENT_ENCODING_QUOTEDPRINTABLE, "=41\n" },
		{ "Content-Type: text/html;\n\tcharset=iso-8859-1\n"
		  "Content-Transfer-Encoding: base64\nMIME-Version: 1.0\n\nPGI+\n",
		  TRUE, TRUE, "iso-8859-1", GMIME_CONTENT_ENCODING_BASE64, "PGI+\n" },
		{ "Content-Type: TEXT/HTML\nContent-Disposition: INLINE\n\n<p>\n",
		  TRUE, TRUE, NULL, GMIME_CONTENT_ENCODING_DEFAULT, "<p>\n" },
		{ "Content-Transfer-Encoding: 8bit\nContent-Language: de\n\nx",
		  TRUE, FALSE, NULL, GMIME_CONTENT_ENCODING_8BIT, "x" },
	};

	for (gsize i = 0; i < G_N_ELEMENTS(cases); i++)
		check_shape(&cases[i]);
}

/* The shapes left to GMime. */
static void
test_refused_shapes(void **state)
{
	static const char *const refused[] = {
		"Content-Type: multipart/mixed; boundary=b\n\n--b\n\nx\n--b--\n",
		"Content-Type: message/rfc822\n\nSubject: in\n\nx\n",
		"Content-Type: text/calendar\n\nBEGIN:VCALENDAR\n",
		"Content-Type: text/plain; name=a.txt\n\nx\n",
		"Content-Type: text/plain; NAME=\"a.txt\"\n\nx\n",
		"Content-Type: text/plain; charset*=utf-8''x\n\nx\n",
		"Content-Type: text/plain; charset=\"a b\"\n\nx\n",
		"Content-Type: text/plain; charset=\"utf-8\n\nx\n",
		"Content-Type: text/plain; charset=\n\nx\n",
		"Content-Type: text/plain charset=utf-8\n\nx\n",
		"Content-Type: text / plain\n\nx\n",
		"Content-Type: text/plain; charset=a; charset=b\n\nx\n",
		"Content-Type: text/plain\nContent-Type: text/plain\n\nx\n",
		"Content-Type: text/plain; charset=\xc3\xa9\n\nx\n",
		"Content-Disposition: attachment\n\nx\n",
		"Content-Disposition: inline; filename=a\n\nx\n",
		"Content-Transfer-Encoding: x-uuencode\n\nx\n",
		"Content-Transfer-Encoding: base64\nContent-Transfer-Encoding: 7bit\n\nx\n",
		"Content-Location: a\n\nx\n",
	};

	for (gsize i = 0; i < G_N_ELEMENTS(refused); i++) {
		shape_case c = { refused[i], FALSE, FALSE, NULL,
			GMIME_CONTENT_ENCODING_DEFAULT, "" };

		check_shape(&c);
	}
}

static void
check_decode(GMimeContentEncoding encoding, const char *body, const char *want,
	gsize want_len)
{
	mime_leaf leaf = { FALSE, NULL, encoding, body, strlen(body) };
	GByteArray *out = mime_leaf_decode(&leaf);

	if (out->len != want_len || (want_len > 0 && memcmp(out->data, want, want_len) != 0))
		fail_msg("decoding \"%s\": %u bytes \"%.*s\"", body, out->len,
			(int)out->len, out->data);
	g_byte_array_unref(out);
}

static void
test_decode(void **state)
{
	check_decode(GMIME_CONTENT_ENCODING_DEFAULT, "as is=41\n", "as is=41\n", 9);
	check_decode(GMIME_CONTENT_ENCODING_8BIT, "\xc3\xa9", "\xc3\xa9", 2);
	check_decode(GMIME_CONTENT_ENCODING_BASE64, "aGVs\nbG8=\n", "hello", 5);
	check_decode(GMIME_CONTENT_ENCODING_QUOTEDPRINTABLE, "a=3Db=\nc\n", "a=bc\n", 5);
	check_decode(GMIME_CONTENT_ENCODING_BASE64, "", "", 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_simple_shapes),
		cmocka_unit_test(test_refused_shapes),
		cmocka_unit_test(test_decode),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
