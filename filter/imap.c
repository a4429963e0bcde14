/* imap.c - a small read-only IMAP client over libetpan (see imap.h). */
#include <errno.h>
#include <arpa/inet.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>

#include <libetpan/libetpan.h>

#include "imap.h"
#include "imap_guard.h"
#include "imap_partial.h"
#include "log.h"
#include "tls.h"

/* Most messages, and bytes, fetched by one UID FETCH of whole messages. */
#define IMAP_FETCH_COUNT 100
#define IMAP_FETCH_BYTES (64 * 1024 * 1024)

typedef struct fetch_batch fetch_batch;

struct kith_imap {
	const kith_account *acct;  /* borrowed */
	mailimap *s;               /* owned; NULL while disconnected */
	char *host;
	guint16 port;
	char *where;               /* "user@host:port" */
	char *secret;              /* wiped and freed on close */
	char *folder;              /* the folder open (EXAMINE), or NULL */
	guint32 uidvalidity;       /* of `folder` */
	gint64 max_size;
	gboolean (*stop)(void);    /* polled before reconnecting; may be NULL */
	GQueue inflight;           /* imap_cmd* sent, not completed (borrowed) */
	GHashTable *pool;          /* UID -> GPtrArray of FETCH responses read
	                            * and not yet taken (struct mailimap_msg_att*) */
	fetch_batch *ahead;        /* owned: the next batch's commands, sent */
};

static kith_status ensure_session(kith_imap *imap, char **errstr);
static gboolean reopened_after_drop(kith_imap *imap, kith_status *st,
	char **errstr);
static GHashTable *pool_new(void);
static void session_drop(kith_imap *imap);
static void batch_free(fetch_batch *b);
static void drop_ahead(kith_imap *imap);

static const char *const sent_names[] = {
	"Sent", "Sent Items", "Sent Messages", "Sent Mail", "[Gmail]/Sent Mail",
	"INBOX.Sent", "INBOX/Sent", "INBOX.Sent Items", "INBOX.Sent Messages",
	NULL
};

void
imap_folder_free(imap_folder *folder)
{
	if (folder == NULL)
		return;
	g_free(folder->name);
	g_free(folder);
}

void
imap_message_drop_data(imap_message *msg)
{
	if (msg->data_etpan)
		mailimap_nstring_free(msg->data);   /* as the fetch list would */
	else
		g_free(msg->data);
	msg->data = NULL;
	msg->len = 0;
	msg->data_etpan = FALSE;
}

void
imap_message_free(imap_message *msg)
{
	if (msg == NULL)
		return;
	imap_message_drop_data(msg);
	g_free(msg);
}

static void
secret_free(char *secret)
{
	if (secret == NULL)
		return;
	explicit_bzero(secret, strlen(secret));
	g_free(secret);
}

void
imap_set_stop_check(kith_imap *imap, gboolean (*stop)(void))
{
	imap->stop = stop;
}

static gboolean
stop_requested(const kith_imap *imap)
{
	return imap->stop != NULL && imap->stop();
}

const char *
imap_where(const kith_imap *imap)
{
	return imap->where;
}

/* --- the secret ---------------------------------------------------------- */

static kith_status
run_passcmd(const char *cmd, char **out, char **errstr)
{
	char **argv = NULL;
	char *stdout_buf = NULL;
	GError *gerr = NULL;
	int wait_status = 0;
	kith_status st = KITH_OK;
	char *nl;

	if (!g_shell_parse_argv(cmd, NULL, &argv, &gerr)) {
		st = kith_fail(errstr, KITH_E_CONFIG, "passcmd: %s", gerr->message);
		goto out;
	}
	/* stderr is inherited so the command can explain itself. */
	if (!g_spawn_sync(NULL, argv, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL,
		&stdout_buf, NULL, &wait_status, &gerr)) {
		st = kith_fail(errstr, KITH_E_CONFIG, "passcmd %s: %s", argv[0],
			gerr->message);
		goto out;
	}
	if (!g_spawn_check_wait_status(wait_status, &gerr)) {
		st = kith_fail(errstr, KITH_E_CONFIG, "passcmd %s failed: %s", argv[0],
			gerr->message);
		goto out;
	}
	nl = strpbrk(stdout_buf, "\r\n");
	if (nl != NULL)
		*nl = '\0';
	if (*stdout_buf == '\0') {
		st = kith_fail(errstr, KITH_E_CONFIG,
			"passcmd %s printed no password", argv[0]);
		goto out;
	}
	*out = g_strdup(stdout_buf);
out:
	if (stdout_buf != NULL)
		secret_free(stdout_buf);
	g_strfreev(argv);
	g_clear_error(&gerr);
	return st;
}

kith_status
imap_get_secret(const kith_account *acct, char **out, char **errstr)
{
	const char *env;

	/* A process holding a secret writes no core file (and cannot be
	 * attached to): the secret stays in memory for reconnects. */
	(void)prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
	if (acct->password != NULL && *acct->password != '\0') {
		*out = g_strdup(acct->password);
		return KITH_OK;
	}
	if (acct->passcmd != NULL && *acct->passcmd != '\0')
		return run_passcmd(acct->passcmd, out, errstr);
	env = g_getenv("KITH_PASSWORD");
	if (env != NULL && *env != '\0') {
		*out = g_strdup(env);
		return KITH_OK;
	}
	return kith_fail(errstr, KITH_E_NOPERM,
		"account %s: no password: set `passcmd` (or `password` in a 0600 "
		"config file, or $KITH_PASSWORD)", acct->name ? acct->name : "");
}

/* --- errors -------------------------------------------------------------- */

/* The server's last response text, sanitised by the logger later; "" when
 * none. Borrowed. */
static const char *
server_said(const kith_imap *imap)
{
	if (imap->s == NULL || imap->s->imap_response == NULL)
		return "";
	return imap->s->imap_response;
}

/* TRUE for errors after which the connection is unusable (FATAL: the
 * server said BYE in place of the command's completion). */
static gboolean
error_is_fatal_to_session(int r)
{
	return r == MAILIMAP_ERROR_STREAM || r == MAILIMAP_ERROR_PARSE ||
		r == MAILIMAP_ERROR_CONNECTION_REFUSED || r == MAILIMAP_ERROR_SSL ||
		r == MAILIMAP_ERROR_FATAL;
}

/* Drops the session when libetpan error r left it unusable, so that the
 * next command (or reopened_after_drop) opens a new one. */
static void
drop_if_fatal(kith_imap *imap, int r)
{
	if (error_is_fatal_to_session(r))
		session_drop(imap);
}

/* Maps a libetpan error of `what` ("FETCH", "EXAMINE INBOX") to a status. */
static kith_status
imap_error(kith_imap *imap, int r, const char *what, char **errstr)
{
	switch (r) {
	case MAILIMAP_ERROR_STREAM:
	case MAILIMAP_ERROR_FATAL:
		return kith_fail(errstr, KITH_E_TEMPFAIL,
			"%s: %s: connection lost or timed out", imap->where, what);
	case MAILIMAP_ERROR_PARSE:
		return kith_fail(errstr, KITH_E_PROTOCOL,
			"%s: %s: cannot parse the server's reply", imap->where, what);
	case MAILIMAP_ERROR_MEMORY:
		return kith_fail(errstr, KITH_E_SOFTWARE, "%s: %s: out of memory",
			imap->where, what);
	default:
		return kith_fail(errstr, KITH_E_PROTOCOL, "%s: %s failed: %s",
			imap->where, what, server_said(imap));
	}
}

/* --- connecting ---------------------------------------------------------- */

static kith_status
resolve_host(const char *host, guint16 port, char **errstr)
{
	struct addrinfo hints = { .ai_socktype = SOCK_STREAM };
	struct addrinfo *res = NULL;
	char service[8];
	int r;

	g_snprintf(service, sizeof(service), "%u", port);
	r = getaddrinfo(host, service, &hints, &res);
	if (res != NULL)
		freeaddrinfo(res);
	switch (r) {
	case 0:
		return KITH_OK;
	case EAI_AGAIN:
		return kith_fail(errstr, KITH_E_TEMPFAIL,
			"cannot resolve host %s: %s", host, gai_strerror(r));
	case EAI_SYSTEM:
		return kith_fail(errstr, KITH_E_TEMPFAIL,
			"cannot resolve host %s: %s", host, g_strerror(errno));
	default:
		return kith_fail(errstr, KITH_E_NOHOST,
			"unknown host %s: %s", host, gai_strerror(r));
	}
}

static gboolean
host_is_loopback(const char *host)
{
	struct in_addr a4;
	struct in6_addr a6;

	if (g_ascii_strcasecmp(host, "localhost") == 0)
		return TRUE;
	if (inet_pton(AF_INET, host, &a4) == 1)
		return (ntohl(a4.s_addr) >> 24) == 127;
	if (inet_pton(AF_INET6, host, &a6) == 1)
		return IN6_IS_ADDR_LOOPBACK(&a6);
	return FALSE;
}

static guint16
default_port(account_tls tls)
{
	return tls == TLS_IMAPS ? 993 : 143;
}

static kith_status
verify_tls(kith_imap *imap, char **errstr)
{
	tls_policy policy = {
		.host = imap->host,
		.cafile = imap->acct->cafile,
		.fingerprint = imap->acct->fingerprint,
		.verify = imap->acct->tls_verify,
	};

	return tls_verify_stream(imap->s->imap_stream, &policy, errstr);
}

static kith_status
refresh_capability(kith_imap *imap, char **errstr)
{
	struct mailimap_capability_data *caps = NULL;
	int r;

	r = mailimap_capability(imap->s, &caps);
	if (caps != NULL)
		mailimap_capability_data_free(caps);
	if (r != MAILIMAP_NO_ERROR)
		return imap_error(imap, r, "CAPABILITY", errstr);
	return KITH_OK;
}

/* Commands go out as they are written: a command sent while the reply
 * to the last is awaited must not wait for that one's acknowledgement
 * (Nagle's algorithm, against the server's delayed ACK). */
static void
set_nodelay(kith_imap *imap)
{
	int fd = mailstream_low_get_fd(mailstream_get_low(imap->s->imap_stream));
	int one = 1;

	if (fd >= 0)
		(void)setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
}

/* A connected socket to one address, non-blocking as libetpan's streams
 * expect; -1 when it cannot be had within `timeout` seconds. */
static int
tcp_connect_one(const struct addrinfo *ai, int timeout)
{
	int fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC | SOCK_NONBLOCK,
		ai->ai_protocol);
	struct pollfd p = { .fd = fd, .events = POLLOUT };
	int err = 0;
	socklen_t len = sizeof(err);

	if (fd < 0)
		return -1;
	if (connect(fd, ai->ai_addr, ai->ai_addrlen) == 0)
		return fd;
	if (errno == EINPROGRESS && poll(&p, 1, timeout * 1000) == 1 &&
	    getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) == 0 && err == 0)
		return fd;
	close(fd);
	return -1;
}

/* A connected socket to host:port, trying its addresses in turn; -1 when
 * none answers. */
static int
tcp_connect(const char *host, guint16 port, int timeout)
{
	struct addrinfo hints = { .ai_socktype = SOCK_STREAM };
	struct addrinfo *res = NULL;
	char service[8];
	int fd = -1;

	g_snprintf(service, sizeof(service), "%u", port);
	if (getaddrinfo(host, service, &hints, &res) != 0)
		return -1;
	for (const struct addrinfo *ai = res; ai != NULL && fd < 0; ai = ai->ai_next)
		fd = tcp_connect_one(ai, timeout);
	freeaddrinfo(res);
	return fd;
}

/* Connects and reads the greeting, with the stream behind the guard
 * (imap_guard.h) from its first byte: libetpan parses the greeting too.
 * A libetpan code. */
static int
connect_guarded(kith_imap *imap)
{
	int fd = tcp_connect(imap->host, imap->port, IMAP_TIMEOUT_SECONDS);
	mailstream *stream;

	if (fd < 0)
		return MAILIMAP_ERROR_CONNECTION_REFUSED;
	if (imap->acct->tls == TLS_IMAPS)
		stream = mailstream_ssl_open_with_callback_timeout(fd,
			IMAP_TIMEOUT_SECONDS, tls_sni_callback, imap->host);
	else
		stream = mailstream_socket_open_timeout(fd, IMAP_TIMEOUT_SECONDS);
	if (stream == NULL) {
		close(fd);
		return imap->acct->tls == TLS_IMAPS ? MAILIMAP_ERROR_SSL
			: MAILIMAP_ERROR_MEMORY;
	}
	imap_guard_attach(stream, imap->where, IMAP_GUARD_MAX_LITERAL);
	/* the session owns the stream from here, whatever comes of it */
	return mailimap_connect(imap->s, stream);
}

static kith_status
open_stream(kith_imap *imap, char **errstr)
{
	int r = connect_guarded(imap);

	switch (r) {
	case MAILIMAP_NO_ERROR:
	case MAILIMAP_NO_ERROR_AUTHENTICATED:
	case MAILIMAP_NO_ERROR_NON_AUTHENTICATED:
		set_nodelay(imap);
		return KITH_OK;
	case MAILIMAP_ERROR_CONNECTION_REFUSED:
		return kith_fail(errstr, KITH_E_UNAVAILABLE,
			"cannot connect to %s port %u: connection refused or timed out",
			imap->host, imap->port);
	case MAILIMAP_ERROR_SSL:
		return kith_fail(errstr, KITH_E_PROTOCOL,
			"TLS handshake with %s port %u failed (is it an IMAPS port? "
			"try `tls = starttls`)", imap->host, imap->port);
	case MAILIMAP_ERROR_STREAM:
		return kith_fail(errstr, KITH_E_TEMPFAIL,
			"%s port %u closed the connection before its greeting",
			imap->host, imap->port);
	default:
		return kith_fail(errstr, KITH_E_PROTOCOL,
			"%s port %u: not an IMAP server, or it refused the connection: %s",
			imap->host, imap->port, server_said(imap));
	}
}

static kith_status
start_tls(kith_imap *imap, char **errstr)
{
	kith_status st;
	int r;

	st = refresh_capability(imap, errstr);
	if (st != KITH_OK)
		return st;
	if (!mailimap_has_extension(imap->s, "STARTTLS"))
		return kith_fail(errstr, KITH_E_PROTOCOL,
			"%s does not offer STARTTLS; use `tls = imaps` and its IMAPS port",
			imap->where);
	r = mailimap_socket_starttls_with_callback(imap->s, tls_sni_callback,
		imap->host);
	if (r != MAILIMAP_NO_ERROR)
		return kith_fail(errstr, KITH_E_PROTOCOL, "%s: STARTTLS failed%s%s",
			imap->where, r == MAILIMAP_ERROR_STREAM ? " (TLS handshake)" : ": ",
			r == MAILIMAP_ERROR_STREAM ? "" : server_said(imap));
	/* the TLS stream is a new one */
	imap_guard_attach(imap->s->imap_stream, imap->where,
		IMAP_GUARD_MAX_LITERAL);
	return KITH_OK;
}

static kith_status
check_plain_allowed(kith_imap *imap, char **errstr)
{
	if (imap->acct->tls != TLS_NONE || imap->acct->tls_force_none ||
	    host_is_loopback(imap->host))
		return KITH_OK;
	return kith_fail(errstr, KITH_E_CONFIG,
		"account %s: `tls = none` would send the password in clear to %s; "
		"it is allowed only to 127.0.0.1 or ::1 (set `tls_force_none = yes` "
		"to insist)", imap->acct->name ? imap->acct->name : "", imap->host);
}

static kith_status
login(kith_imap *imap, char **errstr)
{
	const char *user = imap->acct->user;
	const char *mech;
	int saved_debug = mailstream_debug;
	int r;

	/* libetpan's protocol log would show the credentials. */
	mailstream_debug = 0;
	switch (imap->acct->auth) {
	case AUTH_PLAIN:
		mech = "AUTHENTICATE PLAIN";
		r = mailimap_authenticate(imap->s, "PLAIN", imap->host, NULL, NULL,
			user, user, imap->secret, NULL);
		break;
	case AUTH_XOAUTH2:
		mech = "AUTHENTICATE XOAUTH2";
		r = mailimap_oauth2_authenticate(imap->s, user, imap->secret);
		break;
	case AUTH_LOGIN:
	default:
		mech = "LOGIN";
		if (mailimap_has_extension(imap->s, "LOGINDISABLED")) {
			mailstream_debug = saved_debug;
			return kith_fail(errstr, KITH_E_PROTOCOL,
				"%s does not allow LOGIN here (LOGINDISABLED); use TLS or "
				"`auth = plain`", imap->host);
		}
		r = mailimap_login(imap->s, user, imap->secret);
		break;
	}
	mailstream_debug = saved_debug;
	switch (r) {
	case MAILIMAP_NO_ERROR:
		return KITH_OK;
	case MAILIMAP_ERROR_LOGIN:
	case MAILIMAP_ERROR_SASL:
		if (*server_said(imap) == '\0' && imap->acct->auth == AUTH_PLAIN)
			return kith_fail(errstr, KITH_E_NOPERM,
				"authentication failed for %s at %s (%s): no answer from the "
				"server; is the SASL PLAIN module (libsasl2-modules) installed?",
				user, imap->host, mech);
		return kith_fail(errstr, KITH_E_NOPERM,
			"authentication failed for %s at %s (%s): %s", user, imap->host,
			mech, server_said(imap));
	default:
		return imap_error(imap, r, mech, errstr);
	}
}

/* Connects a new session and logs in; on failure the session is freed. */
static kith_status
session_open(kith_imap *imap, char **errstr)
{
	kith_status st;

	imap->s = mailimap_new(0, NULL);
	mailimap_set_timeout(imap->s, IMAP_TIMEOUT_SECONDS);
	mailimap_set_logger(imap->s, NULL, NULL);
	st = open_stream(imap, errstr);
	if (st != KITH_OK)
		goto out;
	if (imap->acct->tls == TLS_STARTTLS)
		st = start_tls(imap, errstr);
	if (st != KITH_OK)
		goto out;
	if (imap->acct->tls != TLS_NONE)
		st = verify_tls(imap, errstr);
	if (st != KITH_OK)
		goto out;
	st = refresh_capability(imap, errstr);
	if (st != KITH_OK)
		goto out;
	st = login(imap, errstr);
	if (st != KITH_OK)
		goto out;
	st = refresh_capability(imap, errstr);
out:
	if (st != KITH_OK) {
		mailimap_free(imap->s);
		imap->s = NULL;
	}
	return st;
}

kith_status
imap_connect(const kith_account *acct, kith_imap **out, char **errstr)
{
	kith_imap *imap = g_new0(kith_imap, 1);
	kith_status st;

	/* A server closing the socket must be an error, not a signal. */
	signal(SIGPIPE, SIG_IGN);
	mailstream_debug = 0;
	imap->acct = acct;
	imap->host = g_strdup(acct->host != NULL ? acct->host : "");
	imap->port = acct->port > 0 && acct->port < 65536 ? (guint16)acct->port
		: default_port(acct->tls);
	imap->where = g_strdup_printf("%s@%s:%u", acct->user ? acct->user : "",
		imap->host, imap->port);
	imap->max_size = acct->max_size > 0 ? acct->max_size : ACCOUNT_MAX_SIZE_DEFAULT;
	imap->pool = pool_new();
	if (*imap->host == '\0' || acct->user == NULL || *acct->user == '\0') {
		st = kith_fail(errstr, KITH_E_CONFIG, "account %s: `host` and `user` "
			"are required", acct->name ? acct->name : "");
		goto out;
	}
	st = check_plain_allowed(imap, errstr);
	if (st != KITH_OK)
		goto out;
	st = resolve_host(imap->host, imap->port, errstr);
	if (st != KITH_OK)
		goto out;
	st = imap_get_secret(acct, &imap->secret, errstr);
	if (st != KITH_OK)
		goto out;
	st = session_open(imap, errstr);
out:
	if (st != KITH_OK) {
		imap_close(imap);
		imap = NULL;
	}
	*out = imap;
	return st;
}

void
imap_close(kith_imap *imap)
{
	if (imap == NULL)
		return;
	/* a batch sent ahead is not waited for: LOGOUT would read its
	 * replies as its own */
	if (imap->s != NULL && imap->s->imap_stream != NULL &&
	    imap->ahead == NULL && g_queue_is_empty(&imap->inflight))
		mailimap_logout(imap->s);
	session_drop(imap);
	if (imap->pool != NULL)
		g_hash_table_unref(imap->pool);
	secret_free(imap->secret);
	g_free(imap->host);
	g_free(imap->where);
	g_free(imap->folder);
	g_free(imap);
}

/* --- folders ------------------------------------------------------------- */

typedef struct {
	char *name;
	gboolean noselect;
	gboolean sent;
	gboolean inbox;
} listed_folder;

static void
listed_folder_free(listed_folder *lf)
{
	g_free(lf->name);
	g_free(lf);
}

static gboolean
flag_is(const char *flag, const char *name)
{
	if (flag == NULL)
		return FALSE;
	if (*flag == '\\')
		flag++;
	return g_ascii_strcasecmp(flag, name) == 0;
}

static listed_folder *
listed_from(const struct mailimap_mailbox_list *mb)
{
	listed_folder *lf = g_new0(listed_folder, 1);
	clistiter *it;

	lf->name = g_strdup(mb->mb_name);
	lf->inbox = g_ascii_strcasecmp(mb->mb_name, "INBOX") == 0;
	if (mb->mb_flag == NULL)
		return lf;
	if (mb->mb_flag->mbf_type == MAILIMAP_MBX_LIST_FLAGS_SFLAG &&
	    mb->mb_flag->mbf_sflag == MAILIMAP_MBX_LIST_SFLAG_NOSELECT)
		lf->noselect = TRUE;
	for (it = mb->mb_flag->mbf_oflags ? clist_begin(mb->mb_flag->mbf_oflags)
		: NULL; it != NULL; it = clist_next(it)) {
		struct mailimap_mbx_list_oflag *of = clist_content(it);

		if (of->of_type != MAILIMAP_MBX_LIST_OFLAG_FLAG_EXT)
			continue;
		if (flag_is(of->of_flag_ext, "Sent"))
			lf->sent = TRUE;
		else if (flag_is(of->of_flag_ext, "Inbox"))
			lf->inbox = TRUE;
		else if (flag_is(of->of_flag_ext, "Noselect") ||
			flag_is(of->of_flag_ext, "NonExistent"))
			lf->noselect = TRUE;
	}
	return lf;
}

/* LIST "" "*" (XLIST where only that marks special folders): a new
 * GPtrArray of listed_folder*. */
static kith_status
list_all(kith_imap *imap, GPtrArray **out, char **errstr)
{
	clist *list = NULL;
	gboolean xlist = mailimap_has_xlist(imap->s) &&
		!mailimap_has_extension(imap->s, "SPECIAL-USE");
	GPtrArray *all = g_ptr_array_new_with_free_func(
		(GDestroyNotify)listed_folder_free);
	kith_status st = KITH_OK;
	int r;

	r = xlist ? mailimap_xlist(imap->s, "", "*", &list)
		: mailimap_list(imap->s, "", "*", &list);
	if (r != MAILIMAP_NO_ERROR) {
		st = imap_error(imap, r, "LIST", errstr);
		drop_if_fatal(imap, r);
		goto out;
	}
	for (clistiter *it = list ? clist_begin(list) : NULL; it != NULL;
		it = clist_next(it))
		g_ptr_array_add(all, listed_from(clist_content(it)));
out:
	if (list != NULL)
		mailimap_list_result_free(list);
	if (st != KITH_OK)
		g_ptr_array_unref(all);
	else
		*out = all;
	return st;
}

static gboolean
is_sent_name(const char *name)
{
	for (int i = 0; sent_names[i] != NULL; i++)
		if (g_ascii_strcasecmp(name, sent_names[i]) == 0)
			return TRUE;
	return FALSE;
}

/* The Sent folder: the first with \Sent, else the first well-known name. */
static const listed_folder *
find_sent(GPtrArray *all)
{
	for (guint i = 0; i < all->len; i++) {
		const listed_folder *lf = all->pdata[i];

		if (lf->sent && !lf->noselect)
			return lf;
	}
	for (int n = 0; sent_names[n] != NULL; n++)
		for (guint i = 0; i < all->len; i++) {
			const listed_folder *lf = all->pdata[i];

			if (!lf->noselect && g_ascii_strcasecmp(lf->name, sent_names[n]) == 0)
				return lf;
		}
	return NULL;
}

static void
add_folder(GPtrArray *out, const char *name, gboolean sent)
{
	imap_folder *f;

	for (guint i = 0; i < out->len; i++)
		if (strcmp(((imap_folder *)out->pdata[i])->name, name) == 0)
			return;
	f = g_new0(imap_folder, 1);
	f->name = g_strdup(name);
	f->sent = sent;
	g_ptr_array_add(out, f);
}

/* Is the named folder a Sent folder, by its LIST flags or its name? */
static gboolean
folder_is_sent(GPtrArray *all, const char *name)
{
	for (guint i = 0; i < all->len; i++) {
		const listed_folder *lf = all->pdata[i];

		if (strcmp(lf->name, name) == 0 && lf->sent)
			return TRUE;
	}
	return is_sent_name(name);
}

kith_status
imap_folders(kith_imap *imap, GPtrArray **out, char **errstr)
{
	char **want = imap->acct->folders;
	GPtrArray *all = NULL;
	GPtrArray *folders = g_ptr_array_new_with_free_func(
		(GDestroyNotify)imap_folder_free);
	const listed_folder *sent;
	kith_status st;

	st = ensure_session(imap, errstr);
	if (st == KITH_OK)
		st = list_all(imap, &all, errstr);
	if (reopened_after_drop(imap, &st, errstr))
		st = list_all(imap, &all, errstr);
	if (st != KITH_OK)
		goto out;
	if (want != NULL && want[0] != NULL && strcmp(want[0], "*") == 0) {
		for (guint i = 0; i < all->len; i++) {
			const listed_folder *lf = all->pdata[i];

			if (!lf->noselect)
				add_folder(folders, lf->name, lf->sent || is_sent_name(lf->name));
		}
	} else if (want != NULL && want[0] != NULL) {
		for (int i = 0; want[i] != NULL; i++)
			add_folder(folders, want[i], folder_is_sent(all, want[i]));
	} else {
		add_folder(folders, "INBOX", FALSE);
		sent = find_sent(all);
		if (sent != NULL)
			add_folder(folders, sent->name, TRUE);
		else
			log_info("%s: no Sent folder found; scanning INBOX only", imap->where);
	}
out:
	if (all != NULL)
		g_ptr_array_unref(all);
	if (st != KITH_OK)
		g_ptr_array_unref(folders);
	else
		*out = folders;
	return st;
}

/* --- examining ----------------------------------------------------------- */

static kith_status
examine(kith_imap *imap, const char *folder, imap_mailbox_info *info,
	char **errstr)
{
	struct mailimap_selection_info *sel;
	uint64_t modseq = 0;
	kith_status st = KITH_OK;
	char *what = NULL;
	int r;

	memset(info, 0, sizeof(*info));
	/* UIDs are the folder's: nothing of another may stay */
	drop_ahead(imap);
	g_hash_table_remove_all(imap->pool);
	if (imap->s == NULL)
		return imap_error(imap, MAILIMAP_ERROR_STREAM, "EXAMINE", errstr);
	if (mailimap_has_condstore(imap->s))
		r = mailimap_examine_condstore(imap->s, folder, &modseq);
	else
		r = mailimap_examine(imap->s, folder);
	if (r != MAILIMAP_NO_ERROR) {
		what = g_strdup_printf("EXAMINE %s", folder);
		st = imap_error(imap, r, what, errstr);
		if (r == MAILIMAP_ERROR_EXAMINE)
			st = KITH_E_NOINPUT;
		/* no folder is open now: a new session opens none */
		g_clear_pointer(&imap->folder, g_free);
		drop_if_fatal(imap, r);
		goto out;
	}
	sel = imap->s->imap_selection_info;
	if (sel == NULL || sel->sel_uidvalidity == 0) {
		st = kith_fail(errstr, KITH_E_PROTOCOL,
			"%s: folder %s has no UIDVALIDITY", imap->where, folder);
		goto out;
	}
	info->uidvalidity = sel->sel_uidvalidity;
	info->uidnext = sel->sel_uidnext;
	info->exists = sel->sel_has_exists ? sel->sel_exists : 0;
	info->highestmodseq = modseq;
	g_free(imap->folder);
	imap->folder = g_strdup(folder);
	imap->uidvalidity = info->uidvalidity;
out:
	g_free(what);
	return st;
}

kith_status
imap_examine(kith_imap *imap, const char *folder, imap_mailbox_info *info,
	char **errstr)
{
	kith_status st = ensure_session(imap, errstr);

	if (st != KITH_OK)
		return st;
	st = examine(imap, folder, info, errstr);
	if (reopened_after_drop(imap, &st, errstr))
		st = examine(imap, folder, info, errstr);
	return st;
}

/* Opens a new session and re-opens the folder `imap` had open, which
 * must have kept its UIDVALIDITY. */
static kith_status
reopen(kith_imap *imap, char **errstr)
{
	imap_mailbox_info info;
	char *folder = imap->folder;
	guint32 uidvalidity = imap->uidvalidity;
	kith_status st;

	imap->folder = NULL;
	session_drop(imap);
	st = session_open(imap, errstr);
	if (st != KITH_OK || folder == NULL)
		goto out;
	st = examine(imap, folder, &info, errstr);
	if (st == KITH_OK && info.uidvalidity != uidvalidity)
		st = kith_fail(errstr, KITH_E_TEMPFAIL,
			"%s: the UIDVALIDITY of %s changed during the scan; run it again",
			imap->where, folder);
out:
	g_free(folder);
	return st;
}

/* Reconnects after a broken session (reopen), unless told to stop. */
static kith_status
reconnect(kith_imap *imap, char **errstr)
{
	if (stop_requested(imap))
		return KITH_E_INTERRUPTED;
	log_info("%s: reconnecting", imap->where);
	return reopen(imap, errstr);
}

kith_imap *
imap_new_like(const kith_imap *imap)
{
	kith_imap *other = g_new0(kith_imap, 1);

	other->acct = imap->acct;
	other->host = g_strdup(imap->host);
	other->port = imap->port;
	other->where = g_strdup(imap->where);
	other->secret = g_strdup(imap->secret);
	other->max_size = imap->max_size;
	other->stop = imap->stop;
	other->pool = pool_new();
	return other;
}

kith_status
imap_open_session(kith_imap *imap, char **errstr)
{
	if (imap->s != NULL)
		return KITH_OK;
	return session_open(imap, errstr);
}

/* Reconnects when an earlier failure left no session. */
static kith_status
ensure_session(kith_imap *imap, char **errstr)
{
	if (imap->s != NULL)
		return KITH_OK;
	return reconnect(imap, errstr);
}

/*
 * After a command failed with *st: TRUE when the failure dropped the
 * session (a server restarting, an administrator's kick) and a new one is
 * open, with the folder open again, for one more try of the command;
 * *st is then KITH_OK and *errstr cleared.  Else FALSE, with *st and
 * *errstr those of the failure or of the new session's.
 */
static gboolean
reopened_after_drop(kith_imap *imap, kith_status *st, char **errstr)
{
	if (*st == KITH_OK || imap->s != NULL)
		return FALSE;
	*st = reconnect(imap, errstr);
	if (*st != KITH_OK)
		return FALSE;
	if (errstr != NULL)
		g_clear_pointer(errstr, g_free);
	return TRUE;
}

/* --- commands ------------------------------------------------------------ */

/*
 * UID FETCH commands, sent ahead of the replies to earlier ones: over a
 * link of a few tens of milliseconds it is the round trips a scan waits
 * for, not the bytes.  A server may run such commands at once, so the
 * FETCH responses of one can come before the completion of another, and
 * the completions in any order: responses are kept in a pool by UID
 * (every command asks for the UID) and taken from it by what they hold,
 * and a command only learns that it is done, and how.  libetpan reads
 * one reply at a time and checks its tag against the last one sent; it
 * is told the oldest command's tag, and when another completed instead
 * (libetpan's protocol error) its tag and status are read from the
 * completion line, the last of the reply.
 *
 * The session keeps the commands in flight (`inflight`, borrowed); their
 * sender owns them and frees each (g_free) once cmd_wait returned.
 */
typedef struct {
	int tag;            /* libetpan's number of it */
	gboolean done;      /* it completed, or the session dropped */
	int r;              /* then: MAILIMAP_NO_ERROR, MAILIMAP_ERROR_UID_FETCH
	                     * (NO), MAILIMAP_ERROR_PROTOCOL (BAD), or what
	                     * broke the session */
} imap_cmd;

static void
cmd_fail(imap_cmd *cmd, int r)
{
	cmd->done = TRUE;
	cmd->r = r;
}

/* Drops the session, which a failure left unusable: the commands in
 * flight end with MAILIMAP_ERROR_STREAM, the batch sent ahead and the
 * responses kept are forgotten. */
static void
session_drop(kith_imap *imap)
{
	for (imap_cmd *c; (c = g_queue_pop_head(&imap->inflight)) != NULL;)
		cmd_fail(c, MAILIMAP_ERROR_STREAM);
	batch_free(g_steal_pointer(&imap->ahead));
	if (imap->pool != NULL)
		g_hash_table_remove_all(imap->pool);
	if (imap->s != NULL)
		mailimap_free(imap->s);
	imap->s = NULL;
}

/* Sends "UID FETCH SET (UID ITEMS)".  New command (g_free); one that
 * cannot be sent is done at once with the error. */
static imap_cmd *
cmd_send(kith_imap *imap, const char *set, const char *items)
{
	imap_cmd *cmd = g_new0(imap_cmd, 1);
	char *line;
	int r;

	if (imap->s == NULL) {
		cmd_fail(cmd, MAILIMAP_ERROR_STREAM);
		return cmd;
	}
	if (imap->s->imap_state != MAILIMAP_STATE_SELECTED) {
		cmd_fail(cmd, MAILIMAP_ERROR_BAD_STATE);
		return cmd;
	}
	line = g_strdup_printf("UID FETCH %s (UID %s)\r\n", set, items);
	r = mailimap_send_current_tag(imap->s);
	if (r == MAILIMAP_NO_ERROR &&
	    (mailstream_write(imap->s->imap_stream, line, strlen(line)) < 0 ||
	     mailstream_flush(imap->s->imap_stream) == -1))
		r = MAILIMAP_ERROR_STREAM;
	g_free(line);
	if (r != MAILIMAP_NO_ERROR) {
		/* half a command went out: nothing after it can be read */
		session_drop(imap);
		cmd_fail(cmd, r);
		return cmd;
	}
	cmd->tag = imap->s->imap_tag;
	g_queue_push_tail(&imap->inflight, cmd);
	return cmd;
}

/* An empty pool: UID -> GPtrArray of struct mailimap_msg_att*. */
static GHashTable *
pool_new(void)
{
	return g_hash_table_new_full(g_direct_hash, g_direct_equal, NULL,
		(GDestroyNotify)g_ptr_array_unref);
}

/* The UID a FETCH response is about, or 0. */
static guint32
response_uid(const struct mailimap_msg_att *att)
{
	for (clistiter *it = clist_begin(att->att_list); it != NULL;
		it = clist_next(it)) {
		const struct mailimap_msg_att_item *item = clist_content(it);

		if (item->att_type == MAILIMAP_MSG_ATT_ITEM_STATIC &&
		    item->att_data.att_static->att_type == MAILIMAP_MSG_ATT_UID)
			return item->att_data.att_static->att_data.att_uid;
	}
	return 0;
}

/* Moves the FETCH responses libetpan kept of the last reply into the
 * pool; those without a UID (flag changes of other clients) are
 * dropped. */
static void
pool_add_reply(kith_imap *imap)
{
	struct mailimap_response_info *info = imap->s->imap_response_info;
	clist *list = info != NULL ? g_steal_pointer(&info->rsp_fetch_list) : NULL;

	for (clistiter *it = clist_begin(list); list != NULL && it != NULL;
		it = clist_next(it)) {
		struct mailimap_msg_att *att = clist_content(it);
		guint32 uid = response_uid(att);
		GPtrArray *have;

		if (uid == 0) {
			mailimap_msg_att_free(att);
			continue;
		}
		have = g_hash_table_lookup(imap->pool, GUINT_TO_POINTER(uid));
		if (have == NULL) {
			have = g_ptr_array_new_with_free_func(
				(GDestroyNotify)mailimap_msg_att_free);
			g_hash_table_insert(imap->pool, GUINT_TO_POINTER(uid), have);
		}
		g_ptr_array_add(have, att);
	}
	if (list != NULL)
		clist_free(list);
}

/* The FETCH responses about `uid` read so far (new array of struct
 * mailimap_msg_att*, which it frees), or NULL. */
static GPtrArray *
pool_take(kith_imap *imap, guint32 uid)
{
	gpointer have = NULL;

	if (!g_hash_table_steal_extended(imap->pool, GUINT_TO_POINTER(uid), NULL, &have))
		return NULL;
	return have;
}

/* Forgets what the pool holds of `uids` (responses to a failed batch, or
 * a second copy of one). */
static void
pool_forget(kith_imap *imap, const imap_uid_size *uids, guint n)
{
	for (guint i = 0; i < n; i++)
		g_hash_table_remove(imap->pool, GUINT_TO_POINTER(uids[i].uid));
}

/* The tag and status of the completion that ended libetpan's last read:
 * the last line of the reply, which libetpan keeps.  FALSE when it is no
 * tagged OK, NO or BAD. */
static gboolean
last_completion(const kith_imap *imap, int *tag, int *r)
{
	const MMAPString *buf = imap->s->imap_stream_buffer;
	gsize end = buf->len;
	const char *line, *status;
	char *rest = NULL;
	guint64 n;

	while (end > 0 && (buf->str[end - 1] == '\n' || buf->str[end - 1] == '\r'))
		end--;
	line = g_strrstr_len(buf->str, end, "\n");
	line = line != NULL ? line + 1 : buf->str;
	if (*line == 'C')        /* libetpan's tags for 163.com */
		line++;
	n = g_ascii_strtoull(line, &rest, 10);
	if (rest == line || *rest != ' ' || n > G_MAXINT)
		return FALSE;
	status = rest + 1;
	*tag = (int)n;
	if (g_ascii_strncasecmp(status, "OK", 2) == 0)
		*r = MAILIMAP_NO_ERROR;
	else if (g_ascii_strncasecmp(status, "NO", 2) == 0)
		*r = MAILIMAP_ERROR_UID_FETCH;
	else if (g_ascii_strncasecmp(status, "BAD", 3) == 0)
		*r = MAILIMAP_ERROR_PROTOCOL;
	else
		return FALSE;
	return TRUE;
}

/* The command in flight with tag `tag`, taken off the queue, or NULL. */
static imap_cmd *
inflight_take(kith_imap *imap, int tag)
{
	for (GList *l = imap->inflight.head; l != NULL; l = l->next) {
		imap_cmd *cmd = l->data;

		if (cmd->tag == tag) {
			g_queue_delete_link(&imap->inflight, l);
			return cmd;
		}
	}
	return NULL;
}

/* Reads one reply: its FETCH responses into the pool, and the completion
 * of a command in flight. */
static void
read_reply(kith_imap *imap)
{
	const imap_cmd *oldest = g_queue_peek_head(&imap->inflight);
	struct mailimap_response *response = NULL;
	int last = imap->s->imap_tag, r, tag = oldest->tag, status;
	imap_cmd *cmd;

	imap->s->imap_tag = tag;
	r = mailimap_read_line(imap->s) == NULL ? MAILIMAP_ERROR_STREAM
		: mailimap_parse_response(imap->s, &response);
	imap->s->imap_tag = last;
	if (r == MAILIMAP_NO_ERROR) {
		status = response->rsp_resp_done->rsp_data.rsp_tagged->rsp_cond_state->rsp_type ==
			MAILIMAP_RESP_COND_STATE_OK ? MAILIMAP_NO_ERROR : MAILIMAP_ERROR_UID_FETCH;
		mailimap_response_free(response);
	} else if (r != MAILIMAP_ERROR_PROTOCOL || !last_completion(imap, &tag, &status)) {
		/* the stream is lost part way through a reply, or the server
		 * said goodbye */
		session_drop(imap);
		return;
	}
	pool_add_reply(imap);
	if (tag != oldest->tag)
		log_debug("%s: command %d completed before command %d", imap->where,
			tag, oldest->tag);
	cmd = inflight_take(imap, tag);
	if (cmd == NULL) {
		/* a completion of no command of ours: nothing can be trusted */
		session_drop(imap);
		return;
	}
	cmd_fail(cmd, status);
}

/* Waits for `cmd` to complete, reading replies meanwhile.  Its code. */
static int
cmd_wait(kith_imap *imap, imap_cmd *cmd)
{
	while (!cmd->done)
		read_reply(imap);
	return cmd->r;
}

/* One command, sent and waited for; its responses are in the pool. */
static int
uid_fetch(kith_imap *imap, const char *set, const char *items)
{
	imap_cmd *cmd = cmd_send(imap, set, items);
	int r = cmd_wait(imap, cmd);

	g_free(cmd);
	return r;
}

/* A UID set in IMAP's syntax, runs as ranges ("4:9,12"); `uids` ascending.
 * New string. */
static char *
uid_set(const imap_uid_size *uids, guint n)
{
	GString *out = g_string_new(NULL);

	for (guint i = 0; i < n;) {
		guint j = i;

		while (j + 1 < n && uids[j + 1].uid == uids[j].uid + 1)
			j++;
		g_string_append_printf(out, "%s%u", out->len > 0 ? "," : "", uids[i].uid);
		if (j > i)
			g_string_append_printf(out, ":%u", uids[j].uid);
		i = j + 1;
	}
	return g_string_free(out, FALSE);
}

/* --- fetching ------------------------------------------------------------ */

/* The static items of one FETCH response that kith reads. */
typedef struct {
	guint32 uid;
	guint32 size;
	gboolean has_size;
	const char *body;     /* borrowed from the fetch list */
	gsize body_len;
	char **body_owner;    /* the fetch list's pointer to it, to take it */
	struct mailimap_body *structure; /* borrowed */
} fetch_items;

static void
read_items(struct mailimap_msg_att *att, fetch_items *items)
{
	memset(items, 0, sizeof(*items));
	for (clistiter *it = clist_begin(att->att_list); it != NULL;
		it = clist_next(it)) {
		struct mailimap_msg_att_item *item = clist_content(it);
		struct mailimap_msg_att_static *st;

		if (item->att_type != MAILIMAP_MSG_ATT_ITEM_STATIC)
			continue;
		st = item->att_data.att_static;
		switch (st->att_type) {
		case MAILIMAP_MSG_ATT_UID:
			items->uid = st->att_data.att_uid;
			break;
		case MAILIMAP_MSG_ATT_RFC822_SIZE:
			items->size = st->att_data.att_rfc822_size;
			items->has_size = TRUE;
			break;
		case MAILIMAP_MSG_ATT_BODY_SECTION:
			if (st->att_data.att_body_section != NULL &&
			    st->att_data.att_body_section->sec_body_part != NULL) {
				items->body = st->att_data.att_body_section->sec_body_part;
				items->body_len = st->att_data.att_body_section->sec_length;
				items->body_owner = &st->att_data.att_body_section->sec_body_part;
			}
			break;
		case MAILIMAP_MSG_ATT_BODYSTRUCTURE:
			items->structure = st->att_data.att_bodystructure;
			break;
		default:
			break;
		}
	}
}

static int
cmp_uid_size(gconstpointer a, gconstpointer b)
{
	guint32 x = ((const imap_uid_size *)a)->uid;
	guint32 y = ((const imap_uid_size *)b)->uid;

	return x < y ? -1 : x > y;
}

/* UID FETCH SET (UID RFC822.SIZE): the responses are in the pool. */
static kith_status
fetch_sizes(kith_imap *imap, const char *set, char **errstr)
{
	int r = uid_fetch(imap, set, "RFC822.SIZE");

	if (r != MAILIMAP_NO_ERROR)
		return imap_error(imap, r, "UID FETCH (RFC822.SIZE)", errstr);
	return KITH_OK;
}

kith_status
imap_list_uids(kith_imap *imap, guint32 last_uid, GArray **out, char **errstr)
{
	GArray *uids = g_array_new(FALSE, FALSE, sizeof(imap_uid_size));
	GHashTableIter iter;
	gpointer key, value;
	char *set = NULL;
	kith_status st;

	st = ensure_session(imap, errstr);
	if (st != KITH_OK)
		goto out;
	if (imap->s->imap_selection_info != NULL &&
	    imap->s->imap_selection_info->sel_has_exists &&
	    imap->s->imap_selection_info->sel_exists == 0)
		goto out;
	set = g_strdup_printf("%u:*", last_uid + 1);
	st = fetch_sizes(imap, set, errstr);
	if (reopened_after_drop(imap, &st, errstr))
		st = fetch_sizes(imap, set, errstr);
	if (st != KITH_OK)
		goto out;
	/* nothing else is in flight: the pool holds this reply alone */
	g_hash_table_iter_init(&iter, imap->pool);
	while (g_hash_table_iter_next(&iter, &key, &value)) {
		GPtrArray *atts = value;
		fetch_items items;
		imap_uid_size us;

		/* N:* always includes the highest UID, even below N. */
		if (GPOINTER_TO_UINT(key) <= last_uid)
			continue;
		read_items(atts->pdata[0], &items);
		us.uid = GPOINTER_TO_UINT(key);
		us.size = items.has_size ? items.size : 0;
		g_array_append_val(uids, us);
	}
	g_hash_table_remove_all(imap->pool);
	g_array_sort(uids, cmp_uid_size);
out:
	g_free(set);
	if (st != KITH_OK)
		g_array_unref(uids);
	else
		*out = uids;
	return st;
}

/* The FETCH items of whole messages: BODY.PEEK[]<0.max_size>, as the
 * size announced is not trusted (new string). */
static char *
whole_items(const kith_imap *imap)
{
	return g_strdup_printf("BODY.PEEK[]<0.%u>",
		(unsigned)MIN(imap->max_size, (gint64)G_MAXUINT32));
}

/* Moves the whole messages of `uids` from the pool into `out` as
 * imap_message*.  The number taken. */
static guint
take_whole(kith_imap *imap, const imap_uid_size *uids, guint n, GPtrArray *out)
{
	guint taken = 0;

	for (guint i = 0; i < n; i++) {
		GPtrArray *atts = pool_take(imap, uids[i].uid);

		for (guint j = 0; atts != NULL && j < atts->len; j++) {
			fetch_items items;
			imap_message *msg;

			read_items(atts->pdata[j], &items);
			if (items.body == NULL)
				continue;
			msg = g_new0(imap_message, 1);
			msg->uid = uids[i].uid;
			/* Take the bytes from the response rather than copy
			 * them (a batch is megabytes); imap_message_free frees
			 * them as libetpan would have. */
			msg->data = *items.body_owner;
			msg->len = items.body_len;
			msg->data_etpan = TRUE;
			*items.body_owner = NULL;
			g_ptr_array_add(out, msg);
			taken++;
			break;
		}
		if (atts != NULL)
			g_ptr_array_unref(atts);
	}
	return taken;
}

/* A command's code as libetpan's own UID FETCH gives it: a NO with
 * responses is a success (the UIDs left out are asked for again). */
static int
code_with(int r, guint taken)
{
	return r == MAILIMAP_ERROR_UID_FETCH && taken > 0 ? MAILIMAP_NO_ERROR : r;
}

/* Fetches whole messages; appends imap_message* for the UIDs returned. */
static int
fetch_whole(kith_imap *imap, const imap_uid_size *uids, guint n,
	GPtrArray *out)
{
	char *set = uid_set(uids, n), *items = whole_items(imap);
	int r;

	r = uid_fetch(imap, set, items);
	r = code_with(r, take_whole(imap, uids, n, out));
	g_free(items);
	g_free(set);
	return r;
}

/*
 * Messages over max_size, fetched in a few commands whatever their
 * number: one of every message's BODYSTRUCTURE and header
 * (IMAP_PARTIAL_PLAN_ITEMS), then one for each distinct set of text-part
 * sections ("TEXT", "1", "1.1 1.2" are the usual ones), all sent before
 * any is read.  A round trip per message would cost more than the
 * attachments save when the server is far away.
 */
typedef struct {
	GPtrArray *msgs;       /* partial_msg*, in UID order */
	GHashTable *by_uid;    /* UID -> partial_msg (borrowed) */
	GPtrArray *groups;     /* GPtrArray of partial_msg*, one items each */
	GPtrArray *cmds;       /* imap_cmd*: the groups' commands, in order */
} partial_set;

static partial_set *
partial_set_new(const imap_uid_size *uids, guint n)
{
	partial_set *ps = g_new0(partial_set, 1);

	ps->msgs = g_ptr_array_new_with_free_func((GDestroyNotify)partial_msg_free);
	ps->by_uid = g_hash_table_new(g_direct_hash, g_direct_equal);
	ps->groups = g_ptr_array_new_with_free_func((GDestroyNotify)g_ptr_array_unref);
	ps->cmds = g_ptr_array_new_with_free_func(g_free);
	for (guint i = 0; i < n; i++) {
		partial_msg *pm = partial_msg_new(uids[i].uid);

		g_ptr_array_add(ps->msgs, pm);
		g_hash_table_insert(ps->by_uid, GUINT_TO_POINTER(uids[i].uid), pm);
	}
	return ps;
}

/* Frees the set; its commands must have been waited for. */
static void
partial_set_free(partial_set *ps)
{
	if (ps == NULL)
		return;
	g_ptr_array_unref(ps->cmds);
	g_ptr_array_unref(ps->groups);
	g_hash_table_unref(ps->by_uid);
	g_ptr_array_unref(ps->msgs);
	g_free(ps);
}

/* The UIDs of `msgs` (partial_msg*) as a set (new string). */
static char *
partial_uid_set(GPtrArray *msgs)
{
	GArray *uids = g_array_sized_new(FALSE, FALSE, sizeof(imap_uid_size), msgs->len);
	char *set;

	for (guint i = 0; i < msgs->len; i++) {
		imap_uid_size us = { partial_msg_uid(msgs->pdata[i]), 0 };

		g_array_append_val(uids, us);
	}
	set = uid_set((const imap_uid_size *)uids->data, uids->len);
	g_array_unref(uids);
	return set;
}

/* Takes the responses to the plan command from the pool into the set's
 * messages.  The number planned. */
static guint
partial_set_plan(kith_imap *imap, partial_set *ps)
{
	guint planned = 0;

	for (guint i = 0; i < ps->msgs->len; i++) {
		partial_msg *pm = ps->msgs->pdata[i];
		GPtrArray *atts = pool_take(imap, partial_msg_uid(pm));

		for (guint j = 0; atts != NULL && j < atts->len; j++) {
			fetch_items items;

			read_items(atts->pdata[j], &items);
			partial_msg_plan(pm, items.structure, items.body, items.body_len);
		}
		planned += partial_msg_planned(pm);
		if (atts != NULL)
			g_ptr_array_unref(atts);
	}
	return planned;
}

/* Groups the planned messages by the items of their text parts and sends
 * a command for each group. */
static void
partial_set_send_groups(kith_imap *imap, partial_set *ps)
{
	GHashTable *seen = g_hash_table_new(g_str_hash, g_str_equal);

	for (guint i = 0; i < ps->msgs->len; i++) {
		partial_msg *pm = ps->msgs->pdata[i];
		const char *items = partial_msg_items(pm);
		GPtrArray *group;

		if (!partial_msg_planned(pm) || *items == '\0')
			continue;
		group = g_hash_table_lookup(seen, items);
		if (group == NULL) {
			group = g_ptr_array_new();
			g_hash_table_insert(seen, (gpointer)items, group);
			g_ptr_array_add(ps->groups, group);
		}
		g_ptr_array_add(group, pm);
	}
	g_hash_table_unref(seen);
	for (guint i = 0; i < ps->groups->len; i++) {
		GPtrArray *group = ps->groups->pdata[i];
		char *set = partial_uid_set(group);

		g_ptr_array_add(ps->cmds, cmd_send(imap, set,
			partial_msg_items(group->pdata[0])));
		g_free(set);
	}
}

/* Waits for the groups' replies and builds the reduced messages into
 * `out`.  A libetpan code. */
static int
partial_set_finish(kith_imap *imap, partial_set *ps, GPtrArray *out)
{
	int r = MAILIMAP_NO_ERROR;

	for (guint i = 0; i < ps->cmds->len; i++) {
		GPtrArray *group = ps->groups->pdata[i];
		int gr = cmd_wait(imap, ps->cmds->pdata[i]);

		/* a NO leaves a message without its text, not the batch */
		if (gr != MAILIMAP_NO_ERROR && gr != MAILIMAP_ERROR_UID_FETCH &&
		    r == MAILIMAP_NO_ERROR)
			r = gr;
		for (guint j = 0; j < group->len; j++) {
			partial_msg *pm = group->pdata[j];
			GPtrArray *atts = pool_take(imap, partial_msg_uid(pm));

			for (guint k = 0; atts != NULL && k < atts->len; k++)
				partial_msg_keep(pm, atts->pdata[k]);
			if (atts != NULL)
				g_ptr_array_unref(atts);
		}
	}
	for (guint i = 0; i < ps->msgs->len && r == MAILIMAP_NO_ERROR; i++) {
		partial_msg *pm = ps->msgs->pdata[i];
		imap_message *msg;

		if (!partial_msg_planned(pm))
			continue;
		msg = g_new0(imap_message, 1);
		msg->uid = partial_msg_uid(pm);
		msg->partial = TRUE;
		msg->data = partial_msg_build(pm, &msg->len);
		g_ptr_array_add(out, msg);
	}
	log_debug("%s: %s: %u large message%s in %u commands", imap->where,
		imap->folder ? imap->folder : "?", ps->msgs->len,
		ps->msgs->len == 1 ? "" : "s", 1 + ps->cmds->len);
	return r;
}

/* Fetches messages over max_size as their header and text parts, with
 * stubs for their other parts; appends imap_message* (partial) for the
 * UIDs the server still has.  A libetpan code. */
static int
fetch_partials(kith_imap *imap, const imap_uid_size *uids, guint n,
	GPtrArray *out)
{
	partial_set *ps = partial_set_new(uids, n);
	char *set = uid_set(uids, n);
	int r;

	r = uid_fetch(imap, set, IMAP_PARTIAL_PLAN_ITEMS);
	r = code_with(r, partial_set_plan(imap, ps));
	if (r == MAILIMAP_NO_ERROR) {
		partial_set_send_groups(imap, ps);
		r = partial_set_finish(imap, ps, out);
	}
	g_free(set);
	partial_set_free(ps);
	return r;
}

/* Fetches one UID whole or partial; a libetpan code.  *out is NULL when
 * the message is gone. */
static int
fetch_one(kith_imap *imap, const imap_uid_size *us, imap_message **out)
{
	GPtrArray *got = g_ptr_array_new_with_free_func(
		(GDestroyNotify)imap_message_free);
	int r;

	*out = NULL;
	if ((gint64)us->size > imap->max_size)
		r = fetch_partials(imap, us, 1, got);
	else
		r = fetch_whole(imap, us, 1, got);
	if (got->len > 0)
		*out = g_steal_pointer(&got->pdata[0]);
	g_ptr_array_unref(got);
	return r;
}

/* Logs a UID given up on, and drops a session the failure broke. */
static void
skip_uid(kith_imap *imap, guint32 uid, int r, GArray *skipped)
{
	log_warn("%s: skipping UID %u in %s: %s", imap->where, uid,
		imap->folder ? imap->folder : "?",
		r == MAILIMAP_ERROR_PARSE ? "the server's reply cannot be parsed"
		: r == MAILIMAP_ERROR_STREAM ? "the connection broke fetching it"
		: "the server refused to send it");
	if (skipped != NULL)
		g_array_append_val(skipped, uid);
	drop_if_fatal(imap, r);
}

/* The slow path: one UID at a time, reconnecting after broken sessions.
 * A UID whose fetch breaks the connection is tried once more on a new
 * one; one that fails on its own is skipped. */
static kith_status
fetch_one_by_one(kith_imap *imap, const imap_uid_size *uids, guint n,
	GPtrArray *out, GArray *skipped, char **errstr)
{
	kith_status st = KITH_OK;
	guint i = 0;
	gboolean retried = FALSE;

	while (i < n) {
		imap_message *msg = NULL;
		int r;

		if (imap->s == NULL) {
			st = reconnect(imap, errstr);
			if (st != KITH_OK)
				goto out;
		}
		r = fetch_one(imap, &uids[i], &msg);
		if (r == MAILIMAP_ERROR_STREAM && msg == NULL && !retried) {
			session_drop(imap);
			retried = TRUE;
			continue;
		}
		if (msg != NULL)
			g_ptr_array_add(out, msg);
		else if (r != MAILIMAP_NO_ERROR)  /* NO_ERROR: expunged meanwhile */
			skip_uid(imap, uids[i].uid, r, skipped);
		retried = FALSE;
		i++;
	}
out:
	return st;
}

/* Moves the messages of `got` to `out`; a server may answer a FETCH with
 * fewer messages than asked and still say OK, so the UIDs it left out are
 * asked for again one at a time (those expunged meanwhile stay absent). */
static kith_status
take_and_refetch_missing(kith_imap *imap, const imap_uid_size *uids, guint n,
	GPtrArray *got, GPtrArray *out, GArray *skipped, char **errstr)
{
	GHashTable *have = g_hash_table_new(g_direct_hash, g_direct_equal);
	GArray *missing = g_array_new(FALSE, FALSE, sizeof(imap_uid_size));
	kith_status st = KITH_OK;

	for (guint i = 0; i < got->len; i++) {
		imap_message *msg = g_steal_pointer(&got->pdata[i]);

		g_hash_table_add(have, GUINT_TO_POINTER(msg->uid));
		g_ptr_array_add(out, msg);
	}
	for (guint i = 0; i < n; i++)
		if (!g_hash_table_contains(have, GUINT_TO_POINTER(uids[i].uid)))
			g_array_append_val(missing, uids[i]);
	if (missing->len > 0)
		st = fetch_one_by_one(imap, (const imap_uid_size *)missing->data,
			missing->len, out, skipped, errstr);
	g_array_unref(missing);
	g_hash_table_unref(have);
	return st;
}

/* fetch_whole or fetch_partials. */
typedef int (*chunk_fetcher)(kith_imap *imap, const imap_uid_size *uids, guint n,
	GPtrArray *out);

/* Fetches the messages of a chunk with `fetch`, falling back to one by
 * one. */
static kith_status
fetch_chunk(kith_imap *imap, chunk_fetcher fetch, const imap_uid_size *uids,
	guint n, GPtrArray *out, GArray *skipped, char **errstr)
{
	GPtrArray *got = g_ptr_array_new_with_free_func(
		(GDestroyNotify)imap_message_free);
	kith_status st = KITH_OK;
	int r = MAILIMAP_ERROR_STREAM;

	if (imap->s != NULL)
		r = fetch(imap, uids, n, got);
	if (r == MAILIMAP_ERROR_STREAM) {
		/* A dropped connection: try the batch once more on a new one. */
		g_ptr_array_set_size(got, 0);
		session_drop(imap);
		st = reconnect(imap, errstr);
		if (st != KITH_OK)
			goto out;
		r = fetch(imap, uids, n, got);
	}
	if (r == MAILIMAP_NO_ERROR) {
		st = take_and_refetch_missing(imap, uids, n, got, out, skipped, errstr);
		goto out;
	}
	log_info("%s: fetching %u messages of %s failed; retrying one at a time",
		imap->where, n, imap->folder ? imap->folder : "?");
	drop_if_fatal(imap, r);
	st = fetch_one_by_one(imap, uids, n, out, skipped, errstr);
out:
	g_ptr_array_unref(got);
	return st;
}

static int
cmp_message_uid(gconstpointer a, gconstpointer b)
{
	guint32 x = (*(imap_message *const *)a)->uid;
	guint32 y = (*(imap_message *const *)b)->uid;

	return x < y ? -1 : x > y;
}

/* --- batches ------------------------------------------------------------- */

/*
 * The commands of one imap_fetch() call: its whole messages in chunks of
 * consecutive UIDs (at most IMAP_FETCH_COUNT messages and
 * IMAP_FETCH_BYTES each), and the plan command of its large ones.  The
 * next batch's are sent before the replies to this one's last commands
 * are read, so the server always has the next command in hand.
 */
typedef struct {
	guint off, n;          /* whole[off .. off + n) */
} fetch_chunk_span;

struct fetch_batch {
	GArray *uids;          /* imap_uid_size: the batch asked for */
	GArray *chunks;        /* fetch_chunk_span, over `whole` */
	GArray *whole;         /* imap_uid_size: the messages fetched whole */
	GArray *large;         /* imap_uid_size: those over max_size */
	GPtrArray *cmds;       /* imap_cmd*: one per chunk, then the plan's */
};

static void
batch_free(fetch_batch *b)
{
	if (b == NULL)
		return;
	g_array_unref(b->uids);
	g_array_unref(b->chunks);
	g_array_unref(b->whole);
	g_array_unref(b->large);
	g_ptr_array_unref(b->cmds);
	g_free(b);
}

/* Splits a batch: its whole messages in chunks (at most IMAP_FETCH_COUNT
 * messages and IMAP_FETCH_BYTES each), its large ones apart.  No command
 * is sent. */
static fetch_batch *
batch_new(const kith_imap *imap, const imap_uid_size *uids, guint n)
{
	fetch_batch *b = g_new0(fetch_batch, 1);
	guint64 bytes = 0;

	b->uids = g_array_sized_new(FALSE, FALSE, sizeof(imap_uid_size), n);
	g_array_append_vals(b->uids, uids, n);
	b->chunks = g_array_new(FALSE, FALSE, sizeof(fetch_chunk_span));
	b->whole = g_array_new(FALSE, FALSE, sizeof(imap_uid_size));
	b->large = g_array_new(FALSE, FALSE, sizeof(imap_uid_size));
	b->cmds = g_ptr_array_new_with_free_func(g_free);
	for (guint i = 0; i < n; i++) {
		fetch_chunk_span *last = b->chunks->len > 0
			? &g_array_index(b->chunks, fetch_chunk_span, b->chunks->len - 1) : NULL;

		if ((gint64)uids[i].size > imap->max_size) {
			g_array_append_val(b->large, uids[i]);
			continue;
		}
		if (last == NULL || last->n >= IMAP_FETCH_COUNT ||
		    bytes + uids[i].size > IMAP_FETCH_BYTES) {
			fetch_chunk_span span = { b->whole->len, 0 };

			g_array_append_val(b->chunks, span);
			last = &g_array_index(b->chunks, fetch_chunk_span, b->chunks->len - 1);
			bytes = 0;
		}
		last->n++;
		bytes += uids[i].size;
		g_array_append_val(b->whole, uids[i]);
	}
	return b;
}

/* The first message of chunk c of a batch. */
static const imap_uid_size *
chunk_start(const fetch_batch *b, guint c)
{
	return &g_array_index(b->whole, imap_uid_size,
		g_array_index(b->chunks, fetch_chunk_span, c).off);
}

/* Splits the batch and sends its commands: one per chunk, then the
 * large messages' plan. */
static fetch_batch *
batch_send(kith_imap *imap, const imap_uid_size *uids, guint n)
{
	fetch_batch *b = batch_new(imap, uids, n);
	char *items = whole_items(imap);

	for (guint c = 0; c < b->chunks->len; c++) {
		char *set = uid_set(chunk_start(b, c),
			g_array_index(b->chunks, fetch_chunk_span, c).n);

		g_ptr_array_add(b->cmds, cmd_send(imap, set, items));
		g_free(set);
	}
	if (b->large->len > 0) {
		char *set = uid_set((const imap_uid_size *)b->large->data, b->large->len);

		g_ptr_array_add(b->cmds, cmd_send(imap, set, IMAP_PARTIAL_PLAN_ITEMS));
		g_free(set);
	}
	g_free(items);
	return b;
}

/* Waits out the replies to the batch sent ahead, if any, and forgets it:
 * before a command of libetpan's own, which reads the next reply as its. */
static void
drop_ahead(kith_imap *imap)
{
	fetch_batch *b = g_steal_pointer(&imap->ahead);

	for (guint i = 0; b != NULL && i < b->cmds->len; i++)
		cmd_wait(imap, b->cmds->pdata[i]);
	if (b != NULL)
		pool_forget(imap, (const imap_uid_size *)b->uids->data, b->uids->len);
	batch_free(b);
}

/* The batch sent ahead for these UIDs, or NULL; one for others is waited
 * out and dropped. */
static fetch_batch *
take_ahead(kith_imap *imap, const imap_uid_size *uids, guint n)
{
	fetch_batch *b = imap->ahead;

	if (b != NULL && b->uids->len == n &&
	    memcmp(b->uids->data, uids, n * sizeof(*uids)) == 0)
		return g_steal_pointer(&imap->ahead);
	drop_ahead(imap);
	return NULL;
}

/*
 * Reads the replies to a batch's commands into `out`, sending the large
 * messages' group commands once their structures are in.  A libetpan
 * code: the first failure.
 */
static int
batch_receive(kith_imap *imap, fetch_batch *b, GPtrArray *out)
{
	partial_set *ps = NULL;
	guint c = 0;
	int r = MAILIMAP_NO_ERROR;

	for (; c < b->chunks->len && r == MAILIMAP_NO_ERROR; c++) {
		r = cmd_wait(imap, b->cmds->pdata[c]);
		r = code_with(r, take_whole(imap, chunk_start(b, c),
			g_array_index(b->chunks, fetch_chunk_span, c).n, out));
	}
	if (r == MAILIMAP_NO_ERROR && b->large->len > 0) {
		ps = partial_set_new((const imap_uid_size *)b->large->data, b->large->len);
		r = cmd_wait(imap, b->cmds->pdata[c]);
		r = code_with(r, partial_set_plan(imap, ps));
		if (r == MAILIMAP_NO_ERROR)
			partial_set_send_groups(imap, ps);
	}
	if (r == MAILIMAP_NO_ERROR && ps != NULL)
		r = partial_set_finish(imap, ps, out);
	partial_set_free(ps);
	return r;
}

/* The fast path of imap_fetch: the batch's commands, and `next`'s, all
 * sent before their replies are read, so the server works on the next
 * batch while this one's group commands make their round trip.  A
 * libetpan code. */
static int
fetch_pipelined(kith_imap *imap, const imap_uid_size *uids, guint n,
	const imap_uid_size *next, guint next_n, GPtrArray *out)
{
	fetch_batch *b = take_ahead(imap, uids, n);
	int r;

	if (imap->s == NULL) {
		batch_free(b);
		return MAILIMAP_ERROR_STREAM;
	}
	if (b == NULL)
		b = batch_send(imap, uids, n);
	if (next != NULL && next_n > 0 && imap->s != NULL)
		imap->ahead = batch_send(imap, next, next_n);
	r = batch_receive(imap, b, out);
	/* commands of a failed batch still in flight are read out, and what
	 * came of them forgotten */
	for (guint i = 0; i < b->cmds->len; i++)
		cmd_wait(imap, b->cmds->pdata[i]);
	pool_forget(imap, uids, n);
	batch_free(b);
	return r;
}

/* The slow path of imap_fetch: each kind of command on its own, retried
 * on a new session, then one UID at a time. */
static kith_status
fetch_sequential(kith_imap *imap, const imap_uid_size *uids, guint n,
	GPtrArray *out, GArray *skipped, char **errstr)
{
	fetch_batch *b = batch_new(imap, uids, n);
	kith_status st = KITH_OK;

	for (guint c = 0; c < b->chunks->len && st == KITH_OK; c++)
		st = fetch_chunk(imap, fetch_whole, chunk_start(b, c),
			g_array_index(b->chunks, fetch_chunk_span, c).n, out, skipped, errstr);
	for (guint j = 0; j < b->large->len && st == KITH_OK; j += IMAP_FETCH_COUNT)
		st = fetch_chunk(imap, fetch_partials,
			&g_array_index(b->large, imap_uid_size, j),
			MIN(IMAP_FETCH_COUNT, b->large->len - j), out, skipped, errstr);
	batch_free(b);
	return st;
}

kith_status
imap_fetch(kith_imap *imap, const imap_uid_size *uids, guint n,
	const imap_uid_size *next, guint next_n, GPtrArray **out,
	GArray *skipped, char **errstr)
{
	GPtrArray *msgs = g_ptr_array_new_with_free_func(
		(GDestroyNotify)imap_message_free);
	GPtrArray *got = g_ptr_array_new_with_free_func(
		(GDestroyNotify)imap_message_free);
	kith_status st;
	int r;

	r = fetch_pipelined(imap, uids, n, next, next_n, got);
	if (r == MAILIMAP_NO_ERROR) {
		st = take_and_refetch_missing(imap, uids, n, got, msgs, skipped, errstr);
	} else {
		log_debug("%s: %s: a batch of %u failed (libetpan error %d); "
			"fetching it command by command", imap->where,
			imap->folder ? imap->folder : "?", n, r);
		drop_if_fatal(imap, r);
		st = fetch_sequential(imap, uids, n, msgs, skipped, errstr);
	}
	g_ptr_array_unref(got);
	if (st != KITH_OK) {
		g_ptr_array_unref(msgs);
		return st;
	}
	g_ptr_array_sort(msgs, cmp_message_uid);
	*out = msgs;
	return KITH_OK;
}
