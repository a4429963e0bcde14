/* test_imap_guard.c - the lexer that follows literals in what an IMAP
 * server sends (imap_guard.h): every input is given whole and one byte at
 * a time, and both must agree. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "imap_guard.h"

#define LIMIT 1000000  /* small, so tests need no big numbers */

/* The verdict on `s` given in one piece; the state is left in *g. */
static imap_guard_verdict
follow_whole(imap_guard *g, const char *s)
{
	imap_guard_init(g, LIMIT);
	return imap_guard_follow(g, s, strlen(s));
}

static imap_guard_verdict
follow_bytewise(const char *s)
{
	imap_guard g;
	imap_guard_verdict v = IMAP_GUARD_PASS;

	imap_guard_init(&g, LIMIT);
	for (size_t i = 0; s[i] != '\0' && v == IMAP_GUARD_PASS; i++)
		v = imap_guard_follow(&g, s + i, 1);
	return v;
}

/* The verdict on `s`, the same in one piece and byte by byte. */
static imap_guard_verdict
follow(const char *s)
{
	imap_guard g;
	imap_guard_verdict v = follow_whole(&g, s);

	assert_int_equal(v, follow_bytewise(s));
	return v;
}

/* Passes `s` and is back at the start of a line, outside any literal. */
static void
assert_passes_clean(const char *s)
{
	imap_guard g;

	assert_int_equal(follow(s), IMAP_GUARD_PASS);
	assert_int_equal(follow_whole(&g, s), IMAP_GUARD_PASS);
	assert_true(g.skip == 0);
	assert_false(g.quoted);
	assert_int_equal(g.line, 0);
}

static void
test_literal_contents_pass(void **state)
{
	(void)state;
	/* what a literal holds is not read, whatever it looks like */
	assert_passes_clean("* 1 FETCH (UID 1 BODY[] {26}\r\n"
		"{99999999}\r\n* OK {5}\r\n\"abc)\r\n");
	assert_passes_clean("* 1 FETCH (BODY[] {0}\r\n)\r\n");
	/* a limit's worth is fine */
	assert_int_equal(follow("* 1 FETCH (BODY[] {1000000}\r\n"), IMAP_GUARD_PASS);
}

static void
test_too_large(void **state)
{
	(void)state;
	assert_int_equal(follow("* 1 FETCH (BODY[] {1000001}\r\n"), IMAP_GUARD_TOO_LARGE);
	assert_int_equal(follow("* 1 FETCH (BODY[] {4294967295}\r\n"), IMAP_GUARD_TOO_LARGE);
	assert_int_equal(follow("* 1 FETCH (BODY[] {184467440737095516160}\r\n"),
		IMAP_GUARD_TOO_LARGE);
	/* the spellings libetpan accepts as well */
	assert_int_equal(follow("* 1 FETCH (BODY[] { \t4294967295 }\r\n"), IMAP_GUARD_TOO_LARGE);
	assert_int_equal(follow("* 1 FETCH (BODY[] {4294967295}  \n"), IMAP_GUARD_TOO_LARGE);
	/* with no line end after it, libetpan still reads a literal (a
	 * workaround for an old server): checked at its "}" */
	assert_int_equal(follow("* 1 FETCH (BODY[] {4294967295}  abc"), IMAP_GUARD_TOO_LARGE);
	assert_int_equal(follow("* 1 FETCH (BODY[] {4294967295}abc"), IMAP_GUARD_TOO_LARGE);
	/* after a literal, the line goes on */
	assert_int_equal(follow("* 1 FETCH (BODY[] {3}\r\nabc BODY[1] {4294967295}\r\n"),
		IMAP_GUARD_TOO_LARGE);
	/* not literals: digits split by a blank, no digits */
	assert_passes_clean("* 1 FETCH (X {5 6}\r\n)\r\n");
	assert_passes_clean("* 1 FETCH (X {}\r\n");
	assert_passes_clean("* 1 FETCH (X {-}\r\n");
	/* a literal that is not one: "{-N}" is read as 0 bytes */
	assert_passes_clean("* 1 FETCH (BODY[] {-4294967295}\r\n)\r\n");
}

static void
test_literal_without_line_end(void **state)
{
	(void)state;
	/* its bytes start at the first byte after the "}" and the blanks */
	assert_passes_clean("* 1 FETCH (X {12} {99999999} Y)\r\n");
	assert_passes_clean("* 1 FETCH (X {12}{99999999} Y)\r\n");
	/* a CR with no LF is the literal's first byte */
	assert_passes_clean("* 1 FETCH (X {11}\r{99999999})\r\n");
	assert_int_equal(follow("* 1 FETCH (X {1}\r{99999999})\r\n"), IMAP_GUARD_TOO_LARGE);
}

static void
test_quoted_strings(void **state)
{
	(void)state;
	assert_passes_clean("* 1 FETCH (BODYSTRUCTURE (\"text\" \"plain\" "
		"(\"name\" \"{99999999}.pdf\") NIL NIL \"7bit\" 3 1))\r\n");
	/* an escaped quote does not end the string, an escaped backslash
	 * does not escape the quote after it */
	assert_passes_clean("* 1 FETCH (X \"a\\\"{99999999}\")\r\n");
	assert_int_equal(follow("* 1 FETCH (X \"a\\\\\"{99999999}\r\n"), IMAP_GUARD_TOO_LARGE);
	assert_int_equal(follow("* 1 FETCH (X \"a\\x\"{99999999}\r\n"), IMAP_GUARD_TOO_LARGE);
	/* libetpan reads a quoted string over lines until its closing quote,
	 * however that shifts the quotes of the lines after it */
	assert_int_equal(follow("* 1 FETCH (X \"abc\r\n* 2 FETCH (BODY[] {99999999}\r\n"),
		IMAP_GUARD_PASS);
	assert_int_equal(follow("* 2 FETCH (X (\"name\" \"{dy\r\n"
		"* 2 FETCH (X (\"name\" \"{99999999}\\\"x\")\r\n"), IMAP_GUARD_TOO_LARGE);
	/* a quote inside a literal opens nothing */
	assert_int_equal(follow("* 1 FETCH (BODY[] {1}\r\n\" BODY[1] {99999999}\r\n"),
		IMAP_GUARD_TOO_LARGE);
}

static void
test_status_lines(void **state)
{
	(void)state;
	assert_passes_clean("* OK [CAPABILITY IMAP4rev1 LITERAL+] Dovecot ready.\r\n");
	assert_passes_clean("a1 OK [READ-ONLY] Examine completed {curly}\r\n");
	assert_passes_clean("+ eyJzdGF0dXMiOiI0MDAifQ==\r\n");
	/* a literal in a status line: libetpan reads it as text, or as a
	 * literal in a response code; the guard cannot tell which, and no
	 * server sends one */
	assert_int_equal(follow("* OK {30}\r\n* 1 FETCH (BODY[] {4294967295}\r\n"),
		IMAP_GUARD_MISPLACED);
	assert_int_equal(follow("a1 OK [X ({5}\r\nUTF-8)] x\r\n"),
		IMAP_GUARD_MISPLACED);
	assert_int_equal(follow("+ {5}\r\n"), IMAP_GUARD_MISPLACED);
	assert_int_equal(follow("+{5}\r\n"), IMAP_GUARD_MISPLACED);
	assert_int_equal(follow("* ok {3}\r\n"), IMAP_GUARD_MISPLACED);
	assert_int_equal(follow("* BYE {3}\r\n"), IMAP_GUARD_MISPLACED);
	assert_int_equal(follow("* PREAUTH {3}\r\n"), IMAP_GUARD_MISPLACED);
	assert_int_equal(follow("a1 NO [ALERT] {3}\r\n"), IMAP_GUARD_MISPLACED);
	assert_int_equal(follow("a1 BAD \"{3}\"\r\n"), IMAP_GUARD_MISPLACED);
	/* nor in a line's first two words */
	assert_int_equal(follow("* {5}\r\nhello\r\n"), IMAP_GUARD_MISPLACED);
	assert_int_equal(follow("a{5}\r\nhello\r\n"), IMAP_GUARD_MISPLACED);
	/* status words are told from data lines by the second word only */
	assert_passes_clean("* LIST () \"/\" {5}\r\nINBOX\r\n");
	assert_passes_clean("* 3 FETCH (UID 3 BODY[] {2}\r\nok)\r\n");
}

static void
test_badcharset_list(void **state)
{
	(void)state;
	/* libetpan parses the greeting and AUTHENTICATE's continuations with
	 * no parser context and crashes on the first string of such a list */
	assert_int_equal(follow("* OK [BADCHARSET (\"x\")] hi\r\n"), IMAP_GUARD_UNSAFE);
	assert_int_equal(follow("+ [badcharset \t ()]\r\n"), IMAP_GUARD_UNSAFE);
	assert_int_equal(follow("a1 NO [BADBADCHARSET (x)]\r\n"), IMAP_GUARD_UNSAFE);
	assert_passes_clean("a1 NO [BADCHARSET] no list\r\n");
	assert_passes_clean("* OK [BADCHARSETS (x)]\r\n");
	assert_passes_clean("* 1 FETCH (X \"BADCHARSET (\")\r\n");
}

static void
test_lines_after_literals(void **state)
{
	(void)state;
	/* the line a literal is in ends after it; the next is read afresh,
	 * with LF alone as its end too */
	assert_int_equal(follow("* 1 FETCH (X {3}\nabc)\n* OK {1}\n"), IMAP_GUARD_MISPLACED);
	assert_passes_clean("* 1 FETCH (X {3}\r\nabc)\r\na7 OK done\r\n");
	assert_passes_clean("\r\n  \r\n* 2 EXISTS\r\n");
}

static void
test_reply_length(void **state)
{
	GString *s = g_string_new("* 1 FETCH (BODY[] {3}\r\nabc X ");
	imap_guard g;

	(void)state;
	/* a reply's text outside its literals is bounded by the limit;
	 * its literals and other replies do not count */
	while (s->len < LIMIT - 3)
		g_string_append_c(s, 'x');
	g_string_append(s, ")\r\n* 2 FETCH (BODY[] {2000}\r\n");
	for (int i = 0; i < 2000; i++)
		g_string_append_c(s, 'y');
	g_string_append(s, ")\r\n");
	imap_guard_init(&g, LIMIT);
	assert_int_equal(imap_guard_follow(&g, s->str, s->len), IMAP_GUARD_PASS);
	g_string_assign(s, "* 1 FETCH (X \"");
	while (s->len <= LIMIT)
		g_string_append(s, "ab\r\n");
	imap_guard_init(&g, LIMIT);
	assert_int_equal(imap_guard_follow(&g, s->str, s->len), IMAP_GUARD_TOO_LONG);
	g_string_free(s, TRUE);
}

static void
test_split_anywhere(void **state)
{
	const char *s = "* 1 FETCH (BODY[] {5}\r\nab{9\" BODY[1] {99999999}\r\n";
	size_t len = strlen(s);

	(void)state;
	/* every cut into two reads gives the one-piece verdict */
	for (size_t cut = 0; cut <= len; cut++) {
		imap_guard g;
		imap_guard_verdict v;

		imap_guard_init(&g, LIMIT);
		v = imap_guard_follow(&g, s, cut);
		if (v == IMAP_GUARD_PASS)
			v = imap_guard_follow(&g, s + cut, len - cut);
		assert_int_equal(v, IMAP_GUARD_TOO_LARGE);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_literal_contents_pass),
		cmocka_unit_test(test_too_large),
		cmocka_unit_test(test_literal_without_line_end),
		cmocka_unit_test(test_quoted_strings),
		cmocka_unit_test(test_status_lines),
		cmocka_unit_test(test_badcharset_list),
		cmocka_unit_test(test_lines_after_literals),
		cmocka_unit_test(test_reply_length),
		cmocka_unit_test(test_split_anywhere),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
