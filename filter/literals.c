/*
 * literals.c - the required literals of a PCRE2 pattern (literals.h).
 *
 * A recursive descent over the pattern gives each node two facts: the
 * small set of strings it matches exactly, when it has one ("could",
 * "(?:I|we)"), and a few clauses, sets of strings such that each of its
 * matches contains one string of every clause.  A sequence keeps the
 * clauses of its parts (the most selective few); an alternation needs
 * clauses from every branch and joins them pairwise; an optional part
 * has none.  Anything not followed makes the whole pattern "no literals",
 * never a wrong answer.
 */
#include <stdlib.h>
#include <string.h>

#include "literals.h"

#define EXACT_MAX 16   /* strings in an exact set */
#define EXACT_LEN 48   /* bytes in one of them */
#define DEPTH_MAX 64   /* nested groups followed */
#define CLAUSES_MAX 4  /* clauses kept per node */
#define PAIRWISE_MAX 8 /* strings in a clause that alternatives still copy */

typedef struct {
	GPtrArray *exact;  /* the node matches exactly one of these; NULL: unknown */
	GPtrArray *req;    /* clauses (GPtrArray of strings): its every match
	                    * contains a string of each; NULL or empty: none */
} info;

typedef struct {
	const char *p;     /* the next pattern byte */
	gboolean bad;      /* beyond the analysis: no literals at all */
	int depth;
} parser;

static GPtrArray *
set_new(void)
{
	return g_ptr_array_new_with_free_func(g_free);
}

static void
set_free(GPtrArray *set)
{
	if (set != NULL)
		g_ptr_array_unref(set);
}

static void
info_clear(info *x)
{
	g_clear_pointer(&x->exact, g_ptr_array_unref);
	g_clear_pointer(&x->req, g_ptr_array_unref);
}

static info
info_any(void)
{
	return (info){ NULL, NULL };
}

static info
info_string(const char *s, gsize n)
{
	info x = { set_new(), NULL };

	g_ptr_array_add(x.exact, g_strndup(s, n));
	return x;
}

static info
info_empty(void)
{
	return info_string("", 0);
}

static gboolean
set_has_empty(const GPtrArray *set)
{
	for (guint i = 0; i < set->len; i++)
		if (*(const char *)set->pdata[i] == '\0')
			return TRUE;
	return FALSE;
}

/* Drops duplicates and every string that contains another: a text that
 * contains the longer one contains the shorter. */
static void
set_simplify(GPtrArray *set)
{
	for (guint i = 0; i < set->len;) {
		const char *a = set->pdata[i];
		gboolean drop = FALSE;

		for (guint j = 0; j < set->len && !drop; j++) {
			const char *b = set->pdata[j];

			if (j == i || strstr(a, b) == NULL)
				continue;
			/* of two equal strings, the later goes */
			drop = strcmp(a, b) != 0 || j < i;
		}
		if (drop)
			g_ptr_array_remove_index(set, i);
		else
			i++;
	}
}

static GPtrArray *
clauses_new(void)
{
	return g_ptr_array_new_with_free_func((GDestroyNotify)g_ptr_array_unref);
}

/* The clauses a node requires (consumes *x): its exact set unless that
 * can be empty, else what it already required; NULL: none. */
static GPtrArray *
info_to_req(info *x)
{
	GPtrArray *req = NULL;

	if (x->exact != NULL) {
		if (!set_has_empty(x->exact)) {
			req = clauses_new();
			g_ptr_array_add(req, g_steal_pointer(&x->exact));
		}
	} else if (x->req != NULL && x->req->len > 0) {
		req = g_steal_pointer(&x->req);
	}
	info_clear(x);
	return req;
}

static gsize
set_shortest(const GPtrArray *set)
{
	gsize n = G_MAXSIZE;

	for (guint i = 0; i < set->len; i++)
		n = MIN(n, strlen(set->pdata[i]));
	return n;
}

typedef struct {
	GPtrArray *clause;
	gsize shortest;
} ranked_clause;

/* More selective clauses first: longer shortest strings, then fewer. */
static gint
clause_order(gconstpointer pa, gconstpointer pb)
{
	const ranked_clause *a = pa, *b = pb;

	if (a->shortest != b->shortest)
		return a->shortest > b->shortest ? -1 : 1;
	return a->clause->len < b->clause->len ? -1 : a->clause->len > b->clause->len;
}

/* Keeps the CLAUSES_MAX most selective clauses, best first. */
static void
clauses_trim(GPtrArray *clauses)
{
	ranked_clause *r;
	guint n = clauses->len;

	if (n < 2)
		return;
	r = g_new(ranked_clause, n);
	for (guint i = 0; i < n; i++)
		r[i] = (ranked_clause){ clauses->pdata[i], set_shortest(clauses->pdata[i]) };
	qsort(r, n, sizeof *r, clause_order);
	for (guint i = 0; i < n; i++)
		clauses->pdata[i] = r[i].clause;
	g_free(r);
	if (n > CLAUSES_MAX)
		g_ptr_array_set_size(clauses, CLAUSES_MAX);
}

/* Both sets of clauses hold (both consumed). */
static GPtrArray *
clauses_and(GPtrArray *a, GPtrArray *b)
{
	if (a == NULL || b == NULL)
		return a != NULL ? a : b;
	for (guint i = 0; i < b->len; i++)
		g_ptr_array_add(a, g_ptr_array_ref(b->pdata[i]));
	g_ptr_array_unref(b);
	clauses_trim(a);
	return a;
}

/* a followed by b (both consumed). */
static info
info_concat(info a, info b)
{
	info x = info_any();

	if (a.exact != NULL && b.exact != NULL &&
	    a.exact->len * b.exact->len <= EXACT_MAX) {
		x.exact = set_new();
		for (guint i = 0; i < a.exact->len; i++)
			for (guint j = 0; j < b.exact->len; j++)
				g_ptr_array_add(x.exact, g_strconcat(a.exact->pdata[i],
					b.exact->pdata[j], NULL));
		info_clear(&a);
		info_clear(&b);
		for (guint i = 0; i < x.exact->len; i++)
			if (strlen(x.exact->pdata[i]) > EXACT_LEN) {
				x.req = info_to_req(&x);
				break;
			}
		return x;
	}
	x.req = clauses_and(info_to_req(&a), info_to_req(&b));
	return x;
}

static void
set_take_all(GPtrArray *into, GPtrArray *from)
{
	for (guint i = 0; i < from->len; i++)
		g_ptr_array_add(into, g_strdup(from->pdata[i]));
	g_ptr_array_unref(from);
}

/* The most strings in one of the first `n` clauses. */
static guint
clauses_largest(const GPtrArray *clauses, guint n)
{
	guint most = 0;

	for (guint i = 0; i < MIN(n, clauses->len); i++)
		most = MAX(most, ((const GPtrArray *)clauses->pdata[i])->len);
	return most;
}

/* a or b (both consumed). */
static info
info_alternate(info a, info b)
{
	info x = info_any();
	GPtrArray *ra, *rb;

	if (a.exact != NULL && b.exact != NULL &&
	    a.exact->len + b.exact->len <= EXACT_MAX) {
		x.exact = g_steal_pointer(&a.exact);
		set_take_all(x.exact, g_steal_pointer(&b.exact));
		info_clear(&a);
		info_clear(&b);
		return x;
	}
	ra = info_to_req(&a);
	rb = info_to_req(&b);
	if (ra == NULL || rb == NULL) {
		set_free(ra);
		set_free(rb);
		return x;
	}
	clauses_trim(ra);
	clauses_trim(rb);
	/* One clause a side, or large ones (a long list of alternatives,
	 * folded in one by one): the best of each, joined in place. */
	if ((ra->len == 1 && rb->len == 1) || clauses_largest(ra, 2) > PAIRWISE_MAX ||
	    clauses_largest(rb, 2) > PAIRWISE_MAX) {
		set_take_all(ra->pdata[0], g_ptr_array_ref(rb->pdata[0]));
		g_ptr_array_set_size(ra, 1);
		g_ptr_array_unref(rb);
		x.req = ra;
		return x;
	}
	/* (A1 and A2) or (B1 and B2) implies (A1 or B1), (A1 or B2), ...:
	 * the best two of each side, joined pairwise */
	x.req = clauses_new();
	for (guint i = 0; i < MIN(ra->len, 2); i++)
		for (guint j = 0; j < MIN(rb->len, 2); j++) {
			GPtrArray *either = set_new();

			set_take_all(either, g_ptr_array_ref(ra->pdata[i]));
			set_take_all(either, g_ptr_array_ref(rb->pdata[j]));
			g_ptr_array_add(x.req, either);
		}
	clauses_trim(x.req);
	g_ptr_array_unref(ra);
	g_ptr_array_unref(rb);
	return x;
}

/* `x` repeated min..max times (max < 0: unbounded); consumes x. */
static info
info_repeat(info x, long min, long max)
{
	info r = info_any();

	if (min == 1 && max == 1)
		return x;
	if (min == 0) {
		if (max == 1 && x.exact != NULL && x.exact->len < EXACT_MAX) {
			g_ptr_array_add(x.exact, g_strdup(""));
			return x;
		}
		info_clear(&x);
		return r;
	}
	r.req = info_to_req(&x);
	return r;
}

/* One code point as a literal: ASCII folds to lower case; a character
 * that has a case, or is a letter, may match others: anything. */
static info
info_codepoint(gunichar c)
{
	char buf[8];
	gsize n;

	if (c < 0x80) {
		buf[0] = g_ascii_tolower((char)c);
		return info_string(buf, 1);
	}
	if (!g_unichar_validate(c) || g_unichar_isalpha(c) ||
	    g_unichar_tolower(c) != c || g_unichar_toupper(c) != c ||
	    g_unichar_totitle(c) != c)
		return info_any();
	n = (gsize)g_unichar_to_utf8(c, buf);
	return info_string(buf, n);
}

static info parse_alternation(parser *ps);

/* Hexadecimal or octal digits up to `close` (0: at most `max` digits). */
static gboolean
parse_number(parser *ps, int base, char close, int max, gunichar *out)
{
	guint64 v = 0;
	int n = 0;

	for (; *ps->p != '\0' && *ps->p != close && (close != 0 || n < max); ps->p++, n++) {
		int d = base == 16 ? g_ascii_xdigit_value(*ps->p) :
			(*ps->p >= '0' && *ps->p <= '7' ? *ps->p - '0' : -1);

		if (d < 0) {
			if (close != 0)
				return FALSE;
			break;
		}
		v = v * (guint64)base + (guint64)d;
		if (v > 0x10FFFF)
			return FALSE;
	}
	if (close != 0) {
		if (*ps->p != close)
			return FALSE;
		ps->p++;
	}
	*out = (gunichar)v;
	return TRUE;
}

/* After a backslash outside a class. */
static info
parse_escape(parser *ps)
{
	char c = *ps->p;
	gunichar cp;

	if (c == '\0') {
		ps->bad = TRUE;
		return info_any();
	}
	ps->p++;
	switch (c) {
	case 'b': case 'B': case 'A': case 'z': case 'Z': case 'G': case 'K':
	case 'E':
		return info_empty();
	case 'd': case 'D': case 'w': case 'W': case 's': case 'S': case 'h':
	case 'H': case 'v': case 'V': case 'R': case 'N': case 'X': case 'C':
		return info_any();
	case 'p': case 'P':
		if (*ps->p == '{') {
			const char *end = strchr(ps->p, '}');

			if (end == NULL) {
				ps->bad = TRUE;
				return info_any();
			}
			ps->p = end + 1;
		} else if (*ps->p != '\0') {
			ps->p++;
		}
		return info_any();
	case 'Q': {
		const char *end = strstr(ps->p, "\\E");
		gsize n = end != NULL ? (gsize)(end - ps->p) : strlen(ps->p);
		info x = info_empty();

		for (const char *q = ps->p; q < ps->p + n; q = g_utf8_next_char(q))
			x = info_concat(x, info_codepoint(g_utf8_get_char(q)));
		ps->p += n + (end != NULL ? 2 : 0);
		return x;
	}
	case 'n': return info_codepoint('\n');
	case 't': return info_codepoint('\t');
	case 'r': return info_codepoint('\r');
	case 'f': return info_codepoint('\f');
	case 'e': return info_codepoint(0x1b);
	case 'a': return info_codepoint(0x07);
	case 'x':
		if (*ps->p == '{') {
			ps->p++;
			if (!parse_number(ps, 16, '}', 0, &cp))
				break;
		} else if (!parse_number(ps, 16, 0, 2, &cp)) {
			break;
		}
		return info_codepoint(cp);
	case 'o':
		if (*ps->p != '{')
			break;
		ps->p++;
		if (!parse_number(ps, 8, '}', 0, &cp))
			break;
		return info_codepoint(cp);
	case '0':
		if (!parse_number(ps, 8, 0, 2, &cp))
			break;
		return info_codepoint(cp);
	default:
		/* Escaped punctuation is itself; an escaped letter or digit
		 * not above (back references, \g, \k, \c, ...) is not
		 * followed. */
		if ((guchar)c >= 0x80) {
			ps->p--;
			cp = g_utf8_get_char_validated(ps->p, -1);
			if (cp == (gunichar)-1 || cp == (gunichar)-2)
				break;
			ps->p = g_utf8_next_char(ps->p);
			return info_codepoint(cp);
		}
		if (!g_ascii_isalnum(c))
			return info_codepoint((gunichar)c);
		break;
	}
	ps->bad = TRUE;
	return info_any();
}

/* After '[': skips the class, which may match many things. */
static info
parse_class(parser *ps)
{
	if (*ps->p == '^')
		ps->p++;
	if (*ps->p == ']')
		ps->p++;
	while (*ps->p != '\0' && *ps->p != ']') {
		if (*ps->p == '\\') {
			if (ps->p[1] == '\0' || ps->p[1] == 'Q') {
				ps->bad = TRUE;
				return info_any();
			}
			ps->p += 2;
		} else if (ps->p[0] == '[' && ps->p[1] == ':') {
			const char *end = strstr(ps->p + 2, ":]");

			ps->p = end != NULL ? end + 2 : ps->p + 1;
		} else {
			ps->p++;
		}
	}
	if (*ps->p != ']')
		ps->bad = TRUE;
	else
		ps->p++;
	return info_any();
}

/* The group's body and its ')'. */
static info
parse_group_body(parser *ps)
{
	info x;

	if (++ps->depth > DEPTH_MAX) {
		ps->bad = TRUE;
		return info_any();
	}
	x = parse_alternation(ps);
	ps->depth--;
	if (*ps->p != ')')
		ps->bad = TRUE;
	else
		ps->p++;
	return x;
}

/* After "(?": which kind of group, then its body. */
static info
parse_special_group(parser *ps)
{
	const char *p = ps->p;

	if (*p == '#') {
		const char *end = strchr(p, ')');

		if (end == NULL) {
			ps->bad = TRUE;
			return info_any();
		}
		ps->p = end + 1;
		return info_empty();
	}
	if (*p == ':' || *p == '|' || *p == '>') {
		ps->p++;
		return parse_group_body(ps);
	}
	/* lookarounds consume nothing: their body is checked, not used */
	if (*p == '=' || *p == '!' || (p[0] == '<' && (p[1] == '=' || p[1] == '!'))) {
		info x;

		ps->p += *p == '<' ? 2 : 1;
		x = parse_group_body(ps);
		info_clear(&x);
		return info_empty();
	}
	/* named groups: (?<name>...), (?'name'...), (?P<name>...) */
	if (*p == '<' || *p == '\'' || (p[0] == 'P' && p[1] == '<')) {
		char close = *p == '\'' ? '\'' : '>';
		const char *end = strchr(p + 1, close);

		if (end == NULL) {
			ps->bad = TRUE;
			return info_any();
		}
		ps->p = end + 1;
		return parse_group_body(ps);
	}
	/* option settings: only extended mode changes what bytes mean */
	{
		gsize n = strspn(p, "imnsJU-^");

		if (n == strspn(p, "imnsxJU-^") && (p[n] == ')' || p[n] == ':')) {
			ps->p = p + n + 1;
			return p[n] == ')' ? info_empty() : parse_group_body(ps);
		}
	}
	/* recursion, subroutines, conditionals, callouts, extended mode */
	ps->bad = TRUE;
	return info_any();
}

static info
parse_group(parser *ps)
{
	if (*ps->p == '*') {   /* verbs and alpha assertions */
		ps->bad = TRUE;
		return info_any();
	}
	if (*ps->p == '?') {
		ps->p++;
		return parse_special_group(ps);
	}
	return parse_group_body(ps);
}

static info
parse_atom(parser *ps)
{
	const char *p = ps->p;
	gunichar c;

	switch (*p) {
	case '(':
		ps->p++;
		return parse_group(ps);
	case '[':
		ps->p++;
		return parse_class(ps);
	case '.':
		ps->p++;
		return info_any();
	case '^': case '$':
		ps->p++;
		return info_empty();
	case '\\':
		ps->p++;
		return parse_escape(ps);
	case '*': case '+': case '?':
		ps->bad = TRUE;
		return info_any();
	}
	c = g_utf8_get_char_validated(p, -1);
	if (c == (gunichar)-1 || c == (gunichar)-2) {
		ps->bad = TRUE;
		return info_any();
	}
	ps->p = g_utf8_next_char(p);
	return info_codepoint(c);
}

/* "{n}", "{n,}" or "{n,m}" at ps->p: TRUE and the bounds, else FALSE
 * (PCRE2 then reads the brace as itself). */
static gboolean
parse_braces(parser *ps, long *min, long *max)
{
	const char *p = ps->p + 1;
	char *end;

	if (!g_ascii_isdigit(*p))
		return FALSE;
	*min = strtol(p, &end, 10);
	*max = *min;
	if (*end == ',') {
		p = end + 1;
		if (*p == '}') {
			*max = -1;
			end = (char *)p;
		} else if (g_ascii_isdigit(*p)) {
			*max = strtol(p, &end, 10);
		} else {
			return FALSE;
		}
	}
	if (*end != '}')
		return FALSE;
	ps->p = end + 1;
	return TRUE;
}

static info
parse_quantifier(parser *ps, info x)
{
	long min, max;

	switch (*ps->p) {
	case '?': min = 0; max = 1; ps->p++; break;
	case '*': min = 0; max = -1; ps->p++; break;
	case '+': min = 1; max = -1; ps->p++; break;
	case '{':
		/* "{,n}" is read as itself by older PCRE2, as {0,n} by newer */
		if (ps->p[1] == ',') {
			ps->bad = TRUE;
			return x;
		}
		if (!parse_braces(ps, &min, &max))
			return x;
		break;
	default:
		return x;
	}
	/* lazy or possessive: the same strings */
	if (*ps->p == '?' || *ps->p == '+')
		ps->p++;
	if (*ps->p == '?' || *ps->p == '*' || *ps->p == '+' || *ps->p == '{')
		ps->bad = TRUE;
	return info_repeat(x, min, max);
}

/* A sequence: runs of exactly known parts ("co" "u" "ld", "(?:I|we)"
 * "'ll") are joined into longer strings first, then kept or not as a
 * whole, so a short part never stands in for a longer run. */
static info
parse_sequence(parser *ps)
{
	info x = info_empty(), run = info_empty();

	while (!ps->bad && *ps->p != '\0' && *ps->p != '|' && *ps->p != ')') {
		info atom = parse_atom(ps);

		if (!ps->bad)
			atom = parse_quantifier(ps, atom);
		if (atom.exact != NULL && run.exact != NULL &&
		    run.exact->len * atom.exact->len <= EXACT_MAX) {
			run = info_concat(run, atom);
			if (run.exact != NULL)
				continue;
			/* too long to stay exact: what it requires goes on */
			x = info_concat(x, run);
			run = info_empty();
			continue;
		}
		x = info_concat(x, run);
		if (atom.exact != NULL) {
			run = atom;
		} else {
			run = info_empty();
			x = info_concat(x, atom);
		}
	}
	return info_concat(x, run);
}

static info
parse_alternation(parser *ps)
{
	info x = parse_sequence(ps);

	while (!ps->bad && *ps->p == '|') {
		ps->p++;
		x = info_alternate(x, parse_sequence(ps));
	}
	return x;
}

GPtrArray *
literals_required(const char *pattern)
{
	parser ps = { pattern, FALSE, 0 };
	info x = parse_alternation(&ps);
	GPtrArray *req;

	/* a ')' with no group, or anything left over, is not followed */
	if (*ps.p != '\0')
		ps.bad = TRUE;
	req = info_to_req(&x);
	if (ps.bad)
		g_clear_pointer(&req, g_ptr_array_unref);
	/* once, at the end: it compares every pair */
	for (guint i = 0; req != NULL && i < req->len; i++)
		set_simplify(req->pdata[i]);
	return req;
}

gsize
literals_fold(const char *s, gsize len, char *out)
{
	const guchar *u = (const guchar *)s;
	gsize o = 0;

	for (gsize i = 0; i < len; i++) {
		if (u[i] < 0x80) {
			out[o++] = g_ascii_tolower((char)u[i]);
		} else if (u[i] == 0xE2 && i + 2 < len && u[i + 1] == 0x84 &&
			   u[i + 2] == 0xAA) {          /* U+212A KELVIN SIGN */
			out[o++] = 'k';
			i += 2;
		} else if (u[i] == 0xC5 && i + 1 < len && u[i + 1] == 0xBF) {
			out[o++] = 's';                 /* U+017F LONG S */
			i += 1;
		} else {
			out[o++] = (char)u[i];
		}
	}
	return o;
}

/* --- searching for many literals at once -------------------------------- */

struct literals_set {
	GPtrArray *literals;  /* char*, by literal id */
	GHashTable *ids;      /* literal -> id + 1 (borrowed keys) */
	GPtrArray *groups_of; /* per literal id: GArray of the guint groups it is in */
	GHashTable *groups;   /* a group's sorted literals, joined -> id + 1 */
	guint ngroups;
	/* the compiled automaton */
	guint8 cls[256];      /* byte -> class; 0: in no literal */
	guint ncls;
	guint32 *next;        /* state * ncls + class -> state */
	guint32 *out_start;   /* state -> first of its groups in `out` */
	guint32 *out;         /* group ids, each state's together */
	guint nstates;
};

literals_set *
literals_set_new(void)
{
	literals_set *set = g_new0(literals_set, 1);

	set->literals = g_ptr_array_new_with_free_func(g_free);
	set->ids = g_hash_table_new(g_str_hash, g_str_equal);
	set->groups_of = g_ptr_array_new_with_free_func((GDestroyNotify)g_array_unref);
	set->groups = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
	return set;
}

void
literals_set_free(literals_set *set)
{
	if (set == NULL)
		return;
	g_hash_table_unref(set->ids);
	g_ptr_array_unref(set->literals);
	g_ptr_array_unref(set->groups_of);
	g_hash_table_unref(set->groups);
	g_free(set->next);
	g_free(set->out_start);
	g_free(set->out);
	g_free(set);
}

/* The id of a literal, added unless present. */
static guint
literal_id(literals_set *set, const char *literal)
{
	gpointer id = g_hash_table_lookup(set->ids, literal);
	char *copy;

	if (id != NULL)
		return GPOINTER_TO_UINT(id) - 1;
	copy = g_strdup(literal);
	g_ptr_array_add(set->literals, copy);
	g_ptr_array_add(set->groups_of, g_array_new(FALSE, FALSE, sizeof(guint)));
	g_hash_table_insert(set->ids, copy, GUINT_TO_POINTER(set->literals->len));
	return set->literals->len - 1;
}

static gint
compare_strings(gconstpointer a, gconstpointer b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

guint
literals_set_add_group(literals_set *set, const char *const *literals, guint n)
{
	const char **sorted = g_new(const char *, n + 1);
	char *key;
	gpointer id;
	guint group;

	memcpy(sorted, literals, n * sizeof *sorted);
	sorted[n] = NULL;
	qsort(sorted, n, sizeof *sorted, compare_strings);
	key = g_strjoinv("\x01", (char **)sorted);
	g_free(sorted);
	id = g_hash_table_lookup(set->groups, key);
	if (id != NULL) {
		g_free(key);
		return GPOINTER_TO_UINT(id) - 1;
	}
	group = set->ngroups++;
	g_hash_table_insert(set->groups, key, GUINT_TO_POINTER(group + 1));
	for (guint i = 0; i < n; i++) {
		guint lit = literal_id(set, literals[i]);   /* may grow groups_of */
		GArray *of = set->groups_of->pdata[lit];

		if (of->len == 0 || g_array_index(of, guint, of->len - 1) != group)
			g_array_append_val(of, group);
	}
	return group;
}

guint
literals_set_count(const literals_set *set)
{
	return set->ngroups;
}

/* The trie of the literals: transitions in `next` (0: none, as no edge
 * leads back to the root), each literal's end state in `ends`. */
static GArray *
build_trie(literals_set *set, GArray *ends)
{
	GArray *next = g_array_new(FALSE, TRUE, sizeof(guint32));

	g_array_set_size(next, set->ncls);
	set->nstates = 1;
	for (guint id = 0; id < set->literals->len; id++) {
		const guchar *l = set->literals->pdata[id];
		guint32 s = 0;

		for (; *l != '\0'; l++) {
			guint32 *t = &g_array_index(next, guint32, s * set->ncls + set->cls[*l]);

			if (*t == 0) {
				*t = set->nstates++;
				g_array_set_size(next, set->nstates * set->ncls);
				t = &g_array_index(next, guint32, s * set->ncls + set->cls[*l]);
			}
			s = *t;
		}
		g_array_append_val(ends, s);
	}
	return next;
}

void
literals_set_compile(literals_set *set)
{
	GArray *ends = g_array_new(FALSE, FALSE, sizeof(guint32));
	GArray *next, *out;
	guint32 *fail, *queue, *own_first;
	GPtrArray *outs;   /* per state: GArray of ids */
	guint head = 0, tail = 0;

	memset(set->cls, 0, sizeof set->cls);
	set->ncls = 1;
	for (guint id = 0; id < set->literals->len; id++)
		for (const guchar *l = set->literals->pdata[id]; *l != '\0'; l++)
			if (set->cls[*l] == 0)
				set->cls[*l] = (guint8)set->ncls++;
	next = build_trie(set, ends);
	fail = g_new0(guint32, set->nstates);
	queue = g_new0(guint32, set->nstates);
	outs = g_ptr_array_new_with_free_func((GDestroyNotify)g_array_unref);
	for (guint s = 0; s < set->nstates; s++)
		g_ptr_array_add(outs, g_array_new(FALSE, FALSE, sizeof(guint32)));
	for (guint id = 0; id < ends->len; id++) {
		GArray *of = set->groups_of->pdata[id];

		g_array_append_vals(outs->pdata[g_array_index(ends, guint32, id)],
			of->data, of->len);
	}
	/* Breadth first: a state's failure state is shallower, so complete
	 * by the time the state is reached; missing edges become the failure
	 * state's, which makes `next` a complete automaton. */
	for (guint c = 0; c < set->ncls; c++) {
		guint32 t = g_array_index(next, guint32, c);

		if (t != 0)
			queue[tail++] = t;
	}
	while (head < tail) {
		guint32 s = queue[head++];
		GArray *so = outs->pdata[s], *fo = outs->pdata[fail[s]];

		g_array_append_vals(so, fo->data, fo->len);
		for (guint c = 0; c < set->ncls; c++) {
			guint32 *t = &g_array_index(next, guint32, s * set->ncls + c);
			guint32 f = g_array_index(next, guint32, fail[s] * set->ncls + c);

			if (*t != 0) {
				fail[*t] = f;
				queue[tail++] = *t;
			} else {
				*t = f;
			}
		}
	}
	out = g_array_new(FALSE, FALSE, sizeof(guint32));
	own_first = g_new0(guint32, set->nstates + 1);
	for (guint s = 0; s < set->nstates; s++) {
		GArray *so = outs->pdata[s];

		own_first[s] = out->len;
		g_array_append_vals(out, so->data, so->len);
	}
	own_first[set->nstates] = out->len;
	g_free(set->next);
	g_free(set->out_start);
	g_free(set->out);
	set->next = (guint32 *)(void *)g_array_free(next, FALSE);
	set->out = (guint32 *)(void *)g_array_free(out, FALSE);
	set->out_start = own_first;
	g_ptr_array_unref(outs);
	g_free(queue);
	g_free(fail);
	g_array_unref(ends);
}

void
literals_set_scan(const literals_set *set, const char *folded, gsize len,
	guint8 *found)
{
	const guchar *u = (const guchar *)folded;
	guint32 s = 0;

	if (set->next == NULL)
		return;
	for (gsize i = 0; i < len; i++) {
		s = set->next[s * set->ncls + set->cls[u[i]]];
		for (guint32 k = set->out_start[s]; k < set->out_start[s + 1]; k++)
			found[set->out[k]] = 1;
	}
}
