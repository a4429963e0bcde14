/* test_vcard.c - vCard output (escaping, folding, UIDs) and the parser:
 * 4.0 and 3.0 exports, 2.1 quoted-printable, and hostile input. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "vcard.h"

static GPtrArray *
parse_ok(const char *text)
{
	GPtrArray *cards = NULL;
	char *err = NULL;
	kith_status rc = vcard_parse(text, strlen(text), &cards, &err);

	if (rc != KITH_OK)
		fail_msg("vcard_parse: %s", err != NULL ? err : "?");
	assert_non_null(cards);
	return cards;
}

static vcard_card *
sample_card(void)
{
	vcard_card *c = vcard_card_new();

	g_free(c->fn);
	c->fn = g_strdup("Ann Lee");
	g_free(c->family);
	c->family = g_strdup("Lee");
	g_free(c->given);
	c->given = g_strdup("Ann");
	c->uid = vcard_uid_for_address("ann@example.org");
	g_ptr_array_add(c->emails, g_strdup("ann@example.org"));
	g_ptr_array_add(c->emails, g_strdup("ann.lee@work.example"));
	g_ptr_array_add(c->categories, g_strdup("mentor"));
	g_ptr_array_add(c->categories, g_strdup("conf, 2025"));
	c->note = g_strdup("Met at FOSDEM; likes C\\Rust.\nSecond line");
	c->cadence = 30;
	return c;
}

static void
test_serialize_exact(void **state)
{
	vcard_card *c = sample_card();
	char *text = vcard_serialize(c);
	char *expect = g_strdup_printf(
		"BEGIN:VCARD\r\n"
		"VERSION:4.0\r\n"
		"UID:%s\r\n"
		"FN:Ann Lee\r\n"
		"N:Lee;Ann;;;\r\n"
		"EMAIL:ann@example.org\r\n"
		"EMAIL:ann.lee@work.example\r\n"
		"CATEGORIES:mentor,conf\\, 2025\r\n"
		"NOTE:Met at FOSDEM\\; likes C\\\\Rust.\\nSecond line\r\n"
		"X-KITH-CADENCE:30\r\n"
		"END:VCARD\r\n", c->uid);

	assert_string_equal(text, expect);
	g_free(expect);
	g_free(text);
	vcard_card_free(c);
}

static void
test_escape(void **state)
{
	char *e = vcard_escape("a,b;c\\d\r\ne\nf\rg\x01h\th\x7f");

	assert_string_equal(e, "a\\,b\\;c\\\\d\\ne\\nf\\ngh\th");
	g_free(e);
	e = vcard_escape(NULL);
	assert_string_equal(e, "");
	g_free(e);
}

static void
test_round_trip(void **state)
{
	vcard_card *c = sample_card();
	char *text = vcard_serialize(c);
	GPtrArray *cards = parse_ok(text);
	vcard_card *p;
	char *again;

	assert_int_equal(cards->len, 1);
	p = g_ptr_array_index(cards, 0);
	assert_string_equal(p->fn, "Ann Lee");
	assert_string_equal(p->family, "Lee");
	assert_string_equal(p->given, "Ann");
	assert_string_equal(p->uid, c->uid);
	assert_int_equal(p->emails->len, 2);
	assert_string_equal(g_ptr_array_index(p->emails, 1), "ann.lee@work.example");
	assert_int_equal(p->categories->len, 2);
	assert_string_equal(g_ptr_array_index(p->categories, 1), "conf, 2025");
	assert_string_equal(p->note, c->note);
	assert_int_equal(p->cadence, 30);
	again = vcard_serialize(p);
	assert_string_equal(again, text);
	g_free(again);
	g_ptr_array_unref(cards);
	g_free(text);
	vcard_card_free(c);
}

/* Every physical line is at most 75 octets, continuation lines start with
 * a space, no UTF-8 character is split, and unfolding gives the value. */
static void
test_folding(void **state)
{
	vcard_card *c = vcard_card_new();
	GString *note = g_string_new(NULL);
	char **lines;
	char *text;
	GPtrArray *cards;

	for (int i = 0; i < 60; i++)
		g_string_append(note, i % 3 ? "é" : "x€");
	g_string_append(note, " and some ASCII words to make it long enough");
	c->note = g_string_free(note, FALSE);
	g_ptr_array_add(c->emails, g_strdup("x@example.org"));
	text = vcard_serialize(c);
	assert_true(g_utf8_validate(text, -1, NULL));
	lines = g_strsplit(text, "\r\n", -1);
	for (char **l = lines; *l != NULL; l++) {
		assert_true(strlen(*l) <= 75);
		assert_true(g_utf8_validate(*l, -1, NULL));
		assert_null(strchr(*l, '\n'));
	}
	assert_true(g_strv_length(lines) > 8);
	cards = parse_ok(text);
	assert_string_equal(((vcard_card *)g_ptr_array_index(cards, 0))->note, c->note);
	/* FN falls back to the address when there is no name. */
	assert_non_null(strstr(text, "\r\nFN:x@example.org\r\n"));
	g_ptr_array_unref(cards);
	g_strfreev(lines);
	g_free(text);
	vcard_card_free(c);
}

static void
test_uid(void **state)
{
	char *a = vcard_uid_for_address("ann@example.org");
	char *b = vcard_uid_for_address("ann@example.org");
	char *c = vcard_uid_for_address("bob@example.org");

	assert_string_equal(a, b);
	assert_string_not_equal(a, c);
	assert_true(g_str_has_prefix(a, "urn:uuid:"));
	assert_int_equal(strlen(a), strlen("urn:uuid:") + 36);
	assert_true(g_uuid_string_is_valid(a + strlen("urn:uuid:")));
	assert_int_equal(a[9 + 14], '8');
	g_free(a);
	g_free(b);
	g_free(c);
}

/* What khard writes (vCard 3.0, LF), with TYPE params, groups, folding,
 * several EMAILs and a second card. */
static void
test_parse_khard_30(void **state)
{
	GPtrArray *cards = parse_ok(
		"BEGIN:VCARD\n"
		"VERSION:3.0\n"
		"PRODID:-//khard//EN\n"
		"UID:5c1b4b1e-1f3a-4d38-9c5c-3c9d3c1c6a01\n"
		"N:Doe;Jane;Q.;Dr.;\n"
		"FN:Dr. Jane \n"
		" Q. Doe\n"
		"EMAIL;TYPE=INTERNET;TYPE=WORK,PREF:jane@work.example\n"
		"item1.EMAIL;TYPE=home:JANE@Home.Example\n"
		"item1.X-ABLabel:private\n"
		"CATEGORIES:hub,friends\\,old,\n"
		"TEL;TYPE=cell:+1 555 0100\n"
		"NOTE;LANGUAGE=\"en:GB\":line one\\nline two\\, still\n"
		"END:VCARD\n"
		"BEGIN:VCARD\n"
		"VERSION:3.0\n"
		"N:Solo;;;;\n"
		"EMAIL:mailto:solo@example.net\n"
		"END:VCARD\n");
	vcard_card *j, *s;

	assert_int_equal(cards->len, 2);
	j = g_ptr_array_index(cards, 0);
	assert_string_equal(j->fn, "Dr. Jane Q. Doe");
	assert_string_equal(j->family, "Doe");
	assert_string_equal(j->given, "Jane");
	assert_string_equal(j->uid, "5c1b4b1e-1f3a-4d38-9c5c-3c9d3c1c6a01");
	assert_int_equal(j->emails->len, 2);
	assert_string_equal(g_ptr_array_index(j->emails, 0), "jane@work.example");
	assert_string_equal(g_ptr_array_index(j->emails, 1), "JANE@Home.Example");
	assert_int_equal(j->categories->len, 2);
	assert_string_equal(g_ptr_array_index(j->categories, 0), "hub");
	assert_string_equal(g_ptr_array_index(j->categories, 1), "friends,old");
	assert_string_equal(j->note, "line one\nline two, still");
	s = g_ptr_array_index(cards, 1);
	assert_string_equal(s->fn, "");
	assert_string_equal(s->family, "Solo");
	assert_string_equal(g_ptr_array_index(s->emails, 0), "solo@example.net");
	g_ptr_array_unref(cards);
}

/* vCard 2.1 from old address books: bare params, quoted-printable with a
 * soft line break, a Latin-1 charset, CRLF. */
static void
test_parse_21_qp(void **state)
{
	GPtrArray *cards = parse_ok(
		"BEGIN:VCARD\r\n"
		"VERSION:2.1\r\n"
		"N;CHARSET=ISO-8859-1;ENCODING=QUOTED-PRINTABLE:M=FCller;J=FCrgen\r\n"
		"FN;CHARSET=UTF-8;QUOTED-PRINTABLE:J=C3=BCrgen M=C3=BC=\r\n"
		"ller\r\n"
		"EMAIL;INTERNET;PREF:jm@example.de\r\n"
		"END:VCARD\r\n");
	vcard_card *c = g_ptr_array_index(cards, 0);

	assert_string_equal(c->family, "Müller");
	assert_string_equal(c->given, "Jürgen");
	assert_string_equal(c->fn, "Jürgen Müller");
	assert_string_equal(g_ptr_array_index(c->emails, 0), "jm@example.de");
	g_ptr_array_unref(cards);
}

static void
expect_no_card(const char *text, gsize len)
{
	GPtrArray *cards = NULL;
	char *err = NULL;

	assert_int_equal(vcard_parse(text, len, &cards, &err), KITH_E_DATA);
	assert_null(cards);
	assert_non_null(err);
	g_free(err);
}

static void
test_hostile(void **state)
{
	GPtrArray *cards;
	vcard_card *c;
	GString *big;

	expect_no_card("", 0);
	expect_no_card("hello\nworld\n", 12);
	expect_no_card("END:VCARD\nFN:x\n", 15);
	expect_no_card("BEGIN:VCALENDAR\nEND:VCALENDAR\n", 30);
	/* Cut off: kept.  Lines without ':' and with stray escapes: ignored
	 * or taken as written.  NUL bytes end a value. */
	cards = parse_ok("\xEF\xBB\xBF" "BEGIN:VCARD\nno colon here\n;;;:\n:\nFN:a\\\n"
		"EMAIL;TYPE=\"unterminated:x@y.example\nNOTE:\xff\xfe bad utf8\n"
		"X-KITH-CADENCE:99999\nX-KITH-CADENCE:-3\nX-KITH-CADENCE:12abc\n");
	c = g_ptr_array_index(cards, 0);
	assert_string_equal(c->fn, "a\\");
	assert_int_equal(c->emails->len, 0);
	assert_true(g_utf8_validate(c->note, -1, NULL));
	assert_int_equal(c->cadence, 0);
	g_ptr_array_unref(cards);
	/* Nested cards (2.1 AGENT) do not leak properties into the outer one. */
	cards = parse_ok("BEGIN:VCARD\nFN:outer\nAGENT:\nBEGIN:VCARD\nFN:inner\n"
		"EMAIL:inner@x.example\nEND:VCARD\nEMAIL:outer@x.example\nEND:VCARD\n");
	assert_int_equal(cards->len, 1);
	c = g_ptr_array_index(cards, 0);
	assert_string_equal(c->fn, "outer");
	assert_int_equal(c->emails->len, 1);
	assert_string_equal(g_ptr_array_index(c->emails, 0), "outer@x.example");
	g_ptr_array_unref(cards);
	/* Caps: a flood of categories stops at VCARD_MAX_VALUES. */
	big = g_string_new("BEGIN:VCARD\nCATEGORIES:");
	for (int i = 0; i < 3 * VCARD_MAX_VALUES; i++)
		g_string_append_printf(big, "c%d,", i);
	g_string_append(big, "\nEND:VCARD\n");
	cards = parse_ok(big->str);
	assert_int_equal(((vcard_card *)g_ptr_array_index(cards, 0))->categories->len,
		VCARD_MAX_VALUES);
	g_ptr_array_unref(cards);
	g_string_free(big, TRUE);
	/* Too large. */
	{
		GPtrArray *none = NULL;
		char *err = NULL;

		assert_int_equal(vcard_parse("BEGIN:VCARD\n", (gsize)VCARD_MAX_INPUT + 1,
			&none, &err), KITH_E_DATA);
		g_free(err);
	}
}

/* Random mutations of a valid card never crash, leak or give invalid
 * UTF-8 (run under ASan with `make asan`). */
static void
test_mutations(void **state)
{
	vcard_card *c = sample_card();
	char *text = vcard_serialize(c);
	gsize len = strlen(text);
	GRand *rand = g_rand_new_with_seed(6);
	static const char specials[] = "\r\n \t:;,=\\\"\0\xff\xc3";

	for (int round = 0; round < 3000; round++) {
		char *m = g_memdup2(text, len);
		GPtrArray *cards = NULL;
		char *err = NULL;
		int edits = g_rand_int_range(rand, 1, 12);
		gsize mlen = (gsize)g_rand_int_range(rand, 0, (gint32)len + 1);

		for (int e = 0; e < edits; e++) {
			gsize at = (gsize)g_rand_int_range(rand, 0, (gint32)len);

			m[at] = g_rand_boolean(rand) ? specials[g_rand_int_range(rand, 0,
				sizeof specials - 1)] : (char)g_rand_int_range(rand, 0, 256);
		}
		if (vcard_parse(m, mlen, &cards, &err) == KITH_OK) {
			for (guint i = 0; i < cards->len; i++) {
				vcard_card *p = g_ptr_array_index(cards, i);
				char *out = vcard_serialize(p);

				assert_true(g_utf8_validate(out, -1, NULL));
				g_free(out);
			}
			g_ptr_array_unref(cards);
		}
		g_free(err);
		g_free(m);
	}
	g_rand_free(rand);
	g_free(text);
	vcard_card_free(c);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_serialize_exact),
		cmocka_unit_test(test_escape),
		cmocka_unit_test(test_round_trip),
		cmocka_unit_test(test_folding),
		cmocka_unit_test(test_uid),
		cmocka_unit_test(test_parse_khard_30),
		cmocka_unit_test(test_parse_21_qp),
		cmocka_unit_test(test_hostile),
		cmocka_unit_test(test_mutations),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
