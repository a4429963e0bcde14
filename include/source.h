/*
 * source.h - where messages come from, behind one table of functions:
 * maildir (source_maildir.c), mbox (source_mbox.c), IMAP (source_imap.c).
 * A source reads its messages and feeds them to an ingest, committing the
 * store and its own scan state together after each batch, so an
 * interrupted scan resumes where it stopped with nothing lost or doubled.
 * Sources never change the mailbox: no renames, no flags, BODY.PEEK.
 */
#ifndef KITH_SOURCE_H
#define KITH_SOURCE_H

#include <glib.h>

#include "config.h"
#include "ingest.h"
#include "kith.h"

/* Messages fetched together (IMAP UID FETCH). */
#define SOURCE_BATCH 100
/* Messages recorded in one transaction, with the source's state.  Each
 * commit writes every page the transaction changed (mostly index pages
 * spread all over the file), so fewer, larger ones cost far less; an
 * interrupted scan redoes at most this many.  A multiple of SOURCE_BATCH. */
#define SOURCE_COMMIT 1000

typedef struct {
	const char *kind;  /* "maildir", "mbox", "imap" */
	/*
	 * Scans `acct` into `ing`.  Returns KITH_OK when every message was
	 * seen (bad messages are logged and skipped); KITH_E_INTERRUPTED when
	 * source_stop_requested() became true (state saved up to the last
	 * batch); other statuses for failures of the source itself.
	 */
	kith_status (*scan)(const kith_account *acct, kith_ingest *ing,
		char **errstr);
} source_ops;

extern const source_ops source_maildir_ops;
extern const source_ops source_mbox_ops;
extern const source_ops source_imap_ops;

/* The ops for an account type. */
const source_ops *source_for_type(account_type type);

/* Set by SIGINT/SIGTERM during a scan; sources check it between batches. */
gboolean source_stop_requested(void);
void source_install_stop_handlers(void);

/* Workers that prepare messages (ingest_prepare) while the calling thread
 * records them: one per core, at most 4, running `func(item, data)`.
 * NULL on a single core, where the caller prepares each message itself. */
GThreadPool *source_prepare_pool_new(GFunc func, gpointer data);

/* Progress on a terminal: `done` of `total` (0: unknown) in `where`. */
void source_progress(const char *where, guint64 done, guint64 total);
void source_progress_end(void);

#endif
