/*
 * automated.c - telling robots, lists and newsletters from people.
 *
 * Only explicit signals count: headers that mail software sets (RFC 3834
 * Auto-Submitted, RFC 2369/2919 list headers, Precedence), report MIME
 * types, vacation subjects and robot mailbox names.  Absence of signals
 * means a person.  X-Auto-Response-Suppress is deliberately ignored:
 * Outlook sets it on ordinary mail.
 */
#include <string.h>

#include "automated.h"

/* Subjects of out-of-office replies, lowercased, matched as prefixes. */
static const char *const vacation_subjects[] = {
	"out of office", "out of the office", "auto:", "automatic reply",
	"autoreply", "auto-reply", "auto reply", "automated reply",
	"abwesenheit", "automatische antwort", "réponse automatique",
	"respuesta automática", "risposta automatica", "afwezig",
	"automatisch antwoord", NULL,
};

/* Robot mailbox local parts, with '-', '_' and '.' removed. */
static const char *const robot_substrings[] = {
	"noreply", "donotreply", "mailerdaemon", NULL,
};
static const char *const robot_prefixes[] = {
	"notification", "bounce", NULL,
};

/* The local part of `addr`, lowercased, without - _ . separators; new
 * string. */
static char *
compact_local_part(const char *addr)
{
	const char *at = strrchr(addr, '@');
	gsize n = at ? (gsize)(at - addr) : strlen(addr);
	char *out = g_malloc(n + 1), *w = out;
	gsize i;

	for (i = 0; i < n; i++)
		if (addr[i] != '-' && addr[i] != '_' && addr[i] != '.')
			*w++ = g_ascii_tolower(addr[i]);
	*w = '\0';
	return out;
}

gboolean
automated_address(const char *addr)
{
	char *local;
	const char *const *p;
	gboolean yes = FALSE;

	if (addr == NULL || *addr == '\0')
		return FALSE;
	local = compact_local_part(addr);
	for (p = robot_substrings; *p != NULL && !yes; p++)
		yes = strstr(local, *p) != NULL;
	for (p = robot_prefixes; *p != NULL && !yes; p++)
		yes = g_str_has_prefix(local, *p);
	/* "list-bounces@", "bounces+id@": mailing list and ESP envelopes */
	yes = yes || strstr(local, "bounces") != NULL || strcmp(local, "postmaster") == 0;
	g_free(local);
	return yes;
}

/* The first token of a header value, lowercased, up to ';', ',' or
 * space; new string, NULL when the header is absent or empty. */
static char *
header_token(const kith_message *msg, const char *name)
{
	const char *value = message_header(msg, name);
	gsize n;

	if (value == NULL)
		return NULL;
	while (g_ascii_isspace(*value))
		value++;
	n = strcspn(value, ";, \t");
	return n ? g_ascii_strdown(value, n) : NULL;
}

static gboolean
is_vacation(const kith_message *msg)
{
	char *subject = message_strdown(msg->subject);
	const char *const *p;
	gboolean yes = message_header(msg, "X-Vacation") != NULL;

	for (p = vacation_subjects; *p != NULL && !yes; p++)
		yes = g_str_has_prefix(subject, *p);
	g_free(subject);
	return yes;
}

/* The sender-based reason, or NULL: robot mailboxes. */
static char *
sender_reason(const kith_message *msg)
{
	const kith_address *from = message_sender(msg);
	char *local;
	char *reason = NULL;

	if (from == NULL)
		return NULL;
	local = compact_local_part(from->addr);
	if (strcmp(local, "mailerdaemon") == 0)
		reason = g_strdup("sender: mailer-daemon");
	else if (strcmp(local, "postmaster") == 0)
		reason = g_strdup("sender: postmaster");
	else if (automated_address(from->addr))
		reason = g_strdup("no-reply sender");
	g_free(local);
	return reason;
}

/* Header-based reasons in order of how specific they are. */
static char *
header_reason(const kith_message *msg)
{
	char *token;
	char *reason = NULL;

	token = header_token(msg, "Auto-Submitted");
	if (token != NULL && strcmp(token, "no") != 0)
		reason = g_strdup_printf("auto-submitted: %s", token);
	g_free(token);
	if (reason != NULL)
		return reason;
	if (message_header(msg, "X-Autoreply") != NULL)
		return g_strdup("x-autoreply");
	if (message_header(msg, "X-Autorespond") != NULL)
		return g_strdup("x-autorespond");
	if (is_vacation(msg))
		return g_strdup("vacation");
	token = header_token(msg, "Precedence");
	if (token != NULL && (strcmp(token, "bulk") == 0 || strcmp(token, "list") == 0 ||
		strcmp(token, "junk") == 0 || strcmp(token, "auto_reply") == 0))
		reason = g_strdup_printf("precedence: %s", token);
	g_free(token);
	if (reason != NULL)
		return reason;
	if (message_header(msg, "List-Id") != NULL)
		return g_strdup("list-id");
	if (message_header(msg, "List-Unsubscribe") != NULL)
		return g_strdup("list-unsubscribe");
	return NULL;
}

char *
automated_reason(const kith_message *msg)
{
	const char *return_path;
	char *reason;

	if (msg == NULL)
		return NULL;
	if (msg->is_report)
		return g_strdup("delivery report");
	reason = header_reason(msg);
	if (reason == NULL)
		reason = sender_reason(msg);
	if (reason != NULL)
		return reason;
	/* the null envelope sender is reserved for bounces and auto-replies */
	return_path = message_header(msg, "Return-Path");
	if (return_path != NULL && strcmp(return_path, "<>") == 0)
		return g_strdup("return-path: <>");
	return NULL;
}
