/* test_core.c - sanitising, the output formats, the spool, exit codes. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sysexits.h>
#include <unistd.h>

#include <cmocka.h>

#include "kith.h"
#include "output.h"
#include "safe.h"
#include "source.h"
#include "spool.h"

static void
test_safe_terminal(void **state)
{
	char *s;

	s = safe_terminal("a\x1b[31mred\r\nb\tc\xe2\x80\xae" "evil", 0);
	assert_string_equal(s, "a[31mred  b cevil");
	g_free(s);
	s = safe_terminal("caf\xe9", 0);        /* invalid UTF-8 */
	assert_string_equal(s, "caf\xef\xbf\xbd");
	g_free(s);
	s = safe_terminal("abcdef", 3);
	assert_string_equal(s, "abc...");
	g_free(s);
	s = safe_terminal(NULL, 0);
	assert_string_equal(s, "");
	g_free(s);
}

static void
test_safe_html_header_json(void **state)
{
	char *s;

	s = safe_html("<script>alert('x')</script> & \"q\"", 0);
	assert_string_equal(s, "&lt;script&gt;alert(&apos;x&apos;)&lt;/script&gt; &amp; &quot;q&quot;");
	g_free(s);
	s = safe_header("  Ann\r\nBcc: victim@example.org  ", 0);
	assert_null(strchr(s, '\n'));
	assert_null(strchr(s, '\r'));
	assert_string_equal(s, "Ann  Bcc: victim@example.org");
	g_free(s);
	s = safe_json("a\"b\\c\nd\x01\xe2\x80\xae");
	assert_string_equal(s, "a\\\"b\\\\c\\nd\\u0001\\u202e");
	g_free(s);
}

static char *
render(output_format fmt)
{
	static const char *const cols[] = { "name", "#count", NULL };
	const char *r1[] = { "Ann\tLee", "3" };
	const char *r2[] = { NULL, "x" };
	output_table *t = output_table_new(fmt, cols);
	char *buf = NULL;
	size_t len = 0;
	FILE *fp = open_memstream(&buf, &len);

	output_table_add(t, r1);
	output_table_add(t, r2);
	output_table_print(t, fp, 0);
	fclose(fp);
	output_table_free(t);
	return buf;
}

static void
test_output_formats(void **state)
{
	char *s;

	s = render(FORMAT_TSV);
	assert_string_equal(s, "name\tcount\nAnn Lee\t3\n-\tx\n");
	free(s);
	s = render(FORMAT_JSON);
	assert_string_equal(s, "[\n {\"name\": \"Ann\\tLee\", \"count\": 3},\n"
		" {\"name\": null, \"count\": null}\n]\n");
	free(s);
	s = render(FORMAT_TEXT);
	assert_string_equal(s, "name     count\nAnn Lee  3\n-        x\n");
	free(s);
}

static void
test_spool(void **state)
{
	char *dir = g_dir_make_tmp("kith-spool-XXXXXX", NULL);
	char *spool = g_build_filename(dir, "s", NULL);
	char *path = NULL, *data = NULL, *err = NULL;
	gsize len = 0;
	struct stat st;
	GPtrArray *files;
	int lock, lock2;

	assert_int_equal(spool_write(spool, "abc\0def", 7, SPOOL_SENT, &path, &err), KITH_OK);
	assert_true(g_file_get_contents(path, &data, &len, NULL));
	assert_int_equal(len, 7);
	assert_memory_equal(data, "abc\0def", 7);
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);
	assert_int_equal(stat(spool, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0700);
	assert_int_equal(spool_file_flags(path), SPOOL_SENT);
	files = spool_list(spool);
	assert_int_equal(files->len, 1);
	assert_string_equal(g_ptr_array_index(files, 0), path);
	g_ptr_array_unref(files);
	/* one drainer at a time */
	lock = spool_lock_try(spool);
	assert_true(lock >= 0);
	lock2 = spool_lock_try(spool);
	assert_int_equal(lock2, -1);
	spool_unlock(lock);
	lock2 = spool_lock_try(spool);
	assert_true(lock2 >= 0);
	spool_unlock(lock2);
	assert_int_equal(spool_set_aside(spool, path, &err), KITH_OK);
	files = spool_list(spool);
	assert_int_equal(files->len, 0);
	g_ptr_array_unref(files);
	/* an unwritable spool is an error with a message */
	assert_int_equal(spool_write("/proc/kith-spool", "x", 1, 0, NULL, &err), KITH_E_CANTCREAT);
	assert_non_null(strstr(err, "/proc/kith-spool"));
	g_free(err);
	g_free(data);
	g_free(path);
	{
		char *cmd = g_strdup_printf("rm -rf '%s'", dir);

		assert_int_equal(system(cmd), 0);
		g_free(cmd);
	}
	g_free(spool);
	g_free(dir);
}

/* The background recorder's lock, and its watch on new/: a delivery
 * wakes it, silence times out, and a spool that went away ends it. */
static void
test_spool_watch(void **state)
{
	char *dir = g_dir_make_tmp("kith-watch-XXXXXX", NULL);
	char *spool = g_build_filename(dir, "s", NULL);
	char *err = NULL, *cmd;
	spool_watch *w;
	gint64 t0;
	int present, other;

	present = spool_drainer_try(spool);
	assert_true(present >= 0);
	other = spool_drainer_try(spool);
	assert_int_equal(other, -1);
	/* the drain lock is a different one */
	other = spool_lock_try(spool);
	assert_true(other >= 0);
	spool_unlock(other);

	w = spool_watch_new(spool);
	t0 = g_get_monotonic_time();
	assert_false(spool_watch_wait(w, 100));
	assert_true(g_get_monotonic_time() - t0 >= 90 * 1000);
	assert_int_equal(spool_write(spool, "x", 1, 0, NULL, &err), KITH_OK);
	assert_true(spool_watch_wait(w, 2000));
	/* nothing more: quiet again */
	assert_false(spool_watch_wait(w, 50));
	cmd = g_strdup_printf("rm -rf '%s'", spool);
	assert_int_equal(system(cmd), 0);
	g_free(cmd);
	t0 = g_get_monotonic_time();
	assert_false(spool_watch_wait(w, 5000));
	assert_true(g_get_monotonic_time() - t0 < 4000 * 1000);
	spool_watch_free(w);

	spool_unlock(present);
	cmd = g_strdup_printf("rm -rf '%s'", dir);
	assert_int_equal(system(cmd), 0);
	g_free(cmd);
	g_free(spool);
	g_free(dir);
}

static void
test_exit_codes(void **state)
{
	char *err = NULL;

	assert_int_equal(kith_exit_code(KITH_OK), 0);
	assert_int_equal(kith_exit_code(KITH_E_USAGE), EX_USAGE);
	assert_int_equal(kith_exit_code(KITH_E_TEMPFAIL), EX_TEMPFAIL);
	assert_int_equal(kith_exit_code(KITH_E_NOPERM), EX_NOPERM);
	assert_int_equal(kith_exit_code(KITH_E_PROTOCOL), EX_PROTOCOL);
	assert_int_equal(kith_exit_code(KITH_E_CONFIG), EX_CONFIG);
	assert_int_equal(kith_fail(&err, KITH_E_IO, "disk %d", 1), KITH_E_IO);
	assert_string_equal(err, "disk 1");
	assert_int_equal(kith_fail(&err, KITH_E_IO, "again"), KITH_E_IO);
	assert_string_equal(err, "again");
	assert_int_equal(kith_fail(NULL, KITH_E_DATA, "ignored"), KITH_E_DATA);
	g_free(err);
}

/* The ordered pipeline: every item prepared once and released once, by
 * the thread that prepared it, none begun more than `ahead` past the last
 * handed back, and the taker sees them in order; workers run at a lower
 * priority than the taker. */
#define PIPE_ITEMS 2000
#define PIPE_AHEAD 16

typedef struct {
	GMutex lock;
	GThread *by[PIPE_ITEMS];
	int prepared[PIPE_ITEMS];
	int released[PIPE_ITEMS];
	int outstanding;
	guint handed;
	guint supplied;       /* what the producer has supplied (G_MAXUINT: all) */
	char *payload[PIPE_ITEMS];
	GThread *taker;
	int worker_nice[PIPE_ITEMS]; /* the preparing thread's, when not the taker */
	gsize cost;           /* the bytes each item says it holds */
	guint most_held;      /* the most items prepared, not handed back */
} pipe_check;

static int
thread_nice(void)
{
	return getpriority(PRIO_PROCESS, (id_t)syscall(SYS_gettid));
}

static gsize
pipe_check_prepare(guint i, gpointer data)
{
	pipe_check *c = data;
	guint held = 0;

	c->payload[i] = g_strdup_printf("item %u", i);
	g_mutex_lock(&c->lock);
	c->by[i] = g_thread_self();
	c->worker_nice[i] = c->by[i] == c->taker ? 0 : thread_nice() + 100;
	c->prepared[i]++;
	c->outstanding++;
	assert_true(i < c->handed + PIPE_AHEAD);
	assert_true(i < c->supplied);
	for (guint j = c->handed; j < PIPE_ITEMS; j++)
		held += c->prepared[j] > 0;
	c->most_held = MAX(c->most_held, held);
	g_mutex_unlock(&c->lock);
	return c->cost;
}

static void
pipe_check_release(guint i, gpointer data)
{
	pipe_check *c = data;

	g_mutex_lock(&c->lock);
	assert_ptr_equal(c->by[i], g_thread_self());
	c->released[i]++;
	c->outstanding--;
	g_mutex_unlock(&c->lock);
	g_free(c->payload[i]);
	c->payload[i] = NULL;
}

/* A producer that supplies the items 37 at a time, as IMAP's fetching
 * thread supplies batches. */
typedef struct {
	pipe_check *c;
	source_pipe *p;
	guint n;
} producer;

static gpointer
produce(gpointer data)
{
	producer *pr = data;

	for (guint upto = 0; upto < pr->n;) {
		upto = MIN(upto + 37, pr->n);
		g_mutex_lock(&pr->c->lock);
		pr->c->supplied = upto;
		g_mutex_unlock(&pr->c->lock);
		source_pipe_supply(pr->p, upto);
		g_usleep(200);
	}
	return NULL;
}

/* The taker waits for an item to be supplied, as IMAP's scanning thread
 * waits for the batch that holds it. */
static void
wait_supplied(pipe_check *c, guint i)
{
	for (;;) {
		guint s;

		g_mutex_lock(&c->lock);
		s = c->supplied;
		g_mutex_unlock(&c->lock);
		if (i < s)
			return;
		g_usleep(50);
	}
}

/* A prepare that takes a while, so that the workers fall behind. */
static gsize
pipe_check_prepare_slowly(guint i, gpointer data)
{
	g_usleep(300);
	return pipe_check_prepare(i, data);
}

/* The taker prepares items itself rather than wait for workers that are
 * behind, and releases those itself. */
static void
test_source_pipe_taker_helps(void **state)
{
	pipe_check *c = g_new0(pipe_check, 1);
	source_pipe *p;
	guint by_taker = 0;

	(void)state;
	g_mutex_init(&c->lock);
	c->taker = g_thread_self();
	c->supplied = G_MAXUINT;
	p = source_pipe_new(200, PIPE_AHEAD, pipe_check_prepare_slowly,
		pipe_check_release, c);
	for (guint i = 0; i < 200; i++) {
		source_pipe_take(p, i);
		g_mutex_lock(&c->lock);
		c->handed = i + 1;
		g_mutex_unlock(&c->lock);
		source_pipe_done(p, i);
	}
	source_pipe_free(p);
	for (guint i = 0; i < 200; i++) {
		assert_int_equal(c->prepared[i], 1);
		assert_int_equal(c->released[i], 1);
		by_taker += c->by[i] == c->taker;
	}
	assert_true(by_taker > 0);
	assert_int_equal(c->outstanding, 0);
	g_mutex_clear(&c->lock);
	g_free(c);
}

/* The most items prepared ahead of a slow taker, each saying it holds
 * `cost` bytes. */
static guint
most_held_with(gsize cost)
{
	pipe_check *c = g_new0(pipe_check, 1);
	source_pipe *p;
	guint most;

	g_mutex_init(&c->lock);
	c->taker = g_thread_self();
	c->supplied = G_MAXUINT;
	c->cost = cost;
	p = source_pipe_new(200, PIPE_AHEAD, pipe_check_prepare, pipe_check_release, c);
	for (guint i = 0; i < 200; i++) {
		source_pipe_take(p, i);
		g_usleep(500);
		g_mutex_lock(&c->lock);
		c->handed = i + 1;
		g_mutex_unlock(&c->lock);
		source_pipe_done(p, i);
	}
	source_pipe_free(p);
	assert_int_equal(c->outstanding, 0);
	most = c->most_held;
	g_mutex_clear(&c->lock);
	g_free(c);
	return most;
}

/* What is prepared ahead is bounded by bytes as well as by count: items
 * of a quarter of SOURCE_PIPE_BYTES each, four at a time (and one more
 * per preparing thread, begun while the bound was not reached). */
static void
test_source_pipe_byte_bound(void **state)
{
	guint threads = MIN(g_get_num_processors(), 4);

	(void)state;
	assert_true(most_held_with(SOURCE_PIPE_BYTES / 4) <= 4 + threads);
	if (threads > 1)
		assert_true(most_held_with(1) > 4 + threads);
}

static void
run_pipe_with(guint n, guint stop_after, gboolean supplied)
{
	pipe_check *c = g_new0(pipe_check, 1);
	source_pipe *p;
	producer pr;
	GThread *t = NULL;
	guint taken = 0;

	g_mutex_init(&c->lock);
	c->taker = g_thread_self();
	c->supplied = supplied ? 0 : G_MAXUINT;
	if (supplied) {
		p = source_pipe_new_supplied(n, PIPE_AHEAD, pipe_check_prepare,
			pipe_check_release, c);
		pr = (producer){ c, p, n };
		t = g_thread_new("producer", produce, &pr);
	} else {
		p = source_pipe_new(n, PIPE_AHEAD, pipe_check_prepare,
			pipe_check_release, c);
	}
	for (guint i = 0; i < n && i < stop_after; i++) {
		char want[32];

		wait_supplied(c, i);
		source_pipe_take(p, i);
		g_snprintf(want, sizeof want, "item %u", i);
		assert_string_equal(c->payload[i], want);
		taken++;
		/* the last one taken is kept, as a caller that fails does */
		if (i + 1 < stop_after) {
			g_mutex_lock(&c->lock);
			c->handed = i + 1;
			g_mutex_unlock(&c->lock);
			source_pipe_done(p, i);
		}
	}
	if (t != NULL)
		g_thread_join(t);
	source_pipe_free(p);
	for (guint i = 0; i < n; i++) {
		assert_true(c->prepared[i] <= 1);
		assert_int_equal(c->released[i], c->prepared[i]);
		if (i < taken)
			assert_int_equal(c->prepared[i], 1);
		/* stored +100, so 0 means "prepared by the taker" */
		if (c->worker_nice[i] != 0)
			assert_true(c->worker_nice[i] - 100 > thread_nice() ||
				thread_nice() == 19);
	}
	assert_int_equal(c->outstanding, 0);
	g_mutex_clear(&c->lock);
	g_free(c);
}

static void
run_pipe(guint n, guint stop_after)
{
	run_pipe_with(n, stop_after, FALSE);
	run_pipe_with(n, stop_after, TRUE);
}

static void
test_source_pipe(void **state)
{
	(void)state;
	run_pipe(PIPE_ITEMS, G_MAXUINT);   /* to the end */
	run_pipe(PIPE_ITEMS, 100);         /* the taker stops early */
	run_pipe(1, G_MAXUINT);
	run_pipe(0, G_MAXUINT);
	run_pipe(5, G_MAXUINT);            /* fewer than a wake batch */
}

/* A transaction is due after SOURCE_COMMIT messages, counted one at a
 * time or by fetched batch, or SOURCE_COMMIT_SECONDS after its first. */
static void
test_source_batch(void **state)
{
	source_batch b = { 0, 0 };
	guint n = 0;

	(void)state;
	while (!source_batch_due(&b, 1))
		n++;
	assert_int_equal(n + 1, SOURCE_COMMIT);
	source_batch_committed(&b);
	assert_false(source_batch_due(&b, SOURCE_COMMIT - 1));
	assert_true(source_batch_due(&b, 1));
	source_batch_committed(&b);
	assert_false(source_batch_due(&b, 1));
	/* the first message of this batch came long ago */
	b.since -= (SOURCE_COMMIT_SECONDS + 1) * G_USEC_PER_SEC;
	assert_true(source_batch_due(&b, 1));
	source_batch_committed(&b);
	assert_false(source_batch_due(&b, 1));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_safe_terminal),
		cmocka_unit_test(test_safe_html_header_json),
		cmocka_unit_test(test_output_formats),
		cmocka_unit_test(test_spool),
		cmocka_unit_test(test_spool_watch),
		cmocka_unit_test(test_source_pipe),
		cmocka_unit_test(test_source_pipe_taker_helps),
		cmocka_unit_test(test_source_pipe_byte_bound),
		cmocka_unit_test(test_source_batch),
		cmocka_unit_test(test_exit_codes),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
