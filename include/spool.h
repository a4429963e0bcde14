/*
 * spool.h - the queue between `kith filter` and the store.  The filter
 * writes each message here atomically (tmp/, fsync, rename into new/) and
 * returns at once; a drainer (any command that opens the store) ingests the
 * spool under an exclusive lock and removes each file once it is
 * committed.  Files that are not messages move to failed/ and are kept.
 * Directories are created 0700 and files 0600.  This file needs only GLib,
 * so the fast delivery path links nothing else.
 */
#ifndef KITH_SPOOL_H
#define KITH_SPOOL_H

#include <glib.h>

#include "kith.h"

/* Spool file flags, carried in the file name. */
enum { SPOOL_SENT = 1 << 0 };

/* Writes one message atomically; *path_out (may be NULL) gets its path. */
kith_status spool_write(const char *spool_dir, const char *data, gsize len,
	unsigned flags, char **path_out, char **errstr);

/* The same, remembering `me` (NULL-terminated identities given on the
 * command line, e.g. --me) beside the message in meta/, so whichever
 * process drains it knows them too. */
kith_status spool_write_as(const char *spool_dir, const char *data, gsize len,
	unsigned flags, char *const *me, char **path_out, char **errstr);

/* The identities remembered for a spool file (new vector, NULL when none). */
char **spool_file_identities(const char *spool_dir, const char *path);

/* Removes a spool file that was recorded, with what was kept beside it. */
void spool_remove(const char *spool_dir, const char *path);

/* Takes the drain lock without waiting; returns its fd (>= 0) or -1 when
 * another process holds it or it cannot be made. */
int spool_lock_try(const char *spool_dir);
void spool_unlock(int lock_fd);
/* The background drainer's lock, held for its whole life, lingering
 * included: a filter that finds it taken leaves its message to that
 * drainer instead of starting one.  Its fd (>= 0), or -1 when taken. */
int spool_drainer_try(const char *spool_dir);
/* Takes the drain lock, waiting up to `timeout_ms` for another drainer to
 * finish; -1 on timeout or error. */
int spool_lock_wait(const char *spool_dir, int timeout_ms);

/* Paths of the messages waiting in new/, oldest first (new array of char*). */
GPtrArray *spool_list(const char *spool_dir);

/* Flags of a spool file, from its name. */
unsigned spool_file_flags(const char *path);

/* Moves a spool file that cannot be ingested to failed/. */
kith_status spool_set_aside(const char *spool_dir, const char *path,
	char **errstr);

/* Waiting for deliveries: a watch on new/ (inotify, else polling). */
typedef struct spool_watch spool_watch;

/* Starts watching; anything delivered from now on wakes spool_watch_wait. */
spool_watch *spool_watch_new(const char *spool_dir);
/* Waits up to `timeout_ms` for a message to arrive in new/.  TRUE when
 * one may have; FALSE on timeout, or when the spool has gone. */
gboolean spool_watch_wait(spool_watch *w, int timeout_ms);
void spool_watch_free(spool_watch *w);

#endif
