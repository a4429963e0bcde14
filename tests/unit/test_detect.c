/* test_detect.c - the shipped rules on sentences of every kind, with the
 * closings, conditionals, negations and out-of-office text that must not
 * become items; detect_text over a whole body with due dates. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "detect.h"

typedef struct {
	const char *sentence;
	detect_kind want;
} kind_case;

static kith_rules *shipped;

static int
load_shipped(void **state)
{
	char *err = NULL;

	if (rules_load_dirs("rules", NULL, &shipped, &err) != KITH_OK) {
		print_error("rules: %s\n", err);
		g_free(err);
		return -1;
	}
	return 0;
}

static int
free_shipped(void **state)
{
	rules_free(shipped);
	return 0;
}

static void
check_kinds(const kind_case *cases, gsize n)
{
	detect_ctx ctx = { NULL, DATE_ORDER_MDY };

	for (gsize i = 0; i < n; i++) {
		detect_hit hit;
		detect_kind got = detect_sentence(shipped, cases[i].sentence, &ctx,
			&hit);

		if (got != cases[i].want)
			fail_msg("\"%s\": got %s (%s), want %s", cases[i].sentence,
				detect_kind_name(got), hit.rule_id ? hit.rule_id : "-",
				detect_kind_name(cases[i].want));
		if (got != DETECT_NONE) {
			assert_non_null(hit.rule_id);
			assert_string_equal(hit.sentence, cases[i].sentence);
		}
		detect_hit_clear(&hit);
	}
}

static void
test_kind_names(void **state)
{
	detect_kind k;

	for (int i = 0; i < DETECT_KIND_COUNT; i++) {
		assert_true(detect_kind_parse(detect_kind_name((detect_kind)i), &k));
		assert_int_equal(k, i);
	}
	assert_false(detect_kind_parse("frob", &k));
	assert_string_equal(detect_kind_name(DETECT_FULFIL), "fulfil");
}

static void
test_requests(void **state)
{
	static const kind_case cases[] = {
		{ "Could you send me the Q3 numbers by Friday?", DETECT_REQUEST },
		{ "Can you call me when you land?", DETECT_REQUEST },
		{ "Please review the attached draft and comment.", DETECT_REQUEST },
		{ "Mark, please forward this to the team.", DETECT_REQUEST },
		{ "John, send me the contract today.", DETECT_REQUEST },
		{ "Send me the signed copy when you can.", DETECT_REQUEST },
		{ "Would you be able to join the call tomorrow?", DETECT_REQUEST },
		{ "I was wondering if you could introduce me to Anna.", DETECT_REQUEST },
		{ "It would be great if you could send the slides.", DETECT_REQUEST },
		{ "Would you mind taking a look at section 3?", DETECT_REQUEST },
		{ "I'd appreciate it if you could confirm the numbers.", DETECT_REQUEST },
		{ "Let me know your availability next week.", DETECT_REQUEST },
		{ "Do you have time for a quick call on Monday?", DETECT_REQUEST },
		{ "I need you to sign the form.", DETECT_REQUEST },
		{ "Let's meet on Thursday to go over the plan.", DETECT_REQUEST },
		{ "Is it possible to move the meeting to 3pm?", DETECT_REQUEST },
		{ "Keep me posted on the negotiations.", DETECT_REQUEST },
		{ "What do you think about the new layout?", DETECT_REQUEST },
		{ "When you get a chance, give me a call.", DETECT_REQUEST },
	};

	check_kinds(cases, G_N_ELEMENTS(cases));
}

static void
test_not_requests(void **state)
{
	static const kind_case cases[] = {
		{ "The answer surprised me: I want to stay hands-on.", DETECT_NONE },
		{ "I want to grow into a staff role.", DETECT_NONE },
		{ "The meeting went well.", DETECT_NONE },
		{ "Let me know if you have any questions.", DETECT_NONE },
		{ "Please let me know if you have any further questions.", DETECT_NONE },
		{ "If you have any questions, please call me.", DETECT_NONE },
		{ "Feel free to reach out with any questions.", DETECT_NONE },
		{ "Please consider the environment before printing this e-mail.",
		  DETECT_NONE },
		{ "I look forward to hearing from you.", DETECT_NONE },
		{ "Talk to you soon.", DETECT_NONE },
		{ "Have a great weekend!", DETECT_NONE },
		{ "You don't need to do anything.", DETECT_NONE },
		{ "Call being scheduled for Wednesday it appears.", DETECT_NONE },
		{ "Start Date: 1/28/02; no schedules awarded.", DETECT_NONE },
		{ "To unsubscribe, click here.", DETECT_NONE },
		{ "Please note that the office is closed on Monday.", DETECT_NONE },
	};

	check_kinds(cases, G_N_ELEMENTS(cases));
}

/* Proposals and indirect asks: joint plans, times, invitations, advice,
 * expectations, and imperatives after a name or a discourse word. */
static void
test_proposals(void **state)
{
	static const kind_case cases[] = {
		{ "Shall we move the review to Thursday?", DETECT_REQUEST },
		{ "Should we invite the auditors too?", DETECT_REQUEST },
		{ "Do we need to book a room for the offsite?", DETECT_REQUEST },
		{ "How about lunch next Tuesday?", DETECT_REQUEST },
		{ "Why don't we split the work?", DETECT_REQUEST },
		{ "We should discuss the budget before the board meeting.",
		  DETECT_REQUEST },
		{ "We'll talk about the hiring plan on Monday.", DETECT_REQUEST },
		{ "I'd be happy to meet with your team next week.", DETECT_REQUEST },
		{ "Tuesday at 10 works for me.", DETECT_REQUEST },
		{ "Does Thursday afternoon work for you?", DETECT_REQUEST },
		{ "Any chance you could review the draft today?", DETECT_REQUEST },
		{ "I suggest we postpone the launch.", DETECT_REQUEST },
		{ "My recommendation is to renew the lease for two years.",
		  DETECT_REQUEST },
		{ "You might want to check with legal first.", DETECT_REQUEST },
		{ "You may need to resubmit the form.", DETECT_REQUEST },
		{ "I'd like to invite you to our open house on Friday.",
		  DETECT_REQUEST },
		{ "You're welcome to join us for dinner.", DETECT_REQUEST },
		{ "I assume you will send the final numbers by Wednesday.",
		  DETECT_REQUEST },
		{ "I need this signed by tomorrow.", DETECT_REQUEST },
		{ "I wanted to discuss the contract terms with you.", DETECT_REQUEST },
		{ "If you can join the call, that would be great.", DETECT_REQUEST },
		{ "It would be very helpful if you could share the slides.",
		  DETECT_REQUEST },
		{ "Would be useful to see the raw data.", DETECT_REQUEST },
		{ "Click on Settings and choose Export.", DETECT_REQUEST },
		{ "Have Maria send me the invoice.", DETECT_REQUEST },
		{ "Open the attached file and fill in the second page.",
		  DETECT_REQUEST },
		{ "Want to grab coffee after the meeting?", DETECT_REQUEST },
		{ "Paul, see if you can get a quote from the printer.",
		  DETECT_REQUEST },
		{ "Hey call me when you land.", DETECT_REQUEST },
		{ "I would send the draft to legal before Friday.", DETECT_REQUEST },
	};

	check_kinds(cases, G_N_ELEMENTS(cases));
}

/* Look-alikes that ask nothing of the reader. */
static void
test_not_proposals(void **state)
{
	static const kind_case cases[] = {
		{ "Dropbox lets you share files with anyone.", DETECT_NONE },
		{ "She can let me know when she is ready.", DETECT_NONE },
		{ "That is the report you should have received last week.",
		  DETECT_NONE },
		{ "If you no longer wish to receive these emails, please click the "
		  "link below.", DETECT_NONE },
		{ "If you don't want to change your password, just ignore this "
		  "message.", DETECT_NONE },
		{ "To ensure delivery to your inbox, please add news@example.com to "
		  "your address book.", DETECT_NONE },
		{ "I will be in Boston on Friday.", DETECT_NONE },
		{ "I'm going to be at the conference all week.", DETECT_NONE },
		{ "We'd like to share some exciting news with you.", DETECT_NONE },
		{ "Mark Taylor will send the list of topics.", DETECT_NONE },
		{ "Let us help you find the right plan.", DETECT_NONE },
		{ "I'm making the math work.", DETECT_NONE },
		{ "Shall I book the room?", DETECT_OFFER },
		{ "I would be happy to help you with the move.", DETECT_OFFER },
		{ "If I want to change the plan, who do I ask?", DETECT_NONE },
		{ "I would like to thank everyone for coming.", DETECT_NONE },
	};

	check_kinds(cases, G_N_ELEMENTS(cases));
}

static void
test_promises(void **state)
{
	static const kind_case cases[] = {
		{ "I'll send the report tomorrow.", DETECT_PROMISE },
		{ "We will review the contract by Friday.", DETECT_PROMISE },
		{ "I am going to call the vendor this afternoon.", DETECT_PROMISE },
		{ "Let me check and get back to you.", DETECT_PROMISE },
		{ "Will do.", DETECT_PROMISE },
		{ "Will send it over tonight.", DETECT_PROMISE },
		{ "I'll get back to you by Monday.", DETECT_PROMISE },
		{ "I will introduce you to Sarah next week.", DETECT_PROMISE },
		{ "I got your notes and will send the budget on Monday.",
		  DETECT_PROMISE },
		{ "I read your memo and will confirm with the bank today.",
		  DETECT_PROMISE },
		{ "I want to get the new prices into the sheet today.",
		  DETECT_PROMISE },
	};

	check_kinds(cases, G_N_ELEMENTS(cases));
}

static void
test_not_promises(void **state)
{
	static const kind_case cases[] = {
		{ "I won't be able to attend.", DETECT_NONE },
		{ "I will not be able to send it this week.", DETECT_NONE },
		{ "If I can, I will stop by on Friday.", DETECT_NONE },
		{ "I'll be out of the office until Monday with limited access to email.",
		  DETECT_NONE },
		{ "I will respond to your message upon my return.", DETECT_NONE },
		{ "I am currently out of the office and will reply when I am back.",
		  DETECT_NONE },
		{ "I'll be on vacation next week.", DETECT_NONE },
		{ "I can't make it on Tuesday.", DETECT_NONE },
		{ "I sent it yesterday.", DETECT_FULFIL },
	};

	check_kinds(cases, G_N_ELEMENTS(cases));
}

static void
test_other_kinds(void **state)
{
	static const kind_case cases[] = {
		{ "Let me know if I can help.", DETECT_OFFER },
		{ "I'd be happy to help with the move.", DETECT_OFFER },
		{ "Would you like me to draft the letter?", DETECT_OFFER },
		{ "Let me know if you need anything else.", DETECT_OFFER },
		{ "Thanks for the quick turnaround.", DETECT_THANKS },
		{ "Thank you so much for your help!", DETECT_THANKS },
		{ "Sarah, meet John Smith.", DETECT_INTRO },
		{ "I'd like you to meet Anna, our new designer.", DETECT_INTRO },
		{ "Attached is the signed contract.", DETECT_FULFIL },
		{ "Here is the deck, as promised.", DETECT_FULFIL },
		{ "Please find attached the invoice.", DETECT_FULFIL },
		{ "I've sent the invoice to accounting.", DETECT_FULFIL },
		{ "We're hiring a senior C engineer.", DETECT_NEED },
		{ "I'm looking for a good accountant in Austin.", DETECT_NEED },
		{ "We need a new office manager.", DETECT_NEED },
	};

	check_kinds(cases, G_N_ELEMENTS(cases));
}

static void
test_targets(void **state)
{
	detect_ctx ctx = { NULL, DATE_ORDER_MDY };
	detect_hit hit;

	assert_int_equal(detect_sentence(shipped, "Sarah, meet John Smith.", &ctx,
		&hit), DETECT_INTRO);
	assert_string_equal(hit.target, "John Smith");
	detect_hit_clear(&hit);
	assert_int_equal(detect_sentence(shipped,
		"I'll introduce you to Sarah next week.", &ctx, &hit), DETECT_PROMISE);
	assert_string_equal(hit.target, "Sarah");
	detect_hit_clear(&hit);
	assert_int_equal(detect_sentence(shipped, "I'll send it.", &ctx, &hit),
		DETECT_PROMISE);
	assert_null(hit.target);
	detect_hit_clear(&hit);
}

static void
test_text_with_dates(void **state)
{
	GTimeZone *tz = g_time_zone_new_offset(-8 * 3600);
	GDateTime *date = g_date_time_new(tz, 2026, 3, 29, 23, 30, 0);
	detect_ctx ctx = { date, DATE_ORDER_MDY };
	GPtrArray *hits = detect_text(shipped,
		"Hi Bob,\n\nCould you send me the budget by\nTuesday? I'll review it "
		"tomorrow. The weather is fine.\n\nThanks,\nJim\n", &ctx);
	const detect_hit *h;
	char buf[16];

	assert_int_equal(hits->len, 3);
	h = hits->pdata[0];
	assert_int_equal(h->kind, DETECT_REQUEST);
	assert_string_equal(h->sentence, "Could you send me the budget by Tuesday?");
	assert_true(h->has_due);
	g_date_strftime(buf, sizeof buf, "%Y-%m-%d", &h->due);
	assert_string_equal(buf, "2026-03-31");
	assert_string_equal(h->due_phrase, "Tuesday");
	h = hits->pdata[1];
	assert_int_equal(h->kind, DETECT_PROMISE);
	g_date_strftime(buf, sizeof buf, "%Y-%m-%d", &h->due);
	assert_string_equal(buf, "2026-03-30");
	h = hits->pdata[2];
	assert_int_equal(h->kind, DETECT_THANKS);
	assert_false(h->has_due);
	g_ptr_array_unref(hits);
	g_date_time_unref(date);
	g_time_zone_unref(tz);
}

static void
test_hostile_input(void **state)
{
	detect_ctx ctx = { NULL, DATE_ORDER_MDY };
	detect_hit hit;
	GString *big = g_string_new(NULL);
	GPtrArray *hits;

	assert_int_equal(detect_sentence(shipped, "Please send \xff\xfe it.", &ctx,
		&hit), DETECT_REQUEST);
	assert_true(g_utf8_validate(hit.sentence, -1, NULL));
	detect_hit_clear(&hit);
	assert_int_equal(detect_sentence(shipped, "", &ctx, &hit), DETECT_NONE);
	assert_int_equal(detect_sentence(shipped, NULL, &ctx, &hit), DETECT_NONE);
	assert_int_equal(detect_sentence(NULL, "Please send it.", &ctx, &hit),
		DETECT_NONE);
	for (int i = 0; i < 20000; i++)
		g_string_append(big, "aaaa (((( ");
	g_string_append(big, "please send it?");
	hits = detect_text(shipped, big->str, NULL);
	assert_int_equal(hits->len, 1);
	g_ptr_array_unref(hits);
	g_string_free(big, TRUE);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_kind_names),
		cmocka_unit_test(test_requests),
		cmocka_unit_test(test_not_requests),
		cmocka_unit_test(test_proposals),
		cmocka_unit_test(test_not_proposals),
		cmocka_unit_test(test_promises),
		cmocka_unit_test(test_not_promises),
		cmocka_unit_test(test_other_kinds),
		cmocka_unit_test(test_targets),
		cmocka_unit_test(test_text_with_dates),
		cmocka_unit_test(test_hostile_input),
	};

	return cmocka_run_group_tests(tests, load_shipped, free_shipped);
}
