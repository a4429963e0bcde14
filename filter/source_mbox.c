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

static kith_status
scan_messages(mbox_scan *s, char **errstr)
{
	GMimeStream *stream = NULL;
	GMimeParser *parser = NULL;
	kith_status status = KITH_OK;
	gint64 start, end;

	stream = g_mime_stream_mem_new_with_buffer(s->data + s->state.offset,
		s->len - (gsize)s->state.offset);
	parser = g_mime_parser_new_with_stream(stream);
	g_mime_parser_set_format(parser, GMIME_FORMAT_MBOX);
	/* Content-Length, where an archiver wrote one, keeps a "From " line
	 * inside a body from splitting the message. */
	g_mime_parser_set_respect_content_length(parser, TRUE);
	while (!g_mime_parser_eos(parser)) {
		GMimeMessage *m = g_mime_parser_construct_message(parser, NULL);

		if (m == NULL)
			break;
		start = s->state.offset + g_mime_parser_get_mbox_marker_offset(parser);
		end = s->state.offset + g_mime_parser_tell(parser);
		g_object_unref(m);
		/* The slice starts at the "From " line; the message parser
		 * accepts it. */
		status = ingest_slice(s, start, end, errstr);
		if (status != KITH_OK)
			goto out;
		s->count++;
		source_progress(s->acct->path, (guint64)end, (guint64)s->len);
		if (s->count % SOURCE_BATCH == 0) {
			if ((status = save_state(s, end, errstr)) != KITH_OK ||
			    (status = ingest_commit(s->ing, errstr)) != KITH_OK)
				goto out;
			if (source_stop_requested()) {
				status = KITH_E_INTERRUPTED;
				goto out;
			}
			/* Offsets stay relative to where this pass began. */
		}
	}
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
