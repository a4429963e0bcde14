/*
 * imap_partial.h - the reduced form of a message fetched without its
 * attachments (imap.c fetches messages over max_size so; message.h's
 * MESSAGE_PARSE_PARTIAL reads it): the original header, but for the
 * fields it replaces, kept under the prefix "X-Kith-Original-"; then
 * either the text of a one-part message, or a multipart of kith's own
 * (boundary IMAP_PARTIAL_BOUNDARY) of the text parts and, for every
 * other leaf, a stub with its type, name and decoded size
 * (X-Kith-Part-Size) and no content.
 *
 * A partial_msg gathers what the server sent of one UID: its
 * BODYSTRUCTURE and header (partial_msg_plan), then the sections of its
 * text parts (partial_msg_keep), and builds the reduced message from
 * them (partial_msg_build).  No I/O: imap.c sends the commands.
 */
#ifndef KITH_IMAP_PARTIAL_H
#define KITH_IMAP_PARTIAL_H

#include <glib.h>
#include <libetpan/libetpan.h>

#define IMAP_PARTIAL_BOUNDARY "=_kith-partial-message"
/* Bytes kept of the header and of each text part (1 MiB). */
#define IMAP_PARTIAL_PART_BYTES 1048576
/* The FETCH items of the first command for a reduced message. */
#define IMAP_PARTIAL_PLAN_ITEMS \
	"BODYSTRUCTURE BODY.PEEK[HEADER]<0." G_STRINGIFY(IMAP_PARTIAL_PART_BYTES) ">"

typedef struct partial_msg partial_msg;

partial_msg *partial_msg_new(guint32 uid);
void partial_msg_free(partial_msg *pm);
guint32 partial_msg_uid(const partial_msg *pm);

/*
 * Reads the reply to IMAP_PARTIAL_PLAN_ITEMS (borrowed): the structure and
 * the header (a copy is kept).  A reply without either, or a second one,
 * is ignored.
 */
void partial_msg_plan(partial_msg *pm, const struct mailimap_body *structure,
	const char *header, gsize len);
/* Whether the structure and header arrived. */
gboolean partial_msg_planned(const partial_msg *pm);
/*
 * The FETCH items of its text parts ("BODY.PEEK[TEXT]<0.N>", or the MIME
 * header and content of each), borrowed; "" when there are none.  Messages
 * with the same items are fetched by one command.
 */
const char *partial_msg_items(const partial_msg *pm);
/* Keeps every body section of a reply to partial_msg_items (borrowed). */
void partial_msg_keep(partial_msg *pm, const struct mailimap_msg_att *att);
/* The reduced message (new string of *len bytes); needs partial_msg_planned. */
char *partial_msg_build(const partial_msg *pm, gsize *len);

#endif
