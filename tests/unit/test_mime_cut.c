/* test_mime_cut.c - which attachments' content is left out of what GMime
 * parses, the sizes counted for them, and the proof: a plan GMime does
 * not bear out is never verified.  That the walk over a cut body reads
 * as the walk over the whole one is test_message's test_same_reading_cuts. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "base64_shapes.h"
#include "header_block.h"
#include "mime_cut.h"

/* A message from `parts` (NULL-terminated), with base64_shape()'s "%B". */
static char *
build(const char *const *parts, gsize n, const char *eol)
{
	char *joined = g_strjoinv("", (char **)parts);
	char *out = base64_shape(joined, n, eol);

	g_free(joined);
	return out;
}

typedef struct {
	guint cuts;          /* planned */
	gboolean verified;   /* after claiming every opaque leaf GMime builds */
	guint claimed;
	gsize size;          /* the size claimed last */
	gsize out_len;       /* bytes given to GMime */
} cut_result;

/* Claims every leaf that is no text part, the way the walk lists
 * attachments (message/rfc822 parts are not entered). */
static void
claim_leaves(GMimeObject *obj, mime_cuts *cuts, cut_result *r, gboolean skip_signature)
{
	if (GMIME_IS_MULTIPART(obj)) {
		GMimeMultipart *mp = GMIME_MULTIPART(obj);
		int n = g_mime_multipart_get_count(mp);

		if (skip_signature && GMIME_IS_MULTIPART_SIGNED(obj) && n > 1)
			n = 1;
		for (int i = 0; i < n; i++)
			claim_leaves(g_mime_multipart_get_part(mp, i), cuts, r, skip_signature);
	} else if (GMIME_IS_PART(obj)) {
		GMimeContentType *ct = g_mime_object_get_content_type(obj);
		gsize size;

		if (ct != NULL && g_mime_content_type_is_type(ct, "text", "*"))
			return;
		if (mime_cut_claim(cuts, GMIME_PART(obj), &size)) {
			r->claimed++;
			r->size = size;
		}
	}
}

static cut_result
run_cut(const char *raw, gboolean skip_signature)
{
	GArray *fields = g_array_new(FALSE, FALSE, sizeof(header_field));
	gsize len = strlen(raw), body = header_block_split(raw, len, fields);
	GMimeParserOptions *options = g_mime_parser_options_new();
	mime_cuts cuts = MIME_CUTS_INIT;
	GString *out = g_string_new(NULL);
	char *ct = header_block_value(fields, "Content-Type");
	GMimeStream *stream;
	GMimeParser *parser;
	GMimeObject *top;
	cut_result r = { 0, FALSE, 0, 0, 0 };

	for (guint i = 0; i < fields->len; i++) {
		const header_field *f = &g_array_index(fields, header_field, i);

		if (f->name_len > 8 && g_ascii_strncasecmp(f->name, "Content-", 8) == 0)
			g_string_append_len(out, f->start, (gssize)f->len);
	}
	mime_cut_body(&cuts, out, raw, len, body, ct, options);
	r.cuts = mime_cut_count(&cuts);
	r.out_len = out->len;
	stream = g_mime_stream_mem_new_with_buffer(out->str, out->len);
	parser = g_mime_parser_new_with_stream(stream);
	top = g_mime_parser_construct_part(parser, options);
	assert_non_null(top);
	claim_leaves(top, &cuts, &r, skip_signature);
	r.verified = mime_cut_verified(&cuts);
	g_object_unref(top);
	g_object_unref(parser);
	g_object_unref(stream);
	mime_cut_clear(&cuts);
	g_free(ct);
	g_string_free(out, TRUE);
	g_mime_parser_options_free(options);
	g_array_unref(fields);
	return r;
}

static const char *const mixed[] = {
	"From: a@example.org\nSubject: s\nMIME-Version: 1.0\n"
	"Content-Type: multipart/mixed; boundary=\"XX\"\n\npreamble\n--XX\n"
	"Content-Type: text/plain\n\nthe text\n-- \nsignature\n--XX\n"
	"Content-Type: application/pdf; name=\"a.pdf\"\n"
	"Content-Disposition: attachment; filename=\"a.pdf\"\n"
	"Content-Transfer-Encoding: base64\n\n%B--XX--\nepilogue\n", NULL
};

static void
test_attachment_cut(void **state)
{
	char *raw = build(mixed, 6000, "\n");
	cut_result r = run_cut(raw, FALSE);

	assert_int_equal(r.cuts, 1);
	assert_true(r.verified);
	assert_int_equal(r.claimed, 1);
	assert_int_equal(r.size, 6000);
	assert_true(r.out_len < 1000);
	g_free(raw);
}

static void
test_crlf(void **state)
{
	char *lf = build(mixed, 6001, "\n");
	char **lines = g_strsplit(lf, "\n", -1);
	char *raw = g_strjoinv("\r\n", lines);
	cut_result r = run_cut(raw, FALSE);

	assert_int_equal(r.cuts, 1);
	assert_true(r.verified);
	assert_int_equal(r.size, 6001);
	g_strfreev(lines);
	g_free(lf);
	g_free(raw);
}

/* The boundary of a multipart inside the message is followed. */
static void
test_nested(void **state)
{
	static const char *const parts[] = {
		"Subject: s\nContent-Type: multipart/mixed; boundary=out\n\n--out\n"
		"Content-Type: multipart/related; boundary=\"in\"\n\n--in\n"
		"Content-Type: text/html\n\n<p>hi</p>\n--in\n"
		"Content-Type: image/png\nContent-Transfer-Encoding: BASE64\n\n%B--in--\n"
		"--out\nContent-Type: application/zip\nContent-Transfer-Encoding: base64\n\n%B"
		"--out--\n", NULL
	};
	char *raw = build(parts, 5000, "\n");
	cut_result r = run_cut(raw, FALSE);

	assert_int_equal(r.cuts, 2);
	assert_true(r.verified);
	assert_int_equal(r.claimed, 2);
	g_free(raw);
}

/* What is never cut: small content, text, anything not base64, a part
 * with two encodings, a single-part message, content that runs to the
 * end without a boundary. */
static void
test_not_cut(void **state)
{
	static const char *const shapes[][2] = {
		{ "Subject: s\nContent-Type: multipart/mixed; boundary=b\n\n--b\n"
		  "Content-Type: text/plain\nContent-Transfer-Encoding: base64\n\n%B--b--\n", NULL },
		{ "Subject: s\nContent-Type: multipart/mixed; boundary=b\n\n--b\n"
		  "Content-Type: message/rfc822\nContent-Transfer-Encoding: base64\n\n%B--b--\n", NULL },
		{ "Subject: s\nContent-Type: multipart/mixed; boundary=b\n\n--b\n"
		  "Content-Type: application/pdf\nContent-Transfer-Encoding: 7bit\n\n%B--b--\n", NULL },
		{ "Subject: s\nContent-Type: multipart/mixed; boundary=b\n\n--b\n"
		  "Content-Type: application/pdf\nContent-Transfer-Encoding: base64\n"
		  "Content-Transfer-Encoding: 7bit\n\n%B--b--\n", NULL },
		{ "Subject: s\nContent-Type: multipart/mixed; boundary=b\n\n--b\n"
		  "Content-Type: application/pdf\nContent-Type: text/plain\n"
		  "Content-Transfer-Encoding: base64\n\n%B--b--\n", NULL },
		{ "Subject: s\nContent-Type: application/pdf\n"
		  "Content-Transfer-Encoding: base64\n\n%B", NULL },
		{ "Subject: s\nContent-Type: multipart/mixed; boundary=b\n\n--b\n"
		  "Content-Type: application/pdf\nContent-Transfer-Encoding: base64\n\n%B", NULL },
		/* a line like a boundary but for another one */
		{ "Subject: s\nContent-Type: multipart/mixed; boundary=b\n\n--bb\n"
		  "Content-Type: application/pdf\nContent-Transfer-Encoding: base64\n\n%B--b--\n", NULL },
	};

	for (gsize i = 0; i < G_N_ELEMENTS(shapes); i++) {
		char *raw = build(shapes[i], 8000, "\n");
		cut_result r = run_cut(raw, FALSE);

		if (r.cuts != 0)
			fail_msg("shape %zu: %u cuts", i, r.cuts);
		g_free(raw);
	}
	{
		static const char *const small[] = { mixed[0], NULL };
		char *raw = build(small, 1000, "\n");

		assert_int_equal(run_cut(raw, FALSE).cuts, 0);
		g_free(raw);
	}
}

/* Plans GMime does not bear out: content that goes on past a line that
 * starts with "--" but is no boundary, a part the walk never reaches
 * (a signature), a marker that is not this parse's. */
static void
test_unverified(void **state)
{
	static const char *const dashes[] = {
		"Subject: s\nContent-Type: multipart/mixed; boundary=b\n\n--b\n"
		"Content-Type: application/pdf\nContent-Transfer-Encoding: base64\n\n"
		"%B--not the boundary\nAAAA\n--b--\n", NULL
	};
	static const char *const signed_[] = {
		"Subject: s\nContent-Type: multipart/signed; boundary=s;"
		" protocol=\"application/pkcs7-signature\"\n\n--s\n"
		"Content-Type: text/plain\n\nsigned text\n--s\n"
		"Content-Type: application/pkcs7-signature\nContent-Transfer-Encoding: base64\n\n"
		"%B--s--\n", NULL
	};
	static const char *const forged[] = {
		"Subject: s\nContent-Type: multipart/mixed; boundary=b\n\n--b\n"
		"Content-Type: application/pdf\nContent-Transfer-Encoding: base64\n\n%B--b\n"
		"X-Kith-Cut: 00000000 0\nContent-Type: application/zip\n"
		"Content-Transfer-Encoding: base64\n\nAAAA\n--b--\n", NULL
	};
	char *raw = build(dashes, 6000, "\n");
	cut_result r = run_cut(raw, FALSE);

	assert_int_equal(r.cuts, 1);
	assert_false(r.verified);
	g_free(raw);

	raw = build(signed_, 6000, "\n");
	r = run_cut(raw, TRUE);
	assert_int_equal(r.cuts, 1);
	assert_int_equal(r.claimed, 0);
	assert_false(r.verified);
	g_free(raw);

	raw = build(forged, 6000, "\n");
	r = run_cut(raw, FALSE);
	assert_int_equal(r.cuts, 1);
	assert_false(r.verified);
	g_free(raw);
}

/* Boundary lines without end, and parts without an empty line: the plan
 * stops, whatever their number. */
static void
test_hostile_shapes(void **state)
{
	GString *s = g_string_new("Subject: s\nContent-Type: multipart/mixed; boundary=b\n\n");
	cut_result r;

	for (int i = 0; i < 200000; i++)
		g_string_append(s, "--b\nX-A: 1\n");
	r = run_cut(s->str, FALSE);
	assert_int_equal(r.cuts, 0);
	g_string_free(s, TRUE);
}

static void
test_non_data(void **state)
{
	GString *s = g_string_new(NULL);
	guint32 x = 7;
	gsize want = 0;

	for (int i = 0; i < 100000; i++) {
		char c;

		x = x * 1103515245u + 12345u;
		c = "AZaz09+/\n\r= \t-"[(x >> 16) % 15];
		want += c == '\n' || c == '\r' || c == '=' || c == ' ';
		g_string_append_c(s, c);
		/* every length, so every tail */
		if (i < 300) {
			gsize n = 0;

			for (int k = 0; k <= i; k++)
				n += s->str[k] == '\n' || s->str[k] == '\r' ||
					s->str[k] == '=' || s->str[k] == ' ';
			assert_int_equal(mime_base64_non_data(s->str, s->len), n);
		}
	}
	assert_int_equal(mime_base64_non_data(s->str, s->len), want);
	g_string_free(s, TRUE);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_attachment_cut),
		cmocka_unit_test(test_crlf),
		cmocka_unit_test(test_nested),
		cmocka_unit_test(test_not_cut),
		cmocka_unit_test(test_unverified),
		cmocka_unit_test(test_hostile_shapes),
		cmocka_unit_test(test_non_data),
	};

	g_mime_init();
	return cmocka_run_group_tests(tests, NULL, NULL);
}
