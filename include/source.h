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

/* What the items a pipeline prepared ahead may hold at most. */
#define SOURCE_PIPE_BYTES (8 * 1024 * 1024)

/* Messages fetched together (IMAP UID FETCH). */
#define SOURCE_BATCH 100
/* Messages recorded in one transaction at most, with the source's state,
 * and seconds between commits at most.  Each commit writes every page the
 * transaction changed (mostly index pages spread all over the file), so
 * fewer, larger ones cost far less; an interrupted scan redoes at most
 * this much work. */
#define SOURCE_COMMIT 5000
#define SOURCE_COMMIT_SECONDS 2

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

/*
 * An ordered pipeline over items 0..n-1 (a maildir's files, an IMAP
 * folder's messages): worker threads, one per core and at most 4, run
 * `prepare(i, data)` ahead of the calling thread, which takes the items in
 * order (source_pipe_take) and hands each back when it is done with it
 * (source_pipe_done).  `release(i, data)` then runs in the thread that
 * prepared item i, so what a worker allocated goes back to that worker's
 * malloc arena instead of contending for it.  No item is begun more than
 * `ahead` past the last one handed back, nor while the items prepared and
 * not yet handed back hold SOURCE_PIPE_BYTES (as prepare() counts them),
 * and a worker releases what was handed back before it begins another,
 * which bounds memory.  There is one
 * thread a core: the workers, and the taker, which while the item it needs
 * is not ready prepares the next one no worker has begun instead of
 * sleeping.  Sleeping workers are woken in batches, not once per item.
 *
 * On a single core there are no workers: take() prepares in the calling
 * thread and done() releases there.  The taker takes only supplied items.
 * Every prepared item is released by the time source_pipe_free() returns,
 * taken or not.
 */
typedef struct source_pipe source_pipe;
typedef void (*source_pipe_fn)(guint i, gpointer data);
/* Prepares item i; returns about how many bytes of memory it holds until
 * it is released. */
typedef gsize (*source_pipe_prepare_fn)(guint i, gpointer data);

source_pipe *source_pipe_new(guint n, guint ahead, source_pipe_prepare_fn prepare,
	source_pipe_fn release, gpointer data);
/* The same, with no item ready yet: items become ready to prepare as a
 * producer (IMAP's fetching thread) says so with source_pipe_supply(); n
 * is then an upper bound. */
source_pipe *source_pipe_new_supplied(guint n, guint ahead,
	source_pipe_prepare_fn prepare, source_pipe_fn release, gpointer data);
/* Items 0..upto-1 are ready to prepare (any thread; upto only grows). */
void source_pipe_supply(source_pipe *p, guint upto);
/* Waits for item i, the one after the last taken, to be prepared. */
void source_pipe_take(source_pipe *p, guint i);
/* The caller is done with item i, the last taken. */
void source_pipe_done(source_pipe *p, guint i);
/* Stops the workers (items not yet begun are never prepared) and waits. */
void source_pipe_free(source_pipe *p);

/* The messages of the open transaction: when to commit it. */
typedef struct {
	guint count;    /* recorded since the last commit */
	gint64 since;   /* monotonic time of the first of them */
} source_batch;

/* Counts `n` more recorded messages; TRUE when the transaction should be
 * committed now (SOURCE_COMMIT messages, or SOURCE_COMMIT_SECONDS since
 * the first). */
gboolean source_batch_due(source_batch *b, guint n);
/* The transaction was committed: a new batch begins. */
void source_batch_committed(source_batch *b);

/* Progress on a terminal: `done` of `total` (0: unknown) in `where`. */
void source_progress(const char *where, guint64 done, guint64 total);
void source_progress_end(void);

#endif
