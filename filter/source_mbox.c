/*
 * source_mbox.c - mbox archives (a Gmail Takeout export, an old Sent
 * file), split with GMime's mbox parser and imported incrementally by byte
 * offset.  The state remembers how far the file was read and a hash of its
 * first bytes, so an appended file resumes and a replaced one starts over.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <gmime/gmime.h>

#include "log.h"
#include "source.h"
#include "store.h"

#define FINGERPRINT_BYTES 4096

static char *
mbox_fingerprint(const char *data, gsize len)
{
	return g_compute_checksum_for_data(G_CHECKSUM_SHA256, (const guchar *)data,
		MIN(len, FINGERPRINT_BYTES));
}

static gboolean
name_is_sent(const char *path)
{
	char *base = g_path_get_basename(path);
	char *lower = g_ascii_strdown(base, -1);
	gboolean sent = strstr(lower, "sent") != NULL;

	g_free(base);
	g_free(lower);
	return sent;
}

typedef struct {
	const kith_account *acct;
	kith_ingest *ing;
	const char *data;       /* the mapped file */
	gsize len;
	char *source;
	store_scan_state state;
	unsigned flags;
	guint64 count;
	source_batch batch;     /* the messages of the open transaction */
} mbox_scan;

static kith_status
save_state(mbox_scan *s, gint64 offset, char **errstr)
{
	s->state.offset = offset;
	return store_scan_state_set(ingest_store(s->ing), s->source, "", &s->state,
		errstr);
}

/* Ingests the message at [start, end) of the file. */
static kith_status
ingest_slice(mbox_scan *s, gint64 start, gint64 end, char **errstr)
{
	char *err = NULL;
	kith_status status;

	status = ingest_message(s->ing, s->data + start, (gsize)(end - start),
		s->flags, &err);
	if (status == KITH_E_DATA) {
		log_warn("%s: message at byte %" G_GINT64_FORMAT ": %s; skipped",
			s->acct->path, start, err);
		status = KITH_OK;
	} else if (status != KITH_OK) {
		status = kith_fail(errstr, status, "%s", err);
	}
	g_free(err);
	return status;
}

/* Header names that a real message's header block has at least one of. */
static gboolean
known_header(const char *line, gsize len)
{
	static const char *const names[] = {
		"from:", "to:", "cc:", "subject:", "date:", "message-id:", "received:",
		"return-path:", "delivered-to:", "mime-version:", "content-type:",
		"reply-to:", "sender:", "references:", "in-reply-to:", "x-", NULL,
	};

	for (const char *const *n = names; *n != NULL; n++) {
		gsize nl = strlen(*n);

		if (len >= nl && g_ascii_strncasecmp(line, *n, nl) == 0)
			return TRUE;
	}
	return FALSE;
}

/*
 * Is the "From " line at `p` a message separator, or a line of a body that
 * an mboxo writer did not quote ("From Russia with love")?  A separator is
 * followed by a header block: header-shaped lines up to a blank line, one
 * of them a header every message has.
 */
static gboolean
plausible_separator(const char *p, const char *end)
{
	const char *nl = memchr(p, '\n', (gsize)(end - p));
	gboolean known = FALSE;
	int lines = 0;

	while (nl != NULL && nl + 1 < end && lines < 200) {
		const char *line = nl + 1;
		const char *eol = memchr(line, '\n', (gsize)(end - line));
		gsize len = (gsize)((eol != NULL ? eol : end) - line);
		const char *colon = memchr(line, ':', len);

		if (len == 0 || (len == 1 && line[0] == '\r'))
			break;
		if (line[0] != ' ' && line[0] != '\t') {
			if (colon == NULL || colon == line)
				return FALSE;
			for (const char *c = line; c < colon; c++) {
				if (*c <= ' ' || *c > '~')
					return FALSE;
			}
			known = known || known_header(line, len);
		}
		lines++;
		nl = eol;
	}
	return known;
}

typedef struct {
	gint64 start, end;   /* the message waiting to be ingested; start < 0: none */
} pending_slice;

/* Ingests the waiting message, and commits with the state pointing past
 * it when the batch is due (source_batch_due) or a stop was asked for. */
static kith_status
flush_pending(mbox_scan *s, pending_slice *p, char **errstr)
{
	kith_status status;

	if (p->start < 0)
		return KITH_OK;
	status = ingest_slice(s, p->start, p->end, errstr);
	if (status != KITH_OK)
		return status;
	s->count++;
	source_progress(s->acct->path, (guint64)p->end, (guint64)s->len);
	if (source_batch_due(&s->batch, 1) || source_stop_requested()) {
		if ((status = save_state(s, p->end, errstr)) != KITH_OK ||
		    (status = ingest_commit(s->ing, errstr)) != KITH_OK)
			return status;
		source_batch_committed(&s->batch);
		if (source_stop_requested())
			return KITH_E_INTERRUPTED;
	}
	p->start = -1;
	return KITH_OK;
}

static kith_status
scan_messages(mbox_scan *s, char **errstr)
{
	GMimeStream *stream = NULL;
	GMimeParser *parser = NULL;
	kith_status status = KITH_OK;
	pending_slice pending = { -1, -1 };
	gint64 base = s->state.offset, start, end;

	/* A byte-order mark before the first "From " line hides it from
	 * GMime, which would then skip the whole first message. */
	if (base == 0 && s->len >= 3 && memcmp(s->data, "\xEF\xBB\xBF", 3) == 0)
		base = 3;
	stream = g_mime_stream_mem_new_with_buffer(s->data + base, s->len - (gsize)base);
	parser = g_mime_parser_new_with_stream(stream);
	g_mime_parser_set_format(parser, GMIME_FORMAT_MBOX);
	/* Content-Length, where an archiver wrote one, keeps a "From " line
	 * inside a body from splitting the message. */
	g_mime_parser_set_respect_content_length(parser, TRUE);
	while (!g_mime_parser_eos(parser)) {
		GMimeMessage *m = g_mime_parser_construct_message(parser, NULL);

		if (m == NULL)
			break;
		g_object_unref(m);
		start = base + g_mime_parser_get_mbox_marker_offset(parser);
		end = base + g_mime_parser_tell(parser);
		if (pending.start < 0 && s->count == 0 && start > base)
			log_warn("%s: %" G_GINT64_FORMAT " bytes before the first "
				"\"From \" line skipped", s->acct->path, start - base);
		/* An unquoted "From " line in a body: GMime split there, but
		 * the text belongs to the message before it. */
		if (pending.start >= 0 &&
		    !plausible_separator(s->data + start, s->data + s->len)) {
			pending.end = end;
			continue;
		}
		status = flush_pending(s, &pending, errstr);
		if (status != KITH_OK)
			goto out;
		pending.start = start;
		pending.end = end;
	}
	status = flush_pending(s, &pending, errstr);
	if (status != KITH_OK)
		goto out;
	if ((status = save_state(s, (gint64)s->len, errstr)) != KITH_OK)
		goto out;
	status = ingest_commit(s->ing, errstr);
out:
	if (parser != NULL)
		g_object_unref(parser);
	if (stream != NULL)
		g_object_unref(stream);
	return status;
}

static kith_status
mbox_scan_run(const kith_account *acct, kith_ingest *ing, char **errstr)
{
	mbox_scan s = { .acct = acct, .ing = ing };
	GMappedFile *map = NULL;
	GError *gerr = NULL;
	char *real = NULL, *fp = NULL;
	kith_status status;

	g_mime_init();
	status = ingest_rules_ready(ing, errstr);
	if (status != KITH_OK)
		goto out;
	map = g_mapped_file_new(acct->path, FALSE, &gerr);
	if (map == NULL) {
		status = kith_fail(errstr, KITH_E_NOINPUT, "cannot read mbox %s: %s",
			acct->path, gerr->message);
		goto out;
	}
	s.data = g_mapped_file_get_contents(map);
	s.len = g_mapped_file_get_length(map);
	real = realpath(acct->path, NULL);
	s.source = g_strconcat("mbox:", real != NULL ? real : acct->path, NULL);
	s.flags = name_is_sent(acct->path) ? INGEST_SENT : 0;
	status = store_scan_state_get(ingest_store(ing), s.source, "", &s.state, errstr);
	if (status != KITH_OK)
		goto out;
	fp = mbox_fingerprint(s.data != NULL ? s.data : "", s.len);
	/* A file that shrank or whose start changed is a new file. */
	if (s.state.fingerprint == NULL || strcmp(s.state.fingerprint, fp) != 0 ||
	    s.state.offset > (gint64)s.len) {
		s.state.offset = 0;
		g_free(s.state.fingerprint);
		s.state.fingerprint = g_strdup(fp);
	}
	if (s.state.offset >= (gint64)s.len) {
		status = KITH_OK;
		goto out;
	}
	status = scan_messages(&s, errstr);
out:
	if (status != KITH_OK && status != KITH_E_INTERRUPTED)
		ingest_rollback(ing);
	source_progress_end();
	store_scan_state_clear(&s.state);
	if (map != NULL)
		g_mapped_file_unref(map);
	g_clear_error(&gerr);
	free(real);
	g_free(s.source);
	g_free(fp);
	return status;
}

const source_ops source_mbox_ops = { "mbox", mbox_scan_run };
