/*
 * fuzz_imap.c - what an IMAP server sends, as kith's client reads it: a
 * scripted server on 127.0.0.1 (a thread of this harness) greets, logs
 * in, lists and opens INBOX, and announces three messages, one small and
 * two over max_size; every other UID FETCH is answered with the input's
 * next chunk (chunks end at a line "@@"), then the command's completion.
 * In a chunk "%T" stands for the tag of the command answered and "%P" for
 * the one before it, so completions can come early, late or twice; a
 * chunk that starts with a line "%HOLD" is sent only after the reply to
 * the command that follows, as a server running both at once may.  The
 * client (imap.c, imap_partial.c) fetches the three, reconnecting after
 * whatever breaks, and each message it returns is parsed as kith would
 * (message.c, MESSAGE_PARSE_PARTIAL for the reduced ones).
 */
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/socket.h>

#include "config.h"
#include "imap.h"
#include "message.h"
#include "fuzzutil.h"

static int listen_fd = -1;
static int listen_port;
static GMutex lock;
static GCond idle;
static gboolean serving;        /* a connection is open */
static char **chunks;           /* the current input's, NULL-terminated */
static guint next_chunk;

/* A line from the client, or NULL when it closed or went quiet (it waits
 * on a reply the input left unfinished: hang up, as a server would). */
static char *
read_line(int fd)
{
	GString *line = g_string_new(NULL);
	char c;

	for (;;) {
		struct pollfd p = { fd, POLLIN, 0 };

		if (poll(&p, 1, 20) <= 0 || read(fd, &c, 1) != 1) {
			g_string_free(line, TRUE);
			return NULL;
		}
		g_string_append_c(line, c);
		if (c == '\n')
			return g_string_free(line, FALSE);
	}
}

static void
say(int fd, const char *text)
{
	(void)!write(fd, text, strlen(text));
}

/* The next chunk with its tags filled in (new string). */
static char *
next_reply(const char *tag, const char *prev)
{
	const char *chunk;
	GString *out = g_string_new(NULL);

	g_mutex_lock(&lock);
	chunk = chunks != NULL && chunks[next_chunk] != NULL ? chunks[next_chunk++] : "";
	for (const char *p = chunk; *p != '\0'; p++) {
		if (p[0] == '%' && p[1] == 'T') {
			g_string_append(out, tag);
			p++;
		} else if (p[0] == '%' && p[1] == 'P') {
			g_string_append(out, prev);
			p++;
		} else {
			g_string_append_c(out, *p);
		}
	}
	g_mutex_unlock(&lock);
	return g_string_free(out, FALSE);
}

static void
serve(int fd)
{
	char prev[32] = "0";
	char *line, *held = NULL;

	say(fd, "* OK fuzz server ready\r\n");
	while ((line = read_line(fd)) != NULL) {
		char tag[32] = "", cmd[32] = "", *reply = NULL;

		if (sscanf(line, "%31s %31s", tag, cmd) < 2) {
			g_free(line);
			continue;
		}
		if (g_ascii_strcasecmp(cmd, "CAPABILITY") == 0)
			reply = g_strdup_printf("* CAPABILITY IMAP4rev1 AUTH=PLAIN\r\n%s OK done\r\n", tag);
		else if (g_ascii_strcasecmp(cmd, "LIST") == 0)
			reply = g_strdup_printf("* LIST () \"/\" INBOX\r\n%s OK done\r\n", tag);
		else if (g_ascii_strcasecmp(cmd, "EXAMINE") == 0)
			reply = g_strdup_printf("* 3 EXISTS\r\n* OK [UIDVALIDITY 7] v\r\n"
				"* OK [UIDNEXT 4] n\r\n%s OK [READ-ONLY] done\r\n", tag);
		else if (strstr(line, "RFC822.SIZE") != NULL)
			reply = g_strdup_printf("* 1 FETCH (UID 1 RFC822.SIZE 500)\r\n"
				"* 2 FETCH (UID 2 RFC822.SIZE 200000)\r\n"
				"* 3 FETCH (UID 3 RFC822.SIZE 300000)\r\n%s OK done\r\n", tag);
		else if (g_ascii_strcasecmp(cmd, "UID") == 0) {
			char *chunk = next_reply(tag, prev);

			reply = g_strdup_printf("%s%s OK done\r\n",
				g_str_has_prefix(chunk, "%HOLD\n") ? chunk + 6 : chunk, tag);
			if (held == NULL && g_str_has_prefix(chunk, "%HOLD\n")) {
				held = g_steal_pointer(&reply);
				reply = g_strdup("");
			}
			g_free(chunk);
		} else if (g_ascii_strcasecmp(cmd, "LOGOUT") == 0) {
			say(fd, "* BYE\r\n");
			reply = g_strdup_printf("%s OK done\r\n", tag);
		} else {
			reply = g_strdup_printf("%s OK done\r\n", tag);
		}
		say(fd, reply);
		if (held != NULL && *reply != '\0') {
			say(fd, held);
			g_clear_pointer(&held, g_free);
		}
		g_free(reply);
		g_strlcpy(prev, tag, sizeof prev);
		g_free(line);
	}
	g_free(held);
}

static gpointer
server_thread(gpointer data)
{
	for (;;) {
		int fd = accept(listen_fd, NULL, NULL);

		if (fd < 0)
			continue;
		g_mutex_lock(&lock);
		serving = TRUE;
		g_mutex_unlock(&lock);
		serve(fd);
		close(fd);
		g_mutex_lock(&lock);
		serving = FALSE;
		g_cond_broadcast(&idle);
		g_mutex_unlock(&lock);
	}
	return NULL;
}

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	struct sockaddr_in addr = { .sin_family = AF_INET };
	socklen_t len = sizeof(addr);

	fuzz_quiet();
	signal(SIGPIPE, SIG_IGN);
	message_library_init();
	addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	listen_fd = socket(AF_INET, SOCK_STREAM, 0);
	if (listen_fd < 0 || bind(listen_fd, (struct sockaddr *)&addr, sizeof(addr)) != 0 ||
	    listen(listen_fd, 8) != 0 ||
	    getsockname(listen_fd, (struct sockaddr *)&addr, &len) != 0)
		fuzz_die("listen", strerror(errno));
	listen_port = ntohs(addr.sin_port);
	g_thread_new("fuzz-imap-server", server_thread, NULL);
	return 0;
}

/* Parses a fetched message as a scan would. */
static void
parse_fetched(const imap_message *m)
{
	kith_message *msg = NULL;
	char *err = NULL;

	if (message_parse_with(m->data, m->len, MESSAGE_PARSE_NO_ROBOT_TEXT |
		(m->partial ? MESSAGE_PARSE_PARTIAL : 0), &msg, &err) == KITH_OK)
		message_free(msg);
	g_free(err);
}

static void
run_client(void)
{
	kith_account acct = {
		.name = "fuzz", .type = ACCOUNT_IMAP, .host = "127.0.0.1",
		.port = listen_port, .tls = TLS_NONE, .tls_verify = TRUE,
		.user = "fuzz", .auth = AUTH_LOGIN, .password = "fuzz-pass",
		.max_size = ACCOUNT_MAX_SIZE_DEFAULT, .connections = 1,
	};
	imap_mailbox_info info;
	kith_imap *imap = NULL;
	GArray *uids = NULL;
	GPtrArray *msgs = NULL;
	char *err = NULL;

	if (imap_connect(&acct, &imap, &err) != KITH_OK)
		goto out;
	if (imap_examine(imap, "INBOX", &info, &err) != KITH_OK)
		goto out;
	if (imap_list_uids(imap, 0, &uids, &err) != KITH_OK)
		goto out;
	if (imap_fetch(imap, (const imap_uid_size *)uids->data, uids->len,
		(const imap_uid_size *)uids->data, uids->len, &msgs, NULL, &err) != KITH_OK)
		goto out;
	for (guint i = 0; i < msgs->len; i++)
		parse_fetched(msgs->pdata[i]);
	if (getenv("FUZZ_VERBOSE") != NULL)
		fprintf(stderr, "fuzz_imap: %u messages fetched\n", msgs->len);
out:
	if (err != NULL && getenv("FUZZ_VERBOSE") != NULL)
		fprintf(stderr, "fuzz_imap: %s\n", err);
	if (msgs != NULL)
		g_ptr_array_unref(msgs);
	if (uids != NULL)
		g_array_unref(uids);
	imap_close(imap);
	g_free(err);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text;

	if (size > 64 * 1024)
		return 0;
	text = g_strndup((const char *)data, size);
	g_mutex_lock(&lock);
	chunks = g_strsplit(text, "@@\n", 16);
	next_chunk = 0;
	g_mutex_unlock(&lock);
	g_free(text);
	run_client();
	/* the server is done with this input before the next one comes */
	g_mutex_lock(&lock);
	while (serving)
		g_cond_wait(&idle, &lock);
	g_strfreev(g_steal_pointer(&chunks));
	g_mutex_unlock(&lock);
	return 0;
}
