/*
 * rules.c - loading, checking and running the PCRE2 rule files of
 * kith-rules(5).
 *
 * A rule file holds one rule per line: ID KIND [WEIGHT] PATTERN, with '#'
 * comments and blank lines.  Every pattern is compiled once (UTF, caseless,
 * Unicode properties) and JIT-compiled when the library can.
 *
 * Ownership: a kith_rules owns its rules; each rule owns its strings and
 * compiled pattern.
 */
#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>
#include <string.h>

#include "detect.h"
#include "literals.h"
#include "rules.h"

#define RULE_DEFAULT_WEIGHT 10
#define RULE_MAX_WEIGHT 1000
#define RULE_KIND_VETO (-1)
#define RULE_KIND_OFF  (-2)
#define RULE_KINDS_ALL (((1u << DETECT_KIND_COUNT) - 1) & ~1u)

typedef struct {
	char *id;
	char *file;
	guint line;
	int kind;          /* detect_kind, RULE_KIND_VETO or RULE_KIND_OFF */
	guint vetoes;      /* veto rules: bit (1 << kind) per kind vetoed */
	int weight;
	guint seq;         /* load order, for stable ties */
	pcre2_code *code;  /* NULL for "off" rules */
	guint32 target;    /* number of the group named "target", or 0 */
	gboolean jit;      /* code was JIT-compiled: pcre2_jit_match runs it */
	GPtrArray *need;   /* literals_required(); NULL: the pattern always runs */
	GArray *need_ids;  /* guint: its clauses' group ids in kith_rules.literals */
} rule;


struct kith_rules {
	GPtrArray *rules;     /* rule*, active, load order (owned) */
	GPtrArray *positive;  /* rule*, borrowed: non-veto, heaviest first */
	GPtrArray *veto;      /* rule*, borrowed */
	literals_set *literals;  /* every rule's clauses, searched for in one pass */
	gboolean prefilter;      /* skip rules whose literals are missing */
	guint32 max_pairs;    /* ovector size needed by the largest pattern */
};

/* One sentence as the rules see it: the text, and which literals it has. */
#define SENTENCE_STACK 1024
typedef struct {
	const char *s;
	gsize len;
	guint8 *found;        /* per clause group: 1 when the sentence has one of its literals;
	                       * NULL: every rule runs */
	char folded_buf[SENTENCE_STACK];
	guint8 found_buf[SENTENCE_STACK];
} sentence_scan;

/* A veto's match: bytes [start, end) veto the kinds in `mask`. */
typedef struct {
	gsize start, end;
	guint mask;
} veto_span;

static void
rule_free(gpointer p)
{
	rule *r = p;

	if (r == NULL)
		return;
	g_free(r->id);
	g_free(r->file);
	pcre2_code_free(r->code);
	if (r->need_ids != NULL)
		g_array_unref(r->need_ids);
	if (r->need != NULL)
		g_ptr_array_unref(r->need);
	g_free(r);
}

/* 1-based column (in characters) of byte `off` of `line`. */
static guint
column_of(const char *line, gsize off)
{
	gsize len = strlen(line);

	if (off > len)
		off = len;
	return (guint)g_utf8_pointer_to_offset(line, line + off) + 1;
}

static void
add_error(GString *errors, const char *file, guint lineno, const char *line,
	gsize off, const char *fmt, ...) G_GNUC_PRINTF(6, 7);

static void
add_error(GString *errors, const char *file, guint lineno, const char *line,
	gsize off, const char *fmt, ...)
{
	va_list ap;

	if (errors->len > 0)
		g_string_append_c(errors, '\n');
	g_string_append_printf(errors, "%s:%u:%u: ", file, lineno,
		column_of(line, off));
	va_start(ap, fmt);
	g_string_append_vprintf(errors, fmt, ap);
	va_end(ap);
}

/* Next whitespace-separated field of `line` from *pos: its byte offset
 * and length; FALSE at the end of the line. */
static gboolean
next_field(const char *line, gsize *pos, gsize *start, gsize *len)
{
	gsize p = *pos;

	while (line[p] == ' ' || line[p] == '\t')
		p++;
	if (line[p] == '\0')
		return FALSE;
	*start = p;
	while (line[p] != '\0' && line[p] != ' ' && line[p] != '\t')
		p++;
	*len = p - *start;
	*pos = p;
	return TRUE;
}

static gboolean
valid_id(const char *id)
{
	for (const char *p = id; *p != '\0'; p++)
		if (!g_ascii_isalnum(*p) && strchr("._-:", *p) == NULL)
			return FALSE;
	return *id != '\0';
}

/* Parses "request", "veto", "veto:request,promise" or "off". */
static gboolean
parse_kind(const char *text, int *kind, guint *vetoes)
{
	char **names = NULL;
	gboolean ok = TRUE;
	detect_kind k;

	*vetoes = 0;
	if (strcmp(text, "off") == 0) {
		*kind = RULE_KIND_OFF;
		goto out;
	}
	if (strcmp(text, "veto") == 0) {
		*kind = RULE_KIND_VETO;
		*vetoes = RULE_KINDS_ALL;
		goto out;
	}
	if (g_str_has_prefix(text, "veto:")) {
		*kind = RULE_KIND_VETO;
		names = g_strsplit(text + 5, ",", -1);
		for (char **n = names; *n != NULL; n++) {
			if (!detect_kind_parse(*n, &k) || k == DETECT_NONE) {
				ok = FALSE;
				goto out;
			}
			*vetoes |= 1u << k;
		}
		ok = *vetoes != 0;
		goto out;
	}
	ok = detect_kind_parse(text, &k) && k != DETECT_NONE;
	*kind = (int)k;
out:
	g_strfreev(names);
	return ok;
}

static pcre2_code *
compile_pattern(const char *pattern, int *errcode, PCRE2_SIZE *erroff,
	gboolean *jit)
{
	pcre2_code *code;

	*jit = FALSE;
	code = pcre2_compile((PCRE2_SPTR)pattern, PCRE2_ZERO_TERMINATED,
		PCRE2_UTF | PCRE2_UCP | PCRE2_CASELESS, errcode, erroff, NULL);
	/* JIT is optional.  Its generated code is opaque to valgrind, so
	 * `make valgrind` sets KITH_PCRE2_NO_JIT and the same patterns run in
	 * PCRE2's interpreter, which memcheck can follow. */
	if (code != NULL && g_getenv("KITH_PCRE2_NO_JIT") == NULL)
		*jit = pcre2_jit_compile(code, PCRE2_JIT_COMPLETE) == 0;
	return code;
}

/* Parses one non-blank, non-comment line; NULL with an error added. */
static rule *
parse_line(const char *file, guint lineno, const char *line, GString *errors)
{
	rule *r = g_new0(rule, 1);
	gsize pos = 0, s, n, ks, kn;
	char *field = NULL;
	const char *pattern;
	int errcode;
	PCRE2_SIZE erroff;
	PCRE2_UCHAR msg[256];
	gboolean ok = FALSE;

	r->file = g_strdup(file);
	r->line = lineno;
	r->weight = RULE_DEFAULT_WEIGHT;
	next_field(line, &pos, &s, &n);
	r->id = g_strndup(line + s, n);
	if (!valid_id(r->id)) {
		add_error(errors, file, lineno, line, s,
			"bad rule id '%s' (letters, digits and ._-: only)", r->id);
		goto out;
	}
	if (!next_field(line, &pos, &ks, &kn)) {
		add_error(errors, file, lineno, line, pos,
			"missing kind after rule id '%s'", r->id);
		goto out;
	}
	field = g_strndup(line + ks, kn);
	if (!parse_kind(field, &r->kind, &r->vetoes)) {
		add_error(errors, file, lineno, line, ks, "unknown kind '%s'", field);
		goto out;
	}
	g_clear_pointer(&field, g_free);
	if (r->kind == RULE_KIND_OFF) {
		ok = TRUE;
		goto out;
	}
	if (!next_field(line, &pos, &s, &n)) {
		add_error(errors, file, lineno, line, pos,
			"missing pattern for rule '%s'", r->id);
		goto out;
	}
	/* An all-digit field is the weight when a pattern follows it. */
	if (strspn(line + s, "0123456789") == n) {
		gsize save = pos, ps, pn;

		if (next_field(line, &pos, &ps, &pn)) {
			field = g_strndup(line + s, n);
			r->weight = (int)g_ascii_strtoll(field, NULL, 10);
			if (n > 4 || r->weight < 1 || r->weight > RULE_MAX_WEIGHT) {
				add_error(errors, file, lineno, line, s,
					"weight %s out of range 1..%d", field,
					RULE_MAX_WEIGHT);
				goto out;
			}
			s = ps;
		} else {
			pos = save;
		}
	}
	pattern = line + s;
	r->code = compile_pattern(pattern, &errcode, &erroff, &r->jit);
	if (r->code == NULL) {
		pcre2_get_error_message(errcode, msg, sizeof msg);
		add_error(errors, file, lineno, line, s + erroff, "%s", (char *)msg);
		goto out;
	}
	{
		int t = pcre2_substring_number_from_name(r->code,
			(PCRE2_SPTR)"target");

		r->target = t > 0 ? (guint32)t : 0;
	}
	r->need = literals_required(pattern);
	ok = TRUE;
out:
	g_free(field);
	if (!ok)
		g_clear_pointer(&r, rule_free);
	return r;
}

/* Strips a trailing CR and trailing blanks in place. */
static void
chomp(char *line)
{
	gsize n = strlen(line);

	while (n > 0 && (line[n - 1] == '\r' || line[n - 1] == ' ' ||
			 line[n - 1] == '\t'))
		line[--n] = '\0';
}

/*
 * Parses a whole file into `out` (rule*, owned by the array).  Every error
 * is appended to `errors`.  Returns KITH_OK, KITH_E_NOINPUT (unreadable)
 * or KITH_E_DATA (errors appended).
 */
static kith_status
parse_file(const char *path, GPtrArray *out, GString *errors)
{
	char *data = NULL;
	char **lines = NULL;
	GError *gerr = NULL;
	GHashTable *seen = NULL;
	gsize len;
	gsize before = errors->len;
	kith_status st = KITH_OK;

	if (!g_file_get_contents(path, &data, &len, &gerr)) {
		if (errors->len > 0)
			g_string_append_c(errors, '\n');
		g_string_append_printf(errors, "%s: %s", path, gerr->message);
		st = KITH_E_NOINPUT;
		goto out;
	}
	seen = g_hash_table_new(g_str_hash, g_str_equal);
	lines = g_strsplit(data, "\n", -1);
	for (guint i = 0; lines[i] != NULL; i++) {
		char *line = lines[i];
		const char *p = line;
		rule *r;

		if (!g_utf8_validate(line, -1, &p)) {
			add_error(errors, path, i + 1, "", 0,
				"invalid UTF-8 at byte %zu", (gsize)(p - line) + 1);
			continue;
		}
		chomp(line);
		p = line + strspn(line, " \t");
		if (*p == '\0' || *p == '#')
			continue;
		r = parse_line(path, i + 1, line, errors);
		if (r == NULL)
			continue;
		if (g_hash_table_contains(seen, r->id)) {
			rule *first = g_hash_table_lookup(seen, r->id);

			add_error(errors, path, i + 1, line, (gsize)(p - line),
				"duplicate rule id '%s' (first on line %u)",
				r->id, first->line);
			rule_free(r);
			continue;
		}
		g_hash_table_insert(seen, r->id, r);
		g_ptr_array_add(out, r);
	}
	if (memchr(data, '\0', len) != NULL)
		add_error(errors, path, 1, "", 0, "file contains NUL bytes");
	if (errors->len != before)
		st = KITH_E_DATA;
out:
	if (seen != NULL)
		g_hash_table_unref(seen);
	g_strfreev(lines);
	g_free(data);
	g_clear_error(&gerr);
	return st;
}

static gint
by_weight(gconstpointer a, gconstpointer b)
{
	const rule *ra = *(rule *const *)a;
	const rule *rb = *(rule *const *)b;

	if (ra->weight != rb->weight)
		return ra->weight > rb->weight ? -1 : 1;
	return ra->seq < rb->seq ? -1 : ra->seq > rb->seq;
}

/* Gathers the literals of every rule into one set, each once. */
static void
index_literals(kith_rules *rules)
{
	rules->literals = literals_set_new();
	for (guint i = 0; i < rules->rules->len; i++) {
		rule *r = g_ptr_array_index(rules->rules, i);

		if (r->need == NULL)
			continue;
		r->need_ids = g_array_new(FALSE, FALSE, sizeof(guint));
		for (guint c = 0; c < r->need->len; c++) {
			const GPtrArray *clause = r->need->pdata[c];
			guint id = literals_set_add_group(rules->literals,
				(const char *const *)clause->pdata, clause->len);

			g_array_append_val(r->need_ids, id);
		}
	}
	literals_set_compile(rules->literals);
	rules->prefilter = TRUE;
}

void
rules_set_prefilter(kith_rules *rules, gboolean on)
{
	if (rules != NULL)
		rules->prefilter = on;
}

/* Builds the indexes of a loaded set and sizes the match data. */
static void
rules_finish(kith_rules *rules)
{
	index_literals(rules);
	for (guint i = 0; i < rules->rules->len; i++) {
		rule *r = g_ptr_array_index(rules->rules, i);
		guint32 pairs = 0;

		r->seq = i;
		pcre2_pattern_info(r->code, PCRE2_INFO_CAPTURECOUNT, &pairs);
		if (pairs + 1 > rules->max_pairs)
			rules->max_pairs = pairs + 1;
		g_ptr_array_add(r->kind == RULE_KIND_VETO ? rules->veto :
			rules->positive, r);
	}
	g_ptr_array_sort(rules->positive, by_weight);
}

/* Moves the rules of `parsed` into `rules`, replacing (or, for "off",
 * removing) earlier rules with the same id. */
static void
merge_rules(GPtrArray *active, GHashTable *index, GPtrArray *parsed)
{
	for (guint i = 0; i < parsed->len; i++) {
		rule *r = g_ptr_array_index(parsed, i);
		gpointer slot;

		parsed->pdata[i] = NULL;
		if (g_hash_table_lookup_extended(index, r->id, NULL, &slot)) {
			guint at = GPOINTER_TO_UINT(slot);

			g_hash_table_remove(index, r->id);
			rule_free(g_ptr_array_index(active, at));
			active->pdata[at] = NULL;
		}
		if (r->kind == RULE_KIND_OFF) {
			rule_free(r);
			continue;
		}
		g_ptr_array_add(active, r);
		g_hash_table_insert(index, r->id, GUINT_TO_POINTER(active->len - 1));
	}
}

kith_status
rules_load_files(const char *const *paths, gsize n, kith_rules **out,
	char **errstr)
{
	GPtrArray *active = g_ptr_array_new();
	GHashTable *index = g_hash_table_new(g_str_hash, g_str_equal);
	GString *errors = g_string_new(NULL);
	kith_rules *rules = NULL;
	kith_status st = KITH_OK, fst;

	for (gsize i = 0; i < n; i++) {
		GPtrArray *parsed = g_ptr_array_new_with_free_func(rule_free);

		fst = parse_file(paths[i], parsed, errors);
		if (fst != KITH_OK && (st == KITH_OK || fst == KITH_E_DATA))
			st = fst;
		if (st == KITH_OK)
			merge_rules(active, index, parsed);
		g_ptr_array_unref(parsed);
	}
	if (st != KITH_OK) {
		kith_fail(errstr, st, "%s", errors->str);
		goto out;
	}
	rules = g_new0(kith_rules, 1);
	rules->rules = g_ptr_array_new_with_free_func(rule_free);
	rules->positive = g_ptr_array_new();
	rules->veto = g_ptr_array_new();
	for (guint i = 0; i < active->len; i++)
		if (active->pdata[i] != NULL)
			g_ptr_array_add(rules->rules, active->pdata[i]);
	g_ptr_array_set_size(active, 0);
	rules_finish(rules);
	*out = rules;
out:
	for (guint i = 0; i < active->len; i++)
		rule_free(active->pdata[i]);
	g_ptr_array_unref(active);
	g_hash_table_unref(index);
	g_string_free(errors, TRUE);
	return st;
}

static gint
compare_strings(gconstpointer a, gconstpointer b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* Appends the "*.rules" files of `dir` (absent: none), in name order. */
static void
list_rule_files(const char *dir, GPtrArray *paths)
{
	GDir *d;
	const char *name;
	GPtrArray *found;

	if (dir == NULL || (d = g_dir_open(dir, 0, NULL)) == NULL)
		return;
	found = g_ptr_array_new();
	while ((name = g_dir_read_name(d)) != NULL)
		if (g_str_has_suffix(name, ".rules") && name[0] != '.')
			g_ptr_array_add(found, g_build_filename(dir, name, NULL));
	g_dir_close(d);
	g_ptr_array_sort(found, compare_strings);
	for (guint i = 0; i < found->len; i++)
		g_ptr_array_add(paths, found->pdata[i]);
	g_ptr_array_unref(found);
}

GPtrArray *
rules_dir_files(const char *dir)
{
	GPtrArray *paths = g_ptr_array_new_with_free_func(g_free);

	list_rule_files(dir, paths);
	return paths;
}

kith_status
rules_load_dirs(const char *system_dir, const char *user_dir,
	kith_rules **out, char **errstr)
{
	GPtrArray *paths;
	kith_status st;

	/* Without the shipped rules nothing would be detected, silently: a
	 * broken install or a wrong rules_dir is an error, not a quiet kith. */
	if (!g_file_test(system_dir, G_FILE_TEST_IS_DIR))
		return kith_fail(errstr, KITH_E_CONFIG, "no rules directory %s "
			"(is kith installed? see rules_dir in kith.conf(5))", system_dir);
	paths = rules_dir_files(system_dir);
	list_rule_files(user_dir, paths);
	st = rules_load_files((const char *const *)paths->pdata, paths->len,
		out, errstr);
	g_ptr_array_unref(paths);
	return st;
}

kith_status
rules_check_file(const char *path, char **errstr)
{
	GPtrArray *parsed = g_ptr_array_new_with_free_func(rule_free);
	GString *errors = g_string_new(NULL);
	kith_status st;

	st = parse_file(path, parsed, errors);
	if (st != KITH_OK)
		kith_fail(errstr, st, "%s", errors->str);
	g_ptr_array_unref(parsed);
	g_string_free(errors, TRUE);
	return st;
}

void
rules_free(kith_rules *rules)
{
	if (rules == NULL)
		return;
	g_ptr_array_unref(rules->positive);
	g_ptr_array_unref(rules->veto);
	g_ptr_array_unref(rules->rules);
	literals_set_free(rules->literals);
	g_free(rules);
}

guint
rules_count(const kith_rules *rules)
{
	return rules != NULL ? rules->rules->len : 0;
}

/* Runs rule `r` from byte `start`; TRUE with ov[0..1] set on a match.
 * JIT code goes through pcre2_jit_match, which skips pcre2_match's
 * checks: a sentence runs past a hundred rules, so they add up. */
static gboolean
match_at(const rule *r, const char *s, gsize len, gsize start,
	pcre2_match_data *md)
{
	if (r->jit)
		return pcre2_jit_match(r->code, (PCRE2_SPTR)s, len, start, 0, md,
			NULL) >= 0;
	return pcre2_match(r->code, (PCRE2_SPTR)s, len, start, PCRE2_NO_UTF_CHECK,
		md, NULL) >= 0;
}

/* Where to look after a match [ms, me): past it, or one character on when
 * it was empty. */
static gsize
after_match(const char *s, gsize len, gsize ms, gsize me)
{
	if (me > ms)
		return me;
	if (me >= len)
		return len + 1;
	return (gsize)(g_utf8_next_char(s + me) - s);
}

static void
sentence_init(sentence_scan *st, const kith_rules *rules, const char *s, gsize len)
{
	guint n = literals_set_count(rules->literals);
	char *folded;
	gsize folded_len;

	st->s = s;
	st->len = len;
	st->found = NULL;
	if (!rules->prefilter)
		return;
	folded = len <= SENTENCE_STACK ? st->folded_buf : g_malloc(len);
	folded_len = literals_fold(s, len, folded);
	st->found = n <= SENTENCE_STACK ? st->found_buf : g_malloc(n);
	memset(st->found, 0, n);
	literals_set_scan(rules->literals, folded, folded_len, st->found);
	if (folded != st->folded_buf)
		g_free(folded);
}

static void
sentence_clear(sentence_scan *st)
{
	if (st->found != st->found_buf)
		g_free(st->found);
	st->found = NULL;
}

/* Whether `r` can match the sentence: FALSE when a clause of the literals
 * every match of its pattern contains has none in the sentence. */
static gboolean
may_match(const rule *r, const sentence_scan *st)
{
	if (r->need_ids == NULL || st->found == NULL)
		return TRUE;
	for (guint k = 0; k < r->need_ids->len; k++)
		if (!st->found[g_array_index(r->need_ids, guint, k)])
			return FALSE;
	return TRUE;
}

/* Every match of every veto rule (a new array of veto_span). */
static GArray *
collect_vetoes(const kith_rules *rules, sentence_scan *st)
{
	GArray *spans = g_array_new(FALSE, FALSE, sizeof(veto_span));
	pcre2_match_data *md = pcre2_match_data_create(rules->max_pairs, NULL);
	PCRE2_SIZE *ov = pcre2_get_ovector_pointer(md);
	const char *s = st->s;
	gsize len = st->len;

	for (guint i = 0; i < rules->veto->len; i++) {
		const rule *r = g_ptr_array_index(rules->veto, i);
		gsize at = 0;

		if (!may_match(r, st))
			continue;
		while (at <= len && match_at(r, s, len, at, md)) {
			veto_span v = { ov[0], ov[1], r->vetoes };

			g_array_append_val(spans, v);
			at = after_match(s, len, ov[0], ov[1]);
		}
	}
	pcre2_match_data_free(md);
	return spans;
}

static gboolean
vetoed(const GArray *spans, int kind, gsize ms, gsize me)
{
	if (me == ms)
		me++;
	for (guint i = 0; i < spans->len; i++) {
		const veto_span *v = &g_array_index(spans, veto_span, i);
		gsize ve = v->end > v->start ? v->end : v->start + 1;

		if ((v->mask & (1u << kind)) && ms < ve && v->start < me)
			return TRUE;
	}
	return FALSE;
}

/* The first match of `r` that no veto removes; TRUE with ov set. */
static gboolean
surviving_match(const kith_rules *rules, const rule *r, sentence_scan *st,
	pcre2_match_data *md, GArray **spans)
{
	PCRE2_SIZE *ov = pcre2_get_ovector_pointer(md);
	const char *s = st->s;
	gsize len = st->len;
	gsize at = 0;

	if (!may_match(r, st))
		return FALSE;
	while (at <= len && match_at(r, s, len, at, md)) {
		if (*spans == NULL)
			*spans = collect_vetoes(rules, st);
		if (!vetoed(*spans, r->kind, ov[0], ov[1]))
			return TRUE;
		at = after_match(s, len, ov[0], ov[1]);
	}
	return FALSE;
}

int
rules_classify(const kith_rules *rules, const char *sentence, gsize len,
	rules_verdict *out)
{
	pcre2_match_data *md;
	GArray *spans = NULL;
	sentence_scan st;

	memset(out, 0, sizeof *out);
	if (rules == NULL || rules->positive->len == 0)
		return 0;
	md = pcre2_match_data_create(rules->max_pairs, NULL);
	sentence_init(&st, rules, sentence, len);
	for (guint i = 0; i < rules->positive->len; i++) {
		const rule *r = g_ptr_array_index(rules->positive, i);
		PCRE2_SIZE *ov = pcre2_get_ovector_pointer(md);

		if (!surviving_match(rules, r, &st, md, &spans))
			continue;
		out->kind = r->kind;
		out->rule_id = r->id;
		out->weight = r->weight;
		if (r->target != 0 && ov[2 * r->target] != PCRE2_UNSET)
			out->target = g_strndup(sentence + ov[2 * r->target],
				ov[2 * r->target + 1] - ov[2 * r->target]);
		break;
	}
	if (spans != NULL)
		g_array_unref(spans);
	sentence_clear(&st);
	pcre2_match_data_free(md);
	return out->kind;
}

static const char *
rule_kind_text(const rule *r, char *buf, gsize size)
{
	GString *s;

	if (r->kind != RULE_KIND_VETO)
		return detect_kind_name((detect_kind)r->kind);
	if (r->vetoes == RULE_KINDS_ALL)
		return "veto";
	s = g_string_new("veto:");
	for (int k = 1; k < DETECT_KIND_COUNT; k++)
		if (r->vetoes & (1u << k))
			g_string_append_printf(s, "%s%s", s->len > 5 ? "," : "",
				detect_kind_name((detect_kind)k));
	g_strlcpy(buf, s->str, size);
	g_string_free(s, TRUE);
	return buf;
}

char *
rules_describe(const kith_rules *rules)
{
	GString *out = g_string_new(NULL);
	char buf[128];

	for (guint i = 0; rules != NULL && i < rules->rules->len; i++) {
		const rule *r = g_ptr_array_index(rules->rules, i);

		g_string_append_printf(out, "%s\t%s\t%d\t%s:%u\n", r->id,
			rule_kind_text(r, buf, sizeof buf), r->weight, r->file,
			r->line);
	}
	return g_string_free(out, FALSE);
}
