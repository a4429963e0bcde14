/*
 * source_imap.c - IMAP folders (imap.h), read-only.  The scan state of a
 * folder is (UIDVALIDITY, the highest UID recorded), kept under the source
 * "imap://USER@HOST:PORT" so the same mailbox reached through a configured
 * account or --imap shares it.  Each batch of SOURCE_BATCH messages is
 * fetched first, then ingested and committed together with the new state in
 * one transaction, so the store is never locked while waiting on the
 * network and an interrupted scan resumes after the last committed batch.
 * A changed UIDVALIDITY rescans the folder from the start; the store's
 * Message-ID key keeps that rescan free of duplicates.
 */
#include <string.h>

#include "imap.h"
#include "log.h"
#include "source.h"
#include "store.h"

typedef struct {
	const kith_account *acct;  /* borrowed */
	kith_ingest *ing;          /* borrowed */
	kith_imap *imap;           /* owned */
	char *source;              /* "imap://user@host:port" */
} imap_scan;

/* The state key of an account's mailbox (new string). */
static char *
source_key(const kith_account *acct)
{
	int port = acct->port > 0 ? acct->port : (acct->tls == TLS_IMAPS ? 993 : 143);
	char *host = g_ascii_strdown(acct->host != NULL ? acct->host : "", -1);
	char *key = g_strdup_printf("imap://%s@%s:%d", acct->user ? acct->user : "",
		host, port);

	g_free(host);
	return key;
}

/* Ingests one fetched batch and saves the folder state with it, in one
 * transaction. */
static kith_status
store_batch(imap_scan *scan, const char *folder, GPtrArray *msgs,
	unsigned flags, const store_scan_state *state, char **errstr)
{
	kith_store *store = ingest_store(scan->ing);
	kith_status status;

	status = store_begin(store, errstr);
	if (status != KITH_OK)
		goto out;
	for (guint i = 0; i < msgs->len; i++) {
		const imap_message *m = g_ptr_array_index(msgs, i);
		char *err = NULL;

		status = ingest_message(scan->ing, m->data, m->len, flags, &err);
		if (status == KITH_E_DATA) {
			log_warn("%s: %s: UID %u: %s; skipped", imap_where(scan->imap),
				folder, m->uid, err);
			status = KITH_OK;
		} else if (status != KITH_OK) {
			kith_fail(errstr, status, "%s", err);
		}
		g_free(err);
		if (status != KITH_OK)
			goto out;
	}
	status = store_scan_state_set(store, scan->source, folder, state, errstr);
	if (status != KITH_OK)
		goto out;
	status = ingest_commit(scan->ing, errstr);
out:
	if (status != KITH_OK)
		ingest_rollback(scan->ing);
	return status;
}

/* Fetches and stores the UIDs of `uids` in batches. */
static kith_status
scan_uids(imap_scan *scan, const imap_folder *folder, GArray *uids,
	store_scan_state *state, guint64 modseq, char **errstr)
{
	unsigned flags = folder->sent ? INGEST_SENT : 0;
	kith_status status = KITH_OK;

	for (guint off = 0; off < uids->len; off += SOURCE_BATCH) {
		guint n = MIN(SOURCE_BATCH, uids->len - off);
		const imap_uid_size *batch = &g_array_index(uids, imap_uid_size, off);
		GPtrArray *msgs = NULL;

		log_debug("%s: %s: fetching UIDs %u to %u (%u messages)",
			imap_where(scan->imap), folder->name, batch[0].uid,
			batch[n - 1].uid, n);
		status = imap_fetch(scan->imap, batch, n, &msgs, NULL, errstr);
		if (status != KITH_OK)
			goto out;
		/* Past every UID asked for: the gone and the skipped too. */
		state->last_uid = batch[n - 1].uid;
		if (off + n == uids->len)
			state->modseq = (gint64)modseq;
		status = store_batch(scan, folder->name, msgs, flags, state, errstr);
		g_ptr_array_unref(msgs);
		if (status != KITH_OK)
			goto out;
		source_progress(folder->name, off + n, uids->len);
		if (off + n < uids->len && source_stop_requested()) {
			status = KITH_E_INTERRUPTED;
			goto out;
		}
	}
out:
	return status;
}

static kith_status
scan_folder(imap_scan *scan, const imap_folder *folder, char **errstr)
{
	kith_store *store = ingest_store(scan->ing);
	store_scan_state state = { 0 };
	imap_mailbox_info info;
	GArray *uids = NULL;
	kith_status status;
	gboolean reset;

	status = store_scan_state_get(store, scan->source, folder->name, &state,
		errstr);
	if (status != KITH_OK)
		goto out;
	status = imap_examine(scan->imap, folder->name, &info, errstr);
	if (status != KITH_OK)
		goto out;
	reset = state.uidvalidity != (gint64)info.uidvalidity;
	if (reset) {
		if (state.uidvalidity != 0)
			log_info("%s: %s: UIDVALIDITY changed; reading the folder again",
				imap_where(scan->imap), folder->name);
		state.uidvalidity = info.uidvalidity;
		state.last_uid = 0;
		state.modseq = 0;
	} else if (info.uidnext > 0 && state.last_uid >= (gint64)info.uidnext - 1) {
		log_debug("%s: %s: nothing new", imap_where(scan->imap), folder->name);
		goto out;
	}
	status = imap_list_uids(scan->imap, (guint32)state.last_uid, &uids, errstr);
	if (status != KITH_OK)
		goto out;
	log_info("%s: %s: %u new message%s", imap_where(scan->imap), folder->name,
		uids->len, uids->len == 1 ? "" : "s");
	if (uids->len == 0) {
		if (reset || state.modseq != (gint64)info.highestmodseq) {
			GPtrArray *none = g_ptr_array_new();

			state.modseq = (gint64)info.highestmodseq;
			status = store_batch(scan, folder->name, none, 0, &state, errstr);
			g_ptr_array_unref(none);
		}
		goto out;
	}
	status = scan_uids(scan, folder, uids, &state, info.highestmodseq, errstr);
out:
	source_progress_end();
	if (uids != NULL)
		g_array_unref(uids);
	store_scan_state_clear(&state);
	return status;
}

static kith_status
imap_scan_account(const kith_account *acct, kith_ingest *ing, char **errstr)
{
	imap_scan scan = { .acct = acct, .ing = ing };
	GPtrArray *folders = NULL;
	kith_status status, missing = KITH_OK;
	char *missing_err = NULL;

	scan.source = source_key(acct);
	status = imap_connect(acct, &scan.imap, errstr);
	if (status != KITH_OK)
		goto out;
	imap_set_stop_check(scan.imap, source_stop_requested);
	status = imap_folders(scan.imap, &folders, errstr);
	if (status != KITH_OK)
		goto out;
	for (guint i = 0; i < folders->len; i++) {
		const imap_folder *f = g_ptr_array_index(folders, i);
		char *err = NULL;

		if (source_stop_requested()) {
			status = KITH_E_INTERRUPTED;
			goto out;
		}
		status = scan_folder(&scan, f, &err);
		if (status == KITH_E_NOINPUT) {
			/* A configured folder the server does not have. */
			log_warn("%s", err);
			if (missing == KITH_OK) {
				missing = status;
				missing_err = g_steal_pointer(&err);
			}
			status = KITH_OK;
		} else if (status != KITH_OK && status != KITH_E_INTERRUPTED) {
			kith_fail(errstr, status, "%s", err);
		}
		g_free(err);
		if (status != KITH_OK)
			goto out;
	}
	if (missing != KITH_OK)
		status = kith_fail(errstr, missing, "%s", missing_err);
out:
	if (folders != NULL)
		g_ptr_array_unref(folders);
	imap_close(scan.imap);
	g_free(scan.source);
	g_free(missing_err);
	return status;
}

const source_ops source_imap_ops = { "imap", imap_scan_account };
