/* options.c - the global options, read alike by kith and kith-core. */
#include <string.h>

#include "log.h"
#include "options.h"

/* -v, -vv: each one says more. */
static gboolean
count_verbose(const char *name, const char *value, gpointer data, GError **error)
{
	global_options *opts = data;

	opts->verbose++;
	return TRUE;
}

/* The global options' names, for telling a misplaced one (options_is_global). */
static const struct {
	char short_name;
	const char *long_name;
	const char *usage;     /* how it is written before a command */
} global_names[] = {
	{ 'c', "config", "--config FILE" }, { 'd', "db", "--db FILE" },
	{ 0, "me", "--me ADDRESS" }, { 0, "now", "--now DATE" },
	{ 'q', "quiet", "-q" }, { 'v', "verbose", "-v" }, { 'V', "version", "-V" },
};

gboolean
options_is_global(const char *arg, char *short_name, const char **long_name,
	const char **usage)
{
	if (arg[0] != '-' || arg[1] == '\0')
		return FALSE;
	for (gsize i = 0; i < G_N_ELEMENTS(global_names); i++) {
		gsize n = strlen(global_names[i].long_name);
		gboolean hit;

		if (arg[1] == '-')
			hit = strncmp(arg + 2, global_names[i].long_name, n) == 0 &&
				(arg[2 + n] == '\0' || arg[2 + n] == '=');
		else	/* -q, -vv, -dFILE: the first letter names it */
			hit = global_names[i].short_name != 0 &&
				arg[1] == global_names[i].short_name;
		if (hit) {
			*short_name = global_names[i].short_name;
			*long_name = global_names[i].long_name;
			*usage = global_names[i].usage;
			return TRUE;
		}
	}
	return FALSE;
}

kith_status
options_parse_global(int *argc, char ***argv, global_options *opts,
	const char *help_text, char **errstr)
{
	GOptionEntry entries[] = {
		{ "config", 'c', 0, G_OPTION_ARG_FILENAME, &opts->config_path,
		  "Read the configuration from FILE", "FILE" },
		{ "db", 'd', 0, G_OPTION_ARG_FILENAME, &opts->db_path,
		  "Use the store FILE", "FILE" },
		{ "me", 0, 0, G_OPTION_ARG_STRING_ARRAY, &opts->me,
		  "ADDRESS is one of mine (repeatable)", "ADDRESS" },
		{ "now", 0, 0, G_OPTION_ARG_STRING, &opts->now,
		  "Compute dates as if it were DATE", "DATE" },
		{ "quiet", 'q', 0, G_OPTION_ARG_NONE, &opts->quiet,
		  "Print nothing but errors", NULL },
		{ "verbose", 'v', G_OPTION_FLAG_NO_ARG, G_OPTION_ARG_CALLBACK,
		  (gpointer)count_verbose, "Say more (repeat for debugging)", NULL },
		{ "version", 'V', 0, G_OPTION_ARG_NONE, &opts->version,
		  "Print the version and exit", NULL },
		{ NULL, 0, 0, 0, NULL, NULL, NULL },
	};
	GOptionContext *ctx = g_option_context_new("COMMAND [ARGS...]");
	GOptionGroup *group = g_option_group_new("global", "Global options",
		"Global options", opts, NULL);
	GError *gerr = NULL;
	kith_status status = KITH_OK;

	g_option_group_add_entries(group, entries);
	g_option_context_set_main_group(ctx, group);
	if (help_text != NULL)
		g_option_context_set_description(ctx, help_text);
	else
		g_option_context_set_help_enabled(ctx, FALSE);
	/* Stop at the command: its own options are the command's to parse. */
	g_option_context_set_strict_posix(ctx, TRUE);
	if (!g_option_context_parse(ctx, argc, argv, &gerr)) {
		status = kith_fail(errstr, KITH_E_USAGE, "%s (see kith --help)",
			gerr->message);
		goto out;
	}
out:
	g_clear_error(&gerr);
	g_option_context_free(ctx);
	return status;
}

void
global_options_clear(global_options *opts)
{
	g_free(opts->config_path);
	g_free(opts->db_path);
	g_strfreev(opts->me);
	g_free(opts->now);
	memset(opts, 0, sizeof *opts);
}

kith_status
options_load_config(const global_options *opts, kith_config **out, char **errstr)
{
	kith_config *cfg = NULL;
	kith_status status;

	status = config_load(opts->config_path, &cfg, errstr);
	if (status != KITH_OK)
		goto out;
	if (opts->db_path != NULL)
		config_set_db(cfg, opts->db_path);
	for (char **m = opts->me; m != NULL && *m != NULL; m++)
		config_add_me(cfg, *m);
	if (opts->now != NULL) {
		GDateTime *now = config_parse_datetime(opts->now);

		if (now == NULL) {
			status = kith_fail(errstr, KITH_E_USAGE,
				"--now %s: not a date (use YYYY-MM-DD or ISO 8601)", opts->now);
			goto out;
		}
		config_set_now(cfg, now);
		g_date_time_unref(now);
	}
	cfg->verbosity = opts->quiet ? -1 : opts->verbose;
	log_set_verbosity(cfg->verbosity);
	*out = cfg;
	cfg = NULL;
out:
	config_free(cfg);
	return status;
}
