/* cmdutil.c - helpers shared by the command files. */
#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "cmdutil.h"
#include "log.h"
#include "options.h"

/* Whether the command's own entries define the option named so. */
static gboolean
command_has_option(const GOptionEntry *entries, char short_name,
	const char *long_name)
{
	for (; entries != NULL && entries->long_name != NULL; entries++) {
		if (strcmp(entries->long_name, long_name) == 0 ||
		    (short_name != 0 && entries->short_name == short_name))
			return TRUE;
	}
	return FALSE;
}

/*
 * "kith scan -q" fails as an unknown option: say that the global options
 * go before the command, naming the first one misplaced in `args` (the
 * command's arguments as given, up to "--"), or NULL.
 */
static char *
misplaced_global_hint(char **args, const GOptionEntry *entries)
{
	for (char **a = args + 1; *a != NULL && strcmp(*a, "--") != 0; a++) {
		char short_name;
		const char *long_name, *usage;

		if (options_is_global(*a, &short_name, &long_name, &usage) &&
		    !command_has_option(entries, short_name, long_name))
			return g_strdup_printf("--%s is a global option: put it "
				"before the command, as in kith %s %s", long_name,
				usage, args[0]);
	}
	return NULL;
}

kith_status
cmd_parse_options(int *argc, char ***argv, const GOptionEntry *entries,
	const char *params, const char *summary, char **errstr)
{
	char *usage = g_strdup_printf("%s %s", (*argv)[0], params);
	GOptionContext *ctx = g_option_context_new(usage);
	char **given = g_strdupv(*argv);	/* parsing rearranges argv */
	GError *gerr = NULL;
	char *hint = NULL;
	kith_status status = KITH_OK;

	if (entries != NULL)
		g_option_context_add_main_entries(ctx, entries, NULL);
	if (summary != NULL)
		g_option_context_set_summary(ctx, summary);
	if (!g_option_context_parse(ctx, argc, argv, &gerr)) {
		hint = misplaced_global_hint(given, entries);
		if (hint != NULL)
			status = kith_fail(errstr, KITH_E_USAGE, "%s: %s; %s",
				given[0], gerr->message, hint);
		else
			status = kith_fail(errstr, KITH_E_USAGE,
				"%s: %s (see kith %s --help)", given[0], gerr->message,
				given[0]);
	}
	g_clear_error(&gerr);
	g_strfreev(given);
	g_free(hint);
	g_option_context_free(ctx);
	g_free(usage);
	return status;
}

kith_status
cmd_parse_format(const char *name, output_format *out, char **errstr)
{
	if (name == NULL) {
		*out = FORMAT_TEXT;
		return KITH_OK;
	}
	if (!output_parse_format(name, out))
		return kith_fail(errstr, KITH_E_USAGE,
			"--format %s: expected text, tsv or json", name);
	return KITH_OK;
}

GByteArray *
cmd_read_all(int fd, gsize max_bytes)
{
	GByteArray *buf = g_byte_array_sized_new(64 * 1024);
	guint8 chunk[64 * 1024];

	for (;;) {
		ssize_t n = read(fd, chunk, sizeof chunk);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			log_error("read error: %s", g_strerror(errno));
		if (n <= 0)
			break;
		/* Keep reading past the cap, so the writer is never blocked,
		 * but keep only the first max_bytes. */
		if (buf->len < max_bytes)
			g_byte_array_append(buf, chunk, (guint)MIN((gsize)n, max_bytes - buf->len));
	}
	return buf;
}

gboolean
cmd_write_all(int fd, const void *data, gsize len)
{
	const char *p = data;

	while (len > 0) {
		ssize_t n = write(fd, p, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return FALSE;
		p += n;
		len -= (gsize)n;
	}
	return TRUE;
}

char *
cmd_format_date(gint64 unix_time)
{
	GDateTime *dt;
	char *s;

	if (unix_time == 0)
		return g_strdup("-");
	dt = g_date_time_new_from_unix_local(unix_time);
	if (dt == NULL)
		return g_strdup("-");
	s = g_date_time_format(dt, "%Y-%m-%d");
	g_date_time_unref(dt);
	return s;
}
