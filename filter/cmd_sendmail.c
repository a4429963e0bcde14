/*
 * cmd_sendmail.c - `kith sendmail [--] ARGS...`: a sendmail wrapper for
 * mail clients (mutt's `sendmail` setting).  It reads the message from
 * standard input, records it as sent (spooled with SPOOL_SENT), runs the
 * real sendmail with the same ARGS and the same bytes on its standard
 * input, and exits with the real sendmail's exit status.
 *
 * The real sendmail is $KITH_SENDMAIL when set, else the config's
 * [sendmail] command (default /usr/sbin/sendmail).  The command is split
 * into words like a shell would (quotes) but run without one.  A leading
 * "--" is kith's and is dropped; everything else, options included, is the
 * real sendmail's.  Modes that are not "send this message" (-bs, -bv,
 * -bp, -q...) are handed over untouched and nothing is recorded.
 *
 * Recording never stops the mail: a message that cannot be spooled is
 * sent all the same (with a warning).  A message the real sendmail
 * refuses (non-zero exit) is withdrawn from the spool, so only mail that
 * went out is counted as sent; one that was accepted is recorded in the
 * store right away when the store is free (else by the next command).
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <sysexits.h>
#include <unistd.h>

#include "cmdutil.h"
#include "commands.h"
#include "drain.h"
#include "log.h"
#include "spool.h"

/* Enough for any mail; more is passed through but not recorded. */
#define SENDMAIL_MAX_RECORD (256 * 1024 * 1024)

/* The real sendmail's argv: its command words, then `args` (borrowed
 * strings; free the array with g_ptr_array_unref). */
static kith_status
real_argv(const kith_config *cfg, char **args, int nargs, GPtrArray **out,
	char ***words_out, char **errstr)
{
	const char *env = g_getenv("KITH_SENDMAIL");
	const char *cmd = env != NULL && *env != '\0' ? env : cfg->sendmail_command;
	GError *gerr = NULL;
	char **words = NULL;
	GPtrArray *argv;

	if (cmd == NULL || !g_shell_parse_argv(cmd, NULL, &words, &gerr)) {
		kith_status s = kith_fail(errstr, KITH_E_CONFIG,
			"[sendmail] command '%s': %s", cmd != NULL ? cmd : "",
			gerr != NULL ? gerr->message : "not set");

		g_clear_error(&gerr);
		return s;
	}
	argv = g_ptr_array_new();
	for (char **w = words; *w != NULL; w++)
		g_ptr_array_add(argv, *w);
	for (int i = 0; i < nargs; i++)
		g_ptr_array_add(argv, args[i]);
	g_ptr_array_add(argv, NULL);
	*out = argv;
	/* argv borrows the words; the caller frees them (g_strfreev). */
	*words_out = words;
	return KITH_OK;
}

/* TRUE when the arguments ask for something other than sending one message
 * from standard input (an SMTP session, address verification, queue runs):
 * those are passed through untouched. */
static gboolean
not_a_message(char **args, int nargs)
{
	for (int i = 0; i < nargs; i++) {
		if (strcmp(args[i], "--") == 0)
			break;
		if ((g_str_has_prefix(args[i], "-b") && strcmp(args[i], "-bm") != 0) ||
		    g_str_has_prefix(args[i], "-q"))
			return TRUE;
	}
	return FALSE;
}

/* Runs argv with `data` on its standard input; *code is the exit status
 * as a shell reports it (128 + signal when killed). */
static kith_status
run_with_input(char **argv, const guint8 *data, gsize len, int *code, char **errstr)
{
	int fds[2];
	pid_t pid;
	int wstatus = 0;
	struct sigaction ign = { .sa_handler = SIG_IGN }, old;

	if (pipe2(fds, O_CLOEXEC) != 0)
		return kith_fail(errstr, KITH_E_OS, "sendmail: pipe: %s", g_strerror(errno));
	/* A sendmail that exits without reading must not kill us. */
	sigemptyset(&ign.sa_mask);
	sigaction(SIGPIPE, &ign, &old);
	pid = fork();
	if (pid < 0) {
		int e = errno;

		close(fds[0]);
		close(fds[1]);
		sigaction(SIGPIPE, &old, NULL);
		return kith_fail(errstr, KITH_E_OS, "sendmail: fork: %s", g_strerror(e));
	}
	if (pid == 0) {
		signal(SIGPIPE, SIG_DFL);
		if (dup2(fds[0], STDIN_FILENO) < 0)
			_exit(EX_OSERR);
		execvp(argv[0], argv);
		fprintf(stderr, "kith: sendmail: cannot run %s: %s\n", argv[0],
			g_strerror(errno));
		_exit(EX_UNAVAILABLE);
	}
	close(fds[0]);
	if (!cmd_write_all(fds[1], data, len) && errno != EPIPE)
		log_warn("sendmail: writing to %s: %s", argv[0], g_strerror(errno));
	close(fds[1]);
	while (waitpid(pid, &wstatus, 0) < 0) {
		if (errno != EINTR) {
			sigaction(SIGPIPE, &old, NULL);
			return kith_fail(errstr, KITH_E_OS, "sendmail: wait: %s",
				g_strerror(errno));
		}
	}
	sigaction(SIGPIPE, &old, NULL);
	if (WIFEXITED(wstatus))
		*code = WEXITSTATUS(wstatus);
	else if (WIFSIGNALED(wstatus))
		*code = 128 + WTERMSIG(wstatus);
	else
		*code = EX_SOFTWARE;
	return KITH_OK;
}

kith_status
cmd_sendmail(kith_config *cfg, int argc, char **argv, char **errstr)
{
	char **args = argv + 1;
	int nargs = argc - 1;
	GPtrArray *real = NULL;
	char **words = NULL;
	GByteArray *msg = NULL;
	char *spool_path = NULL, *err = NULL;
	kith_store *store = NULL;
	kith_status status;
	int code = 0;

	if (nargs > 0 && strcmp(args[0], "--help") == 0) {
		printf("Usage: kith sendmail [--] ARGS...\n\n"
			"Record the message on standard input as sent, then run the real\n"
			"sendmail ($KITH_SENDMAIL, else [sendmail] command) with ARGS and\n"
			"the same input; exit with its status.\n");
		return KITH_OK;
	}
	if (nargs > 0 && strcmp(args[0], "--") == 0) {
		args++;
		nargs--;
	}
	status = real_argv(cfg, args, nargs, &real, &words, errstr);
	if (status != KITH_OK)
		return status;
	if (not_a_message(args, nargs)) {
		execvp(g_ptr_array_index(real, 0), (char **)real->pdata);
		status = kith_fail(errstr, KITH_E_UNAVAILABLE, "sendmail: cannot run %s: %s",
			(char *)g_ptr_array_index(real, 0), g_strerror(errno));
		goto out;
	}
	msg = cmd_read_all(STDIN_FILENO, G_MAXUINT32 - 1);
	if (msg->len == 0)
		log_warn("sendmail: empty input, nothing recorded");
	else if (msg->len > SENDMAIL_MAX_RECORD)
		log_warn("sendmail: message larger than %d MB, not recorded",
			SENDMAIL_MAX_RECORD / (1024 * 1024));
	else if (spool_write(cfg->spool_dir, (const char *)msg->data, msg->len,
			SPOOL_SENT, &spool_path, &err) != KITH_OK)
		log_warn("sendmail: message not recorded (%s); sending it anyway", err);
	status = run_with_input((char **)real->pdata, msg->data, msg->len, &code, errstr);
	if (status != KITH_OK || code != 0) {
		/* Not sent: not counted as sent.  (A drainer may have taken it
		 * already; then it stays, and a resend is the same message.) */
		if (spool_path != NULL && unlink(spool_path) == 0)
			log_info("sendmail: not sent, record withdrawn");
		goto out;
	}
	if (spool_path != NULL) {
		g_clear_pointer(&err, g_free);
		/* Record it now; a busy or broken store leaves it spooled. */
		if (drain_open_store(cfg, &store, &err) != KITH_OK)
			log_warn("sendmail: sent; recording postponed: %s", err);
	}
out:
	store_close(store);
	g_free(spool_path);
	g_free(err);
	if (msg != NULL)
		g_byte_array_unref(msg);
	if (real != NULL)
		g_ptr_array_unref(real);
	g_strfreev(words);
	if (status == KITH_OK && code != 0) {
		/* The real sendmail's own status, passed on as it is: not a
		 * kith status, so not through kith_exit_code(). */
		fflush(stdout);
		exit(code);
	}
	return status;
}
