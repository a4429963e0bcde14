/* test_fuzz_regressions.c - every input in tests/data/fuzz-regressions/
 * through the API its name starts with (see the README there): nothing
 * crashes (make asan runs this under ASan+UBSan), and what comes back
 * keeps each API's contract.  Also the sanitiser edge the hostile-input
 * test found (C1 controls in JSON). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "automated.h"
#include "config.h"
#include "dates.h"
#include "detect.h"
#include "log.h"
#include "message.h"
#include "rules.h"
#include "safe.h"
#include "vcard.h"
#include "zones.h"

#define DIR "tests/data/fuzz-regressions"

/* The files of DIR whose names start with `prefix` (new array). */
static GPtrArray *
inputs(const char *prefix)
{
	GPtrArray *out = g_ptr_array_new_with_free_func(g_free);
	GDir *d = g_dir_open(DIR, 0, NULL);
	const char *name;

	assert_non_null(d);
	while ((name = g_dir_read_name(d)) != NULL) {
		if (g_str_has_prefix(name, prefix))
			g_ptr_array_add(out, g_build_filename(DIR, name, NULL));
	}
	g_dir_close(d);
	/* The test means nothing without its inputs. */
	if (out->len == 0)
		fail_msg("no %s* inputs in %s", prefix, DIR);
	return out;
}

static char *
slurp(const char *path, gsize *len)
{
	char *data = NULL;

	if (!g_file_get_contents(path, &data, len, NULL))
		fail_msg("cannot read %s", path);
	return data;
}

static void
test_messages(void **state)
{
	GPtrArray *files = inputs("message-");
	kith_rules *rules = NULL;
	char *err = NULL;

	assert_int_equal(rules_load_dirs("rules", NULL, &rules, &err), KITH_OK);
	for (guint i = 0; i < files->len; i++) {
		const char *path = g_ptr_array_index(files, i);
		kith_message *msg = NULL;
		detect_ctx ctx = { NULL, DATE_ORDER_MDY };
		gsize len;
		char *data = slurp(path, &len);
		kith_status st = message_parse(data, len, &msg, &err);
		GPtrArray *hits;
		char *reason, *text;

		if (st != KITH_OK) {
			assert_int_equal(st, KITH_E_DATA);
			g_clear_pointer(&err, g_free);
			g_free(data);
			continue;
		}
		/* The model's promises: valid UTF-8 and a Message-ID. */
		assert_true(g_utf8_validate(msg->text, -1, NULL));
		assert_true(g_utf8_validate(msg->subject, -1, NULL));
		assert_non_null(msg->message_id);
		assert_true(strlen(msg->text) <= MESSAGE_MAX_TEXT);
		text = zones_new_text(msg->text);
		reason = automated_reason(msg);
		hits = detect_text(rules, msg->new_text, &ctx);
		g_ptr_array_unref(hits);
		g_free(reason);
		g_free(text);
		message_free(msg);
		g_free(data);
	}
	rules_free(rules);
	g_ptr_array_unref(files);
}

static void
test_rules(void **state)
{
	GPtrArray *files = inputs("rules-");

	for (guint i = 0; i < files->len; i++) {
		const char *path = g_ptr_array_index(files, i);
		kith_rules *rules = NULL;
		char *err = NULL;
		kith_status st = rules_check_file(path, &err);

		if (st != KITH_OK) {
			assert_int_equal(st, KITH_E_DATA);
			/* Errors name the file, line and column. */
			assert_non_null(strstr(err, path));
			g_clear_pointer(&err, g_free);
		}
		st = rules_load_files(&path, 1, &rules, &err);
		if (st == KITH_OK) {
			rules_verdict v = { 0 };

			rules_classify(rules, "could you", 9, &v);
			g_free(v.target);
			rules_free(rules);
		} else {
			assert_int_equal(st, KITH_E_DATA);
			assert_null(rules);
			g_free(err);
		}
	}
	g_ptr_array_unref(files);
}

static void
test_dates(void **state)
{
	GPtrArray *files = inputs("dates-");
	GTimeZone *tz = g_time_zone_new_offset(2 * 3600);
	GDateTime *when = g_date_time_new(tz, 2026, 4, 30, 17, 45, 0);

	for (guint i = 0; i < files->len; i++) {
		gsize len;
		char *text = slurp(g_ptr_array_index(files, i), &len);

		for (int order = 0; order < 2; order++) {
			GDate due;
			char *phrase = NULL;

			g_date_clear(&due, 1);
			if (dates_find_due(text, order ? when : NULL,
					order ? DATE_ORDER_DMY : DATE_ORDER_MDY, &due, &phrase)) {
				assert_true(g_date_valid(&due));
				assert_non_null(phrase);
			}
			g_free(phrase);
		}
		g_free(text);
	}
	g_date_time_unref(when);
	g_time_zone_unref(tz);
	g_ptr_array_unref(files);
}

static void
test_config(void **state)
{
	GPtrArray *files = inputs("config-");

	for (guint i = 0; i < files->len; i++) {
		const char *path = g_ptr_array_index(files, i);
		char *tmp = NULL, *err = NULL, *data;
		gsize len;
		int fd = g_file_open_tmp("kith-cfg-XXXXXX", &tmp, NULL);
		kith_config *cfg = NULL;
		kith_status st;

		/* 0600, so a password is not refused for the mode alone. */
		assert_true(fd >= 0);
		data = slurp(path, &len);
		assert_int_equal(write(fd, data, len), (ssize_t)len);
		close(fd);
		st = config_load(tmp, &cfg, &err);
		if (st == KITH_OK) {
			config_free(cfg);
		} else {
			assert_int_equal(st, KITH_E_CONFIG);
			assert_null(cfg);
			assert_non_null(strstr(err, tmp));
			g_free(err);
		}
		unlink(tmp);
		g_free(tmp);
		g_free(data);
	}
	g_ptr_array_unref(files);
}

static void
test_vcards(void **state)
{
	GPtrArray *files = inputs("vcard-");

	for (guint i = 0; i < files->len; i++) {
		GPtrArray *cards = NULL;
		char *err = NULL;
		gsize len;
		char *data = slurp(g_ptr_array_index(files, i), &len);

		if (vcard_parse(data, len, &cards, &err) == KITH_OK) {
			assert_true(cards->len > 0);
			for (guint c = 0; c < cards->len; c++) {
				char *s = vcard_serialize(g_ptr_array_index(cards, c));

				assert_true(g_utf8_validate(s, -1, NULL));
				g_free(s);
			}
			g_ptr_array_unref(cards);
		} else {
			assert_null(cards);
			g_free(err);
		}
		g_free(data);
	}
	g_ptr_array_unref(files);
}

/* hostile.sh: a name with U+009B (CSI) reached `--format json` raw. */
static void
test_json_escapes_c1(void **state)
{
	char *s = safe_json("a\xc2\x9b" "31m\xc2\x80z\x7f");

	assert_string_equal(s, "a\\u009b31m\\u0080z\\u007f");
	g_free(s);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_messages),
		cmocka_unit_test(test_rules),
		cmocka_unit_test(test_dates),
		cmocka_unit_test(test_config),
		cmocka_unit_test(test_vcards),
		cmocka_unit_test(test_json_escapes_c1),
	};

	log_set_verbosity(-1);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
