/* test_rules.c - rule files: parsing, errors as FILE:LINE:COLUMN with
 * PCRE2's message, weights, vetoes, targets, and user overrides by id. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>
#include <glib/gstdio.h>

#include "detect.h"
#include "rules.h"

typedef struct {
	char *dir;   /* a private temp dir, removed after each test */
} fixture;

static int
setup(void **state)
{
	fixture *f = g_new0(fixture, 1);

	f->dir = g_dir_make_tmp("kith-rules-XXXXXX", NULL);
	assert_non_null(f->dir);
	*state = f;
	return 0;
}

static void
remove_tree(const char *dir)
{
	GDir *d = g_dir_open(dir, 0, NULL);
	const char *name;

	while (d != NULL && (name = g_dir_read_name(d)) != NULL) {
		char *p = g_build_filename(dir, name, NULL);

		if (g_file_test(p, G_FILE_TEST_IS_DIR))
			remove_tree(p);
		else
			g_unlink(p);
		g_free(p);
	}
	if (d != NULL)
		g_dir_close(d);
	g_rmdir(dir);
}

static int
teardown(void **state)
{
	fixture *f = *state;

	remove_tree(f->dir);
	g_free(f->dir);
	g_free(f);
	return 0;
}

/* Writes `text` to DIR/SUB/NAME (SUB may be NULL); returns the new path. */
static char *
write_file(const fixture *f, const char *sub, const char *name, const char *text)
{
	char *dir = sub != NULL ? g_build_filename(f->dir, sub, NULL) :
		g_strdup(f->dir);
	char *path = g_build_filename(dir, name, NULL);

	g_mkdir_with_parents(dir, 0700);
	assert_true(g_file_set_contents(path, text, -1, NULL));
	g_free(dir);
	return path;
}

static kith_rules *
load_one(const char *path)
{
	kith_rules *rules = NULL;
	char *err = NULL;
	const char *paths[] = { path };

	if (rules_load_files(paths, 1, &rules, &err) != KITH_OK)
		fail_msg("load %s: %s", path, err);
	return rules;
}

/* The kind and rule id the rules give `s`. */
static const char *
classify(const kith_rules *rules, const char *s, int *kind, char **target)
{
	static char id[64];
	rules_verdict v;

	*kind = rules_classify(rules, s, strlen(s), &v);
	g_strlcpy(id, v.rule_id != NULL ? v.rule_id : "-", sizeof id);
	if (target != NULL)
		*target = v.target;
	else
		g_free(v.target);
	return id;
}

/* Checks a file fails with exactly `want_tmpl` (each "%s" standing for
 * the file's path) as the error text. */
static void
check_error(const fixture *f, const char *text, const char *want_tmpl)
{
	char *path = write_file(f, NULL, "t.rules", text);
	char **parts = g_strsplit(want_tmpl, "%s", -1);
	char *want = g_strjoinv(path, parts);
	char *err = NULL;
	kith_rules *rules = NULL;
	const char *paths[] = { path };

	assert_int_equal(rules_check_file(path, &err), KITH_E_DATA);
	assert_non_null(err);
	assert_string_equal(err, want);
	g_free(err);
	err = NULL;
	assert_int_equal(rules_load_files(paths, 1, &rules, &err), KITH_E_DATA);
	assert_null(rules);
	assert_string_equal(err, want);
	g_free(err);
	g_free(want);
	g_strfreev(parts);
	g_free(path);
}

static void
test_parse_ok(void **state)
{
	fixture *f = *state;
	char *path = write_file(f, NULL, "a.rules",
		"# comment\n"
		"\n"
		"   # indented comment\n"
		"r.one   request 20  \\bsend\\s+me\\b\n"
		"r.two\tpromise\t\\bI'll\\s+send\\b   \r\n"
		"r.three thanks 5 ^thanks\\b\n");
	kith_rules *rules = load_one(path);
	char *err = NULL;
	int kind;

	assert_int_equal(rules_check_file(path, &err), KITH_OK);
	assert_null(err);
	assert_int_equal(rules_count(rules), 3);
	assert_string_equal(classify(rules, "Please SEND me the file", &kind, NULL),
		"r.one");
	assert_int_equal(kind, DETECT_REQUEST);
	assert_string_equal(classify(rules, "I'll send it", &kind, NULL), "r.two");
	assert_int_equal(kind, DETECT_PROMISE);
	assert_string_equal(classify(rules, "Nothing here", &kind, NULL), "-");
	assert_int_equal(kind, DETECT_NONE);
	rules_free(rules);
	g_free(path);
}

static void
test_weights(void **state)
{
	fixture *f = *state;
	char *path = write_file(f, NULL, "w.rules",
		"light request 5 \\bsend\\b\n"
		"heavy promise 50 \\bsend\\b\n"
		"tie.a request 7 \\bcall\\b\n"
		"tie.b promise 7 \\bcall\\b\n");
	kith_rules *rules = load_one(path);
	int kind;

	assert_string_equal(classify(rules, "send", &kind, NULL), "heavy");
	assert_string_equal(classify(rules, "call", &kind, NULL), "tie.a");
	rules_free(rules);
	g_free(path);
}

static void
test_bad_regex(void **state)
{
	/* "(abc" starts at column 16; PCRE2 stops at its end, offset 4 */
	check_error(*state, "# x\nx.y request 10 (abc\n",
		"%s:2:20: missing closing parenthesis");
	check_error(*state, "x.y request [a-\n",
		"%s:1:16: missing terminating ] for character class");
	check_error(*state, "x.y request 10 a{3,2}\n",
		"%s:1:21: numbers out of order in {} quantifier");
}

static void
test_bad_fields(void **state)
{
	check_error(*state, "x.y frob abc\n", "%s:1:5: unknown kind 'frob'");
	check_error(*state, "x.y veto:frob abc\n", "%s:1:5: unknown kind 'veto:frob'");
	check_error(*state, "lonely\n", "%s:1:7: missing kind after rule id 'lonely'");
	check_error(*state, "x.y request\n", "%s:1:12: missing pattern for rule 'x.y'");
	check_error(*state, "x.y request 0 abc\n",
		"%s:1:13: weight 0 out of range 1..1000");
	check_error(*state, "x.y request 5000 abc\n",
		"%s:1:13: weight 5000 out of range 1..1000");
	check_error(*state, "x/y request abc\n",
		"%s:1:1: bad rule id 'x/y' (letters, digits and ._-: only)");
	check_error(*state, "a request x\nb request y\na promise z\n",
		"%s:3:1: duplicate rule id 'a' (first on line 1)");
}

static void
test_every_error_reported(void **state)
{
	check_error(*state, "a frob x\nok request y\nb request (\nc\n",
		"%s:1:3: unknown kind 'frob'\n"
		"%s:3:12: missing closing parenthesis\n"
		"%s:4:2: missing kind after rule id 'c'");
}

static void
test_missing_file(void **state)
{
	char *err = NULL;

	assert_int_equal(rules_check_file("/nonexistent/x.rules", &err),
		KITH_E_NOINPUT);
	assert_non_null(strstr(err, "/nonexistent/x.rules"));
	g_free(err);
}

static void
test_user_override(void **state)
{
	fixture *f = *state;
	char *a = write_file(f, "sys", "10-a.rules",
		"greet request 10 \\balpha\\b\nkeep request 10 \\bgamma\\b\n"
		"drop request 10 \\bdelta\\b\n");
	char *b = write_file(f, "user", "my.rules",
		"greet promise 10 \\bbeta\\b\ndrop off\n");
	char *sys = g_build_filename(f->dir, "sys", NULL);
	char *user = g_build_filename(f->dir, "user", NULL);
	kith_rules *rules = NULL;
	char *err = NULL, *listing;
	int kind;

	assert_int_equal(rules_load_dirs(sys, user, &rules, &err), KITH_OK);
	assert_int_equal(rules_count(rules), 2);
	assert_string_equal(classify(rules, "alpha", &kind, NULL), "-");
	assert_string_equal(classify(rules, "beta", &kind, NULL), "greet");
	assert_int_equal(kind, DETECT_PROMISE);
	assert_string_equal(classify(rules, "gamma", &kind, NULL), "keep");
	assert_string_equal(classify(rules, "delta", &kind, NULL), "-");
	listing = rules_describe(rules);
	assert_non_null(strstr(listing, "greet\tpromise\t10\t"));
	assert_null(strstr(listing, "drop"));
	g_free(listing);
	rules_free(rules);
	g_free(a);
	g_free(b);
	g_free(sys);
	g_free(user);
}

static void
test_absent_dirs(void **state)
{
	kith_rules *rules = NULL;
	char *err = NULL;

	/* no user rules: fine */
	assert_int_equal(rules_load_dirs("rules", "/nonexistent/b", &rules, &err),
		KITH_OK);
	assert_true(rules_count(rules) > 0);
	rules_free(rules);
	rules = NULL;
	/* no shipped rules: an error that names the directory, never a
	 * detector that silently finds nothing */
	assert_int_equal(rules_load_dirs("/nonexistent/a", NULL, &rules, &err),
		KITH_E_CONFIG);
	assert_null(rules);
	assert_non_null(strstr(err, "/nonexistent/a"));
	g_free(err);
}

static void
test_veto_overlap(void **state)
{
	fixture *f = *state;
	char *path = write_file(f, NULL, "v.rules",
		"ask request 10 \\blet\\s+me\\s+know\\b\n"
		"do request 5 \\bsend\\b\n"
		"will promise 10 \\bI\\s+will\\b\n"
		"closing veto:request \\blet\\s+me\\s+know\\s+if\\s+you\\s+have\\s+questions\\b\n"
		"ooo veto ^.*\\bout\\s+of\\s+office\\b.*\n");
	kith_rules *rules = load_one(path);
	int kind;

	assert_string_equal(classify(rules, "let me know your plans", &kind, NULL),
		"ask");
	assert_string_equal(classify(rules,
		"let me know if you have questions", &kind, NULL), "-");
	/* the veto covers its own span only */
	assert_string_equal(classify(rules,
		"send it and let me know if you have questions", &kind, NULL), "do");
	/* a later match outside the veto survives */
	assert_string_equal(classify(rules,
		"let me know if you have questions, and let me know the date",
		&kind, NULL), "ask");
	/* veto:request leaves promises alone */
	assert_string_equal(classify(rules,
		"I will call; let me know if you have questions", &kind, NULL), "will");
	assert_string_equal(classify(rules,
		"I will reply when back, I am out of office", &kind, NULL), "-");
	rules_free(rules);
	g_free(path);
}

static void
test_target_and_utf8(void **state)
{
	fixture *f = *state;
	char *path = write_file(f, NULL, "t.rules",
		"intro intro 10 meet\\s+(?<target>(?-i:\\p{Lu}\\p{Ll}+))\n"
		"cafe thanks 10 \\bmerci\\s+\xc3\xa0\\b\n");
	kith_rules *rules = load_one(path);
	char *target = NULL;
	int kind;

	assert_string_equal(classify(rules, "Anna, meet \xc3\x89lodie.", &kind,
		&target), "intro");
	assert_string_equal(target, "\xc3\x89lodie");
	g_free(target);
	assert_string_equal(classify(rules, "MERCI \xc3\x80 vous", &kind, NULL),
		"cafe");
	rules_free(rules);
	g_free(path);
}

static void
test_invalid_utf8_file(void **state)
{
	check_error(*state, "a request ok\nb request \xff\xfe\n",
		"%s:2:1: invalid UTF-8 at byte 11");
}

static void
test_shipped_rules_check(void **state)
{
	GPtrArray *files = rules_dir_files("rules");
	kith_rules *rules = NULL;
	char *err = NULL;

	assert_true(files->len >= 4);
	for (guint i = 0; i < files->len; i++) {
		if (rules_check_file(files->pdata[i], &err) != KITH_OK)
			fail_msg("%s", err);
	}
	assert_int_equal(rules_load_dirs("rules", NULL, &rules, &err), KITH_OK);
	assert_true(rules_count(rules) > 40);
	rules_free(rules);
	g_ptr_array_unref(files);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_parse_ok, setup, teardown),
		cmocka_unit_test_setup_teardown(test_weights, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bad_regex, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bad_fields, setup, teardown),
		cmocka_unit_test_setup_teardown(test_every_error_reported, setup, teardown),
		cmocka_unit_test_setup_teardown(test_missing_file, setup, teardown),
		cmocka_unit_test_setup_teardown(test_user_override, setup, teardown),
		cmocka_unit_test_setup_teardown(test_absent_dirs, setup, teardown),
		cmocka_unit_test_setup_teardown(test_veto_overlap, setup, teardown),
		cmocka_unit_test_setup_teardown(test_target_and_utf8, setup, teardown),
		cmocka_unit_test_setup_teardown(test_invalid_utf8_file, setup, teardown),
		cmocka_unit_test_setup_teardown(test_shipped_rules_check, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
