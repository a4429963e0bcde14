/*
 * imap_partial.c - the reduced form of a message fetched without its
 * attachments (see imap_partial.h).
 */
#include <string.h>

#include "imap_partial.h"

/* Text parts kept of a message, at most ... */
#define IMAP_PARTIAL_PARTS 8
/* ... and stubs for at most this many of its other parts (name, type, size) */
#define IMAP_PARTIAL_STUBS 64

/* What a partial fetch keeps of a message's structure: the section
 * paths of its text parts, and a stub for every other leaf. */
typedef struct {
	GPtrArray *parts;    /* GArray of guint32 each: "1.2" as {1, 2} */
	GPtrArray *stubs;    /* char*: the MIME header of each stub part */
	gboolean report;     /* a multipart/report in it (a bounce, a receipt) */
} partial_shape;

/* `text` as a quoted-string for a MIME parameter: quotes and backslashes
 * escaped, control characters (CR, LF among them) dropped. */
static void
append_quoted(GString *out, const char *text)
{
	g_string_append_c(out, '"');
	for (const char *p = text; *p != '\0'; p++) {
		if ((guchar)*p < 32 || *p == 127)
			continue;
		if (*p == '"' || *p == '\\')
			g_string_append_c(out, '\\');
		g_string_append_c(out, *p);
	}
	g_string_append_c(out, '"');
}

/* A media type or subtype the stub can carry: a token, lowercased;
 * `fallback` for anything else. */
static void
append_token(GString *out, const char *token, const char *fallback)
{
	gboolean ok = token != NULL && *token != '\0';

	for (const char *p = token; ok && *p != '\0'; p++)
		ok = g_ascii_isalnum(*p) || strchr("!#$%&'*+-.^_`{|}~", *p) != NULL;
	for (const char *p = ok ? token : fallback; *p != '\0'; p++)
		g_string_append_c(out, g_ascii_tolower(*p));
}

static const char *
param_value(const struct mailimap_body_fld_param *params, const char *name)
{
	if (params == NULL || params->pa_list == NULL)
		return NULL;
	for (clistiter *it = clist_begin(params->pa_list); it != NULL; it = clist_next(it)) {
		const struct mailimap_single_body_fld_param *p = clist_content(it);

		if (p->pa_name != NULL && p->pa_value != NULL &&
		    g_ascii_strcasecmp(p->pa_name, name) == 0)
			return p->pa_value;
	}
	return NULL;
}

/* A text part worth keeping: text/plain or text/html, not an attachment
 * (message.c's test: no attachment disposition, and no file name). */
static gboolean
is_text_part(const struct mailimap_body_type_1part *part)
{
	const struct mailimap_body_fld_dsp *dsp;
	const char *sub;

	if (part->bd_type != MAILIMAP_BODY_TYPE_1PART_TEXT ||
	    part->bd_data.bd_type_text == NULL)
		return FALSE;
	sub = part->bd_data.bd_type_text->bd_media_text;
	if (sub == NULL || (g_ascii_strcasecmp(sub, "plain") != 0 &&
		g_ascii_strcasecmp(sub, "html") != 0))
		return FALSE;
	if (part->bd_data.bd_type_text->bd_fields != NULL &&
	    param_value(part->bd_data.bd_type_text->bd_fields->bd_parameter, "name") != NULL)
		return FALSE;
	dsp = part->bd_ext_1part ? part->bd_ext_1part->bd_disposition : NULL;
	return dsp == NULL || dsp->dsp_type == NULL ||
		(g_ascii_strcasecmp(dsp->dsp_type, "attachment") != 0 &&
		 param_value(dsp->dsp_attributes, "filename") == NULL);
}

/* The decoded size of a leaf of `octets` bytes on the wire, estimated as
 * message.c estimates it from the bytes: base64 carries 3 bytes in 4
 * characters, on lines of 76 and a CRLF. */
static guint64
decoded_size(const struct mailimap_body_fields *fields)
{
	guint64 octets = fields->bd_size;

	if (fields->bd_encoding != NULL &&
	    fields->bd_encoding->enc_type == MAILIMAP_BODY_FLD_ENC_BASE64)
		return octets * 76 / 78 * 3 / 4;
	return octets;
}

/* The MIME header of the stub that stands for a leaf kith does not
 * fetch: its type, name, disposition and decoded size
 * (X-Kith-Part-Size, which message.c reads only in partial messages). */
static char *
render_stub(const struct mailimap_body_type_1part *part)
{
	const struct mailimap_body_fields *fields = NULL;
	const struct mailimap_body_fld_dsp *dsp =
		part->bd_ext_1part ? part->bd_ext_1part->bd_disposition : NULL;
	GString *out = g_string_new("Content-Type: ");
	const char *name, *filename;

	switch (part->bd_type) {
	case MAILIMAP_BODY_TYPE_1PART_BASIC: {
		const struct mailimap_media_basic *media =
			part->bd_data.bd_type_basic->bd_media_basic;
		static const char *const types[] = {
			[MAILIMAP_MEDIA_BASIC_APPLICATION] = "application",
			[MAILIMAP_MEDIA_BASIC_AUDIO] = "audio",
			[MAILIMAP_MEDIA_BASIC_IMAGE] = "image",
			[MAILIMAP_MEDIA_BASIC_MESSAGE] = "message",
			[MAILIMAP_MEDIA_BASIC_VIDEO] = "video",
		};
		const char *type = media->med_type >= 0 &&
			(gsize)media->med_type < G_N_ELEMENTS(types) &&
			types[media->med_type] != NULL ? types[media->med_type]
			: media->med_basic_type;

		append_token(out, type, "application");
		g_string_append_c(out, '/');
		append_token(out, media->med_subtype, "octet-stream");
		fields = part->bd_data.bd_type_basic->bd_fields;
		break;
	}
	case MAILIMAP_BODY_TYPE_1PART_MSG:
		g_string_append(out, "message/rfc822");
		fields = part->bd_data.bd_type_msg->bd_fields;
		break;
	case MAILIMAP_BODY_TYPE_1PART_TEXT:
		g_string_append(out, "text/");
		append_token(out, part->bd_data.bd_type_text->bd_media_text, "plain");
		fields = part->bd_data.bd_type_text->bd_fields;
		break;
	default:
		g_string_append(out, "application/octet-stream");
		break;
	}
	name = fields != NULL ? param_value(fields->bd_parameter, "name") : NULL;
	if (name != NULL) {
		g_string_append(out, "; name=");
		append_quoted(out, name);
	}
	if (dsp != NULL && dsp->dsp_type != NULL) {
		g_string_append(out, "\r\nContent-Disposition: ");
		append_token(out, dsp->dsp_type, "attachment");
		filename = param_value(dsp->dsp_attributes, "filename");
		if (filename != NULL) {
			g_string_append(out, "; filename=");
			append_quoted(out, filename);
		}
	}
	g_string_append_printf(out, "\r\nX-Kith-Part-Size: %" G_GUINT64_FORMAT "\r\n\r\n",
		fields != NULL ? decoded_size(fields) : (guint64)0);
	return g_string_free(out, FALSE);
}

/* Walks the structure: text parts to fetch, stubs for the other leaves.
 * The signature of a multipart/signed is no attachment (message.c skips
 * it too); the parts of an attached message are its own. */
static void
collect_shape(const struct mailimap_body *body, GArray *path, partial_shape *shape,
	int depth)
{
	const struct mailimap_body_type_mpart *mp;
	guint32 n = 0;

	if (body == NULL || depth > 32)
		return;
	if (body->bd_type == MAILIMAP_BODY_1PART) {
		const struct mailimap_body_type_1part *part = body->bd_data.bd_body_1part;

		if (part == NULL)
			return;
		if (is_text_part(part)) {
			if (shape->parts->len < IMAP_PARTIAL_PARTS)
				g_ptr_array_add(shape->parts, g_array_copy(path));
		} else if (shape->stubs->len < IMAP_PARTIAL_STUBS) {
			g_ptr_array_add(shape->stubs, render_stub(part));
		}
		return;
	}
	if ((mp = body->bd_data.bd_body_mpart) == NULL)
		return;
	if (mp->bd_media_subtype != NULL && g_ascii_strcasecmp(mp->bd_media_subtype, "report") == 0)
		shape->report = TRUE;
	for (clistiter *it = clist_begin(mp->bd_list); it != NULL; it = clist_next(it)) {
		n++;
		if (n > 1 && mp->bd_media_subtype != NULL &&
		    g_ascii_strcasecmp(mp->bd_media_subtype, "signed") == 0)
			break;
		g_array_append_val(path, n);
		collect_shape(clist_content(it), path, shape, depth + 1);
		g_array_set_size(path, path->len - 1);
	}
}

/*
 * Copies a header block (to its blank line, which is not copied); the
 * fields named in `fields` ("Name:", any case) are dropped with their
 * continuation lines when `rename` is NULL, and kept under the name
 * `rename` + their own otherwise.
 */
static void
append_header(GString *out, const char *hdr, gsize len,
	const char *const *fields, const char *rename)
{
	const char *p = hdr, *end = hdr + len;
	gboolean matched = FALSE;

	while (p < end) {
		const char *eol = memchr(p, '\n', end - p);
		gsize linelen = eol ? (gsize)(eol - p + 1) : (gsize)(end - p);

		if (linelen <= 2 && (*p == '\r' || *p == '\n'))
			break;  /* the blank line ending the header */
		if (*p != ' ' && *p != '\t') {
			matched = FALSE;
			for (const char *const *f = fields; *f != NULL && !matched; f++)
				matched = (gsize)(end - p) >= strlen(*f) &&
					g_ascii_strncasecmp(p, *f, strlen(*f)) == 0;
			if (matched && rename != NULL)
				g_string_append(out, rename);
		}
		if (!matched || rename != NULL)
			g_string_append_len(out, p, linelen);
		p += linelen;
	}
}

/* A field only kith writes, in the stubs: never taken from the server. */
static const char *const stub_fields[] = { "X-Kith-Part-Size:", NULL };
static const char *const mime_and_stub_fields[] = {
	"Content-Type:", "Content-Transfer-Encoding:", "X-Kith-Part-Size:", NULL
};
/* The message's own fields that the reduced message replaces are kept
 * under this prefix, so that its header block still hashes as the
 * original does (message_synthesize_id, for mail without a Message-ID). */
#define IMAP_PARTIAL_RENAMED "X-Kith-Original-"

/* "1.2" for the path {1, 2} (new string). */
static char *
path_name(const GArray *path)
{
	GString *out = g_string_new(NULL);

	for (guint i = 0; i < path->len; i++)
		g_string_append_printf(out, "%s%u", i > 0 ? "." : "",
			g_array_index(path, guint32, i));
	return g_string_free(out, FALSE);
}

/* A body section of a FETCH response as partial_msg names it: "HEADER",
 * "TEXT", "1.2", "1.2.MIME" (new string; "" for the whole message). */
static char *
section_name(const struct mailimap_section *sec)
{
	const struct mailimap_section_spec *spec = sec != NULL ? sec->sec_spec : NULL;
	const struct mailimap_section_msgtext *text = NULL;
	GString *out = g_string_new(NULL);

	if (spec == NULL)
		goto out;
	if (spec->sec_type == MAILIMAP_SECTION_SPEC_SECTION_MSGTEXT) {
		text = spec->sec_data.sec_msgtext;
	} else if (spec->sec_data.sec_part != NULL) {
		for (clistiter *it = clist_begin(spec->sec_data.sec_part->sec_id);
			it != NULL; it = clist_next(it))
			g_string_append_printf(out, "%s%u", out->len > 0 ? "." : "",
				*(uint32_t *)clist_content(it));
		if (spec->sec_text != NULL &&
		    spec->sec_text->sec_type == MAILIMAP_SECTION_TEXT_MIME)
			g_string_append(out, ".MIME");
		else if (spec->sec_text != NULL)
			text = spec->sec_text->sec_msgtext;
	}
	if (text != NULL)
		g_string_append_printf(out, "%s%s", out->len > 0 ? "." : "",
			text->sec_type == MAILIMAP_SECTION_MSGTEXT_HEADER ? "HEADER"
			: text->sec_type == MAILIMAP_SECTION_MSGTEXT_TEXT ? "TEXT" : "FIELDS");
out:
	return g_string_free(out, FALSE);
}

struct partial_msg {
	guint32 uid;
	gboolean planned;      /* the server sent its structure and header */
	gboolean single;       /* one text part: its TEXT is fetched */
	partial_shape shape;
	GBytes *header;        /* BODY[HEADER], capped */
	GHashTable *sections;  /* "TEXT", "1.2", "1.2.MIME" -> GBytes */
	char *items;           /* the FETCH items of its text parts */
};

partial_msg *
partial_msg_new(guint32 uid)
{
	partial_msg *pm = g_new0(partial_msg, 1);

	pm->uid = uid;
	pm->shape.parts = g_ptr_array_new_with_free_func((GDestroyNotify)g_array_unref);
	pm->shape.stubs = g_ptr_array_new_with_free_func(g_free);
	pm->sections = g_hash_table_new_full(g_str_hash, g_str_equal, g_free,
		(GDestroyNotify)g_bytes_unref);
	pm->items = g_strdup("");
	return pm;
}

void
partial_msg_free(partial_msg *pm)
{
	if (pm == NULL)
		return;
	g_ptr_array_unref(pm->shape.parts);
	g_ptr_array_unref(pm->shape.stubs);
	if (pm->header != NULL)
		g_bytes_unref(pm->header);
	g_hash_table_unref(pm->sections);
	g_free(pm->items);
	g_free(pm);
}

guint32
partial_msg_uid(const partial_msg *pm)
{
	return pm->uid;
}

gboolean
partial_msg_planned(const partial_msg *pm)
{
	return pm->planned;
}

const char *
partial_msg_items(const partial_msg *pm)
{
	return pm->items;
}

/* Adds BODY.PEEK[section]<0.cap> to the items being written. */
static void
append_item(GString *items, const char *section)
{
	g_string_append_printf(items, "%sBODY.PEEK[%s]<0.%u>", items->len > 0 ? " " : "",
		section, (unsigned)IMAP_PARTIAL_PART_BYTES);
}

void
partial_msg_plan(partial_msg *pm, const struct mailimap_body *structure,
	const char *header, gsize len)
{
	GArray *path;
	GString *items;

	if (pm->planned || structure == NULL || header == NULL || len == 0)
		return;
	pm->planned = TRUE;
	pm->header = g_bytes_new(header, len);
	pm->single = structure->bd_type == MAILIMAP_BODY_1PART &&
		structure->bd_data.bd_body_1part != NULL &&
		is_text_part(structure->bd_data.bd_body_1part);
	items = g_string_new(NULL);
	if (pm->single) {
		append_item(items, "TEXT");
	} else {
		path = g_array_new(FALSE, FALSE, sizeof(guint32));
		collect_shape(structure, path, &pm->shape, 0);
		g_array_unref(path);
		for (guint i = 0; i < pm->shape.parts->len; i++) {
			char *name = path_name(pm->shape.parts->pdata[i]);
			char *mime = g_strconcat(name, ".MIME", NULL);

			append_item(items, mime);
			append_item(items, name);
			g_free(mime);
			g_free(name);
		}
	}
	g_free(pm->items);
	pm->items = g_string_free(items, FALSE);
}

void
partial_msg_keep(partial_msg *pm, const struct mailimap_msg_att *att)
{
	for (clistiter *it = clist_begin(att->att_list); it != NULL;
		it = clist_next(it)) {
		const struct mailimap_msg_att_item *item = clist_content(it);
		const struct mailimap_msg_att_body_section *sec;

		if (item->att_type != MAILIMAP_MSG_ATT_ITEM_STATIC ||
		    item->att_data.att_static->att_type != MAILIMAP_MSG_ATT_BODY_SECTION)
			continue;
		sec = item->att_data.att_static->att_data.att_body_section;
		if (sec == NULL || sec->sec_body_part == NULL)
			continue;
		g_hash_table_insert(pm->sections, section_name(sec->sec_section),
			g_bytes_new(sec->sec_body_part, sec->sec_length));
	}
}

/* Appends a fetched section (nothing when the server sent none). */
static void
append_section(GString *msg, const partial_msg *pm, const char *name,
	const char *const *drop)
{
	GBytes *bytes = g_hash_table_lookup(pm->sections, name);
	gsize len = 0;
	const char *data = bytes != NULL ? g_bytes_get_data(bytes, &len) : NULL;

	if (data == NULL)
		return;
	if (drop != NULL)
		append_header(msg, data, len, drop, NULL);
	else
		g_string_append_len(msg, data, len);
}

/* The multipart is a report when the message holds one, so a bounce still
 * reads as one. */
char *
partial_msg_build(const partial_msg *pm, gsize *len)
{
	gsize hlen;
	const char *hdr = g_bytes_get_data(pm->header, &hlen);
	GString *msg = g_string_sized_new(hlen + 4096);

	if (pm->single) {
		append_header(msg, hdr, hlen, stub_fields, IMAP_PARTIAL_RENAMED);
		g_string_append(msg, "\r\n");
		append_section(msg, pm, "TEXT", NULL);
		goto out;
	}
	append_header(msg, hdr, hlen, mime_and_stub_fields, IMAP_PARTIAL_RENAMED);
	g_string_append_printf(msg, "Content-Type: multipart/%s; boundary=\""
		IMAP_PARTIAL_BOUNDARY "\"\r\n\r\n", pm->shape.report ? "report" : "mixed");
	for (guint i = 0; i < pm->shape.parts->len; i++) {
		char *name = path_name(pm->shape.parts->pdata[i]);
		char *mime = g_strconcat(name, ".MIME", NULL);

		g_string_append(msg, "--" IMAP_PARTIAL_BOUNDARY "\r\n");
		append_section(msg, pm, mime, stub_fields);
		g_string_append(msg, "\r\n");
		append_section(msg, pm, name, NULL);
		g_string_append(msg, "\r\n");
		g_free(mime);
		g_free(name);
	}
	for (guint i = 0; i < pm->shape.stubs->len; i++) {
		g_string_append(msg, "--" IMAP_PARTIAL_BOUNDARY "\r\n");
		g_string_append(msg, pm->shape.stubs->pdata[i]);
		g_string_append(msg, "\r\n");
	}
	g_string_append(msg, "--" IMAP_PARTIAL_BOUNDARY "--\r\n");
out:
	*len = msg->len;
	return g_string_free(msg, FALSE);
}

