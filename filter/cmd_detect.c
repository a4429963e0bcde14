/*
 * cmd_detect.c - `kith detect [--lines] [--date DATE] [--from ADDR]
 * [--to ADDR]`: the detector on standard input, without a store.
 *
 * Without --lines the input is one message (or plain text when it does
 * not parse as one) and each hit prints as KIND<TAB>DUE<TAB>RULE<TAB>
 * SENTENCE; when the sender or a recipient is known (--from, --to, or the
 * message's From and To) two columns say who owes whom:
 * KIND<TAB>DUE<TAB>RULE<TAB>OWER<TAB>OWED<TAB>SENTENCE.  With --lines each
 * input line is one sentence and prints as exactly one line
 * KIND<TAB>DUE<TAB>RULE, KIND being request, promise or none.  See
 * kith-rules(5).
 *
 * --date takes what config_parse_datetime() reads or an RFC 5322 date
 * ("Mon, 30 Mar 2026 09:00:00 +0200"), whose zone is kept.
 */
#include <stdio.h>
#include <string.h>

#include <gmime/gmime.h>

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


/*
 * --date: config_parse_datetime() first, then GMime's RFC 5322 date parser
 * (the date keeps the zone it was written in).  A new ref, or NULL.
 */
static GDateTime *
parse_date_option(const char *text)
{
	GDateTime *dt = config_parse_datetime(text);

	if (dt != NULL)
		return dt;
	g_mime_init(); /* counted: harmless when the parser did it already */
	return g_mime_utils_header_decode_date(text);
}

/* Who owes whom in a message from `from` to `to` (either may be NULL). */
typedef struct {
	char *from;  /* the sender's address, or NULL */
	char *to;    /* the first recipient's address, or NULL */
} detect_parties;

static void
detect_parties_clear(detect_parties *p)
{
	g_free(p->from);
	g_free(p->to);
}

/* An address given on the command line ("ann@x.org" or "Ann <ann@x.org>"):
 * its addr-spec normalised, or the text as typed when it does not look like
 * an address (it is only printed).  A new string. */
static char *
option_address(const char *text)
{
	const char *lt = strrchr(text, '<'), *gt = strrchr(text, '>');
	char *inner = lt != NULL && gt != NULL && gt > lt ?
		g_strndup(lt + 1, (gsize)(gt - lt - 1)) : g_strdup(text);
	char *addr = message_normalize_address(inner);

	g_free(inner);
	return addr != NULL ? addr : g_strdup(text);
}

/* The parties from the options, then from the message's From and To. */
static void
find_parties(const detect_opts *o, const kith_message *msg, detect_parties *p)
{
	const kith_address *sender = msg != NULL ? message_sender(msg) : NULL;

	p->from = o->from != NULL ? option_address(o->from) :
		sender != NULL ? g_strdup(sender->addr) : NULL;
	if (o->to != NULL)
		p->to = option_address(o->to);
	else if (msg != NULL && msg->to != NULL && msg->to->len > 0)
		p->to = g_strdup(((const kith_address *)
			g_ptr_array_index(msg->to, 0))->addr);
}

/* The owing and the owed party of a hit: a request is owed by the
 * recipient to the sender, a promise by the sender to the recipient; the
 * other kinds owe nothing.  Borrowed strings, "-" when unknown. */
static void
owing(const detect_hit *hit, const detect_parties *p, const char **ower,
	const char **owed)
{
	const char *from = p->from != NULL ? p->from : "-";
	const char *to = p->to != NULL ? p->to : "-";

	*ower = *owed = "-";
	if (hit->kind == DETECT_REQUEST) {
		*ower = to;
		*owed = from;
	} else if (hit->kind == DETECT_PROMISE) {
		*ower = from;
		*owed = to;
	}
}

static void
print_hits(const GPtrArray *hits, const detect_parties *p)
{
	gboolean parties = p->from != NULL || p->to != NULL;

	for (guint i = 0; i < hits->len; i++) {
		const detect_hit *hit = g_ptr_array_index(hits, i);
		char due[16], *sentence = safe_terminal(hit->sentence, 0);

		format_due(hit, due, sizeof due);
		printf("%s\t%s\t%s\t", detect_kind_name(hit->kind), due,
			hit->rule_id);
		if (parties) {
			const char *ower, *owed;
			char *sower, *sowed;

			owing(hit, p, &ower, &owed);
			sower = safe_terminal(ower, 0);
			sowed = safe_terminal(owed, 0);
			printf("%s\t%s\t", sower, sowed);
			g_free(sower);
			g_free(sowed);
		}
		printf("%s\n", sentence);
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
	detect_parties parties = { NULL, NULL };
	char *plain = NULL;
	const char *text;
	kith_status st;

	st = read_stdin(buf, errstr);
	if (st != KITH_OK)
		goto out;
	if (message_parse((const char *)buf->data, buf->len, &msg, NULL) == KITH_OK) {
		text = msg->new_text != NULL ? msg->new_text : msg->text;
		msg_date = (msg != NULL ? message_date_local(msg) : NULL);
		if (o->date == NULL && msg_date != NULL)
			ctx->date = msg_date;
	} else {
		text = plain = g_utf8_make_valid((const char *)buf->data,
			(gssize)buf->len);
	}
	find_parties(o, msg, &parties);
	hits = detect_text(rules, text != NULL ? text : "", ctx);
	print_hits(hits, &parties);
	if (fflush(stdout) != 0)
		st = kith_fail(errstr, KITH_E_IO, "detect: writing stdout failed");
out:
	if (hits != NULL)
		g_ptr_array_unref(hits);
	if (msg_date != NULL)
		g_date_time_unref(msg_date);
	detect_parties_clear(&parties);
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
	if (o.date != NULL && (date = parse_date_option(o.date)) == NULL) {
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
