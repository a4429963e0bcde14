/*
 * imap_guard.h - what stands between libetpan and the socket or TLS
 * stream of an IMAP session.
 *
 * libetpan 1.9.4 allocates a literal's announced size ("{N}", up to
 * 4 GiB) before it reads a byte of it, and reads a literal until it has
 * all of it, taking only -1 as an error (a socket closed part way through
 * returns 0 for ever); and it parses the greeting and AUTHENTICATE's
 * continuation lines with no parser context, which it dereferences as
 * soon as it reads a string.  The guard reads the server's bytes as
 * libetpan's parser will, follows the literals, and fails the read that
 * would let a literal over the limit, or a reply that would crash the
 * parser, reach it; it turns the end of the stream into an error.  It
 * also bounds the text of a reply outside its literals (libetpan keeps
 * it all, however long a line a server sends) by the same limit.  A failed read ends the session (imap.c reconnects and
 * goes on past the message it was fetching).
 *
 * imap_guard_follow is the lexer alone, with no I/O (tests and fuzzers
 * call it); imap_guard_attach puts it in front of a stream.
 */
#ifndef KITH_IMAP_GUARD_H
#define KITH_IMAP_GUARD_H

#include <glib.h>
#include <libetpan/libetpan.h>

/* The largest literal passed on: 256 MiB, far above any max_size. */
#define IMAP_GUARD_MAX_LITERAL (256u * 1024 * 1024)

typedef enum {
	IMAP_GUARD_PASS,        /* nothing wrong so far */
	IMAP_GUARD_TOO_LARGE,   /* a literal over the limit is announced */
	IMAP_GUARD_TOO_LONG,    /* a reply's text outside its literals, which
	                         * libetpan keeps whole, is over the limit */
	IMAP_GUARD_MISPLACED,   /* a literal in a status line ("* OK", "+"),
	                         * where no server sends one and where
	                         * libetpan may or may not read it as one */
	IMAP_GUARD_UNSAFE,      /* a status line libetpan 1.9.4 can crash on:
	                         * a "[BADCHARSET (...)]" list */
} imap_guard_verdict;

/* The lexer's state; plain data, set up by imap_guard_init, nothing to
 * free. */
typedef struct {
	guint64 limit;
	guint64 skip;      /* bytes of a literal still to pass */
	guint64 count;     /* the N of the "{N}" being read (saturates) */
	guint64 text;      /* bytes of this reply outside its literals */
	int line;          /* where in a response line (imap_guard.c) */
	int lit;           /* where in a "{N}" announcement */
	gboolean negative; /* "{-N}", which libetpan reads as 0 */
	gboolean quoted;   /* inside a quoted string */
	gboolean escaped;  /* after a backslash inside one */
	char word[8];      /* the start of the line's second word */
	guint word_len;
	guint badcharset;  /* how much of "BADCHARSET (" a status line has */
} imap_guard;

void imap_guard_init(imap_guard *g, guint64 limit);

/*
 * Follows `len` bytes the server sent, after all those given before.
 * Once it returns anything but IMAP_GUARD_PASS the state is undefined:
 * the session is to be dropped.
 */
imap_guard_verdict imap_guard_follow(imap_guard *g, const char *buf, size_t len);

/*
 * Puts the low stream of `stream` behind a guard passing literals of up
 * to `limit` bytes (IMAP_GUARD_MAX_LITERAL but in tests), once: a stream
 * already guarded is left as it is.  `where` ("user@host:port") names the
 * session in the warning a refused literal logs; it is borrowed and must
 * outlive the stream.  The guard is freed with the stream.
 */
void imap_guard_attach(mailstream *stream, const char *where, guint64 limit);

#endif
