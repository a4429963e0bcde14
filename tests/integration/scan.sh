#!/bin/sh
# scan.sh - `kith scan` of maildirs and mbox files: everything recorded
# once, rescans that read nothing, the mailbox never touched.
. "$(dirname "$0")/../lib/testlib.sh"

DB="$T/kith.db"
K() { "$KITH" --db "$DB" --me robin@vale.example --now 2026-11-20 "$@"; }
cp -r "$KITH_TOP/contrib/sample/Maildir" "$T/Maildir"
listing() { (cd "$T/Maildir" && find . -type f | sort | xargs sha256sum); }
before=$(listing)

out=$(K -v scan --maildir "$T/Maildir" 2>"$T/err")
eq "scan exits 0" 0 $?
eq "a full scan sees every message" \
	"scan: 36 seen, 36 new, 5 automated skipped, 14 contacts" \
	"$(printf '%s\n' "$out" | sed 's/, [0-9]* items opened.*//')"
eq "every message is recorded" 36 "$(sql 'SELECT count(*) FROM messages')"
eq "automated mail is marked, with the reason" 5 \
	"$(sql 'SELECT count(*) FROM messages WHERE automated IS NOT NULL')"
eq "automated mail makes no contacts" 0 \
	"$(sql "SELECT count(*) FROM addresses WHERE addr LIKE '%noreply%' OR addr LIKE '%news%'")"
eq "Maildir++ .Sent messages are sent" 15 \
	"$(sql 'SELECT count(*) FROM messages WHERE direction = 1')"
eq "the maildir is unchanged (no renames, no flags)" "$before" "$(listing)"
ok "no progress line when stderr is not a terminal" test ! -s "$T/err" -o -z "$(grep -v 'scanning' "$T/err")"

out=$(K -v scan --maildir "$T/Maildir")
eq "a rescan of an unchanged maildir reads no message" \
	"scan: 0 seen, 0 new, 0 automated skipped, 0 contacts, 0 items opened, 0 closed" "$out"

# a client reads a message: new/ -> cur/ with a flag; then new mail arrives
f=$(ls "$T/Maildir/new" | head -n 1)
mv "$T/Maildir/new/$f" "$T/Maildir/cur/${f%%:*}:2,S"
sed 's/^Message-ID: .*/Message-ID: <fresh@example.org>/' "$KITH_TOP/tests/data/threads/cv-attachment/01.eml" \
	>"$T/Maildir/new/1799999999.M1P1.test"
out=$(K -v scan --maildir "$T/Maildir")
eq "a moved file is not read again; new mail is" \
	"scan: 1 seen, 1 new, 0 automated skipped, 2 contacts" "$(printf '%s\n' "$out" | sed 's/, [0-9]* items opened.*//')"
eq "no duplicates" 37 "$(sql 'SELECT count(*) FROM messages')"

# the store after a scan equals the store after filtering every message
DB="$T/filter.db"
for f in "$T"/Maildir/cur/* "$T"/Maildir/new/*; do K filter <"$f"; done
for f in "$T"/Maildir/.Sent/cur/*; do K filter --sent <"$f"; done
K spool drain
dump() { sqlite3 -cmd ".timeout 5000" "$1" "SELECT m.message_id, m.direction, a.addr, i.direction FROM messages m
	LEFT JOIN interactions i ON i.message = m.id LEFT JOIN addresses a ON a.contact_id = i.contact_id
	ORDER BY 1, 3"; }
ok "filter and scan give the same messages and interactions" \
	test "$(dump "$T/kith.db")" = "$(dump "$T/filter.db")"

# --- mbox ------------------------------------------------------------
DB="$T/mbox.db"
mbox="$T/archive.mbox"
for f in "$T"/Maildir/cur/*; do
	echo "From robin@vale.example Mon Nov 16 10:00:00 2026"
	sed 's/^From />From /' "$f"
	echo
done >"$mbox"
n=$(ls "$T"/Maildir/cur | wc -l)
out=$(K -v scan --mbox "$mbox")
eq "mbox import sees every message" "scan: $n seen, $n new" "$(printf '%s\n' "$out" | sed 's/, [0-9]* automated.*//')"
{ echo "From someone Mon Nov 16 10:00:00 2026"; cat "$KITH_TOP/tests/data/threads/cv-attachment/01.eml"; } >>"$mbox"
out=$(K -v scan --mbox "$mbox")
eq "an appended mbox is read from where it stopped" "scan: 1 seen, 1 new" \
	"$(printf '%s\n' "$out" | sed 's/, [0-9]* automated.*//')"
out=$(K -v scan --mbox "$mbox")
eq "an unchanged mbox reads nothing" "scan: 0 seen, 0 new" "$(printf '%s\n' "$out" | sed 's/, [0-9]* automated.*//')"
# An unquoted "From " line inside a body must not split the message.
cat >"$T/unquoted.mbox" <<'MBOX'
From - Mon Nov 16 10:00:00 2026
From: Ann Lee <ann@example.org>
To: robin@vale.example
Subject: films
Message-ID: <films@example.org>

My favourite:

From Russia with love

Could you send me yours?

From - Mon Nov 16 11:00:00 2026
From: Ann Lee <ann@example.org>
To: robin@vale.example
Subject: films again
Message-ID: <films2@example.org>

Another one.
MBOX
out=$(K -v scan --mbox "$T/unquoted.mbox")
eq "a 'From ' line in a body does not split a message" "scan: 2 seen, 2 new" \
	"$(printf '%s\n' "$out" | sed 's/, [0-9]* automated.*//')"
eq "... and the text after it stays in the message" 1 \
	"$(sql "SELECT count(*) FROM items WHERE sentence LIKE 'Could you send me yours%'")"
if have_shared; then
	for f in "$SHARED"/mail-corpus/mbox/*; do
		K scan --mbox "$f" 2>"$T/err"
		eq "shared mbox $(basename "$f") imports" 0 $?
	done
	eq "shared mboxes: every message, none split" 5 \
		"$(sql "SELECT count(*) FROM messages WHERE synthesized = 1")"
fi

# --- errors ------------------------------------------------------------
K scan --maildir "$T/nope" 2>"$T/err"
eq "a missing maildir exits 66 (EX_NOINPUT)" 66 $?
ok "... and says so" grep -q "nope: not a maildir" "$T/err"
K scan 2>"$T/err"
eq "nothing to scan is a usage error (64)" 64 $?
# configured accounts: each failure is said once, and one failing does
# not stop the others
printf '[account gone]\ntype = maildir\npath = %s\n' "$T/nope" >"$T/two.conf"
"$KITH" --config "$T/two.conf" --db "$T/acct.db" scan 2>"$T/err"
eq "one failing account: exit 66" 66 $?
eq "one failing account: said in one line" 1 "$(grep -c 'not a maildir' "$T/err")"
printf '[account fine]\ntype = maildir\npath = %s\n' "$T/Maildir" >>"$T/two.conf"
"$KITH" --config "$T/two.conf" --db "$T/acct.db" scan 2>"$T/err" >/dev/null
eq "one of two accounts failing: the first failure's exit code" 66 $?
eq "one of two accounts failing: the other is scanned" 37 \
	"$(sqlite3 "$T/acct.db" 'SELECT count(*) FROM messages')"
ok "one of two accounts failing: its line, then how many failed" \
	test "$(grep -c 'gone: .*not a maildir' "$T/err") $(tail -n 1 "$T/err")" = \
	"1 kith: 1 of 2 accounts failed"

# --- parser warnings: shown with -vv only ---------------------------------
mkdir -p "$T/warn/cur" "$T/warn/new" "$T/warn/tmp"
cp "$DATA/msg-malformed-from.eml" "$T/warn/cur/1700000000.M1P1.test:2,"
"$KITH" --db "$T/warn.db" scan --maildir "$T/warn" 2>"$T/err" >/dev/null
ok "a malformed address is no warning at the normal level" test ! -s "$T/err"
"$KITH" --db "$T/warn2.db" -v -v scan --maildir "$T/warn" 2>"$T/err" >/dev/null
ok "with -vv GMime's parser warning is shown, with the message" \
	grep -q "debug: malformed-from-1@example.com: invalid address list" "$T/err"

# --- a rules file that does not load ----------------------------------------
# The rules load while the maildirs are listed; a bad one still fails the
# whole scan, once, before anything is recorded (not each account).
mkdir -p "$XDG_CONFIG_HOME/kith/rules.d"
printf 'x.bad   request 20 (unclosed\n' >"$XDG_CONFIG_HOME/kith/rules.d/50-bad.rules"
"$KITH" --db "$T/badrules.db" scan --maildir "$T/Maildir" --maildir "$T/warn" \
	2>"$T/err" >/dev/null
eq "a bad rules file: exit 65 (EX_DATAERR)" 65 $?
eq "a bad rules file: one line, its file:line and PCRE2's message" \
	"kith: $XDG_CONFIG_HOME/kith/rules.d/50-bad.rules:1:29: missing closing parenthesis" \
	"$(cat "$T/err")"
eq "a bad rules file: nothing recorded" 0 \
	"$(sqlite3 "$T/badrules.db" 'SELECT count(*) FROM messages')"
"$KITH" --config "$T/two.conf" --db "$T/badrules.db" scan 2>"$T/err" >/dev/null
eq "a bad rules file with two accounts: exit 65, not an account's" 65 $?
eq "a bad rules file with two accounts: said once, no account line" 1 \
	"$(grep -c . "$T/err")"
rm -r "$XDG_CONFIG_HOME/kith/rules.d"
