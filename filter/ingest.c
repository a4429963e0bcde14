/*
 * ingest.c - one raw message through the data path: parse, who is who,
 * record, ledger.  Every way in (filter, spool, maildir, mbox, IMAP) ends
 * here, so a message seen twice is recorded once.
 */
#include <string.h>

#include "automated.h"
#include "detect.h"
#include "control.h"
#include "forget.h"
#include "ingest.h"
#include "items.h"
#include "log.h"
#include "paths.h"
#include "rules.h"

struct kith_ingest {
	const kith_config *cfg;   /* borrowed */
	kith_store *store;        /* borrowed */
	kith_rules *rules;        /* owned; NULL while `loading` */
	GThread *loading;         /* loads the rules (ingest_new_loading) */
	char *rules_dirs[2];      /* the system and user rules directories */
	kith_status load_status;  /* of the loading, with its message */
	char *load_err;
	char *const *extra_me;    /* borrowed: ingest_set_identities */
	ingest_stats stats;
};

void
ingest_set_identities(kith_ingest *ing, char *const *me)
{
	ing->extra_me = me;
}

/* One of my addresses, by the config or for this message. */
static gboolean
ingest_is_me(const kith_ingest *ing, const char *addr)
{
	if (config_is_me(ing->cfg, addr))
		return TRUE;
	for (char *const *m = ing->extra_me; m != NULL && *m != NULL; m++) {
		if (g_ascii_strcasecmp(*m, addr) == 0)
			return TRUE;
	}
	return FALSE;
}

static kith_ingest *
ingest_alloc(const kith_config *cfg, kith_store *store)
{
	kith_ingest *ing = g_new0(kith_ingest, 1);

	ing->cfg = cfg;
	ing->store = store;
	ing->rules_dirs[0] = cfg->rules_dir != NULL ? g_strdup(cfg->rules_dir) :
		paths_system_rules_dir();
	ing->rules_dirs[1] = cfg->user_rules_dir != NULL ? g_strdup(cfg->user_rules_dir) :
		paths_user_rules_dir();
	return ing;
}

kith_status
ingest_new(const kith_config *cfg, kith_store *store, kith_ingest **out,
	char **errstr)
{
	kith_ingest *ing = ingest_alloc(cfg, store);
	kith_status status;

	status = rules_load_dirs(ing->rules_dirs[0], ing->rules_dirs[1], &ing->rules, errstr);
	if (status != KITH_OK)
		goto out;
	*out = ing;
	ing = NULL;
out:
	ingest_free(ing);
	return status;
}

static gpointer
load_rules(gpointer data)
{
	kith_ingest *ing = data;

	ing->load_status = rules_load_dirs(ing->rules_dirs[0], ing->rules_dirs[1],
		&ing->rules, &ing->load_err);
	return NULL;
}

kith_status
ingest_new_loading(const kith_config *cfg, kith_store *store, kith_ingest **out,
	char **errstr)
{
	kith_ingest *ing = ingest_alloc(cfg, store);

	(void)errstr;
	ing->loading = g_thread_new("kith-rules", load_rules, ing);
	*out = ing;
	return KITH_OK;
}

kith_status
ingest_rules_ready(kith_ingest *ing, char **errstr)
{
	if (ing->loading != NULL) {
		g_thread_join(ing->loading);
		ing->loading = NULL;
	}
	if (ing->load_status != KITH_OK)
		return kith_fail(errstr, ing->load_status, "%s", ing->load_err);
	return KITH_OK;
}

void
ingest_free(kith_ingest *ing)
{
	if (ing == NULL)
		return;
	if (ing->loading != NULL)
		g_thread_join(ing->loading);
	rules_free(ing->rules);
	g_free(ing->rules_dirs[0]);
	g_free(ing->rules_dirs[1]);
	g_free(ing->load_err);
	g_free(ing);
}

const ingest_stats *
ingest_get_stats(const kith_ingest *ing)
{
	return &ing->stats;
}

const kith_config *
ingest_config(const kith_ingest *ing)
{
	return ing->cfg;
}

kith_store *
ingest_store(const kith_ingest *ing)
{
	return ing->store;
}

kith_status
ingest_commit(kith_ingest *ing, char **errstr)
{
	return store_commit(ing->store, errstr);
}

void
ingest_rollback(kith_ingest *ing)
{
	store_rollback(ing->store);
}

/* Is this message mine?  A Sent folder says so; otherwise the sender. */
static gboolean
message_is_mine(const kith_ingest *ing, const kith_message *msg, unsigned flags)
{
	const kith_address *from = message_sender(msg);

	if (flags & INGEST_SENT)
		return TRUE;
	return from != NULL && ingest_is_me(ing, from->addr);
}

/* A participant that can be a contact: a person, not me, not a robot.
 * `sender` is the From address when the message is mine. */
static gboolean
is_person(const kith_ingest *ing, const kith_address *a, const char *my_sender)
{
	if (ingest_is_me(ing, a->addr))
		return FALSE;
	if (my_sender != NULL && strcmp(a->addr, my_sender) == 0)
		return FALSE;
	return !automated_address(a->addr);
}

static kith_status
add_contact(kith_ingest *ing, const kith_address *a, gint64 msg_rowid,
	kith_direction dir, gint64 date, gint64 *contact_id, char **errstr)
{
	gboolean created = FALSE;
	kith_status status;

	status = store_contact_for_address(ing->store, a->addr, a->name, date,
		contact_id, &created, errstr);
	if (status != KITH_OK || *contact_id == 0)
		return status;
	if (created)
		ing->stats.contacts_new++;
	return store_record_interaction(ing->store, *contact_id, msg_rowid, dir,
		date, errstr);
}

/* Contacts and interactions for a message by a person.  Fills the
 * ledger's view: the sender's contact and the recipients' contacts. */
static kith_status
record_people(kith_ingest *ing, const kith_message *msg, gboolean mine,
	items_message *im, char **errstr)
{
	const kith_address *from = message_sender(msg);
	const char *my_sender = mine && from != NULL ? from->addr : NULL;
	const GPtrArray *lists[] = { msg->to, msg->cc };
	kith_status status;
	gint64 id;

	if (!mine && from != NULL && is_person(ing, from, NULL)) {
		status = add_contact(ing, from, im->rowid, DIR_RECEIVED, im->date,
			&id, errstr);
		if (status != KITH_OK)
			return status;
		im->sender = id;
	}
	for (gsize l = 0; l < G_N_ELEMENTS(lists); l++) {
		for (guint i = 0; i < lists[l]->len; i++) {
			const kith_address *a = g_ptr_array_index(lists[l], i);

			if (!is_person(ing, a, my_sender) ||
			    (from != NULL && strcmp(a->addr, from->addr) == 0))
				continue;
			status = add_contact(ing, a, im->rowid,
				mine ? DIR_SENT : DIR_COPIED, im->date, &id, errstr);
			if (status != KITH_OK)
				return status;
			if (id != 0)
				g_array_append_val(im->recipients, id);
		}
	}
	return KITH_OK;
}

void
ingest_prepare(const kith_ingest *ing, const char *data, gsize len,
	unsigned flags, ingest_prepared *out)
{
	GDateTime *date;
	detect_ctx ctx;

	/* a caller of ingest_new_loading() waits with ingest_rules_ready() */
	g_assert(ing->loading == NULL && ing->rules != NULL);
	memset(out, 0, sizeof *out);
	/* GMime's parser warnings cost a decode of every header: only when
	 * they will be shown (-vv).  Robots' mail opens no items, so its
	 * text is not needed. */
	out->status = message_parse_with(data, len, MESSAGE_PARSE_NO_ROBOT_TEXT |
		(log_get_verbosity() >= 2 ? MESSAGE_PARSE_WARNINGS : 0) |
		(flags & INGEST_PARTIAL ? MESSAGE_PARSE_PARTIAL : 0), &out->msg, &out->err);
	if (out->status != KITH_OK)
		return;
	/* Robots' mail opens no items: do not spend the detector on it. */
	if (out->msg->automated != NULL) {
		out->hits = g_ptr_array_new();
		return;
	}
	date = message_date_local(out->msg);
	ctx.date = date;
	ctx.order = ing->cfg->date_order;
	out->hits = detect_text(ing->rules, out->msg->new_text, &ctx);
	if (date != NULL)
		g_date_time_unref(date);
}

void
ingest_prepared_clear(ingest_prepared *p)
{
	g_clear_pointer(&p->err, g_free);
	g_clear_pointer(&p->msg, message_free);
	g_clear_pointer(&p->hits, g_ptr_array_unref);
}

gsize
ingest_prepared_bytes(const ingest_prepared *p)
{
	/* the message's own structures, its addresses and the hits */
	gsize n = 2048 + (p->hits != NULL ? p->hits->len * 256 : 0);
	const kith_message *msg = p->msg;

	if (msg == NULL)
		return n;
	n += strlen(msg->text) + strlen(msg->new_text);
	for (guint i = 0; i < msg->headers->len; i++) {
		const kith_header *h = g_ptr_array_index(msg->headers, i);

		n += 32 + strlen(h->name) + (h->raw != NULL ? strlen(h->raw) : 0);
	}
	return n;
}

kith_status
ingest_message(kith_ingest *ing, const char *data, gsize len, unsigned flags,
	char **errstr)
{
	ingest_prepared p;
	kith_status status;

	ingest_prepare(ing, data, len, flags, &p);
	status = ingest_record(ing, &p, flags, errstr);
	ingest_prepared_clear(&p);
	return status;
}

kith_status
ingest_record(kith_ingest *ing, ingest_prepared *p, unsigned flags,
	char **errstr)
{
	kith_message *msg = p->msg;
	items_message im = { 0 };
	items_result ir = { 0, 0 };
	gboolean mine, control, is_new = FALSE;
	kith_status status;

	ing->stats.seen++;
	status = p->status;
	if (status != KITH_OK) {
		ing->stats.failed++;
		kith_fail(errstr, status, "%s", p->err != NULL ? p->err : "unreadable");
		goto out;
	}
	for (guint i = 0; i < msg->warnings->len; i++)
		log_debug("%s: %s", msg->message_id,
			(const char *)g_ptr_array_index(msg->warnings, i));
	status = store_begin(ing->store, errstr);
	if (status != KITH_OK)
		goto out;
	mine = message_is_mine(ing, msg, flags);
	/* Nothing of a forgotten person is recorded again. */
	if (forget_screen_message(ing->store, ing->cfg, msg)) {
		log_debug("from or only to a forgotten person: %s", msg->message_id);
		goto out;
	}
	/* My commands by reply to a digest: recorded for dedup as
	 * automated (no contacts, never a reply), applied once below. */
	control = msg->automated == NULL &&
		control_is_reply(ing->store, ing->cfg, msg, mine);
	if (control)
		msg->automated = g_strdup(CONTROL_REASON);
	im.msg = msg;
	im.dir = mine ? DIR_SENT : DIR_RECEIVED;
	im.date = msg->date_valid ? msg->date : g_date_time_to_unix(ing->cfg->now);
	im.recipients = g_array_new(FALSE, FALSE, sizeof(gint64));
	status = store_record_message(ing->store, msg, im.dir, &im.rowid, &is_new,
		errstr);
	if (status != KITH_OK)
		goto out;
	if (!is_new) {
		ing->stats.duplicates++;
		goto out;
	}
	ing->stats.added++;
	if (control) {
		status = control_apply(ing->store, ing->cfg, msg, NULL, errstr);
		if (status != KITH_OK)
			goto out;
	}
	if (msg->automated != NULL) {
		/* Kept for threads and dedup, but no contacts, no items, and
		 * it never answers anything. */
		ing->stats.automated++;
		log_debug("automated (%s): %s", msg->automated, msg->message_id);
		goto out;
	}
	status = record_people(ing, msg, mine, &im, errstr);
	if (status != KITH_OK)
		goto out;
	status = items_record(ing->store, &im, p->hits, &ir, errstr);
	if (status != KITH_OK)
		goto out;
	ing->stats.items_opened += ir.opened;
	ing->stats.items_closed += ir.closed;
out:
	if (im.recipients != NULL)
		g_array_unref(im.recipients);
	return status;
}

char *
ingest_stats_summary(const ingest_stats *s)
{
	GString *out = g_string_new(NULL);

	g_string_printf(out, "%" G_GUINT64_FORMAT " seen, %" G_GUINT64_FORMAT
		" new, %" G_GUINT64_FORMAT " automated skipped, %" G_GUINT64_FORMAT
		" contacts, %" G_GUINT64_FORMAT " items opened, %" G_GUINT64_FORMAT
		" closed", s->seen, s->added, s->automated, s->contacts_new,
		s->items_opened, s->items_closed);
	if (s->failed > 0)
		g_string_append_printf(out, ", %" G_GUINT64_FORMAT " unreadable", s->failed);
	return g_string_free(out, FALSE);
}
