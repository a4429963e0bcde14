/* test_rules.c - rule files: parsing, errors as FILE:LINE:COLUMN with
 * PCRE2's message, weights, vetoes, targets, and user overrides by id. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>
#include <glib/gstdio.h>

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

#include "detect.h"
#include "literals.h"
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

static gint
compare_str_ptrs(gconstpointer a, gconstpointer b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* The literals of a pattern: each clause's strings sorted and bracketed,
 * the clauses sorted and joined with " & "; "-" for none. */
static char *
literals_text(const char *pattern)
{
	GPtrArray *clauses = literals_required(pattern);
	GPtrArray *texts = g_ptr_array_new_with_free_func(g_free);
	GString *out = g_string_new(NULL);

	if (clauses == NULL)
		g_string_append(out, "-");
	for (guint c = 0; clauses != NULL && c < clauses->len; c++) {
		GPtrArray *lits = clauses->pdata[c];
		GString *one = g_string_new(NULL);

		g_ptr_array_sort(lits, compare_str_ptrs);
		for (guint i = 0; i < lits->len; i++)
			g_string_append_printf(one, "[%s]", (const char *)lits->pdata[i]);
		g_ptr_array_add(texts, g_string_free(one, FALSE));
	}
	g_ptr_array_sort(texts, compare_str_ptrs);
	for (guint i = 0; i < texts->len; i++)
		g_string_append_printf(out, "%s%s", i > 0 ? " & " : "",
			(const char *)texts->pdata[i]);
	g_ptr_array_unref(texts);
	if (clauses != NULL)
		g_ptr_array_unref(clauses);
	return g_string_free(out, FALSE);
}

static void
test_literals_required(void **state)
{
	static const char *const cases[][2] = {
		{ "could", "[could]" },
		{ "ABC", "[abc]" },
		/* a sequence needs each of its parts */
		{ "\\b(?:can|could)\\s+you\\b", "[can][could] & [you]" },
		{ "\\b(?:please|kindly)\\s+\\w+", "[kindly][please]" },
		{ "a|b", "[a][b]" },
		{ "foo?", "[fo]" },                 /* "fo" is in "foo" */
		{ "(?:send|mail)+ now", "[ now] & [mail][send]" },
		{ "[abc]def", "[def]" },
		{ "(?<!\\bwhich\\s)you", "[you]" },  /* lookarounds consume nothing */
		{ "a(?=bcd)", "[a]" },
		{ "\\Qa.b\\E", "[a.b]" },
		{ "\\x41\\x{42}c", "[abc]" },
		{ "caf\\x{e9}", "[caf]" },          /* a letter with a case: anything */
		{ "it\xe2\x80\x99s", "[it\xe2\x80\x99s]" }, /* a caseless character is itself */
		{ "(?-i:Meet)", "[meet]" },
		{ "(?i)yes|(?:no)", "[no][yes]" },
		{ "(?<target>Sarah)", "[sarah]" },
		{ "\\d+ people", "[ people]" },
		{ "x{2,3}yz", "[x] & [yz]" },
		/* a few of the most selective clauses are kept */
		{ "a\\db\\dc\\dd\\dee\\dff", "[a] & [b] & [ee] & [ff]" },
		/* alternatives of sequences: each side's clauses, pairwise */
		{ "cat\\d+dog|bird\\s+fish", "[bird][cat] & [bird][dog] & [cat][fish] & [dog][fish]" },
		{ "cat\\d+dog|\\w+", "-" },
		{ "x{,3}y", "-" },                  /* {,3}: a brace or a quantifier, by version */
		/* nothing required */
		{ "", "-" },
		{ "^$", "-" },
		{ "x*", "-" },
		{ "a|\\w", "-" },
		{ "(?:abc)?", "-" },
		/* beyond the analysis */
		{ "(?x) a b c", "-" },
		{ "(a)\\1", "-" },
		{ "(?(1)a|b)", "-" },
		{ "(*UTF)abc", "-" },
		{ "(?R)?abc", "-" },
	};

	(void)state;
	for (gsize i = 0; i < G_N_ELEMENTS(cases); i++) {
		char *got = literals_text(cases[i][0]);

		if (strcmp(got, cases[i][1]) != 0)
			fail_msg("%s: want %s, got %s", cases[i][0], cases[i][1], got);
		g_free(got);
	}
}

/* Whether caseless UTF/UCP `pattern` matches all of `subject`. */
static gboolean
caseless_match(pcre2_code *code, pcre2_match_data *md, const char *subject,
	gsize len)
{
	return pcre2_match(code, (PCRE2_SPTR)subject, len, 0, 0, md, NULL) >= 0;
}

static pcre2_code *
caseless_compile(const char *pattern)
{
	int err;
	PCRE2_SIZE off;
	pcre2_code *code = pcre2_compile((PCRE2_SPTR)pattern, PCRE2_ZERO_TERMINATED,
		PCRE2_UTF | PCRE2_UCP | PCRE2_CASELESS, &err, &off, NULL);

	assert_non_null(code);
	pcre2_jit_compile(code, PCRE2_JIT_COMPLETE);
	return code;
}

/* literals_fold folds onto an ASCII letter exactly the characters that a
 * caseless pattern of that letter matches, over all of Unicode. */
static void
test_literals_fold_agrees_with_pcre2(void **state)
{
	pcre2_code *any = caseless_compile("^[a-z]$");
	pcre2_match_data *md = pcre2_match_data_create(4, NULL);
	guint folded_letters = 0;

	(void)state;
	for (gunichar c = 0x80; c <= 0x10FFFF; c++) {
		char buf[8], out[8];
		gsize n, m;
		gboolean matches;

		if (c >= 0xD800 && c <= 0xDFFF)
			continue;
		n = (gsize)g_unichar_to_utf8(c, buf);
		matches = caseless_match(any, md, buf, n);
		m = literals_fold(buf, n, out);
		if (!matches) {
			/* left as it is */
			if (m != n || memcmp(buf, out, n) != 0)
				fail_msg("U+%04X folded but matches no ASCII letter", c);
			continue;
		}
		if (m != 1 || !g_ascii_islower(out[0]))
			fail_msg("U+%04X matches an ASCII letter caselessly and is not folded", c);
		{
			char pat[4] = { '^', out[0], '$', '\0' };
			pcre2_code *one = caseless_compile(pat);

			if (!caseless_match(one, md, buf, n))
				fail_msg("U+%04X folded to '%c', which it does not match", c, out[0]);
			pcre2_code_free(one);
		}
		folded_letters++;
	}
	/* KELVIN SIGN and LONG S; a PCRE2 that folds more fails above */
	assert_int_equal(folded_letters, 2);
	{
		const char *text = "AbC \xe2\x84\xaa\xc5\xbf \xc3\xa9";
		char out[32];
		gsize m = literals_fold(text, strlen(text), out);

		assert_int_equal(m, strlen("abc ks \xc3\xa9"));
		assert_memory_equal(out, "abc ks \xc3\xa9", m);
	}
	pcre2_match_data_free(md);
	pcre2_code_free(any);
}

static void
test_literals_set_scan(void **state)
{
	literals_set *set = literals_set_new();
	static const char *const words[] = { "he", "she", "his", "hers",
		"it\xe2\x80\x99s", "x" };
	static const char *const pair[] = { "his", "x" };
	static const char *const pair_again[] = { "x", "his" };
	static const char *const either[] = { "zzz", "hers" };
	guint ids[G_N_ELEMENTS(words)], pair_id, either_id;
	guint8 found[16];
	const char *text = "ushers: it\xe2\x80\x99s";

	(void)state;
	for (gsize i = 0; i < G_N_ELEMENTS(words); i++)
		ids[i] = literals_set_add_group(set, &words[i], 1);
	assert_int_equal(literals_set_add_group(set, &words[1], 1), ids[1]);
	pair_id = literals_set_add_group(set, pair, 2);
	assert_int_equal(literals_set_add_group(set, pair_again, 2), pair_id);
	either_id = literals_set_add_group(set, either, 2);
	assert_int_equal(literals_set_count(set), G_N_ELEMENTS(words) + 2);
	literals_set_compile(set);
	memset(found, 0, sizeof found);
	literals_set_scan(set, text, strlen(text), found);
	assert_int_equal(found[ids[0]], 1);   /* he, inside "ushers" */
	assert_int_equal(found[ids[1]], 1);   /* she */
	assert_int_equal(found[ids[2]], 0);   /* his */
	assert_int_equal(found[ids[3]], 1);   /* hers */
	assert_int_equal(found[ids[4]], 1);
	assert_int_equal(found[ids[5]], 0);
	assert_int_equal(found[pair_id], 0);  /* neither "his" nor "x" */
	assert_int_equal(found[either_id], 1);  /* "hers" */
	/* a literal cut by the end of the text is not there */
	memset(found, 0, sizeof found);
	literals_set_scan(set, "it\xe2\x80", 4, found);
	assert_int_equal(found[ids[4]], 0);
	literals_set_scan(set, "a x", 3, found);
	assert_int_equal(found[pair_id], 1);
	literals_set_free(set);
}

/* Every sentence given to the detector: the same verdict with and without
 * the prefilter. */
static void
compare_verdicts(kith_rules *fast, kith_rules *slow, const char *sentence,
	guint *matched)
{
	rules_verdict a, b;
	gsize len = strlen(sentence);

	if (!g_utf8_validate(sentence, (gssize)len, NULL))
		return;
	rules_classify(fast, sentence, len, &a);
	rules_classify(slow, sentence, len, &b);
	if (a.kind != b.kind || g_strcmp0(a.rule_id, b.rule_id) != 0 ||
	    g_strcmp0(a.target, b.target) != 0)
		fail_msg("prefilter changed the verdict on \"%s\": %s, not %s",
			sentence, a.rule_id ? a.rule_id : "none",
			b.rule_id ? b.rule_id : "none");
	if (a.kind != 0)
		(*matched)++;
	g_free(a.target);
	g_free(b.target);
}

static void
test_prefilter_same_verdicts(void **state)
{
	static const char *const sources[] = {
		"../shared/eval/parakweet-train.tsv",
		"../shared/eval/parakweet-train-relabelled.tsv",
		"../shared/eval/lin-dev.tsv",
	};
	static const char *const own[] = {
		"Could you send me your CV?", "COULD YOU SEND ME YOUR CV?",
		"I\xe2\x80\x99ll introduce you to Sarah next week.",
		"Please review the draft.", "Thanks a lot!", "Meet Anna Lee, our CTO.",
		"\xe2\x84\xaa" "indly send it.", "I'll \xc5\xbf" "end it tomorrow.",
		"Let me know if you have any questions.", "", "?",
	};
	kith_rules *fast = NULL, *slow = NULL;
	char *err = NULL;
	guint matched = 0, sentences = 0;

	(void)state;
	assert_int_equal(rules_load_dirs("rules", NULL, &fast, &err), KITH_OK);
	assert_int_equal(rules_load_dirs("rules", NULL, &slow, &err), KITH_OK);
	rules_set_prefilter(slow, FALSE);
	for (gsize i = 0; i < G_N_ELEMENTS(own); i++, sentences++)
		compare_verdicts(fast, slow, own[i], &matched);
	GPtrArray *files = g_ptr_array_new_with_free_func(g_free);
	GDir *dir = g_dir_open("tests/data", 0, NULL);
	const char *name;

	for (gsize f = 0; f < G_N_ELEMENTS(sources); f++)
		g_ptr_array_add(files, g_strdup(sources[f]));
	/* every line of the test messages, too: whatever ../shared holds */
	while (dir != NULL && (name = g_dir_read_name(dir)) != NULL)
		if (g_str_has_suffix(name, ".eml"))
			g_ptr_array_add(files, g_build_filename("tests/data", name, NULL));
	if (dir != NULL)
		g_dir_close(dir);
	for (guint f = 0; f < files->len; f++) {
		char *data = NULL;
		char **lines;

		if (!g_file_get_contents(files->pdata[f], &data, NULL, NULL))
			continue;
		lines = g_strsplit(data, "\n", -1);
		for (char **l = lines; *l != NULL; l++) {
			const char *tab = strchr(*l, '\t');

			compare_verdicts(fast, slow, tab != NULL ? tab + 1 : *l, &matched);
			sentences++;
		}
		g_strfreev(lines);
		g_free(data);
	}
	g_ptr_array_unref(files);
	/* the comparison means something only if rules fired */
	assert_true(matched >= 5);
	print_message("prefilter: %u sentences, %u matched, same verdicts\n",
		sentences, matched);
	rules_free(fast);
	rules_free(slow);
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
		cmocka_unit_test(test_literals_required),
		cmocka_unit_test(test_literals_fold_agrees_with_pcre2),
		cmocka_unit_test(test_literals_set_scan),
		cmocka_unit_test(test_prefilter_same_verdicts),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
