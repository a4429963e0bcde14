/* test_html.c - HTML to text: dropped elements, entities, line breaks,
 * lists and quotes. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "html.h"
#include "zones.h"

static void
assert_text(const char *html, const char *expect)
{
	char *got = html_to_text(html, strlen(html));

	assert_string_equal(got, expect);
	g_free(got);
}

static void
test_drops_script_style_head(void **state)
{
	assert_text(
		"<html><head><title>T</title><style>p{color:red}</style>"
		"<script>var x = 1;</script></head>"
		"<body><script type=\"text/javascript\">alert('x')</script>"
		"<p>Visible</p><style>.a{}</style><template><p>tmpl</p></template>"
		"<noscript>enable js</noscript></body></html>",
		"Visible");
}

static void
test_entities(void **state)
{
	assert_text("<p>Fish &amp; chips &lt;3 &quot;ok&quot; caf&eacute; &#8364;1 &#x2014; "
		"it&rsquo;s</p>",
		"Fish & chips <3 \"ok\" café €1 — it\u2019s");
}

static void
test_line_breaks(void **state)
{
	assert_text("<p>One</p><p>Two<br>Three<br><br>Four</p><div>Five</div>Six",
		"One\n\nTwo\nThree\n\nFour\n\nFive\nSix");
	/* markup white space collapses; nbsp counts as space */
	assert_text("<div>\n  lots   of\n\tspace&nbsp;&nbsp;here\n</div>",
		"lots of space here");
	/* leading breaks never produce leading blank lines */
	assert_text("<br><br><p>Start</p>", "Start");
}

static void
test_lists_and_tables(void **state)
{
	assert_text("<p>Agenda:</p><ul><li>Budget</li><li>Hiring</li></ul><p>End</p>",
		"Agenda:\n\n- Budget\n- Hiring\n\nEnd");
	assert_text("<table><tr><td>Name</td><td>Ana</td></tr>"
		"<tr><td>Role</td><td>Lead</td></tr></table>",
		"Name Ana\nRole Lead");
}

static void
test_blockquote(void **state)
{
	assert_text("<div>Yes.</div><blockquote><p>Can you come?</p><p>Ana</p></blockquote>",
		"Yes.\n\n> Can you come?\n>\n> Ana");
	assert_text("<blockquote>outer<blockquote>inner</blockquote></blockquote>",
		"> outer\n>\n> > inner");
}

static void
test_pre(void **state)
{
	assert_text("<pre>a  b\n  c</pre>", "a  b\n  c");
}

static void
test_invisible_characters(void **state)
{
	assert_text("<p>pre\u200Bheader\u00AD text\uFEFF</p>", "preheader text");
}

static void
test_broken_html(void **state)
{
	char *got;

	assert_text("<p>unclosed <b>bold <i>italic", "unclosed bold italic");
	assert_text("plain words, no tags", "plain words, no tags");
	got = html_to_text("<<<>>> <p <div>>", 16);

	/* whatever the recovery makes of it: text, never markup */
	assert_true(g_utf8_validate(got, -1, NULL));
	assert_null(strstr(got, "div"));
	g_free(got);
	assert_text("", "");
	assert_text("<html><body></body></html>", "");
	got = html_to_text(NULL, 0);
	assert_string_equal(got, "");
	g_free(got);
}

static void
test_length_is_respected(void **state)
{
	const char *html = "<p>first</p><p>second</p>";
	char *got = html_to_text(html, strlen("<p>first</p>"));

	assert_string_equal(got, "first");
	g_free(got);
}

static void
test_gmail_reply_zones(void **state)
{
	const char *html =
		"<div dir=\"ltr\">Thursday works.</div><br><div class=\"gmail_quote\">"
		"<div dir=\"ltr\" class=\"gmail_attr\">On Tue, Mar 14, 2023 at 5:00 AM Ana "
		"&lt;<a href=\"mailto:ana@example.org\">ana@example.org</a>&gt; wrote:<br></div>"
		"<blockquote class=\"gmail_quote\"><div>Hi Bo,</div><div><br></div>"
		"<div>Could we meet?</div></blockquote></div>";
	char *text = html_to_text(html, strlen(html));
	char *fresh = zones_new_text(text);

	assert_string_equal(text,
		"Thursday works.\n\n"
		"On Tue, Mar 14, 2023 at 5:00 AM Ana <ana@example.org> wrote:\n\n"
		"> Hi Bo,\n>\n> Could we meet?");
	assert_string_equal(fresh, "Thursday works.");
	g_free(text);
	g_free(fresh);
}

static void
test_outlook_reply_zones(void **state)
{
	const char *html =
		"<div class=WordSection1><p class=MsoNormal>On it.<o:p></o:p></p>"
		"<div style='border:none;border-top:solid #E1E1E1 1.0pt'>"
		"<p class=MsoNormal><b>From:</b> Ana &lt;ana@example.org&gt;<br>"
		"<b>Sent:</b> Tuesday, March 7, 2023 9:00 AM<br><b>To:</b> Carla<br>"
		"<b>Subject:</b> Budget</p></div><p>Send the numbers?</p></div>";
	char *text = html_to_text(html, strlen(html));
	char *fresh = zones_new_text(text);

	assert_string_equal(fresh, "On it.");
	g_free(text);
	g_free(fresh);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_drops_script_style_head),
		cmocka_unit_test(test_entities),
		cmocka_unit_test(test_line_breaks),
		cmocka_unit_test(test_lists_and_tables),
		cmocka_unit_test(test_blockquote),
		cmocka_unit_test(test_pre),
		cmocka_unit_test(test_invisible_characters),
		cmocka_unit_test(test_broken_html),
		cmocka_unit_test(test_length_is_respected),
		cmocka_unit_test(test_gmail_reply_zones),
		cmocka_unit_test(test_outlook_reply_zones),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
