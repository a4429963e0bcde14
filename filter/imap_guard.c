/*
 * imap_guard.c - the guard between libetpan and an IMAP stream (see
 * imap_guard.h).
 *
 * The lexer mirrors how libetpan 1.9.4 reads a server's bytes, as far as
 * literals go:
 * - a literal is "{" [SP/TAB]* ["-"] DIGIT+ [SP/TAB]* "}", then
 *   [SP/TAB]* CRLF or LF, after which its N bytes come; with neither (a
 *   workaround for an old server) the N bytes start at the first byte
 *   after the "}" that is not a space or tab.  "{-N}" is read as 0 bytes.
 * - outside literals it reads a line at a time, up to LF, but a quoted
 *   string goes on over as many lines as it takes to find its closing
 *   quote; in it a backslash escapes only a double quote or a backslash.
 * - a line whose first word starts with "+", or whose second starts with
 *   OK, NO, BAD, BYE or PREAUTH, is a status line: text, where "{N}" is
 *   just text, but for a response code ("[BADCHARSET (...)]") where it
 *   can be a literal.  Where a code ends depends on which code it is, so
 *   the guard does not guess: a "{N}" anywhere in a status line, or in a
 *   line's first two words, ends the session.  Servers send none there.
 * - in any other line a "{" outside a quoted string starts a literal, or
 *   is a parse error after which kith drops the session.
 * - the greeting and the continuation lines of AUTHENTICATE are parsed
 *   with no parser context, and libetpan dereferences that context as
 *   soon as it reads a string (a literal or a quoted string), as it does
 *   for each charset of a "[BADCHARSET (...)]" code.  kith never sends
 *   the SEARCH that calls for that list, so a status line with one ends
 *   the session wherever it comes.
 * So wherever libetpan reads a literal the guard has seen its "{N}" and
 * checked it, and the guard passes over unread only the bytes of a
 * literal announced where libetpan can take it for nothing else: it
 * cannot be led to skip over bytes the parser reads.
 */
#include <string.h>

#include "imap_guard.h"
#include "log.h"

/* Where in a line: its first word, the blanks after it, its second word
 * (which decides), then a data line or a status line. */
enum { LINE_START, LINE_FIRST, LINE_GAP, LINE_SECOND, LINE_DATA, LINE_TEXT };

/* Where in a "{N}": after "{", in the digits, in blanks after them,
 * after "}" (and blanks), after a CR there. */
enum { LIT_NONE, LIT_OPEN, LIT_DIGITS, LIT_AFTER, LIT_CLOSED, LIT_CR };

void
imap_guard_init(imap_guard *g, guint64 limit)
{
	memset(g, 0, sizeof(*g));
	g->limit = limit;
}

static gboolean
is_blank(char c)
{
	return c == ' ' || c == '\t';
}

/* Whether a line's second word makes it a status line; libetpan matches
 * these words without regard to case, and by their start. */
static gboolean
is_status_word(const char *word)
{
	static const char *const status[] = { "OK", "NO", "BAD", "BYE", "PREAUTH" };

	for (size_t i = 0; i < G_N_ELEMENTS(status); i++)
		if (g_ascii_strncasecmp(word, status[i], strlen(status[i])) == 0)
			return TRUE;
	return FALSE;
}

/* Follows the start of a line, up to the byte that tells a status line
 * from a data line. */
static void
classify(imap_guard *g, char c)
{
	switch (g->line) {
	case LINE_START:
		if (!is_blank(c) && c != '\n')
			g->line = c == '+' ? LINE_TEXT : LINE_FIRST;
		return;
	case LINE_FIRST:
		if (is_blank(c))
			g->line = LINE_GAP;
		return;
	case LINE_GAP:
		if (is_blank(c))
			return;
		g->line = LINE_SECOND;
		g->word_len = 0;    /* c starts the second word */
		/* fall through */
	case LINE_SECOND:
		if (!is_blank(c) && c != '\r' && c != '\n') {
			g->word[g->word_len++] = c;
			if (g->word_len < sizeof(g->word) - 1)
				return;
		}
		g->word[g->word_len] = '\0';
		g->line = is_status_word(g->word) ? LINE_TEXT : LINE_DATA;
		return;
	default:
		return;
	}
}

/* Follows "BADCHARSET" [SP/TAB]+ "(" in a status line; TRUE at its "(". */
static gboolean
badcharset_list(imap_guard *g, char c)
{
	static const char word[] = "BADCHARSET";
	const guint len = sizeof(word) - 1;

	if (g->badcharset == len + 1 && c == '(')
		return TRUE;
	if (g->badcharset >= len && is_blank(c)) {
		g->badcharset = len + 1;
		return FALSE;
	}
	if (g->badcharset < len && g_ascii_toupper(c) == word[g->badcharset])
		g->badcharset++;
	else
		g->badcharset = g_ascii_toupper(c) == word[0] ? 1 : 0;
	return FALSE;
}

static void
line_end(imap_guard *g)
{
	g->text = 0;
	g->badcharset = 0;
	g->line = LINE_START;
	g->lit = LIT_NONE;
	g->quoted = FALSE;
	g->escaped = FALSE;
}

static void
add_digit(imap_guard *g, char c)
{
	g->count = MIN(g->count * 10 + (guint64)(c - '0'), g->limit + 1);
}

/* At the "}" of an announcement. */
static imap_guard_verdict
literal_closed(imap_guard *g)
{
	if (g->negative)
		g->count = 0;
	if (g->count > g->limit)
		return IMAP_GUARD_TOO_LARGE;
	if (g->line != LINE_DATA)
		return IMAP_GUARD_MISPLACED;
	g->lit = LIT_CLOSED;
	return IMAP_GUARD_PASS;
}

static imap_guard_verdict lex(imap_guard *g, char c);

/* Starts passing over a literal of which `c` is the first byte (when it
 * has any). */
static imap_guard_verdict
literal_starts_at(imap_guard *g, char c)
{
	g->skip = g->count;
	if (g->skip == 0)
		return lex(g, c);
	g->skip--;
	return IMAP_GUARD_PASS;
}

/* A byte outside literals and announcements. */
static imap_guard_verdict
lex_plain(imap_guard *g, char c)
{
	if (g->quoted) {
		gboolean escaped = g->escaped;

		g->escaped = FALSE;
		if (escaped && (c == '"' || c == '\\'))
			return IMAP_GUARD_PASS;    /* the pair stands for c */
		if (c == '\\')
			g->escaped = TRUE;
		else if (c == '"')
			g->quoted = FALSE;
	} else if (c == '\n') {
		line_end(g);
	} else if (g->line == LINE_DATA && c == '"') {
		g->quoted = TRUE;
	} else if (g->line == LINE_TEXT && badcharset_list(g, c)) {
		return IMAP_GUARD_UNSAFE;
	} else if (c == '{') {
		g->lit = LIT_OPEN;
		g->count = 0;
		g->negative = FALSE;
	}
	return IMAP_GUARD_PASS;
}

/* A byte after "}" and its blanks: the line end before the literal's
 * bytes, or (with none) their first. */
static imap_guard_verdict
lex_after_close(imap_guard *g, char c)
{
	if (g->lit == LIT_CLOSED && is_blank(c))
		return IMAP_GUARD_PASS;
	if (g->lit == LIT_CLOSED && c == '\r') {
		g->lit = LIT_CR;
		return IMAP_GUARD_PASS;
	}
	if (c == '\n') {
		g->lit = LIT_NONE;
		g->skip = g->count;
		return IMAP_GUARD_PASS;
	}
	if (g->lit == LIT_CR) {
		/* no LF: the literal started at the CR, its first byte */
		g->lit = LIT_NONE;
		if (g->count == 0)
			return lex(g, c);
		g->count--;
	}
	g->lit = LIT_NONE;
	return literal_starts_at(g, c);
}

/* A byte of a "{N}" before its "}"; FALSE when c ends the shape (c is
 * then to be read afresh). */
static gboolean
lex_count(imap_guard *g, char c, imap_guard_verdict *v)
{
	*v = IMAP_GUARD_PASS;
	if (g_ascii_isdigit(c) && g->lit != LIT_AFTER) {
		g->lit = LIT_DIGITS;
		add_digit(g, c);
		return TRUE;
	}
	if (c == '}' && g->lit != LIT_OPEN) {
		*v = literal_closed(g);
		return TRUE;
	}
	if (c == '-' && g->lit == LIT_OPEN) {
		g->negative = TRUE;
		return TRUE;
	}
	if (!is_blank(c))
		return FALSE;
	if (g->lit == LIT_DIGITS)
		g->lit = LIT_AFTER;
	return TRUE;
}

/* A byte outside a literal's bytes. */
static imap_guard_verdict
lex(imap_guard *g, char c)
{
	imap_guard_verdict v;

	if (g->lit == LIT_CLOSED || g->lit == LIT_CR)
		return lex_after_close(g, c);
	if (g->lit != LIT_NONE && lex_count(g, c, &v))
		return v;
	/* not (or no longer) an announcement: c is read afresh */
	g->lit = LIT_NONE;
	return lex_plain(g, c);
}

imap_guard_verdict
imap_guard_follow(imap_guard *g, const char *buf, size_t len)
{
	size_t i = 0;

	while (i < len) {
		imap_guard_verdict v;
		char c;

		if (g->skip > 0) {
			size_t take = (size_t)MIN(g->skip, (guint64)(len - i));

			g->skip -= take;
			i += take;
			continue;
		}
		c = buf[i++];
		if (++g->text > g->limit)
			return IMAP_GUARD_TOO_LONG;
		classify(g, c);
		v = lex(g, c);
		if (v != IMAP_GUARD_PASS)
			return v;
	}
	return IMAP_GUARD_PASS;
}

/* --- in front of a stream ------------------------------------------------ */

/*
 * Each stream gets its own copy of its driver's table, with read and free
 * replaced; the stream's data is left as it was, so every other function
 * of the driver (TLS certificates, the fd) works unchanged.
 */
typedef struct {
	mailstream_low_driver table;   /* first: the stream's driver points here */
	mailstream_low_driver *inner;
	const char *where;             /* borrowed; outlives the stream */
	imap_guard lexer;
	gboolean failed;               /* every read fails from then on */
} stream_guard;

/* Logs why the guard drops the connection. */
static void
log_refusal(const stream_guard *g, imap_guard_verdict v)
{
	guint64 mib = g->lexer.limit >> 20;

	switch (v) {
	case IMAP_GUARD_TOO_LARGE:
		log_warn("%s: the server announced a literal of more than %"
			G_GUINT64_FORMAT " MiB; the connection is dropped", g->where, mib);
		break;
	case IMAP_GUARD_TOO_LONG:
		log_warn("%s: the server sent a reply of more than %" G_GUINT64_FORMAT
			" MiB outside its literals; the connection is dropped", g->where, mib);
		break;
	case IMAP_GUARD_UNSAFE:
		log_warn("%s: the server sent a BADCHARSET list, which kith never "
			"asks for and the IMAP parser can crash on; the connection is "
			"dropped", g->where);
		break;
	default:
		log_warn("%s: the server sent a literal ({N}) in a status line, "
			"where none belongs; the connection is dropped", g->where);
		break;
	}
}

static ssize_t
guard_read(mailstream_low *low, void *buf, size_t count)
{
	stream_guard *g = (stream_guard *)low->driver;
	imap_guard_verdict v;
	ssize_t n;

	if (g->failed)
		return -1;
	n = g->inner->mailstream_read(low, buf, count);
	if (n == 0 && count > 0)
		n = -1;    /* the end of the stream, which libetpan waits past */
	if (n <= 0)
		return n;
	v = imap_guard_follow(&g->lexer, buf, (size_t)n);
	if (v == IMAP_GUARD_PASS)
		return n;
	log_refusal(g, v);
	g->failed = TRUE;
	return -1;
}

static void
guard_free(mailstream_low *low)
{
	stream_guard *g = (stream_guard *)low->driver;

	low->driver = g->inner;
	g_free(g);
	low->driver->mailstream_free(low);
}

void
imap_guard_attach(mailstream *stream, const char *where, guint64 limit)
{
	mailstream_low *low = stream != NULL ? mailstream_get_low(stream) : NULL;
	stream_guard *g;

	if (low == NULL || low->driver->mailstream_read == guard_read)
		return;
	g = g_new0(stream_guard, 1);
	g->table = *low->driver;
	g->table.mailstream_read = guard_read;
	g->table.mailstream_free = guard_free;
	g->inner = low->driver;
	g->where = where;
	imap_guard_init(&g->lexer, limit);
	low->driver = &g->table;
}
