/* test_ics.c - open items as iCalendar VTODOs: structure, CRLF, folding,
 * escaping, DUE as a DATE, DTSTAMP in UTC and stable UIDs. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "ics.h"
#include "kith.h"

static ics_todo *
todo(const char *uid, const char *summary, const char *desc, int y, int m, int d)
{
	ics_todo *t = g_new0(ics_todo, 1);

	t->uid = g_strdup(uid);
	t->summary = g_strdup(summary);
	t->description = g_strdup(desc);
	t->categories = g_strdup("kith,request");
	if (y != 0) {
		g_date_set_dmy(&t->due, (GDateDay)d, (GDateMonth)m, (GDateYear)y);
		t->has_due = TRUE;
	}
	t->created = 1775116800;   /* 2026-04-02 08:00:00 UTC */
	return t;
}

static GDateTime *
now_paris(void)
{
	GTimeZone *tz = g_time_zone_new_identifier("+02:00");
	GDateTime *dt = g_date_time_new(tz, 2026, 4, 2, 9, 30, 0);

	g_time_zone_unref(tz);
	return dt;
}

static void
test_one_todo_exact(void **state)
{
	GPtrArray *todos = g_ptr_array_new_with_free_func((GDestroyNotify)ics_todo_free);
	GDateTime *now = now_paris();
	char *text;

	g_ptr_array_add(todos, todo("abc@kith", "Do for Ann Lee: Send the CV",
		"Could you send me your CV, and the list; by Friday?", 2026, 4, 3));
	text = ics_serialize(todos, now);
	assert_string_equal(text,
		"BEGIN:VCALENDAR\r\n"
		"VERSION:2.0\r\n"
		"PRODID:-//kith//kith " KITH_VERSION "//EN\r\n"
		"CALSCALE:GREGORIAN\r\n"
		"BEGIN:VTODO\r\n"
		"UID:abc@kith\r\n"
		"DTSTAMP:20260402T073000Z\r\n"
		"CREATED:20260402T080000Z\r\n"
		"SUMMARY:Do for Ann Lee: Send the CV\r\n"
		"DESCRIPTION:Could you send me your CV\\, and the list\\; by Friday?\r\n"
		"DUE;VALUE=DATE:20260403\r\n"
		"CATEGORIES:kith,request\r\n"
		"STATUS:NEEDS-ACTION\r\n"
		"END:VTODO\r\n"
		"END:VCALENDAR\r\n");
	g_free(text);
	g_date_time_unref(now);
	g_ptr_array_unref(todos);
}

static void
test_fold_escape_nodue(void **state)
{
	GPtrArray *todos = g_ptr_array_new_with_free_func((GDestroyNotify)ics_todo_free);
	GDateTime *now = now_paris();
	GString *desc = g_string_new("Line one\nline two\\ ");
	char **lines;
	char *text;
	int vtodos = 0;

	for (int i = 0; i < 40; i++)
		g_string_append(desc, "ünïcödé ");
	g_ptr_array_add(todos, todo("a@kith", "A", desc->str, 0, 0, 0));
	g_ptr_array_add(todos, todo("b@kith", "B", "short", 2026, 12, 31));
	text = ics_serialize(todos, now);
	assert_true(g_str_has_suffix(text, "END:VCALENDAR\r\n"));
	/* Every line ends in CRLF: no bare LF anywhere. */
	for (const char *p = text; *p != '\0'; p++) {
		if (*p == '\n')
			assert_true(p > text && p[-1] == '\r');
	}
	lines = g_strsplit(text, "\r\n", -1);
	for (char **l = lines; *l != NULL; l++) {
		assert_true(strlen(*l) <= 75);
		assert_true(g_utf8_validate(*l, -1, NULL));
		if (strcmp(*l, "BEGIN:VTODO") == 0)
			vtodos++;
	}
	assert_int_equal(vtodos, 2);
	assert_non_null(strstr(text, "DESCRIPTION:Line one\\nline two\\\\ "));
	/* Only the second has a DUE. */
	{
		const char *a = strstr(text, "UID:a@kith"), *b = strstr(text, "UID:b@kith");
		char *first;

		assert_non_null(a);
		assert_non_null(b);
		assert_true(a < b);
		first = g_strndup(a, (gsize)(b - a));
		assert_null(strstr(first, "DUE"));
		g_free(first);
	}
	assert_non_null(strstr(text, "DUE;VALUE=DATE:20261231\r\n"));
	g_strfreev(lines);
	g_free(text);
	g_string_free(desc, TRUE);
	g_date_time_unref(now);
	g_ptr_array_unref(todos);
}

static void
test_empty(void **state)
{
	GPtrArray *todos = g_ptr_array_new();
	GDateTime *now = now_paris();
	char *text = ics_serialize(todos, now);

	assert_true(g_str_has_prefix(text, "BEGIN:VCALENDAR\r\nVERSION:2.0\r\n"));
	assert_null(strstr(text, "VTODO"));
	g_free(text);
	g_date_time_unref(now);
	g_ptr_array_unref(todos);
}

static void
test_item_uid(void **state)
{
	char *a = ics_item_uid("m1@x", "request", "me", "ann@x", "Send it?");
	char *b = ics_item_uid("m1@x", "request", "me", "ann@x", "Send it?");
	char *c = ics_item_uid("m1@x", "request", "me", "ann@x", "Send it!");
	/* The parts are separated: moving a character between them differs. */
	char *d = ics_item_uid("m1@", "xrequest", "me", "ann@x", "Send it?");
	char *e = ics_item_uid(NULL, NULL, NULL, NULL, NULL);

	assert_string_equal(a, b);
	assert_string_not_equal(a, c);
	assert_string_not_equal(a, d);
	assert_true(g_str_has_suffix(a, "@kith"));
	assert_int_equal(strlen(a), 32 + 5);
	assert_true(g_str_has_suffix(e, "@kith"));
	g_free(a);
	g_free(b);
	g_free(c);
	g_free(d);
	g_free(e);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_one_todo_exact),
		cmocka_unit_test(test_fold_escape_nodue),
		cmocka_unit_test(test_empty),
		cmocka_unit_test(test_item_uid),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
