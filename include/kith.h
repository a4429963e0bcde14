/*
 * kith.h - the one error model shared by every stage.
 *
 * A fallible function returns a kith_status.  When it fails and its caller
 * passed a non-NULL `char **errstr`, it stores there a newly allocated,
 * human-readable message (free it with g_free); on success *errstr is left
 * untouched.  Messages say what failed and why, without a trailing newline
 * and without the "kith: " prefix, which the logger adds.
 *
 * Allocation failure aborts (GLib's allocators do); bad input never does.
 * kith_exit_code() in status.c is the only place that maps a status to a
 * process exit code (sysexits.h values, documented in kith(1)).
 */
#ifndef KITH_H
#define KITH_H

#include <glib.h>

#define KITH_VERSION "0.1.0"

typedef enum {
	KITH_OK = 0,
	KITH_E_USAGE,       /* bad command line                      EX_USAGE 64 */
	KITH_E_DATA,        /* bad input: message, rule file, vCard   EX_DATAERR 65 */
	KITH_E_NOINPUT,     /* an input file is missing or unreadable EX_NOINPUT 66 */
	KITH_E_NOHOST,      /* host name does not resolve             EX_NOHOST 68 */
	KITH_E_UNAVAILABLE, /* connection refused, service down       EX_UNAVAILABLE 69 */
	KITH_E_SOFTWARE,    /* internal error                         EX_SOFTWARE 70 */
	KITH_E_OS,          /* system call failed                     EX_OSERR 71 */
	KITH_E_CANTCREAT,   /* cannot create an output file           EX_CANTCREAT 73 */
	KITH_E_IO,          /* read or write error                    EX_IOERR 74 */
	KITH_E_TEMPFAIL,    /* try again later: store busy, net drop  EX_TEMPFAIL 75 */
	KITH_E_PROTOCOL,    /* remote protocol or TLS failure         EX_PROTOCOL 76 */
	KITH_E_NOPERM,      /* wrong password, refused permissions    EX_NOPERM 77 */
	KITH_E_CONFIG,      /* bad configuration                      EX_CONFIG 78 */
	KITH_E_INTERRUPTED, /* stopped by a signal after a clean stop  130 */
} kith_status;

/* Sets *errstr (when errstr is not NULL) to a printf-formatted message and
 * returns `status`, so a failure reads `return kith_fail(errstr, S, ...)`. */
kith_status kith_fail(char **errstr, kith_status status, const char *fmt, ...)
	G_GNUC_PRINTF(3, 4);

/* The process exit code for a status (sysexits.h). */
int kith_exit_code(kith_status status);

/* A short stable name for a status ("usage", "tempfail", ...). */
const char *kith_status_name(kith_status status);

#endif
