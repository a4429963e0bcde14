/*
 * options.h - the global options, shared by the delivery fast path
 * (launcher.c) and the full program (main.c) so both read them alike:
 *   --config FILE  --db FILE  --me ADDRESS (repeatable)  --now DATE  -q  -v
 */
#ifndef KITH_OPTIONS_H
#define KITH_OPTIONS_H

#include <glib.h>

#include "config.h"
#include "kith.h"

typedef struct {
	char *config_path;
	char *db_path;
	char **me;         /* NULL-terminated */
	char *now;
	gboolean quiet;
	int verbose;       /* count of -v */
	gboolean version;
} global_options;

/*
 * Parses the global options at the front of argv (stopping at the first
 * non-option, the command), removing them from argc and argv.  `help_text`
 * is shown for --help; NULL turns --help off (an unknown option then).
 * Fills *opts (free with global_options_clear).
 */
kith_status options_parse_global(int *argc, char ***argv, global_options *opts,
	const char *help_text, char **errstr);
void global_options_clear(global_options *opts);

/*
 * Whether `arg` ("-q", "--db=FILE", "-vv") names a global option, which
 * goes before the command; sets *short_name (0 if none), *long_name and
 * *usage ("--db FILE"), both static, when it does.
 */
gboolean options_is_global(const char *arg, char *short_name,
	const char **long_name, const char **usage);

/* Loads the config and applies the global options on top of it. */
kith_status options_load_config(const global_options *opts, kith_config **out,
	char **errstr);

#endif
