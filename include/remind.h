/*
 * remind.h - the remind stage: reads the store and says what needs the
 * user's attention today (cfg->now).  No formatting here: `kith remind`
 * and the digest (digest.h) present the report.
 *
 *   owe         items I owe whose due date has come (an item without a
 *               date is due cfg->default_due_days after it was made)
 *   waiting     items they owe me that are past due: follow up
 *   unanswered  a request I sent that got no reply from them (or from
 *               the others it went to) after cfg->unanswered_days
 *               business days (Saturdays and Sundays do not count);
 *               auto-replies make no interactions, so never count
 *   reconnect   contacts I have written to at least once whose last
 *               exchange (either direction) is older than their cadence
 *               (contacts.cadence, else the role's), ranked by how far
 *               past it they are times how strong the relationship is
 *   balance     contacts I asked three times or more (my requests to
 *               them) without ever giving anything: offer help first
 *   need        what they said they are looking for, in the last
 *               cfg->default_cadence days, unless I answered it since
 *               with an introduction, an offer or a promise
 *
 * Every item is in at most one of owe, waiting, unanswered.  Items that are
 * done or dismissed never appear; snoozed ones come back on the day their
 * snooze ends.
 *
 * Ownership: a remind_report owns its entries and their strings;
 * remind_report_free() releases them.
 */
#ifndef KITH_REMIND_H
#define KITH_REMIND_H

#include <glib.h>

#include "config.h"
#include "kith.h"
#include "store.h"

typedef enum {
	REMIND_OWE = 0,
	REMIND_WAITING,
	REMIND_UNANSWERED,
	REMIND_RECONNECT,
	REMIND_BALANCE,
	REMIND_NEED,
	REMIND_KIND_COUNT
} remind_kind;

/* "owe", "waiting", "unanswered", "reconnect", "balance", "need". */
const char *remind_kind_name(remind_kind kind);

typedef struct {
	remind_kind kind;
	gint64 item_id;        /* owe, waiting, unanswered: the item; else 0 */
	gint64 contact_id;
	char *address;         /* the contact's first address (never NULL) */
	char *name;            /* their display name, "" when unknown */
	char *what;            /* the item's kind ("request", "promise"), or
	                          "need"; NULL for reconnect and balance */
	char *sentence;        /* the sentence that made it (the why), or NULL */
	char *subject;         /* the subject of that message, or NULL */
	GDate date;            /* owe, waiting: the due date; unanswered: the
	                          day it was sent; reconnect: the last
	                          exchange; need: the day it was said;
	                          balance: the last request */
	gboolean due_explicit; /* owe, waiting: the date came from the text */
	int days;              /* owe, waiting: days past due (0: due today);
	                          unanswered: business days waiting;
	                          reconnect: days since the last exchange;
	                          need: days ago; balance: times asked */
	int cadence;           /* reconnect: the cadence in days */
	double strength;       /* the relationship's strength (remind_strength) */
	double score;          /* the rank within its kind, higher first */
} remind_entry;

typedef struct {
	GDate today;           /* cfg->now's date */
	GPtrArray *entries;    /* remind_entry*, grouped by kind in enum order,
	                          most urgent first within a kind */
	guint count[REMIND_KIND_COUNT];
	guint overdue;         /* owe entries strictly past due */
} remind_report;

/*
 * Builds the report for cfg->now.  Reads only.  *out is new
 * (remind_report_free).
 */
kith_status remind_compute(kith_store *store, const kith_config *cfg,
	remind_report **out, char **errstr);
void remind_report_free(remind_report *report);

/* The entries of one kind, in order (a new array of borrowed pointers). */
GPtrArray *remind_report_kind(const remind_report *report, remind_kind kind);

/* Total entries. */
guint remind_report_total(const remind_report *report);

/* --- relationships -------------------------------------------------- */

/*
 * What the store knows of a relationship.  gave: my promises kept and
 * their requests I fulfilled (items I owed, done), introductions and offers
 * I made them, thanks they sent me; took: my requests to them and thanks I
 * sent them.
 */
typedef struct {
	guint sent;            /* messages I sent them */
	guint received;        /* messages they sent me */
	guint copied;          /* messages where we were both only recipients */
	gint64 last;           /* unix time of the last interaction; 0: none */
	guint gave;
	guint took;
	guint asked;           /* my requests to them (part of took) */
	double strength;       /* remind_strength(sent, received) */
} remind_relation;

kith_status remind_relation_get(kith_store *store, gint64 contact_id,
	remind_relation *out, char **errstr);

/*
 * A relationship's strength from the mail in each direction: the two-way
 * part (min(sent, received)) weighs most, mail that only flows one way
 * counts a twentieth as much; it saturates (x / (1 + x/8), x = two-way +
 * one-way/20), so 0 for no mail, about 0.9 for one message each way, less
 * for ten messages one way, and never above 8.
 */
double remind_strength(guint sent, guint received);

/* Business days (Monday to Friday) after `from` up to and including `to`;
 * 0 when `to` is not after `from`. */
int remind_business_days(const GDate *from, const GDate *to);

/* The local calendar date of a Unix time. */
void remind_date_of_unix(gint64 unix_time, GDate *out);

/* cfg->now's calendar date. */
void remind_today(const kith_config *cfg, GDate *out);

#endif
