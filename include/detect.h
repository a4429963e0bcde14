/*
 * detect.h - finding requests, promises and the other ledger signals in
 * the new text of a message, sentence by sentence, with the rules of
 * rules.h and the due dates of dates.h.  Pure text in, hits out: no store.
 */
#ifndef KITH_DETECT_H
#define KITH_DETECT_H

#include <glib.h>

#include "config.h"
#include "rules.h"

typedef enum {
	DETECT_NONE = 0,
	DETECT_REQUEST,   /* the writer asks the reader to do or answer something */
	DETECT_PROMISE,   /* the writer commits to doing something */
	DETECT_THANKS,    /* help received by the writer */
	DETECT_OFFER,     /* help offered by the writer */
	DETECT_INTRO,     /* the writer introduces people ("X, meet Y") */
	DETECT_FULFIL,    /* "attached", "here is", "as promised", "I've sent" */
	DETECT_NEED,      /* "I'm looking for", "we're hiring", "I need" */
	DETECT_KIND_COUNT
} detect_kind;

/* "none", "request", "promise", "thanks", "offer", "intro", "fulfil", "need" */
const char *detect_kind_name(detect_kind kind);
gboolean detect_kind_parse(const char *name, detect_kind *out);

typedef struct {
	detect_kind kind;
	char *sentence;       /* the sentence, whitespace-normalised */
	char *rule_id;        /* the rule that fired */
	gboolean has_due;
	GDate due;            /* valid when has_due */
	char *due_phrase;     /* the words that gave the date, or NULL */
	char *target;         /* for a promised or made introduction: the person
	                         introduced ("Sarah"), or NULL */
} detect_hit;

typedef struct {
	GDateTime *date;      /* the message's Date in the sender's zone; NULL: none */
	date_order order;     /* how "4/2" reads */
} detect_ctx;

void detect_hit_free(detect_hit *hit);

/*
 * Splits `text` into sentences and classifies each.  Returns a new
 * GPtrArray of detect_hit* (free function set; g_ptr_array_unref), one per
 * sentence that is not DETECT_NONE, in text order.  A sentence yields at
 * most one hit: the highest-weighted kind after vetoes.
 */
GPtrArray *detect_text(const kith_rules *rules, const char *text,
	const detect_ctx *ctx);

/*
 * Classifies one sentence.  Fills *hit (caller frees its members with
 * detect_hit_clear) and returns its kind; DETECT_NONE leaves hit empty.
 */
detect_kind detect_sentence(const kith_rules *rules, const char *sentence,
	const detect_ctx *ctx, detect_hit *hit);
void detect_hit_clear(detect_hit *hit);

#endif
