/*
 * imap.h - a small read-only IMAP client over libetpan, for scanning.
 *
 * Connects (IMAPS, STARTTLS, or plain only to a loopback address unless
 * the account says tls_force_none), verifies the server certificate with
 * tls.h before any credential is sent, logs in (LOGIN, AUTHENTICATE PLAIN,
 * XOAUTH2), lists folders, opens them with EXAMINE (read-only) and fetches
 * messages by UID with BODY.PEEK, so scanning never changes a flag.
 *
 * Errors (kith_status): unknown host KITH_E_NOHOST; connection refused
 * KITH_E_UNAVAILABLE; TLS and protocol failures KITH_E_PROTOCOL; rejected
 * credentials KITH_E_NOPERM ("authentication failed for USER at HOST");
 * a password command that fails KITH_E_CONFIG; timeouts and dropped
 * connections KITH_E_TEMPFAIL.  Passwords and tokens never appear in a
 * message or a log line, and libetpan's protocol logging stays off.
 *
 * Ownership: a kith_imap owns its libetpan session and borrows the account,
 * which must outlive it.  Returned arrays and messages are new and owned by
 * the caller.  One session per thread.
 */
#ifndef KITH_IMAP_H
#define KITH_IMAP_H

#include <glib.h>

#include "config.h"
#include "kith.h"

#define IMAP_TIMEOUT_SECONDS 60

typedef struct kith_imap kith_imap;

typedef struct {
	char *name;        /* as the server spells it (modified UTF-7) */
	gboolean sent;     /* \Sent special-use, or a well-known Sent name */
} imap_folder;

typedef struct {
	guint32 uidvalidity;
	guint32 uidnext;       /* 0 when the server did not say */
	guint64 highestmodseq; /* 0 without CONDSTORE */
	guint32 exists;
} imap_mailbox_info;

typedef struct {
	guint32 uid;
	guint32 size;          /* RFC822.SIZE */
} imap_uid_size;

typedef struct {
	guint32 uid;
	char *data;            /* the raw message (or headers + text parts) */
	gsize len;
	gboolean partial;      /* larger than max_size: headers + text parts, and
	                          stubs for the rest (MESSAGE_PARSE_PARTIAL) */
	gboolean data_etpan;   /* data is libetpan's own buffer (no copy) */
} imap_message;

void imap_folder_free(imap_folder *folder);
/* Frees the message and its data, whoever allocated it. */
void imap_message_free(imap_message *msg);
/* Frees only the data (data NULL, len 0), e.g. once it has been parsed. */
void imap_message_drop_data(imap_message *msg);

/*
 * Connects, verifies TLS and logs in with the account's credentials:
 * `password`, else the output of `passcmd`, else $KITH_PASSWORD (for
 * auth = xoauth2 the secret is the access token).  *out is freed with
 * imap_close().
 */
kith_status imap_connect(const kith_account *acct, kith_imap **out,
	char **errstr);
/* Logs out (best effort) and frees. */
void imap_close(kith_imap *imap);

/*
 * A further session to the same server with the same credentials (the
 * password command is not run again) and the same stop check, not yet
 * connected and with no folder open: a new kith_imap, freed with
 * imap_close().  `imap` is only read, in the calling thread.
 */
kith_imap *imap_new_like(const kith_imap *imap);
/*
 * Connects and logs in a session made by imap_new_like (nothing when it
 * is connected), in the thread that is to use it; errors as
 * imap_connect's.
 */
kith_status imap_open_session(kith_imap *imap, char **errstr);
/*
 * A function polled before reconnecting or retrying (e.g.
 * source_stop_requested): once it returns TRUE, imap_fetch gives up with
 * KITH_E_INTERRUPTED instead of reconnecting.  NULL: never.
 */
void imap_set_stop_check(kith_imap *imap, gboolean (*stop)(void));

/* "user@host:port", for messages (borrowed). */
const char *imap_where(const kith_imap *imap);

/*
 * The folders to scan for the account: its `folders` list; or, when NULL,
 * INBOX and the Sent folder (\Sent special-use, else a well-known name);
 * or, for {"*"}, every selectable folder.  New GPtrArray of imap_folder*
 * (free function set).
 */
kith_status imap_folders(kith_imap *imap, GPtrArray **out, char **errstr);

/* Opens `folder` read-only (EXAMINE, with CONDSTORE when offered). */
kith_status imap_examine(kith_imap *imap, const char *folder,
	imap_mailbox_info *info, char **errstr);

/*
 * The UIDs above `last_uid` in the open folder with their sizes, ascending:
 * a new GArray of imap_uid_size.
 */
kith_status imap_list_uids(kith_imap *imap, guint32 last_uid, GArray **out,
	char **errstr);

/*
 * Fetches the messages `uids[0..n)` of the open folder (BODY.PEEK, never
 * setting \Seen).  Messages larger than the account's max_size are fetched
 * as headers plus their text parts, with a stub of each other part (its
 * type, name and size from BODYSTRUCTURE, no content), in the form
 * MESSAGE_PARSE_PARTIAL describes (message.h); a call fetches all of them
 * in one command for their structures and headers and one for each set
 * of text-part sections they have.  *out is a new GPtrArray of
 * imap_message* in UID order; UIDs that no longer exist are absent.  On a
 * parse or stream error the connection is re-established, the folder
 * re-opened and the batch retried one UID at a time; a message that still
 * fails is logged and left out (its UID is added to *skipped when not NULL).
 * Fails only when the server cannot be reached again, or with
 * KITH_E_INTERRUPTED when the stop check says so.  Whole messages are
 * fetched with a partial fetch capped at max_size, so a server that
 * understates RFC822.SIZE cannot make kith read an unbounded message.
 *
 * A call's commands are all sent before their replies are read, and when
 * `next` (n `next_n`, may be NULL) is given, the commands for those UIDs go
 * out before the last replies of this call are read: the next call, for
 * exactly those UIDs, finds its replies on their way.  Commands of
 * libetpan's own (EXAMINE, LOGOUT) first wait out a batch sent ahead.
 */
kith_status imap_fetch(kith_imap *imap, const imap_uid_size *uids, guint n,
	const imap_uid_size *next, guint next_n, GPtrArray **out,
	GArray *skipped, char **errstr);

/*
 * Reads the secret for `acct` (password, passcmd or $KITH_PASSWORD) into
 * *out (new string; the caller wipes and frees it).  KITH_E_CONFIG when the
 * command fails or prints nothing, KITH_E_NOPERM when there is no secret.
 */
kith_status imap_get_secret(const kith_account *acct, char **out,
	char **errstr);

#endif
