/*
 * parse-floor.c - the parse floor: the least work any mail indexer must do
 * per message, as the baseline kith's scan is measured against.
 *
 *   parse-floor [-q] MAILDIR...
 *   parse-floor --mbox FILE
 *
 * For each message in MAILDIR's cur/ and new/ (and those of its Maildir++
 * subfolders, DIR/.NAME) it reads the file fully, parses it with GMime 3,
 * walks the MIME tree and decodes every text/ leaf to UTF-8 (transfer
 * encoding, then charset), as kith's message stage does; nothing else: no
 * HTML to text, no storage.  With --mbox it parses one mbox instead.
 *
 * Prints one line:
 *   parse-floor: messages=N failed=F bytes=B text_bytes=T seconds=S msg_per_s=R
 */
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <glib.h>
#include <gmime/gmime.h>

#define MAX_DEPTH 64

typedef struct {
	guint64 messages;
	guint64 failed;
	guint64 bytes;
	guint64 text_bytes;
} totals;

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

/* Decodes one text leaf to UTF-8 and counts it. */
static void text_leaf(GMimePart *part, totals *t)
{
	GMimeDataWrapper *content = g_mime_part_get_content(part);
	if (!content)
		return;
	GMimeStream *mem = g_mime_stream_mem_new();
	GMimeStream *filtered = g_mime_stream_filter_new(mem);
	const char *charset = g_mime_object_get_content_type_parameter(
		GMIME_OBJECT(part), "charset");
	if (charset && g_ascii_strcasecmp(charset, "utf-8") != 0 &&
	    g_ascii_strcasecmp(charset, "us-ascii") != 0) {
		GMimeFilter *conv = g_mime_filter_charset_new(charset, "UTF-8");
		if (conv) {
			g_mime_stream_filter_add(GMIME_STREAM_FILTER(filtered), conv);
			g_object_unref(conv);
		}
	}
	/* decodes the transfer encoding */
	g_mime_data_wrapper_write_to_stream(content, filtered);
	g_mime_stream_flush(filtered);
	GByteArray *bytes = g_mime_stream_mem_get_byte_array(GMIME_STREAM_MEM(mem));
	const char *end;
	if (!g_utf8_validate((const char *)bytes->data, (gssize)bytes->len, &end)) {
		char *fixed = g_utf8_make_valid((const char *)bytes->data,
			(gssize)bytes->len);
		t->text_bytes += strlen(fixed);
		g_free(fixed);
	} else {
		t->text_bytes += bytes->len;
	}
	g_object_unref(filtered);
	g_object_unref(mem);
}

static void walk(GMimeObject *obj, int depth, totals *t)
{
	if (!obj || depth > MAX_DEPTH)
		return;
	if (GMIME_IS_MULTIPART(obj)) {
		GMimeMultipart *mp = GMIME_MULTIPART(obj);
		int n = g_mime_multipart_get_count(mp);
		for (int i = 0; i < n; i++)
			walk(g_mime_multipart_get_part(mp, i), depth + 1, t);
	} else if (GMIME_IS_MESSAGE_PART(obj)) {
		GMimeMessage *m = g_mime_message_part_get_message(GMIME_MESSAGE_PART(obj));
		if (m)
			walk(g_mime_message_get_mime_part(m), depth + 1, t);
	} else if (GMIME_IS_PART(obj)) {
		GMimeContentType *ct = g_mime_object_get_content_type(obj);
		if (ct && g_mime_content_type_is_type(ct, "text", "*"))
			text_leaf(GMIME_PART(obj), t);
	}
}

static void parse_message(GMimeStream *stream, totals *t)
{
	GMimeParser *parser = g_mime_parser_new_with_stream(stream);
	GMimeMessage *msg = g_mime_parser_construct_message(parser, NULL);
	if (msg) {
		walk(g_mime_message_get_mime_part(msg), 0, t);
		t->messages++;
		g_object_unref(msg);
	} else {
		t->failed++;
	}
	g_object_unref(parser);
}

static void parse_file(const char *path, totals *t)
{
	char *data;
	gsize len;
	if (!g_file_get_contents(path, &data, &len, NULL)) {
		t->failed++;
		return;
	}
	t->bytes += len;
	GByteArray *ba = g_byte_array_new_take((guint8 *)data, len);
	GMimeStream *stream = g_mime_stream_mem_new_with_byte_array(ba);
	parse_message(stream, t);
	g_object_unref(stream); /* frees ba */
}

static void scan_sub(const char *dir, const char *sub, totals *t)
{
	char *path = g_build_filename(dir, sub, NULL);
	GDir *d = g_dir_open(path, 0, NULL);
	if (d) {
		const char *name;
		while ((name = g_dir_read_name(d))) {
			if (name[0] == '.')
				continue;
			char *file = g_build_filename(path, name, NULL);
			parse_file(file, t);
			g_free(file);
		}
		g_dir_close(d);
	}
	g_free(path);
}

static void scan_maildir(const char *dir, totals *t)
{
	scan_sub(dir, "cur", t);
	scan_sub(dir, "new", t);
	GDir *d = g_dir_open(dir, 0, NULL);
	if (!d)
		return;
	const char *name;
	while ((name = g_dir_read_name(d))) {
		if (name[0] != '.' || !name[1] || !strcmp(name, ".."))
			continue;
		char *sub = g_build_filename(dir, name, "cur", NULL);
		gboolean is_folder = g_file_test(sub, G_FILE_TEST_IS_DIR);
		g_free(sub);
		if (is_folder) {
			char *folder = g_build_filename(dir, name, NULL);
			scan_sub(folder, "cur", t);
			scan_sub(folder, "new", t);
			g_free(folder);
		}
	}
	g_dir_close(d);
}

static int scan_mbox(const char *path, totals *t)
{
	GMimeStream *fs = g_mime_stream_fs_open(path, O_RDONLY, 0, NULL);
	if (!fs) {
		fprintf(stderr, "parse-floor: cannot open %s\n", path);
		return -1;
	}
	t->bytes += (guint64)g_mime_stream_length(fs);
	GMimeParser *parser = g_mime_parser_new_with_stream(fs);
	g_mime_parser_set_format(parser, GMIME_FORMAT_MBOX);
	while (!g_mime_parser_eos(parser)) {
		GMimeMessage *msg = g_mime_parser_construct_message(parser, NULL);
		if (!msg) {
			t->failed++;
			break;
		}
		walk(g_mime_message_get_mime_part(msg), 0, t);
		t->messages++;
		g_object_unref(msg);
	}
	g_object_unref(parser);
	g_object_unref(fs);
	return 0;
}

int main(int argc, char **argv)
{
	gboolean quiet = FALSE;
	char *mbox = NULL;
	GOptionEntry entries[] = {
		{"mbox", 0, 0, G_OPTION_ARG_FILENAME, &mbox, "parse an mbox instead", "FILE"},
		{"quiet", 'q', 0, G_OPTION_ARG_NONE, &quiet, "print nothing", NULL},
		{NULL, 0, 0, 0, NULL, NULL, NULL},
	};
	GOptionContext *oc = g_option_context_new("MAILDIR...");
	g_option_context_set_summary(oc, "Parses every message with GMime and "
		"extracts its text parts, nothing more: the floor for a scan's speed.");
	g_option_context_add_main_entries(oc, entries, NULL);
	GError *err = NULL;
	if (!g_option_context_parse(oc, &argc, &argv, &err)) {
		fprintf(stderr, "parse-floor: %s\n", err->message);
		return 2;
	}
	g_option_context_free(oc);
	if ((argc < 2) == !mbox) {
		fprintf(stderr, "usage: parse-floor MAILDIR... | parse-floor --mbox FILE\n");
		return 2;
	}
	g_mime_init();
	totals t = {0};
	double t0 = now_s();
	int rc = 0;
	if (mbox)
		rc = scan_mbox(mbox, &t);
	for (int i = 1; i < argc; i++)
		scan_maildir(argv[i], &t);
	double secs = now_s() - t0;
	if (!quiet)
		printf("parse-floor: messages=%" G_GUINT64_FORMAT " failed=%" G_GUINT64_FORMAT
			" bytes=%" G_GUINT64_FORMAT " text_bytes=%" G_GUINT64_FORMAT
			" seconds=%.3f msg_per_s=%.0f\n", t.messages, t.failed, t.bytes,
			t.text_bytes, secs, secs > 0 ? t.messages / secs : 0.0);
	g_mime_shutdown();
	g_free(mbox);
	return rc || t.failed ? 1 : 0;
}
