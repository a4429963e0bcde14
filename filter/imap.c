/* imap.c - a small read-only IMAP client over libetpan (see imap.h). */
#include <errno.h>
#include <arpa/inet.h>
#include <netdb.h>
#include <netinet/in.h>
#include <signal.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>

#include <libetpan/libetpan.h>

#include "imap.h"
#include "log.h"
#include "tls.h"

/* Most messages, and bytes, fetched by one UID FETCH of whole messages. */
#define IMAP_FETCH_COUNT 100
#define IMAP_FETCH_BYTES (64 * 1024 * 1024)
/* For messages over max_size: text parts kept, and bytes of each. */
#define IMAP_PARTIAL_PARTS 8
/* ... and stubs for at most this many of its other parts (name, type, size) */
#define IMAP_PARTIAL_STUBS 64
#define IMAP_PARTIAL_PART_BYTES (1024 * 1024)
#define IMAP_PARTIAL_BOUNDARY "=_kith-partial-message"

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
};

static kith_status ensure_session(kith_imap *imap, char **errstr);

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

/* TRUE for errors after which the connection is unusable. */
static gboolean
error_is_fatal_to_session(int r)
{
	return r == MAILIMAP_ERROR_STREAM || r == MAILIMAP_ERROR_PARSE ||
		r == MAILIMAP_ERROR_CONNECTION_REFUSED || r == MAILIMAP_ERROR_SSL;
}

/* Maps a libetpan error of `what` ("FETCH", "EXAMINE INBOX") to a status. */
static kith_status
imap_error(kith_imap *imap, int r, const char *what, char **errstr)
{
	switch (r) {
	case MAILIMAP_ERROR_STREAM:
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

static kith_status
open_stream(kith_imap *imap, char **errstr)
{
	account_tls tls = imap->acct->tls;
	int r;

	if (tls == TLS_IMAPS)
		r = mailimap_ssl_connect_with_callback(imap->s, imap->host, imap->port,
			tls_sni_callback, imap->host);
	else
		r = mailimap_socket_connect(imap->s, imap->host, imap->port);
	switch (r) {
	case MAILIMAP_NO_ERROR:
	case MAILIMAP_NO_ERROR_AUTHENTICATED:
	case MAILIMAP_NO_ERROR_NON_AUTHENTICATED:
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
	if (imap->s != NULL) {
		if (imap->s->imap_stream != NULL)
			mailimap_logout(imap->s);
		mailimap_free(imap->s);
	}
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
	if (mailimap_has_condstore(imap->s))
		r = mailimap_examine_condstore(imap->s, folder, &modseq);
	else
		r = mailimap_examine(imap->s, folder);
	if (r != MAILIMAP_NO_ERROR) {
		what = g_strdup_printf("EXAMINE %s", folder);
		st = imap_error(imap, r, what, errstr);
		if (r == MAILIMAP_ERROR_EXAMINE)
			st = KITH_E_NOINPUT;
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
	return examine(imap, folder, info, errstr);
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
	if (imap->s != NULL)
		mailimap_free(imap->s);
	imap->s = NULL;
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

kith_status
imap_open_another(const kith_imap *imap, kith_imap **out, char **errstr)
{
	kith_imap *other = g_new0(kith_imap, 1);
	kith_status st;

	other->acct = imap->acct;
	other->host = g_strdup(imap->host);
	other->port = imap->port;
	other->where = g_strdup(imap->where);
	other->secret = g_strdup(imap->secret);
	other->folder = g_strdup(imap->folder);
	other->uidvalidity = imap->uidvalidity;
	other->max_size = imap->max_size;
	other->stop = imap->stop;
	st = reopen(other, errstr);
	if (st != KITH_OK) {
		imap_close(other);
		other = NULL;
	}
	*out = other;
	return st;
}

/* Reconnects when an earlier failure left no session. */
static kith_status
ensure_session(kith_imap *imap, char **errstr)
{
	if (imap->s != NULL)
		return KITH_OK;
	return reconnect(imap, errstr);
}

/* --- fetching ------------------------------------------------------------ */

/* One UID FETCH; *result is the fetch list (mailimap_fetch_list_free).
 * `set` and `type` stay owned by the caller, as libetpan does not take them. */
static int
uid_fetch(kith_imap *imap, struct mailimap_set *set,
	struct mailimap_fetch_type *type, clist **result)
{
	*result = NULL;
	if (imap->s == NULL)
		return MAILIMAP_ERROR_STREAM;
	return mailimap_uid_fetch(imap->s, set, type, result);
}

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

kith_status
imap_list_uids(kith_imap *imap, guint32 last_uid, GArray **out, char **errstr)
{
	GArray *uids = g_array_new(FALSE, FALSE, sizeof(imap_uid_size));
	struct mailimap_set *set = NULL;
	struct mailimap_fetch_type *type = NULL;
	clist *result = NULL;
	kith_status st;
	int r;

	st = ensure_session(imap, errstr);
	if (st != KITH_OK)
		goto out;
	if (imap->s->imap_selection_info != NULL &&
	    imap->s->imap_selection_info->sel_has_exists &&
	    imap->s->imap_selection_info->sel_exists == 0)
		goto out;
	set = mailimap_set_new_interval(last_uid + 1, 0);
	type = mailimap_fetch_type_new_fetch_att_list_empty();
	mailimap_fetch_type_new_fetch_att_list_add(type, mailimap_fetch_att_new_uid());
	mailimap_fetch_type_new_fetch_att_list_add(type,
		mailimap_fetch_att_new_rfc822_size());
	r = uid_fetch(imap, set, type, &result);
	if (r != MAILIMAP_NO_ERROR) {
		st = imap_error(imap, r, "UID FETCH (RFC822.SIZE)", errstr);
		goto out;
	}
	for (clistiter *it = clist_begin(result); it != NULL; it = clist_next(it)) {
		fetch_items items;
		imap_uid_size us;

		read_items(clist_content(it), &items);
		/* N:* always includes the highest UID, even below N. */
		if (items.uid <= last_uid)
			continue;
		us.uid = items.uid;
		us.size = items.has_size ? items.size : 0;
		g_array_append_val(uids, us);
	}
	g_array_sort(uids, cmp_uid_size);
out:
	if (result != NULL)
		mailimap_fetch_list_free(result);
	if (set != NULL)
		mailimap_set_free(set);
	if (type != NULL)
		mailimap_fetch_type_free(type);
	if (st != KITH_OK)
		g_array_unref(uids);
	else
		*out = uids;
	return st;
}

/* Fetches whole messages; appends imap_message* for the UIDs returned. */
static int
fetch_whole(kith_imap *imap, const imap_uid_size *uids, guint n,
	GPtrArray *out)
{
	struct mailimap_set *set = mailimap_set_new_empty();
	struct mailimap_fetch_type *type;
	clist *result = NULL;
	int r;

	for (guint i = 0; i < n; i++)
		mailimap_set_add_single(set, uids[i].uid);
	type = mailimap_fetch_type_new_fetch_att_list_empty();
	mailimap_fetch_type_new_fetch_att_list_add(type, mailimap_fetch_att_new_uid());
	/* BODY.PEEK[]<0.max_size>: the size announced is not trusted. */
	mailimap_fetch_type_new_fetch_att_list_add(type,
		mailimap_fetch_att_new_body_peek_section_partial(mailimap_section_new(NULL),
			0, (uint32_t)MIN(imap->max_size, (gint64)G_MAXUINT32)));
	r = uid_fetch(imap, set, type, &result);
	if (r != MAILIMAP_NO_ERROR)
		goto out;
	for (clistiter *it = clist_begin(result); it != NULL; it = clist_next(it)) {
		fetch_items items;
		imap_message *msg;

		read_items(clist_content(it), &items);
		if (items.uid == 0 || items.body == NULL)
			continue;
		msg = g_new0(imap_message, 1);
		msg->uid = items.uid;
		/* Take the bytes from the fetch list rather than copy them
		 * (a batch is megabytes); imap_message_free frees them as the
		 * fetch list would have. */
		msg->data = *items.body_owner;
		msg->len = items.body_len;
		msg->data_etpan = TRUE;
		*items.body_owner = NULL;
		g_ptr_array_add(out, msg);
	}
out:
	if (result != NULL)
		mailimap_fetch_list_free(result);
	mailimap_set_free(set);
	mailimap_fetch_type_free(type);
	return r;
}

/* A section part path "1.2" as libetpan wants it (new clist of uint32_t*). */
static struct mailimap_section_part *
section_part(const GArray *path)
{
	clist *ids = clist_new();

	for (guint i = 0; i < path->len; i++) {
		uint32_t *id = malloc(sizeof(*id));

		if (id == NULL)
			g_error("out of memory");
		*id = g_array_index(path, guint32, i);
		clist_append(ids, id);
	}
	return mailimap_section_part_new(ids);
}

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

/*
 * Messages over max_size are fetched in a few commands whatever their
 * number: one FETCH of every message's BODYSTRUCTURE and header, then one
 * FETCH per distinct set of text-part sections ("TEXT", "1", "1.1 1.2"
 * are the usual ones) of those parts' MIME headers and contents.  A round
 * trip per message would cost more than the attachments save when the
 * server is far away.
 */
typedef struct {
	guint32 uid;
	gboolean found;        /* the server sent its structure and header */
	gboolean single;       /* one text part: its TEXT is fetched */
	partial_shape shape;
	GBytes *header;        /* BODY[HEADER], capped */
	GHashTable *sections;  /* "TEXT", "1.2", "1.2.MIME" -> GBytes */
	char *key;             /* the sections of its text parts, "" for none */
} partial_msg;

static void
partial_msg_clear(partial_msg *pm)
{
	g_ptr_array_unref(pm->shape.parts);
	g_ptr_array_unref(pm->shape.stubs);
	if (pm->header != NULL)
		g_bytes_unref(pm->header);
	g_hash_table_unref(pm->sections);
	g_free(pm->key);
}

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

/* The structure and header of one response, into its partial_msg. */
static void
partial_plan_one(partial_msg *pm, const fetch_items *items)
{
	const struct mailimap_body *body = items->structure;
	GArray *path;
	GString *key;

	if (pm->found || body == NULL || items->body == NULL || items->body_len == 0)
		return;
	pm->found = TRUE;
	pm->header = g_bytes_new(items->body, items->body_len);
	pm->single = body->bd_type == MAILIMAP_BODY_1PART &&
		body->bd_data.bd_body_1part != NULL &&
		is_text_part(body->bd_data.bd_body_1part);
	if (pm->single) {
		pm->key = g_strdup("TEXT");
		return;
	}
	path = g_array_new(FALSE, FALSE, sizeof(guint32));
	collect_shape(body, path, &pm->shape, 0);
	g_array_unref(path);
	key = g_string_new(NULL);
	for (guint i = 0; i < pm->shape.parts->len; i++) {
		char *name = path_name(pm->shape.parts->pdata[i]);

		g_string_append_printf(key, "%s%s", i > 0 ? " " : "", name);
		g_free(name);
	}
	pm->key = g_string_free(key, FALSE);
}

/* FETCH (UID BODYSTRUCTURE BODY.PEEK[HEADER]) of every message. */
static int
partial_plan(kith_imap *imap, partial_msg *pms, guint n, GHashTable *by_uid)
{
	struct mailimap_set *set = mailimap_set_new_empty();
	struct mailimap_fetch_type *type = mailimap_fetch_type_new_fetch_att_list_empty();
	clist *result = NULL;
	int r;

	for (guint i = 0; i < n; i++)
		mailimap_set_add_single(set, pms[i].uid);
	mailimap_fetch_type_new_fetch_att_list_add(type, mailimap_fetch_att_new_uid());
	mailimap_fetch_type_new_fetch_att_list_add(type,
		mailimap_fetch_att_new_bodystructure());
	mailimap_fetch_type_new_fetch_att_list_add(type,
		mailimap_fetch_att_new_body_peek_section_partial(
			mailimap_section_new_header(), 0, IMAP_PARTIAL_PART_BYTES));
	r = uid_fetch(imap, set, type, &result);
	if (r != MAILIMAP_NO_ERROR)
		goto out;
	for (clistiter *it = clist_begin(result); it != NULL; it = clist_next(it)) {
		fetch_items items;
		partial_msg *pm;

		read_items(clist_content(it), &items);
		pm = g_hash_table_lookup(by_uid, GUINT_TO_POINTER(items.uid));
		if (pm != NULL)
			partial_plan_one(pm, &items);
	}
out:
	if (result != NULL)
		mailimap_fetch_list_free(result);
	mailimap_set_free(set);
	mailimap_fetch_type_free(type);
	return r;
}

/* Adds BODY.PEEK[section]<0.cap> to a fetch. */
static void
fetch_type_add_section(struct mailimap_fetch_type *type,
	struct mailimap_section *section)
{
	mailimap_fetch_type_new_fetch_att_list_add(type,
		mailimap_fetch_att_new_body_peek_section_partial(section, 0,
			IMAP_PARTIAL_PART_BYTES));
}

/* Keeps every body section of one response in its partial_msg. */
static void
partial_keep_sections(partial_msg *pm, struct mailimap_msg_att *att)
{
	for (clistiter *it = clist_begin(att->att_list); it != NULL;
		it = clist_next(it)) {
		struct mailimap_msg_att_item *item = clist_content(it);
		struct mailimap_msg_att_body_section *sec;

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

/* One FETCH of the text parts of `group`, messages of one key. */
static int
partial_fetch_group(kith_imap *imap, GPtrArray *group, GHashTable *by_uid)
{
	const partial_msg *first = group->pdata[0];
	struct mailimap_set *set = mailimap_set_new_empty();
	struct mailimap_fetch_type *type = mailimap_fetch_type_new_fetch_att_list_empty();
	clist *result = NULL;
	int r;

	for (guint i = 0; i < group->len; i++)
		mailimap_set_add_single(set, ((partial_msg *)group->pdata[i])->uid);
	mailimap_fetch_type_new_fetch_att_list_add(type, mailimap_fetch_att_new_uid());
	if (first->single)
		fetch_type_add_section(type, mailimap_section_new_text());
	for (guint i = 0; !first->single && i < first->shape.parts->len; i++) {
		const GArray *path = first->shape.parts->pdata[i];

		fetch_type_add_section(type, mailimap_section_new_part_mime(section_part(path)));
		fetch_type_add_section(type, mailimap_section_new_part(section_part(path)));
	}
	r = uid_fetch(imap, set, type, &result);
	if (r != MAILIMAP_NO_ERROR)
		goto out;
	for (clistiter *it = clist_begin(result); it != NULL; it = clist_next(it)) {
		fetch_items items;
		partial_msg *pm;

		read_items(clist_content(it), &items);
		pm = g_hash_table_lookup(by_uid, GUINT_TO_POINTER(items.uid));
		if (pm != NULL && pm->found && strcmp(pm->key, first->key) == 0)
			partial_keep_sections(pm, clist_content(it));
	}
out:
	if (result != NULL)
		mailimap_fetch_list_free(result);
	mailimap_set_free(set);
	mailimap_fetch_type_free(type);
	return r;
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

/*
 * The reduced message: the header, and either the text of a one-part
 * message, or a multipart of kith's own holding the text parts (each
 * capped) and a stub for every other part, with its type, name and size
 * but no content.  The multipart is a report when the message holds one,
 * so a bounce still reads as one.  New string.
 */
static char *
partial_build(const partial_msg *pm, gsize *len)
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

/* Fetches messages over max_size as their header and text parts, with
 * stubs for their other parts; appends imap_message* (partial) for the
 * UIDs the server still has.  A libetpan code. */
static int
fetch_partials(kith_imap *imap, const imap_uid_size *uids, guint n,
	GPtrArray *out)
{
	partial_msg *pms = g_new0(partial_msg, n);
	GHashTable *by_uid = g_hash_table_new(g_direct_hash, g_direct_equal);
	GHashTable *groups = g_hash_table_new_full(g_str_hash, g_str_equal, NULL,
		(GDestroyNotify)g_ptr_array_unref);
	GPtrArray *order = g_ptr_array_new();   /* the groups, as first met */
	int r;

	for (guint i = 0; i < n; i++) {
		pms[i].uid = uids[i].uid;
		pms[i].shape.parts = g_ptr_array_new_with_free_func(
			(GDestroyNotify)g_array_unref);
		pms[i].shape.stubs = g_ptr_array_new_with_free_func(g_free);
		pms[i].sections = g_hash_table_new_full(g_str_hash, g_str_equal,
			g_free, (GDestroyNotify)g_bytes_unref);
		g_hash_table_insert(by_uid, GUINT_TO_POINTER(uids[i].uid), &pms[i]);
	}
	r = partial_plan(imap, pms, n, by_uid);
	if (r != MAILIMAP_NO_ERROR)
		goto out;
	for (guint i = 0; i < n; i++) {
		GPtrArray *group;

		if (!pms[i].found || *pms[i].key == '\0')
			continue;
		group = g_hash_table_lookup(groups, pms[i].key);
		if (group == NULL) {
			group = g_ptr_array_new();
			g_hash_table_insert(groups, pms[i].key, group);
			g_ptr_array_add(order, group);
		}
		g_ptr_array_add(group, &pms[i]);
	}
	for (guint i = 0; i < order->len && r == MAILIMAP_NO_ERROR; i++)
		r = partial_fetch_group(imap, order->pdata[i], by_uid);
	log_debug("%s: %s: %u large message%s in %u commands", imap->where,
		imap->folder ? imap->folder : "?", n, n == 1 ? "" : "s", 1 + order->len);
	for (guint i = 0; i < n && r == MAILIMAP_NO_ERROR; i++) {
		imap_message *msg;

		if (!pms[i].found)
			continue;
		msg = g_new0(imap_message, 1);
		msg->uid = pms[i].uid;
		msg->partial = TRUE;
		msg->data = partial_build(&pms[i], &msg->len);
		g_ptr_array_add(out, msg);
	}
out:
	g_ptr_array_unref(order);
	g_hash_table_unref(groups);
	g_hash_table_unref(by_uid);
	for (guint i = 0; i < n; i++)
		partial_msg_clear(&pms[i]);
	g_free(pms);
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
	if (error_is_fatal_to_session(r) && imap->s != NULL) {
		mailimap_free(imap->s);
		imap->s = NULL;
	}
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
			mailimap_free(imap->s);
			imap->s = NULL;
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
		if (imap->s != NULL)
			mailimap_free(imap->s);
		imap->s = NULL;
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
	if (error_is_fatal_to_session(r) && imap->s != NULL) {
		mailimap_free(imap->s);
		imap->s = NULL;
	}
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

kith_status
imap_fetch(kith_imap *imap, const imap_uid_size *uids, guint n,
	GPtrArray **out, GArray *skipped, char **errstr)
{
	GPtrArray *msgs = g_ptr_array_new_with_free_func(
		(GDestroyNotify)imap_message_free);
	GArray *large = g_array_new(FALSE, FALSE, sizeof(imap_uid_size));
	kith_status st = KITH_OK;
	guint i = 0;

	/* The whole messages in chunks of consecutive UIDs, then the large
	 * ones together. */
	while (i < n && st == KITH_OK) {
		guint start = i;
		guint64 bytes = 0;

		if ((gint64)uids[i].size > imap->max_size) {
			g_array_append_val(large, uids[i]);
			i++;
			continue;
		}
		while (i < n && i - start < IMAP_FETCH_COUNT &&
		       (gint64)uids[i].size <= imap->max_size &&
		       (i == start || bytes + uids[i].size <= IMAP_FETCH_BYTES)) {
			bytes += uids[i].size;
			i++;
		}
		st = fetch_chunk(imap, fetch_whole, &uids[start], i - start, msgs,
			skipped, errstr);
	}
	for (guint j = 0; j < large->len && st == KITH_OK; j += IMAP_FETCH_COUNT)
		st = fetch_chunk(imap, fetch_partials,
			&g_array_index(large, imap_uid_size, j),
			MIN(IMAP_FETCH_COUNT, large->len - j), msgs, skipped, errstr);
	g_array_unref(large);
	if (st != KITH_OK) {
		g_ptr_array_unref(msgs);
		return st;
	}
	g_ptr_array_sort(msgs, cmp_message_uid);
	*out = msgs;
	return KITH_OK;
}
