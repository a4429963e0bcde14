/* config.c - the config file (GKeyFile) and the run-time overrides. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>

#include "config.h"
#include "log.h"
#include "paths.h"

static const char *const role_names[ROLE_COUNT] = {
	"none", "challenger", "expert", "hub", "mentor", "promoter", "role-model",
};

/* Default reconnect cadences in days, by role: people who shape a career
 * (mentors, role models) are worth more frequent contact than experts
 * consulted now and then. */
static const int role_default_cadence[ROLE_COUNT] = {
	0 /* none: default_cadence */, 60, 120, 60, 45, 60, 90,
};

const char *
role_name(kith_role role)
{
	if ((int)role < 0 || role >= ROLE_COUNT)
		return "none";
	return role_names[role];
}

gboolean
role_parse(const char *name, kith_role *out)
{
	for (int i = 0; i < ROLE_COUNT; i++) {
		if (g_ascii_strcasecmp(name, role_names[i]) == 0 ||
		    (i == ROLE_ROLE_MODEL && g_ascii_strcasecmp(name, "rolemodel") == 0)) {
			*out = (kith_role)i;
			return TRUE;
		}
	}
	return FALSE;
}

static void
account_free(gpointer p)
{
	kith_account *a = p;

	if (a == NULL)
		return;
	g_free(a->name);
	g_free(a->host);
	g_free(a->user);
	g_free(a->passcmd);
	if (a->password != NULL) {
		/* Do not leave the secret in freed memory (core files). */
		memset(a->password, 0, strlen(a->password));
		g_free(a->password);
	}
	g_strfreev(a->folders);
	g_free(a->cafile);
	g_free(a->fingerprint);
	g_free(a->path);
	g_free(a);
}

static kith_config *
config_new_defaults(void)
{
	kith_config *cfg = g_new0(kith_config, 1);

	cfg->db_path = paths_default_db();
	cfg->spool_dir = paths_spool_for_db(cfg->db_path);
	cfg->my_addresses = g_ptr_array_new_with_free_func(g_free);
	cfg->my_patterns = g_ptr_array_new_with_free_func(g_free);
	cfg->accounts = g_ptr_array_new_with_free_func(account_free);
	cfg->date_order = DATE_ORDER_MDY;
	cfg->drain_linger = 5;
	cfg->default_due_days = 7;
	cfg->unanswered_days = 3;
	cfg->default_cadence = 90;
	for (int i = 0; i < ROLE_COUNT; i++)
		cfg->role_cadence[i] = role_default_cadence[i];
	cfg->sendmail = g_strdup("/usr/sbin/sendmail -t -i");
	cfg->sendmail_command = g_strdup("/usr/sbin/sendmail");
	cfg->now = g_date_time_new_now_local();
	return cfg;
}

void
config_free(kith_config *cfg)
{
	if (cfg == NULL)
		return;
	g_free(cfg->path);
	g_free(cfg->db_path);
	g_free(cfg->spool_dir);
	g_ptr_array_unref(cfg->my_addresses);
	g_ptr_array_unref(cfg->my_patterns);
	g_ptr_array_unref(cfg->accounts);
	g_free(cfg->rules_dir);
	g_free(cfg->user_rules_dir);
	g_free(cfg->digest_from);
	g_free(cfg->digest_to);
	g_free(cfg->sendmail);
	g_free(cfg->sendmail_command);
	if (cfg->now != NULL)
		g_date_time_unref(cfg->now);
	g_free(cfg);
}

/* "~/x" -> "$HOME/x"; a new string. */
static char *
expand_home(const char *path)
{
	if (path[0] == '~' && (path[1] == '/' || path[1] == '\0'))
		return g_build_filename(g_get_home_dir(), path + 1, NULL);
	return g_strdup(path);
}

/* Splits a list value on ',' ';' and white space; a new vector. */
static char **
split_list(const char *value)
{
	char **parts = g_strsplit_set(value, ",; \t", -1);
	GPtrArray *out = g_ptr_array_new();

	for (char **p = parts; *p != NULL; p++) {
		if (**p != '\0')
			g_ptr_array_add(out, g_strdup(*p));
	}
	g_strfreev(parts);
	g_ptr_array_add(out, NULL);
	return (char **)g_ptr_array_free(out, FALSE);
}

void
config_add_me(kith_config *cfg, const char *address)
{
	char *addr = g_ascii_strdown(address, -1);

	g_strstrip(addr);
	if (*addr == '\0') {
		g_free(addr);
		return;
	}
	if (strpbrk(addr, "*?") != NULL)
		g_ptr_array_add(cfg->my_patterns, addr);
	else
		g_ptr_array_add(cfg->my_addresses, addr);
}

void
config_set_now(kith_config *cfg, GDateTime *now)
{
	if (cfg->now != NULL)
		g_date_time_unref(cfg->now);
	cfg->now = g_date_time_ref(now);
}

void
config_set_db(kith_config *cfg, const char *db_path)
{
	char *old = cfg->db_path;

	cfg->db_path = expand_home(db_path);
	g_free(old);
	if (!cfg->spool_explicit) {
		g_free(cfg->spool_dir);
		cfg->spool_dir = paths_spool_for_db(cfg->db_path);
	}
}

gboolean
config_is_me(const kith_config *cfg, const char *address)
{
	gboolean me = FALSE;
	char *addr;

	if (address == NULL)
		return FALSE;
	addr = g_ascii_strdown(address, -1);
	for (guint i = 0; i < cfg->my_addresses->len && !me; i++)
		me = strcmp(addr, g_ptr_array_index(cfg->my_addresses, i)) == 0;
	for (guint i = 0; i < cfg->my_patterns->len && !me; i++)
		me = g_pattern_match_simple(g_ptr_array_index(cfg->my_patterns, i), addr);
	g_free(addr);
	return me;
}

const kith_account *
config_account(const kith_config *cfg, const char *name)
{
	for (guint i = 0; i < cfg->accounts->len; i++) {
		const kith_account *a = g_ptr_array_index(cfg->accounts, i);

		if (strcmp(a->name, name) == 0)
			return a;
	}
	return NULL;
}

int
config_cadence_for_role(const kith_config *cfg, kith_role role)
{
	if ((int)role <= 0 || role >= ROLE_COUNT || cfg->role_cadence[role] <= 0)
		return cfg->default_cadence;
	return cfg->role_cadence[role];
}

/* --- reading the file ---------------------------------------------------- */

typedef struct {
	GKeyFile *kf;
	const char *file;
	char *err;        /* first error, new string */
} reader;

static void
reader_error(reader *r, const char *group, const char *key, const char *why)
{
	if (r->err == NULL)
		r->err = g_strdup_printf("%s: [%s] %s: %s", r->file, group, key, why);
}

/* The trimmed string value or NULL (new string). */
static char *
read_string(reader *r, const char *group, const char *key)
{
	char *v = g_key_file_get_string(r->kf, group, key, NULL);

	if (v != NULL)
		g_strstrip(v);
	return v;
}

static void
read_int(reader *r, const char *group, const char *key, int min, int max, int *out)
{
	char *v = read_string(r, group, key);
	char *end = NULL;
	gint64 n;

	if (v == NULL)
		return;
	errno = 0;
	n = g_ascii_strtoll(v, &end, 10);
	if (errno != 0 || end == v || *end != '\0' || n < min || n > max) {
		char *why = g_strdup_printf("'%s' is not a number from %d to %d", v, min, max);

		reader_error(r, group, key, why);
		g_free(why);
	} else {
		*out = (int)n;
	}
	g_free(v);
}

static void
read_bool(reader *r, const char *group, const char *key, gboolean *out)
{
	char *v = read_string(r, group, key);

	if (v == NULL)
		return;
	if (g_ascii_strcasecmp(v, "yes") == 0 || g_ascii_strcasecmp(v, "true") == 0 ||
	    strcmp(v, "1") == 0 || g_ascii_strcasecmp(v, "on") == 0)
		*out = TRUE;
	else if (g_ascii_strcasecmp(v, "no") == 0 || g_ascii_strcasecmp(v, "false") == 0 ||
		 strcmp(v, "0") == 0 || g_ascii_strcasecmp(v, "off") == 0)
		*out = FALSE;
	else
		reader_error(r, group, key, "expected yes or no");
	g_free(v);
}

/* A size with an optional K, M or G suffix. */
static void
read_size(reader *r, const char *group, const char *key, gint64 *out)
{
	char *v = read_string(r, group, key);
	char *end = NULL;
	gint64 n, unit = 1;

	if (v == NULL)
		return;
	errno = 0;
	n = g_ascii_strtoll(v, &end, 10);
	if (end != v && n > 0 && errno == 0) {
		switch (g_ascii_toupper(*end)) {
		case 'K': unit = 1024; end++; break;
		case 'M': unit = 1024 * 1024; end++; break;
		case 'G': unit = 1024LL * 1024 * 1024; end++; break;
		}
		if (g_ascii_toupper(*end) == 'B')
			end++;
		/* a size past what fits is not a size */
		n = n > G_MAXINT64 / unit ? 0 : n * unit;
	}
	if (end == v || *end != '\0' || n <= 0 || errno != 0)
		reader_error(r, group, key, "expected a size such as 20M");
	else
		*out = n;
	g_free(v);
}

static gboolean
key_known(const char *key, const char *const *known)
{
	for (; *known != NULL; known++) {
		if (strcmp(key, *known) == 0)
			return TRUE;
	}
	return FALSE;
}

static void
warn_unknown_keys(reader *r, const char *group, const char *const *known)
{
	char **keys = g_key_file_get_keys(r->kf, group, NULL, NULL);

	for (char **k = keys; keys != NULL && *k != NULL; k++) {
		if (!key_known(*k, known))
			log_warn("%s: [%s] %s: unknown key, ignored", r->file, group, *k);
	}
	g_strfreev(keys);
}

static void
read_identity(reader *r, kith_config *cfg)
{
	static const char *const known[] = { "addresses", "aliases", "name", NULL };
	char *v;

	if (!g_key_file_has_group(r->kf, "identity"))
		return;
	warn_unknown_keys(r, "identity", known);
	v = read_string(r, "identity", "addresses");
	if (v != NULL) {
		char **list = split_list(v);

		for (char **p = list; *p != NULL; p++) {
			if (strchr(*p, '@') == NULL)
				reader_error(r, "identity", "addresses", "not an e-mail address");
			config_add_me(cfg, *p);
		}
		g_strfreev(list);
		g_free(v);
	}
	v = read_string(r, "identity", "aliases");
	if (v != NULL) {
		char **list = split_list(v);

		for (char **p = list; *p != NULL; p++)
			g_ptr_array_add(cfg->my_patterns, g_ascii_strdown(*p, -1));
		g_strfreev(list);
		g_free(v);
	}
}

static void
read_store(reader *r, kith_config *cfg)
{
	static const char *const known[] = { "db", "spool", "drain_linger", NULL };
	char *v;

	if (!g_key_file_has_group(r->kf, "store"))
		return;
	warn_unknown_keys(r, "store", known);
	if ((v = read_string(r, "store", "db")) != NULL) {
		config_set_db(cfg, v);
		g_free(v);
	}
	if ((v = read_string(r, "store", "spool")) != NULL) {
		g_free(cfg->spool_dir);
		cfg->spool_dir = expand_home(v);
		cfg->spool_explicit = TRUE;
		g_free(v);
	}
	read_int(r, "store", "drain_linger", 0, 3600, &cfg->drain_linger);
}

static void
read_detect(reader *r, kith_config *cfg)
{
	static const char *const known[] = {
		"date_order", "default_due_days", "rules_dir", "user_rules_dir", NULL,
	};
	char *v;

	if (!g_key_file_has_group(r->kf, "detect"))
		return;
	warn_unknown_keys(r, "detect", known);
	if ((v = read_string(r, "detect", "date_order")) != NULL) {
		if (g_ascii_strcasecmp(v, "mdy") == 0)
			cfg->date_order = DATE_ORDER_MDY;
		else if (g_ascii_strcasecmp(v, "dmy") == 0)
			cfg->date_order = DATE_ORDER_DMY;
		else
			reader_error(r, "detect", "date_order", "expected mdy or dmy");
		g_free(v);
	}
	read_int(r, "detect", "default_due_days", 1, 365, &cfg->default_due_days);
	if ((v = read_string(r, "detect", "rules_dir")) != NULL) {
		cfg->rules_dir = expand_home(v);
		g_free(v);
	}
	if ((v = read_string(r, "detect", "user_rules_dir")) != NULL) {
		cfg->user_rules_dir = expand_home(v);
		g_free(v);
	}
}

static void
read_remind(reader *r, kith_config *cfg)
{
	static const char *const known[] = { "unanswered_days", "default_cadence", NULL };

	if (g_key_file_has_group(r->kf, "remind")) {
		warn_unknown_keys(r, "remind", known);
		read_int(r, "remind", "unanswered_days", 1, 365, &cfg->unanswered_days);
		read_int(r, "remind", "default_cadence", 1, 3650, &cfg->default_cadence);
	}
	if (g_key_file_has_group(r->kf, "cadence")) {
		char **keys = g_key_file_get_keys(r->kf, "cadence", NULL, NULL);

		for (char **k = keys; keys != NULL && *k != NULL; k++) {
			kith_role role;

			if (!role_parse(*k, &role) || role == ROLE_NONE)
				log_warn("%s: [cadence] %s: not a role, ignored", r->file, *k);
			else
				read_int(r, "cadence", *k, 1, 3650, &cfg->role_cadence[role]);
		}
		g_strfreev(keys);
	}
}

static void
read_digest(reader *r, kith_config *cfg)
{
	static const char *const known[] = { "from", "to", "sendmail", NULL };
	char *v;

	if (!g_key_file_has_group(r->kf, "digest"))
		return;
	warn_unknown_keys(r, "digest", known);
	if ((v = read_string(r, "digest", "from")) != NULL) {
		g_free(cfg->digest_from);
		cfg->digest_from = v;
	}
	if ((v = read_string(r, "digest", "to")) != NULL) {
		g_free(cfg->digest_to);
		cfg->digest_to = v;
	}
	if ((v = read_string(r, "digest", "sendmail")) != NULL) {
		g_free(cfg->sendmail);
		cfg->sendmail = v;
	}
}

static void
read_sendmail(reader *r, kith_config *cfg)
{
	static const char *const known[] = { "command", NULL };
	char *v;

	if (!g_key_file_has_group(r->kf, "sendmail"))
		return;
	warn_unknown_keys(r, "sendmail", known);
	if ((v = read_string(r, "sendmail", "command")) != NULL) {
		if (*v == '\0') {
			reader_error(r, "sendmail", "command", "empty");
			g_free(v);
			return;
		}
		g_free(cfg->sendmail_command);
		cfg->sendmail_command = v;
	}
}

static gboolean
host_is_loopback(const char *host)
{
	return host != NULL && (strcmp(host, "127.0.0.1") == 0 ||
		strcmp(host, "::1") == 0 || strcmp(host, "localhost") == 0);
}

static void
read_account_imap(reader *r, const char *group, kith_account *a, gboolean file_private)
{
	char *v;

	a->host = read_string(r, group, "host");
	if (a->host == NULL || *a->host == '\0')
		reader_error(r, group, "host", "an IMAP account needs a host");
	a->tls = TLS_IMAPS;
	if ((v = read_string(r, group, "tls")) != NULL) {
		if (strcmp(v, "imaps") == 0 || strcmp(v, "tls") == 0)
			a->tls = TLS_IMAPS;
		else if (strcmp(v, "starttls") == 0)
			a->tls = TLS_STARTTLS;
		else if (strcmp(v, "none") == 0)
			a->tls = TLS_NONE;
		else
			reader_error(r, group, "tls", "expected imaps, starttls or none");
		g_free(v);
	}
	read_bool(r, group, "tls_force_none", &a->tls_force_none);
	if (a->tls == TLS_NONE && !host_is_loopback(a->host) && !a->tls_force_none)
		reader_error(r, group, "tls",
			"none sends the password in clear; it is allowed only for "
			"127.0.0.1 or ::1 unless tls_force_none = yes");
	read_int(r, group, "port", 1, 65535, &a->port);
	if (a->port == 0)
		a->port = a->tls == TLS_IMAPS ? 993 : 143;
	read_bool(r, group, "tls_verify", &a->tls_verify);
	a->user = read_string(r, group, "user");
	if (a->user == NULL)
		reader_error(r, group, "user", "an IMAP account needs a user");
	a->auth = AUTH_LOGIN;
	if ((v = read_string(r, group, "auth")) != NULL) {
		if (strcmp(v, "login") == 0)
			a->auth = AUTH_LOGIN;
		else if (strcmp(v, "plain") == 0)
			a->auth = AUTH_PLAIN;
		else if (strcmp(v, "xoauth2") == 0)
			a->auth = AUTH_XOAUTH2;
		else
			reader_error(r, group, "auth", "expected login, plain or xoauth2");
		g_free(v);
	}
	a->passcmd = read_string(r, group, "passcmd");
	a->password = g_key_file_get_string(r->kf, group, "password", NULL);
	/* The config now holds a secret: no core file may carry it. */
	if (a->password != NULL)
		(void)prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
	if (a->password != NULL && !file_private)
		reader_error(r, group, "password",
			"refused: the file is readable by group or others; "
			"run 'chmod 600' on it, or use passcmd instead");
	/* Neither: the password comes from $KITH_PASSWORD when the scan
	 * runs, and the scan says so if it is not set. */
	if ((v = read_string(r, group, "folders")) != NULL) {
		/* Commas only: folder names have spaces ("Sent Items"). */
		char **parts = g_strsplit(v, ",", -1);
		GPtrArray *list = g_ptr_array_new();

		for (char **p = parts; *p != NULL; p++) {
			g_strstrip(*p);
			if (**p != '\0')
				g_ptr_array_add(list, g_strdup(*p));
		}
		g_ptr_array_add(list, NULL);
		a->folders = (char **)g_ptr_array_free(list, FALSE);
		g_strfreev(parts);
		g_free(v);
	}
	a->cafile = read_string(r, group, "cafile");
	if (a->cafile != NULL) {
		char *p = expand_home(a->cafile);

		g_free(a->cafile);
		a->cafile = p;
	}
	a->fingerprint = read_string(r, group, "fingerprint");
	read_size(r, group, "max_size", &a->max_size);
	read_int(r, group, "connections", 1, ACCOUNT_CONNECTIONS_MAX, &a->connections);
}

static void
read_account(reader *r, kith_config *cfg, const char *group, gboolean file_private)
{
	static const char *const known[] = {
		"type", "host", "port", "tls", "tls_verify", "tls_force_none", "user",
		"auth", "passcmd", "password", "folders", "cafile", "fingerprint",
		"max_size", "connections", "path", NULL,
	};
	kith_account *a = g_new0(kith_account, 1);
	char *type;

	a->name = g_strdup(group + strlen("account "));
	g_strstrip(a->name);
	a->tls_verify = TRUE;
	a->max_size = ACCOUNT_MAX_SIZE_DEFAULT;
	a->connections = ACCOUNT_CONNECTIONS_DEFAULT;
	warn_unknown_keys(r, group, known);
	type = read_string(r, group, "type");
	if (type == NULL || strcmp(type, "imap") == 0) {
		a->type = ACCOUNT_IMAP;
		read_account_imap(r, group, a, file_private);
	} else if (strcmp(type, "maildir") == 0 || strcmp(type, "mbox") == 0) {
		char *path = read_string(r, group, "path");

		a->type = strcmp(type, "maildir") == 0 ? ACCOUNT_MAILDIR : ACCOUNT_MBOX;
		if (path == NULL)
			reader_error(r, group, "path", "a maildir or mbox account needs a path");
		else
			a->path = expand_home(path);
		g_free(path);
	} else {
		reader_error(r, group, "type", "expected imap, maildir or mbox");
	}
	if (*a->name == '\0')
		reader_error(r, group, "type", "an account needs a name: [account NAME]");
	if (config_account(cfg, a->name) != NULL)
		reader_error(r, group, "type", "a second account with this name");
	g_free(type);
	g_ptr_array_add(cfg->accounts, a);
}

static kith_status
config_read_file(kith_config *cfg, const char *path, char **errstr)
{
	static const char *const groups[] = {
		"identity", "store", "detect", "remind", "cadence", "digest",
		"sendmail", NULL,
	};
	reader r = { g_key_file_new(), path, NULL };
	GError *gerr = NULL;
	struct stat st;
	char **names = NULL;
	kith_status status = KITH_OK;
	gboolean file_private;

	if (stat(path, &st) != 0) {
		status = kith_fail(errstr, KITH_E_CONFIG, "cannot read config %s: %s",
			path, g_strerror(errno));
		goto out;
	}
	file_private = (st.st_mode & 077) == 0;
	if (!g_key_file_load_from_file(r.kf, path, G_KEY_FILE_NONE, &gerr)) {
		status = kith_fail(errstr, KITH_E_CONFIG, "%s: %s", path, gerr->message);
		goto out;
	}
	names = g_key_file_get_groups(r.kf, NULL);
	for (char **g = names; *g != NULL; g++) {
		if (g_str_has_prefix(*g, "account "))
			read_account(&r, cfg, *g, file_private);
		else if (!key_known(*g, groups))
			log_warn("%s: [%s]: unknown section, ignored", path, *g);
	}
	read_identity(&r, cfg);
	read_store(&r, cfg);
	read_detect(&r, cfg);
	read_remind(&r, cfg);
	read_digest(&r, cfg);
	read_sendmail(&r, cfg);
	if (r.err != NULL) {
		status = kith_fail(errstr, KITH_E_CONFIG, "%s", r.err);
		goto out;
	}
	cfg->path = g_strdup(path);
out:
	g_strfreev(names);
	g_free(r.err);
	g_clear_error(&gerr);
	g_key_file_free(r.kf);
	return status;
}

kith_status
config_load(const char *path, kith_config **out, char **errstr)
{
	kith_config *cfg = config_new_defaults();
	char *file = path != NULL ? expand_home(path) : paths_default_config();
	kith_status status = KITH_OK;

	if (path != NULL || g_file_test(file, G_FILE_TEST_EXISTS)) {
		status = config_read_file(cfg, file, errstr);
		if (status != KITH_OK)
			goto out;
	}
	*out = cfg;
	cfg = NULL;
out:
	g_free(file);
	config_free(cfg);
	return status;
}

GDateTime *
config_parse_datetime(const char *text)
{
	GDateTime *dt = NULL;
	GTimeZone *local = NULL;
	int y, mo, d, h = 0, mi = 0, s = 0;
	char tail;

	if (text == NULL)
		return NULL;
	local = g_time_zone_new_local();
	dt = g_date_time_new_from_iso8601(text, local);
	if (dt != NULL)
		goto out;
	if (sscanf(text, "%d-%d-%d %d:%d:%d%c", &y, &mo, &d, &h, &mi, &s, &tail) == 6 ||
	    sscanf(text, "%d-%d-%d %d:%d%c", &y, &mo, &d, &h, &mi, &tail) == 5 ||
	    sscanf(text, "%d-%d-%d%c", &y, &mo, &d, &tail) == 3) {
		dt = g_date_time_new(local, y, mo, d, h, mi, s);
		goto out;
	}
out:
	g_time_zone_unref(local);
	return dt;
}
