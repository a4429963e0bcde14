/* test_zones.c - new text, quotes and signatures in the reply styles of
 * common mail clients. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "zones.h"

/* The zones must be consecutive and cover the whole text. */
static void
assert_covers(const char *text, GArray *zones)
{
	gsize pos = 0;
	guint i;

	for (i = 0; i < zones->len; i++) {
		const zone *z = &g_array_index(zones, zone, i);

		assert_int_equal(z->start, pos);
		assert_true(z->len > 0);
		if (i > 0)
			assert_int_not_equal(z->kind, g_array_index(zones, zone, i - 1).kind);
		pos += z->len;
	}
	assert_int_equal(pos, strlen(text));
}

/* The text of all zones of `kind`, joined; new string. */
static char *
zone_text(const char *text, zone_kind kind)
{
	GArray *zones = zones_split(text);
	GString *out = g_string_new(NULL);
	guint i;

	assert_covers(text, zones);
	for (i = 0; i < zones->len; i++) {
		const zone *z = &g_array_index(zones, zone, i);

		if (z->kind == kind)
			g_string_append_len(out, text + z->start, z->len);
	}
	g_array_unref(zones);
	return g_strstrip(g_string_free(out, FALSE));
}

static void
assert_new_text(const char *text, const char *expect)
{
	char *got = zones_new_text(text);

	assert_string_equal(got, expect);
	g_free(got);
}

static void
assert_zone(const char *text, zone_kind kind, const char *expect)
{
	char *got = zone_text(text, kind);

	assert_string_equal(got, expect);
	g_free(got);
}

static void
test_no_quote(void **state)
{
	const char *text = "Hi Ana,\n\nSee you at 10.\n";

	assert_new_text(text, "Hi Ana,\n\nSee you at 10.");
	assert_zone(text, ZONE_QUOTE, "");
	assert_zone(text, ZONE_SIGNATURE, "");
}

static void
test_empty(void **state)
{
	GArray *zones = zones_split("");

	assert_int_equal(zones->len, 0);
	g_array_unref(zones);
	assert_new_text("", "");
	assert_new_text("\n\n  \n", "");
}

static void
test_gmail_wrapped_attribution(void **state)
{
	const char *text =
		"Thursday works for me.\n"
		"\n"
		"On Tue, Mar 14, 2023 at 5:00 AM Ana Ferreira <\n"
		"ana@example.org> wrote:\n"
		"\n"
		"> Could we meet on Thursday?\n"
		">\n"
		"> Ana\n";

	assert_new_text(text, "Thursday works for me.");
	assert_zone(text, ZONE_QUOTE,
		"On Tue, Mar 14, 2023 at 5:00 AM Ana Ferreira <\n"
		"ana@example.org> wrote:\n"
		"\n"
		"> Could we meet on Thursday?\n"
		">\n"
		"> Ana");
}

static void
test_attribution_without_quote_marks(void **state)
{
	/* an attribution over unquoted text: everything below is quoted */
	assert_new_text(
		"Yes, I'll come.\n"
		"\n"
		"On Mon, 13 Mar 2023 at 18:02, Bo <bo@example.net> wrote:\n"
		"Are you coming to the launch?\n"
		"Please tell me by Friday.\n",
		"Yes, I'll come.");
}

static void
test_localized_attributions(void **state)
{
	static const char *const lines[] = {
		"Le lun. 13 mars 2023 à 10:00, Ana Ferreira <ana@example.org> a écrit :",
		"Am 13.03.2023 um 10:00 schrieb Ana Ferreira <ana@example.org>:",
		"Am Mo., 13. März 2023 um 10:00 Uhr schrieb Ana <ana@example.org>:",
		"El lun, 13 mar 2023 a las 10:00, Ana (<ana@example.org>) escribió:",
		"Il giorno lun 13 mar 2023 alle ore 10:00 Ana <ana@example.org> ha scritto:",
		"Op ma 13 mrt. 2023 om 10:00 schreef Ana <ana@example.org>:",
		"Em seg., 13 de mar. de 2023 às 10:00, Ana <ana@example.org> escreveu:",
	};
	gsize i;

	for (i = 0; i < G_N_ELEMENTS(lines); i++) {
		char *text = g_strdup_printf("D'accord, merci.\n\n%s\n\nPeux-tu venir ?\n",
			lines[i]);

		assert_new_text(text, "D'accord, merci.");
		g_free(text);
	}
}

static void
test_outlook_header_block(void **state)
{
	const char *text =
		"I will send the numbers on Monday.\n"
		"\n"
		"________________________________\n"
		"From: Ana Ferreira <ana@example.org>\n"
		"Sent: Tuesday, March 7, 2023 9:00 AM\n"
		"To: Carla Diaz <carla@example.com>\n"
		"Subject: Budget\n"
		"\n"
		"Can you send the numbers?\n"
		"\n"
		"Thanks,\n"
		"Ana\n";

	assert_new_text(text, "I will send the numbers on Monday.");
	assert_zone(text, ZONE_QUOTE,
		"________________________________\n"
		"From: Ana Ferreira <ana@example.org>\n"
		"Sent: Tuesday, March 7, 2023 9:00 AM\n"
		"To: Carla Diaz <carla@example.com>\n"
		"Subject: Budget\n"
		"\n"
		"Can you send the numbers?\n"
		"\n"
		"Thanks,\n"
		"Ana");
}

static void
test_outlook_bold_and_localized_block(void **state)
{
	assert_new_text(
		"Je regarde demain.\n"
		"\n"
		"*De :* Ana Ferreira <ana@example.org>\n"
		"*Envoyé :* mardi 7 mars 2023 09:00\n"
		"*À :* Carla <carla@example.com>\n"
		"*Objet :* Budget\n"
		"\n"
		"Peux-tu envoyer les chiffres ?\n",
		"Je regarde demain.");
}

static void
test_original_message(void **state)
{
	static const char *const markers[] = {
		"-----Original Message-----",
		"----- Original Message -----",
		"-----Ursprüngliche Nachricht-----",
		"-----Message d'origine-----",
	};
	gsize i;

	for (i = 0; i < G_N_ELEMENTS(markers); i++) {
		char *text = g_strdup_printf(
			"Done, see the file.\n\n%s\nFrom: Ana\nPlease update the file.\n",
			markers[i]);

		assert_new_text(text, "Done, see the file.");
		g_free(text);
	}
}

static void
test_forwarded(void **state)
{
	assert_new_text(
		"FYI, see below.\n"
		"\n"
		"---------- Forwarded message ---------\n"
		"From: Carla Diaz <carla@example.com>\n"
		"Date: Mon, Mar 6, 2023 at 10:00 AM\n"
		"Subject: Budget\n"
		"\n"
		"Please send me the budget by Friday.\n",
		"FYI, see below.");
	assert_new_text(
		"Look at this one.\n"
		"\n"
		"Begin forwarded message:\n"
		"\n"
		"From: Carla <carla@example.com>\n"
		"Subject: Budget\n"
		"\n"
		"Send it by Friday.\n",
		"Look at this one.");
	assert_new_text(
		"For you.\n\n-------- Forwarded Message --------\nSubject: x\n\nbody\n",
		"For you.");
}

static void
test_apple_mail(void **state)
{
	const char *text =
		"Sure, I can review them tonight.\n"
		"\n"
		"Sent from my iPhone\n"
		"\n"
		"> On Mar 8, 2023, at 10:12 PM, Ana Ferreira <ana@example.org> wrote:\n"
		"> \n"
		"> Could you look at the slides?\n";

	assert_new_text(text, "Sure, I can review them tonight.");
	assert_zone(text, ZONE_SIGNATURE, "Sent from my iPhone");
}

static void
test_apple_mail_unquoted_attribution(void **state)
{
	assert_new_text(
		"Sounds good!\n"
		"\n"
		"On Mar 8, 2023, at 10:12 PM, Ana Ferreira <ana@example.org> wrote:\n"
		"\n"
		"> Lunch on Friday?\n",
		"Sounds good!");
}

static void
test_thunderbird_interleaved(void **state)
{
	const char *text =
		"On 10.03.23 17:00, Ana Ferreira wrote:\n"
		"> When is the release?\n"
		"\n"
		"Next Tuesday, if the tests pass.\n"
		"\n"
		"> And the notes?\n"
		"\n"
		"I'll write them tomorrow.\n"
		"\n"
		"-- \n"
		"Ed Example\n"
		"https://ed.example.com\n";

	assert_new_text(text, "Next Tuesday, if the tests pass.\n\nI'll write them tomorrow.");
	assert_zone(text, ZONE_SIGNATURE, "-- \nEd Example\nhttps://ed.example.com");
}

static void
test_loose_attribution(void **state)
{
	/* "X wrote:" without a date counts only above '>' lines */
	assert_new_text("Ana Ferreira wrote:\n> Ready?\n\nYes.\n", "Yes.");
	assert_new_text("As Bo wrote:\nthe plan is fine.\n",
		"As Bo wrote:\nthe plan is fine.");
	/* prose starting "On" is not an attribution */
	assert_new_text("On Monday I wrote:\nthe draft is done.\n",
		"On Monday I wrote:\nthe draft is done.");
}

static void
test_dash_signature(void **state)
{
	const char *text = "See you there.\n-- \nBo Lindqvist\nExample AB\n";

	assert_new_text(text, "See you there.");
	assert_zone(text, ZONE_SIGNATURE, "-- \nBo Lindqvist\nExample AB");
	/* "--" inside a sentence is not a separator */
	assert_new_text("Fine -- see you there.\n", "Fine -- see you there.");
}

static void
test_signoff_block(void **state)
{
	const char *text =
		"Could you send me the contract by Friday?\n"
		"\n"
		"Best regards,\n"
		"John Smith\n"
		"Head of Sales, Example Corp\n"
		"+1 555 0100\n";

	assert_new_text(text, "Could you send me the contract by Friday?");
	assert_zone(text, ZONE_SIGNATURE,
		"Best regards,\nJohn Smith\nHead of Sales, Example Corp\n+1 555 0100");
	assert_new_text("I'll call you.\n\nCheers,\nBo\n", "I'll call you.");
	assert_new_text("I'll call you.\n\nThanks, Ann\n", "I'll call you.");
	assert_new_text("Got it.\nBest,\nJ.\n", "Got it.");
	assert_new_text("Got it.\n\nMit freundlichen Grüßen\nHans Müller\n", "Got it.");
}

static void
test_thanks_is_not_always_a_signoff(void **state)
{
	/* "Thanks," followed by real text stays new */
	const char *text =
		"Hi Bo,\n"
		"\n"
		"Thanks,\n"
		"I looked at the draft and it reads well overall, but the budget section\n"
		"needs another pass before we send it to the board next week.\n"
		"Can you take that on?\n"
		"\n"
		"Ana\n";
	char *got = zones_new_text(text);

	assert_non_null(strstr(got, "Thanks,\nI looked at the draft"));
	assert_non_null(strstr(got, "Can you take that on?"));
	g_free(got);

	/* a promise after the closing is not a signature line */
	got = zones_new_text("Sure.\n\nThanks,\nI'll send the deck by Friday.\nBo\n");
	assert_non_null(strstr(got, "I'll send the deck by Friday."));
	g_free(got);

	/* "Thanks, that ..." is a sentence */
	assert_new_text("Thanks, that works for me.\n", "Thanks, that works for me.");
	/* a reply that is only thanks keeps it */
	assert_new_text("Thanks!\n", "Thanks!");
	assert_new_text("Thanks!\nBo\n", "Thanks!\nBo");
}

static void
test_too_long_signoff(void **state)
{
	/* more than four lines after the closing: not a sign-off block */
	const char *text = "Done.\n\nRegards,\nA\nB\nC\nD\nE\n";

	assert_new_text(text, "Done.\n\nRegards,\nA\nB\nC\nD\nE");
}

static void
test_html_quote_from_gmail(void **state)
{
	/* what html.c makes of a Gmail HTML reply */
	assert_new_text(
		"Works for me.\n"
		"\n"
		"On Tue, Mar 14, 2023 at 5:00 AM Ana <ana@example.org> wrote:\n"
		"> Hi Bo,\n"
		">\n"
		"> Could we meet?\n",
		"Works for me.");
}

static void
test_kind_names(void **state)
{
	assert_string_equal(zone_kind_name(ZONE_NEW), "new");
	assert_string_equal(zone_kind_name(ZONE_QUOTE), "quote");
	assert_string_equal(zone_kind_name(ZONE_SIGNATURE), "signature");
}

static void
test_no_trailing_newline(void **state)
{
	const char *text = "Top\n> quoted";
	GArray *zones = zones_split(text);

	assert_covers(text, zones);
	assert_int_equal(zones->len, 2);
	assert_int_equal(g_array_index(zones, zone, 1).kind, ZONE_QUOTE);
	g_array_unref(zones);
	assert_new_text(text, "Top");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_no_quote),
		cmocka_unit_test(test_empty),
		cmocka_unit_test(test_gmail_wrapped_attribution),
		cmocka_unit_test(test_attribution_without_quote_marks),
		cmocka_unit_test(test_localized_attributions),
		cmocka_unit_test(test_outlook_header_block),
		cmocka_unit_test(test_outlook_bold_and_localized_block),
		cmocka_unit_test(test_original_message),
		cmocka_unit_test(test_forwarded),
		cmocka_unit_test(test_apple_mail),
		cmocka_unit_test(test_apple_mail_unquoted_attribution),
		cmocka_unit_test(test_thunderbird_interleaved),
		cmocka_unit_test(test_loose_attribution),
		cmocka_unit_test(test_dash_signature),
		cmocka_unit_test(test_signoff_block),
		cmocka_unit_test(test_thanks_is_not_always_a_signoff),
		cmocka_unit_test(test_too_long_signoff),
		cmocka_unit_test(test_html_quote_from_gmail),
		cmocka_unit_test(test_kind_names),
		cmocka_unit_test(test_no_trailing_newline),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
