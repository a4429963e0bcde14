/*
 * mime_cut.c - large attachments' content left out of what GMime
 * parses, each part marked so the walk can prove the cut was right.
 * The plan is a guess that is cheap to make; mime_cut_claim() is what
 * makes it safe.
 */
#include <string.h>

#include "header_block.h"
#include "mime_cut.h"

/* Smaller content costs GMime little to read. */
#define CUT_MIN 4096
/* Bounds on the plan's work, whatever the input: the parts it looks at,
 * the bytes of a part's header block, the multipart levels it follows. */
#define MAX_PARTS 512
#define MAX_PART_HEADER 16384
#define MAX_BOUNDARIES 16

#define MARKER "X-Kith-Cut"

/* The plan of one cut: offsets into the input. */
typedef struct {
	gsize part;      /* where the part's header block starts */
	gsize content;   /* where its content starts */
	gsize end;       /* where the line after the content starts */
} cut_span;

typedef struct {
	const char *input;
	gsize len;
	GMimeParserOptions *options;
	GPtrArray *boundaries;   /* "--" + boundary, new strings */
	GArray *spans;           /* cut_span */
	mime_cuts *cuts;
} cut_plan;

static gsize
non_data_bytes(const guchar *p, gsize n)
{
	gsize k = 0;

	for (gsize i = 0; i < n; i++)
		k += p[i] == '\n' || p[i] == '\r' || p[i] == '=' || p[i] == ' ';
	return k;
}

/* Sixteen byte lanes (a GCC and Clang extension: SSE2 on x86-64, plain
 * code elsewhere).  Attachments run to megabytes. */
typedef guint8 lanes16 __attribute__((vector_size(16)));

gsize
mime_base64_non_data(const char *buf, gsize n)
{
	const guchar *p = (const guchar *)buf;
	gsize skipped = 0, i = 0;

	while (n - i >= 16) {
		lanes16 count = { 0 };
		/* a lane counts to 255 at most before it is added up */
		gsize blocks = MIN((n - i) / 16, (gsize)255);

		for (gsize b = 0; b < blocks; b++, i += 16) {
			lanes16 v;

			memcpy(&v, p + i, sizeof v);
			/* a true comparison is all ones: subtracting it adds one */
			count -= (lanes16)((v == '\n') | (v == '\r') | (v == '=') | (v == ' '));
		}
		for (int l = 0; l < 16; l++)
			skipped += count[l];
	}
	return skipped + non_data_bytes(p + i, n - i);
}

/* The offset of the first line at or after `from` that starts with
 * "--", or `len`.  Lines start after a '\n'; base64 has no '-', so
 * memchr skips attachments' content fast. */
static gsize
next_dash_line(const char *input, gsize from, gsize len)
{
	gsize at = from;
	const char *d;

	while (at < len && (d = memchr(input + at, '-', len - at)) != NULL) {
		gsize o = (gsize)(d - input);

		if (o + 1 < len && input[o + 1] == '-' && o > 0 && input[o - 1] == '\n')
			return o;
		at = o + 1;
	}
	return len;
}

/* Whether `line` (its '\n' excluded) is a boundary of the plan, not
 * its closing form: "--boundary" and blanks.  Anything else, the
 * closing "--boundary--" included, starts no part. */
static gboolean
is_part_boundary(const cut_plan *plan, const char *line, gsize n)
{
	for (guint i = 0; i < plan->boundaries->len; i++) {
		const char *b = g_ptr_array_index(plan->boundaries, i);
		gsize bl = strlen(b), k;

		if (n < bl || memcmp(line, b, bl) != 0)
			continue;
		for (k = bl; k < n && (line[k] == ' ' || line[k] == '\t' || line[k] == '\r'); k++)
			;
		if (k == n)
			return TRUE;
	}
	return FALSE;
}

/* The value of the one field `name` of `fields` with its line ends
 * dropped and trimmed (new string), or NULL when there is none or more
 * than one. */
static char *
single_field(const GArray *fields, const char *name)
{
	char *value = header_block_only_value(fields, name);
	gsize w = 0;

	if (value == NULL)
		return NULL;
	for (gsize r = 0; value[r] != '\0'; r++) {
		if (value[r] != '\r' && value[r] != '\n')
			value[w++] = value[r];
	}
	value[w] = '\0';
	return g_strstrip(value);
}

/* Adds the boundary of a multipart/ Content-Type `ct` to the plan. */
static void
add_boundary(cut_plan *plan, GMimeContentType *ct)
{
	const char *b = g_mime_content_type_get_parameter(ct, "boundary");

	if (b != NULL && *b != '\0' && plan->boundaries->len < MAX_BOUNDARIES)
		g_ptr_array_add(plan->boundaries, g_strconcat("--", b, NULL));
}

/* Whether a part of type `ct` is one the walk never reads as text. */
static gboolean
type_is_opaque(GMimeContentType *ct)
{
	const char *type = g_mime_content_type_get_media_type(ct);

	return type != NULL && g_ascii_strcasecmp(type, "text") != 0 &&
		g_ascii_strcasecmp(type, "message") != 0 &&
		g_ascii_strcasecmp(type, "multipart") != 0;
}

/*
 * Looks at the part whose header block starts at `start`: a multipart
 * adds its boundary, a large opaque base64 leaf becomes a cut.  Returns
 * where the scan goes on, or `len` when no later part can be read (no
 * empty line ends this one's header block).
 */
static gsize
plan_part(cut_plan *plan, gsize start)
{
	const char *input = plan->input;
	GArray *fields = g_array_new(FALSE, FALSE, sizeof(header_field));
	GMimeContentType *ct = NULL;
	char *type = NULL, *encoding = NULL;
	gsize avail = MIN(plan->len - start, (gsize)MAX_PART_HEADER);
	gsize hend = header_block_split(input + start, avail, fields);
	gsize next = start, content, end;
	const char *last;

	if (hend >= avail) {
		next = avail < MAX_PART_HEADER ? plan->len : start;
		goto out;
	}
	content = start + hend + (input[start + hend] == '\r' ? 2 : 1);
	next = MIN(content, plan->len);
	if ((type = single_field(fields, "Content-Type")) == NULL ||
	    (ct = g_mime_content_type_parse(plan->options, type)) == NULL)
		goto out;
	if (g_mime_content_type_is_type(ct, "multipart", "*")) {
		add_boundary(plan, ct);
		goto out;
	}
	if (!type_is_opaque(ct) ||
	    (encoding = single_field(fields, "Content-Transfer-Encoding")) == NULL ||
	    g_ascii_strcasecmp(encoding, "base64") != 0)
		goto out;
	/* The content's last line stays: how much of it GMime keeps before
	 * the boundary is GMime's to say (it trims one or two bytes, by
	 * rules of its own), and the claim counts what it kept. */
	end = next_dash_line(input, next, plan->len);
	if (end < plan->len && end - next > 1 &&
	    (last = memrchr(input + next, '\n', end - 1 - next)) != NULL &&
	    (gsize)(last + 1 - input) - next >= CUT_MIN) {
		cut_span span = { start, next, (gsize)(last + 1 - input) };
		gsize n = span.end - next, data = n - MIN(mime_base64_non_data(input + next, n), n);

		g_array_append_val(plan->spans, span);
		g_array_append_val(plan->cuts->data, data);
		next = span.end;
	}
out:
	if (ct != NULL)
		g_object_unref(ct);
	g_free(type);
	g_free(encoding);
	g_array_unref(fields);
	return next;
}

/* Walks the body from `body`: every line that is a boundary starts a
 * part for plan_part to look at. */
static void
plan_cuts(cut_plan *plan, gsize body)
{
	gsize at = body;
	guint parts = 0;

	while (parts < MAX_PARTS && (at = next_dash_line(plan->input, at, plan->len)) < plan->len) {
		const char *line = plan->input + at;
		const char *nl = memchr(line, '\n', plan->len - at);
		gsize n = nl != NULL ? (gsize)(nl - line) : plan->len - at;

		at += n + (nl != NULL ? 1 : 0);
		if (nl == NULL || !is_part_boundary(plan, line, n))
			continue;
		parts++;
		at = plan_part(plan, at);
	}
}

/* Writes the body with the planned cuts: each cut part's header block
 * gets the marker first, its content is left out. */
static void
write_cut_body(const cut_plan *plan, GString *out, gsize body)
{
	gsize from = body;

	for (guint i = 0; i < plan->spans->len; i++) {
		const cut_span *s = &g_array_index(plan->spans, cut_span, i);

		g_string_append_len(out, plan->input + from, (gssize)(s->part - from));
		g_string_append_printf(out, MARKER ": %08x %u\n", plan->cuts->nonce, i);
		g_string_append_len(out, plan->input + s->part, (gssize)(s->content - s->part));
		from = s->end;
	}
	g_string_append_len(out, plan->input + from, (gssize)(plan->len - from));
}

void
mime_cut_body(mime_cuts *cuts, GString *out, const char *input, gsize len,
	gsize body, const char *content_type, GMimeParserOptions *options)
{
	cut_plan plan = { input, len, options, g_ptr_array_new_with_free_func(g_free),
		g_array_new(FALSE, FALSE, sizeof(cut_span)), cuts };
	GMimeContentType *ct = NULL;

	cuts->nonce = g_random_int();
	cuts->data = g_array_new(FALSE, FALSE, sizeof(gsize));
	cuts->claimed = g_array_new(FALSE, TRUE, sizeof(gboolean));
	if (content_type != NULL &&
	    (ct = g_mime_content_type_parse(options, content_type)) != NULL &&
	    g_mime_content_type_is_type(ct, "multipart", "*")) {
		add_boundary(&plan, ct);
		plan_cuts(&plan, body);
	}
	g_array_set_size(cuts->claimed, cuts->data->len);
	write_cut_body(&plan, out, body);
	if (ct != NULL)
		g_object_unref(ct);
	g_ptr_array_unref(plan.boundaries);
	g_array_unref(plan.spans);
}

guint
mime_cut_count(const mime_cuts *cuts)
{
	return cuts->data != NULL ? cuts->data->len : 0;
}

/* The base64 data characters of the content GMime gave `part`, which
 * must be no more than the last line the cut left: FALSE when it holds
 * a line end, so GMime's part went on past where the cut's did. */
static gboolean
content_data(GMimePart *part, gsize *data)
{
	GMimeDataWrapper *content = g_mime_part_get_content(part);
	GMimeStream *stream;
	char buf[4096];
	gssize n;

	*data = 0;
	if (content == NULL || (stream = g_mime_data_wrapper_get_stream(content)) == NULL)
		return TRUE;
	g_mime_stream_reset(stream);
	while ((n = g_mime_stream_read(stream, buf, sizeof buf)) > 0) {
		if (memchr(buf, '\n', (gsize)n) != NULL)
			return FALSE;
		*data += (gsize)n - mime_base64_non_data(buf, (gsize)n);
	}
	g_mime_stream_reset(stream);
	return n == 0;
}

gboolean
mime_cut_claim(mime_cuts *cuts, GMimePart *part, gsize *size)
{
	const char *value;
	guint32 nonce;
	guint index;
	gsize rest;
	char tail;

	if (mime_cut_count(cuts) == 0 ||
	    (value = g_mime_object_get_header(GMIME_OBJECT(part), MARKER)) == NULL)
		return FALSE;
	if (sscanf(value, "%8x %u%c", &nonce, &index, &tail) != 2 ||
	    nonce != cuts->nonce || index >= cuts->data->len ||
	    g_array_index(cuts->claimed, gboolean, index) ||
	    g_mime_part_get_content_encoding(part) != GMIME_CONTENT_ENCODING_BASE64 ||
	    !content_data(part, &rest)) {
		cuts->bad_claim = TRUE;
		return FALSE;
	}
	g_array_index(cuts->claimed, gboolean, index) = TRUE;
	cuts->n_claimed++;
	/* as the walk counts a whole part: data characters, 3 bytes per 4 */
	*size = (g_array_index(cuts->data, gsize, index) + rest) * 3 / 4;
	return TRUE;
}

gboolean
mime_cut_verified(const mime_cuts *cuts)
{
	return !cuts->bad_claim && cuts->n_claimed == mime_cut_count(cuts);
}

void
mime_cut_clear(mime_cuts *cuts)
{
	g_clear_pointer(&cuts->data, g_array_unref);
	g_clear_pointer(&cuts->claimed, g_array_unref);
	cuts->n_claimed = 0;
	cuts->bad_claim = FALSE;
}
