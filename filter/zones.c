/*
 * zones.c - new text, quotes and signature, line by line.
 *
 * Each line gets a kind; runs of one kind become zones.  Three passes:
 * quote headers (forward and "Original Message" markers, Outlook header
 * blocks, attributions) and '>' lines; then blank lines join the quote
 * around them; then signatures inside what is still new.  Matching is
 * plain string work on trimmed lines: no regex state to keep.
 */
#include <string.h>

#include "message.h"
#include "zones.h"

/* Sign-off blocks: the closing plus at most this many short lines. */
#define SIGNOFF_MAX_LINES 4
#define SIGNOFF_LINE_MAX 50
/* An attribution longer than this is prose, not a header line. */
#define ATTRIBUTION_MAX 400
/* How far below "From:" an Outlook header block may reach. */
#define HEADER_BLOCK_SPAN 6

typedef struct {
	gsize start;   /* offset of the line */
	gsize len;     /* without its line end */
	gsize next;    /* offset of the following line */
	const char *trim;  /* the line without surrounding blank space, in
	                    * the copy the lines were split from */
	zone_kind kind;
} line;

/* ---- lines ---------------------------------------------------------- */

/*
 * The lines of `text`, each trimmed in place in one copy of it (*copy,
 * the caller's to g_free after the lines): a line and a line end become
 * a string, without an allocation for each of the thousands of lines a
 * scan reads.  Blank space is what g_strstrip() takes.
 */
static GArray *
split_lines(const char *text, char **copy)
{
	GArray *lines = g_array_new(FALSE, TRUE, sizeof(line));
	gsize pos = 0, total = strlen(text);
	char *buf = g_strndup(text, total);

	while (pos < total) {
		char *nl = memchr(buf + pos, '\n', total - pos);
		line l = { 0 };
		gsize b, e;

		l.start = pos;
		l.len = nl ? (gsize)(nl - (buf + pos)) : total - pos;
		l.next = nl ? pos + l.len + 1 : total;
		for (b = pos, e = pos + l.len; b < e && g_ascii_isspace(buf[b]); b++)
			;
		while (e > b && g_ascii_isspace(buf[e - 1]))
			e--;
		buf[e] = '\0';  /* the line end, or blank space after the line */
		l.trim = buf + b;
		l.kind = ZONE_NEW;
		g_array_append_val(lines, l);
		pos = l.next;
	}
	*copy = buf;
	return lines;
}

static void
free_lines(GArray *lines, char *copy)
{
	g_array_unref(lines);
	g_free(copy);
}

#define LINE(lines, i) (&g_array_index((lines), line, (i)))

static gboolean
is_blank(const line *l)
{
	return l->trim[0] == '\0';
}

static gboolean
is_quoted(const line *l)
{
	return l->trim[0] == '>';
}

/* Index of the first non-blank line at or after i, or lines->len. */
static guint
next_nonblank(GArray *lines, guint i)
{
	while (i < lines->len && is_blank(LINE(lines, i)))
		i++;
	return i;
}

/* ---- string tests --------------------------------------------------- */

/* Lowercased copy (UTF-8 aware, so "Ü" matches "ü"); new string. */
static char *
lower(const char *s)
{
	return message_strdown(s);
}

static gboolean
has_prefix_ci(const char *s, const char *prefix)
{
	return g_ascii_strncasecmp(s, prefix, strlen(prefix)) == 0;
}

static gboolean
has_suffix_ci(const char *s, const char *suffix)
{
	gsize n = strlen(s), m = strlen(suffix);

	return n >= m && g_ascii_strcasecmp(s + n - m, suffix) == 0;
}

static gboolean
in_list(const char *s, const char *const *list)
{
	for (; *list != NULL; list++)
		if (strcmp(s, *list) == 0)
			return TRUE;
	return FALSE;
}

static gboolean
has_digit(const char *s)
{
	for (; *s; s++)
		if (g_ascii_isdigit(*s))
			return TRUE;
	return FALSE;
}

/* ---- quote headers -------------------------------------------------- */

static const char *const dashed_markers[] = {
	"original message", "ursprüngliche nachricht", "message d'origine",
	"mensaje original", "messaggio originale", "oorspronkelijk bericht",
	"originalmeddelande", "mensagem original", "forwarded message",
	"weitergeleitete nachricht", "message transféré", "mensaje reenviado",
	"messaggio inoltrato", "doorgestuurd bericht", "mensagem encaminhada", NULL,
};

static const char *const forward_lines[] = {
	"begin forwarded message:", "anfang der weitergeleiteten nachricht:",
	"début du message réexpédié :", "début du message réexpédié:",
	"inicio del mensaje reenviado:", "inizio messaggio inoltrato:", NULL,
};

/* "-----Original Message-----", "---------- Forwarded message ---------"
 * and their translations, or "Begin forwarded message:". */
static gboolean
is_marker(const char *trim)
{
	const char *p = trim, *end = trim + strlen(trim);
	gsize lead = 0, tail = 0;
	char *inner, *low;
	gboolean found;

	/* Most lines are neither: every forward line ends in ':', every
	 * dashed marker starts with dashes.  Lowercasing each line to find
	 * that out cost more than the rest of the quote pass. */
	if (*trim != '-' && *trim != ' ' && !g_str_has_suffix(trim, ":"))
		return FALSE;
	low = lower(trim);
	found = in_list(low, forward_lines);
	g_free(low);
	if (found)
		return TRUE;
	while (*p == '-' || *p == ' ')
		lead += *p++ == '-';
	while (end > p && (end[-1] == '-' || end[-1] == ' '))
		tail += *--end == '-';
	if (lead < 2 || tail < 2 || end <= p)
		return FALSE;
	inner = g_strndup(p, end - p);
	low = lower(inner);
	found = in_list(low, dashed_markers);
	g_free(inner);
	g_free(low);
	return found;
}

/* The lowercased field name of a "Name: value" line (bold "*Name:*" from
 * HTML too), or NULL; new string. */
static char *
field_name(const char *trim)
{
	const char *p = trim, *colon;
	char *name, *low;

	while (*p == '*')
		p++;
	colon = strchr(p, ':');
	if (colon == NULL || colon == p || colon - p > 20)
		return NULL;
	name = g_strstrip(g_strndup(p, colon - p));
	while (*name && name[strlen(name) - 1] == '*')
		name[strlen(name) - 1] = '\0';
	low = lower(name);
	g_free(name);
	return low;
}

static const char *const from_fields[] = {
	"from", "de", "von", "van", "da", "från", "fra", "od", NULL,
};
static const char *const date_fields[] = {
	"sent", "date", "envoyé", "gesendet", "verzonden", "datum", "enviado", "inviato",
	"fecha", "data", "skickat", "sendt", NULL,
};
static const char *const to_fields[] = {
	"to", "subject", "cc", "objet", "betreff", "onderwerp", "asunto", "oggetto", "à",
	"an", "aan", "para", "a", "till", "ämne", "til", "emne", "assunto", NULL,
};

static gboolean
field_is(const char *trim, const char *const *names)
{
	char *name = field_name(trim);
	gboolean yes = name != NULL && in_list(name, names);

	g_free(name);
	return yes;
}

/* Outlook's "From: / Sent: / To: / Subject:" block starting at line i. */
static gboolean
is_header_block(GArray *lines, guint i)
{
	gboolean date = FALSE, to = FALSE;
	guint j;

	if (!field_is(LINE(lines, i)->trim, from_fields))
		return FALSE;
	for (j = i + 1; j < lines->len && j <= i + HEADER_BLOCK_SPAN; j++) {
		const char *t = LINE(lines, j)->trim;

		date = date || field_is(t, date_fields);
		to = to || field_is(t, to_fields);
	}
	return date && to;
}

/* A rule line Outlook puts above its header block ("_____", "-----"). */
static gboolean
is_rule(const char *trim)
{
	gsize n = strlen(trim);

	return n >= 8 && (strspn(trim, "_") == n || strspn(trim, "-") == n);
}

typedef struct {
	const char *prefix;    /* how the line starts */
	const char *word;      /* what it must contain before the final ':' */
} attribution_form;

static const attribution_form forms[] = {
	{ "On ", " wrote" },        /* Gmail, Apple Mail, Thunderbird */
	{ "Le ", " a écrit" },      /* French */
	{ "Am ", " schrieb" },      /* German */
	{ "El ", " escribió" },     /* Spanish */
	{ "Il ", " ha scritto" },   /* Italian */
	{ "Op ", " schreef" },      /* Dutch */
	{ "Em ", " escreveu" },     /* Portuguese */
	{ "Den ", " skrev" },       /* Scandinavian */
	{ "W dniu ", " pisze" },    /* Polish */
};

/* "On <date>, <someone> wrote:" and its translations.  A date always
 * has a digit, which keeps "On Monday I wrote:" prose out. */
static gboolean
is_attribution_text(const char *s)
{
	gsize i, n = strlen(s);

	if (n > ATTRIBUTION_MAX || n == 0 || s[n - 1] != ':' || !has_digit(s))
		return FALSE;
	for (i = 0; i < G_N_ELEMENTS(forms); i++)
		if (has_prefix_ci(s, forms[i].prefix) && strstr(s, forms[i].word) != NULL)
			return TRUE;
	return FALSE;
}

/* Any "<someone> wrote:" line; trusted only above '>' lines. */
static gboolean
is_loose_attribution(const char *s)
{
	return strlen(s) <= ATTRIBUTION_MAX && (has_suffix_ci(s, " wrote:") ||
		has_suffix_ci(s, " writes:") || has_suffix_ci(s, " a écrit :") ||
		has_suffix_ci(s, " schrieb:"));
}

/* 2: "On <date>, X wrote:" (or translated); 1: a loose "X wrote:";
 * 0: neither. */
static int
attribution_strength(const char *s)
{
	if (is_attribution_text(s))
		return 2;
	return is_loose_attribution(s) ? 1 : 0;
}

/*
 * Lines (1, or 2 when a client wrapped it) of an attribution at line i,
 * or 0.  *above_quote: '>' lines follow it.  A loose form counts only
 * above '>' lines, and only on one line.
 */
static guint
attribution_lines(GArray *lines, guint i, gboolean *above_quote)
{
	const char *first = LINE(lines, i)->trim;
	int strength = attribution_strength(first);
	guint n = 1, after;

	if (strength == 0 && i + 1 < lines->len && !is_blank(LINE(lines, i + 1)) &&
		!is_quoted(LINE(lines, i + 1))) {
		char *joined = g_strconcat(first, " ", LINE(lines, i + 1)->trim, NULL);

		strength = is_attribution_text(joined) ? 2 : 0;
		n = 2;
		g_free(joined);
	}
	if (strength == 0)
		return 0;
	after = next_nonblank(lines, i + n);
	*above_quote = after < lines->len && is_quoted(LINE(lines, after));
	return *above_quote || strength == 2 ? n : 0;
}

static void
mark_from(GArray *lines, guint i, zone_kind kind)
{
	for (; i < lines->len; i++)
		LINE(lines, i)->kind = kind;
}

/*
 * Pass 1.  Forward markers and Outlook header blocks start quoted content
 * that runs to the end.  An attribution above '>' lines quotes only
 * itself, so replies written below or between quotes stay new; one above
 * unquoted text (Outlook-style top posting) runs to the end too.
 */
static void
mark_quotes(GArray *lines)
{
	guint i, n;
	gboolean above_quote = FALSE;

	for (i = 0; i < lines->len; i++) {
		line *l = LINE(lines, i);

		if (is_quoted(l)) {
			l->kind = ZONE_QUOTE;
			continue;
		}
		if (is_marker(l->trim)) {
			mark_from(lines, i, ZONE_QUOTE);
			return;
		}
		if (is_header_block(lines, i)) {
			if (i > 0 && is_rule(LINE(lines, i - 1)->trim))
				i--;
			mark_from(lines, i, ZONE_QUOTE);
			return;
		}
		n = attribution_lines(lines, i, &above_quote);
		if (n == 0)
			continue;
		if (!above_quote) {
			mark_from(lines, i, ZONE_QUOTE);
			return;
		}
		LINE(lines, i)->kind = ZONE_QUOTE;
		if (n == 2)
			LINE(lines, ++i)->kind = ZONE_QUOTE;
	}
}

/* Pass 2: blank lines between two quoted lines are part of the quote. */
static void
join_blank_quotes(GArray *lines)
{
	guint i, j;

	for (i = 1; i < lines->len; i++) {
		if (!is_blank(LINE(lines, i)) || LINE(lines, i - 1)->kind != ZONE_QUOTE)
			continue;
		j = next_nonblank(lines, i);
		if (j >= lines->len || LINE(lines, j)->kind != ZONE_QUOTE)
			continue;
		for (; i < j; i++)
			LINE(lines, i)->kind = ZONE_QUOTE;
	}
}

/* ---- signatures ----------------------------------------------------- */

static const char *const mobile_prefixes[] = {
	"sent from my ", "sent from mail for ", "sent from outlook", "get outlook for ",
	"sent from yahoo mail", "sent via ", "sent from samsung", "von meinem iphone",
	"von meinem ipad", "von meinem samsung", "envoyé de mon ", "enviado desde mi ",
	"enviado do meu ", "inviato da ", NULL,
};

static gboolean
is_mobile_signature(const char *trim)
{
	char *low;
	const char *const *p;
	gboolean yes = FALSE;

	/* every prefix starts with one of these ASCII letters */
	if (strlen(trim) > 80 || strchr("sSgGvVeEiI", *trim) == NULL || *trim == '\0')
		return FALSE;
	low = lower(trim);
	for (p = mobile_prefixes; *p != NULL; p++)
		if (g_str_has_prefix(low, *p))
			yes = TRUE;
	g_free(low);
	return yes;
}

static gboolean
is_dash_signature(const char *raw_line, gsize len)
{
	return (len == 3 && memcmp(raw_line, "-- ", 3) == 0) ||
		(len == 2 && memcmp(raw_line, "--", 2) == 0) ||
		(len == 4 && memcmp(raw_line, "-- \r", 4) == 0) ||
		(len == 3 && memcmp(raw_line, "--\r", 3) == 0);
}

static const char *const closings[] = {
	"best", "bests", "best regards", "best wishes", "kind regards", "warm regards",
	"warmest regards", "regards", "many regards", "cheers", "thanks", "thank you",
	"thanks again", "thanks so much", "thanks a lot", "many thanks", "thx", "ty",
	"sincerely", "yours", "yours truly", "yours sincerely", "all the best",
	"talk soon", "take care", "br", "rgds", "love", "xo", "ciao",
	"cordialement", "bien à vous", "merci", "grüße", "viele grüße", "liebe grüße",
	"beste grüße", "mit freundlichen grüßen", "lg", "vg", "saludos", "un saludo",
	"atentamente", "groeten", "met vriendelijke groet", "hälsningar", "mvh",
	"saluti", "cordiali saluti", "abraços", "atenciosamente", NULL,
};

/* Words after a closing that read as a name: "Thanks, Ann" or "Best, J.".
 * "Thanks, that works" is a sentence, not a sign-off. */
static gboolean
looks_like_name(const char *s)
{
	char **words = g_strsplit(s, " ", -1);
	guint i, n = 0;
	gboolean yes = TRUE;

	for (i = 0; words[i] != NULL; i++) {
		if (words[i][0] == '\0')
			continue;
		n++;
		if (!g_unichar_isupper(g_utf8_get_char(words[i])))
			yes = FALSE;
	}
	g_strfreev(words);
	return yes && n >= 1 && n <= 3;
}

/* "Best," "Thanks!" "Cheers" "Thanks, Ann": a whole line of closing. */
static gboolean
is_closing(const char *trim)
{
	char *low;
	const char *rest;
	gsize n;
	gboolean yes = FALSE;

	/* lowercasing shrinks a character to a third at most (KELVIN SIGN) */
	if (strlen(trim) > 3 * 40)
		return FALSE;
	low = lower(trim);
	n = strlen(low);
	if (n == 0 || n > 40)
		goto out;
	while (n > 0 && strchr(",.!- ", low[n - 1]) != NULL)
		low[--n] = '\0';
	if (in_list(low, closings)) {
		yes = TRUE;
		goto out;
	}
	rest = strchr(low, ',');
	if (rest != NULL) {
		char *head = g_strndup(low, rest - low);

		yes = in_list(head, closings) &&
			looks_like_name(trim + (rest - low) + 1);
		g_free(head);
	}
out:
	g_free(low);
	return yes;
}

/* A line that can follow a closing: a name, title, company, phone, link.
 * Sentences (long, many words, ending in ? or !) cannot. */
static gboolean
is_signoff_line(const char *trim)
{
	gsize n = strlen(trim);
	char **words;
	guint count;

	if (n == 0 || n > SIGNOFF_LINE_MAX || trim[n - 1] == '?' || trim[n - 1] == '!')
		return FALSE;
	words = g_strsplit(trim, " ", -1);
	count = g_strv_length(words);
	g_strfreev(words);
	if (count > 6)
		return FALSE;
	return trim[n - 1] != '.' || count <= 3;
}

/* Marks lines from..to-1 that are still new as signature. */
static void
mark_signature(GArray *lines, guint from, guint to)
{
	for (; from < to; from++)
		if (LINE(lines, from)->kind == ZONE_NEW)
			LINE(lines, from)->kind = ZONE_SIGNATURE;
}

/*
 * A sign-off at the end of the new block [start, end): the closing is
 * followed by at most SIGNOFF_MAX_LINES short lines, and new text comes
 * before it (a reply that is only "Thanks!" keeps its thanks).
 */
static void
mark_signoff(GArray *lines, guint start, guint end, gboolean text_before)
{
	guint i, after = 0, found = end;

	for (i = end; i > start; i--) {
		const line *l = LINE(lines, i - 1);

		if (is_blank(l))
			continue;
		if (++after > SIGNOFF_MAX_LINES + 1)
			break;
		if (is_closing(l->trim))
			found = i - 1;
		else if (!is_signoff_line(l->trim))
			break;
	}
	if (found == end)
		return;
	for (i = start; i < found; i++)
		if (!is_blank(LINE(lines, i)))
			text_before = TRUE;
	if (text_before)
		mark_signature(lines, found, end);
}

/* Pass 3: "-- ", "Sent from my iPhone" and sign-offs in each run of new
 * lines. */
static void
mark_signatures(const char *text, GArray *lines)
{
	guint i = 0, start, j;
	gboolean text_before = FALSE;

	while (i < lines->len) {
		if (LINE(lines, i)->kind != ZONE_NEW) {
			i++;
			continue;
		}
		start = i;
		while (i < lines->len && LINE(lines, i)->kind == ZONE_NEW)
			i++;
		for (j = start; j < i; j++) {
			const line *l = LINE(lines, j);

			if (is_dash_signature(text + l->start, l->len)) {
				/* everything new after "-- " is signature */
				mark_signature(lines, j, lines->len);
				return;
			}
			if (is_mobile_signature(l->trim)) {
				mark_signature(lines, j, i);
				break;
			}
		}
		mark_signoff(lines, start, j, text_before);
		for (j = start; j < i; j++)
			if (LINE(lines, j)->kind == ZONE_NEW && !is_blank(LINE(lines, j)))
				text_before = TRUE;
	}
}

/* ---- zones ---------------------------------------------------------- */

GArray *
zones_split(const char *text)
{
	GArray *zones = g_array_new(FALSE, FALSE, sizeof(zone));
	GArray *lines;
	char *copy = NULL;
	guint i;

	if (text == NULL || *text == '\0')
		return zones;
	lines = split_lines(text, &copy);
	mark_quotes(lines);
	join_blank_quotes(lines);
	mark_signatures(text, lines);
	for (i = 0; i < lines->len; i++) {
		const line *l = LINE(lines, i);
		zone *last = zones->len ? &g_array_index(zones, zone, zones->len - 1) : NULL;

		if (last != NULL && last->kind == l->kind) {
			last->len = l->next - last->start;
		} else {
			zone z = { l->kind, l->start, l->next - l->start };

			g_array_append_val(zones, z);
		}
	}
	free_lines(lines, copy);
	return zones;
}

/* Collapses runs of blank lines to one, in place. */
static void
squeeze_blank_lines(GString *s)
{
	gsize r, w = 0, newlines = 0;

	for (r = 0; r < s->len; r++) {
		newlines = s->str[r] == '\n' ? newlines + 1 : 0;
		if (newlines <= 2)
			s->str[w++] = s->str[r];
	}
	g_string_truncate(s, w);
}

char *
zones_new_text(const char *text)
{
	GArray *zones = zones_split(text);
	GString *out = g_string_new(NULL);
	guint i;

	for (i = 0; i < zones->len; i++) {
		const zone *z = &g_array_index(zones, zone, i);

		if (z->kind != ZONE_NEW)
			continue;
		g_string_append_len(out, text + z->start, z->len);
		if (out->len > 0 && out->str[out->len - 1] != '\n')
			g_string_append_c(out, '\n');
	}
	g_array_unref(zones);
	/* joined zones can leave runs of blank lines; one is enough */
	squeeze_blank_lines(out);
	return g_strstrip(g_string_free(out, FALSE));
}

const char *
zone_kind_name(zone_kind kind)
{
	switch (kind) {
	case ZONE_NEW: return "new";
	case ZONE_QUOTE: return "quote";
	case ZONE_SIGNATURE: return "signature";
	}
	return "unknown";
}
