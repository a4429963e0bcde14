/* test_message.c - the message model: headers, addresses, dates, ids,
 * charsets, MIME structure, caps and the shared mail corpus. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "base64_shapes.h"
#include "message.h"

#define DATA "tests/data/"
#define CORPUS "../shared/mail-corpus"

static kith_message *
parse_file(const char *path)
{
	kith_message *msg = NULL;
	char *err = NULL;
	kith_status rc = message_parse_file(path, &msg, &err);

	if (rc != KITH_OK)
		fail_msg("%s: %s", path, err ? err : "(no message)");
	assert_non_null(msg);
	g_free(err);
	return msg;
}

static kith_message *
parse_str(const char *s)
{
	kith_message *msg = NULL;
	char *err = NULL;
	kith_status rc = message_parse(s, strlen(s), &msg, &err);

	if (rc != KITH_OK)
		fail_msg("parse: %s", err ? err : "(no message)");
	assert_non_null(msg);
	g_free(err);
	return msg;
}

static const kith_address *
addr_at(GPtrArray *list, guint i)
{
	assert_true(i < list->len);
	return g_ptr_array_index(list, i);
}

static const kith_attachment *
attachment_at(const kith_message *msg, guint i)
{
	assert_true(i < msg->attachments->len);
	return g_ptr_array_index(msg->attachments, i);
}

/* ---- headers --------------------------------------------------------- */

static void
test_plain_headers(void **state)
{
	kith_message *msg = parse_file(DATA "msg-plain.eml");

	assert_string_equal(msg->subject, "Café on Thursday");
	assert_string_equal(message_header(msg, "subject"), "Café on Thursday");
	assert_null(message_header(msg, "X-Not-There"));
	/* fields are decoded when first read, and read the same way by name
	 * or by position */
	for (guint i = 0; i < msg->headers->len; i++) {
		const kith_header *h = g_ptr_array_index(msg->headers, i);

		if (g_ascii_strcasecmp(h->name, "Message-ID") != 0)
			continue;
		assert_null(h->value);
		assert_string_equal(message_header_at(msg, i),
			"<20230314093000.1234@mail.example.org>");
		assert_ptr_equal(message_header(msg, "message-id"), h->value);
	}
	assert_null(message_header_at(msg, msg->headers->len));
	assert_string_equal(msg->message_id, "20230314093000.1234@mail.example.org");
	assert_false(msg->message_id_synthesized);
	assert_string_equal(msg->in_reply_to, "prev-1@mail.example.net");
	assert_int_equal(msg->references->len, 2);
	assert_string_equal(g_ptr_array_index(msg->references, 0), "root-0@mail.example.com");
	assert_string_equal(g_ptr_array_index(msg->references, 1), "prev-1@mail.example.net");

	assert_int_equal(msg->from->len, 1);
	assert_string_equal(message_sender(msg)->name, "Ana Ferreira");
	assert_string_equal(message_sender(msg)->addr, "ana.ferreira@example.org");
	/* the group's members count, the group name does not */
	assert_int_equal(msg->to->len, 3);
	assert_string_equal(addr_at(msg->to, 0)->name, "Bo Lindqvist");
	assert_string_equal(addr_at(msg->to, 0)->addr, "bo@example.net");
	assert_string_equal(addr_at(msg->to, 1)->name, "");
	assert_string_equal(addr_at(msg->to, 1)->addr, "carla@example.com");
	assert_string_equal(addr_at(msg->to, 2)->name, "Dee, Dana");
	assert_string_equal(addr_at(msg->to, 2)->addr, "dana@example.com");
	/* an empty group and a word without '@' yield no address */
	assert_int_equal(msg->cc->len, 1);
	assert_string_equal(addr_at(msg->cc, 0)->addr, "ed@example.com");
	assert_string_equal(addr_at(msg->reply_to, 0)->name, "Ana (work)");
	assert_string_equal(addr_at(msg->reply_to, 0)->addr, "ana@work.example.org");

	assert_true(msg->date_valid);
	assert_int_equal(msg->date, 1678766400); /* 09:30 +0530 = 04:00 UTC */
	assert_int_equal(msg->tz_offset, 330);
	assert_false(msg->text_from_html);
	assert_string_equal(msg->text,
		"Hi Bo,\n\nCould we meet at the café on Thursday at 10?\n\nAna\n");
	assert_null(msg->automated);
	assert_false(msg->is_report);
	assert_int_equal(msg->attachments->len, 0);
	message_free(msg);
}

static void
test_encoded_words(void **state)
{
	kith_message *msg = parse_file(DATA "msg-encoded-words.eml");

	/* consecutive B words decode in full (gmime#133) */
	assert_string_equal(msg->subject, "Hello world and €5 for you");
	assert_string_equal(message_sender(msg)->name, "Jürgen Müller");
	assert_string_equal(message_sender(msg)->addr, "juergen@example.de");
	assert_string_equal(addr_at(msg->to, 0)->name, "François Dupont");
	assert_string_equal(addr_at(msg->to, 1)->name, "Zoë");
	/* a character split across two B words is joined */
	assert_string_equal(message_header(msg, "X-Split"), "éè€ end");
	assert_int_equal(msg->tz_offset, -480);
	message_free(msg);
}

static void
test_encoded_words_inline(void **state)
{
	kith_message *msg = parse_str(
		"From: =?iso-8859-1?q?J=F6rg?= <joerg@example.de>\n"
		"To: =?UTF-8?B?5pel5pys6Kqe?= <nihongo@example.jp>\n"
		"Subject: =?utf-8?q?Caf=C3=A9?= =?utf-8?q?_cr=C3=A8me?= and\n"
		" =?ISO-8859-1?B?SGVsbG8=?= =?ISO-8859-1?B?IHf2cmxk?=\n"
		"X-Raw: Zo\xeb in raw Latin-1\n"
		"\n"
		"body\n");

	assert_string_equal(message_sender(msg)->name, "Jörg");
	assert_string_equal(addr_at(msg->to, 0)->name, "日本語");
	assert_string_equal(msg->subject, "Café crème and Hello wörld");
	assert_string_equal(message_header(msg, "X-Raw"), "Zoë in raw Latin-1");
	message_free(msg);
}

static void
test_malformed_from(void **state)
{
	kith_message *msg = parse_file(DATA "msg-malformed-from.eml");
	kith_message *warned = NULL;
	char *raw = NULL;
	gsize len = 0;
	guint i;

	/* gmime#159: must neither crash nor keep junk as addresses */
	for (i = 0; i < msg->from->len; i++) {
		const char *addr = addr_at(msg->from, i)->addr;
		const char *at = strrchr(addr, '@');

		assert_non_null(at);
		assert_true(at > addr && at[1] != '\0');
	}
	assert_int_equal(msg->from->len, 1);
	assert_string_equal(message_sender(msg)->addr, "broken@example.com");
	assert_string_equal(msg->subject, "malformed from");
	/* GMime's warnings only when asked for; the model is the same */
	assert_int_equal(msg->warnings->len, 0);
	assert_true(g_file_get_contents(DATA "msg-malformed-from.eml", &raw, &len, NULL));
	assert_int_equal(message_parse_with(raw, len, MESSAGE_PARSE_WARNINGS, &warned,
		NULL), KITH_OK);
	assert_string_equal(message_sender(warned)->addr, "broken@example.com");
	assert_string_equal(warned->subject, msg->subject);
	assert_true(warned->warnings->len > 0);
	for (i = 0; i < warned->warnings->len; i++) {
		const char *w = g_ptr_array_index(warned->warnings, i);

		assert_true(g_utf8_validate(w, -1, NULL));
		assert_null(strchr(w, '\n'));
	}
	message_free(warned);
	message_free(msg);
	g_free(raw);
}

static void
test_only_bad_from(void **state)
{
	kith_message *msg = parse_str("From: <<>>, @, \"x\" <>, nobody\nSubject: s\n\nb\n");

	assert_int_equal(msg->from->len, 0);
	assert_null(message_sender(msg));
	message_free(msg);
}

/* ---- ids and dates --------------------------------------------------- */

static void
test_missing_message_id(void **state)
{
	kith_message *lf = parse_file(DATA "msg-no-message-id.eml");
	kith_message *crlf = parse_file(DATA "msg-no-message-id-crlf.eml");
	kith_message *mbox = parse_file(DATA "msg-no-message-id-mbox.eml");
	char *data = NULL, *expect;
	gsize len = 0;

	assert_true(lf->message_id_synthesized);
	assert_true(crlf->message_id_synthesized);
	assert_true(mbox->message_id_synthesized);
	assert_true(g_str_has_prefix(lf->message_id, "kith-"));
	assert_true(g_str_has_suffix(lf->message_id, "@synth"));
	assert_int_equal(strlen(lf->message_id), strlen("kith-@synth") + 64);
	assert_string_equal(lf->message_id, crlf->message_id);
	assert_string_equal(lf->message_id, mbox->message_id);

	/* the hash covers the header block only, never the body */
	assert_true(g_file_get_contents(DATA "msg-no-message-id.eml", &data, &len, NULL));
	expect = message_synthesize_id(data, len);
	assert_string_equal(lf->message_id, expect);
	g_free(expect);
	expect = message_synthesize_id(data, strstr(data, "\n\n") - data + 2);
	assert_string_equal(lf->message_id, expect);
	g_free(expect);
	/* a different header block gives a different id */
	data[strstr(data, "no id") - data] = 'N';
	expect = message_synthesize_id(data, len);
	assert_string_not_equal(lf->message_id, expect);
	g_free(expect);

	g_free(data);
	message_free(lf);
	message_free(crlf);
	message_free(mbox);
}

/* A partial fetch's header (imap.c: its own Content-Type, the original
 * fields renamed) hashes as the original header does. */
static void
test_partial_message_id(void **state)
{
	const char *orig =
		"From: Ann <ann@example.org>\r\nSubject: deck\r\n"
		"Content-Type: multipart/mixed;\r\n\tboundary=\"BB\"\r\n"
		"Content-Transfer-Encoding: 7bit\r\n\r\n--BB\r\n";
	const char *reduced =
		"From: Ann <ann@example.org>\r\nSubject: deck\r\n"
		"X-Kith-Original-Content-Type: multipart/mixed;\r\n\tboundary=\"BB\"\r\n"
		"X-Kith-Original-Content-Transfer-Encoding: 7bit\r\n"
		"Content-Type: multipart/mixed; boundary=\"=_kith-partial-message\"\r\n"
		"\r\n--=_kith-partial-message\r\nContent-Type: text/plain\r\n\r\nhi\r\n"
		"--=_kith-partial-message--\r\n";
	char *a = message_synthesize_id(orig, strlen(orig));
	char *b = message_synthesize_id(reduced, strlen(reduced));
	kith_message *msg = NULL;
	char *err = NULL;

	assert_string_equal(a, b);
	assert_int_equal(message_parse_with(reduced, strlen(reduced),
		MESSAGE_PARSE_PARTIAL, &msg, &err), KITH_OK);
	assert_string_equal(msg->message_id, a);
	assert_true(msg->message_id_synthesized);
	g_free(b);
	/* without the renamed fields it is another header */
	b = message_synthesize_id(strstr(reduced, "Content-Type: multipart/mixed; b"),
		strlen(strstr(reduced, "Content-Type: multipart/mixed; b")));
	assert_string_not_equal(a, b);
	g_free(a);
	g_free(b);
	message_free(msg);
}

static void
test_malformed_message_id(void **state)
{
	static const char *const bad[] = {
		"Message-ID: not an id at all\nSubject: a\n\nb\n",
		"Message-ID: <>\nSubject: a\n\nb\n",
		"Message-ID: <no-at-sign>\nSubject: a\n\nb\n",
		"Message-ID:\nSubject: a\n\nb\n",
	};
	gsize i;

	for (i = 0; i < G_N_ELEMENTS(bad); i++) {
		kith_message *msg = parse_str(bad[i]);
		char *expect = message_synthesize_id(bad[i], strlen(bad[i]));

		assert_true(msg->message_id_synthesized);
		assert_string_equal(msg->message_id, expect);
		g_free(expect);
		message_free(msg);
	}
}

static void
test_message_id_forms(void **state)
{
	kith_message *msg = parse_str(
		"Message-ID:   <abc.123@host.example>  (comment)\n"
		"In-Reply-To: <first@x.example> <second@x.example>\n"
		"References: <a@x.example>\n"
		"\t<b@x.example> junk <c@x.example>\n"
		"\n"
		"b\n");

	assert_string_equal(msg->message_id, "abc.123@host.example");
	assert_false(msg->message_id_synthesized);
	assert_string_equal(msg->in_reply_to, "first@x.example");
	assert_int_equal(msg->references->len, 3);
	assert_string_equal(g_ptr_array_index(msg->references, 2), "c@x.example");
	message_free(msg);

	msg = parse_str("Subject: no threading\n\nb\n");
	assert_null(msg->in_reply_to);
	assert_int_equal(msg->references->len, 0);
	message_free(msg);
}

static void
test_bad_dates(void **state)
{
	static const char *const bad[] = {
		"Date: someday soon\nSubject: a\n\nb\n",
		"Date: Mon, 32 Jan 2023 25:00:00 +0000\nSubject: a\n\nb\n",
		"Date:\nSubject: a\n\nb\n",
		"Subject: no date at all\n\nb\n",
	};
	gsize i;

	for (i = 0; i < G_N_ELEMENTS(bad); i++) {
		kith_message *msg = parse_str(bad[i]);

		assert_false(msg->date_valid);
		assert_int_equal(msg->date, 0);
		message_free(msg);
	}
}

static void
test_timezones(void **state)
{
	static const struct {
		const char *date;
		gint64 epoch;
		int offset;
	} cases[] = {
		{ "Tue, 14 Mar 2023 09:30:00 +0530", 1678766400, 330 },
		{ "Tue, 14 Mar 2023 04:00:00 +0000", 1678766400, 0 },
		{ "Mon, 13 Mar 2023 20:00:00 -0800", 1678766400, -480 },
		{ "Mon, 13 Mar 2023 20:00:00 PST", 1678766400, -480 },
		{ "14 Mar 2023 05:00:00 +0100 (CET)", 1678766400, 60 },
		{ "Tue, 14 Mar 2023 13:45:00 +0945", 1678766400, 585 },
	};
	gsize i;

	for (i = 0; i < G_N_ELEMENTS(cases); i++) {
		char *raw = g_strdup_printf("Date: %s\nSubject: tz\n\nb\n", cases[i].date);
		kith_message *msg = parse_str(raw);

		assert_true(msg->date_valid);
		assert_int_equal(msg->date, cases[i].epoch);
		assert_int_equal(msg->tz_offset, cases[i].offset);
		message_free(msg);
		g_free(raw);
	}
}

/* ---- charsets ---------------------------------------------------------- */

static void
assert_body(const char *path, const char *expect)
{
	kith_message *msg = parse_file(path);

	assert_true(g_utf8_validate(msg->text, -1, NULL));
	assert_string_equal(msg->new_text, expect);
	message_free(msg);
}

static void
test_latin1_body(void **state)
{
	/* ISO-8859-1 label, windows-1252 bytes: curly quotes and euro */
	assert_body(DATA "msg-latin1.eml",
		"Grüße aus München, \u201Cquoted\u201D and 20€ please.");
}

static void
test_cp1252_qp_body(void **state)
{
	assert_body(DATA "msg-cp1252-qp.eml",
		"She said \u201Cyes\u201D \u2013 it costs €20 and it\u2019s naïve.");
}

static void
test_mislabelled_charset(void **state)
{
	/* US-ASCII label on UTF-8 text */
	assert_body(DATA "msg-mislabelled.eml", "A naïve café in Zürich.");
	/* UTF-8 label on windows-1252 bytes */
	assert_body(DATA "msg-utf8-label-latin1.eml", "Café crème, 5€.");
}

static void
test_unknown_charset(void **state)
{
	assert_body(DATA "msg-unknown-charset.eml", "Façade \u201Cok\u201D");
}

static void
test_declared_charset(void **state)
{
	assert_body(DATA "msg-koi8.eml", "Привет");
}

static void
test_base64_utf16(void **state)
{
	/* "Hé" in UTF-16LE with BOM: NUL bytes inside characters */
	kith_message *msg = parse_str(
		"Subject: utf-16\n"
		"Content-Type: text/plain; charset=utf-16\n"
		"Content-Transfer-Encoding: base64\n"
		"\n"
		"//5IAOkA\n");

	assert_string_equal(msg->text, "Hé");
	message_free(msg);
}

static void
test_html_meta_charset(void **state)
{
	/* no charset in the MIME header: the document's own <meta> counts */
	kith_message *msg = parse_str(
		"Subject: meta\n"
		"Content-Type: text/html\n"
		"\n"
		"<html><head><meta http-equiv=\"Content-Type\" "
		"content=\"text/html; charset=koi8-r\"></head>"
		"<body><p>\xf0\xd2\xc9\xd7\xc5\xd4</p></body></html>\n");

	assert_true(msg->text_from_html);
	assert_string_equal(msg->text, "Привет");
	message_free(msg);

	/* the MIME header wins over the document */
	msg = parse_str(
		"Subject: meta\n"
		"Content-Type: text/html; charset=iso-8859-1\n"
		"\n"
		"<meta charset=\"koi8-r\"><p>Caf\xe9</p>\n");
	assert_string_equal(msg->text, "Café");
	message_free(msg);
}

static void
test_nul_bytes(void **state)
{
	static const char raw[] =
		"From: Ana <ana@example.org>\n"
		"Subject: before\0after\n"
		"\n"
		"text before\0\0 and after\n";
	kith_message *msg = NULL;
	char *err = NULL;

	assert_int_equal(message_parse(raw, sizeof raw - 1, &msg, &err), KITH_OK);
	assert_non_null(msg);
	assert_true(g_utf8_validate(msg->subject, -1, NULL));
	assert_non_null(strstr(msg->subject, "before"));
	assert_non_null(strstr(msg->subject, "after"));
	assert_non_null(strstr(msg->text, "text before"));
	assert_non_null(strstr(msg->text, "and after"));
	assert_string_equal(message_sender(msg)->addr, "ana@example.org");
	assert_int_equal(msg->raw_size, sizeof raw - 1);
	message_free(msg);
}

/* ---- structure --------------------------------------------------------- */

static void
test_html_only(void **state)
{
	kith_message *msg = parse_file(DATA "msg-html-only.eml");

	assert_true(msg->text_from_html);
	assert_null(strstr(msg->text, "secret"));
	assert_null(strstr(msg->text, "alert"));
	assert_null(strstr(msg->text, "color"));
	assert_null(strstr(msg->text, "Ignore the title"));
	assert_string_equal(msg->text,
		"Hello Bo & team,\n\n"
		"Line one\nLine two\n\nAfter a blank\n\n"
		"- First item\n- Second <item>\n\n"
		"Café €5 — ok");
	message_free(msg);
}

static void
test_alternative_prefers_plain(void **state)
{
	kith_message *msg = parse_file(DATA "msg-alternative.eml");

	assert_false(msg->text_from_html);
	assert_string_equal(msg->new_text, "The plain version wins.");
	assert_null(strstr(msg->text, "HTML"));
	message_free(msg);
}

static void
test_alternative_empty_plain(void **state)
{
	kith_message *msg = parse_file(DATA "msg-alternative-empty-plain.eml");

	assert_true(msg->text_from_html);
	assert_string_equal(msg->text, "Only the HTML has words.");
	assert_int_equal(msg->attachments->len, 1);
	assert_string_equal(attachment_at(msg, 0)->mime_type, "image/png");
	message_free(msg);
}

static void
test_forwarded_rfc822(void **state)
{
	kith_message *msg = parse_file(DATA "msg-forward-rfc822.eml");

	assert_int_equal(msg->attachments->len, 1);
	assert_string_equal(attachment_at(msg, 0)->mime_type, "message/rfc822");
	assert_true(attachment_at(msg, 0)->size > 100);
	/* the forwarded text is carried, but it is not what this message says */
	assert_non_null(strstr(msg->text, "Please send me the budget by Friday."));
	assert_string_equal(msg->new_text, "FYI, see Carla's note below.");
	/* its addresses are not this message's */
	assert_string_equal(message_sender(msg)->addr, "ana@example.org");
	message_free(msg);
}

/* An attachment large enough that GMime never reads its content
 * (mime_cut.c): listed with the size of the whole of it. */
static void
test_large_attachment(void **state)
{
	kith_message *msg = parse_file(DATA "msg-large-attachment.eml");

	assert_string_equal(msg->new_text,
		"Here is the deck. Could you send me your comments by Friday?");
	assert_int_equal(msg->attachments->len, 1);
	assert_string_equal(attachment_at(msg, 0)->filename, "deck.ppt");
	assert_string_equal(attachment_at(msg, 0)->mime_type, "application/vnd.ms-powerpoint");
	assert_int_equal(attachment_at(msg, 0)->size, 6144);
	message_free(msg);
}

static void
test_attachments(void **state)
{
	kith_message *msg = parse_file(DATA "msg-attachments.eml");

	assert_string_equal(msg->new_text, "Report attached.");
	assert_null(strstr(msg->text, "notes"));
	assert_int_equal(msg->attachments->len, 3);
	assert_string_equal(attachment_at(msg, 0)->filename, "report.pdf");
	assert_string_equal(attachment_at(msg, 0)->mime_type, "application/pdf");
	assert_int_equal(attachment_at(msg, 0)->size, 9 + 1024);
	assert_string_equal(attachment_at(msg, 1)->filename, "notes.txt");
	assert_string_equal(attachment_at(msg, 1)->mime_type, "text/plain");
	assert_int_equal(attachment_at(msg, 1)->size,
		strlen("These notes are an attachment, not the body."));
	/* RFC 2231 filename, upper-case type */
	assert_string_equal(attachment_at(msg, 2)->filename, "übersicht.csv");
	assert_string_equal(attachment_at(msg, 2)->mime_type, "text/csv");
	assert_int_equal(attachment_at(msg, 2)->size, 7);
	message_free(msg);
}

static void
test_report(void **state)
{
	kith_message *msg = parse_file(DATA "msg-report.eml");

	assert_true(msg->is_report);
	assert_string_equal(msg->automated, "delivery report");
	assert_string_equal(msg->new_text, "Your message could not be delivered.");
	assert_string_equal(attachment_at(msg, 0)->mime_type, "message/delivery-status");
	message_free(msg);
}

static kith_message *
parse_with(const char *raw, gsize len, unsigned flags)
{
	kith_message *msg = NULL;

	assert_int_equal(message_parse_with(raw, len, flags, &msg, NULL), KITH_OK);
	return msg;
}

/* With MESSAGE_PARSE_NO_ROBOT_TEXT a message whose headers say robot
 * keeps its verdict and attachments but no text; anything else parses
 * exactly as without the flag. */
static void
test_no_robot_text(void **state)
{
	static const char *const files[] = {
		DATA "msg-attachments.eml", DATA "msg-report.eml", DATA "msg-list.eml",
		DATA "msg-forward-rfc822.eml", DATA "msg-html-only.eml",
	};
	char *raw = NULL;
	gsize len = 0;
	GString *listed;
	kith_message *full, *lean;

	for (gsize i = 0; i < G_N_ELEMENTS(files); i++) {
		assert_true(g_file_get_contents(files[i], &raw, &len, NULL));
		full = parse_with(raw, len, 0);
		lean = parse_with(raw, len, MESSAGE_PARSE_NO_ROBOT_TEXT);
		if (full->automated == NULL) {
			assert_string_equal(lean->text, full->text);
			assert_string_equal(lean->new_text, full->new_text);
		} else {
			assert_string_equal(lean->automated, full->automated);
		}
		assert_int_equal(lean->is_report, full->is_report);
		assert_int_equal(lean->attachments->len, full->attachments->len);
		message_free(full);
		message_free(lean);
		g_free(raw);
	}
	/* a list's mail with attachments: listed, but no text */
	assert_true(g_file_get_contents(DATA "msg-attachments.eml", &raw, &len, NULL));
	listed = g_string_new("List-Id: <team.lists.example.org>\n");
	g_string_append_len(listed, raw, (gssize)len);
	lean = parse_with(listed->str, listed->len, MESSAGE_PARSE_NO_ROBOT_TEXT);
	assert_string_equal(lean->automated, "list-id");
	assert_string_equal(lean->text, "");
	assert_string_equal(lean->new_text, "");
	assert_int_equal(lean->attachments->len, 3);
	assert_string_equal(attachment_at(lean, 0)->filename, "report.pdf");
	assert_int_equal(attachment_at(lean, 0)->size, 9 + 1024);
	message_free(lean);
	full = parse_with(listed->str, listed->len, 0);
	assert_string_equal(full->new_text, "Report attached.");
	message_free(full);
	g_string_free(listed, TRUE);
	g_free(raw);
}

static void
test_deep_nesting(void **state)
{
	GString *raw = g_string_new("Subject: deep\n");
	kith_message *msg;
	int i;

	for (i = 0; i < 100; i++)
		g_string_append_printf(raw,
			"Content-Type: multipart/mixed; boundary=\"b%d\"\n\n--b%d\n", i, i);
	g_string_append(raw, "Content-Type: text/plain\n\ndeepest text\n");
	for (i = 99; i >= 0; i--)
		g_string_append_printf(raw, "--b%d--\n", i);
	msg = parse_str(raw->str);
	/* the walk stops at its cap: the text is out of reach, nothing breaks */
	assert_null(strstr(msg->text, "deepest text"));
	assert_true(msg->warnings->len > 0);
	message_free(msg);
	g_string_free(raw, TRUE);
}

static void
test_text_cap(void **state)
{
	GString *raw = g_string_new("Subject: big\nContent-Type: text/plain; charset=utf-8\n\nx");
	kith_message *msg;
	gsize i;

	for (i = 0; i < MESSAGE_MAX_TEXT; i++)
		g_string_append(raw, "é");
	msg = parse_str(raw->str);
	assert_true(msg->text_truncated);
	assert_true(strlen(msg->text) <= MESSAGE_MAX_TEXT);
	assert_true(strlen(msg->text) >= MESSAGE_MAX_TEXT - 4);
	assert_true(g_utf8_validate(msg->text, -1, NULL));
	message_free(msg);
	g_string_free(raw, TRUE);

	msg = parse_str("Subject: small\n\nsmall\n");
	assert_false(msg->text_truncated);
	message_free(msg);
}

/* ---- replies through the whole model --------------------------------- */

static void
test_reply_styles(void **state)
{
	static const struct {
		const char *file;
		const char *new_text;
	} cases[] = {
		{ "msg-reply-gmail.eml", "Thursday works. I'll book a table for two." },
		{ "msg-reply-outlook.eml", "I will send the final numbers on Monday." },
		{ "msg-reply-outlook-original.eml", "Numbers attached next week." },
		{ "msg-reply-apple.eml", "Sure, I can review them tonight." },
		{ "msg-reply-thunderbird.eml",
			"Next Tuesday, if the tests pass.\n\nI'll write them tomorrow." },
	};
	gsize i;

	for (i = 0; i < G_N_ELEMENTS(cases); i++) {
		char *path = g_strconcat(DATA, cases[i].file, NULL);
		kith_message *msg = parse_file(path);

		assert_string_equal(msg->new_text, cases[i].new_text);
		assert_null(msg->automated);
		message_free(msg);
		g_free(path);
	}
}

/* ---- bad input ----------------------------------------------------------- */

static void
assert_data_error(const char *raw, gsize len, const char *words)
{
	kith_message *msg = (kith_message *)&msg;
	char *err = NULL;

	assert_int_equal(message_parse(raw, len, &msg, &err), KITH_E_DATA);
	assert_null(msg);
	assert_non_null(err);
	assert_non_null(strstr(err, words));
	g_free(err);
}

static void
test_empty_input(void **state)
{
	assert_data_error("", 0, "empty");
	assert_data_error(NULL, 0, "empty");
}

static void
test_no_header_block(void **state)
{
	static const char *const cases[] = {
		"Just some text\nwithout any headers.\n",
		"\n\nSubject: after blank lines is body\n",
		" Folded: continuation first\n\nb\n",
		"From nobody Mon Jan  1 00:00:00 2024\n",
	};
	gsize i;

	for (i = 0; i < G_N_ELEMENTS(cases); i++)
		assert_data_error(cases[i], strlen(cases[i]), "header");
}

static void
test_headers_only(void **state)
{
	kith_message *msg = parse_str("Subject: only headers\n");

	assert_string_equal(msg->subject, "only headers");
	assert_string_equal(msg->text, "");
	assert_string_equal(msg->new_text, "");
	message_free(msg);
}

static void
test_parse_file_missing(void **state)
{
	kith_message *msg = NULL;
	char *err = NULL;

	assert_int_equal(message_parse_file(DATA "msg-does-not-exist.eml", &msg, &err),
		KITH_E_NOINPUT);
	assert_null(msg);
	assert_non_null(strstr(err, "msg-does-not-exist.eml"));
	g_free(err);
}

static void
test_normalize_address(void **state)
{
	static const struct {
		const char *in, *out;
	} cases[] = {
		{ "  Ana@Example.ORG ", "ana@example.org" },
		{ "<Bo@Example.net>", "bo@example.net" },
		{ "\"quoted@local\"@example.com", "\"quoted@local\"@example.com" },
		{ "Ünï@Exämple.de", "ünï@exämple.de" },
		{ "no-at-sign", NULL },
		{ "@example.com", NULL },
		{ "ana@", NULL },
		{ "<>", NULL },
		{ "", NULL },
		{ "ana\n@example.com", NULL },
		{ "ana smith@example.com", NULL },
	};
	gsize i;

	for (i = 0; i < G_N_ELEMENTS(cases); i++) {
		char *got = message_normalize_address(cases[i].in);

		if (cases[i].out == NULL)
			assert_null(got);
		else
			assert_string_equal(got, cases[i].out);
		g_free(got);
	}
	assert_null(message_normalize_address(NULL));
}

/* Lowercasing for matching: ASCII by ASCII rules, the rest by Unicode. */
static void
test_strdown(void **state)
{
	static const char *const cases[][2] = {
		{ "Original Message", "original message" },
		{ "MIXED case 123 !?", "mixed case 123 !?" },
		{ "\xc3\x9c\xc3\x9c" "BER Nachricht", "\xc3\xbc\xc3\xbc" "ber nachricht" },
		{ "\xce\xa3\xce\x9f\xce\xa6\xce\x99\xce\x91", "\xcf\x83\xce\xbf\xcf\x86\xce\xb9\xce\xb1" },
		{ "", "" },
	};

	(void)state;
	for (gsize i = 0; i < G_N_ELEMENTS(cases); i++) {
		char *got = message_strdown(cases[i][0]);

		assert_string_equal(got, cases[i][1]);
		g_free(got);
	}
}

/* A stub stands for an attachment a partial fetch left out: its size is
 * believed only in a message parsed as partial. */
static void
test_partial_stub_size(void **state)
{
	static const char raw[] =
		"From: a@example.org\nSubject: s\nContent-Type: multipart/mixed; boundary=B\n\n"
		"--B\nContent-Type: text/plain\n\nthe text\n"
		"--B\nContent-Type: application/pdf; name=\"cv.pdf\"\n"
		"Content-Disposition: attachment; filename=\"cv.pdf\"\nX-Kith-Part-Size: 123456\n\n\n"
		"--B\nContent-Type: message/rfc822; name=\"fwd.eml\"\nX-Kith-Part-Size: 777\n\n\n"
		"--B--\n";
	kith_message *msg = NULL;
	char *err = NULL;

	assert_int_equal(message_parse_with(raw, sizeof raw - 1, MESSAGE_PARSE_PARTIAL,
		&msg, &err), KITH_OK);
	assert_int_equal(msg->attachments->len, 2);
	assert_string_equal(attachment_at(msg, 0)->filename, "cv.pdf");
	assert_int_equal(attachment_at(msg, 0)->size, 123456);
	assert_string_equal(attachment_at(msg, 1)->filename, "fwd.eml");
	assert_string_equal(attachment_at(msg, 1)->mime_type, "message/rfc822");
	assert_int_equal(attachment_at(msg, 1)->size, 777);
	assert_non_null(strstr(msg->text, "the text"));
	message_free(msg);
	/* mail that carries the field itself sets no size */
	assert_int_equal(message_parse_with(raw, sizeof raw - 1, 0, &msg, &err), KITH_OK);
	assert_int_equal(msg->attachments->len, 2);
	assert_true(attachment_at(msg, 0)->size < 10);
	assert_true(attachment_at(msg, 1)->size < 1000 && attachment_at(msg, 1)->size != 777);
	message_free(msg);
}

/* ---- the two readings of a body ------------------------------------------ */

/*
 * A body of one text part is read without GMime's parser (mime_leaf.c);
 * parsed again with MESSAGE_PARSE_GMIME_ALWAYS, GMime reads it.  Both
 * must give the same status and the same body, with robots' text read
 * or not.
 */
static void
check_same_reading(const char *label, const char *data, gsize len)
{
	static const unsigned flag_sets[] = { 0, MESSAGE_PARSE_NO_ROBOT_TEXT };

	for (gsize i = 0; i < G_N_ELEMENTS(flag_sets); i++) {
		kith_message *a = NULL, *b = NULL;
		char *err_a = NULL, *err_b = NULL;
		kith_status ra = message_parse_with(data, len, flag_sets[i], &a, &err_a);
		kith_status rb = message_parse_with(data, len,
			flag_sets[i] | MESSAGE_PARSE_GMIME_ALWAYS, &b, &err_b);
		const char *what;

		if (ra != rb)
			fail_msg("%s: status %d, with GMime %d", label, ra, rb);
		if (ra == KITH_OK && (what = message_body_differs(a, b)) != NULL)
			fail_msg("%s: %s differs from GMime's reading", label, what);
		message_free(a);
		message_free(b);
		g_free(err_a);
		g_free(err_b);
	}
}

static void
check_same_reading_file(const char *path)
{
	char *data = NULL;
	gsize len = 0;

	if (!g_file_get_contents(path, &data, &len, NULL))
		fail_msg("%s: cannot read", path);
	check_same_reading(path, data, len);
	g_free(data);
}

/* Single parts in every shape the simple reading takes, and some next to
 * them that it leaves to GMime. */
static void
test_same_reading_shapes(void **state)
{
	static const char *const bodies[] = {
		"Subject: s\n\nplain body\n",
		"Subject: s\r\n\r\nCRLF body\r\nline two\r\n",
		"Subject: s\n",
		"Subject: s\n\n",
		"Subject: s\nContent-Type: text/plain\n\nno charset\n",
		"Subject: s\nContent-Type: TEXT/PLAIN; CHARSET=ISO-8859-1\n\nd\xe9j\xe0\n",
		"Subject: s\nContent-Type: text/plain; charset=\"utf-8\"; format=flowed\n\n"
			"caf\xc3\xa9 \n",
		"Subject: s\nContent-Type: text/plain;\n charset=windows-1252\n\n\x93q\x94\n",
		"Subject: s\nContent-Type: text/plain; charset=utf-8;\n\ntrailing semicolon\n",
		"Subject: s\nContent-Type: text/plain; charset=koi8-r\n\n\xf0\xd2\xc9\n",
		"Subject: s\nContent-Type: text/plain; charset=x-unknown-42\n\nbytes \xff\n",
		"Subject: s\nContent-Type: text/plain; charset=utf-8\n\nbad \xff utf-8\n",
		"Subject: s\nContent-Type: text/plain; charset=utf-16\n"
			"Content-Transfer-Encoding: base64\n\n//5oAGkACgA=\n",
		"Subject: s\nContent-Transfer-Encoding: quoted-printable\n\n"
			"soft=\nbreak =C3=A9 and =XX bad and end=",
		"Subject: s\nContent-Transfer-Encoding: QUOTED-PRINTABLE\n\n=3D=\r\n\r\n",
		"Subject: s\nContent-Transfer-Encoding: base64\n\naGVsbG8gd29y\nbGQK\n",
		"Subject: s\nContent-Transfer-Encoding: base64\n\naGVs*bG8=garbage==\n",
		"Subject: s\nContent-Transfer-Encoding: 8bit\n\n8bit \xc3\xa9\n",
		"Subject: s\nContent-Transfer-Encoding: binary\n\nbin\n",
		"Subject: s\nContent-Transfer-Encoding: 7bit\nContent-Disposition: inline\n\nx\n",
		"Subject: s\nContent-Type: text/html\n\n<p>Hello <b>there</b></p>\n",
		"Subject: s\nContent-Type: text/html\n\n<meta charset=\"iso-8859-1\"><p>d\xe9j\xe0</p>\n",
		"Subject: s\nContent-Type: Text/HTML; charset=utf-8\n"
			"Content-Transfer-Encoding: base64\n\nPHA+aGk8L3A+Cg==\n",
		"Subject: s\nContent-Type: text/html\n\n   \n",
		"Subject: s\nMIME-Version: 1.0\nContent-Language: en\nContent-ID: <a@b>\n"
			"Content-Description: note\nContent-Type: text/plain\n\nx\n",
		"Subject: s\nContent-Transfer-Encoding:\n base64\n\naGkK\n",
		"Subject: s\nContent-Transfer-Encoding:\tbase64 \t\n\naGkK\n",
		"Subject: s\nContent-Transfer-Encoding :base64\n\naGkK\n",
		"Subject: s\nContent-Type:\n text/plain;\n\tcharset=latin1\n\n\xe9\n",
		"Subject: s\nContent-Type: text/plain;charset=latin1\n\n\xe9\n",
		"Subject: s\nContent-Type: text/plain ; charset = latin1\n\n\xe9\n",
		"Subject: s\nContent-Type: text/plain; charset=latin1 \n\n\xe9\n",
		"Subject: s\nContent-Type: text/plain; charset=\"\"\n\n\xe9\n",
		"Subject: s\nContent-Type: text/plain; charset=latin1; x-mac-type=\"54455854\"\n\n\xe9\n",
		"Subject: s\ncontent-type: text/html; charset=utf-8\ncontent-transfer-encoding: base64\n"
			"\nPGI+aGk8L2I+\n",
		/* the shapes left to GMime */
		"Subject: s\nContent-Type: text/plain; name=\"a.txt\"\n\nnamed\n",
		"Subject: s\nContent-Disposition: attachment\n\nattached\n",
		"Subject: s\nContent-Disposition: inline; filename=a.txt\n\nnamed\n",
		"Subject: s\nContent-Type: text/plain; charset*=utf-8''%e2%82%ac\n\nx\n",
		"Subject: s\nContent-Type: text/plain; charset=\"utf 8\"\n\nx\n",
		"Subject: s\nContent-Type: text/plain (comment); charset=utf-8\n\nx\n",
		"Subject: s\nContent-Type: text/plain\nContent-Type: text/html\n\n<p>x</p>\n",
		"Subject: s\nContent-Type: text/plain; charset=utf-8; charset=latin1\n\nx\n",
		"Subject: s\nContent-Type: text\n\nno subtype\n",
		"Subject: s\nContent-Type: text/enriched\n\n<bold>x</bold>\n",
		"Subject: s\nContent-Type: application/octet-stream\n\nbytes\n",
		"Subject: s\nContent-Type: message/rfc822\n\nSubject: inner\n\ninner body\n",
		"Subject: s\nContent-Transfer-Encoding: x-uuencode\n\nbegin 644 a\n#86)C\n`\nend\n",
		"Subject: s\nContent-Transfer-Encoding: base64 (comment)\n\naGkK\n",
		"Subject: s\nContent-Base: http://example.org/\n\nx\n",
		"Subject: s\nContent-Type: text/plain; charset=\xe9\n\nx\n",
		"List-Id: <news.example.org>\nContent-Type: text/html\n\n<p>news</p>\n",
		"From nobody Mon Jan  1 00:00:00 2024\nSubject: s\n\nmbox body\n",
		"\xef\xbb\xbfSubject: s\n\nBOM\n",
	};
	static const char nul[] = "Subject: s\n\na\0b\n";

	for (gsize i = 0; i < G_N_ELEMENTS(bodies); i++)
		check_same_reading(bodies[i], bodies[i], strlen(bodies[i]));
	/* NUL bytes in the body */
	check_same_reading("nul", nul, sizeof nul - 1);
}

/*
 * Large base64 attachments are parsed without their content (mime_cut.c)
 * unless MESSAGE_PARSE_GMIME_ALWAYS; where the cut is not borne out, the
 * whole body is parsed again.  Either way, the same reading.
 */
static void
test_same_reading_cuts(void **state)
{
	static const char *const shapes[] = {
		/* cut */
		"From: a@example.org\nSubject: s\nContent-Type: multipart/mixed; boundary=b\n\n"
		"--b\nContent-Type: text/plain\n\nI'll send the slides tomorrow.\n-- \nA\n--b\n"
		"Content-Type: application/pdf; name=a.pdf\nContent-Transfer-Encoding: base64\n\n"
		"%B--b--\n",
		"Subject: s\nContent-Type: multipart/mixed; boundary=out\n\n--out\n"
		"Content-Type: multipart/alternative; boundary=in\n\n--in\n"
		"Content-Type: text/plain\n\nplain\n--in\nContent-Type: text/html\n\n<p>html</p>\n"
		"--in--\n--out\nContent-Type: image/png\nContent-Disposition: inline\n"
		"Content-Transfer-Encoding: base64\n\n%B--out\n"
		"Content-Type: application/octet-stream\nContent-Transfer-Encoding: base64\n\n"
		"%B\n--out--\n",
		/* not borne out: parsed again */
		"Subject: s\nContent-Type: multipart/mixed; boundary=b\n\n--b\n"
		"Content-Type: application/pdf\nContent-Transfer-Encoding: base64\n\n"
		"%B--not the boundary\nmore text\n--b\nContent-Type: text/plain\n\nafter\n--b--\n",
		"Subject: s\nContent-Type: multipart/signed; boundary=s\n\n--s\n"
		"Content-Type: text/plain\n\nsigned\n--s\n"
		"Content-Type: application/pkcs7-signature\nContent-Transfer-Encoding: base64\n\n"
		"%B--s--\n",
		"Subject: s\nContent-Type: multipart/mixed; boundary=b\n\n--b\n"
		"Content-Type: message/rfc822\n\nSubject: inner\n"
		"Content-Type: multipart/mixed; boundary=b\n\n--b\n"
		"Content-Type: text/plain\n\ninner text\n--b\n"
		"Content-Type: application/zip\nContent-Transfer-Encoding: base64\n\n%B--b--\n",
		"Subject: s\nContent-Type: multipart/mixed; boundary=b\n\n--b\n"
		"X-Kith-Cut: 00000000 0\nContent-Type: application/zip\n"
		"Content-Transfer-Encoding: base64\n\n%B--b--\n",
		/* GMime takes the last of two: the plan skips such a part */
		"Subject: s\nContent-Type: multipart/mixed; boundary=b\n\n--b\n"
		"Content-Type: application/zip\nContent-Type: text/plain\n"
		"Content-Transfer-Encoding: base64\n\n%B--b--\n",
		"Subject: s\r\nContent-Type: multipart/mixed; boundary=\"c r\"\r\n\r\n--c r\r\n"
		"Content-Type: audio/ogg\r\nContent-Transfer-Encoding: base64\r\n\r\n%B--c r--\r\n",
	};

	for (gsize i = 0; i < G_N_ELEMENTS(shapes); i++) {
		char *raw = base64_shape(shapes[i], 9000, "\n");
		char *label = g_strdup_printf("cut shape %zu", i);

		check_same_reading(label, raw, strlen(raw));
		g_free(label);
		g_free(raw);
	}
}

/*
 * Address fields in their plain form are read without GMime's parser
 * (addr_simple.c), the rest by GMime; both must give the same addresses.
 */
static void
test_same_reading_addresses(void **state)
{
	static const char *const values[] = {
		"ana@example.org",
		"Ana Ferreira <ana@example.org>",
		"Ana Ferreira <Ana.Ferreira@Example.ORG>, bo@example.net",
		"Ana\n Ferreira <ana@example.org>,\n\tBo <bo@example.net>",
		"<ana@example.org>",
		" ana@example.org , Bo  Chen <bo@example.net>",
		"O'Brien-Smith_3 <o+tag@sub.example.co.uk>",
		"\"Ferreira, Ana\" <ana@example.org>",
		"ana@example.org (Ana)",
		"Dr. Ana <ana@example.org>",
		"team: ana@example.org, bo@example.net;",
		"=?utf-8?q?J=C3=B6rg?= <jorg@example.org>",
		"J\xc3\xb6rg <jorg@example.org>",
		"ana@example.org,",
		",ana@example.org",
		"ana@example.org,,bo@example.net",
		"ana@@example.org",
		"ana.@example.org",
		"ana@example..org",
		"not an address",
		"Ana <ana@example.org",
		"Ana ana@example.org>",
		"Ana <<ana@example.org>>",
		"Ana <ana@example.org> trailing",
		"ana@example.org <ana@example.org>",
		"Ana\t<ana@example.org>",
		"Ana<ana@example.org>",
		"Undisclosed recipients:;",
		"",
		"a@b",
		"\"\" <ana@example.org>",
		"Ana <ana@[127.0.0.1]>",
		"Ana <@route:ana@example.org>",
		"info@xn--ple.net",
		"Ana <ana@mail.XN--bcher-kva.example>",
		"ana@axn--b.example",
	};

	for (gsize i = 0; i < G_N_ELEMENTS(values); i++) {
		char *raw = g_strdup_printf("From: %s\nTo: %s\nCc: x@example.org, %s\n"
			"Reply-To: %s\nSubject: s\n\nbody\n", values[i], values[i], values[i], values[i]);
		char *label = g_strdup_printf("address \"%s\"", values[i]);

		check_same_reading(label, raw, strlen(raw));
		g_free(label);
		g_free(raw);
	}
}

static void
same_reading_dir(const char *dir)
{
	GDir *d = g_dir_open(dir, 0, NULL);
	const char *name;

	assert_non_null(d);
	while ((name = g_dir_read_name(d)) != NULL) {
		char *path = g_build_filename(dir, name, NULL);

		if (g_file_test(path, G_FILE_TEST_IS_DIR))
			same_reading_dir(path);
		else if (g_str_has_suffix(name, ".eml"))
			check_same_reading_file(path);
		g_free(path);
	}
	g_dir_close(d);
}

static void
test_same_reading_test_data(void **state)
{
	same_reading_dir(DATA);
}

/* ---- the shared corpus ----------------------------------------------------- */

static void
check_corpus_file(const char *path, guint *parsed, guint *refused)
{
	kith_message *msg = NULL;
	char *err = NULL;
	kith_status rc = message_parse_file(path, &msg, &err);
	guint i;

	if (rc == KITH_E_DATA) {
		if (err == NULL || *err == '\0')
			fail_msg("%s: KITH_E_DATA without a message", path);
		assert_null(msg);
		(*refused)++;
		goto out;
	}
	if (rc != KITH_OK)
		fail_msg("%s: status %d: %s", path, rc, err ? err : "");
	(*parsed)++;
	check_same_reading_file(path);
	if (!g_utf8_validate(msg->text, -1, NULL) || !g_utf8_validate(msg->subject, -1, NULL) ||
		!g_utf8_validate(msg->new_text, -1, NULL))
		fail_msg("%s: invalid UTF-8", path);
	assert_true(*msg->message_id != '\0');
	assert_true(strlen(msg->text) <= MESSAGE_MAX_TEXT);
	for (i = 0; i < msg->headers->len; i++) {
		const kith_header *h = g_ptr_array_index(msg->headers, i);

		if (!g_utf8_validate(message_header_at(msg, i), -1, NULL))
			fail_msg("%s: header %s not UTF-8", path, h->name);
	}
	for (i = 0; i < msg->from->len; i++)
		assert_non_null(strchr(addr_at(msg->from, i)->addr, '@'));
out:
	message_free(msg);
	g_free(err);
}

static void
walk_corpus(const char *dir, guint *parsed, guint *refused)
{
	GDir *d = g_dir_open(dir, 0, NULL);
	const char *name;

	if (d == NULL)
		return;
	while ((name = g_dir_read_name(d)) != NULL) {
		char *path = g_build_filename(dir, name, NULL);

		if (g_file_test(path, G_FILE_TEST_IS_DIR)) {
			if (strcmp(name, "LICENSES") != 0)
				walk_corpus(path, parsed, refused);
		} else if (!g_str_has_suffix(name, ".tsv")) {
			check_corpus_file(path, parsed, refused);
		}
		g_free(path);
	}
	g_dir_close(d);
}

static void
test_corpus(void **state)
{
	guint parsed = 0, refused = 0;

	if (!g_file_test(CORPUS, G_FILE_TEST_IS_DIR)) {
		skip();
		return;
	}
	walk_corpus(CORPUS, &parsed, &refused);
	print_message("corpus: %u parsed, %u refused as not a message\n", parsed, refused);
	/* nearly all of it is mail, however broken */
	assert_true(parsed > 0);
	assert_true(refused * 20 < parsed);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_plain_headers),
		cmocka_unit_test(test_encoded_words),
		cmocka_unit_test(test_encoded_words_inline),
		cmocka_unit_test(test_malformed_from),
		cmocka_unit_test(test_only_bad_from),
		cmocka_unit_test(test_missing_message_id),
		cmocka_unit_test(test_partial_message_id),
		cmocka_unit_test(test_malformed_message_id),
		cmocka_unit_test(test_message_id_forms),
		cmocka_unit_test(test_bad_dates),
		cmocka_unit_test(test_timezones),
		cmocka_unit_test(test_latin1_body),
		cmocka_unit_test(test_cp1252_qp_body),
		cmocka_unit_test(test_mislabelled_charset),
		cmocka_unit_test(test_unknown_charset),
		cmocka_unit_test(test_declared_charset),
		cmocka_unit_test(test_base64_utf16),
		cmocka_unit_test(test_html_meta_charset),
		cmocka_unit_test(test_nul_bytes),
		cmocka_unit_test(test_html_only),
		cmocka_unit_test(test_alternative_prefers_plain),
		cmocka_unit_test(test_alternative_empty_plain),
		cmocka_unit_test(test_forwarded_rfc822),
		cmocka_unit_test(test_attachments),
		cmocka_unit_test(test_report),
		cmocka_unit_test(test_deep_nesting),
		cmocka_unit_test(test_text_cap),
		cmocka_unit_test(test_reply_styles),
		cmocka_unit_test(test_empty_input),
		cmocka_unit_test(test_no_header_block),
		cmocka_unit_test(test_headers_only),
		cmocka_unit_test(test_no_robot_text),
		cmocka_unit_test(test_parse_file_missing),
		cmocka_unit_test(test_normalize_address),
		cmocka_unit_test(test_strdown),
		cmocka_unit_test(test_partial_stub_size),
		cmocka_unit_test(test_same_reading_shapes),
		cmocka_unit_test(test_same_reading_test_data),
		cmocka_unit_test(test_same_reading_cuts),
		cmocka_unit_test(test_same_reading_addresses),
		cmocka_unit_test(test_large_attachment),
		cmocka_unit_test(test_corpus),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
