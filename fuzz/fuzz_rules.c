/*
 * fuzz_rules.c - the rule-file parser (kith-rules(5)): rules_load_files and
 * rules_check_file on arbitrary bytes, and, when the file loads, the rules
 * run over a few sentences and the file's own lines, and described.  The
 * literal prefilter must never change a verdict: each sentence is
 * classified with and without it, and a difference aborts.
 */
#include <stdint.h>
#include <stdlib.h>

#include "rules.h"
#include "fuzzutil.h"

static const char *const sentences[] = {
	"Could you send me the deck by Friday?",
	"I'll introduce you to Sarah next week.",
	"Thanks so much for the help!",
	"",
};

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	fuzz_quiet();
	return 0;
}

/* Classifies `sentence` with the prefilter and without; they must agree. */
static void
classify_both(kith_rules *rules, const char *sentence)
{
	rules_verdict fast = { 0 }, slow = { 0 };
	gsize len = strlen(sentence);

	if (!g_utf8_validate(sentence, (gssize)len, NULL))
		return;
	rules_set_prefilter(rules, TRUE);
	rules_classify(rules, sentence, len, &fast);
	rules_set_prefilter(rules, FALSE);
	rules_classify(rules, sentence, len, &slow);
	if (fast.kind != slow.kind || g_strcmp0(fast.rule_id, slow.rule_id) != 0 ||
	    g_strcmp0(fast.target, slow.target) != 0)
		abort();
	g_free(fast.target);
	g_free(slow.target);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *path;
	kith_rules *rules = NULL;
	char *err = NULL;
	int fd;

	/* Rule files are read whole into memory; keep the inputs to the
	 * sizes a person writes so the fuzzer explores lines, not length. */
	if (size > 64 * 1024)
		return 0;
	fd = fuzz_memfile(data, size, &path);
	if (rules_check_file(path, &err) != KITH_OK)
		g_clear_pointer(&err, g_free);
	if (rules_load_files(&path, 1, &rules, &err) == KITH_OK) {
		char *text = g_strndup((const char *)data, size);
		char **lines = g_strsplit(text, "\n", 9);

		for (gsize i = 0; i < G_N_ELEMENTS(sentences); i++)
			classify_both(rules, sentences[i]);
		/* the file's own lines: patterns and the text they must
		 * match evolve together */
		for (gsize i = 0; lines[i] != NULL; i++)
			classify_both(rules, lines[i]);
		g_strfreev(lines);
		g_free(text);
		g_free(rules_describe(rules));
		(void)rules_count(rules);
		rules_free(rules);
	}
	g_free(err);
	close(fd);
	return 0;
}
