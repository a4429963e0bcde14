/*
 * mime_leaf.h - a message whose body is one inline text part, read
 * without building GMime's object tree.
 *
 * Most mail is a single text/plain (or text/html) part.  For those GMime
 * would build a part, its header list, content type, data wrapper and
 * streams, and write the body to a stream line by line, only for kith to
 * decode it and free them all.  mime_leaf_find() recognises the shape
 * from the top-level fields alone, strictly: anything it is not certain
 * GMime reads the same way (another Content-* field, a parameter in RFC
 * 2231 form, a quoted value with spaces, an attachment's name, an
 * unknown transfer encoding, a repeated field) is no simple leaf, and
 * the message goes to GMime as before.  The decoding is GMime's own
 * (g_mime_encoding_step), over the same bytes GMime's parser would give
 * the part: everything after the empty line that ends the header block.
 * test_message checks both paths agree on every message in tests/data
 * and ../shared/mail-corpus, and the message fuzzer checks them on its
 * inputs.
 */
#ifndef KITH_MIME_LEAF_H
#define KITH_MIME_LEAF_H

#include <gmime/gmime.h>

typedef struct {
	gboolean is_html;              /* text/html, else text/plain */
	char *charset;                 /* the charset parameter (g_free), or NULL */
	GMimeContentEncoding encoding; /* as GMime names it; DEFAULT when absent */
	const char *body;              /* the encoded body, into the input */
	gsize body_len;
} mime_leaf;

/*
 * Whether the message whose top-level `fields` (header_field, from
 * header_block_split over `input`, `len` bytes, the block ending at
 * offset `end`) is a simple leaf.  When TRUE, *leaf is filled and its
 * charset is the caller's to free (mime_leaf_clear); when FALSE, *leaf
 * holds nothing to free.
 */
gboolean mime_leaf_find(const GArray *fields, const char *input, gsize len,
	gsize end, mime_leaf *leaf);

/* The body with its transfer encoding undone: a new GByteArray. */
GByteArray *mime_leaf_decode(const mime_leaf *leaf);

void mime_leaf_clear(mime_leaf *leaf);

#endif
