/*
 * fuzz_rules.c - the rule-file parser (kith-rules(5)): rules_load_files and
 * rules_check_file on arbitrary bytes, and, when the file loads, the rules
 * run over a few sentences and described.
 */
#include <stdint.h>

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
		for (gsize i = 0; i < G_N_ELEMENTS(sentences); i++) {
			rules_verdict v = { 0 };

			rules_classify(rules, sentences[i], strlen(sentences[i]), &v);
			g_free(v.target);
		}
		g_free(rules_describe(rules));
		(void)rules_count(rules);
		rules_free(rules);
	}
	g_free(err);
	close(fd);
	return 0;
}
