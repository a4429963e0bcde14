/*
 * fuzz_dates.c - the due-date parser: dates_find_due on arbitrary text,
 * against a fixed message date (and none), in both date orders.
 */
#include <stdint.h>

#include "dates.h"
#include "fuzzutil.h"

static GDateTime *msg_date;

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	GTimeZone *tz = g_time_zone_new_offset(2 * 3600);

	fuzz_quiet();
	/* A Thursday, late in a month and a year's quarter. */
	msg_date = g_date_time_new(tz, 2026, 4, 30, 17, 45, 0);
	g_time_zone_unref(tz);
	return 0;
}

static void
one(const char *s, GDateTime *date, date_order order)
{
	GDate due;
	char *phrase = NULL;

	g_date_clear(&due, 1);
	if (dates_find_due(s, date, order, &due, &phrase)) {
		/* A hit is a real date with the words that gave it. */
		if (!g_date_valid(&due) || phrase == NULL)
			abort();
	}
	g_free(phrase);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s;

	/* Sentences: the detector hands over at most a few KB each. */
	if (size > 16 * 1024)
		return 0;
	/* The detector passes valid, NUL-terminated UTF-8. */
	s = g_utf8_make_valid((const char *)data, (gssize)size);
	one(s, msg_date, DATE_ORDER_MDY);
	one(s, msg_date, DATE_ORDER_DMY);
	one(s, NULL, DATE_ORDER_MDY);
	g_free(s);
	return 0;
}
