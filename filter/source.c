/* source.c - what every source shares: the table, the stop flag, progress. */
#include <signal.h>
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

GThreadPool *
source_prepare_pool_new(GFunc func, gpointer data)
{
	guint n = MIN(g_get_num_processors(), 4);

	if (n < 2)
		return NULL;
	message_library_init();
	return g_thread_pool_new(func, data, (gint)n, FALSE, NULL);
}
