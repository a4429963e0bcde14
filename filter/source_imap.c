/*
 * source_imap.c - IMAP folders (imap.h), read-only.  The scan state of a
 * folder is (UIDVALIDITY, the highest UID recorded), kept under the source
 * "imap://USER@HOST:PORT" so the same mailbox reached through a configured
 * account or --imap shares it.  Each batch of SOURCE_BATCH messages of a
 * folder is fetched first, then ingested together with the folder's new
 * state; batches are committed together when the batch is due
 * (source_batch_due), and before waiting for the next one, so the store
 * is never locked while waiting on the network and an interrupted scan
 * resumes after the last commit.
 * A changed UIDVALIDITY rescans the folder from the start; the store's
 * Message-ID key keeps that rescan free of duplicates.
 */
#include <string.h>

#include "imap.h"
#include "log.h"
#include "message.h"
#include "source.h"
#include "store.h"

typedef struct {
	const kith_account *acct;  /* borrowed */
	kith_ingest *ing;          /* borrowed */
	kith_imap *imap;           /* owned: the first session */
	const char *open;          /* the folder open on it (borrowed), or NULL */
	char *source;              /* "imap://user@host:port" */
} imap_scan;

/* The state key of an account's mailbox (new string). */
static char *
source_key(const kith_account *acct)
{
	int port = acct->port > 0 ? acct->port : (acct->tls == TLS_IMAPS ? 993 : 143);
	char *host = g_ascii_strdown(acct->host != NULL ? acct->host : "", -1);
	char *key = g_strdup_printf("imap://%s@%s:%d", acct->user ? acct->user : "",
		host, port);

	g_free(host);
	return key;
}

/* What recording UID `uid` came to: a message that cannot be parsed
 * (KITH_E_DATA) is logged and skipped, never fatal; any other failure
 * becomes the scan's, with `err`'s text in *errstr. */
static kith_status
uid_outcome(const imap_scan *scan, const char *folder, guint32 uid,
	kith_status status, const char *err, char **errstr)
{
	if (status == KITH_E_DATA) {
		log_warn("%s: %s: UID %u: %s; skipped", imap_where(scan->imap),
			folder, uid, err);
		return KITH_OK;
	}
	if (status != KITH_OK)
		kith_fail(errstr, status, "%s", err);
	return status;
}

/*
 * The pipeline of an account's scan.  The first session examines each
 * folder and lists its new UIDs; then the new mail of every folder is
 * fetched, prepared and recorded as one sequence, folder after folder, so
 * the cores do not idle while one folder's last messages are recorded
 * and the next folder is opened, listed and fetched.  A batch holds UIDs
 * of one folder.  Fetching threads, one per session (one, or up to the
 * account's `connections` when there are more than a few batches of new
 * mail), each own their IMAP session while the account is read and fetch
 * the batches in turn: batch k is fetched by fetcher k % n, which first
 * opens the batch's folder (EXAMINE) when its session has another open.
 * Fetched messages are supplied, in order, to the workers of a
 * source_pipe (source.h), which parse them and run the detector
 * (ingest_prepare: no store), so fetching, preparing and recording
 * overlap.  The scanning thread records the prepared messages in order,
 * each batch with its folder's state.  A batch is not begun more than
 * FETCH_AHEAD batches a fetcher past the last one recorded, which bounds
 * memory.  Slot k is pipeline item k and holds the message of uids[k], or
 * nothing when the server no longer has it.
 */
#define FETCH_AHEAD 2
/* Messages prepared ahead of the one being recorded.  The recording
 * thread stalls now and then (a commit, a checkpoint) while the server
 * keeps sending: with 32 the worker soon ran out of room and the cores
 * idled until the recorder caught up; 128 (about a batch and a quarter)
 * made full scans a tenth faster, and more gained nothing. */
#define PREPARE_AHEAD 128
/* Mail is fetched over more than one session only past this many
 * batches: a second login costs more than it saves on fewer. */
#define FETCH_PARALLEL_BATCHES 4

/* A folder with new mail, as the first session listed it. */
typedef struct {
	const imap_folder *folder;  /* borrowed from the scan's folder list */
	store_scan_state state;     /* owned; advanced batch by batch */
	guint64 modseq;             /* its HIGHESTMODSEQ when examined */
	guint first, n;             /* its new UIDs: uids[first .. first + n) */
} listed_folder;

/* Batch k: uids[off .. off + n), all of folder `folder`. */
typedef struct {
	guint folder;          /* index in the listed folders */
	guint off, n;
} batch_plan;

typedef struct {
	imap_message *msg;     /* owned by its batch's `msgs`; NULL: none */
	ingest_prepared prep;
} slot;

typedef struct {
	const batch_plan *plan;  /* borrowed: the batch this is */
	GPtrArray *msgs;       /* imap_message*, NULL when the fetch failed */
	kith_status status;    /* of the fetch */
	char *err;
} fetched;

typedef struct pipeline pipeline;

typedef struct {
	pipeline *pl;
	kith_imap *imap;       /* used by this thread only, meanwhile */
	const char *open;      /* the folder open on it (borrowed), or NULL */
	guint index;           /* fetches batches index, index + n, ... */
	GAsyncQueue *queue;    /* fetched*, in order, to the scanning thread */
	GThread *thread;
} fetcher;

struct pipeline {
	kith_ingest *ing;
	const listed_folder *folders;  /* borrowed */
	GArray *uids;          /* borrowed: imap_uid_size, folder after folder */
	const batch_plan *plan;  /* borrowed: one per batch */
	guint batches;
	slot *slots;           /* one per UID */
	source_pipe *pipe;     /* prepares the slots */
	fetcher *fetchers;
	guint n_fetchers;
	GMutex lock;
	GCond changed;         /* a batch was recorded, or cancel */
	guint recorded;        /* batches recorded */
	gboolean *ready;       /* per batch: fetched, slots filled */
	guint supplied;        /* batches 0..supplied-1 are ready */
	gboolean cancel;       /* the scanning thread stopped reading */
};

static void
fetched_free(fetched *b)
{
	if (b == NULL)
		return;
	if (b->msgs != NULL)
		g_ptr_array_unref(b->msgs);
	g_free(b->err);
	g_free(b);
}

/* Parses and runs the detector on one message, then drops its bytes
 * (a pipeline worker, or the scanning thread on one core). */
static gsize
prepare_slot(guint i, gpointer data)
{
	pipeline *pl = data;
	slot *sl = &pl->slots[i];

	if (sl->msg == NULL)
		return 0;
	ingest_prepare(pl->ing, sl->msg->data, sl->msg->len,
		sl->msg->partial ? INGEST_PARTIAL : 0, &sl->prep);
	imap_message_drop_data(sl->msg);
	return ingest_prepared_bytes(&sl->prep);
}

/* In the thread that prepared it, once it was recorded. */
static void
release_slot(guint i, gpointer data)
{
	pipeline *pl = data;

	ingest_prepared_clear(&pl->slots[i].prep);
}

/* Batch k was fetched: its messages go to their slots (the message of
 * uids[j] to slot j), and the workers get every slot up to the first
 * batch not yet fetched. */
static void
batch_ready(pipeline *pl, guint k, fetched *b)
{
	const batch_plan *bp = b->plan;
	guint next = 0;

	for (guint i = 0; i < b->msgs->len; i++) {
		imap_message *m = b->msgs->pdata[i];

		while (next < bp->n &&
		       g_array_index(pl->uids, imap_uid_size, bp->off + next).uid < m->uid)
			next++;
		if (next == bp->n)
			break;
		/* a UID not asked for, or a second copy of one, is left out */
		if (g_array_index(pl->uids, imap_uid_size, bp->off + next).uid == m->uid)
			pl->slots[bp->off + next++].msg = m;
	}
	g_mutex_lock(&pl->lock);
	pl->ready[k] = TRUE;
	while (pl->supplied < pl->batches && pl->ready[pl->supplied])
		pl->supplied++;
	source_pipe_supply(pl->pipe, pl->supplied < pl->batches
		? pl->plan[pl->supplied].off : pl->uids->len);
	g_mutex_unlock(&pl->lock);
}

/* Opens `lf`'s folder on the fetcher's session, unless it is open: it
 * must have kept the UIDVALIDITY it was listed with. */
static kith_status
fetcher_open(fetcher *f, const listed_folder *lf, char **errstr)
{
	const char *name = lf->folder->name;
	imap_mailbox_info info;
	kith_status st;

	if (f->open != NULL && strcmp(f->open, name) == 0)
		return KITH_OK;
	f->open = NULL;
	st = imap_examine(f->imap, name, &info, errstr);
	if (st == KITH_OK && (gint64)info.uidvalidity != lf->state.uidvalidity)
		st = kith_fail(errstr, KITH_E_TEMPFAIL,
			"%s: the UIDVALIDITY of %s changed during the scan; run it again",
			imap_where(f->imap), name);
	if (st == KITH_OK)
		f->open = name;
	return st;
}

/* Fetches batch k on the fetcher's session, sending the commands of its
 * next batch ahead when that is of the same folder. */
static kith_status
fetch_batch(fetcher *f, guint k, GPtrArray **msgs, char **errstr)
{
	pipeline *pl = f->pl;
	const batch_plan *bp = &pl->plan[k];
	const listed_folder *lf = &pl->folders[bp->folder];
	const imap_uid_size *uids = &g_array_index(pl->uids, imap_uid_size, bp->off);
	const batch_plan *next = k + pl->n_fetchers < pl->batches
		? &pl->plan[k + pl->n_fetchers] : NULL;
	kith_status st;

	if (next != NULL && next->folder != bp->folder)
		next = NULL;
	st = fetcher_open(f, lf, errstr);
	if (st != KITH_OK)
		return st;
	log_debug("%s: %s: fetching UIDs %u to %u (%u messages)",
		imap_where(f->imap), lf->folder->name, uids[0].uid,
		uids[bp->n - 1].uid, bp->n);
	return imap_fetch(f->imap, uids, bp->n,
		next != NULL ? &g_array_index(pl->uids, imap_uid_size, next->off) : NULL,
		next != NULL ? next->n : 0, msgs, NULL, errstr);
}

static gpointer
fetch_thread(gpointer data)
{
	fetcher *f = data;
	pipeline *pl = f->pl;

	for (guint k = f->index; k < pl->batches; k += pl->n_fetchers) {
		fetched *b = g_new0(fetched, 1);
		gboolean stop, ok;

		g_mutex_lock(&pl->lock);
		while (k >= pl->recorded + FETCH_AHEAD * pl->n_fetchers && !pl->cancel)
			g_cond_wait(&pl->changed, &pl->lock);
		stop = pl->cancel;
		g_mutex_unlock(&pl->lock);
		b->plan = &pl->plan[k];
		if (stop || (k > 0 && source_stop_requested()))
			b->status = KITH_E_INTERRUPTED;
		else
			b->status = fetch_batch(f, k, &b->msgs, &b->err);
		ok = b->status == KITH_OK;
		if (ok)
			batch_ready(pl, k, b);
		/* b is the scanning thread's from here: it may be freed at once */
		g_async_queue_push(f->queue, b);
		if (!ok)
			break;
	}
	return NULL;
}

/* Records a fetched batch in UID order and saves its folder's state with
 * it, in one transaction. */
static kith_status
record_batch(imap_scan *scan, pipeline *pl, fetched *b, char **errstr)
{
	kith_store *store = ingest_store(scan->ing);
	const batch_plan *bp = b->plan;
	const listed_folder *lf = &pl->folders[bp->folder];
	unsigned flags = lf->folder->sent ? INGEST_SENT : 0;
	kith_status status;

	status = store_begin(store, errstr);
	if (status != KITH_OK)
		goto out;
	for (guint i = 0; i < bp->n; i++) {
		guint k = bp->off + i;
		slot *sl = &pl->slots[k];
		char *err = NULL;

		source_pipe_take(pl->pipe, k);
		if (sl->msg != NULL)
			status = ingest_record(scan->ing, &sl->prep, flags, &err);
		source_pipe_done(pl->pipe, k);
		if (sl->msg != NULL)
			status = uid_outcome(scan, lf->folder->name, sl->msg->uid, status,
				err, errstr);
		g_free(err);
		if (status != KITH_OK)
			goto out;
	}
	/* committed by the caller (source_batch_due) */
	status = store_scan_state_set(store, scan->source, lf->folder->name,
		&lf->state, errstr);
out:
	if (status != KITH_OK)
		ingest_rollback(scan->ing);
	return status;
}

/* How long the scanning thread waits for the next fetched batch, holding
 * the store, before it commits instead.  Batches usually arrive within a
 * few tens of milliseconds; committing after each, as when the fetch was
 * merely a little behind, rewrote most of the store's pages every batch. */
#define FETCH_LATE_USEC (100 * 1000)

/* Whether the next fetched batch is late: not queued within
 * FETCH_LATE_USEC.  The queue has one reader, this thread: a batch popped
 * to look goes back at its head. */
static gboolean
next_batch_late(GAsyncQueue *queue)
{
	fetched *next = g_async_queue_timeout_pop(queue, FETCH_LATE_USEC);

	if (next == NULL)
		return TRUE;
	g_async_queue_push_front(queue, next);
	return FALSE;
}

/*
 * Further sessions, opened by a thread of their own while the first lists
 * the folders: a login takes about as long as listing a large folder.
 * The sessions are made (imap_new_like) by the scanning thread and opened
 * in order by the opening thread, which stops at the first that cannot be
 * opened (a server may allow only so many per user).
 */
typedef struct {
	kith_imap *more[ACCOUNT_CONNECTIONS_MAX - 1];  /* owned */
	guint want;            /* sessions to open */
	guint opened;          /* more[0 .. opened) are open */
	char *err;             /* why more[opened] could not be */
	GThread *thread;       /* NULL until started */
} session_opener;

static gpointer
open_sessions(gpointer data)
{
	session_opener *op = data;

	while (op->opened < op->want && !source_stop_requested()) {
		if (imap_open_session(op->more[op->opened], &op->err) != KITH_OK)
			break;
		op->opened++;
	}
	return NULL;
}

/* Starts opening the account's further sessions, once, when `new_mail`
 * messages are worth them. */
static void
opener_start(imap_scan *scan, session_opener *op, guint new_mail)
{
	if (op->thread != NULL || scan->acct->connections < 2 ||
	    new_mail <= FETCH_PARALLEL_BATCHES * SOURCE_BATCH)
		return;
	op->want = (guint)CLAMP(scan->acct->connections, 1, ACCOUNT_CONNECTIONS_MAX) - 1;
	for (guint j = 0; j < op->want; j++)
		op->more[j] = imap_new_like(scan->imap);
	op->thread = g_thread_new("kith-imap-login", open_sessions, op);
}

/* Waits for the opening thread: the number of sessions opened, the
 * others closed, and why not more noted. */
static guint
opener_finish(imap_scan *scan, session_opener *op)
{
	if (op->thread == NULL)
		return 0;
	g_thread_join(op->thread);
	op->thread = NULL;
	if (op->err != NULL)
		log_info("%s: fetching over %u session%s: %s", imap_where(scan->imap),
			op->opened + 1, op->opened == 0 ? "" : "s", op->err);
	g_clear_pointer(&op->err, g_free);
	for (guint j = op->opened; j < op->want; j++)
		g_clear_pointer(&op->more[j], imap_close);
	op->want = op->opened;
	return op->opened;
}

static void
opener_close(session_opener *op)
{
	if (op->thread != NULL)
		g_thread_join(op->thread);
	g_free(op->err);
	for (guint j = 0; j < G_N_ELEMENTS(op->more); j++)
		imap_close(op->more[j]);
}

/* The batches of the listed folders, in order: a new array. */
static batch_plan *
plan_batches(const GArray *folders, guint *n_out)
{
	GArray *plan = g_array_new(FALSE, FALSE, sizeof(batch_plan));

	for (guint i = 0; i < folders->len; i++) {
		const listed_folder *lf = &g_array_index(folders, listed_folder, i);

		for (guint off = 0; off < lf->n; off += SOURCE_BATCH) {
			batch_plan bp = {
				.folder = i, .off = lf->first + off,
				.n = MIN(SOURCE_BATCH, lf->n - off),
			};
			g_array_append_val(plan, bp);
		}
	}
	*n_out = plan->len;
	return (batch_plan *)g_array_free(plan, FALSE);
}

/* Starts a fetching thread for each session. */
static void
fetchers_start(imap_scan *scan, pipeline *pl, session_opener *op)
{
	pl->n_fetchers = MIN(1 + op->opened, pl->batches);
	pl->fetchers = g_new0(fetcher, pl->n_fetchers);
	for (guint j = 0; j < pl->n_fetchers; j++) {
		fetcher *f = &pl->fetchers[j];

		f->pl = pl;
		f->imap = j == 0 ? scan->imap : op->more[j - 1];
		f->open = j == 0 ? scan->open : NULL;
		f->index = j;
		f->queue = g_async_queue_new();
		f->thread = g_thread_new("kith-imap-fetch", fetch_thread, f);
	}
}

/* Stops the fetching threads, lets the workers end, and frees what the
 * pipeline holds. */
static void
pipeline_end(pipeline *pl, fetched *unfinished)
{
	g_mutex_lock(&pl->lock);
	pl->cancel = TRUE;
	g_cond_broadcast(&pl->changed);
	g_mutex_unlock(&pl->lock);
	for (guint j = 0; j < pl->n_fetchers; j++)
		g_thread_join(pl->fetchers[j].thread);
	source_pipe_free(pl->pipe);   /* lets the workers end, releasing all */
	/* Workers may have been reading the messages of a batch whose
	 * recording stopped half way: it is freed after they stop. */
	fetched_free(unfinished);
	for (guint j = 0; j < pl->n_fetchers; j++) {
		for (fetched *b; (b = g_async_queue_try_pop(pl->fetchers[j].queue)) != NULL;)
			fetched_free(b);
		g_async_queue_unref(pl->fetchers[j].queue);
	}
	g_free(pl->fetchers);
	g_free(pl->ready);
	g_free(pl->slots);
	g_mutex_clear(&pl->lock);
	g_cond_clear(&pl->changed);
}

/* Fetches, prepares and stores the listed UIDs in batches, over the first
 * session and those `op` opened. */
static kith_status
scan_listed(imap_scan *scan, GArray *folders, GArray *uids, session_opener *op,
	char **errstr)
{
	pipeline pl = {
		.ing = scan->ing, .folders = (const listed_folder *)folders->data,
		.uids = uids,
	};
	batch_plan *plan = plan_batches(folders, &pl.batches);
	kith_status status = KITH_OK;
	fetched *unfinished = NULL;   /* a batch whose recording failed */
	source_batch batch = { 0, 0 };
	guint got = 0;

	pl.plan = plan;
	g_mutex_init(&pl.lock);
	g_cond_init(&pl.changed);
	pl.slots = g_new0(slot, MAX(uids->len, 1));
	pl.ready = g_new0(gboolean, MAX(pl.batches, 1));
	pl.pipe = source_pipe_new_supplied(uids->len, PREPARE_AHEAD, prepare_slot,
		release_slot, &pl);
	fetchers_start(scan, &pl, op);
	while (got < pl.batches && status == KITH_OK) {
		fetched *b = g_async_queue_pop(pl.fetchers[got % pl.n_fetchers].queue);
		listed_folder *lf = &g_array_index(folders, listed_folder, b->plan->folder);
		guint end = b->plan->off + b->plan->n;

		got++;
		status = b->status;
		if (status != KITH_OK) {
			if (status != KITH_E_INTERRUPTED)
				kith_fail(errstr, status, "%s", b->err);
			fetched_free(b);
			break;
		}
		/* Past every UID asked for: the gone and the skipped too. */
		lf->state.last_uid = g_array_index(uids, imap_uid_size, end - 1).uid;
		if (end == lf->first + lf->n)
			lf->state.modseq = (gint64)lf->modseq;
		status = record_batch(scan, &pl, b, errstr);
		/* Commit when the batch is due, and whenever the next fetch
		 * is late: the store is not held locked while waiting on the
		 * network. */
		if (status == KITH_OK && (source_batch_due(&batch, b->plan->n) ||
		    got == pl.batches || source_stop_requested() ||
		    next_batch_late(pl.fetchers[got % pl.n_fetchers].queue))) {
			status = ingest_commit(scan->ing, errstr);
			source_batch_committed(&batch);
		}
		if (status == KITH_OK)
			fetched_free(b);
		else
			unfinished = b;
		g_mutex_lock(&pl.lock);
		pl.recorded++;
		g_cond_broadcast(&pl.changed);
		g_mutex_unlock(&pl.lock);
		if (status != KITH_OK)
			break;
		source_progress(lf->folder->name, end, uids->len);
		if (got < pl.batches && source_stop_requested())
			status = KITH_E_INTERRUPTED;
	}
	/* What was recorded before a fetch failed is whole, state included:
	 * keep it.  (A failure to record rolled its transaction back.) */
	if (status != KITH_OK) {
		char *err = NULL;

		if (ingest_commit(scan->ing, &err) != KITH_OK)
			log_warn("%s: %s", imap_where(scan->imap), err);
		g_free(err);
	}
	pipeline_end(&pl, unfinished);
	g_free(plan);
	return status;
}

/* Saves a folder's state when it has no new mail but its UIDVALIDITY or
 * HIGHESTMODSEQ moved, so the next scan does not list it again. */
static kith_status
save_unchanged(imap_scan *scan, const imap_folder *folder,
	const store_scan_state *state, char **errstr)
{
	kith_store *store = ingest_store(scan->ing);
	kith_status status;

	status = store_begin(store, errstr);
	if (status == KITH_OK)
		status = store_scan_state_set(store, scan->source, folder->name, state,
			errstr);
	if (status == KITH_OK)
		status = ingest_commit(scan->ing, errstr);
	if (status != KITH_OK)
		ingest_rollback(scan->ing);
	return status;
}

/* About how many new messages `info` says a folder has past `last_uid`. */
static guint32
new_estimate(const imap_mailbox_info *info, gint64 last_uid)
{
	if (info->uidnext == 0)
		return info->exists;
	if ((gint64)info->uidnext - 1 <= last_uid)
		return 0;
	return (guint32)MIN((gint64)info->exists, (gint64)info->uidnext - 1 - last_uid);
}

/*
 * Examines `folder` on the first session and appends its new UIDs to
 * `uids`, with the folder to `folders` when there are any.  *estimate
 * grows by what the server says is new, before the listing.
 */
static kith_status
list_folder(imap_scan *scan, const imap_folder *folder, GArray *folders,
	GArray *uids, guint *estimate, session_opener *op, char **errstr)
{
	kith_store *store = ingest_store(scan->ing);
	listed_folder lf = { .folder = folder };
	imap_mailbox_info info;
	GArray *fresh = NULL;
	kith_status status;
	gboolean reset;

	status = store_scan_state_get(store, scan->source, folder->name, &lf.state,
		errstr);
	if (status != KITH_OK)
		goto out;
	scan->open = NULL;
	status = imap_examine(scan->imap, folder->name, &info, errstr);
	if (status != KITH_OK)
		goto out;
	scan->open = folder->name;
	reset = lf.state.uidvalidity != (gint64)info.uidvalidity;
	if (reset) {
		if (lf.state.uidvalidity != 0)
			log_info("%s: %s: UIDVALIDITY changed; reading the folder again",
				imap_where(scan->imap), folder->name);
		lf.state.uidvalidity = info.uidvalidity;
		lf.state.last_uid = 0;
		lf.state.modseq = 0;
	} else if (info.uidnext > 0 && lf.state.last_uid >= (gint64)info.uidnext - 1) {
		log_debug("%s: %s: nothing new", imap_where(scan->imap), folder->name);
		goto out;
	}
	/* Enough to fetch over more sessions: their logins go on while
	 * this one lists. */
	*estimate += new_estimate(&info, lf.state.last_uid);
	opener_start(scan, op, *estimate);
	status = imap_list_uids(scan->imap, (guint32)lf.state.last_uid, &fresh, errstr);
	if (status != KITH_OK)
		goto out;
	log_info("%s: %s: %u new message%s", imap_where(scan->imap), folder->name,
		fresh->len, fresh->len == 1 ? "" : "s");
	if (fresh->len == 0) {
		if (reset || lf.state.modseq != (gint64)info.highestmodseq) {
			lf.state.modseq = (gint64)info.highestmodseq;
			status = save_unchanged(scan, folder, &lf.state, errstr);
		}
		goto out;
	}
	lf.modseq = info.highestmodseq;
	lf.first = uids->len;
	lf.n = fresh->len;
	g_array_append_vals(uids, fresh->data, fresh->len);
	g_array_append_val(folders, lf);
	memset(&lf.state, 0, sizeof lf.state);   /* now the array's */
out:
	if (fresh != NULL)
		g_array_unref(fresh);
	store_scan_state_clear(&lf.state);
	return status;
}

static void
listed_folder_clear(gpointer p)
{
	store_scan_state_clear(&((listed_folder *)p)->state);
}

/*
 * Lists the new mail of every folder, then scans it.  A configured folder
 * the server does not have is warned about, the others scanned, and the
 * scan ends KITH_E_NOINPUT.
 */
static kith_status
scan_folders(imap_scan *scan, GPtrArray *folders, char **errstr)
{
	GArray *listed = g_array_new(FALSE, FALSE, sizeof(listed_folder));
	GArray *uids = g_array_new(FALSE, FALSE, sizeof(imap_uid_size));
	session_opener op = { 0 };
	kith_status status = KITH_OK, missing = KITH_OK;
	char *missing_err = NULL;
	guint estimate = 0;

	g_array_set_clear_func(listed, listed_folder_clear);
	for (guint i = 0; i < folders->len && status == KITH_OK; i++) {
		const imap_folder *f = g_ptr_array_index(folders, i);
		char *err = NULL;

		if (source_stop_requested()) {
			status = KITH_E_INTERRUPTED;
			break;
		}
		status = list_folder(scan, f, listed, uids, &estimate, &op, &err);
		if (status == KITH_E_NOINPUT) {
			log_warn("%s", err);
			if (missing == KITH_OK) {
				missing = status;
				missing_err = g_steal_pointer(&err);
			}
			status = KITH_OK;
		} else if (status != KITH_OK && status != KITH_E_INTERRUPTED) {
			kith_fail(errstr, status, "%s", err);
		}
		g_free(err);
	}
	if (status != KITH_OK || uids->len == 0)
		goto out;
	opener_start(scan, &op, uids->len);
	opener_finish(scan, &op);
	status = scan_listed(scan, listed, uids, &op, errstr);
out:
	source_progress_end();
	if (status == KITH_OK && missing != KITH_OK)
		status = kith_fail(errstr, missing, "%s", missing_err);
	opener_close(&op);
	g_array_unref(listed);
	g_array_unref(uids);
	g_free(missing_err);
	return status;
}

static kith_status
imap_scan_account(const kith_account *acct, kith_ingest *ing, char **errstr)
{
	imap_scan scan = { .acct = acct, .ing = ing };
	GPtrArray *folders = NULL;
	kith_status status;

	scan.source = source_key(acct);
	status = imap_connect(acct, &scan.imap, errstr);
	if (status != KITH_OK)
		goto out;
	imap_set_stop_check(scan.imap, source_stop_requested);
	status = imap_folders(scan.imap, &folders, errstr);
	/* the rules may have loaded during the login */
	if (status == KITH_OK)
		status = ingest_rules_ready(ing, errstr);
	if (status == KITH_OK)
		status = scan_folders(&scan, folders, errstr);
out:
	if (folders != NULL)
		g_ptr_array_unref(folders);
	imap_close(scan.imap);
	g_free(scan.source);
	return status;
}

const source_ops source_imap_ops = { "imap", imap_scan_account };
