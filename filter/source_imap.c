/*
 * source_imap.c - IMAP folders (imap.h), read-only.  The scan state of a
 * folder is (UIDVALIDITY, the highest UID recorded), kept under the source
 * "imap://USER@HOST:PORT" so the same mailbox reached through a configured
 * account or --imap shares it.  Each batch of SOURCE_BATCH messages is
 * fetched first, then ingested together with the new state; batches are
 * committed together when the batch is due (source_batch_due), and before
 * waiting for the next one, so the store is never locked while waiting on
 * the network and an interrupted scan resumes after the last commit.
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
	kith_imap *imap;           /* owned */
	/* owned: further sessions for large folders, opened when first needed */
	kith_imap *more[ACCOUNT_CONNECTIONS_MAX - 1];
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

/* Ingests one fetched batch and saves the folder state with it, in one
 * transaction. */
static kith_status
store_batch(imap_scan *scan, const char *folder, GPtrArray *msgs,
	unsigned flags, const store_scan_state *state, char **errstr)
{
	kith_store *store = ingest_store(scan->ing);
	kith_status status;

	status = store_begin(store, errstr);
	if (status != KITH_OK)
		goto out;
	for (guint i = 0; i < msgs->len; i++) {
		const imap_message *m = g_ptr_array_index(msgs, i);
		char *err = NULL;

		status = ingest_message(scan->ing, m->data, m->len,
			flags | (m->partial ? INGEST_PARTIAL : 0), &err);
		status = uid_outcome(scan, folder, m->uid, status, err, errstr);
		g_free(err);
		if (status != KITH_OK)
			goto out;
	}
	status = store_scan_state_set(store, scan->source, folder, state, errstr);
	if (status != KITH_OK)
		goto out;
	status = ingest_commit(scan->ing, errstr);
out:
	if (status != KITH_OK)
		ingest_rollback(scan->ing);
	return status;
}

/*
 * The pipeline of one folder's scan.  Fetching threads, one per session
 * (one, or up to the account's `connections` for a folder with more than
 * a few batches of new mail), each own their IMAP session while the folder
 * is read and fetch its batches in turn: batch k is fetched by fetcher
 * k % n.  Fetched messages are supplied, in UID order, to the workers of a
 * source_pipe (source.h), which parse them and run the detector
 * (ingest_prepare: no store), so fetching, preparing and recording
 * overlap.  The scanning thread records the prepared messages in UID
 * order with the folder's state.  A batch is not begun more than
 * FETCH_AHEAD batches a fetcher past the last one recorded, which bounds
 * memory.  Slot k of the folder is pipeline item k and holds the message
 * of uids[k], or nothing when the server no longer has it.
 */
#define FETCH_AHEAD 2
/* Messages prepared ahead of the one being recorded.  The recording
 * thread stalls now and then (a commit, a checkpoint) while the server
 * keeps sending: with 32 the worker soon ran out of room and the cores
 * idled until the recorder caught up; 128 (about a batch and a quarter)
 * made full scans a tenth faster, and more gained nothing. */
#define PREPARE_AHEAD 128
/* A folder is fetched over more than one session only past this many
 * batches: a second login costs more than it saves on fewer. */
#define FETCH_PARALLEL_BATCHES 4

typedef struct {
	imap_message *msg;     /* owned by its batch's `msgs`; NULL: none */
	ingest_prepared prep;
} slot;

typedef struct {
	guint off, n;          /* the UIDs asked for: uids[off .. off + n) */
	GPtrArray *msgs;       /* imap_message*, NULL when the fetch failed */
	kith_status status;    /* of the fetch */
	char *err;
} fetched;

typedef struct pipeline pipeline;

typedef struct {
	pipeline *pl;
	kith_imap *imap;       /* used by this thread only, meanwhile */
	guint index;           /* fetches batches index, index + n, ... */
	GAsyncQueue *queue;    /* fetched*, in order, to the scanning thread */
	GThread *thread;
} fetcher;

struct pipeline {
	const kith_ingest *ing;
	const char *folder;
	GArray *uids;          /* imap_uid_size, all to fetch */
	guint batches;         /* of SOURCE_BATCH UIDs: uids->len / SOURCE_BATCH, up */
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
 * uids[k] to slot k), and the workers get every slot up to the first
 * batch not yet fetched. */
static void
batch_ready(pipeline *pl, guint k, fetched *b)
{
	guint next = 0;

	for (guint i = 0; i < b->msgs->len; i++) {
		imap_message *m = b->msgs->pdata[i];

		while (next < b->n &&
		       g_array_index(pl->uids, imap_uid_size, b->off + next).uid < m->uid)
			next++;
		if (next == b->n)
			break;
		/* a UID not asked for, or a second copy of one, is left out */
		if (g_array_index(pl->uids, imap_uid_size, b->off + next).uid == m->uid)
			pl->slots[b->off + next++].msg = m;
	}
	g_mutex_lock(&pl->lock);
	pl->ready[k] = TRUE;
	while (pl->supplied < pl->batches && pl->ready[pl->supplied])
		pl->supplied++;
	source_pipe_supply(pl->pipe, MIN(pl->supplied * SOURCE_BATCH, pl->uids->len));
	g_mutex_unlock(&pl->lock);
}

static gpointer
fetch_thread(gpointer data)
{
	fetcher *f = data;
	pipeline *pl = f->pl;
	guint len = pl->uids->len;

	for (guint k = f->index; k < pl->batches; k += pl->n_fetchers) {
		fetched *b = g_new0(fetched, 1);
		gboolean stop, ok;

		g_mutex_lock(&pl->lock);
		while (k >= pl->recorded + FETCH_AHEAD * pl->n_fetchers && !pl->cancel)
			g_cond_wait(&pl->changed, &pl->lock);
		stop = pl->cancel;
		g_mutex_unlock(&pl->lock);
		b->off = k * SOURCE_BATCH;
		b->n = MIN(SOURCE_BATCH, len - b->off);
		if (stop || (k > 0 && source_stop_requested())) {
			b->status = KITH_E_INTERRUPTED;
		} else {
			const imap_uid_size *batch =
				&g_array_index(pl->uids, imap_uid_size, b->off);
			/* this fetcher's next batch, whose commands go out
			 * before this one's last replies are read */
			guint next_off = (k + pl->n_fetchers) * SOURCE_BATCH;
			const imap_uid_size *next = next_off < len
				? &g_array_index(pl->uids, imap_uid_size, next_off) : NULL;

			log_debug("%s: %s: fetching UIDs %u to %u (%u messages)",
				imap_where(f->imap), pl->folder, batch[0].uid,
				batch[b->n - 1].uid, b->n);
			b->status = imap_fetch(f->imap, batch, b->n, next,
				next != NULL ? MIN(SOURCE_BATCH, len - next_off) : 0,
				&b->msgs, NULL, &b->err);
		}
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

/* Records a fetched batch in UID order and saves the folder state with it,
 * in one transaction. */
static kith_status
record_batch(imap_scan *scan, pipeline *pl, fetched *b, unsigned flags,
	const store_scan_state *state, char **errstr)
{
	kith_store *store = ingest_store(scan->ing);
	kith_status status;
	guint i = 0;

	status = store_begin(store, errstr);
	if (status != KITH_OK)
		goto out;
	for (; i < b->n; i++) {
		guint k = b->off + i;
		slot *sl = &pl->slots[k];
		char *err = NULL;

		source_pipe_take(pl->pipe, k);
		if (sl->msg != NULL)
			status = ingest_record(scan->ing, &sl->prep, flags, &err);
		source_pipe_done(pl->pipe, k);
		if (sl->msg != NULL)
			status = uid_outcome(scan, pl->folder, sl->msg->uid, status, err,
				errstr);
		g_free(err);
		if (status != KITH_OK)
			goto out;
	}
	/* committed by the caller (source_batch_due) */
	status = store_scan_state_set(store, scan->source, pl->folder, state, errstr);
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
 * The sessions to fetch the open folder over: the first, and for a folder
 * of more than FETCH_PARALLEL_BATCHES batches up to the account's
 * `connections`, opened on the folder now or re-opened on it if kept from
 * an earlier folder.  A session that cannot be had is left out (a server
 * may allow only so many per user): the folder is fetched over the others.
 */
static guint
fetch_sessions(imap_scan *scan, const char *folder, guint32 uidvalidity,
	guint batches)
{
	guint want = batches > FETCH_PARALLEL_BATCHES
		? (guint)CLAMP(scan->acct->connections, 1, ACCOUNT_CONNECTIONS_MAX) : 1;
	guint n = 1;

	for (guint j = 1; j < want; j++) {
		imap_mailbox_info info;
		kith_status st;
		char *err = NULL;

		if (scan->more[j - 1] == NULL)
			st = imap_open_another(scan->imap, &scan->more[j - 1], &err);
		else if ((st = imap_examine(scan->more[j - 1], folder, &info, &err)) ==
			KITH_OK && info.uidvalidity != uidvalidity)
			st = kith_fail(&err, KITH_E_TEMPFAIL, "%s: %s changed meanwhile",
				imap_where(scan->imap), folder);
		if (st != KITH_OK) {
			log_info("%s: fetching over %u session%s: %s", imap_where(scan->imap),
				n, n == 1 ? "" : "s", err);
			g_free(err);
			g_clear_pointer(&scan->more[j - 1], imap_close);
			break;
		}
		n++;
	}
	return n;
}

/* Fetches, prepares and stores the UIDs of `uids` in batches. */
static kith_status
scan_uids(imap_scan *scan, const imap_folder *folder, GArray *uids,
	store_scan_state *state, guint64 modseq, char **errstr)
{
	unsigned flags = folder->sent ? INGEST_SENT : 0;
	pipeline pl = {
		.ing = scan->ing, .folder = folder->name, .uids = uids,
		.batches = (uids->len + SOURCE_BATCH - 1) / SOURCE_BATCH,
	};
	kith_status status = KITH_OK;
	fetched *unfinished = NULL;   /* a batch whose recording failed */
	source_batch batch = { 0, 0 };
	guint got = 0;

	g_mutex_init(&pl.lock);
	g_cond_init(&pl.changed);
	pl.slots = g_new0(slot, MAX(uids->len, 1));
	pl.ready = g_new0(gboolean, MAX(pl.batches, 1));
	pl.pipe = source_pipe_new_supplied(uids->len, PREPARE_AHEAD, prepare_slot,
		release_slot, &pl);
	pl.n_fetchers = fetch_sessions(scan, folder->name, (guint32)state->uidvalidity,
		pl.batches);
	pl.fetchers = g_new0(fetcher, pl.n_fetchers);
	for (guint j = 0; j < pl.n_fetchers; j++) {
		fetcher *f = &pl.fetchers[j];

		f->pl = &pl;
		f->imap = j == 0 ? scan->imap : scan->more[j - 1];
		f->index = j;
		f->queue = g_async_queue_new();
		f->thread = g_thread_new("kith-imap-fetch", fetch_thread, f);
	}
	while (got < pl.batches && status == KITH_OK) {
		fetched *b = g_async_queue_pop(pl.fetchers[got % pl.n_fetchers].queue);

		got++;
		status = b->status;
		if (status != KITH_OK) {
			if (status != KITH_E_INTERRUPTED)
				kith_fail(errstr, status, "%s", b->err);
			fetched_free(b);
			break;
		}
		/* Past every UID asked for: the gone and the skipped too. */
		state->last_uid = g_array_index(uids, imap_uid_size, b->off + b->n - 1).uid;
		if (b->off + b->n == uids->len)
			state->modseq = (gint64)modseq;
		status = record_batch(scan, &pl, b, flags, state, errstr);
		/* Commit when the batch is due, and whenever the next fetch
		 * is late: the store is not held locked while waiting on the
		 * network. */
		if (status == KITH_OK && (source_batch_due(&batch, b->n) ||
		    got == pl.batches || source_stop_requested() ||
		    next_batch_late(pl.fetchers[got % pl.n_fetchers].queue))) {
			status = ingest_commit(scan->ing, errstr);
			source_batch_committed(&batch);
		}
		/* Workers may still be reading the messages of a batch whose
		 * recording stopped half way: it is freed after they stop. */
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
		source_progress(folder->name, MIN((guint)got * SOURCE_BATCH, uids->len),
			uids->len);
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
	/* Stop the fetching threads, and drop what they fetched beyond. */
	g_mutex_lock(&pl.lock);
	pl.cancel = TRUE;
	g_cond_broadcast(&pl.changed);
	g_mutex_unlock(&pl.lock);
	for (guint j = 0; j < pl.n_fetchers; j++)
		g_thread_join(pl.fetchers[j].thread);
	source_pipe_free(pl.pipe);   /* lets the workers end, releasing all */
	fetched_free(unfinished);
	for (guint j = 0; j < pl.n_fetchers; j++) {
		for (fetched *b; (b = g_async_queue_try_pop(pl.fetchers[j].queue)) != NULL;)
			fetched_free(b);
		g_async_queue_unref(pl.fetchers[j].queue);
	}
	g_free(pl.fetchers);
	g_free(pl.ready);
	g_free(pl.slots);
	g_mutex_clear(&pl.lock);
	g_cond_clear(&pl.changed);
	return status;
}

static kith_status
scan_folder(imap_scan *scan, const imap_folder *folder, char **errstr)
{
	kith_store *store = ingest_store(scan->ing);
	store_scan_state state = { 0 };
	imap_mailbox_info info;
	GArray *uids = NULL;
	kith_status status;
	gboolean reset;

	status = store_scan_state_get(store, scan->source, folder->name, &state,
		errstr);
	if (status != KITH_OK)
		goto out;
	status = imap_examine(scan->imap, folder->name, &info, errstr);
	if (status != KITH_OK)
		goto out;
	reset = state.uidvalidity != (gint64)info.uidvalidity;
	if (reset) {
		if (state.uidvalidity != 0)
			log_info("%s: %s: UIDVALIDITY changed; reading the folder again",
				imap_where(scan->imap), folder->name);
		state.uidvalidity = info.uidvalidity;
		state.last_uid = 0;
		state.modseq = 0;
	} else if (info.uidnext > 0 && state.last_uid >= (gint64)info.uidnext - 1) {
		log_debug("%s: %s: nothing new", imap_where(scan->imap), folder->name);
		goto out;
	}
	status = imap_list_uids(scan->imap, (guint32)state.last_uid, &uids, errstr);
	if (status != KITH_OK)
		goto out;
	log_info("%s: %s: %u new message%s", imap_where(scan->imap), folder->name,
		uids->len, uids->len == 1 ? "" : "s");
	if (uids->len == 0) {
		if (reset || state.modseq != (gint64)info.highestmodseq) {
			GPtrArray *none = g_ptr_array_new();

			state.modseq = (gint64)info.highestmodseq;
			status = store_batch(scan, folder->name, none, 0, &state, errstr);
			g_ptr_array_unref(none);
		}
		goto out;
	}
	status = scan_uids(scan, folder, uids, &state, info.highestmodseq, errstr);
out:
	source_progress_end();
	if (uids != NULL)
		g_array_unref(uids);
	store_scan_state_clear(&state);
	return status;
}

static kith_status
imap_scan_account(const kith_account *acct, kith_ingest *ing, char **errstr)
{
	imap_scan scan = { .acct = acct, .ing = ing };
	GPtrArray *folders = NULL;
	kith_status status, missing = KITH_OK;
	char *missing_err = NULL;

	scan.source = source_key(acct);
	status = imap_connect(acct, &scan.imap, errstr);
	if (status != KITH_OK)
		goto out;
	imap_set_stop_check(scan.imap, source_stop_requested);
	status = imap_folders(scan.imap, &folders, errstr);
	/* the rules may have loaded during the login */
	if (status == KITH_OK)
		status = ingest_rules_ready(ing, errstr);
	if (status != KITH_OK)
		goto out;
	for (guint i = 0; i < folders->len; i++) {
		const imap_folder *f = g_ptr_array_index(folders, i);
		char *err = NULL;

		if (source_stop_requested()) {
			status = KITH_E_INTERRUPTED;
			goto out;
		}
		status = scan_folder(&scan, f, &err);
		if (status == KITH_E_NOINPUT) {
			/* A configured folder the server does not have. */
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
		if (status != KITH_OK)
			goto out;
	}
	if (missing != KITH_OK)
		status = kith_fail(errstr, missing, "%s", missing_err);
out:
	if (folders != NULL)
		g_ptr_array_unref(folders);
	imap_close(scan.imap);
	for (guint j = 0; j < G_N_ELEMENTS(scan.more); j++)
		imap_close(scan.more[j]);
	g_free(scan.source);
	g_free(missing_err);
	return status;
}

const source_ops source_imap_ops = { "imap", imap_scan_account };
