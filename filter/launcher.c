/*
 * launcher.c - the `kith` executable.  It links GLib only, because it sits
 * in the mail delivery path: `kith filter` (without --strict) reads the
 * message, passes it through when asked, writes it to the spool and
 * returns, leaving a detached drainer (`kith-core spool drain`) to record
 * it.  Loading GMime, sqlite, PCRE2 and TLS costs more than the whole
 * delivery should.  Every other command is handed to kith-core unchanged.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <spawn.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sysexits.h>
#include <unistd.h>

#include "cmdutil.h"
#include "config.h"
#include "log.h"
#include "options.h"
#include "paths.h"
#include "spool.h"

#define MAX_MESSAGE (256 * 1024 * 1024)

/* kith-core beside this executable (a build tree), else the install path. */
static char *
core_path(void)
{
	char buf[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", buf, sizeof buf - 1);

	if (n > 0) {
		char *dir, *p;

		buf[n] = '\0';
		dir = g_path_get_dirname(buf);
		p = g_build_filename(dir, "kith-core", NULL);
		g_free(dir);
		if (access(p, X_OK) == 0)
			return p;
		g_free(p);
	}
	return g_build_filename(KITH_LIBEXECDIR, "kith-core", NULL);
}

static int
exec_core(char **argv)
{
	char *core = core_path();

	argv[0] = core;
	execv(core, argv);
	fprintf(stderr, "kith: cannot run %s: %s\n", core, g_strerror(errno));
	g_free(core);
	return EX_SOFTWARE;
}

/* Starts `kith-core [globals] spool drain --if-idle`, detached from the
 * delivery: its own session, stdin and stdout on /dev/null, stderr to the
 * spool's log.  posix_spawn (vfork underneath) and no wait: the delivery
 * does not pay for copying this process or for the drain. */
static void
spawn_drainer(const global_options *opts, const char *spool_dir)
{
	GPtrArray *args = g_ptr_array_new();
	char *log_path = g_build_filename(spool_dir, "drain.log", NULL);
	char *core = core_path();
	posix_spawn_file_actions_t fa;
	posix_spawnattr_t attr;
	pid_t pid;
	int rc;

	g_ptr_array_add(args, core);
	if (opts->config_path != NULL) {
		g_ptr_array_add(args, "--config");
		g_ptr_array_add(args, opts->config_path);
	}
	if (opts->db_path != NULL) {
		g_ptr_array_add(args, "--db");
		g_ptr_array_add(args, opts->db_path);
	}
	for (char **m = opts->me; m != NULL && *m != NULL; m++) {
		g_ptr_array_add(args, "--me");
		g_ptr_array_add(args, *m);
	}
	g_ptr_array_add(args, "spool");
	g_ptr_array_add(args, "drain");
	g_ptr_array_add(args, "--if-idle");
	g_ptr_array_add(args, NULL);

	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
	posix_spawn_file_actions_addopen(&fa, STDOUT_FILENO, "/dev/null", O_WRONLY, 0);
	posix_spawn_file_actions_addopen(&fa, STDERR_FILENO, log_path,
		O_WRONLY | O_CREAT | O_APPEND, 0600);
	posix_spawnattr_init(&attr);
	posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSID);
	rc = posix_spawn(&pid, core, &fa, &attr, (char **)args->pdata, environ);
	if (rc != 0)
		log_error("cannot start %s to record the spooled message: %s "
			"(it stays in the spool)", core, g_strerror(rc));
	posix_spawnattr_destroy(&attr);
	posix_spawn_file_actions_destroy(&fa);
	g_free(core);
	g_free(log_path);
	g_ptr_array_free(args, TRUE);
}

/* TRUE when a background drainer is present (draining, or lingering for
 * more mail): it looks at the spool again after it lets go of its lock,
 * so it will find this message too. */
static gboolean
drainer_running(const char *spool_dir)
{
	int fd = spool_drainer_try(spool_dir);

	if (fd < 0)
		return TRUE;
	spool_unlock(fd);
	return FALSE;
}

typedef struct {
	gboolean pass;
	gboolean strict;
	gboolean sent;
} filter_options;

/* Parses `filter`'s own options; FALSE on a usage error, with GOption's
 * message in *why (free it). */
static gboolean
parse_filter_options(int argc, char **argv, filter_options *fo, char **why)
{
	GOptionEntry entries[] = {
		{ "pass", 'p', 0, G_OPTION_ARG_NONE, &fo->pass, NULL, NULL },
		{ "strict", 0, 0, G_OPTION_ARG_NONE, &fo->strict, NULL, NULL },
		{ "sent", 0, 0, G_OPTION_ARG_NONE, &fo->sent, NULL, NULL },
		{ NULL, 0, 0, 0, NULL, NULL, NULL },
	};
	GOptionContext *ctx = g_option_context_new(NULL);
	GError *gerr = NULL;
	gboolean ok;

	g_option_context_add_main_entries(ctx, entries, NULL);
	g_option_context_set_help_enabled(ctx, FALSE);
	ok = g_option_context_parse(ctx, &argc, &argv, &gerr);
	if (!ok)
		*why = g_strdup_printf("%s (see kith filter --help)", gerr->message);
	else if (argc != 1)
		*why = g_strdup_printf("unexpected argument '%s' (see kith filter "
			"--help)", argv[1]);
	ok = ok && argc == 1;
	g_clear_error(&gerr);
	g_option_context_free(ctx);
	return ok;
}

/*
 * The command word of a command line whose global options did not parse:
 * the first argument that is neither an option nor a global option's
 * value ("kith --db FILE --bogus filter"), or NULL.
 */
static const char *
command_word(char **argv)
{
	for (char **a = argv + 1; *a != NULL; a++) {
		char short_name;
		const char *long_name, *usage;

		if (strcmp(*a, "--") == 0)
			return a[1];
		if ((*a)[0] != '-')
			return *a;
		/* "--db FILE", "-d FILE": the value is the next argument */
		if (options_is_global(*a, &short_name, &long_name, &usage) &&
		    strchr(usage, ' ') != NULL && strchr(*a, '=') == NULL &&
		    ((*a)[1] == '-' || (*a)[2] == '\0') && a[1] != NULL)
			a++;
	}
	return NULL;
}

/* Whether `word` is among the arguments, before any "--". */
static gboolean
has_argument(char **argv, const char *word)
{
	for (char **a = argv + 1; *a != NULL && strcmp(*a, "--") != 0; a++) {
		if (strcmp(*a, word) == 0)
			return TRUE;
	}
	return FALSE;
}

/*
 * `kith filter` with a command line it cannot read (a typo in a
 * .procmailrc): the mail still goes through.  It is passed on when --pass
 * (-p) is among the arguments, left unrecorded (the options that would say
 * how to record it are in doubt; the next scan of the mailbox finds it),
 * and the error logged; the exit status is 0.  --strict and --help are
 * kith-core's to answer.
 */
static gboolean
filter_bad_usage(char **argv, const char *why)
{
	GByteArray *msg;

	if (has_argument(argv, "--strict") || has_argument(argv, "--help") ||
	    has_argument(argv, "-h") || has_argument(argv, "-?") ||
	    has_argument(argv, "--help-all"))
		return FALSE;
	msg = cmd_read_all(STDIN_FILENO, MAX_MESSAGE);
	if ((has_argument(argv, "--pass") || has_argument(argv, "-p")) &&
	    !cmd_write_all(STDOUT_FILENO, msg->data, msg->len))
		log_error("cannot pass the message through: %s", g_strerror(errno));
	log_error("filter: %s; the message was not recorded", why);
	g_byte_array_unref(msg);
	return TRUE;
}

/* The fast path.  Whatever happens the exit status is 0: the message is
 * the mail system's to deliver, and kith's record of it is secondary. */
static int
filter_fast(const global_options *opts, const filter_options *fo)
{
	GByteArray *msg = cmd_read_all(STDIN_FILENO, MAX_MESSAGE);
	kith_config *cfg = NULL;
	char *err = NULL;
	char *spool_dir = NULL;

	if (fo->pass && !cmd_write_all(STDOUT_FILENO, msg->data, msg->len))
		log_error("cannot pass the message through: %s", g_strerror(errno));
	if (options_load_config(opts, &cfg, &err) != KITH_OK) {
		/* Without the config the spool of the default store is the
		 * best place: the message is kept for the next run. */
		log_error("%s", err);
		g_clear_pointer(&err, g_free);
		spool_dir = paths_spool_for_db(opts->db_path != NULL ?
			opts->db_path : "");
		if (opts->db_path == NULL) {
			char *db = paths_default_db();

			g_free(spool_dir);
			spool_dir = paths_spool_for_db(db);
			g_free(db);
		}
	} else {
		spool_dir = g_strdup(cfg->spool_dir);
	}
	if (msg->len == 0) {
		log_warn("filter: empty input, nothing recorded");
		goto out;
	}
	if (spool_write_as(spool_dir, (const char *)msg->data, msg->len,
			fo->sent ? SPOOL_SENT : 0, opts->me, NULL, &err) != KITH_OK) {
		log_error("filter: message not recorded: %s", err);
		goto out;
	}
	if (!drainer_running(spool_dir))
		spawn_drainer(opts, spool_dir);
out:
	g_free(err);
	g_free(spool_dir);
	config_free(cfg);
	g_byte_array_unref(msg);
	return 0;
}

int
main(int argc, char **argv)
{
	char **orig = g_new0(char *, argc + 1);
	char **args = g_new0(char *, argc + 1);
	int nargs = argc;
	global_options opts = { 0 };
	filter_options fo = { 0 };
	const char *word;
	char *why = NULL;
	int rc;

	for (int i = 0; i < argc; i++)
		orig[i] = args[i] = argv[i];
	/* Anything unusual (help, errors, --version) is kith-core's job,
	 * except a bad command line in the delivery path. */
	if (options_parse_global(&nargs, &args, &opts, NULL, &why) != KITH_OK) {
		word = command_word(orig);
		if (word != NULL && strcmp(word, "filter") == 0 &&
		    filter_bad_usage(orig, why))
			rc = 0;
		else
			rc = exec_core(orig);
		goto out;
	}
	if (opts.version || nargs < 2 || strcmp(args[1], "filter") != 0) {
		rc = exec_core(orig);
		goto out;
	}
	if (!parse_filter_options(nargs - 1, args + 1, &fo, &why)) {
		rc = filter_bad_usage(orig, why) ? 0 : exec_core(orig);
		goto out;
	}
	if (fo.strict) {
		rc = exec_core(orig);
		goto out;
	}
	log_set_verbosity(opts.quiet ? -1 : opts.verbose);
	rc = filter_fast(&opts, &fo);
out:
	g_free(why);
	global_options_clear(&opts);
	g_free(args);
	g_free(orig);
	return rc;
}
