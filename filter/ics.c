/* ics.c - open items as iCalendar VTODOs (RFC 5545). */
#include <string.h>

#include "ics.h"
#include "kith.h"
#include "vcard.h"

void
ics_todo_free(ics_todo *todo)
{
	if (todo == NULL)
		return;
	g_free(todo->uid);
	g_free(todo->summary);
	g_free(todo->description);
	g_free(todo->categories);
	g_free(todo);
}

/* "NAME:escaped(value)" folded; RFC 5545 escapes text as vCard does. */
static void
append_text(GString *out, const char *name, const char *value)
{
	char *esc = vcard_escape(value != NULL ? value : "");
	char *line = g_strconcat(name, ":", esc, NULL);

	vcard_append_folded(out, line);
	g_free(line);
	g_free(esc);
}

/* A UTC DATE-TIME: 20260402T090000Z (a new string). */
static char *
utc_stamp(GDateTime *dt)
{
	GDateTime *utc = g_date_time_to_utc(dt);
	char *s = g_date_time_format(utc, "%Y%m%dT%H%M%SZ");

	g_date_time_unref(utc);
	return s;
}

char *
ics_serialize(const GPtrArray *todos, GDateTime *now)
{
	GString *out = g_string_new(NULL);
	char *stamp = utc_stamp(now);

	vcard_append_folded(out, "BEGIN:VCALENDAR");
	vcard_append_folded(out, "VERSION:2.0");
	vcard_append_folded(out, "PRODID:-//kith//kith " KITH_VERSION "//EN");
	vcard_append_folded(out, "CALSCALE:GREGORIAN");
	for (guint i = 0; i < todos->len; i++) {
		const ics_todo *t = g_ptr_array_index(todos, i);
		char *line;

		vcard_append_folded(out, "BEGIN:VTODO");
		line = g_strconcat("UID:", t->uid, NULL);
		/* A UID is not text: no escaping, but no line breaks either. */
		g_strdelimit(line, "\r\n", ' ');
		vcard_append_folded(out, line);
		g_free(line);
		line = g_strconcat("DTSTAMP:", stamp, NULL);
		vcard_append_folded(out, line);
		g_free(line);
		if (t->created > 0) {
			GDateTime *c = g_date_time_new_from_unix_utc(t->created);

			if (c != NULL) {
				char *cs = utc_stamp(c);

				line = g_strconcat("CREATED:", cs, NULL);
				vcard_append_folded(out, line);
				g_free(line);
				g_free(cs);
				g_date_time_unref(c);
			}
		}
		append_text(out, "SUMMARY", t->summary);
		append_text(out, "DESCRIPTION", t->description);
		if (t->has_due && g_date_valid(&t->due)) {
			line = g_strdup_printf("DUE;VALUE=DATE:%04u%02u%02u",
				g_date_get_year(&t->due), g_date_get_month(&t->due),
				g_date_get_day(&t->due));
			vcard_append_folded(out, line);
			g_free(line);
		}
		if (t->categories != NULL && *t->categories != '\0') {
			/* Already a list: escape each word, keep the commas. */
			char **words = g_strsplit(t->categories, ",", -1);
			GString *cat = g_string_new("CATEGORIES:");

			for (char **w = words; *w != NULL; w++) {
				char *esc = vcard_escape(*w);

				if (w != words)
					g_string_append_c(cat, ',');
				g_string_append(cat, esc);
				g_free(esc);
			}
			vcard_append_folded(out, cat->str);
			g_string_free(cat, TRUE);
			g_strfreev(words);
		}
		vcard_append_folded(out, "STATUS:NEEDS-ACTION");
		vcard_append_folded(out, "END:VTODO");
	}
	vcard_append_folded(out, "END:VCALENDAR");
	g_free(stamp);
	return g_string_free(out, FALSE);
}

char *
ics_item_uid(const char *message_id, const char *kind, const char *owner,
	const char *contact_addr, const char *sentence)
{
	GChecksum *sum = g_checksum_new(G_CHECKSUM_SHA256);
	const char *parts[] = { message_id, kind, owner, contact_addr, sentence };
	char *uid;

	for (gsize i = 0; i < G_N_ELEMENTS(parts); i++) {
		const char *p = parts[i] != NULL ? parts[i] : "";

		/* The NUL separates the parts unambiguously. */
		g_checksum_update(sum, (const guchar *)p, (gssize)strlen(p) + 1);
	}
	uid = g_strdup_printf("%.32s@kith", g_checksum_get_string(sum));
	g_checksum_free(sum);
	return uid;
}
