/*
 * digest.c - the remind report as a mail: text, HTML, the MIME message
 * (GMime) and its delivery through sendmail.  See digest.h.
 */
#include <signal.h>
#include <string.h>

#include <gio/gio.h>
#include <gmime/gmime.h>

#include "digest.h"
#include "log.h"
#include "message.h"
#include "safe.h"

/* Caps on mail strings in the digest (characters). */
#define NAME_MAX_CHARS 80
#define ADDR_MAX_CHARS 254
#define SENTENCE_MAX_CHARS 400
#define SUBJECT_MAX_CHARS 120

static const char *const section_title[REMIND_KIND_COUNT] = {
	"You owe",
	"Waiting on them",
	"Unanswered",
	"Reconnect with",
	"Offer help first",
	"Their needs you could help with",
};

/* The order of the sections: needs before the balance note. */
static const remind_kind section_order[REMIND_KIND_COUNT] = {
	REMIND_OWE, REMIND_WAITING, REMIND_UNANSWERED, REMIND_RECONNECT,
	REMIND_NEED, REMIND_BALANCE,
};

void
digest_free(kith_digest *d)
{
	if (d == NULL)
		return;
	g_free(d->message_id);
	g_free(d->from);
	g_free(d->to);
	g_free(d->subject);
	g_free(d->text);
	g_free(d->html);
	g_free(d->raw);
	g_free(d);
}

static const char *
plural(int n)
{
	return n == 1 ? "" : "s";
}

static void
format_date(const GDate *d, char *buf, gsize size)
{
	if (!g_date_valid(d))
		g_strlcpy(buf, "-", size);
	else
		g_date_strftime(buf, size, "%Y-%m-%d", d);
}

/* --- words ------------------------------------------------------------------ */

char *
digest_entry_summary(const remind_entry *e)
{
	gboolean promise = e->what != NULL && g_str_equal(e->what, "promise");
	char date[16];
	GString *s = g_string_new(NULL);

	format_date(&e->date, date, sizeof date);
	switch (e->kind) {
	case REMIND_OWE:
		g_string_append_printf(s, "%s, due %s%s", promise ? "you promised" :
			"they asked you", date, e->due_explicit ? "" : " (no date given)");
		if (e->days == 0)
			g_string_append(s, ": today");
		else
			g_string_append_printf(s, ": %d day%s overdue", e->days, plural(e->days));
		break;
	case REMIND_WAITING:
		g_string_append_printf(s, "%s, due %s%s: %d day%s ago, follow up",
			promise ? "they promised" : "you asked", date,
			e->due_explicit ? "" : " (no date given)", e->days, plural(e->days));
		break;
	case REMIND_UNANSWERED:
		g_string_append_printf(s, "you asked on %s: no reply in %d business day%s",
			date, e->days, plural(e->days));
		break;
	case REMIND_RECONNECT:
		g_string_append_printf(s, "last exchange %s, %d day%s ago (every %d days)",
			date, e->days, plural(e->days), e->cadence);
		break;
	case REMIND_BALANCE:
		g_string_append_printf(s, "you asked %d times and gave nothing yet: "
			"offer help first", e->days);
		break;
	case REMIND_NEED:
		g_string_append_printf(s, "said on %s", date);
		break;
	default:
		break;
	}
	return g_string_free(s, FALSE);
}

char *
digest_subject(const remind_report *r)
{
	GString *s = g_string_new("kith:");
	const char *sep = " ";

#define PART(n, fmt) do { \
		if ((n) > 0) { \
			g_string_append_printf(s, "%s%u " fmt, sep, (guint)(n)); \
			sep = ", "; \
		} \
	} while (0)
	PART(r->count[REMIND_OWE], "you owe");
	PART(r->overdue, "overdue");
	PART(r->count[REMIND_WAITING], "waiting on them");
	PART(r->count[REMIND_UNANSWERED], "unanswered");
	PART(r->count[REMIND_RECONNECT], "to reconnect");
	if (r->count[REMIND_NEED] == 1)
		PART(1, "need");
	else
		PART(r->count[REMIND_NEED], "needs");
	PART(r->count[REMIND_BALANCE], "to give back to");
#undef PART
	if (remind_report_total(r) == 0)
		g_string_append(s, " nothing due");
	return g_string_free(s, FALSE);
}

static char *
totals_line(const remind_report *r)
{
	if (remind_report_total(r) == 0)
		return g_strdup("Nothing due today.");
	return g_strdup_printf("Totals: %u you owe (%u overdue), %u waiting on them, "
		"%u unanswered, %u to reconnect, %u need%s, %u to give back to.",
		r->count[REMIND_OWE], r->overdue, r->count[REMIND_WAITING],
		r->count[REMIND_UNANSWERED], r->count[REMIND_RECONNECT],
		r->count[REMIND_NEED], r->count[REMIND_NEED] == 1 ? "" : "s",
		r->count[REMIND_BALANCE]);
}

static const char reply_help[] =
	"To update an item, reply to this message with one command per line:\n"
	"  done ID           it is done\n"
	"  snooze ID DAYS    remind me again in DAYS days\n"
	"  dismiss ID        not an item; never show it again\n";

/* --- text ------------------------------------------------------------------- */

static void
text_who(GString *out, const remind_entry *e)
{
	char *name = safe_terminal(e->name, NAME_MAX_CHARS);
	char *addr = safe_terminal(e->address, ADDR_MAX_CHARS);

	g_strstrip(name);
	if (*name != '\0')
		g_string_append_printf(out, "%s <%s>", name, addr);
	else
		g_string_append(out, addr);
	g_free(name);
	g_free(addr);
}

static void
text_entry(GString *out, const remind_entry *e)
{
	char *summary = digest_entry_summary(e);

	if (e->item_id > 0)
		g_string_append_printf(out, "  #%-4" G_GINT64_FORMAT " ", e->item_id);
	else
		g_string_append(out, "  -     ");
	text_who(out, e);
	g_string_append_printf(out, "\n        %s\n", summary);
	if (e->sentence != NULL && *e->sentence != '\0') {
		char *why = safe_terminal(e->sentence, SENTENCE_MAX_CHARS);

		g_string_append_printf(out, "        why: \"%s\"\n", why);
		g_free(why);
	}
	if (e->subject != NULL && *e->subject != '\0') {
		char *subj = safe_terminal(e->subject, SUBJECT_MAX_CHARS);

		g_string_append_printf(out, "        in: %s\n", subj);
		g_free(subj);
	}
	g_free(summary);
}

char *
digest_render_text(const kith_config *cfg, const remind_report *r,
	const char *message_id)
{
	GString *out = g_string_new(NULL);
	char today[16], *totals = totals_line(r);

	format_date(&r->today, today, sizeof today);
	g_string_append_printf(out, "kith digest for %s\n", today);
	for (int k = 0; k < REMIND_KIND_COUNT; k++) {
		remind_kind kind = section_order[k];
		GPtrArray *entries = remind_report_kind(r, kind);

		if (entries->len > 0) {
			g_string_append_printf(out, "\n%s (%u)\n", section_title[kind],
				entries->len);
			for (guint i = 0; i < entries->len; i++)
				text_entry(out, g_ptr_array_index(entries, i));
		}
		g_ptr_array_unref(entries);
	}
	g_string_append_printf(out, "\n%s\n", totals);
	if (r->count[REMIND_OWE] + r->count[REMIND_WAITING] + r->count[REMIND_UNANSWERED] > 0)
		g_string_append_printf(out, "\n%s", reply_help);
	g_free(totals);
	return g_string_free(out, FALSE);
}

/* --- HTML ------------------------------------------------------------------- */

static void
html_entry(GString *out, const remind_entry *e)
{
	char *summary = digest_entry_summary(e);
	char *summary_h = g_markup_escape_text(summary, -1);
	char *name = safe_html(e->name, NAME_MAX_CHARS);
	char *addr = safe_html(e->address, ADDR_MAX_CHARS);

	g_strstrip(name);
	g_string_append(out, "<li>");
	if (e->item_id > 0)
		g_string_append_printf(out, "<b>#%" G_GINT64_FORMAT "</b> ", e->item_id);
	if (*name != '\0')
		g_string_append_printf(out, "%s &lt;%s&gt;", name, addr);
	else
		g_string_append(out, addr);
	g_string_append_printf(out, "<br>%s", summary_h);
	if (e->sentence != NULL && *e->sentence != '\0') {
		char *why = safe_html(e->sentence, SENTENCE_MAX_CHARS);

		g_string_append_printf(out, "<br>why: <q>%s</q>", why);
		g_free(why);
	}
	if (e->subject != NULL && *e->subject != '\0') {
		char *subj = safe_html(e->subject, SUBJECT_MAX_CHARS);

		g_string_append_printf(out, "<br><small>in: %s</small>", subj);
		g_free(subj);
	}
	g_string_append(out, "</li>\n");
	g_free(summary);
	g_free(summary_h);
	g_free(name);
	g_free(addr);
}

char *
digest_render_html(const kith_config *cfg, const remind_report *r,
	const char *message_id)
{
	GString *out = g_string_new(NULL);
	char today[16], *totals = totals_line(r);
	char *help = g_markup_escape_text(reply_help, -1);

	format_date(&r->today, today, sizeof today);
	g_string_append_printf(out, "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\">"
		"<title>kith digest for %s</title></head>\n<body>\n"
		"<h1>kith digest for %s</h1>\n", today, today);
	for (int k = 0; k < REMIND_KIND_COUNT; k++) {
		remind_kind kind = section_order[k];
		GPtrArray *entries = remind_report_kind(r, kind);

		if (entries->len > 0) {
			g_string_append_printf(out, "<h2>%s (%u)</h2>\n<ul>\n",
				section_title[kind], entries->len);
			for (guint i = 0; i < entries->len; i++)
				html_entry(out, g_ptr_array_index(entries, i));
			g_string_append(out, "</ul>\n");
		}
		g_ptr_array_unref(entries);
	}
	g_string_append_printf(out, "<p>%s</p>\n", totals);
	if (r->count[REMIND_OWE] + r->count[REMIND_WAITING] + r->count[REMIND_UNANSWERED] > 0)
		g_string_append_printf(out, "<pre>%s</pre>\n", help);
	g_string_append(out, "</body></html>\n");
	g_free(totals);
	g_free(help);
	return g_string_free(out, FALSE);
}

/* --- the message ------------------------------------------------------------ */

static void
gmime_init_once(void)
{
	static gsize done = 0;

	if (g_once_init_enter(&done)) {
		g_mime_init();
		g_once_init_leave(&done, 1);
	}
}

/* A text part holding `body` (UTF-8) as quoted-printable, so long lines
 * and any character travel intact. */
static GMimeObject *
text_part(const char *subtype, const char *body)
{
	GMimePart *part = GMIME_PART(g_mime_text_part_new_with_subtype(subtype));
	GMimeStream *stream = g_mime_stream_mem_new_with_buffer(body, strlen(body));
	GMimeDataWrapper *content = g_mime_data_wrapper_new_with_stream(stream,
		GMIME_CONTENT_ENCODING_DEFAULT);

	g_mime_part_set_content(part, content);
	g_mime_object_set_content_type_parameter(GMIME_OBJECT(part), "charset", "utf-8");
	g_mime_part_set_content_encoding(part, GMIME_CONTENT_ENCODING_QUOTEDPRINTABLE);
	g_object_unref(content);
	g_object_unref(stream);
	return GMIME_OBJECT(part);
}

/* [digest] from / to, else my first identity; a clean addr-spec. */
static char *
digest_address(const kith_config *cfg, const char *configured)
{
	const char *a = configured;

	if (a == NULL || *a == '\0')
		a = cfg->my_addresses->len > 0 ? g_ptr_array_index(cfg->my_addresses, 0) :
			NULL;
	return a != NULL ? message_normalize_address(a) : NULL;
}

/* Adds a mailbox to `list`, which takes its own reference. */
static void
add_mailbox(InternetAddressList *list, const char *name, const char *addr)
{
	InternetAddress *ia = internet_address_mailbox_new(name, addr);

	internet_address_list_add(list, ia);
	g_object_unref(ia);
}

kith_status
digest_build(const kith_config *cfg, const remind_report *r, kith_digest **out,
	char **errstr)
{
	kith_digest *d = g_new0(kith_digest, 1);
	GMimeMessage *msg = NULL;
	GMimeMultipart *alt = NULL;
	GMimeObject *part;
	GMimeFormatOptions *fo = NULL;
	kith_status status = KITH_OK;
	const char *domain;
	char day[16];

	gmime_init_once();
	d->from = digest_address(cfg, cfg->digest_from);
	d->to = digest_address(cfg, cfg->digest_to);
	if (d->from == NULL || d->to == NULL) {
		status = kith_fail(errstr, KITH_E_CONFIG, "digest: no %s address: set "
			"[digest] %s or [identity] addresses (or --me)",
			d->from == NULL ? "From" : "To", d->from == NULL ? "from" : "to");
		goto out;
	}
	domain = strrchr(d->from, '@') + 1;
	g_date_strftime(day, sizeof day, "%Y%m%d", &r->today);
	d->message_id = g_strdup_printf(DIGEST_ID_PREFIX "%s.%08x%08x@%s", day,
		g_random_int(), g_random_int(), domain);
	d->subject = digest_subject(r);
	d->text = digest_render_text(cfg, r, d->message_id);
	d->html = digest_render_html(cfg, r, d->message_id);
	d->total = remind_report_total(r);

	msg = g_mime_message_new(TRUE);
	add_mailbox(g_mime_message_get_from(msg), "kith", d->from);
	add_mailbox(g_mime_message_get_addresses(msg, GMIME_ADDRESS_TYPE_TO), NULL,
		d->to);
	g_mime_message_set_subject(msg, d->subject, "utf-8");
	g_mime_message_set_date(msg, cfg->now);
	g_mime_message_set_message_id(msg, d->message_id);
	g_mime_object_set_header(GMIME_OBJECT(msg), DIGEST_HEADER, "1", NULL);
	/* RFC 3834: no vacation replies to this, and kith reads it as
	 * automated if it comes back through a scan. */
	g_mime_object_set_header(GMIME_OBJECT(msg), "Auto-Submitted", "auto-generated",
		NULL);

	alt = g_mime_multipart_new_with_subtype("alternative");
	part = text_part("plain", d->text);
	g_mime_multipart_add(alt, part);
	g_object_unref(part);
	part = text_part("html", d->html);
	g_mime_multipart_add(alt, part);
	g_object_unref(part);
	g_mime_message_set_mime_part(msg, GMIME_OBJECT(alt));

	fo = g_mime_format_options_new();
	g_mime_format_options_set_newline_format(fo, GMIME_NEWLINE_FORMAT_UNIX);
	d->raw = g_mime_object_to_string(GMIME_OBJECT(msg), fo);
	d->raw_len = strlen(d->raw);
	*out = d;
	d = NULL;
out:
	if (fo != NULL)
		g_mime_format_options_free(fo);
	if (alt != NULL)
		g_object_unref(alt);
	if (msg != NULL)
		g_object_unref(msg);
	digest_free(d);
	return status;
}

/* --- delivery --------------------------------------------------------------- */

kith_status
digest_send(const kith_config *cfg, const char *raw, gsize len, char **errstr)
{
	GError *gerr = NULL;
	char **argv = NULL;
	GSubprocess *proc = NULL;
	GBytes *in = NULL, *err_out = NULL;
	kith_status status = KITH_OK;
	struct sigaction ign = { 0 }, old;
	gboolean communicated;

	if (cfg->sendmail == NULL ||
	    !g_shell_parse_argv(cfg->sendmail, NULL, &argv, &gerr)) {
		status = kith_fail(errstr, KITH_E_CONFIG, "[digest] sendmail '%s': %s",
			cfg->sendmail != NULL ? cfg->sendmail : "",
			gerr != NULL ? gerr->message : "empty");
		goto out;
	}
	proc = g_subprocess_newv((const char *const *)argv, G_SUBPROCESS_FLAGS_STDIN_PIPE |
		G_SUBPROCESS_FLAGS_STDOUT_SILENCE | G_SUBPROCESS_FLAGS_STDERR_PIPE, &gerr);
	if (proc == NULL) {
		status = kith_fail(errstr, KITH_E_UNAVAILABLE, "cannot run sendmail '%s': %s",
			argv[0], gerr->message);
		goto out;
	}
	/* A sendmail that stops reading must be an error, not a signal. */
	ign.sa_handler = SIG_IGN;
	sigemptyset(&ign.sa_mask);
	sigaction(SIGPIPE, &ign, &old);
	in = g_bytes_new_static(raw, len);
	communicated = g_subprocess_communicate(proc, in, NULL, NULL, &err_out, &gerr);
	if (!communicated)
		g_subprocess_wait(proc, NULL, NULL);
	sigaction(SIGPIPE, &old, NULL);
	if (!g_subprocess_get_successful(proc) || !communicated) {
		GString *why = g_string_new(NULL);
		gsize n = 0;
		const char *e = err_out != NULL ? g_bytes_get_data(err_out, &n) : NULL;
		char *line = e != NULL ? g_strndup(e, n) : g_strdup("");
		char *nl = strchr(line, '\n');
		char *clean;

		if (nl != NULL)
			*nl = '\0';
		clean = safe_terminal(line, 200);
		if (g_subprocess_get_if_exited(proc))
			g_string_printf(why, "exited %d", g_subprocess_get_exit_status(proc));
		else if (g_subprocess_get_if_signaled(proc))
			g_string_printf(why, "killed by signal %d",
				g_subprocess_get_term_sig(proc));
		else
			g_string_printf(why, "failed");
		if (*clean != '\0')
			g_string_append_printf(why, ": %s", clean);
		else if (gerr != NULL)
			g_string_append_printf(why, ": %s", gerr->message);
		status = kith_fail(errstr, KITH_E_UNAVAILABLE, "sendmail '%s' %s", argv[0],
			why->str);
		g_string_free(why, TRUE);
		g_free(line);
		g_free(clean);
	}
out:
	g_clear_error(&gerr);
	if (in != NULL)
		g_bytes_unref(in);
	if (err_out != NULL)
		g_bytes_unref(err_out);
	if (proc != NULL)
		g_object_unref(proc);
	g_strfreev(argv);
	return status;
}

/* --- the record of digests --------------------------------------------------- */

kith_status
digest_record(kith_store *store, const char *message_id, gint64 date, char **errstr)
{
	sqlite3_stmt *st;
	kith_status status;

	status = store_begin(store, errstr);
	if (status != KITH_OK)
		return status;
	status = store_stmt(store, "INSERT OR IGNORE INTO digests (message_id, date) "
		"VALUES (?1, ?2)", &st, errstr);
	if (status != KITH_OK)
		goto out;
	sqlite3_bind_text(st, 1, message_id, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, date);
	if (sqlite3_step(st) != SQLITE_DONE) {
		sqlite3_reset(st);
		status = store_error(store, "record digest", errstr);
		goto out;
	}
	sqlite3_reset(st);
	status = store_commit(store, errstr);
out:
	if (status != KITH_OK)
		store_rollback(store);
	return status;
}

gboolean
digest_is_known(kith_store *store, const char *message_id)
{
	sqlite3_stmt *st;
	gboolean found = FALSE;

	if (message_id == NULL ||
	    store_stmt(store, "SELECT 1 FROM digests WHERE message_id = ?1", &st,
			NULL) != KITH_OK)
		return FALSE;
	sqlite3_bind_text(st, 1, message_id, -1, SQLITE_STATIC);
	found = sqlite3_step(st) == SQLITE_ROW;
	sqlite3_reset(st);
	return found;
}
