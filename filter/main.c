/*
 * main.c - kith-core: global options, the config, and the command table.
 * The one place where a command's status becomes the process exit code.
 */
#include <locale.h>
#include <stdio.h>
#include <string.h>

#include "commands.h"
#include "log.h"
#include "options.h"

static const command commands[] = {
	{ "filter",   cmd_filter,   "record one message from stdin (procmail, Sieve)" },
	{ "scan",     cmd_scan,     "record the mail of accounts, maildirs and mbox files" },
	{ "contacts", cmd_contacts, "list contacts" },
	{ "show",     cmd_show,     "show a contact's history" },
	{ "contact",  cmd_contact,  "set a contact's name, role, cadence, note; merge; forget" },
	{ "todo",     cmd_todo,     "list open items; done, snooze, dismiss" },
	{ "remind",   cmd_remind,   "what is due, unanswered, or going cold" },
	{ "digest",   cmd_digest,   "build (and send) the daily digest" },
	{ "detect",   cmd_detect,   "find requests and promises in a message or lines" },
	{ "rules",    cmd_rules,    "check rule files" },
	{ "config",   cmd_config,   "check the configuration" },
	{ "query",    cmd_query,    "mutt query_command lookup" },
	{ "export",   cmd_export,   "export contacts (vCard) or items (iCalendar)" },
	{ "import",   cmd_import,   "import contacts from vCard" },
	{ "sendmail", cmd_sendmail, "record an outgoing message, then run sendmail" },
	{ "spool",    cmd_spool,    "list or drain the delivery spool" },
};

static char *
help_text(void)
{
	GString *s = g_string_new("Commands:\n");

	for (gsize i = 0; i < G_N_ELEMENTS(commands); i++)
		g_string_append_printf(s, "  %-10s %s\n", commands[i].name,
			commands[i].summary);
	g_string_append(s, "\nRun 'kith COMMAND --help' for a command's options; "
		"see kith(1).");
	return g_string_free(s, FALSE);
}

static const command *
find_command(const char *name)
{
	for (gsize i = 0; i < G_N_ELEMENTS(commands); i++) {
		if (strcmp(commands[i].name, name) == 0)
			return &commands[i];
	}
	return NULL;
}

int
main(int argc, char **argv)
{
	global_options opts = { 0 };
	kith_config *cfg = NULL;
	const command *cmd;
	char *help = help_text();
	char *err = NULL;
	kith_status status;

	setlocale(LC_ALL, "");
	g_set_prgname("kith");
	status = options_parse_global(&argc, &argv, &opts, help, &err);
	if (status != KITH_OK)
		goto out;
	if (opts.version) {
		printf("kith %s\n", KITH_VERSION);
		goto out;
	}
	if (argc < 2 || strcmp(argv[1], "help") == 0) {
		fprintf(argc < 2 ? stderr : stdout,
			"Usage: kith [OPTION...] COMMAND [ARGS...]\n\n%s\n", help);
		status = argc < 2 ? KITH_E_USAGE : KITH_OK;
		goto out;
	}
	cmd = find_command(argv[1]);
	if (cmd == NULL) {
		status = kith_fail(&err, KITH_E_USAGE,
			"unknown command '%s' (see kith --help)", argv[1]);
		goto out;
	}
	status = options_load_config(&opts, &cfg, &err);
	if (status != KITH_OK)
		goto out;
	status = cmd->fn(cfg, argc - 1, argv + 1, &err);
out:
	if (status != KITH_OK && err != NULL)
		log_error("%s", err);
	g_free(err);
	g_free(help);
	config_free(cfg);
	global_options_clear(&opts);
	return kith_exit_code(status);
}
