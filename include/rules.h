/*
 * rules.h - the PCRE2 rule files of kith-rules(5).  Shipped rules live in
 * the system rules directory; files in the user's rules.d add to them or
 * override them by rule id.  Every pattern is compiled once per process,
 * with JIT where available.
 */
#ifndef KITH_RULES_H
#define KITH_RULES_H

#include <glib.h>

#include "kith.h"

typedef struct kith_rules kith_rules;

/*
 * Loads every "*.rules" file of `system_dir` then of `user_dir` (either may
 * be NULL or absent), in name order; a later rule with the same id replaces
 * the earlier one.  Errors are KITH_E_DATA with "FILE:LINE:COLUMN: message"
 * (PCRE2's own message for a bad pattern).  *out is freed with rules_free().
 */
kith_status rules_load_dirs(const char *system_dir, const char *user_dir,
	kith_rules **out, char **errstr);

/* The "*.rules" files of `dir` in name order (a new array of new paths;
 * empty when the directory is absent). */
GPtrArray *rules_dir_files(const char *dir);

/* Loads the listed files, in order, with the same override rule. */
kith_status rules_load_files(const char *const *paths, gsize n,
	kith_rules **out, char **errstr);

/* Validates one file without keeping it: KITH_OK or KITH_E_DATA with
 * "FILE:LINE:COLUMN: message" (every error, one per line). */
kith_status rules_check_file(const char *path, char **errstr);

void rules_free(kith_rules *rules);

/* Number of active rules (after overrides). */
guint rules_count(const kith_rules *rules);

/* The verdict of the rules on one sentence (rules_classify). */
typedef struct {
	int kind;             /* the winning detect_kind (detect.h); 0: none */
	const char *rule_id;  /* borrowed from the rules */
	int weight;
	char *target;         /* new: the winning match's "target" group, or NULL */
} rules_verdict;

/*
 * Runs the rules over one sentence (`len` bytes of valid UTF-8).  A veto
 * rule removes the matches of the kinds it names that overlap its own
 * match; of the matches left the highest weight wins (a tie: the rule
 * loaded first).  Returns the kind (0: none) and fills *out; free
 * out->target with g_free.
 */
int rules_classify(const kith_rules *rules, const char *sentence, gsize len,
	rules_verdict *out);

/*
 * Whether a pattern is skipped on a sentence that has none of the literals
 * every match of it contains (literals.h).  On after loading; off, every
 * pattern runs, which gives the same verdicts more slowly (the tests
 * compare the two).
 */
void rules_set_prefilter(kith_rules *rules, gboolean on);

/* The active rules, one per line: "ID<TAB>KIND<TAB>WEIGHT<TAB>FILE:LINE"
 * (a new string, g_free). */
char *rules_describe(const kith_rules *rules);

#endif
