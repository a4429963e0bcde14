/*
 * config.h - the configuration: the config file (GKeyFile INI, documented
 * in kith.conf(5)) overlaid with the global command-line options.  This is
 * the only state shared across stages; it is built once in main and read
 * (never written) by everything else.
 *
 * A kith_config owns every string and array it points to; config_free()
 * releases them all.
 */
#ifndef KITH_CONFIG_H
#define KITH_CONFIG_H

#include <glib.h>

#include "kith.h"

typedef enum {
	ROLE_NONE = 0,
	ROLE_CHALLENGER,
	ROLE_EXPERT,
	ROLE_HUB,
	ROLE_MENTOR,
	ROLE_PROMOTER,
	ROLE_ROLE_MODEL,
	ROLE_COUNT
} kith_role;

/* "challenger", ..., "role-model", "none". */
const char *role_name(kith_role role);
/* Parses a role name; returns FALSE when unknown. */
gboolean role_parse(const char *name, kith_role *out);

typedef enum { ACCOUNT_IMAP, ACCOUNT_MAILDIR, ACCOUNT_MBOX } account_type;
typedef enum { TLS_IMAPS, TLS_STARTTLS, TLS_NONE } account_tls;
typedef enum { AUTH_LOGIN, AUTH_PLAIN, AUTH_XOAUTH2 } account_auth;

/*
 * An IMAP account's max_size when it sets none.  Past this a message is
 * read as its header and text parts, its attachments only by name, type
 * and size: kith never needs their content, and in most mailboxes they
 * are nine tenths of the bytes.  Mail without attachments is rarely this
 * large, and fetching the structure first costs a round trip shared by a
 * whole batch.
 */
#define ACCOUNT_MAX_SIZE_DEFAULT (64 * 1024)

/*
 * IMAP sessions that fetch a folder's new mail in turn, when it has more
 * than a few batches of it.  The server reads, and encrypts, each
 * session's messages in a process of its own, so two keep it busy while
 * kith parses; servers allow ten or more per user.
 */
#define ACCOUNT_CONNECTIONS_DEFAULT 2
#define ACCOUNT_CONNECTIONS_MAX 4

typedef struct {
	char *name;            /* the NAME of [account NAME] */
	account_type type;
	/* imap */
	char *host;
	int port;              /* 0: the default for `tls` */
	account_tls tls;
	gboolean tls_verify;   /* default TRUE */
	gboolean tls_force_none; /* allow tls=none on a non-loopback host */
	char *user;
	account_auth auth;
	char *passcmd;         /* argv-split, run without a shell */
	char *password;        /* only when the file is private (0600) */
	char **folders;        /* NULL: INBOX + \Sent; {"*"}: all */
	char *cafile;
	char *fingerprint;     /* SHA-256, hex with or without colons */
	gint64 max_size;       /* bytes; larger messages: headers + text only;
	                        * ACCOUNT_MAX_SIZE_DEFAULT */
	int connections;       /* sessions a large folder is fetched over,
	                        * 1..ACCOUNT_CONNECTIONS_MAX */
	/* maildir, mbox */
	char *path;
} kith_account;

typedef enum { DATE_ORDER_MDY, DATE_ORDER_DMY } date_order;

typedef struct {
	char *path;            /* the file read, or NULL when none existed */
	char *db_path;         /* [store] db, or --db, or the XDG default */
	char *spool_dir;       /* [store] spool, or DB.spool */
	gboolean spool_explicit; /* spool_dir came from the file */
	int drain_linger;      /* [store] drain_linger: seconds the background
	                        * drainer waits for more mail; 5 */
	GPtrArray *my_addresses;  /* char*, lowercased; [identity] addresses + --me */
	GPtrArray *my_patterns;   /* char*, lowercased globs; [identity] aliases */
	GPtrArray *accounts;      /* kith_account* */

	/* [detect] */
	date_order date_order;    /* how "4/2" reads; default mdy */
	int default_due_days;     /* reminders for items without a due date; 7 */
	char *rules_dir;          /* shipped rules; NULL: paths_system_rules_dir() */
	char *user_rules_dir;     /* NULL: paths_user_rules_dir() */

	/* [remind] */
	int unanswered_days;      /* business days; default 3 */
	int default_cadence;      /* days; default 90 */
	int role_cadence[ROLE_COUNT];

	/* [digest] */
	char *digest_from;
	char *digest_to;
	char *sendmail;           /* default "/usr/sbin/sendmail -t -i" */

	/* [sendmail] */
	char *sendmail_command;   /* the real sendmail behind `kith sendmail`
	                             (argv-split, no shell); default
	                             "/usr/sbin/sendmail" */

	/* run time */
	GDateTime *now;           /* --now, else the current local time */
	int verbosity;            /* -1 quiet .. 2 debug */
} kith_config;

/*
 * Reads `path` (NULL: the XDG default, which may be absent).  A file named
 * explicitly must exist.  Unknown keys are warnings; bad values are errors
 * (KITH_E_CONFIG, message "FILE: [group] key: why").  A `password` in a file
 * readable by group or others is refused with KITH_E_CONFIG.
 * On success *out is a new config the caller frees with config_free().
 */
kith_status config_load(const char *path, kith_config **out, char **errstr);
void config_free(kith_config *cfg);

/* Adds an identity address (from --me). */
void config_add_me(kith_config *cfg, const char *address);
/* Replaces `now` (from --now); takes a new reference to `now`. */
void config_set_now(kith_config *cfg, GDateTime *now);
/* Replaces the store path (from --db); the spool follows unless set in the file. */
void config_set_db(kith_config *cfg, const char *db_path);

/* TRUE when `address` (any case) is one of my identities or aliases. */
gboolean config_is_me(const kith_config *cfg, const char *address);

/* The account named `name`, or NULL. */
const kith_account *config_account(const kith_config *cfg, const char *name);

/* The reconnect cadence in days for a role. */
int config_cadence_for_role(const kith_config *cfg, kith_role role);

/*
 * Parses a --now / --date value: "YYYY-MM-DD", "YYYY-MM-DD HH:MM[:SS]",
 * or ISO 8601 with a zone ("2026-04-02T09:00:00+02:00").
 * Dates without a zone are local time.  Returns NULL when unparseable.
 */
GDateTime *config_parse_datetime(const char *text);

#endif
