/* test_dates.c - due-date phrases against fixed message dates and zones:
 * relative days and weeks, weekdays, month ends, leap years, the year
 * roll, numeric dates in both orders, and phrases that give no date. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "dates.h"

typedef struct {
	const char *sentence;
	const char *want;    /* YYYY-MM-DD, or NULL for no due date */
} due_case;

/* A message Date: local wall time `iso` (with its offset), as cmd_detect
 * builds it (UTC instant, then the sender's zone). */
static GDateTime *
msg_date(const char *iso, int offset_minutes)
{
	GDateTime *parsed = g_date_time_new_from_iso8601(iso, NULL);
	GDateTime *utc, *local;
	GTimeZone *tz;

	assert_non_null(parsed);
	utc = g_date_time_new_from_unix_utc(g_date_time_to_unix(parsed));
	tz = g_time_zone_new_offset(offset_minutes * 60);
	local = g_date_time_to_timezone(utc, tz);
	g_time_zone_unref(tz);
	g_date_time_unref(utc);
	g_date_time_unref(parsed);
	return local;
}

static void
check_cases(GDateTime *date, date_order order, const due_case *cases, gsize n)
{
	for (gsize i = 0; i < n; i++) {
		GDate due;
		char got[16] = "-", *phrase = NULL;
		gboolean hit;

		g_date_clear(&due, 1);
		hit = dates_find_due(cases[i].sentence, date, order, &due, &phrase);
		if (hit)
			g_date_strftime(got, sizeof got, "%Y-%m-%d", &due);
		if (cases[i].want == NULL ? hit : !hit || strcmp(got, cases[i].want) != 0)
			fail_msg("\"%s\": got %s, want %s", cases[i].sentence, got,
				cases[i].want != NULL ? cases[i].want : "-");
		if (hit)
			assert_non_null(phrase);
		g_free(phrase);
	}
}

/* Wednesday 2026-04-01 10:00 UTC. */
static void
test_relative_wednesday(void **state)
{
	static const due_case cases[] = {
		{ "Can you send it today?", "2026-04-01" },
		{ "I'll have it done tonight.", "2026-04-01" },
		{ "Please reply by EOD.", "2026-04-01" },
		{ "Send it by end of day please.", "2026-04-01" },
		{ "I need it by the end of the business day.", "2026-04-01" },
		{ "Before close of business, please.", "2026-04-01" },
		{ "Call me tomorrow.", "2026-04-02" },
		{ "Let's talk tomorrow's morning.", "2026-04-02" },
		{ "We can meet the day after tomorrow.", "2026-04-03" },
		{ "Please send it by Friday.", "2026-04-03" },
		{ "Review it before Monday.", "2026-04-06" },
		{ "Can we meet on Wednesday?", "2026-04-08" },
		{ "Let's meet on Wed.", "2026-04-08" },
		{ "Call me on Thurs.", "2026-04-02" },
		{ "Let's meet this Saturday.", "2026-04-04" },
		{ "I'll send it next Tuesday.", "2026-04-07" },
		{ "Next Wednesday works.", "2026-04-08" },
		{ "Let's do Friday next week.", "2026-04-10" },
		{ "I'll finish it this week.", "2026-04-03" },
		{ "Send it by the end of the week.", "2026-04-03" },
		{ "Get it to me by end of week.", "2026-04-03" },
		{ "EOW is fine.", "2026-04-03" },
		{ "Let's meet next week.", "2026-04-10" },
		{ "By the end of next week please.", "2026-04-10" },
		{ "I'll do it by the end of the month.", "2026-04-30" },
		{ "Due at month end.", "2026-04-30" },
		{ "I'll finish it next month.", "2026-05-31" },
		{ "Send it in 3 days.", "2026-04-04" },
		{ "Reply within two days.", "2026-04-03" },
		{ "Let's talk in two weeks.", "2026-04-15" },
		{ "I'll call in a week.", "2026-04-08" },
		{ "I'll call in a couple of days.", "2026-04-03" },
		{ "Ship it within 10 business days.", "2026-04-11" },
		{ "In twelve weeks we launch.", "2026-06-24" },
	};

	GDateTime *d = msg_date("2026-04-01T10:00:00Z", 0);

	check_cases(d, DATE_ORDER_MDY, cases, G_N_ELEMENTS(cases));
	g_date_time_unref(d);
}

/* Explicit dates, mdy, from Wednesday 2026-04-01. */
static void
test_explicit_dates(void **state)
{
	static const due_case cases[] = {
		{ "Please send it by April 2.", "2026-04-02" },
		{ "Send it by 2 April.", "2026-04-02" },
		{ "Due Apr 2nd.", "2026-04-02" },
		{ "Due Apr. 2nd, thanks.", "2026-04-02" },
		{ "Due on the 2nd of April.", "2026-04-02" },
		{ "The deadline is March 31.", "2027-03-31" },
		{ "The deadline is April 1.", "2026-04-01" },
		{ "Meet on 4/2?", "2026-04-02" },
		{ "Meet on 4/2/27?", "2027-04-02" },
		{ "Meet on 12/31/2026.", "2026-12-31" },
		{ "Send by 2026-04-20.", "2026-04-20" },
		{ "Send by 2025-04-20.", "2025-04-20" },
		{ "Send it by September 15, 2026.", "2026-09-15" },
		{ "Let's meet on the 15th.", "2026-04-15" },
		{ "Sept 3 works.", "2026-09-03" },
		{ "Let's aim for Dec 25th.", "2026-12-25" },
	};
	GDateTime *d = msg_date("2026-04-01T10:00:00Z", 0);

	check_cases(d, DATE_ORDER_MDY, cases, G_N_ELEMENTS(cases));
	g_date_time_unref(d);
}

/* Day first: "4/2" is 4 February. */
static void
test_dmy(void **state)
{
	static const due_case cases[] = {
		{ "Due 4/2.", "2027-02-04" },
		{ "Due 20/4.", "2026-04-20" },
		{ "Due 2/4/2026.", "2026-04-02" },
		{ "Due 13/1.", "2027-01-13" },
	};
	GDateTime *d = msg_date("2026-04-01T10:00:00Z", 0);

	check_cases(d, DATE_ORDER_DMY, cases, G_N_ELEMENTS(cases));
	g_date_time_unref(d);
}

/* Sunday 2026-03-29 23:30 in UTC-8 is Monday 07:30 UTC: the sender's day
 * counts. */
static void
test_sunday_night_utc_minus_8(void **state)
{
	static const due_case cases[] = {
		{ "Can you do it today?", "2026-03-29" },
		{ "Call me tomorrow.", "2026-03-30" },
		{ "Send it by Monday.", "2026-03-30" },
		{ "Send it by Friday.", "2026-04-03" },
		{ "Let's finish this week.", "2026-04-03" },
		{ "Let's meet next week.", "2026-04-03" },
		{ "See you next Monday.", "2026-03-30" },
		{ "Due Sunday.", "2026-04-05" },
		{ "End of the month please.", "2026-03-31" },
	};
	GDateTime *d = msg_date("2026-03-29T23:30:00-08:00", -480);
	int y, m, day;

	g_date_time_get_ymd(d, &y, &m, &day);
	assert_int_equal(day, 29);
	check_cases(d, DATE_ORDER_MDY, cases, G_N_ELEMENTS(cases));
	g_date_time_unref(d);
}

/* A zone east of UTC: Monday 00:30 in UTC+5:30 is still Sunday in UTC. */
static void
test_monday_early_utc_plus_530(void **state)
{
	static const due_case cases[] = {
		{ "Reply today.", "2026-03-30" },
		{ "Reply tomorrow.", "2026-03-31" },
		{ "By Friday, please.", "2026-04-03" },
	};
	GDateTime *d = msg_date("2026-03-30T00:30:00+05:30", 330);

	check_cases(d, DATE_ORDER_MDY, cases, G_N_ELEMENTS(cases));
	g_date_time_unref(d);
}

/* Month ends and leap years. */
static void
test_month_end_and_leap(void **state)
{
	static const due_case jan31[] = {
		{ "Send it tomorrow.", "2026-02-01" },
		{ "By end of month.", "2026-01-31" },
		{ "By next month.", "2026-02-28" },
		{ "In 30 days.", "2026-03-02" },
		{ "Feb 29 would be ideal.", "2028-02-29" },
	};
	static const due_case leap[] = {
		{ "Send it tomorrow.", "2028-02-29" },
		{ "By the end of the month.", "2028-02-29" },
		{ "On Feb 29.", "2028-02-29" },
		{ "By next month.", "2028-03-31" },
		{ "In a week.", "2028-03-06" },
	};
	static const due_case after_leap[] = {
		{ "On Feb 29.", "2032-02-29" },
		{ "Due 2/29.", "2032-02-29" },
		{ "Due 2/29/2029.", NULL },
	};
	GDateTime *d = msg_date("2026-01-31T12:00:00Z", 0);

	check_cases(d, DATE_ORDER_MDY, jan31, G_N_ELEMENTS(jan31));
	g_date_time_unref(d);
	d = msg_date("2028-02-28T12:00:00Z", 0);
	check_cases(d, DATE_ORDER_MDY, leap, G_N_ELEMENTS(leap));
	g_date_time_unref(d);
	d = msg_date("2028-03-01T12:00:00Z", 0);
	check_cases(d, DATE_ORDER_MDY, after_leap, G_N_ELEMENTS(after_leap));
	g_date_time_unref(d);
}

/* Wednesday 2026-12-30: phrases that cross into the next year. */
static void
test_year_roll(void **state)
{
	static const due_case cases[] = {
		{ "In 3 days.", "2027-01-02" },
		{ "By January 5.", "2027-01-05" },
		{ "By 1/5.", "2027-01-05" },
		{ "By 12/31.", "2026-12-31" },
		{ "Next week.", "2027-01-08" },
		{ "By the end of the week.", "2027-01-01" },
		{ "Next month.", "2027-01-31" },
		{ "By Monday.", "2027-01-04" },
		{ "Next Thursday.", "2027-01-07" },
	};
	GDateTime *d = msg_date("2026-12-30T09:00:00-05:00", -300);

	check_cases(d, DATE_ORDER_MDY, cases, G_N_ELEMENTS(cases));
	g_date_time_unref(d);
}

/* On a Saturday "this week" is the coming Friday. */
static void
test_weekend(void **state)
{
	static const due_case cases[] = {
		{ "By the end of this week.", "2026-04-10" },
		{ "Next week.", "2026-04-10" },
		{ "By Saturday.", "2026-04-11" },
		{ "Next Saturday.", "2026-04-11" },
	};
	GDateTime *d = msg_date("2026-04-04T15:00:00Z", 0);

	check_cases(d, DATE_ORDER_MDY, cases, G_N_ELEMENTS(cases));
	g_date_time_unref(d);
}

static void
test_no_date(void **state)
{
	static const due_case cases[] = {
		{ "Please send it ASAP.", NULL },
		{ "I'll get to it soon.", NULL },
		{ "Can you send the report?", NULL },
		{ "We met last Friday.", NULL },
		{ "We meet every Monday.", NULL },
		{ "We offer 24/7 support.", NULL },
		{ "I can make it at some point.", NULL },
		{ "Sat down with Wed and Sun Microsystems.", NULL },
		{ "Call me at 555-1234.", NULL },
		{ "Version 13/45 of the file.", NULL },
		{ "Room 2031 is free.", NULL },
		{ "", NULL },
	};
	GDateTime *d = msg_date("2026-04-01T10:00:00Z", 0);

	check_cases(d, DATE_ORDER_MDY, cases, G_N_ELEMENTS(cases));
	g_date_time_unref(d);
}

/* Without a message date only dates with a year resolve. */
static void
test_without_message_date(void **state)
{
	static const due_case cases[] = {
		{ "Send it tomorrow.", NULL },
		{ "By Friday.", NULL },
		{ "By April 2.", NULL },
		{ "By 2026-04-02.", "2026-04-02" },
		{ "By April 2, 2027.", "2027-04-02" },
		{ "By 4/2/2026.", "2026-04-02" },
	};

	check_cases(NULL, DATE_ORDER_MDY, cases, G_N_ELEMENTS(cases));
}

/* One phrase for each word a phrase can start with, spellings and
 * abbreviations included: dates.c rejects a token early unless it is one
 * of these words, so a word missing from its list loses its phrases. */
static void
test_every_phrase_start(void **state)
{
	static const due_case cases[] = {
		{ "Send it by COB.", "2026-04-01" },
		{ "Send it by EOB.", "2026-04-01" },
		{ "Send it tmrw.", "2026-04-02" },
		{ "Send it tomorow.", "2026-04-02" },
		{ "Send it by EOW.", "2026-04-03" },
		{ "Send it by EOM.", "2026-04-30" },
		{ "Send it by month end.", "2026-04-30" },
		{ "Send it this month.", "2026-04-30" },
		{ "Send it by end of next month.", "2026-05-31" },
		{ "Send it within 3 days.", "2026-04-04" },
		{ "Send it in a week.", "2026-04-08" },
		{ "Send it on Mon.", "2026-04-06" },
		{ "Send it on Tue.", "2026-04-07" },
		{ "Send it on Tues.", "2026-04-07" },
		{ "Send it on Thu.", "2026-04-02" },
		{ "Send it on Thur.", "2026-04-02" },
		{ "Send it on Fri.", "2026-04-03" },
		{ "Send it on Sat.", "2026-04-04" },
		{ "Send it on Sun.", "2026-04-05" },
		{ "Send it on Sunday.", "2026-04-05" },
		{ "Send it on Thursday.", "2026-04-02" },
		{ "Send it by Jan 5.", "2027-01-05" },
		{ "Send it by Feb 5.", "2027-02-05" },
		{ "Send it by Mar 5.", "2027-03-05" },
		{ "Send it by Apr 5.", "2026-04-05" },
		{ "Send it by May 5.", "2026-05-05" },
		{ "Send it by Jun 5.", "2026-06-05" },
		{ "Send it by Jul 5.", "2026-07-05" },
		{ "Send it by Aug 5.", "2026-08-05" },
		{ "Send it by Sep 5.", "2026-09-05" },
		{ "Send it by Sept 5.", "2026-09-05" },
		{ "Send it by Oct 5.", "2026-10-05" },
		{ "Send it by Nov 5.", "2026-11-05" },
		{ "Send it by Dec 5.", "2026-12-05" },
		{ "Send it by January 5.", "2027-01-05" },
		{ "Send it by February 5.", "2027-02-05" },
		{ "Send it by March 5.", "2027-03-05" },
		{ "Send it by April 5.", "2026-04-05" },
		{ "Send it by June 5.", "2026-06-05" },
		{ "Send it by July 5.", "2026-07-05" },
		{ "Send it by August 5.", "2026-08-05" },
		{ "Send it by September 5.", "2026-09-05" },
		{ "Send it by October 5.", "2026-10-05" },
		{ "Send it by November 5.", "2026-11-05" },
		{ "Send it by December 5.", "2026-12-05" },
		{ "Send it by the 15th.", "2026-04-15" },
		{ "Send it by 4/20.", "2026-04-20" },
		{ "Send it by 2026-05-01.", "2026-05-01" },
	};
	GDateTime *d = msg_date("2026-04-01T10:00:00Z", 0);

	check_cases(d, DATE_ORDER_MDY, cases, G_N_ELEMENTS(cases));
	g_date_time_unref(d);
}

static void
test_phrase(void **state)
{
	GDateTime *d = msg_date("2026-04-01T10:00:00Z", 0);
	GDate due;
	char *phrase = NULL;

	assert_true(dates_find_due("Could you send it by next Tuesday, please?",
		d, DATE_ORDER_MDY, &due, &phrase));
	assert_string_equal(phrase, "next Tuesday");
	g_free(phrase);
	assert_true(dates_find_due("Tomorrow or Friday.", d, DATE_ORDER_MDY, &due,
		NULL));
	assert_int_equal(g_date_get_day(&due), 2);
	g_date_time_unref(d);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_relative_wednesday),
		cmocka_unit_test(test_explicit_dates),
		cmocka_unit_test(test_dmy),
		cmocka_unit_test(test_sunday_night_utc_minus_8),
		cmocka_unit_test(test_monday_early_utc_plus_530),
		cmocka_unit_test(test_month_end_and_leap),
		cmocka_unit_test(test_year_roll),
		cmocka_unit_test(test_weekend),
		cmocka_unit_test(test_no_date),
		cmocka_unit_test(test_without_message_date),
		cmocka_unit_test(test_every_phrase_start),
		cmocka_unit_test(test_phrase),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
