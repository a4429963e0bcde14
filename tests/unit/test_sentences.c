/* test_sentences.c - splitting text into sentences: abbreviations, URLs,
 * addresses, decimals, times, wrapped lines, bullets, greetings. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "sentences.h"

/* Splits `text` and compares with the NULL-terminated `want`. */
static void
check_split(const char *text, const char *const *want)
{
	GPtrArray *got = sentences_split(text);
	guint n = 0;

	while (want[n] != NULL)
		n++;
	for (guint i = 0; i < got->len || i < n; i++) {
		const char *g = i < got->len ? got->pdata[i] : "(none)";
		const char *w = i < n ? want[i] : "(none)";

		if (strcmp(g, w) != 0)
			fail_msg("sentence %u: got \"%s\", want \"%s\"", i, g, w);
	}
	g_ptr_array_unref(got);
}

static void
test_simple(void **state)
{
	const char *const want[] = { "Hello there.", "How are you?",
		"Great!", "Fine", NULL };

	check_split("Hello there. How are you? Great! Fine", want);
}

static void
test_abbreviations(void **state)
{
	const char *const want[] = {
		"Dr. Smith and Mr. Jones met e.g. at the Acme Inc. office.",
		"They left at 10 a.m. and came back.",
		"Ask Prof. Lee about it, i.e. the budget vs. the plan.",
		"It was J. R. Ewing.",
		"Then they left.",
		NULL };

	check_split("Dr. Smith and Mr. Jones met e.g. at the Acme Inc. office. "
		"They left at 10 a.m. and came back. Ask Prof. Lee about it, i.e. "
		"the budget vs. the plan. It was J. R. Ewing. Then they left.", want);
}

static void
test_urls_addresses_numbers(void **state)
{
	const char *const want[] = {
		"See http://example.com/a.b/c.html?x=1.5 for details.",
		"Mail jane.doe@example.co.uk today.",
		"It costs $3.50 or 2.5% more, version 1.2.3.",
		"Done at www.example.org.",
		"Next.",
		NULL };

	check_split("See http://example.com/a.b/c.html?x=1.5 for details. Mail "
		"jane.doe@example.co.uk today. It costs $3.50 or 2.5% more, "
		"version 1.2.3. Done at www.example.org. Next.", want);
}

static void
test_wrapped_lines(void **state)
{
	const char *const want[] = {
		"Could you send me the quarterly numbers for the east region by Friday so that I can finish the deck?",
		"Thanks in advance.",
		NULL };

	check_split("Could you send me the quarterly numbers for the east region\n"
		"by Friday so that I can finish the deck?  Thanks in\r\n"
		"advance.\n", want);
}

static void
test_bullets(void **state)
{
	const char *const want[] = {
		"Next steps:",
		"review the draft",
		"send it to Mr. Lee before noon",
		"book the room",
		"call the vendor",
		"check the invoice",
		"sign it",
		NULL };

	check_split("Next steps:\n- review the draft\n- send it to Mr. Lee\n"
		"  before noon\n* book the room\n1. call the vendor\n2) check the "
		"invoice\n\xe2\x80\xa2 sign it\n", want);
}

static void
test_greeting_and_signoff(void **state)
{
	const char *const want[] = { "Hi Anna,", "Can you call me tomorrow?",
		"Thanks,", "Bob", NULL };

	check_split("Hi Anna,\nCan you call me tomorrow?\n\nThanks,\nBob\n", want);
}

static void
test_ellipsis_and_quotes(void **state)
{
	const char *const want[] = { "Well... maybe.", "He said \"go.\"",
		"We went (quickly.)", "Done\xe2\x80\xa6", "Really?!", "Yes.", NULL };

	check_split("Well... maybe. He said \"go.\" We went (quickly.) "
		"Done\xe2\x80\xa6 Really?! Yes.", want);
}

static void
test_whitespace_and_empty(void **state)
{
	const char *const none[] = { NULL };
	const char *const one[] = { "a b c", NULL };

	check_split("", none);
	check_split("   \n\n \t\n", none);
	check_split(NULL, none);
	check_split("  a \t b\n\n\n", (const char *const[]){ "a b", NULL });
	check_split("a   b\tc", one);
}

static void
test_invalid_utf8(void **state)
{
	GPtrArray *got = sentences_split("Caf\xe9 is open. Bye\xff\xfe now.");

	assert_int_equal(got->len, 2);
	g_ptr_array_unref(got);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_simple),
		cmocka_unit_test(test_abbreviations),
		cmocka_unit_test(test_urls_addresses_numbers),
		cmocka_unit_test(test_wrapped_lines),
		cmocka_unit_test(test_bullets),
		cmocka_unit_test(test_greeting_and_signoff),
		cmocka_unit_test(test_ellipsis_and_quotes),
		cmocka_unit_test(test_whitespace_and_empty),
		cmocka_unit_test(test_invalid_utf8),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
