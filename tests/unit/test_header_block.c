/* test_header_block.c - the top-level header block split as GMime's
 * parser splits it: folds, blanks before the colon, lines that are no
 * field, CRLF, a block with no end; and, over every test message and the
 * shared corpus, the same fields as GMime's own header lists. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>
#include <gmime/gmime.h>

#include "header_block.h"
#include "message.h"

#define CORPUS "../shared/mail-corpus"

static GArray *
split(const char *s, gsize *end)
{
	GArray *fields = g_array_new(FALSE, FALSE, sizeof(header_field));

	*end = header_block_split(s, strlen(s), fields);
	return fields;
}

static void
assert_field(const GArray *fields, guint i, const char *name, const char *value)
{
	const header_field *f;

	assert_true(i < fields->len);
	f = &g_array_index(fields, header_field, i);
	assert_int_equal(f->name_len, strlen(name));
	assert_memory_equal(f->name, name, f->name_len);
	assert_int_equal(f->value_len, strlen(value));
	assert_memory_equal(f->value, value, f->value_len);
	assert_true(f->start <= f->name && f->value + f->value_len == f->start + f->len);
}

static void
test_fields_and_folds(void **state)
{
	const char *s = "From: Ann <ann@example.org>\nSubject: a long\n\tfolded\n  subject\n"
		"To: bob@example.org\n\nbody\nX-Not: a field\n";
	gsize end;
	GArray *f = split(s, &end);

	assert_int_equal(f->len, 3);
	assert_field(f, 0, "From", " Ann <ann@example.org>\n");
	assert_field(f, 1, "Subject", " a long\n\tfolded\n  subject\n");
	assert_field(f, 2, "To", " bob@example.org\n");
	assert_string_equal(s + end, "\nbody\nX-Not: a field\n");
	g_array_unref(f);
}

static void
test_blanks_before_colon(void **state)
{
	gsize end;
	GArray *f = split("Subject \t: obsolete form\nX:y\n", &end);

	assert_int_equal(f->len, 2);
	assert_field(f, 0, "Subject", " obsolete form\n");
	assert_field(f, 1, "X", "y\n");
	g_array_unref(f);
}

static void
test_lines_that_are_no_field(void **state)
{
	/* dropped with their continuation lines; they do not end the block */
	const char *s = "From: a@example.org\nnot a header line\n\tits fold\n"
		"Two words: no\n:empty name\nCtl\001: no\nTo: b@example.org\n\nbody";
	gsize end;
	GArray *f = split(s, &end);

	assert_int_equal(f->len, 2);
	assert_field(f, 0, "From", " a@example.org\n");
	assert_field(f, 1, "To", " b@example.org\n");
	assert_string_equal(s + end, "\nbody");
	g_array_unref(f);
}

static void
test_crlf(void **state)
{
	const char *s = "From: a@example.org\r\nSubject: x\r\n y\r\n\r\nbody\r\n";
	gsize end;
	GArray *f = split(s, &end);

	assert_int_equal(f->len, 2);
	assert_field(f, 1, "Subject", " x\r\n y\r\n");
	assert_string_equal(s + end, "\r\nbody\r\n");
	g_array_unref(f);
}

static void
test_no_end(void **state)
{
	const char *s = "From: a@example.org\nSubject: no body, no newline";
	gsize end;
	GArray *f = split(s, &end);

	assert_int_equal(end, strlen(s));
	assert_int_equal(f->len, 2);
	assert_field(f, 1, "Subject", " no body, no newline");
	g_array_unref(f);
	f = split("", &end);
	assert_int_equal(end, 0);
	assert_int_equal(f->len, 0);
	g_array_unref(f);
}

static void
test_value_lookup(void **state)
{
	gsize end;
	GArray *f = split("message-id: <1@x>\nMessage-ID: <2@x>\n\n", &end);
	char *v = header_block_value(f, "Message-ID");

	assert_string_equal(v, " <1@x>\n");
	assert_null(header_block_value(f, "References"));
	assert_true(header_field_is(&g_array_index(f, header_field, 1), "MESSAGE-id"));
	/* two of a field: no "only" value */
	assert_null(header_block_only_value(f, "Message-ID"));
	assert_null(header_block_only_value(f, "References"));
	g_free(v);
	g_array_unref(f);
	f = split("Subject: s\nContent-Type: text/plain;\n charset=utf-8\n\n", &end);
	v = header_block_only_value(f, "content-type");
	assert_string_equal(v, " text/plain;\n charset=utf-8\n");
	g_free(v);
	g_array_unref(f);
}

/* --- the same fields as GMime's parser ------------------------------------ */

/* GMime's fields of `obj` in order, as "name\tvalue" lines, values
 * trimmed; Content-* fields only when `content`, the others only when
 * not (GMime keeps a message's Content-* fields on its MIME part). */
static void
gmime_fields(GString *out, GMimeObject *obj, gboolean content)
{
	GMimeHeaderList *list = g_mime_object_get_header_list(obj);
	int n = g_mime_header_list_get_count(list);

	for (int i = 0; i < n; i++) {
		GMimeHeader *h = g_mime_header_list_get_header_at(list, i);
		const char *name = g_mime_header_get_name(h);
		char *value = g_strstrip(g_strdup(g_mime_header_get_raw_value(h)));

		if ((g_ascii_strncasecmp(name, "Content-", 8) == 0) == content)
			g_string_append_printf(out, "%s\t%s\n", name, value);
		g_free(value);
	}
}

static void
split_fields(GString *out, const GArray *fields, gboolean content)
{
	for (guint i = 0; i < fields->len; i++) {
		const header_field *f = &g_array_index(fields, header_field, i);
		char *name = g_strndup(f->name, f->name_len);
		char *value = g_strstrip(g_strndup(f->value, f->value_len));

		if ((g_ascii_strncasecmp(name, "Content-", 8) == 0) == content)
			g_string_append_printf(out, "%s\t%s\n", name, value);
		g_free(name);
		g_free(value);
	}
}

/* The file's fields, split, against GMime's; FALSE when GMime found no
 * message in it.  NUL bytes are scrubbed first, as message_parse does. */
static gboolean
same_as_gmime(const char *path)
{
	char *data = NULL, *body;
	gsize len = 0, skip = 0;
	GMimeStream *stream;
	GMimeParser *parser;
	GMimeMessage *msg;
	GArray *fields;
	GString *ours = g_string_new(NULL), *theirs = g_string_new(NULL);

	assert_true(g_file_get_contents(path, &data, &len, NULL));
	for (gsize i = 0; i < len; i++)
		if (data[i] == '\0')
			data[i] = ' ';
	/* message_parse skips a BOM and a From_ line the same way */
	if (len >= 3 && memcmp(data, "\xEF\xBB\xBF", 3) == 0)
		skip = 3;
	if (len - skip >= 5 && memcmp(data + skip, "From ", 5) == 0 &&
	    (body = memchr(data + skip, '\n', len - skip)) != NULL)
		skip = (gsize)(body - data) + 1;
	stream = g_mime_stream_mem_new_with_buffer(data + skip, len - skip);
	parser = g_mime_parser_new_with_stream(stream);
	msg = g_mime_parser_construct_message(parser, NULL);
	if (msg == NULL) {
		g_object_unref(parser);
		g_object_unref(stream);
		g_free(data);
		g_string_free(ours, TRUE);
		g_string_free(theirs, TRUE);
		return FALSE;
	}
	fields = g_array_new(FALSE, FALSE, sizeof(header_field));
	header_block_split(data + skip, len - skip, fields);
	split_fields(ours, fields, FALSE);
	gmime_fields(theirs, GMIME_OBJECT(msg), FALSE);
	if (g_mime_message_get_mime_part(msg) != NULL) {
		split_fields(ours, fields, TRUE);
		gmime_fields(theirs, g_mime_message_get_mime_part(msg), TRUE);
	}
	if (strcmp(ours->str, theirs->str) != 0)
		fail_msg("%s: split\n%s\nGMime\n%s", path, ours->str, theirs->str);
	g_array_unref(fields);
	g_object_unref(msg);
	g_object_unref(parser);
	g_object_unref(stream);
	g_free(data);
	g_string_free(ours, TRUE);
	g_string_free(theirs, TRUE);
	return TRUE;
}

static guint
compare_dir(const char *dir)
{
	GDir *d = g_dir_open(dir, 0, NULL);
	const char *name;
	guint n = 0;

	while (d != NULL && (name = g_dir_read_name(d)) != NULL) {
		char *path = g_build_filename(dir, name, NULL);

		if (g_file_test(path, G_FILE_TEST_IS_DIR)) {
			if (strcmp(name, "LICENSES") != 0)
				n += compare_dir(path);
		} else if (!g_str_has_suffix(name, ".tsv") && !g_str_has_suffix(name, ".mbox") &&
			   strstr(path, "/mbox/") == NULL) {
			n += same_as_gmime(path) ? 1 : 0;
		}
		g_free(path);
	}
	if (d != NULL)
		g_dir_close(d);
	return n;
}

static void
test_same_as_gmime(void **state)
{
	message_library_init();
	assert_true(compare_dir("tests/data") > 40);
	if (g_file_test(CORPUS, G_FILE_TEST_IS_DIR))
		assert_true(compare_dir(CORPUS) > 200);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fields_and_folds),
		cmocka_unit_test(test_blanks_before_colon),
		cmocka_unit_test(test_lines_that_are_no_field),
		cmocka_unit_test(test_crlf),
		cmocka_unit_test(test_no_end),
		cmocka_unit_test(test_value_lookup),
		cmocka_unit_test(test_same_as_gmime),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
