/*
 * commands.h - the `kith COMMAND` entry points, one file each
 * (filter/cmd_NAME.c).  main.c parses the global options, loads the config
 * and calls the command with argv[0] = the command name.  A command returns
 * a status; on failure it sets *errstr, which main prints as
 * "kith: MESSAGE" before exiting with kith_exit_code(status).
 */
#ifndef KITH_COMMANDS_H
#define KITH_COMMANDS_H

#include "config.h"
#include "kith.h"
#include "store.h"

typedef kith_status (*command_fn)(kith_config *cfg, int argc, char **argv,
	char **errstr);

typedef struct {
	const char *name;
	command_fn fn;
	const char *summary;
} command;

kith_status cmd_filter(kith_config *cfg, int argc, char **argv, char **errstr);
kith_status cmd_spool(kith_config *cfg, int argc, char **argv, char **errstr);
kith_status cmd_scan(kith_config *cfg, int argc, char **argv, char **errstr);
kith_status cmd_contacts(kith_config *cfg, int argc, char **argv, char **errstr);
kith_status cmd_show(kith_config *cfg, int argc, char **argv, char **errstr);
kith_status cmd_detect(kith_config *cfg, int argc, char **argv, char **errstr);
kith_status cmd_todo(kith_config *cfg, int argc, char **argv, char **errstr);
kith_status cmd_rules(kith_config *cfg, int argc, char **argv, char **errstr);
kith_status cmd_config(kith_config *cfg, int argc, char **argv, char **errstr);
kith_status cmd_contact(kith_config *cfg, int argc, char **argv, char **errstr);
kith_status cmd_remind(kith_config *cfg, int argc, char **argv, char **errstr);
kith_status cmd_digest(kith_config *cfg, int argc, char **argv, char **errstr);
kith_status cmd_query(kith_config *cfg, int argc, char **argv, char **errstr);
kith_status cmd_export(kith_config *cfg, int argc, char **argv, char **errstr);
kith_status cmd_import(kith_config *cfg, int argc, char **argv, char **errstr);
kith_status cmd_sendmail(kith_config *cfg, int argc, char **argv, char **errstr);

/* A contact's card: name, role and cadence, note, addresses, tags, the mail
 * between us and the give and take (cmd_contact.c; `kith show` and
 * `kith contact ADDRESS` print it). */
kith_status contact_print_card(kith_store *store, const kith_config *cfg,
	gint64 id, char **errstr);

#endif
