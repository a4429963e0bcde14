/*
 * ingest.h - one message through the data path: parse (message.h), decide
 * who is who (config identities), record (store.h), detect (detect.h) and
 * keep the ledger (items.h).  The filter, the spool drain and every scan
 * source feed messages through here, so the same message seen by any of
 * them is one message.
 *
 * An ingest owns its rules and statistics; it borrows the config and store,
 * which must outlive it.
 */
#ifndef KITH_INGEST_H
#define KITH_INGEST_H

#include <glib.h>

#include "config.h"
#include "kith.h"
#include "store.h"

typedef struct kith_ingest kith_ingest;

typedef struct {
	guint64 seen;          /* messages handed to ingest_message */
	guint64 added;         /* new in the store */
	guint64 duplicates;    /* already stored (same Message-ID) */
	guint64 automated;     /* new, and automated (no contacts) */
	guint64 failed;        /* not a message, logged and skipped */
	guint64 contacts_new;
	guint64 items_opened;
	guint64 items_closed;
} ingest_stats;

enum {
	INGEST_SENT = 1 << 0,  /* the message is mine (Sent folder, --sent) */
	/* a partial fetch: attachments are stubs (MESSAGE_PARSE_PARTIAL) */
	INGEST_PARTIAL = 1 << 1,
};

/* Loads the rules; *out is freed with ingest_free(). */
kith_status ingest_new(const kith_config *cfg, kith_store *store,
	kith_ingest **out, char **errstr);
void ingest_free(kith_ingest *ing);

/*
 * ingest_new(), but the rules load in a thread of their own while the
 * caller goes on (lists a mailbox, logs in to a server); a rules error
 * comes from ingest_rules_ready(), which waits for the loading.  Nothing
 * may be prepared or recorded before it has returned KITH_OK.
 */
kith_status ingest_new_loading(const kith_config *cfg, kith_store *store,
	kith_ingest **out, char **errstr);
/* Waits for the rules; KITH_OK at once for an ingest_new() one. */
kith_status ingest_rules_ready(kith_ingest *ing, char **errstr);

/*
 * A message parsed and run through the detector: the work that needs no
 * store.  ingest_prepare() may run in several threads at once (after
 * message_library_init()); ingest_record() runs in the store's thread,
 * in the order the messages should be recorded.
 */
typedef struct {
	kith_status status;   /* of the preparation: KITH_E_DATA for bad input */
	char *err;            /* its message when status != KITH_OK */
	kith_message *msg;
	GPtrArray *hits;      /* detect_hit* of msg->new_text */
} ingest_prepared;

/* `flags`: INGEST_PARTIAL matters here; the others to ingest_record(). */
void ingest_prepare(const kith_ingest *ing, const char *data, gsize len,
	unsigned flags, ingest_prepared *out);
void ingest_prepared_clear(ingest_prepared *p);
/* About how many bytes of memory a prepared message holds: what bounds
 * how far the preparing threads run ahead (source.h). */
gsize ingest_prepared_bytes(const ingest_prepared *p);

/*
 * Records a prepared message (see ingest_message for the transaction and
 * the statuses; a failed preparation is counted and its status returned).
 * `p` stays the caller's to clear, so it can be freed by the thread that
 * prepared it (source.h's pipeline).
 */
kith_status ingest_record(kith_ingest *ing, ingest_prepared *p, unsigned flags,
	char **errstr);

/*
 * Ingests one raw message: ingest_prepare() then ingest_record().  Opens a store transaction if none is open (the
 * caller ends it with ingest_commit, so a batch is one transaction).
 * Bad input returns KITH_E_DATA (counted as failed; the caller logs it and
 * goes on); store failures return their status and the caller must
 * ingest_rollback().
 */
kith_status ingest_message(kith_ingest *ing, const char *data, gsize len,
	unsigned flags, char **errstr);
kith_status ingest_commit(kith_ingest *ing, char **errstr);

/* Identities to count as mine for the messages that follow, besides the
 * config's (a spooled message's --me); NULL-terminated, borrowed until
 * the next call; NULL for none. */
void ingest_set_identities(kith_ingest *ing, char *const *me);
void ingest_rollback(kith_ingest *ing);

const ingest_stats *ingest_get_stats(const kith_ingest *ing);
const kith_config *ingest_config(const kith_ingest *ing);
kith_store *ingest_store(const kith_ingest *ing);

/* "N seen, N new, N automated skipped, N contacts, N items opened, N closed" */
char *ingest_stats_summary(const ingest_stats *stats);

#endif
