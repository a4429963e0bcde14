/*
 * imap-floor.c - the IMAP fetch floor: the least work any IMAP client
 * built on libetpan does to read a mailbox, as a baseline for kith's scan
 * over IMAP.
 *
 *   imap-floor [-s] [-b BATCH] [-m MAX] HOST PORT USER PASSFILE FOLDER...
 *
 * It connects (-s: IMAPS), logs in with the password in PASSFILE's first
 * line, and for each FOLDER sends EXAMINE, lists its UIDs with
 * UID FETCH 1:* (UID), and fetches every message with
 * UID FETCH SET (UID BODY.PEEK[]<0.MAX>), BATCH UIDs (default 100) per
 * command, one command at a time, through libetpan's own parser; the
 * bytes are counted and thrown away.  MAX defaults to 65536, kith's own
 * max_size: a message larger than that kith reads in parts, which costs
 * the client more than this, never less.  Nothing is parsed or stored.
 *
 * This is a benchmark against a local test server: with -s the
 * certificate is NOT verified.
 *
 * Prints one line:
 *   imap-floor: messages=N bytes=B seconds=S msg_per_s=R
 * and exits 1 on any error.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <libetpan/libetpan.h>

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static int fail(const char *what, int r)
{
	fprintf(stderr, "imap-floor: %s failed (libetpan error %d)\n", what, r);
	return -1;
}

/* Reads the password: PASSFILE's first line. */
static char *read_password(const char *path)
{
	char buf[1024];
	FILE *f = fopen(path, "r");
	if (!f || !fgets(buf, sizeof(buf), f)) {
		if (f)
			fclose(f);
		fprintf(stderr, "imap-floor: cannot read %s\n", path);
		return NULL;
	}
	fclose(f);
	buf[strcspn(buf, "\r\n")] = '\0';
	return strdup(buf);
}

/* The first static item of type `type` in a FETCH response, or NULL
 * (owned by the response). */
static struct mailimap_msg_att_static *static_item(struct mailimap_msg_att *att, int type)
{
	clistiter *it;

	for (it = clist_begin(att->att_list); it; it = clist_next(it)) {
		struct mailimap_msg_att_item *item = clist_content(it);
		if (item->att_type == MAILIMAP_MSG_ATT_ITEM_STATIC &&
		    item->att_data.att_static->att_type == type)
			return item->att_data.att_static;
	}
	return NULL;
}

/* UID FETCH 1:* (UID): the folder's UIDs into *uids (caller frees). */
static int list_uids(mailimap *imap, uint32_t **uids, size_t *n)
{
	struct mailimap_set *set = mailimap_set_new_interval(1, 0);
	struct mailimap_fetch_type *ft = mailimap_fetch_type_new_fetch_att_list_empty();
	clist *result = NULL;
	clistiter *it;
	int r;

	mailimap_fetch_type_new_fetch_att_list_add(ft, mailimap_fetch_att_new_uid());
	r = mailimap_uid_fetch(imap, set, ft, &result);
	mailimap_fetch_type_free(ft);
	mailimap_set_free(set);
	if (r != MAILIMAP_NO_ERROR)
		return fail("UID FETCH 1:* (UID)", r);
	*n = 0;
	*uids = malloc(sizeof(**uids) * (clist_count(result) + 1));
	if (!*uids)
		abort();
	for (it = clist_begin(result); it; it = clist_next(it)) {
		struct mailimap_msg_att_static *uid = static_item(clist_content(it),
			MAILIMAP_MSG_ATT_UID);
		if (uid)
			(*uids)[(*n)++] = uid->att_data.att_uid;
	}
	mailimap_fetch_list_free(result);
	return 0;
}

/* Fetches uids[0..n) in one UID FETCH; adds the messages and bytes. */
static int fetch_batch(mailimap *imap, const uint32_t *uids, size_t n, uint32_t max,
	size_t *messages, size_t *bytes)
{
	struct mailimap_set *set = mailimap_set_new_empty();
	struct mailimap_fetch_type *ft = mailimap_fetch_type_new_fetch_att_list_empty();
	struct mailimap_section *section = mailimap_section_new(NULL);
	clist *result = NULL;
	clistiter *it;
	size_t i;
	int r;

	for (i = 0; i < n; i++)
		mailimap_set_add_single(set, uids[i]);
	mailimap_fetch_type_new_fetch_att_list_add(ft, mailimap_fetch_att_new_uid());
	mailimap_fetch_type_new_fetch_att_list_add(ft,
		mailimap_fetch_att_new_body_peek_section_partial(section, 0, max));
	r = mailimap_uid_fetch(imap, set, ft, &result);
	mailimap_fetch_type_free(ft);
	mailimap_set_free(set);
	if (r != MAILIMAP_NO_ERROR)
		return fail("UID FETCH (BODY.PEEK[])", r);
	for (it = clist_begin(result); it; it = clist_next(it)) {
		struct mailimap_msg_att_static *body = static_item(clist_content(it),
			MAILIMAP_MSG_ATT_BODY_SECTION);
		if (body) {
			*bytes += body->att_data.att_body_section->sec_length;
			(*messages)++;
		}
	}
	mailimap_fetch_list_free(result);
	return 0;
}

static int fetch_folder(mailimap *imap, const char *folder, size_t batch, uint32_t max,
	size_t *messages, size_t *bytes)
{
	uint32_t *uids = NULL;
	size_t n = 0, i;
	int r = mailimap_examine(imap, folder);

	if (r != MAILIMAP_NO_ERROR)
		return fail("EXAMINE", r);
	if (list_uids(imap, &uids, &n) != 0)
		return -1;
	for (i = 0; i < n; i += batch) {
		if (fetch_batch(imap, uids + i, n - i < batch ? n - i : batch, max,
			    messages, bytes) != 0) {
			free(uids);
			return -1;
		}
	}
	free(uids);
	return 0;
}

int main(int argc, char **argv)
{
	size_t batch = 100, messages = 0, bytes = 0;
	uint32_t max = 65536;
	int tls = 0, c, r, status = 1, i;
	mailimap *imap = NULL;
	char *password = NULL;
	double t0;

	while ((c = getopt(argc, argv, "sb:m:")) != -1) {
		switch (c) {
		case 's': tls = 1; break;
		case 'b': batch = strtoul(optarg, NULL, 10); break;
		case 'm': max = (uint32_t)strtoul(optarg, NULL, 10); break;
		default: goto usage;
		}
	}
	if (argc - optind < 5 || batch == 0 || max == 0)
		goto usage;
	password = read_password(argv[optind + 3]);
	if (!password)
		return 1;
	t0 = now_s();
	imap = mailimap_new(0, NULL);
	r = tls ? mailimap_ssl_connect(imap, argv[optind], (uint16_t)atoi(argv[optind + 1]))
		: mailimap_socket_connect(imap, argv[optind], (uint16_t)atoi(argv[optind + 1]));
	if (r != MAILIMAP_NO_ERROR_AUTHENTICATED && r != MAILIMAP_NO_ERROR_NON_AUTHENTICATED) {
		fail("connect", r);
		goto out;
	}
	r = mailimap_login(imap, argv[optind + 2], password);
	if (r != MAILIMAP_NO_ERROR) {
		fail("LOGIN", r);
		goto out;
	}
	for (i = optind + 4; i < argc; i++)
		if (fetch_folder(imap, argv[i], batch, max, &messages, &bytes) != 0)
			goto out;
	mailimap_logout(imap);
	{
		double s = now_s() - t0;
		printf("imap-floor: messages=%zu bytes=%zu seconds=%.3f msg_per_s=%.0f\n",
			messages, bytes, s, messages / s);
	}
	status = 0;
out:
	if (imap)
		mailimap_free(imap);
	free(password);
	return status;
usage:
	fprintf(stderr, "usage: imap-floor [-s] [-b BATCH] [-m MAX] HOST PORT USER PASSFILE FOLDER...\n");
	return 2;
}
