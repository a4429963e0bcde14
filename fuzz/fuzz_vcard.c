/*
 * fuzz_vcard.c - vCard import: vcard_parse on arbitrary bytes; what it
 * returns is serialised again and that output parsed back, which must
 * succeed with the same number of cards.
 */
#include <stdint.h>

#include "vcard.h"
#include "fuzzutil.h"

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	fuzz_quiet();
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	GPtrArray *cards = NULL, *again = NULL;
	GString *out;
	char *err = NULL;

	if (vcard_parse((const char *)data, size, &cards, &err) != KITH_OK) {
		if (cards != NULL || err == NULL)
			abort();   /* the contract: NULL and a message on failure */
		g_free(err);
		return 0;
	}
	out = g_string_new(NULL);
	for (guint i = 0; i < cards->len; i++) {
		char *s = vcard_serialize(g_ptr_array_index(cards, i));

		g_string_append(out, s);
		g_free(s);
	}
	/* What kith writes, kith reads back, card for card. */
	if (vcard_parse(out->str, out->len, &again, &err) != KITH_OK)
		fuzz_die("re-parsing serialised cards", err);
	if (again->len != cards->len)
		fuzz_die("re-parsing serialised cards", "card count changed");
	g_ptr_array_unref(again);
	g_ptr_array_unref(cards);
	g_string_free(out, TRUE);
	return 0;
}
