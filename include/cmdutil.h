/*
 * cmdutil.h - what the command files share: option parsing with a
 * command-specific usage line, reading stdin, and formatting dates.
 */
#ifndef KITH_CMDUTIL_H
#define KITH_CMDUTIL_H

#include <glib.h>

#include "config.h"
#include "kith.h"
#include "output.h"

/*
 * Parses a command's options (`entries`, NULL-terminated) from argv, where
 * argv[0] is the command name.  `params` is the usage line's argument part
 * ("[ADDRESS]"), `summary` its description.  Leaves the remaining
 * arguments in argc and argv (argv[0] still the command).  KITH_E_USAGE with
 * GOption's message on error.
 */
kith_status cmd_parse_options(int *argc, char ***argv, const GOptionEntry *entries,
	const char *params, const char *summary, char **errstr);

/* Parses a --format value (NULL: text) into *out. */
kith_status cmd_parse_format(const char *name, output_format *out, char **errstr);

/* Reads all of a stream (stdin) into a new byte array; never fails (a
 * read error keeps what was read, and is logged). */
GByteArray *cmd_read_all(int fd, gsize max_bytes);

/* Writes all of `data` to `fd`; FALSE on a write error (errno set). */
gboolean cmd_write_all(int fd, const void *data, gsize len);

/* "YYYY-MM-DD" in the local zone for a Unix time; 0 gives "-". */
char *cmd_format_date(gint64 unix_time);

#endif
