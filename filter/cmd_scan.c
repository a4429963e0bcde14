/*
 * cmd_scan.c - `kith scan`: every configured account, some by name, or one
 * source given on the command line (--maildir, --mbox, --imap).
 */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cmdutil.h"
#include "commands.h"
#include "drain.h"
#include "ingest.h"
#include "log.h"
#include "source.h"

static void
account_free(gpointer p)
{
	kith_account *a = p;

	g_free(a->name);
	g_free(a->host);
	g_free(a->user);
	g_free(a->passcmd);
	g_strfreev(a->folders);
	g_free(a->cafile);
	g_free(a->path);
	g_free(a);
}

static kith_account *
account_for_path(account_type type, const char *path)
{
	kith_account *a = g_new0(kith_account, 1);

	a->type = type;
	a->name = g_strdup(path);
	a->path = g_strdup(path);
	return a;
}

/* imaps://user@host[:port][/folder], imap:// (STARTTLS), imap+plain://
 * (no TLS: loopback only). */
static kith_status
account_for_url(const char *url, const char *passcmd, const char *cafile,
	kith_account **out, char **errstr)
{
	GUri *uri = g_uri_parse(url, G_URI_FLAGS_NONE, NULL);
	kith_account *a = NULL;
	const char *scheme, *path;
	kith_status status = KITH_OK;

	if (uri == NULL || g_uri_get_host(uri) == NULL || g_uri_get_user(uri) == NULL) {
		status = kith_fail(errstr, KITH_E_USAGE,
			"--imap %s: expected imaps://USER@HOST[:PORT][/FOLDER]", url);
		goto out;
	}
	a = g_new0(kith_account, 1);
	scheme = g_uri_get_scheme(uri);
	if (strcmp(scheme, "imaps") == 0)
		a->tls = TLS_IMAPS;
	else if (strcmp(scheme, "imap") == 0)
		a->tls = TLS_STARTTLS;
	else if (strcmp(scheme, "imap+plain") == 0)
		a->tls = TLS_NONE;
	else {
		status = kith_fail(errstr, KITH_E_USAGE,
			"--imap %s: the scheme must be imaps, imap or imap+plain", url);
		goto out;
	}
	a->type = ACCOUNT_IMAP;
	a->host = g_strdup(g_uri_get_host(uri));
	a->port = g_uri_get_port(uri) > 0 ? g_uri_get_port(uri) :
		(a->tls == TLS_IMAPS ? 993 : 143);
	a->user = g_strdup(g_uri_get_user(uri));
	a->name = g_strdup_printf("%s@%s", a->user, a->host);
	a->tls_verify = TRUE;
	a->auth = AUTH_LOGIN;
	a->max_size = ACCOUNT_MAX_SIZE_DEFAULT;
	a->connections = ACCOUNT_CONNECTIONS_DEFAULT;
	a->passcmd = g_strdup(passcmd);
	a->cafile = g_strdup(cafile);
	path = g_uri_get_path(uri);
	if (path != NULL && path[0] == '/' && path[1] != '\0')
		a->folders = g_strsplit(path + 1, ",", -1);
	if (a->tls == TLS_NONE && strcmp(a->host, "127.0.0.1") != 0 &&
	    strcmp(a->host, "::1") != 0 && strcmp(a->host, "localhost") != 0) {
		status = kith_fail(errstr, KITH_E_USAGE,
			"--imap %s: imap+plain sends the password in clear; "
			"it is allowed only for 127.0.0.1 or ::1", url);
		goto out;
	}
	if (passcmd == NULL && g_getenv("KITH_PASSWORD") == NULL) {
		status = kith_fail(errstr, KITH_E_USAGE,
			"--imap %s: give the password command with --passcmd, "
			"or the password in $KITH_PASSWORD", url);
		goto out;
	}
	*out = a;
	a = NULL;
out:
	if (a != NULL)
		account_free(a);
	if (uri != NULL)
		g_uri_unref(uri);
	return status;
}

/* The accounts to scan: command-line sources, named accounts, or all. */
static kith_status
collect_accounts(kith_config *cfg, int argc, char **argv, char **maildirs,
	char **mboxes, char **urls, const char *passcmd, const char *cafile,
	GPtrArray *own, GPtrArray *todo, char **errstr)
{
	kith_status status;

	for (char **p = maildirs; p != NULL && *p != NULL; p++)
		g_ptr_array_add(own, account_for_path(ACCOUNT_MAILDIR, *p));
	for (char **p = mboxes; p != NULL && *p != NULL; p++)
		g_ptr_array_add(own, account_for_path(ACCOUNT_MBOX, *p));
	for (char **p = urls; p != NULL && *p != NULL; p++) {
		kith_account *a = NULL;

		status = account_for_url(*p, passcmd, cafile, &a, errstr);
		if (status != KITH_OK)
			return status;
		g_ptr_array_add(own, a);
	}
	for (guint i = 0; i < own->len; i++)
		g_ptr_array_add(todo, g_ptr_array_index(own, i));
	for (int i = 1; i < argc; i++) {
		const kith_account *a = config_account(cfg, argv[i]);

		if (a == NULL)
			return kith_fail(errstr, KITH_E_USAGE,
				"scan: no account named '%s' in %s", argv[i],
				cfg->path != NULL ? cfg->path : "the configuration");
		g_ptr_array_add(todo, (gpointer)a);
	}
	if (todo->len == 0) {
		for (guint i = 0; i < cfg->accounts->len; i++)
			g_ptr_array_add(todo, g_ptr_array_index(cfg->accounts, i));
	}
	if (todo->len == 0)
		return kith_fail(errstr, KITH_E_USAGE,
			"scan: nothing to scan: configure an [account NAME] in %s, or use "
			"--maildir, --mbox or --imap", cfg->path != NULL ? cfg->path :
			"the config file");
	return KITH_OK;
}

/* Scans each account; one failing account does not stop the others.
 * Each failure is logged as it comes; the status is the first one's, and
 * *errstr, with more than one account, says how many failed (with one,
 * its line said it all). */
static kith_status
scan_accounts(GPtrArray *todo, kith_ingest *ing, char **errstr)
{
	kith_status first = KITH_OK;
	guint failed = 0;

	for (guint i = 0; i < todo->len; i++) {
		const kith_account *a = g_ptr_array_index(todo, i);
		const source_ops *ops = source_for_type(a->type);
		char *err = NULL;
		kith_status status, rules;

		log_info("scanning %s (%s)", a->name, ops->kind);
		status = ops->scan(a, ing, &err);
		/* rules that do not load fail the scan, not this account */
		if (status != KITH_OK && (rules = ingest_rules_ready(ing, errstr)) != KITH_OK) {
			g_free(err);
			return rules;
		}
		if (status == KITH_E_INTERRUPTED) {
			first = kith_fail(errstr, status, "scan interrupted; "
				"what was recorded is kept, and the next scan resumes there");
			break;
		}
		if (status != KITH_OK) {
			log_error("%s: %s", a->name, err);
			if (first == KITH_OK)
				first = status;
			failed++;
		}
		g_free(err);
	}
	if (first != KITH_OK && first != KITH_E_INTERRUPTED && todo->len > 1)
		kith_fail(errstr, first, "%u of %u accounts failed", failed, todo->len);
	return first;
}

kith_status
cmd_scan(kith_config *cfg, int argc, char **argv, char **errstr)
{
	char **maildirs = NULL, **mboxes = NULL, **urls = NULL;
	char *passcmd = NULL, *cafile = NULL;
	GOptionEntry entries[] = {
		{ "maildir", 0, 0, G_OPTION_ARG_FILENAME_ARRAY, &maildirs,
		  "Scan the Maildir DIR (repeatable)", "DIR" },
		{ "mbox", 0, 0, G_OPTION_ARG_FILENAME_ARRAY, &mboxes,
		  "Import the mbox FILE (repeatable)", "FILE" },
		{ "imap", 0, 0, G_OPTION_ARG_STRING_ARRAY, &urls,
		  "Scan imaps://USER@HOST[:PORT][/FOLDER] (repeatable)", "URL" },
		{ "passcmd", 0, 0, G_OPTION_ARG_STRING, &passcmd,
		  "The command that prints the --imap password", "CMD" },
		{ "cafile", 0, 0, G_OPTION_ARG_FILENAME, &cafile,
		  "Trust the CA certificates in FILE for --imap", "FILE" },
		{ NULL, 0, 0, 0, NULL, NULL, NULL },
	};
	GPtrArray *own = g_ptr_array_new_with_free_func(account_free);
	GPtrArray *todo = g_ptr_array_new();
	kith_store *store = NULL;
	kith_ingest *ing = NULL;
	kith_status status;
	char *summary = NULL;

	status = cmd_parse_options(&argc, &argv, entries, "[ACCOUNT...]",
		"Record the mail of the configured accounts, or of the sources given.",
		errstr);
	if (status != KITH_OK)
		goto out;
	status = collect_accounts(cfg, argc, argv, maildirs, mboxes, urls, passcmd,
		cafile, own, todo, errstr);
	if (status != KITH_OK)
		goto out;
	status = drain_open_store(cfg, &store, errstr);
	if (status != KITH_OK)
		goto out;
	/* the rules load while the first source lists its mail or logs in */
	status = ingest_new_loading(cfg, store, &ing, errstr);
	if (status != KITH_OK)
		goto out;
	source_install_stop_handlers();
	status = scan_accounts(todo, ing, errstr);
	if (status == KITH_OK)
		status = ingest_rules_ready(ing, errstr);
	summary = ingest_stats_summary(ingest_get_stats(ing));
	/* The summary is for a person: cron runs stay quiet unless -v. */
	if (cfg->verbosity > 0 || (cfg->verbosity == 0 && isatty(STDOUT_FILENO)))
		printf("scan: %s\n", summary);
out:
	g_free(summary);
	ingest_free(ing);
	store_close(store);
	g_ptr_array_unref(todo);
	g_ptr_array_unref(own);
	g_strfreev(maildirs);
	g_strfreev(mboxes);
	g_strfreev(urls);
	g_free(passcmd);
	g_free(cafile);
	return status;
}
