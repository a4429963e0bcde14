/*
 * cmd_filter.c - `kith filter`: one message on stdin, recorded before the
 * command returns.  The `kith` launcher answers the everyday case itself
 * (spool and return); this synchronous path runs for --strict, where the
 * caller wants to know whether the message was recorded.
 */
#include <errno.h>
#include <sysexits.h>
#include <unistd.h>

#include "cmdutil.h"
#include "commands.h"
#include "drain.h"
#include "ingest.h"
#include "log.h"
#include "spool.h"

#define FILTER_MAX_MESSAGE (256 * 1024 * 1024)

/* Records the message now; on a store failure, spools it for later. */
static kith_status
filter_record(kith_config *cfg, const GByteArray *msg, gboolean sent, char **errstr)
{
	kith_store *store = NULL;
	kith_ingest *ing = NULL;
	char *err = NULL, *spool_err = NULL;
	kith_status status, spooled;

	status = drain_open_store(cfg, &store, &err);
	if (status == KITH_OK)
		status = ingest_new(cfg, store, &ing, &err);
	if (status == KITH_OK)
		status = ingest_message(ing, (const char *)msg->data, msg->len,
			sent ? INGEST_SENT : 0, &err);
	if (status == KITH_OK)
		status = ingest_commit(ing, &err);
	if (status == KITH_OK || status == KITH_E_DATA)
		goto out;
	if (ing != NULL)
		ingest_rollback(ing);
	/* The store could not take it: queue it for the next run. */
	g_ptr_array_add(cfg->my_addresses, NULL);
	spooled = spool_write_as(cfg->spool_dir, (const char *)msg->data, msg->len,
		sent ? SPOOL_SENT : 0, (char *const *)cfg->my_addresses->pdata, NULL,
		&spool_err);
	g_ptr_array_remove_index(cfg->my_addresses, cfg->my_addresses->len - 1);
	if (spooled == KITH_OK)
		log_warn("store unavailable (%s); message spooled", err);
	else
		log_error("message not recorded: %s; and not spooled: %s", err, spool_err);
out:
	if (status != KITH_OK)
		kith_fail(errstr, status, "%s", err);
	g_free(err);
	g_free(spool_err);
	ingest_free(ing);
	store_close(store);
	return status;
}

kith_status
cmd_filter(kith_config *cfg, int argc, char **argv, char **errstr)
{
	gboolean pass = FALSE, strict = FALSE, sent = FALSE;
	GOptionEntry entries[] = {
		{ "pass", 'p', 0, G_OPTION_ARG_NONE, &pass,
		  "Write the message to stdout unchanged (for :0 fw recipes)", NULL },
		{ "strict", 0, 0, G_OPTION_ARG_NONE, &strict,
		  "Exit 75 (EX_TEMPFAIL) when the message cannot be recorded", NULL },
		{ "sent", 0, 0, G_OPTION_ARG_NONE, &sent,
		  "The message is one I sent (a Fcc or record copy)", NULL },
		{ NULL, 0, 0, 0, NULL, NULL, NULL },
	};
	GByteArray *msg = NULL;
	kith_status status;

	status = cmd_parse_options(&argc, &argv, entries, "",
		"Record one message from standard input.", errstr);
	if (status != KITH_OK)
		return status;
	msg = cmd_read_all(STDIN_FILENO, FILTER_MAX_MESSAGE);
	if (pass && !cmd_write_all(STDOUT_FILENO, msg->data, msg->len))
		log_error("cannot pass the message through: %s", g_strerror(errno));
	if (msg->len == 0) {
		status = kith_fail(errstr, KITH_E_DATA, "filter: empty input");
		goto out;
	}
	status = filter_record(cfg, msg, sent, errstr);
out:
	g_byte_array_unref(msg);
	if (status == KITH_OK)
		return KITH_OK;
	if (strict)
		return KITH_E_TEMPFAIL;
	/* Mail is never refused because kith failed: say why, exit 0. */
	if (*errstr != NULL)
		log_error("%s", *errstr);
	g_clear_pointer(errstr, g_free);
	return KITH_OK;
}
