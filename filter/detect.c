/*
 * detect.c - the ledger signals of a text: sentences (sentences.h) through
 * the rules (rules.h), with a due date (dates.h) for each hit.
 */
#include <string.h>

#include "dates.h"
#include "detect.h"
#include "sentences.h"

static const char *const kind_names[DETECT_KIND_COUNT] = {
	"none", "request", "promise", "thanks", "offer", "intro", "fulfil",
	"need"
};

const char *
detect_kind_name(detect_kind kind)
{
	if ((int)kind < 0 || kind >= DETECT_KIND_COUNT)
		return "none";
	return kind_names[kind];
}

gboolean
detect_kind_parse(const char *name, detect_kind *out)
{
	for (int k = 0; k < DETECT_KIND_COUNT; k++) {
		if (name != NULL && strcmp(name, kind_names[k]) == 0) {
			*out = (detect_kind)k;
			return TRUE;
		}
	}
	return FALSE;
}

void
detect_hit_clear(detect_hit *hit)
{
	if (hit == NULL)
		return;
	g_free(hit->sentence);
	g_free(hit->rule_id);
	g_free(hit->due_phrase);
	g_free(hit->target);
	memset(hit, 0, sizeof *hit);
}

void
detect_hit_free(detect_hit *hit)
{
	if (hit == NULL)
		return;
	detect_hit_clear(hit);
	g_free(hit);
}

/* Strips spaces and trailing punctuation from a captured name. */
static char *
clean_target(char *target)
{
	gsize n;

	if (target == NULL)
		return NULL;
	g_strstrip(target);
	n = strlen(target);
	while (n > 0 && strchr(".,;:!?)\"'", target[n - 1]) != NULL)
		target[--n] = '\0';
	if (n == 0)
		g_clear_pointer(&target, g_free);
	return target;
}

detect_kind
detect_sentence(const kith_rules *rules, const char *sentence,
	const detect_ctx *ctx, detect_hit *hit)
{
	char *valid = NULL;
	const char *text = sentence;
	rules_verdict v;
	detect_kind kind = DETECT_NONE;

	memset(hit, 0, sizeof *hit);
	if (sentence == NULL)
		goto out;
	if (!g_utf8_validate(sentence, -1, NULL))
		text = valid = g_utf8_make_valid(sentence, -1);
	kind = (detect_kind)rules_classify(rules, text, strlen(text), &v);
	if (kind == DETECT_NONE)
		goto out;
	hit->kind = kind;
	hit->sentence = g_strdup(text);
	hit->rule_id = g_strdup(v.rule_id);
	hit->target = clean_target(v.target);
	g_date_clear(&hit->due, 1);
	hit->has_due = dates_find_due(text, ctx != NULL ? ctx->date : NULL,
		ctx != NULL ? ctx->order : DATE_ORDER_MDY, &hit->due,
		&hit->due_phrase);
out:
	g_free(valid);
	return kind;
}

GPtrArray *
detect_text(const kith_rules *rules, const char *text, const detect_ctx *ctx)
{
	GPtrArray *hits = g_ptr_array_new_with_free_func(
		(GDestroyNotify)detect_hit_free);
	GPtrArray *sentences = sentences_split(text);

	for (guint i = 0; i < sentences->len; i++) {
		detect_hit *hit = g_new0(detect_hit, 1);

		if (detect_sentence(rules, sentences->pdata[i], ctx, hit) !=
		    DETECT_NONE)
			g_ptr_array_add(hits, hit);
		else
			detect_hit_free(hit);
	}
	g_ptr_array_unref(sentences);
	return hits;
}
