/*
 * mime_cut.h - the content of large attachments kept out of GMime's
 * parser.
 *
 * kith never reads an attachment's content: it lists the attachment by
 * name, type and size.  GMime's parser still reads every line of it
 * while it looks for the next boundary, and on mail with attachments
 * that was a fifth of a scan.  So before GMime sees a multipart body,
 * mime_cut_body() finds the parts that are base64 leaves of a type kith
 * never reads as text (not text/, message/ or multipart/), leaves out
 * their content but for its last line, counts the data characters it
 * left out, and marks each such part with a field of its own
 * ("X-Kith-Cut: NONCE I", the nonce random per parse so no message can
 * forge one).
 *
 * Finding the parts needs only a plan, not a proof: the walk claims
 * each marked part (mime_cut_claim) only where GMime, parsing the cut
 * body, made it an attachment leaf, base64, whose content is no more
 * than the one line the cut left.  A cut region holds no line that
 * starts with "--", so no boundary can hide in it, and a claimed part is
 * the part GMime builds from the whole body, with the whole content:
 * its size is what the walk would count over all of it.  Unless every cut is claimed
 * (mime_cut_verified), the caller parses the whole body again.
 * test_message checks both ways read every test message alike, and the
 * message fuzzer checks it on its inputs.
 */
#ifndef KITH_MIME_CUT_H
#define KITH_MIME_CUT_H

#include <gmime/gmime.h>

/* The cuts of one parse.  Zero it (MIME_CUTS_INIT), fill it with
 * mime_cut_body, free what it holds with mime_cut_clear. */
typedef struct {
	guint32 nonce;        /* in every marker of this parse */
	GArray *data;         /* gsize: base64 data characters left out by cut I */
	GArray *claimed;      /* gboolean: cut I was claimed by the walk */
	guint n_claimed;
	gboolean bad_claim;   /* a marker of this parse where no cut can be */
} mime_cuts;

#define MIME_CUTS_INIT { 0, NULL, NULL, 0, FALSE }

/*
 * Appends to `out` the body of a message, input[body..len) (`body` the
 * offset of the empty line that ends the top-level header block), as
 * GMime should parse it: with the content of large base64 attachments
 * left out and their parts marked.  `content_type` is the raw value of
 * the message's one Content-Type field (NULL: none, or more than one;
 * then nothing is cut).  `cuts` must be zeroed; it is filled even when
 * nothing is cut.
 */
void mime_cut_body(mime_cuts *cuts, GString *out, const char *input, gsize len,
	gsize body, const char *content_type, GMimeParserOptions *options);

/* How many parts mime_cut_body left the content out of. */
guint mime_cut_count(const mime_cuts *cuts);

/*
 * Whether leaf `part`, which the walk lists as an attachment of the
 * message itself (not of a message inside it), is a cut one; then *size
 * is the decoded size of its whole content.  A marker that does not
 * match a cut exactly (nonce, index, claimed once, base64, content of
 * at most one line) makes the cuts unverified.
 */
gboolean mime_cut_claim(mime_cuts *cuts, GMimePart *part, gsize *size);

/* Whether every cut was claimed and no marker was out of place: only
 * then is the walk over the cut body the walk over the whole one. */
gboolean mime_cut_verified(const mime_cuts *cuts);

void mime_cut_clear(mime_cuts *cuts);

/* Line ends, padding and spaces in `n` bytes of base64: the bytes that
 * carry no data.  A base64 part's decoded size is (n - this) * 3 / 4. */
gsize mime_base64_non_data(const char *buf, gsize n);

#endif
