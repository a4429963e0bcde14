/*
 * digest.h - the daily digest: the remind report (remind.h) as a MIME
 * message built with GMime, multipart/alternative with a text/plain and a
 * text/html part, and its delivery through the configured sendmail.
 *
 * Sections, each shown when it has entries: You owe; Waiting on them;
 * Unanswered; Reconnect with; Their needs you could help with; Offer help
 * first; then a line of totals and how to answer by reply.  Every item
 * entry gives who, what, by when and why (the sentence that made it,
 * quoted) with its id ("#12").
 *
 * Every string that comes from mail goes through safe.h: safe_html() in the
 * HTML part, safe_terminal() (one line, no controls, no bidi overrides,
 * capped) in the text part.  The headers hold only kith's own words and the
 * configured addresses, encoded by GMime.  The message carries
 * "X-Kith-Digest: 1"; its Message-ID ("kith-digest.YYYYMMDD.RANDOM@DOMAIN")
 * is recorded in the store so a reply to it can be recognised (control.h).
 *
 * Ownership: a kith_digest owns its strings; digest_free() releases them.
 */
#ifndef KITH_DIGEST_H
#define KITH_DIGEST_H

#include <glib.h>

#include "config.h"
#include "kith.h"
#include "remind.h"
#include "store.h"

/* Marks a digest; a reply to one is recognised by its Message-ID. */
#define DIGEST_HEADER "X-Kith-Digest"
#define DIGEST_ID_PREFIX "kith-digest."

typedef struct {
	char *message_id;   /* without <> */
	char *from;         /* addr-spec */
	char *to;           /* addr-spec */
	char *subject;      /* "kith: 2 you owe, 1 overdue, 3 to reconnect" */
	char *text;         /* the text/plain part, UTF-8 */
	char *html;         /* the text/html part, UTF-8 */
	char *raw;          /* the whole message, LF line ends */
	gsize raw_len;
	guint total;        /* entries in it; 0: an empty digest */
} kith_digest;

/*
 * Builds the digest of `report` for cfg->now.  From is [digest] from, To is
 * [digest] to, each defaulting to the first identity address; with neither
 * KITH_E_CONFIG.  *out is new (digest_free).
 */
kith_status digest_build(const kith_config *cfg, const remind_report *report,
	kith_digest **out, char **errstr);
void digest_free(kith_digest *digest);

/* The subject line for a report ("kith: nothing due" when empty). */
char *digest_subject(const remind_report *report);

/* The plain text body alone (what --text prints). */
char *digest_render_text(const kith_config *cfg, const remind_report *report,
	const char *message_id);
char *digest_render_html(const kith_config *cfg, const remind_report *report,
	const char *message_id);

/* One line saying what an entry is about, for `kith remind`: "promise,
 * due 2026-11-09 (11 days overdue)", "no reply in 6 business days",
 * "last exchange 79 days ago (cadence 60 days)"...  Not sanitised (it holds
 * no mail text); a new string. */
char *digest_entry_summary(const remind_entry *e);

/*
 * Pipes `raw` to cfg->sendmail (split like a shell would, run without one).
 * A command that cannot run, or exits non-zero, is KITH_E_UNAVAILABLE with
 * its exit status and the first line of what it wrote to stderr.
 */
kith_status digest_send(const kith_config *cfg, const char *raw, gsize len,
	char **errstr);

/* Records a digest's Message-ID, in a transaction of its own (call it
 * outside one). */
kith_status digest_record(kith_store *store, const char *message_id, gint64 date,
	char **errstr);

/* TRUE when `message_id` (without <>) is a digest this store made. */
gboolean digest_is_known(kith_store *store, const char *message_id);

#endif
