/* cmd_config.c - `kith config check`: validate the configuration. */
#include <stdio.h>
#include <string.h>

#include "cmdutil.h"
#include "commands.h"
#include "log.h"

kith_status
cmd_config(kith_config *cfg, int argc, char **argv, char **errstr)
{
	kith_status status;

	status = cmd_parse_options(&argc, &argv, NULL, "check",
		"Check the configuration file (main reads it before any command, so "
		"an error is reported before this runs).", errstr);
	if (status != KITH_OK)
		return status;
	if (argc < 2 || strcmp(argv[1], "check") != 0)
		return kith_fail(errstr, KITH_E_USAGE, "config: expected 'config check'");
	printf("%s: ok (%u identit%s, %u account%s; store %s)\n",
		cfg->path != NULL ? cfg->path : "no config file, defaults",
		cfg->my_addresses->len + cfg->my_patterns->len,
		cfg->my_addresses->len + cfg->my_patterns->len == 1 ? "y" : "ies",
		cfg->accounts->len, cfg->accounts->len == 1 ? "" : "s", cfg->db_path);
	if (cfg->my_addresses->len + cfg->my_patterns->len == 0)
		log_warn("no [identity] addresses: every message will count as received");
	return KITH_OK;
}
