/*
 * cmd_digest.c - `kith digest [--print | --send] [--always] [--text]`:
 * the daily digest (digest.h).
 *
 *   --print   write the MIME message to stdout (the default)
 *   --text    write only its plain-text part, for a person
 *   --send    pipe it to the configured sendmail ([digest] sendmail);
 *             an empty digest is not sent unless --always
 *
 * A digest printed or sent is recorded (its Message-ID), so a reply to it
 * can carry commands (control.h).
 */
#include <errno.h>
#include <stdio.h>
#include <unistd.h>

#include "cmdutil.h"
#include "commands.h"
#include "digest.h"
#include "drain.h"
#include "log.h"
#include "remind.h"

kith_status
cmd_digest(kith_config *cfg, int argc, char **argv, char **errstr)
{
	gboolean print = FALSE, send = FALSE, always = FALSE, text = FALSE;
	GOptionEntry entries[] = {
		{ "print", 'p', 0, G_OPTION_ARG_NONE, &print,
		  "Write the message to stdout (the default)", NULL },
		{ "send", 's', 0, G_OPTION_ARG_NONE, &send,
		  "Send it with the configured sendmail", NULL },
		{ "always", 'a', 0, G_OPTION_ARG_NONE, &always,
		  "Send it even when nothing is due", NULL },
		{ "text", 't', 0, G_OPTION_ARG_NONE, &text,
		  "Write only the plain-text part", NULL },
		{ NULL, 0, 0, 0, NULL, NULL, NULL },
	};
	kith_store *store = NULL;
	remind_report *report = NULL;
	kith_digest *digest = NULL;
	kith_status status;

	status = cmd_parse_options(&argc, &argv, entries, "",
		"Build the daily digest; print it or send it.", errstr);
	if (status != KITH_OK)
		goto out;
	if (argc != 1) {
		status = kith_fail(errstr, KITH_E_USAGE, "digest: unexpected argument '%s'",
			argv[1]);
		goto out;
	}
	if (send && (print || text)) {
		status = kith_fail(errstr, KITH_E_USAGE,
			"digest: --send cannot be combined with --print or --text");
		goto out;
	}
	status = drain_open_store(cfg, &store, errstr);
	if (status != KITH_OK)
		goto out;
	status = remind_compute(store, cfg, &report, errstr);
	if (status != KITH_OK)
		goto out;
	if (text) {
		char *body = digest_render_text(cfg, report, NULL);

		fputs(body, stdout);
		g_free(body);
		goto out;
	}
	status = digest_build(cfg, report, &digest, errstr);
	if (status != KITH_OK)
		goto out;
	if (send) {
		if (digest->total == 0 && !always) {
			log_info("digest: nothing due; nothing sent");
			goto out;
		}
		status = digest_send(cfg, digest->raw, digest->raw_len, errstr);
		if (status != KITH_OK)
			goto out;
		log_info("digest sent to %s: %s", digest->to, digest->subject);
	} else {
		fflush(stdout);
		if (!cmd_write_all(STDOUT_FILENO, digest->raw, digest->raw_len)) {
			status = kith_fail(errstr, KITH_E_IO, "digest: cannot write: %s",
				g_strerror(errno));
			goto out;
		}
	}
	status = digest_record(store, digest->message_id,
		g_date_time_to_unix(cfg->now), errstr);
out:
	digest_free(digest);
	remind_report_free(report);
	store_close(store);
	return status;
}
