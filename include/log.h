/*
 * log.h - the one logging API.
 *
 * Everything goes to stderr, prefixed "kith: ".  Every formatted message is
 * passed through safe_terminal() before it is written, so a hostile subject
 * or address cannot drive the terminal.  Verbosity: -1 quiet (errors only),
 * 0 normal (errors and warnings), 1 verbose (info), 2 debug.
 * log_progress() draws a single updatable line, and only when stderr is a
 * terminal and verbosity >= 0.
 */
#ifndef KITH_LOG_H
#define KITH_LOG_H

#include <glib.h>

void log_set_verbosity(int verbosity);
int log_get_verbosity(void);

void log_error(const char *fmt, ...) G_GNUC_PRINTF(1, 2);
void log_warn(const char *fmt, ...) G_GNUC_PRINTF(1, 2);
void log_info(const char *fmt, ...) G_GNUC_PRINTF(1, 2);
void log_debug(const char *fmt, ...) G_GNUC_PRINTF(1, 2);

/* TRUE when progress lines are shown (stderr is a tty, not quiet). */
gboolean log_progress_enabled(void);
/* Rewrites the progress line; log_progress_end() clears it. */
void log_progress(const char *fmt, ...) G_GNUC_PRINTF(1, 2);
void log_progress_end(void);

#endif
