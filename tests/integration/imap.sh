#!/bin/sh
# imap.sh - `kith scan` of IMAP accounts against a private Dovecot:
# complete and incremental scans, UIDVALIDITY changes, read-only access,
# IMAPS and STARTTLS with certificate checks before LOGIN, wrong passwords,
# an interrupted 2,500-message scan, and no password leaking anywhere.
. "$(dirname "$0")/../lib/testlib.sh"
. "$KITH_TOP/tests/lib/dovecot.sh"

# A private copy of the binaries (kith finds kith-core beside itself), so a
# rebuild of the tree during this long test cannot swap them mid-way.  A
# wrapper $KITH (valgrind) is used as it is.
if [ -x "$(dirname "$KITH")/kith-core" ]; then
	mkdir -p "$T/bin"
	cp "$KITH" "$(dirname "$KITH")/kith-core" "$T/bin/" || { fail "copy kith"; exit 1; }
	KITH="$T/bin/kith"
	export KITH_RULES_DIR="$KITH_TOP/rules"   # away from the tree
fi

OUT="$T/out"                      # every output of kith, for the leak check
mkdir -p "$OUT"
NOW="2026-03-10 09:00"
DB="$XDG_DATA_HOME/kith/kith.db"
CONF="$XDG_CONFIG_HOME/kith/config"
run=0

# k NAME ARGS...: runs kith, output in $OUT/NAME, exit code in $rc.
k() {
	_name=$1; shift
	"$KITH" --now "$NOW" "$@" >"$OUT/$_name" 2>&1
	rc=$?
	run=$((run + 1))
}

# account NAME KEY=VALUE...: an [account NAME] section for alice.
account() {
	_n=$1; shift
	printf '\n[account %s]\ntype = imap\nhost = 127.0.0.1\nuser = %s\n' \
		"$_n" "$DOVECOT_USER"
	for _kv in "$@"; do
		printf '%s = %s\n' "${_kv%%=*}" "${_kv#*=}"
	done
}

write_config() {
	mkdir -p "$XDG_CONFIG_HOME/kith"
	{
		printf '[identity]\naddresses = alice@example.com\n'
		account test tls=imaps "port=$DOVECOT_IMAPS_PORT" "password=$DOVECOT_PASS" \
			"cafile=$DOVECOT_CA"
		account st tls=starttls "port=$DOVECOT_IMAP_PORT" "password=$DOVECOT_PASS" \
			"cafile=$DOVECOT_CA"
		account byname host=localhost tls=imaps "port=$DOVECOT_IMAPS_PORT" \
			"passcmd=cat $DOVECOT_DIR/password" "cafile=$DOVECOT_CA"
		account plainauth tls=imaps auth=plain "port=$DOVECOT_IMAPS_PORT" \
			"password=$DOVECOT_PASS" "cafile=$DOVECOT_CA"
		account oauth tls=imaps auth=xoauth2 "port=$DOVECOT_IMAPS_PORT" \
			"password=$DOVECOT_PASS" "cafile=$DOVECOT_CA"
		account clear tls=none "port=$DOVECOT_IMAP_PORT" "password=$DOVECOT_PASS"
		account systrust tls=imaps "port=$DOVECOT_IMAPS_PORT" "password=$DOVECOT_PASS"
		account pinned tls=imaps "port=$DOVECOT_IMAPS_PORT" "password=$DOVECOT_PASS" \
			"fingerprint=$(dovecot_fingerprint selfsigned)"
		account noverify tls=imaps "port=$DOVECOT_IMAPS_PORT" "password=$DOVECOT_PASS" \
			tls_verify=no
		account wrongpw tls=imaps "port=$DOVECOT_IMAPS_PORT" password=not-her-password \
			"cafile=$DOVECOT_CA"
		account all tls=imaps "port=$DOVECOT_IMAPS_PORT" "password=$DOVECOT_PASS" \
			"cafile=$DOVECOT_CA" "folders=*"
		printf '\n[account big]\ntype = imap\nhost = 127.0.0.1\nuser = bob\n'
		printf 'tls = imaps\nport = %s\npasscmd = printf bob-secret\ncafile = %s\n' \
			"$DOVECOT_IMAPS_PORT" "$DOVECOT_CA"
	} >"$CONF"
	chmod 600 "$CONF"
}

count() { sqlite3 -batch -noheader "${2:-$DB}" "$1"; }
logins() { dovecot_log_count "Login: user=<$1>"; }
auth_attempts() { dovecot_log_count "auth failed\|Authentication failed\|Login: user="; }

# A store's content, without row ids or times of recording.
dump() {
	sqlite3 -batch -noheader "$1" "
		SELECT message_id, synthesized, date, tz_offset, direction, from_addr,
			subject, automated, in_reply_to, attachments, size
		FROM messages ORDER BY message_id;
		SELECT m.message_id, i.direction, i.date,
			(SELECT min(addr) FROM addresses a WHERE a.contact_id = i.contact_id)
		FROM interactions i JOIN messages m ON m.id = i.message
		ORDER BY 1, 4;"
}

# --- set up ------------------------------------------------------------------
dovecot_fill alice INBOX 40 inbox
dovecot_fill alice Sent 5 sent
dovecot_fill bob INBOX 2500 bulk
if ! dovecot_start; then
	fail "dovecot starts"
	exit 1
fi
write_config
dovecot_set_flags INBOX 1:3 '\Seen'
dovecot_set_flags INBOX 5,7 '\Flagged'
dovecot_set_flags Sent 1 '\Answered'
dovecot_flags INBOX >"$T/flags.inbox.before"
dovecot_flags Sent >"$T/flags.sent.before"

# --- a full scan, then an incremental one -------------------------------------
k scan1 -v scan test
eq "full scan exits 0" 0 "$rc"
eq "full scan records every message" 45 "$(count 'SELECT count(*) FROM messages')"
eq "Sent folder found by \\Sent and its mail is mine" 5 \
	"$(count "SELECT count(*) FROM messages WHERE message_id LIKE 'sent-%' AND direction = 1")"
eq "received mail is received" 40 \
	"$(count "SELECT count(*) FROM messages WHERE message_id LIKE 'inbox-%' AND direction = 0")"
ok "full scan makes interactions" \
	test "$(count 'SELECT count(*) FROM interactions')" -gt 0
eq "scan state keeps the last UID of INBOX" 40 \
	"$(count "SELECT last_uid FROM scan_state WHERE folder = 'INBOX'")"

k scan2 -v scan test
eq "second scan exits 0" 0 "$rc"
ok "second scan fetches nothing new" grep -q 'scan: 0 seen' "$OUT/scan2"
eq "second scan adds nothing" 45 "$(count 'SELECT count(*) FROM messages')"

printf 'From: Carol <carol@example.org>\nTo: alice@example.com\nSubject: new one\nMessage-ID: <fresh-1@kith.test>\nDate: Tue, 3 Mar 2026 10:00:00 +0000\n\nCan we meet on Thursday?\n' |
	dovecot_deliver alice
k scan3 -v scan test
eq "new mail: scan exits 0" 0 "$rc"
ok "new mail is the only message fetched" grep -q 'scan: 1 seen, 1 new' "$OUT/scan3"
eq "new mail is recorded" 1 \
	"$(count "SELECT count(*) FROM messages WHERE message_id = 'fresh-1@kith.test'")"

# --- read-only: no flag changed -----------------------------------------------
dovecot_flags INBOX >"$T/flags.inbox.after"
dovecot_flags Sent >"$T/flags.sent.after"
# The delivered message is new since the "before" snapshot.
grep -v "^41\( \|$\)" "$T/flags.inbox.after" >"$T/flags.inbox.after.old"
ok "INBOX flags unchanged by scanning" cmp -s "$T/flags.inbox.before" "$T/flags.inbox.after.old"
ok "Sent flags unchanged by scanning" cmp -s "$T/flags.sent.before" "$T/flags.sent.after"
eq "unseen messages stay unseen" 37 "$(grep -cv 'Seen' "$T/flags.inbox.after.old")"

# --- UIDVALIDITY change --------------------------------------------------------
old_uv=$(count "SELECT uidvalidity FROM scan_state WHERE folder = 'INBOX'")
dovecot_stop
inbox_dir=$(dovecot_maildir alice INBOX)
rm -f "$inbox_dir"/dovecot-uidlist "$inbox_dir"/dovecot.index* \
	"$inbox_dir"/dovecot-uidvalidity*
sleep 1   # a new UIDVALIDITY is a timestamp
dovecot_start || fail "dovecot restarts"
write_config
k scan4 -v scan test
eq "scan after UIDVALIDITY change exits 0" 0 "$rc"
new_uv=$(count "SELECT uidvalidity FROM scan_state WHERE folder = 'INBOX'")
ok "UIDVALIDITY changed on the server" test "$old_uv" != "$new_uv"
ok "changed UIDVALIDITY rescans the folder" grep -q 'scan: 41 seen, 0 new' "$OUT/scan4"
eq "changed UIDVALIDITY makes no duplicates" 46 "$(count 'SELECT count(*) FROM messages')"

# --- TLS modes, authentication mechanisms ----------------------------------------
k starttls --db "$T/st.db" scan st
eq "STARTTLS with cafile succeeds" "0 46" "$rc $(count 'SELECT count(*) FROM messages' "$T/st.db")"
k byname --db "$T/byname.db" scan byname
eq "IMAPS to localhost with passcmd succeeds" "0 46" \
	"$rc $(count 'SELECT count(*) FROM messages' "$T/byname.db")"
k plainauth --db "$T/plain.db" scan plainauth
eq "AUTHENTICATE PLAIN succeeds" 0 "$rc"
k oauth --db "$T/oauth.db" scan oauth
eq "XOAUTH2 succeeds" 0 "$rc"
k clear --db "$T/clear.db" scan clear
eq "tls = none on 127.0.0.1 succeeds" 0 "$rc"
k all --db "$T/all.db" scan all
eq "folders = * scans every folder" "0 5" \
	"$rc $(count 'SELECT count(DISTINCT folder) FROM scan_state' "$T/all.db")"
eq "folders = * records all mail" 46 "$(count 'SELECT count(*) FROM messages' "$T/all.db")"

# --- certificates refused before LOGIN -------------------------------------------
before=$(auth_attempts)
k systrust --db "$T/x.db" scan systrust
eq "test CA unknown to the system store: exit 76" 76 "$rc"
ok "system store refusal names the unknown CA" grep -q 'unknown authority' "$OUT/systrust"

dovecot_use_cert otherhost
k otherhost --db "$T/x.db" scan test
eq "certificate for another host: exit 76" 76 "$rc"
ok "wrong host name is explained" \
	grep -q 'certificate is for mail.example.org, not 127.0.0.1' "$OUT/otherhost"
ok "refusal points to cafile, fingerprint and tls_verify" \
	grep -q 'cafile.*fingerprint.*tls_verify = no' "$OUT/otherhost"
k otherhost-st --db "$T/x.db" scan st
eq "certificate for another host over STARTTLS: exit 76" 76 "$rc"

dovecot_use_cert unknownca
k unknownca --db "$T/x.db" scan test
eq "certificate from an unknown CA: exit 76" 76 "$rc"
ok "unknown CA is explained" grep -q 'unknown authority' "$OUT/unknownca"
k unknownca-st --db "$T/x.db" scan st
eq "unknown CA over STARTTLS: exit 76" 76 "$rc"

dovecot_use_cert expired
k expired --db "$T/x.db" scan test
eq "expired certificate: exit 76" 76 "$rc"
ok "expired certificate is explained" grep -q 'expired' "$OUT/expired"

eq "no login attempt reached Dovecot with a bad certificate" "$before" "$(auth_attempts)"
ok "Dovecot saw TLS sessions end without authentication" \
	test "$(dovecot_log_count 'no auth attempts')" -gt 0
eq "refused certificates stored nothing" 0 \
	"$(count 'SELECT count(*) FROM messages' "$T/x.db" 2>/dev/null || echo 0)"

dovecot_use_cert selfsigned
k pinned --db "$T/pinned.db" scan pinned
eq "pinned fingerprint accepts a self-signed certificate" 0 "$rc"
k pinned-wrong --db "$T/x.db" scan test
eq "self-signed certificate without a pin: exit 76" 76 "$rc"
ok "self-signed certificate is explained" grep -q 'self-signed' "$OUT/pinned-wrong"
k noverify --db "$T/noverify.db" scan noverify
eq "tls_verify = no connects" 0 "$rc"
ok "tls_verify = no warns" grep -q 'not verifying' "$OUT/noverify"
dovecot_use_cert good

# --- wrong password --------------------------------------------------------------
k wrongpw --db "$T/x.db" scan wrongpw
eq "wrong password: exit 77" 77 "$rc"
ok "wrong password is explained" \
	grep -q 'authentication failed for alice at 127.0.0.1' "$OUT/wrongpw"

# --- 2,500 messages: batches, and a scan killed mid-way ----------------------------
before=$(logins bob)
k big -vv --db "$T/clean.db" scan big
eq "2,500-message scan exits 0" 0 "$rc"
eq "2,500-message scan records them all" 2500 \
	"$(count 'SELECT count(*) FROM messages' "$T/clean.db")"
eq "2,500 messages are fetched in 25 batches" 25 \
	"$(grep -c 'fetching UIDs .* (100 messages)' "$OUT/big")"
eq "a large folder is fetched over two sessions" 2 "$(($(logins bob) - before))"
sed -i "s/^\(\[account big\]\)$/\1\nconnections = 1/" "$CONF"
before=$(logins bob)
k big1 --db "$T/one.db" scan big
eq "connections = 1: one session" "0 2500 1" \
	"$rc $(count 'SELECT count(*) FROM messages' "$T/one.db") $(($(logins bob) - before))"
sed -i '/^connections = 1$/d' "$CONF"
dump "$T/one.db" >"$T/one.dump"

# Killed in the middle: four batches begun (so the first is in, with two
# sessions each a batch ahead) the server stalls,
# so kith commits what it has recorded (it never holds the store while it
# waits), and it is killed while waiting for the next batch.
"$KITH" --now "$NOW" -vv --db "$T/killed.db" scan big >"$OUT/killed" 2>&1 &
pid=$!
dovecot_stall_after "$OUT/killed" 4
n=0 i=0
while [ "$i" -lt 400 ]; do
	n=$(count 'SELECT count(*) FROM messages' "$T/killed.db" 2>/dev/null || echo 0)
	[ "${n:-0}" -ge 1 ] && break
	i=$((i + 1))
	sleep 0.02
done
kill -9 "$pid" 2>/dev/null
wait "$pid" 2>/dev/null
dovecot_resume
n=$(count 'SELECT count(*) FROM messages' "$T/killed.db")
ok "a stalled server: the scan committed what it had ($n stored)" test "$n" -ge 100
last=$(count "SELECT last_uid FROM scan_state WHERE folder = 'INBOX'" "$T/killed.db")
ok "scan was killed part-way ($n of 2500 stored)" test "$n" -lt 2500
eq "killed scan committed whole batches with their state" "$n" "${last:-0}"
k resumed -v --db "$T/killed.db" scan big
eq "rerun after kill -9 exits 0" 0 "$rc"
ok "rerun fetches only what was not stored" \
	grep -q "scan: $((2500 - n)) seen, $((2500 - n)) new" "$OUT/resumed"
dump "$T/clean.db" >"$T/clean.dump"
dump "$T/killed.db" >"$T/killed.dump"
ok "killed and resumed store equals one clean run" cmp -s "$T/clean.dump" "$T/killed.dump"
ok "one session and two record the same store" cmp -s "$T/clean.dump" "$T/one.dump"
ok "store dump is not empty" test -s "$T/clean.dump"

# SIGINT stops after the batch in hand; the next scan resumes.  Sent
# four batches into the scan, while the server stalls.
"$KITH" --now "$NOW" -vv --db "$T/int.db" scan big >"$OUT/int" 2>&1 &
pid=$!
dovecot_stall_after "$OUT/int" 4
kill -INT "$pid"
dovecot_resume
wait "$pid"
rc=$?
n=$(count 'SELECT count(*) FROM messages' "$T/int.db")
if [ "$n" -lt 2500 ]; then
	eq "SIGINT: exit 130" 130 "$rc"
	ok "SIGINT: the interruption is explained" grep -q 'interrupted' "$OUT/int"
else
	eq "SIGINT after the end: exit 0" 0 "$rc"
fi
eq "SIGINT: state matches what was stored" "$n" \
	"$(count "SELECT last_uid FROM scan_state WHERE folder = 'INBOX'" "$T/int.db")"
k int2 --db "$T/int.db" scan big
eq "SIGINT: the next scan completes" "0 2500" \
	"$rc $(count 'SELECT count(*) FROM messages' "$T/int.db")"

# A connection dropped by the server mid-scan is re-established.
"$KITH" --now "$NOW" -v --db "$T/kicked.db" scan big >"$OUT/kicked" 2>&1 &
pid=$!
i=0
# kicked once the fetching of INBOX has begun
while [ "$i" -lt 400 ]; do
	grep -q 'INBOX: 2500 new' "$OUT/kicked" 2>/dev/null && break
	i=$((i + 1))
	sleep 0.02
done
doveadm -c "$DOVECOT_DIR/dovecot.conf" kick bob >/dev/null 2>&1
wait "$pid"
eq "scan survives the server dropping the connection" "0 2500" \
	"$? $(count 'SELECT count(*) FROM messages' "$T/kicked.db")"
ok "dropped connection is re-established" grep -q 'reconnecting' "$OUT/kicked"

# New mail in two folders is one sequence of batches, INBOX's then Sent's,
# over both sessions: each opens the folder of the batch it fetches (a
# batch fetched from the wrong folder would bring INBOX's messages again).
dovecot_fill bob Sent 450 bulksent
before=$(logins bob)
k both -vv --db "$T/both.db" scan big
eq "two folders over two sessions: exit 0, two logins" "0 2" "$rc $(($(logins bob) - before))"
eq "two folders over two sessions: INBOX's mail received, Sent's sent" "2500 450" \
	"$(count "SELECT count(*) FROM messages WHERE message_id LIKE 'bulk-%' AND direction = 0" \
		"$T/both.db") $(count "SELECT count(*) FROM messages
		WHERE message_id LIKE 'bulksent-%' AND direction = 1" "$T/both.db")"
eq "two folders over two sessions: each folder's state" "INBOX 2500 Sent 450" \
	"$(count "SELECT folder, last_uid FROM scan_state ORDER BY folder" "$T/both.db" |
		tr '|\n' '  ' | sed 's/ $//')"
eq "two folders over two sessions: Sent's batches" 5 "$(grep -c 'Sent: fetching UIDs' "$OUT/both")"

# fake_server NAME BAD_UID [KEY=VALUE...]: starts tests/lib/fake_imap.py (its
# FAKE_IMAP_* settings as assignments before the call, which dash and bash
# export for it) and adds [account NAME] for it,
# with the KEY = VALUE lines given.
fake_server() {
	_n=$1 _bad=$2; shift 2
	python3 "$KITH_TOP/tests/lib/fake_imap.py" "$T/$_n.port" "$_bad" >"$T/$_n.log" 2>&1 &
	on_exit "kill $! 2>/dev/null"
	_i=0
	while [ ! -s "$T/$_n.port" ] && [ "$_i" -lt 100 ]; do sleep 0.1; _i=$((_i + 1)); done
	{
		printf '\n[account %s]\ntype = imap\nhost = 127.0.0.1\nuser = alice\n' "$_n"
		printf 'tls = none\nport = %s\npassword = fake-pass\n' "$(cat "$T/$_n.port")"
		for _kv in "$@"; do
			printf '%s = %s\n' "${_kv%%=*}" "${_kv#*=}"
		done
	} >>"$CONF"
}

# --- a message the server sends broken is skipped, not fatal ---------------------
if command -v python3 >/dev/null 2>&1; then
	fake_server fake 2
	k fake -v --db "$T/fake.db" scan fake
	eq "unparseable message: scan still exits 0" 0 "$rc"
	eq "unparseable message: the others are recorded" "fake-1@kith.test fake-3@kith.test" \
		"$(count 'SELECT message_id FROM messages ORDER BY 1' "$T/fake.db" | tr '\n' ' ' | sed 's/ $//')"
	ok "unparseable message is reported" grep -q 'skipping UID 2 in INBOX' "$OUT/fake"
	eq "scan state moves past the bad message" 3 \
		"$(count "SELECT last_uid FROM scan_state WHERE folder = 'INBOX'" "$T/fake.db")"
	# A server that allows one session per user: the second is refused,
	# and the folder is fetched over the first alone.
	FAKE_IMAP_COUNT=700 FAKE_IMAP_SESSIONS=1 fake_server fake1 0
	k fake1 -v --db "$T/fake1.db" scan fake1
	eq "one session allowed: the scan records every message" "0 700" \
		"$rc $(count 'SELECT count(*) FROM messages' "$T/fake1.db")"
	ok "one session allowed: the refusal is noted, not fatal" \
		grep -q 'fetching over 1 session: .*too many connections' "$OUT/fake1"
	# A server that completes pipelined commands out of order.
	FAKE_IMAP_COUNT=500 FAKE_IMAP_REORDER=1 fake_server fake2 0 connections=1
	k fake2 -vv --db "$T/fake2.db" scan fake2
	eq "replies out of order: every message recorded, each once" "0 500 500" \
		"$rc $(count 'SELECT count(*), count(DISTINCT message_id) FROM messages' "$T/fake2.db" |
			tr '|' ' ')"
	ok "replies out of order: they were" grep -q 'completed before command' "$OUT/fake2"
	eq "replies out of order: the text read is each message's own" "" \
		"$(count "SELECT m.message_id FROM messages m JOIN items i ON i.message = m.id
			WHERE i.sentence NOT LIKE '%item ' || substr(m.message_id, 6,
				instr(m.message_id, '@') - 6) || '?'" "$T/fake2.db")"
	# A server that drops the connection at every step of a scan over
	# two sessions: the folder list, the first session's EXAMINE and its
	# listing of the new UIDs, the second session's EXAMINE, and a fetch.
	# Each is re-established and the command tried again.
	FAKE_IMAP_COUNT=700 FAKE_IMAP_DROP='LIST#1 EXAMINE#1 SIZES#1 EXAMINE#4 BODY#1' \
		fake_server fake7 0
	k fake7 -v --db "$T/fake7.db" scan fake7
	eq "dropped at every step: every message recorded, each once" "0 700 700" \
		"$rc $(count 'SELECT count(*), count(DISTINCT message_id) FROM messages' "$T/fake7.db" |
			tr '|' ' ')"
	# The two sessions run side by side, so the second session's EXAMINE
	# and the first fetch may come in either order: compare the set.
	eq "dropped at every step: it was, five times" \
		"BODY#1 EXAMINE#1 EXAMINE#4 LIST#1 SIZES#1" \
		"$(sed -n 's/^dropped at //p' "$T/fake7.log" | LC_ALL=C sort | tr '\n' ' ' |
			sed 's/ $//')"
	eq "dropped at every step: five reconnections" 5 "$(grep -c 'reconnecting' "$OUT/fake7")"
	# scan_ends NAME WHAT: scans the fake account NAME (output in
	# $OUT/NAME); a scan still running after 30 s fails WHAT.  Its status,
	# or 1 when it had to be killed.
	scan_ends() {
		"$KITH" --now "$NOW" -v --db "$T/$1.db" scan "$1" >"$OUT/$1" 2>&1 &
		_pid=$!
		_i=0
		while kill -0 "$_pid" 2>/dev/null && [ "$_i" -lt 300 ]; do
			sleep 0.1; _i=$((_i + 1))
		done
		if kill -0 "$_pid" 2>/dev/null; then
			kill -9 "$_pid"
			fail "$2: the scan ends (it was still running after 30 s)"
			return 1
		fi
		wait "$_pid"
	}
	# A server that closes the connection in the middle of a message.
	FAKE_IMAP_COUNT=5 FAKE_IMAP_CUT=3 fake_server fake3 0
	scan_ends fake3 "a connection closed inside a message"
	eq "a connection closed inside a message: the scan ends, the others recorded" "0 4" \
		"$? $(count 'SELECT count(*) FROM messages' "$T/fake3.db")"
	ok "a connection closed inside a message: that one is skipped" \
		grep -q 'skipping UID 3 in INBOX' "$OUT/fake3"
	# A server that announces a 4 GB literal: libetpan would ask for the
	# memory before reading a byte; kith drops the line and the session.
	FAKE_IMAP_COUNT=5 FAKE_IMAP_HUGE=3 fake_server fake4 0
	scan_ends fake4 "a 4 GB literal"
	eq "a 4 GB literal: the scan ends, the others recorded" "0 4" \
		"$? $(count 'SELECT count(*) FROM messages' "$T/fake4.db")"
	ok "a 4 GB literal: refused before the parser, and said so" \
		grep -q 'announced a literal of more than 256 MiB' "$OUT/fake4"
	ok "a 4 GB literal: that message is skipped" \
		grep -q 'skipping UID 3 in INBOX' "$OUT/fake4"
	# The greeting is parsed too: a literal in its response code reaches
	# no parser either.
	FAKE_IMAP_GREETING='* OK [X {4000000000}' fake_server fake5 0
	scan_ends fake5 "a literal in the greeting"
	ok "a literal in the greeting: the scan fails" [ "$?" -ne 0 ]
	ok "a literal in the greeting: refused before the parser" \
		grep -q 'announced a literal of more than 256 MiB' "$OUT/fake5"
	# libetpan parses the greeting with no parser context and crashes on
	# the first string it reads there, as in a BADCHARSET list
	FAKE_IMAP_GREETING='* OK [BADCHARSET ("UTF-8")] ready' fake_server fake6 0
	scan_ends fake6 "a BADCHARSET list in the greeting"
	eq "a BADCHARSET list in the greeting: a clean failure (75), no crash" 75 "$?"
	ok "a BADCHARSET list in the greeting: refused before the parser" \
		grep -q 'sent a BADCHARSET list' "$OUT/fake6"
else
	fail "python3 is needed for the scripted IMAP server"
fi

# --- large messages: headers and text only ---------------------------------------------
{
	printf 'From: Dana <dana@example.org>\nTo: alice@example.com\nSubject: the big deck\n'
	printf 'Message-ID: <big-deck@kith.test>\nDate: Wed, 4 Mar 2026 10:00:00 +0000\n'
	printf 'MIME-Version: 1.0\nContent-Type: multipart/mixed; boundary="BB"\n\n'
	printf -- '--BB\nContent-Type: text/plain; charset=utf-8\n\n'
	printf 'Could you review the attached deck by Friday?\n\n--BB\n'
	printf 'Content-Type: application/pdf\nContent-Disposition: attachment; filename="deck.pdf"\n'
	printf 'Content-Transfer-Encoding: base64\n\n'
	head -c 200000 /dev/zero | base64
	printf -- '--BB--\n'
} >"$T/big.eml"
dovecot_deliver alice <"$T/big.eml"
# a bounce of a large message: a report, whatever its size
{
	printf 'From: Mail System <mx@example.net>\nTo: alice@example.com\n'
	printf 'Subject: about your message\nMessage-ID: <big-bounce@kith.test>\n'
	printf 'Date: Wed, 4 Mar 2026 11:00:00 +0000\nMIME-Version: 1.0\n'
	printf 'Content-Type: multipart/report; report-type=delivery-status; boundary="RR"\n\n'
	printf -- '--RR\nContent-Type: text/plain\n\nYour message could not be delivered.\n\n'
	printf -- '--RR\nContent-Type: message/delivery-status\n\nFinal-Recipient: rfc822; x@example.net\n\n'
	printf -- '--RR\nContent-Type: message/rfc822\n\n'
	cat "$T/big.eml"
	printf -- '\n--RR--\n'
} >"$T/bounce.eml"
dovecot_deliver alice <"$T/bounce.eml"
# a large forward: the attached message is listed, not fetched
{
	printf 'From: Dana <dana@example.org>\nTo: alice@example.com\nSubject: fwd deck\n'
	printf 'Message-ID: <big-forward@kith.test>\nDate: Wed, 4 Mar 2026 12:00:00 +0000\n'
	printf 'MIME-Version: 1.0\nContent-Type: multipart/mixed; boundary="FF"\n\n'
	printf -- '--FF\nContent-Type: text/plain\n\nSee below.\n\n--FF\n'
	printf 'Content-Type: message/rfc822; name="deck mail.eml"\n\n'
	cat "$T/big.eml"
	printf -- '\n--FF--\n'
} >"$T/forward.eml"
dovecot_deliver alice <"$T/forward.eml"
# text in a multipart/alternative beside the attachment
{
	printf 'From: Dana <dana@example.org>\nTo: alice@example.com\nSubject: the big sheet\n'
	printf 'Message-ID: <big-alt@kith.test>\nDate: Wed, 4 Mar 2026 12:30:00 +0000\n'
	printf 'MIME-Version: 1.0\nContent-Type: multipart/mixed; boundary="MM"\n\n'
	printf -- '--MM\nContent-Type: multipart/alternative; boundary="AA"\n\n'
	printf -- '--AA\nContent-Type: text/plain\n\nCould you fill in the attached sheet?\n'
	printf -- '--AA\nContent-Type: text/html\n\n<p>Could you fill in the attached sheet?</p>\n'
	printf -- '--AA--\n\n--MM\nContent-Type: application/vnd.ms-excel; name="sheet.xls"\n'
	printf 'Content-Transfer-Encoding: base64\n\n'
	head -c 100000 /dev/zero | base64
	printf -- '--MM--\n'
} >"$T/alt.eml"
dovecot_deliver alice <"$T/alt.eml"
# one long text part, read whole whatever its size
{
	printf 'From: Dana <dana@example.org>\nTo: alice@example.com\nSubject: the long notes\n'
	printf 'Message-ID: <big-text@kith.test>\nDate: Wed, 4 Mar 2026 12:40:00 +0000\n\n'
	printf 'Could you send me your notes from the offsite?\n\n'
	i=0
	while [ "$i" -lt 1500 ]; do
		printf 'Line %d of the minutes, as they were taken on the day.\n' "$i"
		i=$((i + 1))
	done
	printf '\nThe last line.\n'
} >"$T/longtext.eml"
dovecot_deliver alice <"$T/longtext.eml"
# no Message-ID: the one kith makes up must not depend on how it was fetched
sed -e '/^Message-ID:/d' -e 's/^Subject: the big deck/Subject: no id deck/' \
	"$T/big.eml" | dovecot_deliver alice
k maxsize -vv scan test
eq "large message: scan exits 0" 0 "$rc"
ok "large messages: six fetched in four commands (structures, then per shape)" \
	grep -q '6 large messages in 4 commands' "$OUT/maxsize"
eq "large messages: each recorded once" "1|1|1|1|1|1" "$(count "SELECT
	(SELECT count(*) FROM messages WHERE message_id = 'big-deck@kith.test') || '|' ||
	(SELECT count(*) FROM messages WHERE message_id = 'big-bounce@kith.test') || '|' ||
	(SELECT count(*) FROM messages WHERE message_id = 'big-forward@kith.test') || '|' ||
	(SELECT count(*) FROM messages WHERE message_id = 'big-alt@kith.test') || '|' ||
	(SELECT count(*) FROM messages WHERE message_id = 'big-text@kith.test') || '|' ||
	(SELECT count(*) FROM messages WHERE subject = 'no id deck')")"
eq "large message is recorded from its header and text" "the big deck|1" \
	"$(count "SELECT subject, attachments FROM messages WHERE message_id = 'big-deck@kith.test'")"
ok "large message is not downloaded whole" \
	test "$(count "SELECT size FROM messages WHERE message_id = 'big-deck@kith.test'")" -lt 51200
eq "large message: its attachment is listed by name and type" "deck.pdf|application/pdf" \
	"$(count "SELECT a.filename, a.mime_type FROM attachments a JOIN messages m ON m.id = a.message
		WHERE m.message_id = 'big-deck@kith.test'")"
big_size=$(count "SELECT a.size FROM attachments a JOIN messages m ON m.id = a.message
	WHERE m.message_id = 'big-deck@kith.test'")
ok "large message: its attachment's size is the server's (${big_size:-none} of 200000)" \
	test "${big_size:-0}" -gt 190000 -a "${big_size:-0}" -lt 210000
ok "large bounce is still a report" \
	test -n "$(count "SELECT automated FROM messages WHERE message_id = 'big-bounce@kith.test'")"
eq "large forward: the attached message is listed" "deck mail.eml|message/rfc822" \
	"$(count "SELECT a.filename, a.mime_type FROM attachments a JOIN messages m ON m.id = a.message
		WHERE m.message_id = 'big-forward@kith.test'")"
eq "large alternative: its text is read and its attachment listed" "sheet.xls|application/vnd.ms-excel" \
	"$(count "SELECT a.filename, a.mime_type FROM attachments a JOIN messages m ON m.id = a.message
		WHERE m.message_id = 'big-alt@kith.test'")"
ok "large message of one text part: read to its end" \
	test "$(count "SELECT size FROM messages WHERE message_id = 'big-text@kith.test'")" -gt 65536

# The same mail fetched whole (max_size over its size) reads the same.
large_reading() {
	count "SELECT m.message_id, m.synthesized, m.subject, m.automated IS NOT NULL,
			m.attachments, i.kind, i.sentence
		FROM messages m LEFT JOIN items i ON i.message = m.id
		WHERE m.subject IN ('the big deck', 'about your message', 'fwd deck',
			'the big sheet', 'the long notes', 'no id deck')
		ORDER BY 1, 6, 7;
		SELECT m.message_id, a.filename, a.mime_type FROM attachments a
		JOIN messages m ON m.id = a.message ORDER BY 1, 2;" "$1"
}
sed -i "s/^\(\[account test\]\)$/\1\nmax_size = 1M/" "$CONF"
k wholesize --db "$T/whole.db" scan test
eq "max_size = 1M: scan exits 0" 0 "$rc"
ok "max_size = 1M: the large message is fetched whole" \
	test "$(count "SELECT size FROM messages WHERE message_id = 'big-deck@kith.test'" "$T/whole.db")" -gt 200000
large_reading "$DB" >"$T/large.partial"
large_reading "$T/whole.db" >"$T/large.whole"
ok "large messages read alike fetched whole and as text and stubs" \
	cmp -s "$T/large.partial" "$T/large.whole"
ok "large messages: the readings compared hold requests and a made-up Message-ID" \
	sh -c "grep -q 'Could you fill in the attached sheet' '$T/large.whole' &&
		grep -q '^kith-.*@synth|1|no id deck' '$T/large.whole'"

# --- a password command that fails ------------------------------------------------------
sed -i 's/^passcmd = printf bob-secret$/passcmd = false/' "$CONF"
k badcmd --db "$T/x.db" scan big
eq "failing passcmd: exit 78" 78 "$rc"
ok "failing passcmd is explained" grep -q 'passcmd false failed' "$OUT/badcmd"

# --- the password is nowhere ---------------------------------------------------------
leak=""
for f in "$OUT"/* "$XDG_DATA_HOME"/kith/* "$T"/*.db*; do
	[ -f "$f" ] || continue
	if grep -a -q -F "$DOVECOT_PASS" "$f" || grep -a -q -F bob-secret "$f"; then
		leak="$leak $(basename "$f")"
	fi
done
eq "no password in any output or store ($run runs)" "" "$leak"
