/* test_config.c - the config file, identities, and --now dates. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sys/stat.h>

#include <cmocka.h>

#include "config.h"
#include "options.h"
#include "log.h"

static char *tmpdir;

static char *
write_config(const char *text, int mode)
{
	char *path = g_build_filename(tmpdir, "config", NULL);

	assert_true(g_file_set_contents(path, text, -1, NULL));
	assert_int_equal(chmod(path, mode), 0);
	return path;
}

/* Loads `text`; returns the status, sets *cfg on success and *err else. */
static kith_status
load(const char *text, int mode, kith_config **cfg, char **err)
{
	char *path = write_config(text, mode);
	kith_status st = config_load(path, cfg, err);

	g_free(path);
	return st;
}

static void
test_defaults(void **state)
{
	kith_config *cfg = NULL;
	char *err = NULL;

	assert_int_equal(load("", 0600, &cfg, &err), KITH_OK);
	assert_int_equal(cfg->date_order, DATE_ORDER_MDY);
	assert_int_equal(cfg->unanswered_days, 3);
	assert_int_equal(cfg->default_due_days, 7);
	assert_string_equal(cfg->sendmail, "/usr/sbin/sendmail -t -i");
	assert_true(g_str_has_suffix(cfg->db_path, "/kith/kith.db"));
	assert_true(g_str_has_suffix(cfg->spool_dir, "/kith/kith.db.spool"));
	assert_int_equal(config_cadence_for_role(cfg, ROLE_NONE), 90);
	assert_int_equal(config_cadence_for_role(cfg, ROLE_MENTOR), 45);
	config_free(cfg);
}

static void
test_identity(void **state)
{
	kith_config *cfg = NULL;
	char *err = NULL;

	assert_int_equal(load("[identity]\naddresses = Me@Example.org, me@work.example\n"
		"aliases = me+*@example.org\n", 0600, &cfg, &err), KITH_OK);
	assert_true(config_is_me(cfg, "me@example.org"));
	assert_true(config_is_me(cfg, "ME@WORK.EXAMPLE"));
	assert_true(config_is_me(cfg, "me+lists@example.org"));
	assert_false(config_is_me(cfg, "you@example.org"));
	assert_false(config_is_me(cfg, NULL));
	config_add_me(cfg, "Other@Example.net");
	assert_true(config_is_me(cfg, "other@example.net"));
	config_free(cfg);
}

static void
test_store_paths(void **state)
{
	kith_config *cfg = NULL;
	char *err = NULL;

	assert_int_equal(load("[store]\ndb = /srv/k/kith.db\n", 0600, &cfg, &err), KITH_OK);
	assert_string_equal(cfg->db_path, "/srv/k/kith.db");
	assert_string_equal(cfg->spool_dir, "/srv/k/kith.db.spool");
	/* --db moves the spool with it, unless the file set one */
	config_set_db(cfg, "/tmp/x.db");
	assert_string_equal(cfg->spool_dir, "/tmp/x.db.spool");
	config_free(cfg);
	assert_int_equal(load("[store]\nspool = /var/spool/kith\n", 0600, &cfg, &err), KITH_OK);
	config_set_db(cfg, "/tmp/x.db");
	assert_string_equal(cfg->spool_dir, "/var/spool/kith");
	config_free(cfg);
}

static void
test_bad_values(void **state)
{
	static const struct { const char *text; const char *want; } cases[] = {
		{ "[detect]\ndate_order = ymd\n", "[detect] date_order: expected mdy or dmy" },
		{ "[remind]\nunanswered_days = soon\n", "[remind] unanswered_days: 'soon' is not a number" },
		{ "[remind]\nunanswered_days = 0\n", "is not a number from 1 to 365" },
		{ "[account x]\ntype = pop3\n", "[account x] type: expected imap, maildir or mbox" },
		{ "[account x]\ntype = imap\nuser = a\npasscmd = pass x\n", "[account x] host: an IMAP account needs a host" },
		{ "[account x]\nhost = imap.example.org\nuser = a\npasscmd = p\ntls = none\n",
		  "[account x] tls: none sends the password in clear" },
		{ "[account x]\nhost = h\nuser = a\npasscmd = p\nport = 99999\n", "[account x] port" },
		{ "[account x]\nhost = h\nuser = a\npasscmd = p\nmax_size = big\n", "[account x] max_size" },
		/* found by fuzzing: the multiplication overflowed */
		{ "[account x]\nhost = h\nuser = a\npasscmd = p\nmax_size = 9999999999999999M\n",
		  "[account x] max_size" },
		{ "[account x]\nhost = h\nuser = a\npasscmd = p\nmax_size = 99999999999999999999\n",
		  "[account x] max_size" },
		{ "[account x]\nhost = h\nuser = a\npasscmd = p\nconnections = 0\n",
		  "[account x] connections: '0' is not a number from 1 to 4" },
		{ "[account x]\nhost = h\nuser = a\npasscmd = p\nconnections = 5\n",
		  "[account x] connections" },
		{ "[account m]\ntype = maildir\n", "[account m] path" },
		{ "not ini at all\n", "config" },
		{ "[identity]\naddresses = not-an-address\n", "[identity] addresses: not an e-mail address" },
	};

	for (gsize i = 0; i < G_N_ELEMENTS(cases); i++) {
		kith_config *cfg = NULL;
		char *err = NULL;

		assert_int_equal(load(cases[i].text, 0600, &cfg, &err), KITH_E_CONFIG);
		assert_null(cfg);
		assert_non_null(err);
		if (strstr(err, cases[i].want) == NULL)
			fail_msg("case %zu: '%s' lacks '%s'", i, err, cases[i].want);
		/* every message names the file */
		assert_non_null(strstr(err, tmpdir));
		g_free(err);
	}
}

static void
test_password_refused_when_readable(void **state)
{
	const char *text = "[account work]\nhost = imap.example.org\nuser = me\n"
		"password = s3cret-pass\n";
	kith_config *cfg = NULL;
	char *err = NULL;

	assert_int_equal(load(text, 0644, &cfg, &err), KITH_E_CONFIG);
	assert_non_null(strstr(err, "readable by group or others"));
	assert_non_null(strstr(err, "chmod 600"));
	/* the secret itself is never echoed */
	assert_null(strstr(err, "s3cret-pass"));
	g_free(err);
	assert_int_equal(load(text, 0600, &cfg, &err), KITH_OK);
	assert_string_equal(config_account(cfg, "work")->password, "s3cret-pass");
	config_free(cfg);
}

static void
test_account(void **state)
{
	kith_config *cfg = NULL;
	char *err = NULL;
	const kith_account *a;

	assert_int_equal(load("[account gmail]\nhost = imap.gmail.com\nuser = me@gmail.com\n"
		"auth = xoauth2\npasscmd = oauth2-token me\nfolders = INBOX, [Gmail]/Sent Mail\n"
		"max_size = 10M\ntls_verify = no\nconnections = 3\n"
		"[account local]\ntype = imap\nhost = 127.0.0.1\nuser = u\npasscmd = p\n"
		"tls = none\n[account arch]\ntype = mbox\npath = ~/takeout.mbox\n",
		0600, &cfg, &err), KITH_OK);
	a = config_account(cfg, "gmail");
	assert_non_null(a);
	assert_int_equal(a->type, ACCOUNT_IMAP);
	assert_int_equal(a->tls, TLS_IMAPS);
	assert_int_equal(a->port, 993);
	assert_int_equal(a->auth, AUTH_XOAUTH2);
	assert_false(a->tls_verify);
	assert_int_equal(a->max_size, 10 * 1024 * 1024);
	assert_int_equal(a->connections, 3);
	assert_string_equal(a->folders[0], "INBOX");
	assert_string_equal(a->folders[1], "[Gmail]/Sent Mail");
	assert_null(a->folders[2]);
	a = config_account(cfg, "local");
	assert_int_equal(a->tls, TLS_NONE);
	assert_int_equal(a->port, 143);
	/* the defaults */
	assert_int_equal(a->max_size, 64 * 1024);
	assert_int_equal(a->connections, 2);
	a = config_account(cfg, "arch");
	assert_int_equal(a->type, ACCOUNT_MBOX);
	assert_true(g_str_has_prefix(a->path, g_get_home_dir()));
	assert_null(config_account(cfg, "nope"));
	config_free(cfg);
}

static void
test_cadence(void **state)
{
	kith_config *cfg = NULL;
	char *err = NULL;
	kith_role r;

	assert_int_equal(load("[cadence]\nmentor = 30\nrole-model = 200\n[remind]\n"
		"default_cadence = 120\n", 0600, &cfg, &err), KITH_OK);
	assert_int_equal(config_cadence_for_role(cfg, ROLE_MENTOR), 30);
	assert_int_equal(config_cadence_for_role(cfg, ROLE_ROLE_MODEL), 200);
	assert_int_equal(config_cadence_for_role(cfg, ROLE_NONE), 120);
	assert_true(role_parse("Role-Model", &r));
	assert_int_equal(r, ROLE_ROLE_MODEL);
	assert_false(role_parse("boss", &r));
	assert_string_equal(role_name(ROLE_HUB), "hub");
	config_free(cfg);
}

static void
test_missing_file(void **state)
{
	kith_config *cfg = NULL;
	char *err = NULL;

	assert_int_equal(config_load("/nonexistent/kith/config", &cfg, &err), KITH_E_CONFIG);
	assert_non_null(strstr(err, "/nonexistent/kith/config"));
	g_free(err);
}

static void
test_parse_datetime(void **state)
{
	GDateTime *dt;

	g_setenv("TZ", "UTC", TRUE);
	dt = config_parse_datetime("2026-04-02");
	assert_non_null(dt);
	assert_int_equal(g_date_time_get_day_of_month(dt), 2);
	assert_int_equal(g_date_time_get_hour(dt), 0);
	g_date_time_unref(dt);
	dt = config_parse_datetime("2026-04-02 13:45");
	assert_int_equal(g_date_time_get_minute(dt), 45);
	g_date_time_unref(dt);
	dt = config_parse_datetime("2026-04-02T09:00:00+02:00");
	assert_int_equal(g_date_time_to_unix(dt), 1775113200);
	g_date_time_unref(dt);
	assert_null(config_parse_datetime("tomorrow"));
	assert_null(config_parse_datetime("2026-13-40"));
	assert_null(config_parse_datetime(NULL));
}

/* Which arguments name a global option (the hint for "kith scan -q"). */
static void
test_global_option_names(void **state)
{
	char short_name;
	const char *long_name, *usage;

	(void)state;
	assert_true(options_is_global("-q", &short_name, &long_name, &usage));
	assert_string_equal(long_name, "quiet");
	assert_int_equal(short_name, 'q');
	assert_true(options_is_global("-vv", &short_name, &long_name, &usage));
	assert_string_equal(long_name, "verbose");
	assert_true(options_is_global("--db=x.db", &short_name, &long_name, &usage));
	assert_string_equal(usage, "--db FILE");
	assert_true(options_is_global("--now", &short_name, &long_name, &usage));
	assert_int_equal(short_name, 0);
	assert_false(options_is_global("--nowhere", &short_name, &long_name, &usage));
	assert_false(options_is_global("--pass", &short_name, &long_name, &usage));
	assert_false(options_is_global("-p", &short_name, &long_name, &usage));
	assert_false(options_is_global("-", &short_name, &long_name, &usage));
	assert_false(options_is_global("--", &short_name, &long_name, &usage));
	assert_false(options_is_global("quiet", &short_name, &long_name, &usage));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_defaults),
		cmocka_unit_test(test_identity),
		cmocka_unit_test(test_store_paths),
		cmocka_unit_test(test_bad_values),
		cmocka_unit_test(test_password_refused_when_readable),
		cmocka_unit_test(test_account),
		cmocka_unit_test(test_cadence),
		cmocka_unit_test(test_missing_file),
		cmocka_unit_test(test_parse_datetime),
		cmocka_unit_test(test_global_option_names),
	};
	int rc;

	log_set_verbosity(-1);
	tmpdir = g_dir_make_tmp("kith-config-XXXXXX", NULL);
	rc = cmocka_run_group_tests(tests, NULL, NULL);
	{
		char *cmd = g_strdup_printf("rm -rf '%s'", tmpdir);

		if (system(cmd) != 0)
			rc = 1;
		g_free(cmd);
	}
	g_free(tmpdir);
	return rc;
}
