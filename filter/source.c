/* source.c - what every source shares: the table, the stop flag, progress. */
#include <errno.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <string.h>

#include "log.h"
#include "message.h"
#include "source.h"

/* Set from a signal handler: the one piece of state a handler may touch. */
static volatile sig_atomic_t stop_requested;

const source_ops *
source_for_type(account_type type)
{
	switch (type) {
	case ACCOUNT_IMAP:    return &source_imap_ops;
	case ACCOUNT_MAILDIR: return &source_maildir_ops;
	case ACCOUNT_MBOX:    return &source_mbox_ops;
	}
	return NULL;
}

static void
on_stop_signal(int sig)
{
	(void)sig;
	stop_requested = 1;
}

void
source_install_stop_handlers(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_stop_signal;
	sigemptyset(&sa.sa_mask);
	/* No SA_RESTART: a blocking read returns so the batch can end. */
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
}

gboolean
source_stop_requested(void)
{
	return stop_requested != 0;
}

gboolean
source_batch_due(source_batch *b, guint n)
{
	gint64 now = g_get_monotonic_time();

	if (b->count == 0)
		b->since = now;
	b->count += n;
	return b->count >= SOURCE_COMMIT ||
		now - b->since >= SOURCE_COMMIT_SECONDS * G_USEC_PER_SEC;
}

void
source_batch_committed(source_batch *b)
{
	b->count = 0;
}

void
source_progress(const char *where, guint64 done, guint64 total)
{
	static gint64 started, last;
	gint64 now;
	double rate;

	if (!log_progress_enabled())
		return;
	now = g_get_monotonic_time();
	if (done == 0 || started == 0)
		started = now;
	/* Redraw at most ten times a second. */
	if (now - last < G_USEC_PER_SEC / 10 && done != total)
		return;
	last = now;
	rate = now > started ? (double)done * G_USEC_PER_SEC / (double)(now - started) : 0;
	if (total > 0 && rate > 0)
		log_progress("%s: %" G_GUINT64_FORMAT "/%" G_GUINT64_FORMAT
			" messages, %.0f/s, %.0fs left", where, done, total, rate,
			(double)(total - done) / rate);
	else
		log_progress("%s: %" G_GUINT64_FORMAT " messages, %.0f/s", where, done, rate);
}

void
source_progress_end(void)
{
	log_progress_end();
}

/* --- the ordered pipeline (source.h) ----------------------------------- */

/* Sleeping workers are woken when this many more items have been handed
 * back: a futex wake costs more than most of the items. */
#define PIPE_WAKE_BATCH 8

struct source_pipe {
	guint n, ahead;
	source_pipe_prepare_fn prepare;
	source_pipe_fn release;
	gpointer data;
	GPtrArray *workers;    /* GThread*; empty on a single core */
	GMutex lock;           /* guards everything below */
	GCond to_taker;        /* items were prepared */
	GCond to_workers;      /* items were handed back, or stop */
	guint8 *prepared;      /* per item: prepared */
	guint32 *bytes;        /* per item: what prepare() said it holds */
	gsize held;            /* bytes of the items prepared, not handed back */
	guint next;            /* the first item no worker has claimed */
	guint supplied;        /* items 0..supplied-1 may be prepared */
	guint handed;          /* items 0..handed-1 were handed back */
	guint wanted;          /* the item the taker waits for */
	gboolean taker_waiting;
	guint workers_waiting;
	gboolean stop;
	gboolean holding;      /* no workers: item `wanted` is taken, not done */
};

/* prepared[i]: 0 until prepared, then by whom (each releases its own) */
#define PREPARED_BY_WORKER 1
#define PREPARED_BY_TAKER 2

/* How much nicer than the recording thread the workers run: the
 * recording thread is the one every worker ends up waiting for, so when
 * other work competes for the cores it goes first. */
#define PIPE_WORKER_NICENESS 5

/* Lowers the calling thread's priority by `by` (Linux: nice applies to
 * threads); quietly keeps it when the system says no. */
static void
thread_lower_priority(int by)
{
	id_t tid = (id_t)syscall(SYS_gettid);
	int now;

	errno = 0;
	now = getpriority(PRIO_PROCESS, tid);
	if (now == -1 && errno != 0)
		return;
	(void)setpriority(PRIO_PROCESS, tid, MIN(now + by, 19));
}

/* Whether an item may be begun now: supplied, and within the window. */
static gboolean
pipe_claimable(const source_pipe *p)
{
	return p->next < p->supplied && p->next < p->handed + p->ahead &&
		p->held < SOURCE_PIPE_BYTES;
}

/* Item i, just prepared, holds `bytes` until it is handed back. */
static void
pipe_hold(source_pipe *p, guint i, gsize bytes)
{
	p->bytes[i] = (guint32)MIN(bytes, (gsize)G_MAXUINT32);
	p->held += p->bytes[i];
}

/* Releases the items of `mine` (prepared by this thread) below `upto`. */
static void
pipe_release_upto(source_pipe *p, GArray *mine, guint upto)
{
	guint k = 0;

	while (k < mine->len && g_array_index(mine, guint, k) < upto)
		p->release(g_array_index(mine, guint, k++), p->data);
	g_array_remove_range(mine, 0, k);
}

static gpointer
pipe_worker(gpointer data)
{
	source_pipe *p = data;
	GArray *mine = g_array_new(FALSE, FALSE, sizeof(guint));
	guint upto;
	gsize bytes;

	thread_lower_priority(PIPE_WORKER_NICENESS);

	g_mutex_lock(&p->lock);
	for (;;) {
		guint i;

		while (!p->stop && p->next < p->n && !pipe_claimable(p)) {
			p->workers_waiting++;
			g_cond_wait(&p->to_workers, &p->lock);
			p->workers_waiting--;
		}
		if (p->stop || p->next >= p->n)
			break;
		i = p->next++;
		upto = p->handed;
		g_mutex_unlock(&p->lock);
		pipe_release_upto(p, mine, upto);
		bytes = p->prepare(i, p->data);
		g_array_append_val(mine, i);
		g_mutex_lock(&p->lock);
		pipe_hold(p, i, bytes);
		p->prepared[i] = PREPARED_BY_WORKER;
		if (p->taker_waiting && p->prepared[p->wanted])
			g_cond_signal(&p->to_taker);
	}
	/* What this thread prepared is released here, once handed back. */
	while (!p->stop && mine->len > 0 &&
	       p->handed <= g_array_index(mine, guint, mine->len - 1)) {
		p->workers_waiting++;
		g_cond_wait(&p->to_workers, &p->lock);
		p->workers_waiting--;
	}
	g_mutex_unlock(&p->lock);
	/* After a stop nothing more is taken: release it all. */
	pipe_release_upto(p, mine, G_MAXUINT);
	g_array_free(mine, TRUE);
	return NULL;
}

source_pipe *
source_pipe_new(guint n, guint ahead, source_pipe_prepare_fn prepare,
	source_pipe_fn release, gpointer data)
{
	source_pipe *p = source_pipe_new_supplied(n, ahead, prepare, release, data);

	source_pipe_supply(p, n);
	return p;
}

source_pipe *
source_pipe_new_supplied(guint n, guint ahead, source_pipe_prepare_fn prepare,
	source_pipe_fn release, gpointer data)
{
	source_pipe *p = g_new0(source_pipe, 1);
	/* One thread a core: the workers, and the taker, which prepares
	 * items too while the one it needs is not ready.  A thread more
	 * than cores was a tenth slower: the recording thread was
	 * preempted, and each switch cost more than the items it waited
	 * for. */
	guint workers = MIN(g_get_num_processors(), 4) - 1;

	p->n = n;
	p->ahead = MAX(ahead, PIPE_WAKE_BATCH);
	p->prepare = prepare;
	p->release = release;
	p->data = data;
	p->prepared = g_new0(guint8, MAX(n, 1));
	p->bytes = g_new0(guint32, MAX(n, 1));
	p->workers = g_ptr_array_new();
	g_mutex_init(&p->lock);
	g_cond_init(&p->to_taker);
	g_cond_init(&p->to_workers);
	if (workers == 0 || n < 2)
		return p;
	message_library_init();
	for (guint w = 0; w < workers; w++)
		g_ptr_array_add(p->workers, g_thread_new("kith-prepare", pipe_worker, p));
	return p;
}

void
source_pipe_supply(source_pipe *p, guint upto)
{
	g_mutex_lock(&p->lock);
	p->supplied = MIN(MAX(p->supplied, upto), p->n);
	if (p->workers_waiting > 0)
		g_cond_broadcast(&p->to_workers);
	/* the taker may be waiting for work it can do */
	if (p->taker_waiting)
		g_cond_signal(&p->to_taker);
	g_mutex_unlock(&p->lock);
}

void
source_pipe_take(source_pipe *p, guint i)
{
	if (p->workers->len == 0) {
		p->prepare(i, p->data);
		p->wanted = i;
		p->holding = TRUE;
		return;
	}
	g_mutex_lock(&p->lock);
	p->wanted = i;
	while (!p->prepared[i]) {
		/* Rather than sleep, prepare the next item no worker has
		 * claimed (i itself, or one after it). */
		if (pipe_claimable(p)) {
			guint j = p->next++;

			gsize bytes;

			g_mutex_unlock(&p->lock);
			bytes = p->prepare(j, p->data);
			g_mutex_lock(&p->lock);
			pipe_hold(p, j, bytes);
			p->prepared[j] = PREPARED_BY_TAKER;
			continue;
		}
		p->taker_waiting = TRUE;
		g_cond_wait(&p->to_taker, &p->lock);
		p->taker_waiting = FALSE;
	}
	g_mutex_unlock(&p->lock);
}

void
source_pipe_done(source_pipe *p, guint i)
{
	gboolean over;

	if (p->workers->len == 0) {
		p->release(i, p->data);
		p->holding = FALSE;
		return;
	}
	if (p->prepared[i] == PREPARED_BY_TAKER)
		p->release(i, p->data);
	g_mutex_lock(&p->lock);
	p->handed = i + 1;
	over = p->held >= SOURCE_PIPE_BYTES;
	p->held -= p->bytes[i];
	if (p->workers_waiting > 0 &&
	    (p->handed % PIPE_WAKE_BATCH == 0 || p->handed == p->n ||
	     (over && p->held < SOURCE_PIPE_BYTES)))
		g_cond_broadcast(&p->to_workers);
	g_mutex_unlock(&p->lock);
}

void
source_pipe_free(source_pipe *p)
{
	if (p == NULL)
		return;
	if (p->holding)
		p->release(p->wanted, p->data);
	g_mutex_lock(&p->lock);
	p->stop = TRUE;
	g_cond_broadcast(&p->to_workers);
	g_mutex_unlock(&p->lock);
	for (guint w = 0; w < p->workers->len; w++)
		g_thread_join(g_ptr_array_index(p->workers, w));
	/* what the taker prepared and never took */
	for (guint i = p->handed; i < p->n; i++) {
		if (p->prepared[i] == PREPARED_BY_TAKER)
			p->release(i, p->data);
	}
	g_ptr_array_free(p->workers, TRUE);
	g_mutex_clear(&p->lock);
	g_cond_clear(&p->to_taker);
	g_cond_clear(&p->to_workers);
	g_free(p->prepared);
	g_free(p->bytes);
	g_free(p);
}
