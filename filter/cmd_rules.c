/*
 * cmd_rules.c - `kith rules check [FILE...]` validates rule files (by
 * default those of the system and user rules directories) without touching
 * the store; `kith rules list` prints the active rules after overrides.
 */
#include <stdio.h>
#include <string.h>

#include "commands.h"
#include "log.h"
#include "paths.h"
#include "rules.h"

static void
rule_dirs(const kith_config *cfg, char **sys, char **user)
{
	*sys = cfg->rules_dir != NULL ? g_strdup(cfg->rules_dir) :
		paths_system_rules_dir();
	*user = cfg->user_rules_dir != NULL ? g_strdup(cfg->user_rules_dir) :
		paths_user_rules_dir();
}

/* The files to check: the arguments, or every file of both directories. */
static GPtrArray *
files_to_check(const kith_config *cfg, int argc, char **argv)
{
	GPtrArray *files, *more;
	char *sys, *user;

	if (argc > 0) {
		files = g_ptr_array_new_with_free_func(g_free);
		for (int i = 0; i < argc; i++)
			g_ptr_array_add(files, g_strdup(argv[i]));
		return files;
	}
	rule_dirs(cfg, &sys, &user);
	files = rules_dir_files(sys);
	more = rules_dir_files(user);
	for (guint i = 0; i < more->len; i++)
		g_ptr_array_add(files, g_strdup(more->pdata[i]));
	g_ptr_array_unref(more);
	g_free(sys);
	g_free(user);
	return files;
}

/* Logs each line of a multi-line error. */
static void
log_each_line(const char *text)
{
	char **lines = g_strsplit(text, "\n", -1);

	for (char **l = lines; *l != NULL; l++)
		if (**l != '\0')
			log_error("%s", *l);
	g_strfreev(lines);
}

static kith_status
rules_check(const kith_config *cfg, int argc, char **argv, char **errstr)
{
	GPtrArray *files = files_to_check(cfg, argc, argv);
	kith_rules *all = NULL;
	kith_status st = KITH_OK, fst;
	guint bad = 0;

	for (guint i = 0; i < files->len; i++) {
		char *err = NULL;

		fst = rules_check_file(files->pdata[i], &err);
		if (fst != KITH_OK) {
			log_each_line(err != NULL ? err : "unknown error");
			bad++;
			if (st == KITH_OK || fst == KITH_E_DATA)
				st = fst;
		}
		g_free(err);
	}
	if (st != KITH_OK) {
		st = kith_fail(errstr, st, "rules check: %u of %u file(s) with errors",
			bad, files->len);
		goto out;
	}
	st = rules_load_files((const char *const *)files->pdata, files->len,
		&all, errstr);
	if (st != KITH_OK)
		goto out;
	printf("%u rules in %u file(s): ok\n", rules_count(all), files->len);
out:
	rules_free(all);
	g_ptr_array_unref(files);
	return st;
}

static kith_status
rules_list(const kith_config *cfg, char **errstr)
{
	kith_rules *rules = NULL;
	char *sys, *user, *text = NULL;
	kith_status st;

	rule_dirs(cfg, &sys, &user);
	st = rules_load_dirs(sys, user, &rules, errstr);
	if (st != KITH_OK)
		goto out;
	text = rules_describe(rules);
	fputs(text, stdout);
out:
	g_free(text);
	rules_free(rules);
	g_free(sys);
	g_free(user);
	return st;
}

kith_status
cmd_rules(kith_config *cfg, int argc, char **argv, char **errstr)
{
	if (argc >= 2 && strcmp(argv[1], "check") == 0)
		return rules_check(cfg, argc - 2, argv + 2, errstr);
	if (argc == 2 && strcmp(argv[1], "list") == 0)
		return rules_list(cfg, errstr);
	return kith_fail(errstr, KITH_E_USAGE,
		"usage: kith rules check [FILE...] | kith rules list");
}
