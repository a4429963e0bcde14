/*
 * cmd_detect.c - `kith detect [--lines] [--date DATE] [--from ADDR]
 * [--to ADDR]`: the detector on standard input, without a store.
 *
 * Without --lines the input is one message (or plain text when it does
 * not parse as one) and each hit prints as KIND<TAB>DUE<TAB>RULE<TAB>
 * SENTENCE.  With --lines each input line is one sentence and prints as
 * exactly one line KIND<TAB>DUE<TAB>RULE, KIND being request, promise or
 * none.  See kith(1).
 */
#include <stdio.h>
#include <string.h>

#include "commands.h"
#include "detect.h"
#include "log.h"
#include "message.h"
#include "paths.h"
#include "rules.h"
#include "safe.h"

typedef struct {
	gboolean lines;
	char *date;
	char *from;
	char *to;
} detect_opts;

static void
detect_opts_clear(detect_opts *o)
{
	g_free(o->date);
	g_free(o->from);
	g_free(o->to);
}

static kith_status
parse_options(int argc, char **argv, detect_opts *o, char **errstr)
{
	GOptionEntry entries[] = {
		{ "lines", 0, 0, G_OPTION_ARG_NONE, &o->lines,
		  "each input line is one sentence; one output line each", NULL },
		{ "date", 0, 0, G_OPTION_ARG_STRING, &o->date,
		  "resolve due dates against DATE, not the message's Date", "DATE" },
		{ "from", 0, 0, G_OPTION_ARG_STRING, &o->from,
		  "the sender (overrides From)", "ADDR" },
		{ "to", 0, 0, G_OPTION_ARG_STRING, &o->to,
		  "the recipient (overrides To)", "ADDR" },
		{ NULL, 0, 0, 0, NULL, NULL, NULL }
	};
	GOptionContext *ctx = g_option_context_new("- find requests and promises");
	GError *gerr = NULL;
	kith_status st = KITH_OK;

	g_option_context_add_main_entries(ctx, entries, NULL);
	if (!g_option_context_parse(ctx, &argc, &argv, &gerr)) {
		st = kith_fail(errstr, KITH_E_USAGE, "detect: %s", gerr->message);
		goto out;
	}
	if (argc > 1)
		st = kith_fail(errstr, KITH_E_USAGE,
			"detect: unexpected argument '%s' (input is read from stdin)",
			argv[1]);
out:
	g_clear_error(&gerr);
	g_option_context_free(ctx);
	return st;
}

/* Loads the shipped and the user's rules; *out freed with rules_free. */
static kith_status
load_rules(const kith_config *cfg, kith_rules **out, char **errstr)
{
	char *sys = cfg->rules_dir != NULL ? g_strdup(cfg->rules_dir) :
		paths_system_rules_dir();
	char *user = cfg->user_rules_dir != NULL ?
		g_strdup(cfg->user_rules_dir) : paths_user_rules_dir();
	kith_status st;

	st = rules_load_dirs(sys, user, out, errstr);
	if (st == KITH_OK && rules_count(*out) == 0)
		log_warn("no rules found in %s or %s", sys, user);
	g_free(sys);
	g_free(user);
	return st;
}

static void
format_due(const detect_hit *hit, char *buf, gsize size)
{
	if (hit->has_due)
		g_date_strftime(buf, size, "%Y-%m-%d", &hit->due);
	else
		g_strlcpy(buf, "-", size);
}

/* --lines: one sentence per line in, one verdict per line out. */
static kith_status
detect_lines(const kith_rules *rules, const detect_ctx *ctx, char **errstr)
{
	char *line = NULL;
	size_t cap = 0;
	ssize_t n;
	kith_status st = KITH_OK;

	while ((n = getline(&line, &cap, stdin)) >= 0) {
		detect_hit hit;
		detect_kind kind;
		char *text, due[16] = "-";

		while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r'))
			n--;
		text = g_utf8_make_valid(line, n);
		kind = detect_sentence(rules, text, ctx, &hit);
		if (kind == DETECT_REQUEST || kind == DETECT_PROMISE) {
			format_due(&hit, due, sizeof due);
			printf("%s\t%s\t%s\n", detect_kind_name(kind), due,
				hit.rule_id);
		} else {
			fputs("none\t-\t-\n", stdout);
		}
		detect_hit_clear(&hit);
		g_free(text);
	}
	if (ferror(stdin))
		st = kith_fail(errstr, KITH_E_IO, "detect: reading stdin failed");
	if (fflush(stdout) != 0)
		st = kith_fail(errstr, KITH_E_IO, "detect: writing stdout failed");
	free(line);
	return st;
}

static kith_status
read_stdin(GByteArray *buf, char **errstr)
{
	guint8 chunk[65536];
	size_t n;

	while ((n = fread(chunk, 1, sizeof chunk, stdin)) > 0)
		g_byte_array_append(buf, chunk, (guint)n);
	if (ferror(stdin))
		return kith_fail(errstr, KITH_E_IO, "detect: reading stdin failed");
	return KITH_OK;
}

/* The message's Date in the sender's zone (new ref), or NULL. */
static GDateTime *
message_local_date(const kith_message *msg)
{
	GDateTime *utc, *local;
	GTimeZone *tz;

	if (msg == NULL || !msg->date_valid)
		return NULL;
	utc = g_date_time_new_from_unix_utc(msg->date);
	if (utc == NULL)
		return NULL;
	tz = g_time_zone_new_offset(msg->tz_offset * 60);
	local = g_date_time_to_timezone(utc, tz);
	g_time_zone_unref(tz);
	g_date_time_unref(utc);
	return local;
}

static void
print_hits(const GPtrArray *hits)
{
	for (guint i = 0; i < hits->len; i++) {
		const detect_hit *hit = g_ptr_array_index(hits, i);
		char due[16], *sentence = safe_terminal(hit->sentence, 0);

		format_due(hit, due, sizeof due);
		printf("%s\t%s\t%s\t%s\n", detect_kind_name(hit->kind), due,
			hit->rule_id, sentence);
		if (hit->target != NULL)
			log_info("%s: target %s", hit->rule_id, hit->target);
		g_free(sentence);
	}
}

/* One message (or plain text) in, one line per hit out. */
static kith_status
detect_message(const kith_rules *rules, detect_ctx *ctx, const detect_opts *o,
	char **errstr)
{
	GByteArray *buf = g_byte_array_new();
	kith_message *msg = NULL;
	GDateTime *msg_date = NULL;
	GPtrArray *hits = NULL;
	char *plain = NULL;
	const char *text;
	kith_status st;

	st = read_stdin(buf, errstr);
	if (st != KITH_OK)
		goto out;
	if (message_parse((const char *)buf->data, buf->len, &msg, NULL) == KITH_OK) {
		text = msg->new_text != NULL ? msg->new_text : msg->text;
		msg_date = message_local_date(msg);
		if (o->date == NULL && msg_date != NULL)
			ctx->date = msg_date;
	} else {
		text = plain = g_utf8_make_valid((const char *)buf->data,
			(gssize)buf->len);
	}
	if (o->from != NULL || o->to != NULL)
		log_info("from %s to %s", o->from != NULL ? o->from : "-",
			o->to != NULL ? o->to : "-");
	hits = detect_text(rules, text != NULL ? text : "", ctx);
	print_hits(hits);
	if (fflush(stdout) != 0)
		st = kith_fail(errstr, KITH_E_IO, "detect: writing stdout failed");
out:
	if (hits != NULL)
		g_ptr_array_unref(hits);
	if (msg_date != NULL)
		g_date_time_unref(msg_date);
	message_free(msg);
	g_free(plain);
	g_byte_array_unref(buf);
	return st;
}

kith_status
cmd_detect(kith_config *cfg, int argc, char **argv, char **errstr)
{
	detect_opts o = { 0 };
	kith_rules *rules = NULL;
	GDateTime *date = NULL;
	detect_ctx ctx = { NULL, cfg->date_order };
	kith_status st;

	st = parse_options(argc, argv, &o, errstr);
	if (st != KITH_OK)
		goto out;
	if (o.date != NULL && (date = config_parse_datetime(o.date)) == NULL) {
		st = kith_fail(errstr, KITH_E_USAGE, "detect: bad --date '%s'", o.date);
		goto out;
	}
	st = load_rules(cfg, &rules, errstr);
	if (st != KITH_OK)
		goto out;
	ctx.date = date != NULL ? date : cfg->now;
	if (o.lines)
		st = detect_lines(rules, &ctx, errstr);
	else
		st = detect_message(rules, &ctx, &o, errstr);
out:
	if (date != NULL)
		g_date_time_unref(date);
	rules_free(rules);
	detect_opts_clear(&o);
	return st;
}
