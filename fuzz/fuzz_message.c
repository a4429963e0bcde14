/*
 * fuzz_message.c - the message model from raw bytes: message_parse_with (GMime,
 * charsets, HTML), the zones of its text, the automated check and the
 * detector with the shipped rules.  Nothing may crash, leak or read out of
 * bounds whatever the bytes.  A body of one text part, read without
 * GMime's parser (mime_leaf.c), must read as GMime reads it.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "automated.h"
#include "detect.h"
#include "message.h"
#include "rules.h"
#include "zones.h"
#include "fuzzutil.h"

static kith_rules *rules;

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	char *err = NULL;

	fuzz_quiet();
	if (rules_load_dirs(fuzz_rules_dir(), NULL, &rules, &err) != KITH_OK)
		fuzz_die("rules", err);
	return 0;
}

/* The parse again with GMime reading every body: the same body, or a
 * crash for the fuzzer to report. */
static void
check_same_reading(const uint8_t *data, size_t size, const kith_message *msg)
{
	kith_message *gm = NULL;
	char *err = NULL;
	const char *what;

	if (message_parse_with((const char *)data, size, MESSAGE_PARSE_GMIME_ALWAYS,
			&gm, &err) != KITH_OK) {
		fprintf(stderr, "fuzz_message: GMime's reading fails: %s\n", err);
		abort();
	}
	if ((what = message_body_differs(msg, gm)) != NULL) {
		fprintf(stderr, "fuzz_message: %s differs from GMime's reading\n", what);
		abort();
	}
	message_free(gm);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	kith_message *msg = NULL;
	GTimeZone *tz = NULL;
	detect_ctx ctx = { NULL, DATE_ORDER_MDY };
	GPtrArray *hits;
	GArray *zones;
	char *err = NULL, *reason, *text;

	/* both ways of parsing: with GMime's warnings collected and without */
	if (message_parse_with((const char *)data, size,
			(size & 1) ? MESSAGE_PARSE_WARNINGS : 0, &msg, &err) != KITH_OK) {
		g_free(err);
		return 0;
	}
	if (!(size & 1))
		check_same_reading(data, size, msg);
	/* The stages after parsing, as ingest runs them. */
	zones = zones_split(msg->text);
	g_array_unref(zones);
	text = zones_new_text(msg->text);
	reason = automated_reason(msg);
	if (msg->date_valid) {
		tz = g_time_zone_new_offset(msg->tz_offset * 60);
		ctx.date = g_date_time_new_from_unix_utc(msg->date);
		if (ctx.date != NULL) {
			GDateTime *local = g_date_time_to_timezone(ctx.date, tz);

			g_date_time_unref(ctx.date);
			ctx.date = local;
		}
	}
	hits = detect_text(rules, msg->new_text, &ctx);
	g_ptr_array_unref(hits);
	(void)message_header(msg, "Subject");
	(void)message_sender(msg);
	if (ctx.date != NULL)
		g_date_time_unref(ctx.date);
	if (tz != NULL)
		g_time_zone_unref(tz);
	g_free(reason);
	g_free(text);
	message_free(msg);
	return 0;
}
