/* test_remind.c - reminders of every kind on crafted stores and on the
 * thread fixtures, relationship strength, business days, the digest as a
 * MIME message (parsed back with GMime), hostile strings, commands by
 * reply, and forgetting a person.  Every date is fixed with `now`. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <gmime/gmime.h>

#include "control.h"
#include "digest.h"
#include "forget.h"
#include "ingest.h"
#include "items.h"
#include "remind.h"

#define ME "me@example.org"

typedef struct {
	char *dir;
	char *path;
	kith_config *cfg;
	kith_store *store;
	kith_ingest *ing;
} fixture;

static void
set_now(fixture *f, const char *when)
{
	GDateTime *now = config_parse_datetime(when);

	assert_non_null(now);
	config_set_now(f->cfg, now);
	g_date_time_unref(now);
}

static int
setup(void **state)
{
	fixture *f = g_new0(fixture, 1);
	char *conf, *text, *err = NULL, *cwd = g_get_current_dir();

	f->dir = g_dir_make_tmp("kith-remind-XXXXXX", NULL);
	conf = g_build_filename(f->dir, "config", NULL);
	text = g_strdup_printf("[detect]\nrules_dir = %s/rules\nuser_rules_dir = %s/none\n",
		cwd, f->dir);
	assert_true(g_file_set_contents(conf, text, -1, NULL));
	assert_int_equal(config_load(conf, &f->cfg, &err), KITH_OK);
	config_add_me(f->cfg, ME);
	set_now(f, "2026-11-20 09:00");
	f->path = g_build_filename(f->dir, "kith.db", NULL);
	assert_int_equal(store_open(f->path, &f->store, &err), KITH_OK);
	assert_int_equal(ingest_new(f->cfg, f->store, &f->ing, &err), KITH_OK);
	g_free(conf);
	g_free(text);
	g_free(cwd);
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	fixture *f = *state;
	char *cmd = g_strdup_printf("rm -rf '%s'", f->dir);

	ingest_free(f->ing);
	store_close(f->store);
	config_free(f->cfg);
	assert_int_equal(system(cmd), 0);
	g_free(cmd);
	g_free(f->path);
	g_free(f->dir);
	g_free(f);
	return 0;
}

static void
feed(fixture *f, const char *data)
{
	char *err = NULL;

	assert_int_equal(ingest_message(f->ing, data, strlen(data), 0, &err), KITH_OK);
	assert_int_equal(ingest_commit(f->ing, &err), KITH_OK);
}

/* A message: FROM, TO, "YYYY-MM-DD HH:MM" (UTC), MID, IN-REPLY-TO or NULL,
 * SUBJECT, BODY. */
static void
mail(fixture *f, const char *from, const char *to, const char *date,
	const char *mid, const char *irt, const char *subject, const char *body)
{
	GDateTime *dt = config_parse_datetime(date);
	char *rfc, *irt_h, *text;

	assert_non_null(dt);
	rfc = g_date_time_format(dt, "%a, %d %b %Y %H:%M:%S +0000");
	irt_h = irt != NULL ? g_strdup_printf("In-Reply-To: <%s>\nReferences: <%s>\n",
		irt, irt) : g_strdup("");
	text = g_strdup_printf("From: %s\nTo: %s\nSubject: %s\nDate: %s\n"
		"Message-ID: <%s>\n%sMIME-Version: 1.0\n"
		"Content-Type: text/plain; charset=utf-8\n\n%s\n",
		from, to, subject, rfc, mid, irt_h, body);
	feed(f, text);
	g_free(text);
	g_free(irt_h);
	g_free(rfc);
	g_date_time_unref(dt);
}

static void
feed_thread(fixture *f, const char *name)
{
	for (int i = 1; i < 10; i++) {
		char *path = g_strdup_printf("tests/data/threads/%s/%02d.eml", name, i);
		char *data = NULL;
		gsize len = 0;

		if (g_file_get_contents(path, &data, &len, NULL)) {
			char *err = NULL;

			assert_int_equal(ingest_message(f->ing, data, len, 0, &err), KITH_OK);
			assert_int_equal(ingest_commit(f->ing, &err), KITH_OK);
		}
		g_free(data);
		g_free(path);
	}
}

static gint64
count(fixture *f, const char *sql)
{
	sqlite3_stmt *st = NULL;
	gint64 n = -1;

	assert_int_equal(sqlite3_prepare_v2(store_db(f->store), sql, -1, &st, NULL),
		SQLITE_OK);
	if (sqlite3_step(st) == SQLITE_ROW)
		n = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return n;
}

static void
exec(fixture *f, const char *sql)
{
	assert_int_equal(sqlite3_exec(store_db(f->store), sql, NULL, NULL, NULL), SQLITE_OK);
}

static remind_report *
report_at(fixture *f, const char *when)
{
	remind_report *r = NULL;
	char *err = NULL;

	set_now(f, when);
	assert_int_equal(remind_compute(f->store, f->cfg, &r, &err), KITH_OK);
	return r;
}

/* The one entry of `kind` for `addr`, or NULL. */
static const remind_entry *
find(const remind_report *r, remind_kind kind, const char *addr)
{
	const remind_entry *found = NULL;

	for (guint i = 0; i < r->entries->len; i++) {
		const remind_entry *e = g_ptr_array_index(r->entries, i);

		if (e->kind == kind && g_str_equal(e->address, addr)) {
			assert_null(found);
			found = e;
		}
	}
	return found;
}

static void
assert_date(const GDate *d, const char *want)
{
	char buf[16];

	assert_true(g_date_valid(d));
	g_date_strftime(buf, sizeof buf, "%Y-%m-%d", d);
	assert_string_equal(buf, want);
}

/* --- pure helpers ------------------------------------------------------------- */

static void
test_business_days(void **state)
{
	GDate a, b;

	g_date_clear(&a, 1);
	g_date_clear(&b, 1);
	g_date_set_dmy(&a, 12, 11, 2026);   /* Thursday */
	g_date_set_dmy(&b, 20, 11, 2026);   /* Friday a week later */
	assert_int_equal(remind_business_days(&a, &b), 6);
	g_date_set_dmy(&a, 13, 11, 2026);   /* Friday */
	g_date_set_dmy(&b, 16, 11, 2026);   /* Monday */
	assert_int_equal(remind_business_days(&a, &b), 1);
	g_date_set_dmy(&a, 14, 11, 2026);   /* Saturday */
	g_date_set_dmy(&b, 15, 11, 2026);   /* Sunday */
	assert_int_equal(remind_business_days(&a, &b), 0);
	assert_int_equal(remind_business_days(&b, &a), 0);
	assert_int_equal(remind_business_days(&a, &a), 0);
	g_date_set_dmy(&a, 1, 1, 2024);
	g_date_set_dmy(&b, 31, 12, 2024);   /* a leap year: 262 weekdays, less Jan 1 */
	assert_int_equal(remind_business_days(&a, &b), 261);
}

static void
test_strength(void **state)
{
	assert_true(remind_strength(0, 0) == 0.0);
	/* Two-way mail counts most; one-way little. */
	assert_true(remind_strength(1, 1) > remind_strength(10, 0));
	assert_true(remind_strength(0, 10) < 1.0);
	assert_true(remind_strength(5, 5) > remind_strength(1, 1));
	assert_true(remind_strength(5, 6) >= remind_strength(5, 5));
	assert_true(remind_strength(1000, 1000) <= 8.0);
}

/* --- the thread fixtures ----------------------------------------------------- */

static void
test_thread_they_promise(void **state)
{
	fixture *f = *state;
	remind_report *r;
	const remind_entry *e;

	feed_thread(f, "they-promise-open");
	/* Due Monday 14 September: not past due on the day. */
	r = report_at(f, "2026-09-14 18:00");
	assert_null(find(r, REMIND_WAITING, "sam@cobalt.example"));
	remind_report_free(r);
	r = report_at(f, "2026-09-16 09:00");
	e = find(r, REMIND_WAITING, "sam@cobalt.example");
	assert_non_null(e);
	assert_string_equal(e->what, "promise");
	assert_int_equal(e->days, 2);
	assert_true(e->due_explicit);
	assert_date(&e->date, "2026-09-14");
	assert_non_null(strstr(e->sentence, "benchmark results"));
	assert_int_equal(r->count[REMIND_OWE], 0);
	remind_report_free(r);
}

static void
test_thread_autoreply_unanswered(void **state)
{
	fixture *f = *state;
	remind_report *r;
	const remind_entry *e;

	feed_thread(f, "autoreply-no-close");
	/* Sent Monday 3 August; the out-of-office reply is no reply. */
	r = report_at(f, "2026-08-05 12:00");
	assert_int_equal(remind_report_total(r), 0);
	remind_report_free(r);
	r = report_at(f, "2026-08-06 12:00");
	e = find(r, REMIND_UNANSWERED, "pat@ridge.example");
	assert_non_null(e);
	assert_int_equal(e->days, 3);
	assert_date(&e->date, "2026-08-03");
	assert_non_null(strstr(e->sentence, "contract draft"));
	assert_null(find(r, REMIND_WAITING, "pat@ridge.example"));
	remind_report_free(r);
	/* The weekend does not count. */
	r = report_at(f, "2026-08-09 12:00");
	e = find(r, REMIND_UNANSWERED, "pat@ridge.example");
	assert_non_null(e);
	assert_int_equal(e->days, 4);
	remind_report_free(r);
	/* Five business days configured: it is past due first. */
	f->cfg->unanswered_days = 5;
	r = report_at(f, "2026-08-07 12:00");
	assert_null(find(r, REMIND_UNANSWERED, "pat@ridge.example"));
	e = find(r, REMIND_WAITING, "pat@ridge.example");
	assert_non_null(e);
	assert_int_equal(e->days, 1);
	remind_report_free(r);
}

static void
test_thread_i_owe(void **state)
{
	fixture *f = *state;
	remind_report *r;
	const remind_entry *e;

	feed_thread(f, "reply-promises-later");
	r = report_at(f, "2026-07-23 12:00");
	assert_int_equal(r->count[REMIND_OWE], 0);
	remind_report_free(r);
	r = report_at(f, "2026-07-24 12:00");
	e = find(r, REMIND_OWE, "lee@quill.example");
	assert_non_null(e);
	assert_string_equal(e->what, "promise");
	assert_int_equal(e->days, 0);
	assert_int_equal(r->overdue, 0);
	remind_report_free(r);
	r = report_at(f, "2026-07-27 12:00");
	e = find(r, REMIND_OWE, "lee@quill.example");
	assert_non_null(e);
	assert_int_equal(e->days, 3);
	assert_int_equal(r->overdue, 1);
	/* The request was answered by the reply: only the promise is left. */
	assert_int_equal(r->count[REMIND_OWE], 1);
	remind_report_free(r);
}

static void
test_threads_done(void **state)
{
	fixture *f = *state;
	const char *threads[] = { "cv-attachment", "as-promised", "intro-promise",
		"reply-answers" };
	remind_report *r;

	for (gsize i = 0; i < G_N_ELEMENTS(threads); i++)
		feed_thread(f, threads[i]);
	assert_true(count(f, "SELECT count(*) FROM items") >= 4);
	r = report_at(f, "2026-12-20 12:00");
	assert_int_equal(r->count[REMIND_OWE], 0);
	assert_int_equal(r->count[REMIND_WAITING], 0);
	assert_int_equal(r->count[REMIND_UNANSWERED], 0);
	remind_report_free(r);
}

/* The work of recording a message must not grow with the open items a
 * contact has piled up: after 300 of them, the next messages run no ledger
 * statement that scans a table or sorts, and the candidate query reads a
 * bounded number of rows. */
static void
test_ledger_bounded(void **state)
{
	fixture *f = *state;
	sqlite3_stmt *st;
	int checked = 0;

	for (int i = 0; i < 300; i++) {
		char *mid = g_strdup_printf("ask%d@a.example", i);
		char *date = g_strdup_printf("2026-01-%02d %02d:%02d", 1 + i / 24 % 28,
			i % 24, i % 60);
		char *body = g_strdup_printf("Could you send me report number %d?", i);

		mail(f, "Ada <ada@a.example>", ME, date, mid, NULL, "Reports", body);
		g_free(body);
		g_free(date);
		g_free(mid);
	}
	assert_int_equal(count(f, "SELECT count(*) FROM items WHERE status = 'open'"), 300);
	for (st = sqlite3_next_stmt(store_db(f->store), NULL); st != NULL;
	     st = sqlite3_next_stmt(store_db(f->store), st)) {
		sqlite3_stmt_status(st, SQLITE_STMTSTATUS_FULLSCAN_STEP, 1);
		sqlite3_stmt_status(st, SQLITE_STMTSTATUS_SORT, 1);
		sqlite3_stmt_status(st, SQLITE_STMTSTATUS_VM_STEP, 1);
	}
	/* a reply in the thread of one request, and a message that delivers */
	mail(f, ME, "Ada <ada@a.example>", "2026-02-01 10:00", "re1@me.example",
		"ask7@a.example", "Re: Reports", "Here it is, as promised.");
	mail(f, ME, "Ada <ada@a.example>", "2026-02-02 10:00", "re2@me.example",
		NULL, "More", "Attached is the report you asked for.");
	for (st = sqlite3_next_stmt(store_db(f->store), NULL); st != NULL;
	     st = sqlite3_next_stmt(store_db(f->store), st)) {
		const char *sql = sqlite3_sql(st);

		if (sql == NULL || strstr(sql, "FROM items") == NULL)
			continue;
		checked++;
		assert_int_equal(sqlite3_stmt_status(st, SQLITE_STMTSTATUS_FULLSCAN_STEP, 0), 0);
		assert_int_equal(sqlite3_stmt_status(st, SQLITE_STMTSTATUS_SORT, 0), 0);
		/* 64 rows at most; a walk over all 300 takes thousands of steps */
		assert_in_range(sqlite3_stmt_status(st, SQLITE_STMTSTATUS_VM_STEP, 0), 0, 2000);
	}
	assert_true(checked >= 2);
	assert_true(count(f, "SELECT count(*) FROM items WHERE status = 'done'") >= 1);
}

/* --- crafted stores ------------------------------------------------------------ */

static void
test_default_due_and_reply(void **state)
{
	fixture *f = *state;
	remind_report *r;
	const remind_entry *e;

	/* They ask without a date: due default_due_days (7) later. */
	mail(f, "Ada <ada@a.example>", ME, "2026-03-02 10:00", "ada1@a.example", NULL,
		"Question", "Could you send me the slides from the workshop?");
	assert_int_equal(count(f, "SELECT count(*) FROM items WHERE owner = 'me'"), 1);
	r = report_at(f, "2026-03-08 10:00");
	assert_null(find(r, REMIND_OWE, "ada@a.example"));
	remind_report_free(r);
	r = report_at(f, "2026-03-10 10:00");
	e = find(r, REMIND_OWE, "ada@a.example");
	assert_non_null(e);
	assert_false(e->due_explicit);
	assert_date(&e->date, "2026-03-09");
	assert_int_equal(e->days, 1);
	remind_report_free(r);

	/* My request to Bo; Bo answers outside the thread without doing it:
	 * not unanswered, but once past due, waiting on them. */
	mail(f, ME, "Bo <bo@b.example>", "2026-03-02 10:00", "me1@example.org", NULL,
		"Deck", "Could you send me the deck by Wednesday?");
	assert_int_equal(count(f, "SELECT count(*) FROM items WHERE owner = 'them'"), 1);
	mail(f, "Bo <bo@b.example>", ME, "2026-03-03 10:00", "bo1@b.example", NULL,
		"Hello", "Good to hear from you, I am travelling this week.");
	r = report_at(f, "2026-03-06 10:00");
	assert_null(find(r, REMIND_UNANSWERED, "bo@b.example"));
	e = find(r, REMIND_WAITING, "bo@b.example");
	assert_non_null(e);
	assert_string_equal(e->what, "request");
	assert_int_equal(e->days, 2);
	remind_report_free(r);
}

static void
test_snooze_dismiss(void **state)
{
	fixture *f = *state;
	remind_report *r;
	gint64 id;
	char *err = NULL;

	mail(f, ME, "Cy <cy@c.example>", "2026-03-02 10:00", "me2@example.org", NULL,
		"Notes", "I'll send you my notes by Wednesday.");
	id = count(f, "SELECT id FROM items WHERE owner = 'me' AND kind = 'promise'");
	assert_true(id > 0);
	r = report_at(f, "2026-03-10 10:00");
	assert_non_null(find(r, REMIND_OWE, "cy@c.example"));
	remind_report_free(r);
	assert_int_equal(store_begin(f->store, &err), KITH_OK);
	assert_int_equal(items_set_status(f->store, id, ITEM_SNOOZED, "2026-03-12", 0,
		&err), KITH_OK);
	assert_int_equal(store_commit(f->store, &err), KITH_OK);
	r = report_at(f, "2026-03-11 10:00");
	assert_null(find(r, REMIND_OWE, "cy@c.example"));
	remind_report_free(r);
	r = report_at(f, "2026-03-12 10:00");
	assert_non_null(find(r, REMIND_OWE, "cy@c.example"));
	remind_report_free(r);
	assert_int_equal(items_set_status(f->store, id, ITEM_DISMISSED, NULL, 1, &err),
		KITH_OK);
	r = report_at(f, "2026-04-12 10:00");
	assert_null(find(r, REMIND_OWE, "cy@c.example"));
	remind_report_free(r);
	/* The same message again changes nothing: dismissed stays dismissed. */
	mail(f, ME, "Cy <cy@c.example>", "2026-03-02 10:00", "me2@example.org", NULL,
		"Notes", "I'll send you my notes by Wednesday.");
	assert_int_equal(count(f, "SELECT count(*) FROM items"), 1);
	assert_int_equal(count(f, "SELECT count(*) FROM items WHERE status = 'dismissed'"), 1);
	assert_int_equal(items_set_status(f->store, 9999, ITEM_DONE, NULL, 1, &err),
		KITH_E_USAGE);
	g_free(err);
}

static void
test_reconnect(void **state)
{
	fixture *f = *state;
	remind_report *r;
	const remind_entry *ann, *cara;

	/* Ann and Cara: two-way; Bob only ever wrote to me. */
	mail(f, "Ann <ann@x.example>", ME, "2026-01-05 10:00", "ann1@x.example", NULL,
		"Hi", "Good to meet you at the conference.");
	mail(f, ME, "Ann <ann@x.example>", "2026-01-06 10:00", "me3@example.org",
		"ann1@x.example", "Re: Hi", "Likewise, it was a pleasure.");
	mail(f, "Cara <cara@x.example>", ME, "2026-01-05 10:00", "cara1@x.example", NULL,
		"Hi", "Good to meet you at the conference.");
	mail(f, ME, "Cara <cara@x.example>", "2026-01-06 10:00", "me4@example.org",
		"cara1@x.example", "Re: Hi", "Likewise, it was a pleasure.");
	mail(f, "Bob <bob@x.example>", ME, "2026-01-05 10:00", "bob1@x.example", NULL,
		"Hi", "Good to meet you at the conference.");
	exec(f, "UPDATE contacts SET cadence = 30 WHERE id = "
		"(SELECT contact_id FROM addresses WHERE addr = 'cara@x.example')");
	r = report_at(f, "2026-02-04 10:00");         /* 29 days */
	assert_int_equal(r->count[REMIND_RECONNECT], 0);
	remind_report_free(r);
	r = report_at(f, "2026-03-01 10:00");         /* 54 days */
	cara = find(r, REMIND_RECONNECT, "cara@x.example");
	assert_non_null(cara);
	assert_int_equal(cara->days, 54);
	assert_int_equal(cara->cadence, 30);
	assert_date(&cara->date, "2026-01-06");
	assert_null(find(r, REMIND_RECONNECT, "ann@x.example"));
	assert_null(find(r, REMIND_RECONNECT, "bob@x.example"));
	remind_report_free(r);
	/* A mentor's cadence is 45 days by default. */
	exec(f, "UPDATE contacts SET role = 'mentor' WHERE id = "
		"(SELECT contact_id FROM addresses WHERE addr = 'ann@x.example')");
	r = report_at(f, "2026-03-01 10:00");
	ann = find(r, REMIND_RECONNECT, "ann@x.example");
	assert_non_null(ann);
	assert_int_equal(ann->cadence, 45);
	remind_report_free(r);
	/* Ranked by how far past the cadence, times strength. */
	r = report_at(f, "2026-05-01 10:00");
	assert_int_equal(r->count[REMIND_RECONNECT], 2);
	cara = g_ptr_array_index(r->entries, 0);
	assert_int_equal(cara->kind, REMIND_RECONNECT);
	assert_string_equal(cara->address, "cara@x.example");
	assert_null(find(r, REMIND_RECONNECT, "bob@x.example"));
	remind_report_free(r);
}

static void
test_balance(void **state)
{
	fixture *f = *state;
	remind_report *r;
	const remind_entry *e;
	remind_relation rel;
	char *err = NULL;
	gint64 dan;

	mail(f, ME, "Dan <dan@d.example>", "2026-02-02 10:00", "ask1@example.org", NULL,
		"Deck", "Could you send me the deck by Friday?");
	mail(f, ME, "Dan <dan@d.example>", "2026-02-09 10:00", "ask2@example.org", NULL,
		"Draft", "Could you review my draft by Friday?");
	r = report_at(f, "2026-02-20 10:00");
	assert_null(find(r, REMIND_BALANCE, "dan@d.example"));
	remind_report_free(r);
	mail(f, ME, "Dan <dan@d.example>", "2026-02-16 10:00", "ask3@example.org", NULL,
		"Intro", "Could you introduce me to your CTO by Friday?");
	assert_int_equal(count(f, "SELECT count(*) FROM items WHERE owner = 'them'"), 3);
	r = report_at(f, "2026-02-20 10:00");
	e = find(r, REMIND_BALANCE, "dan@d.example");
	assert_non_null(e);
	assert_int_equal(e->days, 3);
	assert_date(&e->date, "2026-02-16");
	remind_report_free(r);
	dan = count(f, "SELECT contact_id FROM addresses WHERE addr = 'dan@d.example'");
	assert_int_equal(remind_relation_get(f->store, dan, &rel, &err), KITH_OK);
	assert_int_equal(rel.asked, 3);
	assert_int_equal(rel.took, 3);
	assert_int_equal(rel.gave, 0);
	assert_int_equal(rel.sent, 3);
	assert_int_equal(rel.received, 0);
	/* Their thanks: I gave something after all. */
	mail(f, "Dan <dan@d.example>", ME, "2026-02-18 10:00", "dan1@d.example", NULL,
		"Thanks", "Thank you so much for the feedback on our launch.");
	assert_int_equal(count(f, "SELECT count(*) FROM events WHERE kind = 'thanks'"), 1);
	r = report_at(f, "2026-02-20 10:00");
	assert_null(find(r, REMIND_BALANCE, "dan@d.example"));
	remind_report_free(r);
	assert_int_equal(remind_relation_get(f->store, dan, &rel, &err), KITH_OK);
	assert_int_equal(rel.gave, 1);
}

static void
test_needs(void **state)
{
	fixture *f = *state;
	remind_report *r;
	const remind_entry *e;

	mail(f, "Eve <eve@e.example>", ME, "2026-10-27 10:00", "eve1@e.example", NULL,
		"Hiring", "We're looking for a staff engineer to lead the data platform.");
	assert_int_equal(count(f, "SELECT count(*) FROM events WHERE kind = 'need'"), 1);
	r = report_at(f, "2026-11-20 10:00");
	e = find(r, REMIND_NEED, "eve@e.example");
	assert_non_null(e);
	assert_int_equal(e->days, 24);
	assert_non_null(strstr(e->sentence, "staff engineer"));
	remind_report_free(r);
	/* Too old to matter (default_cadence, 90 days). */
	r = report_at(f, "2027-03-01 10:00");
	assert_null(find(r, REMIND_NEED, "eve@e.example"));
	remind_report_free(r);
	/* Answered by a promise of mine. */
	mail(f, ME, "Eve <eve@e.example>", "2026-10-28 10:00", "me5@example.org",
		"eve1@e.example", "Re: Hiring", "I'll introduce you to Sam next week.");
	r = report_at(f, "2026-11-20 10:00");
	assert_null(find(r, REMIND_NEED, "eve@e.example"));
	remind_report_free(r);
}

/* --- the digest ----------------------------------------------------------------- */

static GMimeMessage *
parse_mime(const char *raw, gsize len)
{
	GMimeStream *stream = g_mime_stream_mem_new_with_buffer(raw, len);
	GMimeParser *parser = g_mime_parser_new_with_stream(stream);
	GMimeMessage *msg = g_mime_parser_construct_message(parser, NULL);

	g_object_unref(parser);
	g_object_unref(stream);
	assert_non_null(msg);
	return msg;
}

static char *
part_text(GMimeObject *part)
{
	GMimeDataWrapper *content = g_mime_part_get_content(GMIME_PART(part));
	GMimeStream *mem = g_mime_stream_mem_new();
	GByteArray *bytes;
	char *s;

	g_mime_data_wrapper_write_to_stream(content, mem);
	bytes = g_mime_stream_mem_get_byte_array(GMIME_STREAM_MEM(mem));
	s = g_strndup((const char *)bytes->data, bytes->len);
	g_object_unref(mem);
	return s;
}

/* Builds the digest at `when`, parses it back; returns both parts. */
static kith_digest *
digest_parts(fixture *f, const char *when, GMimeMessage **msg_out, char **text,
	char **html)
{
	remind_report *r = report_at(f, when);
	kith_digest *d = NULL;
	GMimeMessage *msg;
	GMimeObject *body;
	GMimeMultipart *alt;
	char *err = NULL;

	assert_int_equal(digest_build(f->cfg, r, &d, &err), KITH_OK);
	remind_report_free(r);
	msg = parse_mime(d->raw, d->raw_len);
	body = g_mime_message_get_mime_part(msg);
	assert_true(GMIME_IS_MULTIPART(body));
	assert_true(g_mime_content_type_is_type(g_mime_object_get_content_type(body),
		"multipart", "alternative"));
	alt = GMIME_MULTIPART(body);
	assert_int_equal(g_mime_multipart_get_count(alt), 2);
	assert_true(g_mime_content_type_is_type(g_mime_object_get_content_type(
		g_mime_multipart_get_part(alt, 0)), "text", "plain"));
	assert_true(g_mime_content_type_is_type(g_mime_object_get_content_type(
		g_mime_multipart_get_part(alt, 1)), "text", "html"));
	*text = part_text(g_mime_multipart_get_part(alt, 0));
	*html = part_text(g_mime_multipart_get_part(alt, 1));
	*msg_out = msg;
	return d;
}

static void
test_digest_message(void **state)
{
	fixture *f = *state;
	GMimeMessage *msg;
	char *text, *html, *want;
	kith_digest *d;
	gint64 owe, wait;
	GDateTime *date;

	feed_thread(f, "they-promise-open");
	wait = count(f, "SELECT id FROM items WHERE owner = 'them' AND status = 'open'");
	d = digest_parts(f, "2026-09-20 07:30", &msg, &text, &html);
	assert_int_equal(d->total, 1);     /* only Sam's promise is past due */
	assert_string_equal(g_mime_message_get_subject(msg), "kith: 1 waiting on them");
	assert_string_equal(g_mime_message_get_message_id(msg), d->message_id);
	assert_true(g_str_has_prefix(d->message_id, "kith-digest.20260920."));
	assert_true(g_str_has_suffix(d->message_id, "@example.org"));
	assert_string_equal(g_mime_object_get_header(GMIME_OBJECT(msg), "X-Kith-Digest"), "1");
	want = internet_address_list_to_string(g_mime_message_get_from(msg), NULL, FALSE);
	assert_string_equal(want, "kith <" ME ">");
	g_free(want);
	want = internet_address_list_to_string(g_mime_message_get_to(msg), NULL, FALSE);
	assert_string_equal(want, ME);
	g_free(want);
	date = g_mime_message_get_date(msg);
	assert_non_null(date);
	assert_int_equal(g_date_time_to_unix(date), g_date_time_to_unix(f->cfg->now));
	want = g_strdup_printf("#%" G_GINT64_FORMAT, wait);
	assert_non_null(strstr(text, want));
	assert_non_null(strstr(html, want));
	g_free(want);
	assert_non_null(strstr(text, "Waiting on them (1)"));
	assert_non_null(strstr(text, "Sam Novak <sam@cobalt.example>"));
	assert_non_null(strstr(text, "they promised, due 2026-09-14: 6 days ago"));
	assert_non_null(strstr(text, "benchmark results by Monday.\"\n"));
	assert_non_null(strstr(text, "        why: \""));
	assert_non_null(strstr(html, "<h2>Waiting on them (1)</h2>"));
	assert_non_null(strstr(html, "Sam Novak &lt;sam@cobalt.example&gt;"));
	assert_non_null(strstr(html, "<q>"));
	assert_null(strstr(text, "You owe"));
	g_free(text);
	g_free(html);
	g_object_unref(msg);
	digest_free(d);

	/* I owe Lee too. */
	feed_thread(f, "reply-promises-later");
	owe = count(f, "SELECT id FROM items WHERE owner = 'me' AND status = 'open'");
	d = digest_parts(f, "2026-09-30 07:30", &msg, &text, &html);
	assert_string_equal(g_mime_message_get_subject(msg),
		"kith: 1 you owe, 1 overdue, 1 waiting on them");
	want = g_strdup_printf("#%" G_GINT64_FORMAT, owe);
	assert_non_null(strstr(text, want));
	g_free(want);
	assert_non_null(strstr(text, "You owe (1)"));
	assert_non_null(strstr(text, "done ID"));
	g_free(text);
	g_free(html);
	g_object_unref(msg);
	digest_free(d);

	/* Nothing: an empty digest says so. */
	exec(f, "UPDATE items SET status = 'done'");
	d = digest_parts(f, "2026-09-30 07:30", &msg, &text, &html);
	assert_int_equal(d->total, 0);
	assert_string_equal(g_mime_message_get_subject(msg), "kith: nothing due");
	assert_non_null(strstr(text, "Nothing due today."));
	g_free(text);
	g_free(html);
	g_object_unref(msg);
	digest_free(d);
}

static void
test_digest_hostile(void **state)
{
	fixture *f = *state;
	GMimeMessage *msg;
	GMimeHeaderList *headers;
	char *text, *html, *big, *raw;
	kith_digest *d;
	GString *name = g_string_new(NULL);

	/* A display name and subject with encoded CR/LF trying to add
	 * headers, HTML, and a right-to-left override. */
	feed(f, "From: =?UTF-8?Q?=3Cb=3EEvil=3C/b=3E=0D=0ABcc:_victim@example.com_?="
		" =?UTF-8?Q?=E2=80=AEtxt.exe?= <evil@h.example>\n"
		"To: " ME "\n"
		"Subject: =?UTF-8?Q?Hi=0D=0AX-Injected:_1?=\n"
		"Date: Mon, 2 Mar 2026 10:00:00 +0000\n"
		"Message-ID: <evil1@h.example>\n"
		"Content-Type: text/plain; charset=utf-8\n\n"
		"Could you send me <script>alert(1)</script> by Friday?\n");
	/* A 100 KB display name. */
	for (int i = 0; i < 10 * 1024; i++)
		g_string_append(name, "Abcdefghi ");
	big = g_strdup_printf("From: \"%s\" <big@h.example>\nTo: " ME "\n"
		"Subject: big\nDate: Mon, 2 Mar 2026 11:00:00 +0000\n"
		"Message-ID: <big1@h.example>\n\nCould you send me the file by Friday?\n",
		name->str);
	feed(f, big);
	assert_int_equal(count(f, "SELECT count(*) FROM items WHERE owner = 'me'"), 2);
	d = digest_parts(f, "2026-03-20 09:00", &msg, &text, &html);
	/* No header came from mail. */
	headers = g_mime_object_get_header_list(GMIME_OBJECT(msg));
	assert_false(g_mime_header_list_contains(headers, "Bcc"));
	assert_false(g_mime_header_list_contains(headers, "X-Injected"));
	raw = d->raw;
	assert_null(strstr(raw, "\nBcc:"));
	assert_null(strstr(raw, "\nX-Injected:"));
	/* Escaped in HTML, controls gone everywhere. */
	assert_null(strstr(html, "<script>"));
	assert_null(strstr(html, "<b>Evil"));
	assert_non_null(strstr(html, "&lt;script&gt;alert(1)&lt;/script&gt;"));
	assert_non_null(strstr(html, "&lt;b&gt;Evil&lt;/b&gt;"));
	assert_null(strstr(text, "\xe2\x80\xae"));
	assert_null(strstr(html, "\xe2\x80\xae"));
	assert_null(strstr(text, "\r"));
	for (char *p = strstr(text, "Evil"); p != NULL && *p != '\n'; p++)
		assert_true(*p != '\r');
	assert_null(strstr(text, "\nBcc:"));
	/* The long name is cut. */
	assert_true(strlen(text) < 16 * 1024);
	assert_true(strlen(html) < 16 * 1024);
	assert_true(d->raw_len < 48 * 1024);
	g_free(text);
	g_free(html);
	g_free(big);
	g_string_free(name, TRUE);
	g_object_unref(msg);
	digest_free(d);
}

/* --- control by reply ------------------------------------------------------------ */

static void
test_control_parse(void **state)
{
	GArray *c = control_parse("done 12\n  Snooze #7 3 \ndismiss #4\n"
		"done\ndone 12 13\nsnooze 5\nsnooze 5 0\nsnooze 5 99999\n"
		"please mark done 3\n> done 9\nDONE 8");
	control_cmd *x;

	assert_int_equal(c->len, 4);
	x = &g_array_index(c, control_cmd, 0);
	assert_int_equal(x->verb, CONTROL_DONE);
	assert_int_equal(x->id, 12);
	x = &g_array_index(c, control_cmd, 1);
	assert_int_equal(x->verb, CONTROL_SNOOZE);
	assert_int_equal(x->id, 7);
	assert_int_equal(x->days, 3);
	x = &g_array_index(c, control_cmd, 2);
	assert_int_equal(x->verb, CONTROL_DISMISS);
	assert_int_equal(x->id, 4);
	x = &g_array_index(c, control_cmd, 3);
	assert_int_equal(x->verb, CONTROL_DONE);
	assert_int_equal(x->id, 8);
	g_array_unref(c);
}

static void
test_control_reply(void **state)
{
	fixture *f = *state;
	remind_report *r;
	kith_digest *d = NULL;
	char *err = NULL, *body, *mid;
	gint64 a, b;

	mail(f, "Fay <fay@f.example>", ME, "2026-03-02 10:00", "fay1@f.example", NULL,
		"Q", "Could you send me the slides by Friday?");
	mail(f, "Gus <gus@g.example>", ME, "2026-03-02 11:00", "gus1@g.example", NULL,
		"Q", "Could you send me the agenda by Friday?");
	a = count(f, "SELECT i.id FROM items i JOIN addresses a ON a.contact_id = i.contact_id"
		" WHERE a.addr = 'fay@f.example'");
	b = count(f, "SELECT i.id FROM items i JOIN addresses a ON a.contact_id = i.contact_id"
		" WHERE a.addr = 'gus@g.example'");
	assert_true(a > 0 && b > 0);
	r = report_at(f, "2026-03-10 07:00");
	assert_int_equal(digest_build(f->cfg, r, &d, &err), KITH_OK);
	remind_report_free(r);
	assert_int_equal(digest_record(f->store, d->message_id, 1, &err), KITH_OK);
	assert_true(digest_is_known(f->store, d->message_id));

	/* Someone else cannot do it, even quoting the digest. */
	body = g_strdup_printf("done %" G_GINT64_FORMAT, a);
	mail(f, "Mallory <mallory@m.example>", ME, "2026-03-10 08:00", "mal1@m.example",
		d->message_id, "Re: kith: 2 you owe", body);
	assert_int_equal(count(f, "SELECT count(*) FROM items WHERE status = 'open'"), 2);
	g_free(body);

	/* My reply: done for Fay's, snooze for Gus's, an unknown id skipped;
	 * the commands in the quote are not read. */
	body = g_strdup_printf("done %" G_GINT64_FORMAT "\nsnooze #%" G_GINT64_FORMAT
		" 3\ndismiss 99999\n\nOn Tue, 10 Mar 2026, kith wrote:\n> dismiss %"
		G_GINT64_FORMAT "\n", a, b, b);
	mail(f, ME, ME, "2026-03-10 08:30", "reply1@example.org", d->message_id,
		"Re: kith: 2 you owe", body);
	g_free(body);
	mid = g_strdup_printf("SELECT status = 'done' FROM items WHERE id = %"
		G_GINT64_FORMAT, a);
	assert_int_equal(count(f, mid), 1);
	g_free(mid);
	mid = g_strdup_printf("SELECT status || ' ' || snooze_until FROM items WHERE id = %"
		G_GINT64_FORMAT, b);
	{
		sqlite3_stmt *st = NULL;

		assert_int_equal(sqlite3_prepare_v2(store_db(f->store), mid, -1, &st, NULL),
			SQLITE_OK);
		assert_int_equal(sqlite3_step(st), SQLITE_ROW);
		assert_string_equal((const char *)sqlite3_column_text(st, 0),
			"snoozed 2026-03-13");
		sqlite3_finalize(st);
	}
	g_free(mid);
	/* Recorded, automated, no interaction, no contact for me. */
	assert_int_equal(count(f, "SELECT count(*) FROM messages WHERE message_id = "
		"'reply1@example.org' AND automated = 'kith control'"), 1);
	assert_int_equal(count(f, "SELECT count(*) FROM interactions i JOIN messages m"
		" ON m.id = i.message WHERE m.message_id = 'reply1@example.org'"), 0);
	assert_int_equal(count(f, "SELECT count(*) FROM addresses WHERE addr = '" ME "'"), 0);
	/* Seen again (the Sent folder, a rescan): applied once only. */
	exec(f, "UPDATE items SET status = 'open'");
	mail(f, ME, ME, "2026-03-10 08:30", "reply1@example.org", d->message_id,
		"Re: kith: 2 you owe", "done 1");
	assert_int_equal(count(f, "SELECT count(*) FROM items WHERE status = 'open'"), 2);
	digest_free(d);
}

/* --- forgetting --------------------------------------------------------------------- */

static gboolean
file_contains(const char *path, const char *needle)
{
	char *data = NULL;
	gsize len = 0;
	gboolean found;

	if (!g_file_get_contents(path, &data, &len, NULL))
		return FALSE;
	found = memmem(data, len, needle, strlen(needle)) != NULL;
	g_free(data);
	return found;
}

static void
test_forget(void **state)
{
	fixture *f = *state;
	char *err = NULL, *wal;
	gint64 id;
	guint n = 0;

	mail(f, "Zora Quillfeather <zora@zq.example>", ME, "2026-03-02 10:00",
		"z1@zq.example", NULL, "Plan", "Could you send me the plan by Friday?");
	mail(f, ME, "Zora Quillfeather <zora@zq.example>", "2026-03-03 10:00",
		"me9@example.org", "z1@zq.example", "Re: Plan", "Here is the plan.");
	mail(f, "Hal <hal@h.example>", ME ", Zora Quillfeather <zora@zq.example>",
		"2026-03-04 10:00", "hal1@h.example", NULL, "Lunch",
		"Lunch on Friday, anyone?");
	mail(f, "Zora Quillfeather <zora@zq.example>", ME, "2026-03-05 10:00",
		"z2@zq.example", NULL, "Hiring",
		"We're looking for a staff engineer to lead the data platform.");
	id = store_contact_lookup(f->store, "zora@zq.example");
	assert_true(id > 0);
	exec(f, "INSERT INTO tags (contact_id, tag) SELECT contact_id, 'zq' FROM addresses"
		" WHERE addr = 'zora@zq.example'");
	assert_true(file_contains(f->path, "zora@zq.example") ||
		count(f, "SELECT count(*) FROM participants WHERE addr = 'zora@zq.example'") > 0);

	assert_int_equal(store_begin(f->store, &err), KITH_OK);
	assert_int_equal(forget_contact(f->store, f->cfg, id, &n, &err), KITH_OK);
	assert_int_equal(store_commit(f->store, &err), KITH_OK);
	assert_int_equal(n, 1);
	assert_int_equal(forget_scrub(f->store, &err), KITH_OK);

	assert_int_equal(count(f, "SELECT count(*) FROM contacts WHERE name LIKE '%Zora%'"), 0);
	assert_int_equal(count(f, "SELECT count(*) FROM addresses WHERE addr = 'zora@zq.example'"), 0);
	assert_int_equal(count(f, "SELECT count(*) FROM participants WHERE addr = 'zora@zq.example'"), 0);
	assert_int_equal(count(f, "SELECT count(*) FROM messages WHERE message_id IN "
		"('z1@zq.example', 'z2@zq.example', 'me9@example.org')"), 0);
	assert_int_equal(count(f, "SELECT count(*) FROM messages WHERE from_addr = 'zora@zq.example'"), 0);
	/* Only what Hal's own message holds may remain. */
	assert_int_equal(count(f, "SELECT count(*) FROM items WHERE contact_id NOT IN"
		" (SELECT contact_id FROM addresses WHERE addr = 'hal@h.example')"), 0);
	assert_int_equal(count(f, "SELECT count(*) FROM events WHERE contact_id NOT IN"
		" (SELECT contact_id FROM addresses WHERE addr = 'hal@h.example')"), 0);
	assert_int_equal(count(f, "SELECT count(*) FROM tags"), 0);
	assert_int_equal(count(f, "SELECT count(*) FROM tombstones"), 1);
	/* Hal's message stays, without her. */
	assert_int_equal(count(f, "SELECT count(*) FROM messages WHERE message_id = 'hal1@h.example'"), 1);
	assert_int_equal(count(f, "SELECT count(*) FROM participants p JOIN messages m ON"
		" m.id = p.message WHERE m.message_id = 'hal1@h.example'"), 2);
	assert_true(store_is_forgotten(f->store, "zora@zq.example"));

	/* Nothing of her in the file. */
	wal = g_strconcat(f->path, "-wal", NULL);
	assert_false(file_contains(f->path, "zora@zq.example"));
	assert_false(file_contains(f->path, "Quillfeather"));
	assert_false(file_contains(wal, "zora@zq.example"));
	assert_false(file_contains(wal, "Quillfeather"));
	g_free(wal);

	/* Her mail again, old and new: nothing recorded. */
	mail(f, "Zora Quillfeather <zora@zq.example>", ME, "2026-03-02 10:00",
		"z1@zq.example", NULL, "Plan", "Could you send me the plan by Friday?");
	mail(f, "Zora Quillfeather <zora@zq.example>", ME, "2026-03-09 10:00",
		"z3@zq.example", NULL, "Again", "Could you call me tomorrow?");
	mail(f, ME, "Zora Quillfeather <zora@zq.example>", "2026-03-09 11:00",
		"me10@example.org", NULL, "Hi", "Could you call me tomorrow?");
	mail(f, "Hal <hal@h.example>", "Zora Quillfeather <zora@zq.example>, " ME,
		"2026-03-09 12:00", "hal2@h.example", NULL, "Lunch again",
		"Lunch on Friday, anyone?");
	assert_int_equal(count(f, "SELECT count(*) FROM addresses WHERE addr = 'zora@zq.example'"), 0);
	assert_int_equal(count(f, "SELECT count(*) FROM participants WHERE addr = 'zora@zq.example'"), 0);
	assert_int_equal(count(f, "SELECT count(*) FROM contacts WHERE name LIKE '%Zora%'"), 0);
	assert_int_equal(count(f, "SELECT count(*) FROM messages WHERE message_id IN "
		"('z1@zq.example', 'z3@zq.example', 'me10@example.org')"), 0);
	assert_int_equal(count(f, "SELECT count(*) FROM messages WHERE message_id = 'hal2@h.example'"), 1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_business_days),
		cmocka_unit_test(test_strength),
		cmocka_unit_test(test_control_parse),
		cmocka_unit_test_setup_teardown(test_thread_they_promise, setup, teardown),
		cmocka_unit_test_setup_teardown(test_thread_autoreply_unanswered, setup, teardown),
		cmocka_unit_test_setup_teardown(test_thread_i_owe, setup, teardown),
		cmocka_unit_test_setup_teardown(test_threads_done, setup, teardown),
		cmocka_unit_test_setup_teardown(test_ledger_bounded, setup, teardown),
		cmocka_unit_test_setup_teardown(test_default_due_and_reply, setup, teardown),
		cmocka_unit_test_setup_teardown(test_snooze_dismiss, setup, teardown),
		cmocka_unit_test_setup_teardown(test_reconnect, setup, teardown),
		cmocka_unit_test_setup_teardown(test_balance, setup, teardown),
		cmocka_unit_test_setup_teardown(test_needs, setup, teardown),
		cmocka_unit_test_setup_teardown(test_digest_message, setup, teardown),
		cmocka_unit_test_setup_teardown(test_digest_hostile, setup, teardown),
		cmocka_unit_test_setup_teardown(test_control_reply, setup, teardown),
		cmocka_unit_test_setup_teardown(test_forget, setup, teardown),
	};

	g_setenv("TZ", "UTC", TRUE);
	g_mime_init();
	return cmocka_run_group_tests(tests, NULL, NULL);
}
