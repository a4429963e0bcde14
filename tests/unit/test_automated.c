/* test_automated.c - which messages come from robots, lists and
 * auto-responders, and which from people. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "automated.h"
#include "message.h"

/* The reason for a message made of `headers` and a short body; new
 * string or NULL. */
static char *
reason_for(const char *headers)
{
	char *raw = g_strdup_printf("%sMessage-ID: <t@example.org>\n\nHello.\n", headers);
	kith_message *msg = NULL;
	char *err = NULL;
	char *reason;

	if (message_parse(raw, strlen(raw), &msg, &err) != KITH_OK)
		fail_msg("parse: %s", err ? err : "");
	reason = automated_reason(msg);
	/* the parser stores the same verdict */
	if (reason == NULL)
		assert_null(msg->automated);
	else
		assert_string_equal(msg->automated, reason);
	message_free(msg);
	g_free(raw);
	return reason;
}

static void
assert_reason(const char *headers, const char *expect)
{
	char *got = reason_for(headers);

	if (expect == NULL) {
		if (got != NULL)
			fail_msg("expected a person, got \"%s\" for:\n%s", got, headers);
	} else {
		assert_non_null(got);
		assert_string_equal(got, expect);
	}
	g_free(got);
}

#define PERSON "From: Ana Ferreira <ana@example.org>\nSubject: Lunch?\n"

static void
test_person(void **state)
{
	assert_reason(PERSON, NULL);
	/* Outlook sets this on ordinary mail */
	assert_reason(PERSON "X-Auto-Response-Suppress: All\n", NULL);
	assert_reason(PERSON "X-Auto-Response-Suppress: DR, RN, NRN, OOF, AutoReply\n", NULL);
	assert_reason(PERSON "Auto-Submitted: no\n", NULL);
	assert_reason(PERSON "Precedence: first-class\n", NULL);
	assert_reason("From: Norbert Noreiko <norbert@example.org>\nSubject: Re: notes\n",
		NULL);
	assert_reason("From: Ana <ana@example.org>\nSubject: Re: Out of office plans\n", NULL);
}

static void
test_list_headers(void **state)
{
	assert_reason(PERSON "List-Id: Developers <dev.lists.example.org>\n", "list-id");
	assert_reason(PERSON "List-Unsubscribe: <mailto:leave@example.org>\n",
		"list-unsubscribe");
}

static void
test_precedence(void **state)
{
	assert_reason(PERSON "Precedence: bulk\n", "precedence: bulk");
	assert_reason(PERSON "Precedence: LIST\n", "precedence: list");
	assert_reason(PERSON "Precedence: junk\n", "precedence: junk");
	/* more specific than the list headers it comes with */
	assert_reason(PERSON "Precedence: list\nList-Id: <dev.example.org>\n",
		"precedence: list");
}

static void
test_auto_submitted(void **state)
{
	assert_reason(PERSON "Auto-Submitted: auto-replied\n", "auto-submitted: auto-replied");
	assert_reason(PERSON "Auto-Submitted: auto-generated; owner-email=x@example.org\n",
		"auto-submitted: auto-generated");
	assert_reason(PERSON "Auto-Submitted: Auto-Notified\n", "auto-submitted: auto-notified");
}

static void
test_autoreply_headers(void **state)
{
	assert_reason(PERSON "X-Autoreply: yes\n", "x-autoreply");
	assert_reason(PERSON "X-Autorespond: Thank you for your mail\n", "x-autorespond");
}

static void
test_vacation(void **state)
{
	static const char *const subjects[] = {
		"Out of Office: back on Monday",
		"Automatic reply: Budget numbers",
		"Auto: Budget numbers",
		"AutoReply: Budget numbers",
		"Abwesenheitsnotiz: Budget",
		"Réponse automatique : Budget",
	};
	gsize i;

	for (i = 0; i < G_N_ELEMENTS(subjects); i++) {
		char *headers = g_strdup_printf("From: Ana <ana@example.org>\nSubject: %s\n",
			subjects[i]);

		assert_reason(headers, "vacation");
		g_free(headers);
	}
	assert_reason(PERSON "X-Vacation: yes\n", "vacation");
}

static void
test_delivery_reports(void **state)
{
	kith_message *msg = NULL;
	char *reason;

	assert_int_equal(message_parse_file("tests/data/msg-report.eml", &msg, NULL), KITH_OK);
	reason = automated_reason(msg);
	assert_string_equal(reason, "delivery report");
	g_free(reason);
	message_free(msg);

	assert_reason("From: Mail Delivery Subsystem <MAILER-DAEMON@mx.example.net>\n"
		"Subject: Returned mail\n", "sender: mailer-daemon");
	assert_reason("From: postmaster@example.net\nSubject: Delivery failure\n",
		"sender: postmaster");
	assert_reason("Return-Path: <>\nFrom: Ana <ana@example.org>\nSubject: x\n",
		"return-path: <>");
}

static void
test_noreply_senders(void **state)
{
	static const char *const senders[] = {
		"noreply@example.com", "no-reply@example.com", "No_Reply@example.com",
		"donotreply@example.com", "do-not-reply@example.com",
		"notifications@github.example", "notification@bank.example",
		"bounce-123@mail.example.com", "dev-bounces@lists.example.org",
		"bounces+abc=example.org@sendgrid.example", "noreply-billing@example.com",
	};
	gsize i;

	for (i = 0; i < G_N_ELEMENTS(senders); i++) {
		char *headers = g_strdup_printf("From: Robot <%s>\nSubject: Your order\n",
			senders[i]);

		assert_reason(headers, "no-reply sender");
		g_free(headers);
	}
}

static void
test_automated_address(void **state)
{
	assert_true(automated_address("noreply@example.com"));
	assert_true(automated_address("MAILER-DAEMON@example.com"));
	assert_true(automated_address("postmaster@example.com"));
	assert_true(automated_address("do.not.reply@example.com"));
	assert_false(automated_address("ana@example.org"));
	assert_false(automated_address("norbert@example.org"));
	assert_false(automated_address("reply@example.org"));
	assert_false(automated_address("post@example.org"));
	assert_false(automated_address(""));
	assert_false(automated_address(NULL));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_person),
		cmocka_unit_test(test_list_headers),
		cmocka_unit_test(test_precedence),
		cmocka_unit_test(test_auto_submitted),
		cmocka_unit_test(test_autoreply_headers),
		cmocka_unit_test(test_vacation),
		cmocka_unit_test(test_delivery_reports),
		cmocka_unit_test(test_noreply_senders),
		cmocka_unit_test(test_automated_address),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
