/*
 * fuzz_imap_guard.c - the literal guard (imap_guard.h) against the parser
 * it guards.  The input is what a server sends: libetpan reads it as a
 * greeting, the replies to an AUTHENTICATE XOAUTH2, then responses, as
 * kith's session does, through a stream
 * that hands it over in pieces of sizes the input's first bytes choose,
 * behind a guard whose limit is GUARD_LIMIT.  run.sh runs this harness
 * with a malloc limit far above GUARD_LIMIT: if the guard ever let a
 * literal it should have refused reach the parser, libetpan's allocation
 * of it trips that limit and libFuzzer reports it; a reply that crashes
 * the parser is a crash.  The lexer must also
 * give the same verdict on the input in one piece and byte by byte.
 */
#include <stdint.h>

#include <libetpan/libetpan.h>

#include "imap_guard.h"
#include "fuzzutil.h"

/* 1 MiB: libetpan asks for at most 2 MiB for a literal passed; run.sh
 * sets libFuzzer's -malloc_limit_mb far above that. */
#define GUARD_LIMIT (1024 * 1024)

typedef struct {
	const uint8_t *data;
	size_t size, at;
	const uint8_t *sizes;   /* piece sizes, cycled */
	size_t n_sizes, next;
} memory_input;

static ssize_t
memory_read(mailstream_low *low, void *buf, size_t count)
{
	memory_input *in = low->data;
	size_t n = MIN(count, in->size - in->at);

	if (in->n_sizes > 0) {
		size_t piece = (size_t)in->sizes[in->next++ % in->n_sizes] % 64 + 1;

		n = MIN(n, piece);
	}
	memcpy(buf, in->data + in->at, n);
	in->at += n;
	return (ssize_t)n;
}

static ssize_t
memory_write(mailstream_low *low, const void *buf, size_t count)
{
	return (ssize_t)count;
}

static int
memory_close(mailstream_low *low)
{
	return 0;
}

static int
memory_get_fd(mailstream_low *low)
{
	return -1;
}

static void
memory_free(mailstream_low *low)
{
	free(low);   /* the input is the caller's */
}

static mailstream_low_driver memory_driver = {
	.mailstream_read = memory_read,
	.mailstream_write = memory_write,
	.mailstream_close = memory_close,
	.mailstream_get_fd = memory_get_fd,
	.mailstream_free = memory_free,
};

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	fuzz_quiet();
	return 0;
}

/* libetpan reads the input as kith's session would, up to the first
 * error that ends a session. */
static void
parse_as_session(memory_input *in)
{
	mailimap *session = mailimap_new(0, NULL);
	mailstream *stream = mailstream_new(mailstream_low_new(in, &memory_driver), 8192);
	int r;

	imap_guard_attach(stream, "fuzz", GUARD_LIMIT);
	r = mailimap_connect(session, stream);
	/* then a login as kith's XOAUTH2 one, whose continuation line
	 * libetpan parses with no parser context, as it does the greeting */
	if (r == MAILIMAP_NO_ERROR_NON_AUTHENTICATED)
		r = mailimap_oauth2_authenticate(session, "user", "token");
	while (r == MAILIMAP_NO_ERROR || r == MAILIMAP_NO_ERROR_AUTHENTICATED ||
	       r == MAILIMAP_NO_ERROR_NON_AUTHENTICATED || r == MAILIMAP_ERROR_PROTOCOL) {
		struct mailimap_response *response = NULL;

		if (mailimap_read_line(session) == NULL)
			break;
		r = mailimap_parse_response(session, &response);
		if (response != NULL)
			mailimap_response_free(response);
	}
	mailimap_free(session);
}

static void
check_lexer_agrees(const uint8_t *data, size_t size)
{
	imap_guard whole, bytes;
	imap_guard_verdict v = IMAP_GUARD_PASS, w;

	imap_guard_init(&whole, GUARD_LIMIT);
	imap_guard_init(&bytes, GUARD_LIMIT);
	w = imap_guard_follow(&whole, (const char *)data, size);
	for (size_t i = 0; i < size && v == IMAP_GUARD_PASS; i++)
		v = imap_guard_follow(&bytes, (const char *)data + i, 1);
	if (v != w)
		fuzz_die("imap_guard", "the verdict depends on how the input is cut");
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	memory_input in = { 0 };
	size_t n_sizes;

	if (size < 1)
		return 0;
	/* the first byte says how many of the next choose piece sizes */
	n_sizes = MIN((size_t)data[0] % 8, size - 1);
	in.sizes = data + 1;
	in.n_sizes = n_sizes;
	in.data = data + 1 + n_sizes;
	in.size = size - 1 - n_sizes;
	check_lexer_agrees(in.data, in.size);
	parse_as_session(&in);
	return 0;
}
