/*
 * message.h - the message model: one parsed message, as every later stage
 * reads it.  Built with GMime from raw bytes; header fields are decoded
 * once, when first read (RFC 2047, unfolded, valid UTF-8); the body is
 * reduced to text.
 *
 * A kith_message owns everything it points to; message_free() releases it.
 * Parsing never aborts on bad input: malformed MIME, bad charsets, NUL bytes
 * and missing headers all yield a message with what could be recovered.
 * Only input that is not a message at all (empty, or no header block)
 * fails, with KITH_E_DATA.
 */
#ifndef KITH_MESSAGE_H
#define KITH_MESSAGE_H

#include <glib.h>

#include "kith.h"

/* Caps: the MIME walk stops at this depth; body text beyond this many bytes
 * is cut (at a character boundary) and `text_truncated` set. */
#define MESSAGE_MAX_DEPTH 64
#define MESSAGE_MAX_TEXT (256 * 1024)

typedef struct {
	char *name;   /* display name, decoded, "" when absent */
	char *addr;   /* addr-spec, lowercased, never NULL or empty */
} kith_address;

typedef struct {
	char *filename;   /* decoded, "" when absent */
	char *mime_type;  /* lowercased "type/subtype" */
	gsize size;       /* decoded size in bytes (estimated for base64) */
} kith_attachment;

typedef struct {
	char *name;   /* as in the message, e.g. "List-Id" */
	/* Read it with message_header() or message_header_at(): decoded
	 * (unfolded, RFC 2047, valid UTF-8) only when first asked for, since
	 * most fields of a header block (Received, DKIM) never are; until
	 * then NULL, and `raw` holds the field's bytes after the colon. */
	char *value;
	char *raw;
} kith_header;

typedef struct {
	GPtrArray *headers;     /* kith_header*, in order */

	char *message_id;       /* without <>, never NULL */
	gboolean message_id_synthesized; /* TRUE: hash of the header block */
	char *in_reply_to;      /* without <>, or NULL */
	GPtrArray *references;  /* char*, without <>, oldest first */
	char *subject;          /* "" when absent */

	GPtrArray *from;        /* kith_address* */
	GPtrArray *to;
	GPtrArray *cc;
	GPtrArray *reply_to;

	gint64 date;            /* seconds since the epoch (UTC) */
	int tz_offset;          /* the sender's offset from UTC, in minutes */
	gboolean date_valid;    /* FALSE: missing or unparseable; `date` is 0 */

	GPtrArray *attachments; /* kith_attachment* (never their content) */

	char *text;             /* the body as UTF-8 text (plain, or from HTML) */
	gboolean text_from_html;
	gboolean text_truncated;
	char *new_text;         /* the zone of `text` that this message adds */

	char *automated;        /* why it is automated ("list-id: ..."), or NULL */
	gboolean is_report;     /* multipart/report (delivery status, MDN) */

	gsize raw_size;         /* bytes of the raw message */
	GPtrArray *warnings;    /* char*, problems worth logging (see
	                         * MESSAGE_PARSE_WARNINGS) */
} kith_message;

/*
 * Parses raw bytes.  A leading mbox "From " line and CRLF line ends are
 * accepted.  On success *out is a new message (message_free).
 */
kith_status message_parse(const char *data, gsize len, kith_message **out,
	char **errstr);

enum {
	/*
	 * Also collect GMime's own parser warnings in `warnings` (kith's,
	 * such as the nesting cap, are always there).  For diagnostics only:
	 * to report them, GMime decodes every header value as it parses,
	 * which costs about a tenth of a scan, and the model never needs it.
	 */
	MESSAGE_PARSE_WARNINGS = 1 << 0,
	/*
	 * Leave `text` and `new_text` empty when the headers alone make the
	 * message automated (`automated` is set either way, and attachments
	 * are listed): for the scans and the filter, which read no robot's
	 * text.
	 */
	MESSAGE_PARSE_NO_ROBOT_TEXT = 1 << 1,
	/*
	 * Let GMime's parser read every body.  Without it a body that is one
	 * inline text part is read by mime_leaf.c, to the same result; the
	 * tests that check so parse each message both ways.
	 */
	MESSAGE_PARSE_GMIME_ALWAYS = 1 << 2,
	/*
	 * The message is a partial fetch (imap.c, for messages over
	 * max_size): its attachments are stubs without content, each with
	 * an X-Kith-Part-Size field that gives the size of the part it
	 * stands for.  Without this flag the field is ignored, so mail that
	 * carries one cannot set a size.  Its header is the original's, but
	 * for a Content-Type naming the boundary "=_kith-partial-message",
	 * and the original fields that one replaced, kept with the prefix
	 * "X-Kith-Original-" (message_synthesize_id reads them back).
	 */
	MESSAGE_PARSE_PARTIAL = 1 << 3,
};

/* message_parse() with MESSAGE_PARSE_* flags. */
kith_status message_parse_with(const char *data, gsize len, unsigned flags,
	kith_message **out, char **errstr);
/* Reads and parses a file. */
kith_status message_parse_file(const char *path, kith_message **out,
	char **errstr);
void message_free(kith_message *msg);

/*
 * What of the body's reading differs between two parses of one message
 * (text, new text, attachments, the report and automated verdicts), as a
 * static string naming the first field that does; NULL when none does.
 * For the tests and the fuzzer, which parse with and without
 * MESSAGE_PARSE_GMIME_ALWAYS.
 */
const char *message_body_differs(const kith_message *a, const kith_message *b);

/* The first decoded value of header `name` (any case), or NULL; borrowed.
 * Decodes that field on first use (a cache in the message: not to be
 * called on one message from two threads at once). */
const char *message_header(const kith_message *msg, const char *name);
/* The decoded value of msg->headers[i], the same way. */
const char *message_header_at(const kith_message *msg, guint i);

/* The message's Date in the sender's own zone (new reference), or NULL
 * when it has no valid date. */
GDateTime *message_date_local(const kith_message *msg);

/* Initialises the libraries the parser uses.  message_parse() is safe to
 * call from several threads at once, on different input, once this has
 * run (message_parse calls it too, for single-threaded callers). */
void message_library_init(void);

/* The first From address, or NULL; borrowed. */
const kith_address *message_sender(const kith_message *msg);

/*
 * The Message-ID used when a message has none: a stable "kith-HASH@synth"
 * from the SHA-256 of the raw header block (CRLF normalised to LF, a
 * leading "From " line skipped), so every copy of the message gets the
 * same one; a partial fetch's header (MESSAGE_PARSE_PARTIAL) hashes as
 * the original's.
 */
char *message_synthesize_id(const char *data, gsize len);

/* A lowercased copy of `s` for matching (new string): ASCII by ASCII
 * rules whatever the locale (an address or a keyword is no Turkish
 * word, where "I" would become a dotless i), anything else as
 * g_utf8_strdown() lowers it.  Most mail is ASCII, and the locale-aware
 * function costs a hundred instructions a character. */
char *message_strdown(const char *s);

/* Normalises an address: trims, strips <>, lowercases; NULL if not an
 * address (no '@', empty parts, control characters). */
char *message_normalize_address(const char *addr);

#endif
