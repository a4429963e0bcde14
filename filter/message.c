/*
 * message.c - raw bytes to a kith_message with GMime 3.
 *
 * The top-level header block is split into fields here (header_block.h)
 * and only the fields that shape the MIME structure go to GMime, which
 * would otherwise build an object of every Received and DKIM field.
 * GMime does the MIME parsing; we walk the tree ourselves (depth-capped),
 * choose the body text, convert every piece of text to valid UTF-8 and
 * work around the GMime 3.2 header decoding bug with consecutive
 * B-encoded words (gmime#133) by merging such runs before decoding.
 */
#include <string.h>

#include <gmime/gmime.h>
#include <libxml/parser.h>

#include "automated.h"
#include "header_block.h"
#include "html.h"
#include "message.h"
#include "addr_simple.h"
#include "mime_cut.h"
#include "mime_leaf.h"
#include "zones.h"

/* A parse with hostile input can produce thousands of warnings; the
 * first few say all there is to say. */
#define MAX_WARNINGS 50
/* Address groups cannot nest by RFC 5322, but GMime builds what it sees. */
#define MAX_GROUP_DEPTH 8

/* The state of one MIME walk.  Borrows the message and options. */
typedef struct {
	kith_message *msg;
	GMimeParserOptions *options;
	GString *plain;      /* inline text/plain parts, UTF-8 */
	GString *html;       /* inline text/html parts, as text */
	GString *forwarded;  /* text of attached messages, each after a marker */
	gboolean nested;     /* inside a message/rfc822: no attachments, no report */
	gboolean no_text;    /* attachments and the report flag only */
	gboolean partial;    /* MESSAGE_PARSE_PARTIAL: stubs carry their size */
	mime_cuts *cuts;     /* attachments whose content GMime did not see */
} walk_ctx;

static void walk(walk_ctx *ctx, GMimeObject *obj, int depth);

/* ---- library init --------------------------------------------------- */

/* glibc unloads a charset converter's module when its last descriptor
 * closes and loads it again on the next iconv_open: with one open and
 * close per header, that was a dlopen per message.  Holding one
 * descriptor for the common charsets keeps their modules loaded for the
 * life of the process (deliberately never closed; kept here so they stay
 * reachable, which valgrind does not count as a leak). */
static GIConv volatile pinned_converters[16];   /* stores kept: never read */

static void
pin_charset_converters(void)
{
	/* The common ones only: each costs a module load up front, which a
	 * one-message drain pays too. */
	static const char *const charsets[] = {
		"ISO-8859-1", "WINDOWS-1252", "ISO-8859-15",
	};

	for (gsize i = 0; i < G_N_ELEMENTS(charsets) && i < G_N_ELEMENTS(pinned_converters); i++)
		pinned_converters[i] = g_iconv_open("UTF-8", charsets[i]);
}

/* The options header fields are decoded with after the parse
 * (message_header): made once with the library, read-only afterwards. */
static GMimeParserOptions *decode_options;
static const char *fallback_charsets[] = { "utf-8", "windows-1252", NULL };

/* g_mime_init() sets process-wide tables; once is enough. */
static void
gmime_init_once(void)
{
	static gsize done = 0;

	if (g_once_init_enter(&done)) {
		g_mime_init();
		decode_options = g_mime_parser_options_new();
		g_mime_parser_options_set_fallback_charsets(decode_options, fallback_charsets);
		/* libxml2 must be initialised before threads use it. */
		xmlInitParser();
		pin_charset_converters();
		g_once_init_leave(&done, 1);
	}
}

void
message_library_init(void)
{
	gmime_init_once();
}

GDateTime *
message_date_local(const kith_message *msg)
{
	GDateTime *utc, *local;
	GTimeZone *tz;

	if (!msg->date_valid)
		return NULL;
	utc = g_date_time_new_from_unix_utc(msg->date);
	if (utc == NULL)
		return NULL;
	tz = g_time_zone_new_offset(msg->tz_offset * 60);
	local = g_date_time_to_timezone(utc, tz);
	g_time_zone_unref(tz);
	g_date_time_unref(utc);
	return local;
}

/* ---- text and charsets --------------------------------------------- */

/* windows-1252 0x80-0x9F; 0 marks the five unassigned bytes. */
static const gunichar cp1252_high[32] = {
	0x20AC, 0, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021,
	0x02C6, 0x2030, 0x0160, 0x2039, 0x0152, 0, 0x017D, 0,
	0, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022, 0x2013, 0x2014,
	0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0, 0x017E, 0x0178,
};

/* Decodes windows-1252 (a superset of ISO-8859-1 for text) without iconv,
 * which refuses the unassigned bytes; those become U+FFFD.  New string. */
static char *
cp1252_to_utf8(const char *s, gsize len)
{
	GString *out = g_string_sized_new(len + len / 4 + 1);
	gsize i;

	for (i = 0; i < len; i++) {
		guchar c = (guchar)s[i];
		gunichar u = c;

		if (c >= 0x80 && c < 0xA0)
			u = cp1252_high[c - 0x80] ? cp1252_high[c - 0x80] : 0xFFFD;
		g_string_append_unichar(out, u);
	}
	return g_string_free(out, FALSE);
}

/* NUL bytes end C strings early and make g_utf8_validate fail: spaces
 * keep the text readable and its length unchanged. */
static void
scrub_nul(char *s, gsize len)
{
	gsize i;

	for (i = 0; i < len; i++)
		if (s[i] == '\0')
			s[i] = ' ';
}

/* The length of the run of ASCII bytes `s` starts with, eight bytes at
 * a time: most text is ASCII, and g_utf8_validate() takes it a byte at a
 * time. */
static gsize
ascii_prefix(const char *s, gsize len)
{
	gsize i = 0;

	for (; i + 8 <= len; i += 8) {
		guint64 w;

		memcpy(&w, s + i, sizeof w);
		if (w & G_GUINT64_CONSTANT(0x8080808080808080))
			break;
	}
	while (i < len && (guchar)s[i] < 0x80)
		i++;
	return i;
}

/* A NUL-free copy of `s` if it is valid UTF-8, else NULL. */
static char *
utf8_copy_if_valid(const char *s, gsize len)
{
	char *copy = g_strndup(s, len);
	gsize ascii;

	if (memchr(copy, '\0', len) != NULL)
		scrub_nul(copy, len);
	/* validation starts where the ASCII ends, on a character boundary */
	ascii = ascii_prefix(copy, len);
	if (ascii == len || g_utf8_validate(copy + ascii, (gssize)(len - ascii), NULL))
		return copy;
	g_free(copy);
	return NULL;
}

/* Valid UTF-8 from any bytes: kept when valid, else read as
 * windows-1252.  New string. */
static char *
bytes_to_utf8(const char *s, gsize len)
{
	char *out = utf8_copy_if_valid(s, len);

	return out ? out : cp1252_to_utf8(s, len);
}

static gboolean
has_high_bytes(const char *s, gsize len)
{
	gsize i;

	for (i = 0; i < len; i++)
		if ((guchar)s[i] >= 0x80)
			return TRUE;
	return FALSE;
}

/* Charsets whose text may be pure ASCII bytes yet not ASCII text. */
static gboolean
charset_is_stateful(const char *canon)
{
	return g_str_has_prefix(canon, "iso-2022") || g_str_has_prefix(canon, "utf-7") ||
		g_str_has_prefix(canon, "hz");
}

/* Charsets that use NUL bytes inside characters. */
static gboolean
charset_is_wide(const char *canon)
{
	return g_str_has_prefix(canon, "utf-16") || g_str_has_prefix(canon, "utf-32") ||
		g_str_has_prefix(canon, "ucs-2") || g_str_has_prefix(canon, "ucs-4") ||
		g_str_has_prefix(canon, "utf16") || g_str_has_prefix(canon, "utf32");
}

/* Labels read as "UTF-8 if valid, else windows-1252", as browsers do:
 * senders label cp1252 text (curly quotes, euro sign) ISO-8859-1 or
 * US-ASCII all the time, and UTF-8 labels on Latin-1 text happen too. */
static gboolean
charset_is_default(const char *canon)
{
	return *canon == '\0' || strcmp(canon, "iso-8859-1") == 0 ||
		strcmp(canon, "cp1252") == 0 || strcmp(canon, "windows-1252") == 0 ||
		strcmp(canon, "us-ascii") == 0 || strcmp(canon, "utf-8") == 0;
}

/*
 * Bytes in `charset` (may be NULL or wrong) to valid UTF-8 with no NUL
 * bytes.  Valid UTF-8 with 8-bit bytes wins over the label (mislabelled
 * mail is far more common than Latin-1 text that happens to be valid
 * UTF-8); unknown or failing charsets fall back to windows-1252.
 * Returns a new string.
 */
static char *
text_to_utf8(const char *s, gsize len, const char *charset)
{
	char *lower = NULL;
	const char *canon;
	gboolean wide, high;
	char *out = NULL;
	gsize written = 0;

	/* an empty GByteArray may have no buffer at all */
	if (s == NULL || len == 0)
		return g_strdup("");
	lower = charset ? g_strstrip(g_ascii_strdown(charset, -1)) : NULL;
	canon = lower ? g_mime_charset_canon_name(lower) : NULL;
	wide = canon != NULL && charset_is_wide(canon);
	high = has_high_bytes(s, len);
	if (canon == NULL || charset_is_default(canon) ||
		(!high && !wide && !charset_is_stateful(canon))) {
		out = bytes_to_utf8(s, len);
		goto out;
	}
	if (high && !wide && (out = utf8_copy_if_valid(s, len)) != NULL)
		goto out;
	out = g_convert(s, len, "UTF-8", g_mime_charset_iconv_name(canon), NULL,
		&written, NULL);
	if (out == NULL) {
		out = bytes_to_utf8(s, len);
		goto out;
	}
	scrub_nul(out, written);
	if (!g_utf8_validate(out, written, NULL)) {
		char *valid = g_utf8_make_valid(out, written);

		g_free(out);
		out = valid;
	}
out:
	g_free(lower);
	return out;
}

/* Valid UTF-8 copy of a NUL-terminated string (GMime output may carry raw
 * 8-bit bytes when its charset guess failed).  New string. */
static char *
str_utf8(const char *s)
{
	return bytes_to_utf8(s ? s : "", s ? strlen(s) : 0);
}

/* "\r\n" and lone "\r" to "\n", in place. */
static void
normalize_newlines(GString *s)
{
	gsize r, w = 0;

	for (r = 0; r < s->len; r++) {
		if (s->str[r] == '\r') {
			s->str[w++] = '\n';
			if (r + 1 < s->len && s->str[r + 1] == '\n')
				r++;
			continue;
		}
		s->str[w++] = s->str[r];
	}
	g_string_truncate(s, w);
}

/* Cuts `s` to at most `max` bytes at a UTF-8 character boundary; TRUE if
 * it cut. */
static gboolean
truncate_utf8(GString *s, gsize max)
{
	gsize n = max;

	if (s->len <= max)
		return FALSE;
	while (n > 0 && ((guchar)s->str[n] & 0xC0) == 0x80)
		n--;
	g_string_truncate(s, n);
	return TRUE;
}

/* ---- RFC 2047 run merging (gmime#133) ------------------------------- */

/* One encoded word =?charset?enc?text?= found at a position. */
typedef struct {
	const char *start, *end;       /* the whole word */
	const char *cs, *enc, *text;   /* its parts */
	gsize cs_len, text_len;
} eword;

static gboolean
eword_parse(const char *p, eword *w)
{
	const char *q;

	if (p[0] != '=' || p[1] != '?')
		return FALSE;
	w->start = p;
	w->cs = p + 2;
	for (q = w->cs; *q && *q != '?' && !g_ascii_isspace(*q); q++)
		;
	if (*q != '?' || q == w->cs)
		return FALSE;
	w->cs_len = q - w->cs;
	w->enc = q + 1;
	if (g_ascii_tolower(*w->enc) != 'b' && g_ascii_tolower(*w->enc) != 'q')
		return FALSE;
	if (w->enc[1] != '?')
		return FALSE;
	w->text = w->enc + 2;
	for (q = w->text; *q && *q != '?' && !g_ascii_isspace(*q); q++)
		;
	if (q[0] != '?' || q[1] != '=')
		return FALSE;
	w->text_len = q - w->text;
	w->end = q + 2;
	return TRUE;
}

/* Appends the decoded bytes of one encoded word. */
static void
eword_decode(const eword *w, GByteArray *out)
{
	char *text = g_strndup(w->text, w->text_len);
	gsize i;

	if (g_ascii_tolower(*w->enc) == 'b') {
		gsize n = 0;
		guchar *bytes = g_base64_decode(text, &n);

		g_byte_array_append(out, bytes, n);
		g_free(bytes);
		goto out;
	}
	for (i = 0; i < w->text_len; i++) {
		guint8 c = (guint8)text[i];

		if (c == '_') {
			c = ' ';
		} else if (c == '=' && g_ascii_isxdigit(text[i + 1]) &&
			g_ascii_isxdigit(text[i + 2])) {
			c = (guint8)(g_ascii_xdigit_value(text[i + 1]) * 16 +
				g_ascii_xdigit_value(text[i + 2]));
			i += 2;
		}
		g_byte_array_append(out, &c, 1);
	}
out:
	g_free(text);
}

static gboolean
eword_same_charset(const eword *a, const eword *b)
{
	return a->cs_len == b->cs_len && g_ascii_strncasecmp(a->cs, b->cs, a->cs_len) == 0;
}

/*
 * Rewrites every run of adjacent encoded words in one charset (only
 * white space between them) as a single B word holding the concatenated
 * bytes.  GMime 3.2.13 decodes only the first of consecutive B words
 * (gmime#133); a single word it decodes right.  Concatenating the bytes
 * also mends characters split across words, which real senders do.
 * Returns a new string.
 */
static char *
merge_encoded_words(const char *raw)
{
	GString *out = g_string_sized_new(strlen(raw));
	const char *p = raw;

	while (*p) {
		eword first, next;
		const char *q;
		GByteArray *bytes;
		char *b64;
		int count = 1;

		if (!eword_parse(p, &first)) {
			g_string_append_c(out, *p++);
			continue;
		}
		bytes = g_byte_array_new();
		eword_decode(&first, bytes);
		q = first.end;
		for (;;) {
			const char *r = q;

			while (*r == ' ' || *r == '\t' || *r == '\r' || *r == '\n')
				r++;
			if (!eword_parse(r, &next) || !eword_same_charset(&first, &next))
				break;
			eword_decode(&next, bytes);
			q = next.end;
			count++;
		}
		if (count == 1) {
			g_string_append_len(out, first.start, first.end - first.start);
		} else {
			b64 = g_base64_encode(bytes->data, bytes->len);
			g_string_append(out, "=?");
			g_string_append_len(out, first.cs, first.cs_len);
			g_string_append(out, "?B?");
			g_string_append(out, b64);
			g_string_append(out, "?=");
			g_free(b64);
		}
		g_byte_array_unref(bytes);
		p = q;
	}
	return g_string_free(out, FALSE);
}

/*
 * A header value with no encoded word, copied with its folds unfolded:
 * every run of blanks and line ends becomes one space, and the ends are
 * trimmed.  NULL when the value holds "=?" or is not valid UTF-8 and so
 * needs decoding.  Most headers (Received, DKIM, ids) are like this, and
 * one pass over them is all they need.
 */
static char *
header_plain_copy(const char *raw)
{
	gsize n = strlen(raw);
	char *out = g_malloc(n + 1), *w = out;
	gboolean in_space = FALSE, high = FALSE;

	for (const char *r = raw; *r != '\0'; r++) {
		char c = *r;

		if (c == ' ' || c == '\t' || c == '\r' || c == '\n') {
			in_space = TRUE;
			continue;
		}
		if (c == '=' && r[1] == '?')
			goto decode;
		high = high || (c & 0x80) != 0;
		if (in_space && w != out)
			*w++ = ' ';
		in_space = FALSE;
		*w++ = c;
	}
	*w = '\0';
	if (high && !g_utf8_validate(out, (gssize)(w - out), NULL))
		goto decode;
	return out;
decode:
	g_free(out);
	return NULL;
}

/* A raw header value decoded: merged, unfolded, RFC 2047-decoded,
 * trimmed, valid UTF-8.  New string. */
static char *
header_decode(GMimeParserOptions *options, const char *raw)
{
	char *merged, *unfolded, *decoded, *out;

	if (raw == NULL)
		raw = "";
	out = header_plain_copy(raw);
	if (out != NULL)
		return out;
	merged = merge_encoded_words(raw);
	unfolded = g_mime_utils_header_unfold(merged);
	decoded = g_mime_utils_header_decode_text(options, unfolded);
	out = str_utf8(decoded);
	g_strstrip(out);
	g_free(merged);
	g_free(unfolded);
	g_free(decoded);
	return out;
}

/* ---- small model helpers -------------------------------------------- */

static void
address_free(gpointer p)
{
	kith_address *a = p;

	if (a == NULL)
		return;
	g_free(a->name);
	g_free(a->addr);
	g_free(a);
}

static void
attachment_free(gpointer p)
{
	kith_attachment *a = p;

	if (a == NULL)
		return;
	g_free(a->filename);
	g_free(a->mime_type);
	g_free(a);
}

static void
header_free(gpointer p)
{
	kith_header *h = p;

	if (h == NULL)
		return;
	g_free(h->name);
	g_free(h->value);
	g_free(h->raw);
	g_free(h);
}

static kith_message *
message_new(void)
{
	kith_message *msg = g_new0(kith_message, 1);

	msg->headers = g_ptr_array_new_with_free_func(header_free);
	msg->references = g_ptr_array_new_with_free_func(g_free);
	msg->from = g_ptr_array_new_with_free_func(address_free);
	msg->to = g_ptr_array_new_with_free_func(address_free);
	msg->cc = g_ptr_array_new_with_free_func(address_free);
	msg->reply_to = g_ptr_array_new_with_free_func(address_free);
	msg->attachments = g_ptr_array_new_with_free_func(attachment_free);
	msg->warnings = g_ptr_array_new_with_free_func(g_free);
	msg->subject = g_strdup("");
	return msg;
}

void
message_free(kith_message *msg)
{
	if (msg == NULL)
		return;
	g_ptr_array_unref(msg->headers);
	g_free(msg->message_id);
	g_free(msg->in_reply_to);
	g_ptr_array_unref(msg->references);
	g_free(msg->subject);
	g_ptr_array_unref(msg->from);
	g_ptr_array_unref(msg->to);
	g_ptr_array_unref(msg->cc);
	g_ptr_array_unref(msg->reply_to);
	g_ptr_array_unref(msg->attachments);
	g_free(msg->text);
	g_free(msg->new_text);
	g_free(msg->automated);
	g_ptr_array_unref(msg->warnings);
	g_free(msg);
}

static gboolean
attachments_equal(const GPtrArray *a, const GPtrArray *b)
{
	if (a->len != b->len)
		return FALSE;
	for (guint i = 0; i < a->len; i++) {
		const kith_attachment *x = g_ptr_array_index(a, i);
		const kith_attachment *y = g_ptr_array_index(b, i);

		if (strcmp(x->filename, y->filename) != 0 ||
		    strcmp(x->mime_type, y->mime_type) != 0 || x->size != y->size)
			return FALSE;
	}
	return TRUE;
}

static gboolean
addresses_equal(const GPtrArray *a, const GPtrArray *b)
{
	if (a->len != b->len)
		return FALSE;
	for (guint i = 0; i < a->len; i++) {
		const kith_address *x = g_ptr_array_index(a, i), *y = g_ptr_array_index(b, i);

		if (strcmp(x->addr, y->addr) != 0 || strcmp(x->name, y->name) != 0)
			return FALSE;
	}
	return TRUE;
}

const char *
message_body_differs(const kith_message *a, const kith_message *b)
{
	if (strcmp(a->text, b->text) != 0)
		return "text";
	if (strcmp(a->new_text, b->new_text) != 0)
		return "new_text";
	if (a->text_from_html != b->text_from_html)
		return "text_from_html";
	if (a->text_truncated != b->text_truncated)
		return "text_truncated";
	if (a->is_report != b->is_report)
		return "is_report";
	if (g_strcmp0(a->automated, b->automated) != 0)
		return "automated";
	if (!attachments_equal(a->attachments, b->attachments))
		return "attachments";
	if (!addresses_equal(a->from, b->from))
		return "from";
	if (!addresses_equal(a->to, b->to))
		return "to";
	if (!addresses_equal(a->cc, b->cc))
		return "cc";
	if (!addresses_equal(a->reply_to, b->reply_to))
		return "reply_to";
	return NULL;
}

const char *
message_header_at(const kith_message *msg, guint i)
{
	/* the decoded value is a cache: the message is logically const */
	kith_header *h;

	if (msg == NULL || i >= msg->headers->len)
		return NULL;
	h = g_ptr_array_index(msg->headers, i);
	if (h->value == NULL) {
		h->value = header_decode(decode_options, h->raw);
		g_clear_pointer(&h->raw, g_free);
	}
	return h->value;
}

const char *
message_header(const kith_message *msg, const char *name)
{
	guint i;

	if (msg == NULL || name == NULL)
		return NULL;
	for (i = 0; i < msg->headers->len; i++) {
		const kith_header *h = g_ptr_array_index(msg->headers, i);

		if (g_ascii_strcasecmp(h->name, name) == 0)
			return message_header_at(msg, i);
	}
	return NULL;
}

const kith_address *
message_sender(const kith_message *msg)
{
	if (msg == NULL || msg->from->len == 0)
		return NULL;
	return g_ptr_array_index(msg->from, 0);
}

char *
message_strdown(const char *s)
{
	for (const char *p = s; *p != '\0'; p++) {
		if ((guchar)*p >= 0x80)
			return g_utf8_strdown(s, -1);
	}
	return g_ascii_strdown(s, -1);
}

char *
message_normalize_address(const char *addr)
{
	char *s, *at, *p;
	gsize len;

	if (addr == NULL)
		return NULL;
	s = g_strstrip(g_strdup(addr));
	len = strlen(s);
	if (len >= 2 && s[0] == '<' && s[len - 1] == '>') {
		memmove(s, s + 1, len - 2);
		s[len - 2] = '\0';
		g_strstrip(s);
	}
	at = strrchr(s, '@');
	if (at == NULL || at == s || at[1] == '\0' || !g_utf8_validate(s, -1, NULL))
		goto fail;
	for (p = s; *p; p++)
		if ((guchar)*p < 0x20 || *p == 0x7f || *p == ' ' || *p == '<' || *p == '>')
			goto fail;
	p = message_strdown(s);
	g_free(s);
	return p;
fail:
	g_free(s);
	return NULL;
}

/* A Message-ID we can key on: non-empty, one token, with an '@'. */
static gboolean
message_id_ok(const char *id)
{
	const char *p, *at;

	if (id == NULL || *id == '\0' || strlen(id) > 998)
		return FALSE;
	for (p = id; *p; p++)
		if ((guchar)*p <= 0x20 || *p == 0x7f || *p == '<' || *p == '>')
			return FALSE;
	at = strrchr(id, '@');
	return at != NULL && at != id && at[1] != '\0' && g_utf8_validate(id, -1, NULL);
}

/* ---- the raw header block -------------------------------------------- */

/* Where the header block starts: after a UTF-8 byte order mark (some
 * Windows tools write one) and a leading mbox "From " line. */
static gsize
header_start(const char *data, gsize len)
{
	gsize pos = 0;
	const char *nl;

	if (len >= 3 && memcmp(data, "\xEF\xBB\xBF", 3) == 0)
		pos = 3;
	if (len - pos < 5 || memcmp(data + pos, "From ", 5) != 0)
		return pos;
	nl = memchr(data + pos, '\n', len - pos);
	return nl ? (gsize)(nl - data) + 1 : len;
}

/* The reduced form of a message that imap.c fetched without its
 * attachments (MESSAGE_PARSE_PARTIAL): the boundary of its own multipart,
 * and the prefix of the original fields it replaced. */
#define PARTIAL_BOUNDARY "=_kith-partial-message"
#define PARTIAL_RENAMED "X-Kith-Original-"
#define PARTIAL_RENAMED_LEN (sizeof(PARTIAL_RENAMED) - 1)

char *
message_synthesize_id(const char *data, gsize len)
{
	GChecksum *sum = g_checksum_new(G_CHECKSUM_SHA256);
	gsize pos = header_start(data, len);
	char *id;

	/* Hash each header line without its line end, then "\n", so LF,
	 * CRLF and unterminated copies hash alike. */
	while (pos < len) {
		const char *line = data + pos;
		const char *nl = memchr(line, '\n', len - pos);
		gsize n = nl ? (gsize)(nl - line) : len - pos;
		gsize next = pos + n + (nl ? 1 : 0);

		if (n > 0 && line[n - 1] == '\r')
			n--;
		if (n == 0)
			break;
		pos = next;
		/* A partial fetch's own Content-Type, and the fields it renamed
		 * (see MESSAGE_PARSE_PARTIAL): hashed as the original has them. */
		if (n > PARTIAL_RENAMED_LEN &&
		    memcmp(line, PARTIAL_RENAMED, PARTIAL_RENAMED_LEN) == 0) {
			line += PARTIAL_RENAMED_LEN;
			n -= PARTIAL_RENAMED_LEN;
		} else if (g_strstr_len(line, n, PARTIAL_BOUNDARY) != NULL) {
			continue;
		}
		g_checksum_update(sum, (const guchar *)line, n);
		g_checksum_update(sum, (const guchar *)"\n", 1);
	}
	id = g_strdup_printf("kith-%s@synth", g_checksum_get_string(sum));
	g_checksum_free(sum);
	return id;
}

/* TRUE when the first line is a header field ("Name:" with a printable
 * name; "Name :" is obsolete but seen), i.e. the input starts with a
 * header block. */
static gboolean
starts_with_header(const char *data, gsize len)
{
	gsize i = 0;

	while (i < len && (guchar)data[i] > 32 && (guchar)data[i] < 127 && data[i] != ':')
		i++;
	if (i == 0)
		return FALSE;
	while (i < len && (data[i] == ' ' || data[i] == '\t'))
		i++;
	return i < len && data[i] == ':';
}

/* ---- parser warnings -------------------------------------------------- */

static const char *
warning_text(GMimeParserWarning code)
{
	switch (code) {
	case GMIME_WARN_DUPLICATED_HEADER: return "duplicated header";
	case GMIME_WARN_DUPLICATED_PARAMETER: return "duplicated parameter";
	case GMIME_WARN_UNENCODED_8BIT_HEADER: return "unencoded 8-bit header";
	case GMIME_WARN_INVALID_CONTENT_TYPE: return "invalid content type";
	case GMIME_WARN_INVALID_RFC2047_HEADER_VALUE: return "invalid RFC 2047 value";
	case GMIME_WARN_MALFORMED_MULTIPART: return "malformed multipart";
	case GMIME_WARN_TRUNCATED_MESSAGE: return "truncated message";
	case GMIME_WARN_MALFORMED_MESSAGE: return "malformed message";
	case GMIME_CRIT_INVALID_HEADER_NAME: return "invalid header name";
	case GMIME_CRIT_CONFLICTING_HEADER: return "conflicting header";
	case GMIME_CRIT_CONFLICTING_PARAMETER: return "conflicting parameter";
	case GMIME_CRIT_MULTIPART_WITHOUT_BOUNDARY: return "multipart without boundary";
	case GMIME_WARN_INVALID_PARAMETER: return "invalid parameter";
	case GMIME_WARN_INVALID_ADDRESS_LIST: return "invalid address list";
	case GMIME_CRIT_NESTING_OVERFLOW: return "MIME nesting too deep";
	case GMIME_WARN_PART_WITHOUT_CONTENT: return "part without content";
	case GMIME_CRIT_PART_WITHOUT_HEADERS_OR_CONTENT:
		return "part without headers or content";
	}
	return "parser warning";
}

static void
add_warning(kith_message *msg, char *text)
{
	if (msg->warnings->len < MAX_WARNINGS)
		g_ptr_array_add(msg->warnings, text);
	else
		g_free(text);
}

/* GMime's warning callback: records, never aborts.  `data` is the
 * message being built. */
static void
on_parser_warning(gint64 offset, GMimeParserWarning code, const char *item,
	gpointer data)
{
	kith_message *msg = data;
	GString *s;
	char *valid;

	if (msg->warnings->len >= MAX_WARNINGS)
		return;
	s = g_string_new(NULL);
	g_string_append(s, warning_text(code));
	if (offset >= 0)
		g_string_append_printf(s, " at offset %" G_GINT64_FORMAT, offset);
	if (item != NULL && *item != '\0') {
		char *c;

		valid = str_utf8(item);
		/* one line in the log, whatever the header held */
		for (c = valid; *c; c++)
			if ((guchar)*c < 0x20)
				*c = ' ';
		g_string_append(s, ": ");
		g_string_append(s, g_strstrip(valid));
		g_free(valid);
		/* the item can be a whole header; a hint is enough */
		truncate_utf8(s, 120);
	}
	add_warning(msg, g_string_free(s, FALSE));
}

/* ---- headers ----------------------------------------------------------- */

/* The top-level fields into msg->headers, to be decoded when asked for. */
static void
read_headers(kith_message *msg, const GArray *fields)
{
	for (guint i = 0; i < fields->len; i++) {
		const header_field *f = &g_array_index(fields, header_field, i);
		kith_header *kh = g_new0(kith_header, 1);

		kh->name = bytes_to_utf8(f->name, f->name_len);
		kh->raw = g_strndup(f->value, f->value_len);
		g_ptr_array_add(msg->headers, kh);
	}
}

/* The raw value of the first header `name` (any case), or NULL; borrowed
 * from GMime. */
static const char *
raw_header(GMimeObject *obj, const char *name)
{
	GMimeHeaderList *list = g_mime_object_get_header_list(obj);
	GMimeHeader *h = g_mime_header_list_get_header(list, name);

	return h ? g_mime_header_get_raw_value(h) : NULL;
}

static void
add_address_list(GPtrArray *out, InternetAddressList *list, int depth)
{
	int i, n;

	if (list == NULL || depth > MAX_GROUP_DEPTH)
		return;
	n = internet_address_list_length(list);
	for (i = 0; i < n; i++) {
		InternetAddress *ia = internet_address_list_get_address(list, i);
		kith_address *a;
		char *addr;

		if (INTERNET_ADDRESS_IS_GROUP(ia)) {
			/* the group's display name is not an address; its members are */
			add_address_list(out, internet_address_group_get_members(
				INTERNET_ADDRESS_GROUP(ia)), depth + 1);
			continue;
		}
		if (!INTERNET_ADDRESS_IS_MAILBOX(ia))
			continue;
		addr = message_normalize_address(internet_address_mailbox_get_addr(
			INTERNET_ADDRESS_MAILBOX(ia)));
		if (addr == NULL)
			continue;
		a = g_new0(kith_address, 1);
		a->addr = addr;
		a->name = str_utf8(internet_address_get_name(ia));
		g_strstrip(a->name);
		g_ptr_array_add(out, a);
	}
}

/* Adds the items of a plain address list (addr_simple.h) as add_address_list
 * adds GMime's mailboxes. */
static void
add_simple_addresses(GPtrArray *out, const GArray *items)
{
	for (guint i = 0; i < items->len; i++) {
		const addr_simple *item = &g_array_index(items, addr_simple, i);
		char *addr = message_normalize_address(item->addr);
		kith_address *a;

		if (addr == NULL)
			continue;
		a = g_new0(kith_address, 1);
		a->addr = addr;
		a->name = g_strdup(item->name);
		g_ptr_array_add(out, a);
	}
}

/* Every top-level field `name` parsed as addresses into `out`, in order:
 * by addr_simple.c when the value is plain and `simple`, else by GMime. */
static void
read_addresses(GPtrArray *out, const GArray *fields, GMimeParserOptions *options,
	const char *name, gboolean simple)
{
	GArray *items = g_array_new(FALSE, FALSE, sizeof(addr_simple));

	for (guint i = 0; i < fields->len; i++) {
		const header_field *f = &g_array_index(fields, header_field, i);
		InternetAddressList *addrs;
		char *raw, *merged;
		gboolean encoded;

		if (!header_field_is(f, name))
			continue;
		/* most address fields hold no encoded word to merge */
		encoded = memmem(f->value, f->value_len, "=?", 2) != NULL;
		if (simple && !encoded && addr_simple_parse(f->value, f->value_len, items)) {
			add_simple_addresses(out, items);
			addr_simple_clear(items);
			continue;
		}
		raw = g_strndup(f->value, f->value_len);
		merged = encoded ? merge_encoded_words(raw) : NULL;
		addrs = internet_address_list_parse(options, merged != NULL ? merged : raw);
		add_address_list(out, addrs, 0);
		if (addrs != NULL)
			g_object_unref(addrs);
		g_free(merged);
		g_free(raw);
	}
	g_array_unref(items);
}

/* Message-IDs of a raw References-style value, without <>, appended. */
static void
read_ids(GPtrArray *out, GMimeParserOptions *options, const char *raw)
{
	GMimeReferences *refs;
	int i, n;

	if (raw == NULL)
		return;
	refs = g_mime_references_parse(options, raw);
	if (refs == NULL)
		return;
	n = g_mime_references_length(refs);
	for (i = 0; i < n; i++) {
		const char *id = g_mime_references_get_message_id(refs, i);

		if (id != NULL && *id != '\0')
			g_ptr_array_add(out, str_utf8(id));
	}
	g_mime_references_free(refs);
}

static void
read_ids_and_date(kith_message *msg, const GArray *fields, GMimeParserOptions *options,
	const char *data, gsize len)
{
	char *raw = header_block_value(fields, "Message-ID");
	char *id = raw ? g_mime_utils_decode_message_id(raw) : NULL;
	GPtrArray *irt = g_ptr_array_new_with_free_func(g_free);
	GDateTime *dt;

	if (message_id_ok(id)) {
		msg->message_id = str_utf8(id);
	} else {
		msg->message_id = message_synthesize_id(data, len);
		msg->message_id_synthesized = TRUE;
	}
	g_free(id);
	g_free(raw);

	raw = header_block_value(fields, "In-Reply-To");
	read_ids(irt, options, raw);
	g_free(raw);
	if (irt->len > 0)
		msg->in_reply_to = g_strdup(g_ptr_array_index(irt, 0));
	g_ptr_array_unref(irt);
	raw = header_block_value(fields, "References");
	read_ids(msg->references, options, raw);
	g_free(raw);

	raw = header_block_value(fields, "Date");
	dt = raw ? g_mime_utils_header_decode_date(raw) : NULL;
	g_free(raw);
	if (dt != NULL) {
		msg->date = g_date_time_to_unix(dt);
		msg->tz_offset = (int)(g_date_time_get_utc_offset(dt) / G_TIME_SPAN_MINUTE);
		msg->date_valid = TRUE;
		g_date_time_unref(dt);
	}
}

/* ---- the MIME walk ----------------------------------------------------- */

/* The decoded (transfer encoding undone) content of a leaf, as a new
 * GByteArray. */
static GByteArray *
part_bytes(GMimePart *part)
{
	GMimeDataWrapper *content = g_mime_part_get_content(part);
	GMimeStream *mem;
	GByteArray *out = g_byte_array_new();

	if (content == NULL)
		return out;
	mem = g_mime_stream_mem_new_with_byte_array(out);
	/* the array stays ours when the stream goes */
	g_mime_stream_mem_set_owner(GMIME_STREAM_MEM(mem), FALSE);
	g_mime_data_wrapper_write_to_stream(content, mem);
	g_object_unref(mem);
	return out;
}

/* The bytes of a memory stream (what the parser makes of our input)
 * without copying them, or FALSE for any other kind of stream. */
static gboolean
stream_mem_bytes(GMimeStream *stream, const char **data, gsize *len)
{
	GByteArray *array;
	gint64 start, end;

	if (!GMIME_IS_STREAM_MEM(stream) ||
	    (array = g_mime_stream_mem_get_byte_array(GMIME_STREAM_MEM(stream))) == NULL)
		return FALSE;
	start = stream->bound_start;
	end = stream->bound_end < 0 ? (gint64)array->len : stream->bound_end;
	if (start < 0 || end < start || end > (gint64)array->len)
		return FALSE;
	*data = (const char *)array->data + start;
	*len = (gsize)(end - start);
	return TRUE;
}

/* Decoded size of a leaf, without decoding it: base64 is counted by its
 * alphabet (3 bytes per 4 characters, less the padding), anything else
 * by its length.  Attachments can be megabytes; decoding them only to
 * learn their size would cost more than the rest of the message. */
static gsize
part_size(GMimePart *part)
{
	GMimeDataWrapper *content = g_mime_part_get_content(part);
	GMimeStream *stream;
	gboolean b64;
	gsize skipped = 0, total = 0;
	const char *data;
	char buf[16384];
	gssize n;

	if (content == NULL || (stream = g_mime_data_wrapper_get_stream(content)) == NULL)
		return 0;
	b64 = g_mime_data_wrapper_get_encoding(content) == GMIME_CONTENT_ENCODING_BASE64;
	if (stream_mem_bytes(stream, &data, &total)) {
		skipped = b64 ? mime_base64_non_data(data, total) : 0;
	} else {
		g_mime_stream_reset(stream);
		while ((n = g_mime_stream_read(stream, buf, sizeof buf)) > 0) {
			total += (gsize)n;
			skipped += b64 ? mime_base64_non_data(buf, (gsize)n) : 0;
		}
		g_mime_stream_reset(stream);
	}
	if (!b64)
		return total;
	return (total - MIN(skipped, total)) * 3 / 4;
}

/*
 * The size a stub part declares: in a partial message (one fetched
 * without its attachments' content, see MESSAGE_PARSE_PARTIAL) a part
 * with an X-Kith-Part-Size field stands for one the source did not
 * fetch.  FALSE when `obj` is no such stub.
 */
static gboolean
stub_size(const walk_ctx *ctx, GMimeObject *obj, gsize *size)
{
	const char *value;
	char *digits;
	guint64 n = 0;
	gboolean ok;

	if (!ctx->partial ||
	    (value = g_mime_object_get_header(obj, "X-Kith-Part-Size")) == NULL)
		return FALSE;
	digits = g_strstrip(g_strdup(value));
	ok = g_ascii_string_to_unsigned(digits, 10, 0, G_MAXSIZE, &n, NULL);
	g_free(digits);
	*size = (gsize)n;
	return ok;
}

/* Adds a summary entry; `filename` is raw (RFC 2047 still possible in
 * the wild) and may be NULL. */
static void
add_attachment(walk_ctx *ctx, const char *filename, const char *mime_type, gsize size)
{
	kith_attachment *a = g_new0(kith_attachment, 1);

	a->filename = filename ? header_decode(ctx->options, filename) : g_strdup("");
	a->mime_type = g_ascii_strdown(mime_type, -1);
	a->size = size;
	g_ptr_array_add(ctx->msg->attachments, a);
}

static void
append_block(GString *buf, const char *text)
{
	if (*text == '\0')
		return;
	if (buf->len > 0 && buf->str[buf->len - 1] != '\n')
		g_string_append_c(buf, '\n');
	if (buf->len > 0)
		g_string_append_c(buf, '\n');
	g_string_append(buf, text);
}

/* The charset an HTML document declares in its first bytes (<meta
 * charset=...> or http-equiv content), or NULL; new string.  Used only
 * when the MIME header declares none. */
static char *
html_meta_charset(const guint8 *data, gsize len)
{
	char *head = NULL, *p, *out = NULL;
	gsize n;

	/* an empty part has no buffer at all */
	if (data == NULL || len == 0)
		goto out;
	head = g_ascii_strdown((const char *)data, MIN(len, 2048));
	p = strstr(head, "charset=");
	if (p == NULL)
		goto out;
	p += strlen("charset=");
	p += strspn(p, "\"' ");
	n = strspn(p, "abcdefghijklmnopqrstuvwxyz0123456789-_:.");
	if (n > 0 && n < 40)
		out = g_strndup(p, n);
out:
	g_free(head);
	return out;
}

/* Adds the decoded bytes of a body text part, declared in `charset`
 * (NULL: undeclared), to the walk's plain or HTML text. */
static void
add_body_text(walk_ctx *ctx, const GByteArray *bytes, const char *charset,
	gboolean is_html)
{
	char *meta = NULL;
	char *text;

	if (is_html && charset == NULL)
		charset = meta = html_meta_charset(bytes->data, bytes->len);
	text = text_to_utf8((const char *)bytes->data, bytes->len, charset);
	g_free(meta);
	/* HTML is kept as it is: it becomes text only if no plain part
	 * does, which for multipart/alternative is the common case. */
	append_block(is_html ? ctx->html : ctx->plain, text);
	g_free(text);
}

/* A text/plain or text/html leaf that is part of the body. */
static void
walk_body_text(walk_ctx *ctx, GMimePart *part, gboolean is_html)
{
	const char *charset =
		g_mime_object_get_content_type_parameter(GMIME_OBJECT(part), "charset");
	GByteArray *bytes;

	/* past the cap, further parts cannot reach the text */
	if (ctx->plain->len + ctx->html->len > 4 * MESSAGE_MAX_TEXT)
		return;
	bytes = part_bytes(part);
	add_body_text(ctx, bytes, charset, is_html);
	g_byte_array_unref(bytes);
}

/* The whole body as one text part, read without GMime's parser. */
static void
walk_simple_leaf(walk_ctx *ctx, const mime_leaf *leaf)
{
	GByteArray *bytes;

	if (ctx->no_text)
		return;
	bytes = mime_leaf_decode(leaf);
	add_body_text(ctx, bytes, leaf->charset, leaf->is_html);
	g_byte_array_unref(bytes);
}

static void
walk_leaf(walk_ctx *ctx, GMimePart *part)
{
	GMimeObject *obj = GMIME_OBJECT(part);
	GMimeContentType *ct = g_mime_object_get_content_type(obj);
	GMimeContentDisposition *disp = g_mime_object_get_content_disposition(obj);
	const char *filename = g_mime_part_get_filename(part);
	char *type = ct ? g_mime_content_type_get_mime_type(ct) : g_strdup("text/plain");
	gboolean attached = filename != NULL ||
		(disp != NULL && g_mime_content_disposition_is_attachment(disp));

	if (!attached && g_ascii_strcasecmp(type, "text/plain") == 0) {
		if (!ctx->no_text)
			walk_body_text(ctx, part, FALSE);
	} else if (!attached && g_ascii_strcasecmp(type, "text/html") == 0) {
		if (!ctx->no_text)
			walk_body_text(ctx, part, TRUE);
	} else if (!ctx->nested) {
		gsize size;

		if (!stub_size(ctx, obj, &size) &&
		    (ctx->cuts == NULL || !mime_cut_claim(ctx->cuts, part, &size)))
			size = part_size(part);
		add_attachment(ctx, filename, type, size);
	}
	g_free(type);
}

/* The summary entry for an attached message (top level only). */
/* An attached message's file name, raw, or NULL. */
static const char *
message_part_name(GMimeMessagePart *mp)
{
	GMimeObject *obj = GMIME_OBJECT(mp);
	const char *fname = g_mime_object_get_content_disposition_parameter(obj, "filename");

	return fname != NULL ? fname : g_mime_object_get_content_type_parameter(obj, "name");
}

static void
add_message_attachment(walk_ctx *ctx, GMimeMessagePart *mp, GMimeMessage *inner)
{
	const char *fname = message_part_name(mp);
	GMimeStream *null = g_mime_stream_null_new();

	if (inner != NULL)
		g_mime_object_write_to_stream(GMIME_OBJECT(inner), NULL, null);
	add_attachment(ctx, fname, "message/rfc822", GMIME_STREAM_NULL(null)->written);
	g_object_unref(null);
}

/* A forward marker and the main headers of `inner`, so zones see what
 * follows as forwarded content. */
static void
append_forward_header(walk_ctx *ctx, GMimeMessage *inner)
{
	static const char *const names[] = { "From", "Date", "Subject" };
	gsize i;

	append_block(ctx->forwarded, "---------- Forwarded message ---------\n");
	for (i = 0; i < G_N_ELEMENTS(names); i++) {
		const char *raw = raw_header(GMIME_OBJECT(inner), names[i]);
		char *value;

		if (raw == NULL)
			continue;
		value = header_decode(ctx->options, raw);
		g_string_append_printf(ctx->forwarded, "%s: %s\n", names[i], value);
		g_free(value);
	}
	g_string_append_c(ctx->forwarded, '\n');
}

/* The walk's text: the plain parts when they say anything, else the HTML
 * parts turned into text.  New string. */
static char *
chosen_text(walk_ctx *ctx, gboolean *from_html)
{
	char *stripped = g_strstrip(g_strdup(ctx->plain->str));
	gboolean plain = *stripped != '\0' || ctx->html->len == 0;

	g_free(stripped);
	*from_html = !plain;
	if (plain)
		return g_strdup(ctx->plain->str);
	return html_to_text(ctx->html->str, ctx->html->len);
}

/*
 * An attached message (message/rfc822): one attachment entry, and its
 * text after a forward marker in `forwarded`, never in this message's
 * own text.  Messages inside it follow it.
 */
static void
walk_embedded(walk_ctx *ctx, GMimeMessagePart *mp, int depth)
{
	GMimeMessage *inner = g_mime_message_part_get_message(mp);
	gsize size;
	walk_ctx sub = { ctx->msg, ctx->options, g_string_new(NULL), g_string_new(NULL),
		g_string_new(NULL), TRUE, FALSE, FALSE, NULL };

	/* a stub: the attached message was not fetched */
	if (stub_size(ctx, GMIME_OBJECT(mp), &size)) {
		if (!ctx->nested)
			add_attachment(ctx, message_part_name(mp), "message/rfc822", size);
		goto out;
	}
	if (!ctx->nested)
		add_message_attachment(ctx, mp, inner);
	/* nothing inside it is an attachment of this message: only its text
	 * would be wanted */
	if (inner == NULL || ctx->no_text)
		goto out;
	walk(&sub, g_mime_message_get_mime_part(inner), depth + 1);
	append_forward_header(ctx, inner);
	{
		gboolean from_html = FALSE;
		char *body = chosen_text(&sub, &from_html);

		g_string_append(ctx->forwarded, body);
		g_free(body);
	}
	if (sub.forwarded->len > 0)
		append_block(ctx->forwarded, sub.forwarded->str);
out:
	g_string_free(sub.plain, TRUE);
	g_string_free(sub.html, TRUE);
	g_string_free(sub.forwarded, TRUE);
}

static void
walk_multipart(walk_ctx *ctx, GMimeMultipart *mp, int depth)
{
	GMimeContentType *ct = g_mime_object_get_content_type(GMIME_OBJECT(mp));
	int i, n = g_mime_multipart_get_count(mp);

	if (ct != NULL && g_mime_content_type_is_type(ct, "multipart", "report") &&
		!ctx->nested)
		ctx->msg->is_report = TRUE;
	/* the second part of multipart/signed is the signature itself */
	if (ct != NULL && g_mime_content_type_is_type(ct, "multipart", "signed") && n > 1)
		n = 1;
	for (i = 0; i < n; i++)
		walk(ctx, g_mime_multipart_get_part(mp, i), depth + 1);
}

/*
 * Collects body text and attachments below `obj`.  Plain and HTML text
 * go to separate buffers; the choice (plain preferred) comes after the
 * walk, so multipart/alternative needs no special case.
 */
static void
walk(walk_ctx *ctx, GMimeObject *obj, int depth)
{
	if (obj == NULL)
		return;
	if (depth >= MESSAGE_MAX_DEPTH) {
		add_warning(ctx->msg, g_strdup("MIME nesting too deep: rest skipped"));
		return;
	}
	if (GMIME_IS_MESSAGE_PART(obj))
		walk_embedded(ctx, GMIME_MESSAGE_PART(obj), depth);
	else if (GMIME_IS_MULTIPART(obj))
		walk_multipart(ctx, GMIME_MULTIPART(obj), depth);
	else if (GMIME_IS_PART(obj))
		walk_leaf(ctx, GMIME_PART(obj));
}

/* Chooses and caps the body text after the walk. */
static void
finish_text(kith_message *msg, walk_ctx *ctx)
{
	char *body = chosen_text(ctx, &msg->text_from_html);
	GString *text = g_string_new(body);

	g_free(body);
	if (ctx->forwarded->len > 0)
		append_block(text, ctx->forwarded->str);
	normalize_newlines(text);
	msg->text_truncated = truncate_utf8(text, MESSAGE_MAX_TEXT);
	msg->text = g_string_free(text, FALSE);
}

/* ---- parsing ------------------------------------------------------------ */

/* The message as GMime should see it: without a BOM or From_ line, and
 * without NUL bytes (which cut header values short inside GMime).  Only
 * input with NUL bytes is copied; otherwise *owned is NULL and the
 * returned pointer is into `data`. */
static const char *
prepare_input(const char *data, gsize len, gsize *out_len, GString **owned)
{
	gsize skip = header_start(data, len);

	*owned = NULL;
	*out_len = len - skip;
	if (memchr(data + skip, '\0', len - skip) == NULL)
		return data + skip;
	*owned = g_string_new_len(data + skip, len - skip);
	scrub_nul((*owned)->str, (*owned)->len);
	return (*owned)->str;
}

/* Whether GMime needs top-level field `f` to see the MIME structure. */
static gboolean
field_shapes_mime(const header_field *f)
{
	return (f->name_len > 8 && g_ascii_strncasecmp(f->name, "Content-", 8) == 0) ||
		header_field_is(f, "MIME-Version");
}

/*
 * What GMime parses: the top-level Content-* and MIME-Version fields, as
 * they are, then the rest of the message from the empty line that ends
 * the header block.  kith reads every other field itself (`fields`);
 * GMime would make an object of each of them (Received, DKIM and
 * Authentication-Results blocks run to kilobytes), which cost two thirds
 * of its parse.  With `cuts`, the content of large attachments is left
 * out (mime_cut.h).  New string.
 */
static GString *
mime_input(const char *input, gsize len, const GArray *fields, gsize body,
	GMimeParserOptions *options, mime_cuts *cuts)
{
	GString *out = g_string_sized_new(256);
	char *content_type = NULL;

	for (guint i = 0; i < fields->len; i++) {
		const header_field *f = &g_array_index(fields, header_field, i);

		if (field_shapes_mime(f))
			g_string_append_len(out, f->start, (gssize)f->len);
	}
	if (cuts != NULL) {
		content_type = header_block_only_value(fields, "Content-Type");
		mime_cut_body(cuts, out, input, len, body, content_type, options);
		g_free(content_type);
	} else {
		g_string_append_len(out, input + body, (gssize)(len - body));
	}
	/* no fields and no body: still a message, an empty one */
	if (out->len == 0)
		g_string_append_c(out, '\n');
	return out;
}

/* A GMime stream over `data` without copying it; the array is handed
 * back by stream_over_release() before `data` goes. */
static GMimeStream *
stream_over(const char *data, gsize len, GByteArray **array)
{
	GMimeStream *stream;

	*array = g_byte_array_new_take((guint8 *)data, len);
	stream = g_mime_stream_mem_new_with_byte_array(*array);
	g_mime_stream_mem_set_owner(GMIME_STREAM_MEM(stream), FALSE);
	return stream;
}

static void
stream_over_release(GMimeStream *stream, GByteArray *array)
{
	if (stream != NULL)
		g_object_unref(stream);
	if (array != NULL) {
		/* the bytes are the caller's: take them back, free the rest */
		(void)g_byte_array_steal(array, NULL);
		g_byte_array_unref(array);
	}
}

/* The message model from its fields and its body: either GMime's part
 * tree `top` or, for a body of one text part, `leaf`. */
static kith_status
build_message(kith_message *msg, GMimeObject *top, const mime_leaf *leaf,
	mime_cuts *cuts, const GArray *fields, GMimeParserOptions *options,
	unsigned flags, const char *data, gsize len)
{
	walk_ctx ctx = { msg, options, g_string_new(NULL), g_string_new(NULL),
		g_string_new(NULL), FALSE, FALSE, (flags & MESSAGE_PARSE_PARTIAL) != 0, cuts };
	const char *subject;
	char *early = NULL;
	gboolean simple;

	read_headers(msg, fields);
	subject = message_header(msg, "Subject");
	if (subject != NULL) {
		g_free(msg->subject);
		msg->subject = g_strdup(subject);
	}
	simple = !(flags & MESSAGE_PARSE_GMIME_ALWAYS);
	read_addresses(msg->from, fields, options, "From", simple);
	read_addresses(msg->to, fields, options, "To", simple);
	read_addresses(msg->cc, fields, options, "Cc", simple);
	read_addresses(msg->reply_to, fields, options, "Reply-To", simple);
	read_ids_and_date(msg, fields, options, data, len);

	/* The headers may already say it is a robot's (the walk can only add
	 * the report flag, which makes it one too): then nobody reads its
	 * text, and turning newsletters' HTML into text is not free. */
	if (flags & MESSAGE_PARSE_NO_ROBOT_TEXT) {
		early = automated_reason(msg);
		ctx.no_text = early != NULL;
	}
	if (top != NULL)
		walk(&ctx, top, 0);
	else
		walk_simple_leaf(&ctx, leaf);
	finish_text(msg, &ctx);
	msg->new_text = zones_new_text(msg->text);
	/* the verdict before the walk stands unless the walk found a report */
	if ((flags & MESSAGE_PARSE_NO_ROBOT_TEXT) && !msg->is_report) {
		msg->automated = early;
	} else {
		g_free(early);
		msg->automated = automated_reason(msg);
	}
	msg->raw_size = len;

	g_string_free(ctx.plain, TRUE);
	g_string_free(ctx.html, TRUE);
	g_string_free(ctx.forwarded, TRUE);
	return KITH_OK;
}

kith_status
message_parse(const char *data, gsize len, kith_message **out, char **errstr)
{
	return message_parse_with(data, len, 0, out, errstr);
}

/*
 * build_message over GMime's part tree of the message: its Content-*
 * fields and its body, as mime_input() gives them to the parser.  The
 * tree reads its content from that input, so both go together here.
 * With `cut` the body is given with large attachments' content left out;
 * *recut is set when the walk could not verify those cuts, and `msg`
 * must then be built again without them.
 */
static kith_status
build_with_gmime(kith_message *msg, const char *input, gsize input_len,
	const GArray *fields, gsize body, GMimeParserOptions *options,
	unsigned flags, gboolean cut, gboolean *recut, const char *data, gsize len,
	char **errstr)
{
	mime_cuts cuts = MIME_CUTS_INIT;
	GString *gm_input = mime_input(input, input_len, fields, body, options,
		cut ? &cuts : NULL);
	GByteArray *array = NULL;
	GMimeStream *stream = stream_over(gm_input->str, gm_input->len, &array);
	GMimeParser *parser = g_mime_parser_new_with_stream(stream);
	GMimeObject *top;
	kith_status rc;

	*recut = FALSE;
	g_mime_parser_set_format(parser, GMIME_FORMAT_MESSAGE);
	top = g_mime_parser_construct_part(parser, options);
	if (top == NULL)
		rc = kith_fail(errstr, KITH_E_DATA, "message: not a MIME message");
	else
		rc = build_message(msg, top, NULL, cut ? &cuts : NULL,
			fields, options, flags, data, len);
	*recut = cut && !mime_cut_verified(&cuts);
	if (top != NULL)
		g_object_unref(top);
	g_object_unref(parser);
	stream_over_release(stream, array);
	g_string_free(gm_input, TRUE);
	mime_cut_clear(&cuts);
	return rc;
}

kith_status
message_parse_with(const char *data, gsize len, unsigned flags,
	kith_message **out, char **errstr)
{
	kith_status rc = KITH_OK;
	kith_message *msg = NULL;
	GMimeParserOptions *options = NULL;
	GString *owned = NULL;
	GArray *fields = g_array_new(FALSE, FALSE, sizeof(header_field));
	mime_leaf leaf;
	const char *input;
	gsize input_len = 0, body;

	*out = NULL;
	if (data == NULL || len == 0) {
		rc = kith_fail(errstr, KITH_E_DATA, "message: empty input");
		goto out;
	}
	input = prepare_input(data, len, &input_len, &owned);
	if (!starts_with_header(input, input_len)) {
		rc = kith_fail(errstr, KITH_E_DATA, "message: no header block");
		goto out;
	}
	gmime_init_once();
	msg = message_new();
	options = g_mime_parser_options_new();
	g_mime_parser_options_set_fallback_charsets(options, fallback_charsets);
	if (flags & MESSAGE_PARSE_WARNINGS)
		g_mime_parser_options_set_warning_callback(options, on_parser_warning, msg);
	body = header_block_split(input, input_len, fields);
	/* GMime's warnings are about what its parser sees: with them asked
	 * for, it sees every body */
	if (!(flags & (MESSAGE_PARSE_WARNINGS | MESSAGE_PARSE_GMIME_ALWAYS)) &&
	    mime_leaf_find(fields, input, input_len, body, &leaf)) {
		rc = build_message(msg, NULL, &leaf, NULL, fields, options, flags, data, len);
		mime_leaf_clear(&leaf);
	} else {
		gboolean recut = FALSE;

		rc = build_with_gmime(msg, input, input_len, fields, body, options, flags,
			!(flags & (MESSAGE_PARSE_WARNINGS | MESSAGE_PARSE_GMIME_ALWAYS)),
			&recut, data, len, errstr);
		if (recut) {
			/* a cut the walk could not prove: the whole body, as it is
			 * (no warnings were asked for, so none point at `msg`) */
			message_free(msg);
			msg = message_new();
			rc = build_with_gmime(msg, input, input_len, fields, body, options,
				flags, FALSE, &recut, data, len, errstr);
		}
	}
	if (rc == KITH_OK) {
		*out = msg;
		msg = NULL;
	}
out:
	if (options != NULL)
		g_mime_parser_options_free(options);
	if (owned != NULL)
		g_string_free(owned, TRUE);
	g_array_unref(fields);
	message_free(msg);
	return rc;
}

kith_status
message_parse_file(const char *path, kith_message **out, char **errstr)
{
	kith_status rc;
	GError *err = NULL;
	char *data = NULL;
	gsize len = 0;

	*out = NULL;
	if (!g_file_get_contents(path, &data, &len, &err)) {
		rc = kith_fail(errstr, KITH_E_NOINPUT, "%s: %s", path, err->message);
		goto out;
	}
	rc = message_parse(data, len, out, errstr);
	if (rc != KITH_OK && errstr != NULL && *errstr != NULL) {
		char *with_path = g_strdup_printf("%s: %s", path, *errstr);

		g_free(*errstr);
		*errstr = with_path;
	}
out:
	if (err != NULL)
		g_error_free(err);
	g_free(data);
	return rc;
}
