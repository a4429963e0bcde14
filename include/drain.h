/*
 * drain.h - opening the store the way every command does: open it, then
 * ingest whatever `kith filter` left in the spool, so no command ever
 * reads a store that lags behind delivered mail.
 */
#ifndef KITH_DRAIN_H
#define KITH_DRAIN_H

#include "config.h"
#include "ingest.h"
#include "kith.h"
#include "store.h"

/*
 * Opens cfg->db_path and drains cfg->spool_dir into it (when no other
 * process is draining it).  A spool file is removed only after its
 * transaction commits; one that is not a message moves to failed/.
 * *out is the open store (store_close).
 */
kith_status drain_open_store(const kith_config *cfg, kith_store **out,
	char **errstr);

/* Drains the spool into an open store until it is empty; *count (may be
 * NULL) gets the number of files ingested.  With `wait`, a drain already
 * under way in another process is waited for (so what follows reads a
 * store that has every delivered message); without, it is left to finish
 * on its own and this returns at once. */
kith_status drain_spool(const kith_config *cfg, kith_store *store,
	gboolean wait, guint *count, char **errstr);

/* The background drain `kith filter` starts: returns at once when
 * another background drainer is present (it will take what was spooled);
 * otherwise drains, then waits up to cfg->drain_linger seconds for more
 * deliveries, draining each, and returns after a quiet spell. */
kith_status drain_spool_background(const kith_config *cfg, kith_store *store,
	guint *count, char **errstr);

#endif
