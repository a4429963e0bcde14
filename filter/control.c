/*
 * control.c - done / snooze / dismiss by reply to a digest (control.h).
 */
#include <string.h>

#include "control.h"
#include "digest.h"
#include "items.h"
#include "log.h"
#include "remind.h"

/* Parses a positive integer word, with an optional leading '#'. */
static gboolean
parse_number(const char *s, gboolean hash_ok, gint64 *out)
{
	char *end = NULL;
	gint64 v;

	if (hash_ok && *s == '#')
		s++;
	if (!g_ascii_isdigit(*s) || strlen(s) > 12)
		return FALSE;
	v = g_ascii_strtoll(s, &end, 10);
	if (end == NULL || *end != '\0' || v <= 0)
		return FALSE;
	*out = v;
	return TRUE;
}

GArray *
control_parse(const char *text)
{
	GArray *cmds = g_array_new(FALSE, FALSE, sizeof(control_cmd));
	char **lines = g_strsplit(text != NULL ? text : "", "\n", -1);

	for (char **l = lines; *l != NULL; l++) {
		char *line = g_strstrip(g_ascii_strdown(*l, -1));
		char **w = g_strsplit_set(line, " \t", -1);
		GPtrArray *words = g_ptr_array_new();
		control_cmd c = { 0 };
		gint64 days = 0;
		gboolean ok = FALSE;

		for (char **p = w; *p != NULL; p++)
			if (**p != '\0')
				g_ptr_array_add(words, *p);
		if (words->len == 2 && parse_number(words->pdata[1], TRUE, &c.id)) {
			if (g_str_equal(words->pdata[0], "done")) {
				c.verb = CONTROL_DONE;
				ok = TRUE;
			} else if (g_str_equal(words->pdata[0], "dismiss")) {
				c.verb = CONTROL_DISMISS;
				ok = TRUE;
			}
		} else if (words->len == 3 && g_str_equal(words->pdata[0], "snooze") &&
			   parse_number(words->pdata[1], TRUE, &c.id) &&
			   parse_number(words->pdata[2], FALSE, &days) && days <= 3650) {
			c.verb = CONTROL_SNOOZE;
			c.days = (int)days;
			ok = TRUE;
		}
		if (ok)
			g_array_append_val(cmds, c);
		g_ptr_array_unref(words);
		g_strfreev(w);
		g_free(line);
	}
	g_strfreev(lines);
	return cmds;
}

gboolean
control_is_reply(kith_store *store, const kith_config *cfg,
	const kith_message *msg, gboolean mine)
{
	const kith_address *from = message_sender(msg);

	/* Only mine: the From must be one of my identities, wherever the
	 * message was found. */
	if (!mine || from == NULL || !config_is_me(cfg, from->addr))
		return FALSE;
	if (digest_is_known(store, msg->in_reply_to))
		return TRUE;
	for (guint i = 0; i < msg->references->len; i++)
		if (digest_is_known(store, g_ptr_array_index(msg->references, i)))
			return TRUE;
	return msg->in_reply_to != NULL &&
	       g_str_has_prefix(msg->in_reply_to, DIGEST_ID_PREFIX) &&
	       g_ascii_strncasecmp(msg->subject, "Re: kith:", 9) == 0;
}

kith_status
control_apply(kith_store *store, const kith_config *cfg, const kith_message *msg,
	guint *applied, char **errstr)
{
	GArray *cmds = control_parse(msg->new_text);
	kith_status status = KITH_OK;
	gint64 when = msg->date_valid ? msg->date : g_date_time_to_unix(cfg->now);
	guint n = 0;

	for (guint i = 0; i < cmds->len; i++) {
		const control_cmd *c = &g_array_index(cmds, control_cmd, i);
		char until[16] = "";
		char *err = NULL;
		const char *name;

		if (c->verb == CONTROL_SNOOZE) {
			GDate d;

			remind_date_of_unix(when, &d);
			g_date_add_days(&d, (guint)c->days);
			g_date_strftime(until, sizeof until, "%Y-%m-%d", &d);
		}
		name = c->verb == CONTROL_DONE ? ITEM_DONE : c->verb == CONTROL_SNOOZE ?
			ITEM_SNOOZED : ITEM_DISMISSED;
		status = items_set_status(store, c->id, name,
			c->verb == CONTROL_SNOOZE ? until : NULL, when, &err);
		if (status == KITH_E_USAGE) {
			log_warn("digest reply %s: %s", msg->message_id, err);
			status = KITH_OK;
		} else if (status != KITH_OK) {
			if (errstr != NULL)
				*errstr = err;
			else
				g_free(err);
			err = NULL;
			break;
		} else {
			log_info("digest reply: #%" G_GINT64_FORMAT " %s%s%s", c->id, name,
				*until ? " until " : "", until);
			n++;
		}
		g_free(err);
	}
	if (applied != NULL)
		*applied = n;
	g_array_unref(cmds);
	return status;
}
