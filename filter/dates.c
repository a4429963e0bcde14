/*
 * dates.c - due dates from the words of a sentence.
 *
 * The sentence is cut into lower-case word tokens (letters, digits, '/',
 * and '-' inside ISO dates), each with its byte span.  The matchers below
 * are tried at each token from the left; the first phrase that resolves
 * gives the due date.  The conventions are documented in the DUE DATES
 * section of kith-rules(5).  Weeks start on Monday.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dates.h"

typedef struct {
	char *text;      /* lower case (owned by the token array) */
	gsize start;     /* byte span in the sentence */
	gsize end;
} token;

typedef struct {
	GArray *toks;        /* token */
	const GDate *base;   /* the message's day, or NULL */
	date_order order;
} scan;

static const char *const weekdays[] = {
	"monday", "tuesday", "wednesday", "thursday", "friday", "saturday",
	"sunday", NULL
};
static const char *const weekday_abbrevs[] = {
	"mon", "tue", "tues", "wed", "thu", "thur", "thurs", "fri", "sat", "sun",
	NULL
};
static const int weekday_abbrev_day[] = { 1, 2, 2, 3, 4, 4, 4, 5, 6, 7 };

static const char *const months[] = {
	"january", "february", "march", "april", "may", "june", "july",
	"august", "september", "october", "november", "december", NULL
};
static const char *const month_abbrevs[] = {
	"jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct",
	"nov", "dec", NULL
};

static const char *const number_words[] = {
	"zero", "one", "two", "three", "four", "five", "six", "seven", "eight",
	"nine", "ten", "eleven", "twelve", NULL
};

/* --- tokens ---------------------------------------------------------- */

static gboolean
is_word_byte(char c)
{
	return g_ascii_isalnum(c) || c == '/' || c == '-' || c == '\'';
}

static gboolean
is_iso_date(const char *s)
{
	int y, m, d;
	char tail;

	return strlen(s) == 10 && sscanf(s, "%4d-%2d-%2d%c", &y, &m, &d, &tail) == 3;
}

static void
add_token(GArray *toks, const char *s, gsize start, gsize end)
{
	token t;

	while (end > start && strchr("/-'", s[end - 1]) != NULL)
		end--;
	while (start < end && strchr("/-'", s[start]) != NULL)
		start++;
	if (end == start)
		return;
	t.text = g_ascii_strdown(s + start, (gssize)(end - start));
	t.start = start;
	t.end = end;
	/* "tomorrow's" reads as "tomorrow" */
	if (g_str_has_suffix(t.text, "'s"))
		t.text[strlen(t.text) - 2] = '\0';
	g_array_append_val(toks, t);
}

/* Adds a word, split at hyphens unless it is an ISO date. */
static void
add_word(GArray *toks, const char *s, gsize start, gsize end)
{
	gsize from = start, len = end - start;
	char iso[11];

	if (memchr(s + start, '-', len) == NULL) {
		add_token(toks, s, start, end);
		return;
	}
	if (len == 10) {
		memcpy(iso, s + start, len);
		iso[len] = '\0';
		if (is_iso_date(iso)) {
			add_token(toks, s, start, end);
			return;
		}
	}
	for (gsize i = start; i <= end; i++) {
		if (i == end || s[i] == '-') {
			add_token(toks, s, from, i);
			from = i + 1;
		}
	}
}

static void
clear_token(gpointer p)
{
	g_free(((token *)p)->text);
}

static GArray *
tokenize(const char *s)
{
	GArray *toks = g_array_new(FALSE, FALSE, sizeof(token));
	gsize i = 0, len = strlen(s);

	g_array_set_clear_func(toks, clear_token);
	while (i < len) {
		gsize start;

		while (i < len && !is_word_byte(s[i]))
			i++;
		start = i;
		while (i < len && is_word_byte(s[i]))
			i++;
		if (i > start)
			add_word(toks, s, start, i);
	}
	return toks;
}

/* Token i's text, or "" past the end. */
static const char *
tok(const scan *sc, guint i)
{
	if (i >= sc->toks->len)
		return "";
	return g_array_index(sc->toks, token, i).text;
}

static gboolean
tok_is(const scan *sc, guint i, const char *word)
{
	return strcmp(tok(sc, i), word) == 0;
}

static gboolean
tok_in(const scan *sc, guint i, const char *const *list, int *index)
{
	const char *t = tok(sc, i);

	for (int k = 0; list[k] != NULL; k++) {
		if (strcmp(list[k], t) == 0) {
			if (index != NULL)
				*index = k;
			return TRUE;
		}
	}
	return FALSE;
}

/* Skips an optional "the" or "this" at i. */
static guint
skip_article(const scan *sc, guint i)
{
	return tok_is(sc, i, "the") || tok_is(sc, i, "this") ? i + 1 : i;
}

/* --- numbers and calendar names --------------------------------------- */

/* A whole token of digits, within [lo, hi]. */
static gboolean
parse_int(const char *t, int lo, int hi, int *out)
{
	char *end;
	long v;

	if (!g_ascii_isdigit(*t) || strlen(t) > 4)
		return FALSE;
	v = strtol(t, &end, 10);
	if (*end != '\0' || v < lo || v > hi)
		return FALSE;
	*out = (int)v;
	return TRUE;
}

/* "2", "2nd", "21st", "3rd", "14th" as a day of the month. */
static gboolean
parse_day(const char *t, int *out)
{
	char *end;
	long v;

	if (!g_ascii_isdigit(*t) || strlen(t) > 4)
		return FALSE;
	v = strtol(t, &end, 10);
	if (*end != '\0' && strcmp(end, "st") != 0 && strcmp(end, "nd") != 0 &&
	    strcmp(end, "rd") != 0 && strcmp(end, "th") != 0)
		return FALSE;
	if (end - t > 2 || v < 1 || v > 31)
		return FALSE;
	*out = (int)v;
	return TRUE;
}

/* "2" .. "365", "one" .. "twelve", "a", "an", "couple". */
static gboolean
parse_count(const scan *sc, guint i, int *out, guint *used)
{
	int k;

	*used = 1;
	if (parse_int(tok(sc, i), 1, 365, out))
		return TRUE;
	if (tok_in(sc, i, number_words, &k) && k > 0) {
		*out = k;
		return TRUE;
	}
	if (tok_is(sc, i, "a") || tok_is(sc, i, "an")) {
		if (tok_is(sc, i + 1, "couple")) {
			*out = 2;
			*used = tok_is(sc, i + 2, "of") ? 3 : 2;
			return TRUE;
		}
		*out = 1;
		return TRUE;
	}
	return FALSE;
}

static gboolean
parse_month(const scan *sc, guint i, int *month)
{
	int k;

	if (tok_in(sc, i, months, &k) || tok_in(sc, i, month_abbrevs, &k)) {
		*month = k + 1;
		return TRUE;
	}
	if (tok_is(sc, i, "sept")) {
		*month = 9;
		return TRUE;
	}
	return FALSE;
}

/* 1 = Monday .. 7 = Sunday; abbreviations only when `abbrev_ok`. */
static gboolean
parse_weekday(const scan *sc, guint i, gboolean abbrev_ok, int *wd)
{
	int k;

	if (tok_in(sc, i, weekdays, &k)) {
		*wd = k + 1;
		return TRUE;
	}
	if (abbrev_ok && tok_in(sc, i, weekday_abbrevs, &k)) {
		*wd = weekday_abbrev_day[k];
		return TRUE;
	}
	return FALSE;
}

/* --- calendar arithmetic ---------------------------------------------- */

static int
weekday_of(const GDate *d)
{
	return (int)g_date_get_weekday(d);
}

static void
set_days_after(GDate *out, const GDate *base, int days)
{
	*out = *base;
	g_date_add_days(out, (guint)days);
}

/* The next `wd` strictly after the base day. */
static void
next_weekday(GDate *out, const GDate *base, int wd)
{
	int delta = (wd - weekday_of(base) + 7) % 7;

	set_days_after(out, base, delta == 0 ? 7 : delta);
}

/* Day `wd` of the week after the base day's week. */
static void
weekday_next_week(GDate *out, const GDate *base, int wd)
{
	set_days_after(out, base, 7 - weekday_of(base) + wd);
}

/* The Friday of the base day's week; on a weekend, the coming Friday. */
static void
this_friday(GDate *out, const GDate *base)
{
	int wd = weekday_of(base);

	if (wd <= 5)
		set_days_after(out, base, 5 - wd);
	else
		next_weekday(out, base, 5);
}

/* The last day of the base month plus `months_ahead`. */
static void
month_end(GDate *out, const GDate *base, int months_ahead)
{
	g_date_clear(out, 1);
	g_date_set_dmy(out, 1, g_date_get_month(base), g_date_get_year(base));
	if (months_ahead > 0)
		g_date_add_months(out, (guint)months_ahead);
	g_date_set_day(out, g_date_get_days_in_month(g_date_get_month(out),
		g_date_get_year(out)));
}

/*
 * A calendar date; without a year (year 0) the first occurrence on or
 * after the base day.  FALSE when impossible (or no year and no base).
 */
static gboolean
set_calendar(GDate *out, const GDate *base, int year, int month, int day)
{
	if (month < 1 || month > 12 || day < 1 || day > 31)
		return FALSE;
	if (year != 0) {
		if (!g_date_valid_dmy((GDateDay)day, (GDateMonth)month,
				      (GDateYear)year))
			return FALSE;
		g_date_clear(out, 1);
		g_date_set_dmy(out, (GDateDay)day, (GDateMonth)month,
			(GDateYear)year);
		return TRUE;
	}
	if (base == NULL)
		return FALSE;
	/* Eight years always reach a 29 February. */
	for (int y = g_date_get_year(base); y <= g_date_get_year(base) + 8; y++) {
		if (!g_date_valid_dmy((GDateDay)day, (GDateMonth)month,
				      (GDateYear)y))
			continue;
		g_date_clear(out, 1);
		g_date_set_dmy(out, (GDateDay)day, (GDateMonth)month, (GDateYear)y);
		if (g_date_compare(out, base) >= 0)
			return TRUE;
	}
	return FALSE;
}

/* --- matchers: each returns the tokens used (0: no match) --------------- */

/* "today", "tonight", "EOD", "end of (the) (business) day", "close of
 * business", "tomorrow", "day after tomorrow". */
static guint
match_day_words(const scan *sc, guint i, GDate *due)
{
	guint j;

	if (tok_is(sc, i, "today") || tok_is(sc, i, "tonight") ||
	    tok_is(sc, i, "eod") || tok_is(sc, i, "cob") || tok_is(sc, i, "eob")) {
		set_days_after(due, sc->base, 0);
		return 1;
	}
	if (tok_is(sc, i, "tomorrow") || tok_is(sc, i, "tmrw") ||
	    tok_is(sc, i, "tomorow")) {
		set_days_after(due, sc->base, 1);
		return 1;
	}
	if (tok_is(sc, i, "day") && tok_is(sc, i + 1, "after") &&
	    tok_is(sc, i + 2, "tomorrow")) {
		set_days_after(due, sc->base, 2);
		return 3;
	}
	if ((tok_is(sc, i, "end") || tok_is(sc, i, "close")) &&
	    tok_is(sc, i + 1, "of")) {
		j = skip_article(sc, i + 2);
		if (tok_is(sc, j, "business") && tok_is(sc, j + 1, "day"))
			j++;
		if (tok_is(sc, j, "day") || tok_is(sc, j, "business") ||
		    tok_is(sc, j, "today")) {
			set_days_after(due, sc->base, 0);
			return j + 1 - i;
		}
	}
	return 0;
}

/* "this week", "end of (the|this) week", "EOW", "next week", "end of next
 * week", "end of (the) month", "EOM", "month end", "next month". */
static guint
match_week_month(const scan *sc, guint i, GDate *due)
{
	guint j;

	if (tok_is(sc, i, "eow")) {
		this_friday(due, sc->base);
		return 1;
	}
	if (tok_is(sc, i, "eom") || (tok_is(sc, i, "month") &&
				     tok_is(sc, i + 1, "end"))) {
		month_end(due, sc->base, 0);
		return tok_is(sc, i, "eom") ? 1 : 2;
	}
	j = i;
	if (tok_is(sc, i, "end") && tok_is(sc, i + 1, "of"))
		j = i + 2;
	if (tok_is(sc, j, "next") && tok_is(sc, j + 1, "week")) {
		weekday_next_week(due, sc->base, 5);
		return j + 2 - i;
	}
	if (tok_is(sc, j, "next") && tok_is(sc, j + 1, "month")) {
		month_end(due, sc->base, 1);
		return j + 2 - i;
	}
	if (j == i && !tok_is(sc, i, "this"))
		return 0;
	j = skip_article(sc, j);
	if (tok_is(sc, j, "week")) {
		this_friday(due, sc->base);
		return j + 1 - i;
	}
	if (tok_is(sc, j, "month")) {
		month_end(due, sc->base, 0);
		return j + 1 - i;
	}
	return 0;
}

/* "next Tuesday", "Tuesday next week", "(by|on|this) Tuesday", "Tue". */
static guint
match_weekday(const scan *sc, guint i, GDate *due)
{
	int wd;
	gboolean after_prep = i > 0 && (tok_is(sc, i - 1, "by") ||
		tok_is(sc, i - 1, "on") || tok_is(sc, i - 1, "before") ||
		tok_is(sc, i - 1, "until") || tok_is(sc, i - 1, "till") ||
		tok_is(sc, i - 1, "this") || tok_is(sc, i - 1, "due") ||
		tok_is(sc, i - 1, "coming"));

	if (tok_is(sc, i, "next") && parse_weekday(sc, i + 1, TRUE, &wd)) {
		weekday_next_week(due, sc->base, wd);
		return 2;
	}
	if (!parse_weekday(sc, i, after_prep, &wd))
		return 0;
	if (i > 0 && (tok_is(sc, i - 1, "last") || tok_is(sc, i - 1, "past") ||
		      tok_is(sc, i - 1, "every") || tok_is(sc, i - 1, "since")))
		return 0;
	if (tok_is(sc, i + 1, "next") && tok_is(sc, i + 2, "week")) {
		weekday_next_week(due, sc->base, wd);
		return 3;
	}
	next_weekday(due, sc->base, wd);
	return 1;
}

/* "in|within N days|weeks", "in a week", "in a couple of days". */
static guint
match_duration(const scan *sc, guint i, GDate *due)
{
	int n;
	guint used, j;

	if (!tok_is(sc, i, "in") && !tok_is(sc, i, "within"))
		return 0;
	if (!parse_count(sc, i + 1, &n, &used))
		return 0;
	j = i + 1 + used;
	if (tok_is(sc, j, "business") || tok_is(sc, j, "working"))
		j++;
	if (tok_is(sc, j, "day") || tok_is(sc, j, "days")) {
		set_days_after(due, sc->base, n);
		return j + 1 - i;
	}
	if (tok_is(sc, j, "week") || tok_is(sc, j, "weeks")) {
		set_days_after(due, sc->base, 7 * n);
		return j + 1 - i;
	}
	return 0;
}

/* An optional year after a date: "2026" (a comma before it is no token). */
static guint
match_year(const scan *sc, guint i, int *year)
{
	*year = 0;
	return parse_int(tok(sc, i), 1900, 2199, year) ? 1 : 0;
}

/* "April 2", "Apr 2nd, 2026", "2 April", "2nd of April 2026",
 * "the 15th". */
static guint
match_named_date(const scan *sc, guint i, GDate *due)
{
	int month, day, year;
	guint n;

	if (parse_month(sc, i, &month) && parse_day(tok(sc, i + 1), &day)) {
		n = 2 + match_year(sc, i + 2, &year);
		return set_calendar(due, sc->base, year, month, day) ? n : 0;
	}
	if (parse_day(tok(sc, i), &day)) {
		n = tok_is(sc, i + 1, "of") ? 2 : 1;
		if (parse_month(sc, i + n, &month)) {
			n += 1 + match_year(sc, i + n + 1, &year);
			return set_calendar(due, sc->base, year, month, day) ? n : 0;
		}
	}
	if (tok_is(sc, i, "the") && parse_day(tok(sc, i + 1), &day) &&
	    !g_ascii_isdigit(tok(sc, i + 1)[strlen(tok(sc, i + 1)) - 1]) &&
	    sc->base != NULL) {
		GDate d = *sc->base;

		/* the next month, from this one, that has that day */
		for (int k = 0; k < 12; k++) {
			month = g_date_get_month(&d);
			year = g_date_get_year(&d);
			if (g_date_valid_dmy((GDateDay)day, (GDateMonth)month,
					     (GDateYear)year) &&
			    (k > 0 || day >= g_date_get_day(sc->base))) {
				set_calendar(due, NULL, year, month, day);
				return 2;
			}
			g_date_set_day(&d, 1);
			g_date_add_months(&d, 1);
		}
	}
	return 0;
}

/* "2026-04-02", "4/2", "4/2/26", "4/2/2026" (month first for mdy). */
static guint
match_numeric_date(const scan *sc, guint i, GDate *due)
{
	const char *t = tok(sc, i);
	int a, b, y = 0, m, d, nf;
	char tail;

	if (is_iso_date(t) && sscanf(t, "%4d-%2d-%2d", &y, &m, &d) == 3)
		return set_calendar(due, sc->base, y, m, d) ? 1 : 0;
	if (strcmp(t, "24/7") == 0 || strchr(t, '/') == NULL)
		return 0;
	nf = sscanf(t, "%2d/%2d/%4d%c", &a, &b, &y, &tail);
	if (nf == 2) {
		if (strlen(t) > 5)
			return 0;
		y = 0;
	} else if (nf != 3) {
		return 0;
	} else if (y < 100) {
		y += 2000;
	} else if (y < 1900) {
		return 0;
	}
	if (sc->order == DATE_ORDER_DMY) {
		d = a;
		m = b;
	} else {
		m = a;
		d = b;
	}
	return set_calendar(due, sc->base, y, m, d) ? 1 : 0;
}

/*
 * The words a phrase can start with, sorted for bsearch: every word the
 * matchers above test at token i itself.  A token that starts with a
 * digit may start one too.  Most tokens of a sentence are none of these,
 * and rejecting them here spares trying each matcher's word lists.
 */
static const char *const phrase_starts[] = {
	"apr", "april", "aug", "august", "close", "cob", "day", "dec", "december",
	"end", "eob", "eod", "eom", "eow", "feb", "february", "fri", "friday",
	"in", "jan", "january", "jul", "july", "jun", "june", "mar", "march",
	"may", "mon", "monday", "month", "next", "nov", "november", "oct",
	"october", "sat", "saturday", "sep", "sept", "september", "sun",
	"sunday", "the", "this", "thu", "thur", "thurs", "thursday", "tmrw",
	"today", "tomorow", "tomorrow", "tonight", "tue", "tues", "tuesday",
	"wed", "wednesday", "within",
};

static int
compare_word(const void *key, const void *elem)
{
	return strcmp(key, *(const char *const *)elem);
}

static gboolean
may_start_phrase(const char *t)
{
	return g_ascii_isdigit(*t) ||
		bsearch(t, phrase_starts, G_N_ELEMENTS(phrase_starts),
			sizeof phrase_starts[0], compare_word) != NULL;
}

/* Tries every matcher at token i; relative ones only with a base. */
static guint
match_at(const scan *sc, guint i, GDate *due)
{
	guint n = 0;

	if (!may_start_phrase(tok(sc, i)))
		return 0;
	if (sc->base != NULL) {
		if ((n = match_day_words(sc, i, due)) != 0 ||
		    (n = match_week_month(sc, i, due)) != 0 ||
		    (n = match_weekday(sc, i, due)) != 0 ||
		    (n = match_duration(sc, i, due)) != 0)
			return n;
	}
	if ((n = match_named_date(sc, i, due)) != 0 ||
	    (n = match_numeric_date(sc, i, due)) != 0)
		return n;
	return 0;
}

gboolean
dates_find_due(const char *sentence, GDateTime *msg_date, date_order order,
	GDate *due, char **phrase)
{
	scan sc = { NULL, NULL, order };
	GDate base, found;
	gboolean hit = FALSE;
	int y, m, d;

	if (sentence == NULL)
		return FALSE;
	if (msg_date != NULL) {
		g_date_time_get_ymd(msg_date, &y, &m, &d);
		g_date_clear(&base, 1);
		g_date_set_dmy(&base, (GDateDay)d, (GDateMonth)m, (GDateYear)y);
		sc.base = &base;
	}
	sc.toks = tokenize(sentence);
	for (guint i = 0; i < sc.toks->len && !hit; i++) {
		guint n;

		g_date_clear(&found, 1);
		n = match_at(&sc, i, &found);
		if (n == 0 || !g_date_valid(&found))
			continue;
		hit = TRUE;
		*due = found;
		if (phrase != NULL) {
			const token *a = &g_array_index(sc.toks, token, i);
			const token *b = &g_array_index(sc.toks, token, i + n - 1);

			*phrase = g_strndup(sentence + a->start, b->end - a->start);
		}
	}
	g_array_unref(sc.toks);
	return hit;
}
