/*
 * literals.h - the literal strings that a rule's pattern cannot match
 * without, so rules.c can skip a pattern on a sentence that has none of
 * them.  A sentence runs past every rule and most rules match nothing:
 * a substring search over the sentence is far cheaper than the pattern.
 *
 * The analysis is conservative.  Whatever it cannot follow (back
 * references, recursion, conditionals, extended mode, verbs) yields no
 * literals, and the pattern then always runs.  Literals are compared with
 * literals_fold()ed text, which folds exactly what a caseless UTF/UCP
 * pattern folds onto ASCII: a skipped pattern could not have matched.
 */
#ifndef KITH_LITERALS_H
#define KITH_LITERALS_H

#include <glib.h>

/*
 * The literals of `pattern` (PCRE2 syntax, compiled UTF, UCP and
 * caseless), as clauses: every match contains at least one string of each
 * clause.  Returns a new array (free function set) of at most a few
 * clauses, each an array of new strings (free function set), lowercase
 * ASCII or caseless UTF-8, none containing another in its clause; NULL
 * when every text may match, or the pattern is beyond the analysis.
 */
GPtrArray *literals_required(const char *pattern);

/*
 * Folds `len` bytes of UTF-8 for literal search into `out`, which has room
 * for `len` bytes: ASCII letters to lower case, and the two characters
 * that caseless matching equates with ASCII letters (KELVIN SIGN with k,
 * LATIN SMALL LETTER LONG S with s) to those letters; every other byte as
 * is.  Returns the folded length.
 */
gsize literals_fold(const char *s, gsize len, char *out);

/*
 * Groups of literals searched for together: one pass over a folded text
 * (an Aho-Corasick automaton) finds which groups have a literal in it,
 * however many literals there are.  Build it with literals_set_add_group()
 * then literals_set_compile(); a compiled set may be scanned from several
 * threads at once.
 */
typedef struct literals_set literals_set;

literals_set *literals_set_new(void);
void literals_set_free(literals_set *set);
/* Adds a group of `n` literals (copied); returns its id, 0..count-1.  A
 * group with the same literals, in any order, has the same id. */
guint literals_set_add_group(literals_set *set, const char *const *literals,
	guint n);
/* The number of groups. */
guint literals_set_count(const literals_set *set);
void literals_set_compile(literals_set *set);
/* Sets found[id] to 1 for each group with a literal in `folded` (leaves
 * the other entries alone); `found` has literals_set_count() entries. */
void literals_set_scan(const literals_set *set, const char *folded, gsize len,
	guint8 *found);

#endif
