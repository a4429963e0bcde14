/* log.c - the one logging API (see log.h). */
#include <stdarg.h>
#include <stdio.h>
#include <unistd.h>

#include "log.h"
#include "safe.h"

/* Set once from the command line; the only logger state. */
static int verbosity;
static gboolean progress_shown;
/* Whether stderr is a terminal: asked once (-1 until then), because
 * progress is checked once a message and each check is a system call. */
static int stderr_is_tty = -1;

void
log_set_verbosity(int v)
{
	verbosity = v;
}

int
log_get_verbosity(void)
{
	return verbosity;
}

static void
log_emit(const char *level, const char *fmt, va_list ap)
{
	char *raw = g_strdup_vprintf(fmt, ap);
	/* Messages quote untrusted text (subjects, addresses, server
	 * replies): make them safe for a terminal, but keep them whole. */
	char *clean = safe_terminal(raw, 0);

	if (progress_shown)
		log_progress_end();
	if (level != NULL)
		fprintf(stderr, "kith: %s: %s\n", level, clean);
	else
		fprintf(stderr, "kith: %s\n", clean);
	g_free(clean);
	g_free(raw);
}

void
log_error(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_emit(NULL, fmt, ap);
	va_end(ap);
}

void
log_warn(const char *fmt, ...)
{
	va_list ap;

	if (verbosity < 0)
		return;
	va_start(ap, fmt);
	log_emit("warning", fmt, ap);
	va_end(ap);
}

void
log_info(const char *fmt, ...)
{
	va_list ap;

	if (verbosity < 1)
		return;
	va_start(ap, fmt);
	log_emit(NULL, fmt, ap);
	va_end(ap);
}

void
log_debug(const char *fmt, ...)
{
	va_list ap;

	if (verbosity < 2)
		return;
	va_start(ap, fmt);
	log_emit("debug", fmt, ap);
	va_end(ap);
}

gboolean
log_progress_enabled(void)
{
	if (verbosity < 0)
		return FALSE;
	if (stderr_is_tty < 0)
		stderr_is_tty = isatty(STDERR_FILENO) ? 1 : 0;
	return stderr_is_tty == 1;
}

void
log_progress(const char *fmt, ...)
{
	va_list ap;
	char *raw, *clean;

	if (!log_progress_enabled())
		return;
	va_start(ap, fmt);
	raw = g_strdup_vprintf(fmt, ap);
	va_end(ap);
	clean = safe_terminal(raw, 100);
	fprintf(stderr, "\r\033[K%s", clean);
	fflush(stderr);
	progress_shown = TRUE;
	g_free(clean);
	g_free(raw);
}

void
log_progress_end(void)
{
	if (!progress_shown)
		return;
	fputs("\r\033[K", stderr);
	fflush(stderr);
	progress_shown = FALSE;
}
