#!/bin/sh
# digest.sh - the ledger and the relationship commands end to end on the
# sample Maildir at --now 2026-11-20: kith todo (list, done, snooze,
# dismiss), kith contact (set, merge, forget), kith remind, kith digest
# (--text, --print, --send through a sendmail shim into a private Dovecot,
# read back over IMAP), a failing sendmail, an empty digest, a reply to the
# digest that closes an item, and forget leaving nothing in the file.
. "$(dirname "$0")/../lib/testlib.sh"
. "$KITH_TOP/tests/lib/dovecot.sh"

DB="$T/kith.db"
NOW=2026-11-20
SAMPLE="$KITH_TOP/contrib/sample/Maildir"
ME=robin@vale.example
k() { "$KITH" --db "$DB" --me "$ME" --now "$NOW" "$@"; }
# col TSV-FILE FIELD VALUE FIELD2: FIELD2 of the rows whose FIELD is VALUE
col() { awk -F'\t' -v f="$2" -v v="$3" -v g="$4" '$f == v { print $g }' "$1"; }
# header FILE NAME: a header of a message file, unfolded and decoded
header() {
	python3 -c 'import sys, email, email.policy
m = email.message_from_binary_file(open(sys.argv[1], "rb"), policy=email.policy.default)
print(m.get(sys.argv[2], ""))' "$1" "$2"
}
# imap_get UID FILE: a message of the INBOX over IMAP (UID FETCH BODY[])
imap_get() {
	curl -sS --max-time 30 -u "$DOVECOT_USER:$DOVECOT_PASS" \
		"imap://$DOVECOT_HOST:$DOVECOT_IMAP_PORT/INBOX;UID=$1" | tr -d '\r' >"$2"
}

k scan --maildir "$SAMPLE" >"$T/scan.out" 2>&1 || fail "scan the sample ($(cat "$T/scan.out"))"

# --- kith todo -----------------------------------------------------------------
k todo --format tsv >"$T/todo.tsv"
eq "todo: TSV header" "$(printf 'id\tkind\towner\tcontact\tdue\tstatus\ttext')" \
	"$(head -n 1 "$T/todo.tsv")"
tail -n +2 "$T/todo.tsv" >"$T/todo.rows"
dana=$(awk -F'\t' '$4 == "dana.okafor@brightwave.example" && $2 == "promise" { print $1 }' "$T/todo.rows")
marcus=$(awk -F'\t' '$4 == "marcus.hale@quarry.example" && $2 == "promise" { print $1 }' "$T/todo.rows")
leah=$(awk -F'\t' '$4 == "leah@tidepool.example" && $2 == "request" { print $1 }' "$T/todo.rows")
greg=$(awk -F'\t' '$4 == "greg.mills@harbor.example" && $2 == "request" { print $1 }' "$T/todo.rows")
ok "todo: Dana's promise, Marcus's promise, Leah's and Greg's requests are open" \
	test -n "$dana" -a -n "$marcus" -a -n "$leah" -a -n "$greg"
eq "todo: Dana's promise is mine, due 2026-11-09" "me 2026-11-09 open" \
	"$(col "$T/todo.rows" 1 "$dana" 3) $(col "$T/todo.rows" 1 "$dana" 5) $(col "$T/todo.rows" 1 "$dana" 6)"
eq "todo: Marcus owes the job description, due 2026-11-11" "them 2026-11-11" \
	"$(col "$T/todo.rows" 1 "$marcus" 3) $(col "$T/todo.rows" 1 "$marcus" 5)"
eq "todo: only open items" "" "$(cut -f6 "$T/todo.rows" | grep -v '^open$')"
# contrib/sample/README: "Open at 2026-11-20", and nothing else (an RSVP,
# "count me in", owes nobody anything)
eq "todo: exactly the open items the sample's README lists" \
	"$(printf '%s\n' "promise me dana.okafor@brightwave.example" \
		"promise them marcus.hale@quarry.example" \
		"request me leah@tidepool.example" \
		"request them greg.mills@harbor.example")" \
	"$(awk -F'\t' '{ print $2, $3, $4 }' "$T/todo.rows" | sort)"
cut -f5 "$T/todo.rows" >"$T/dues"
eq "todo: dated items first, by date; undated last" \
	"$(grep -v '^-$' "$T/dues" | sort; grep '^-$' "$T/dues")" "$(cat "$T/dues")"
eq "todo: JSON ids are numbers" "int" "$(k todo --format json |
	python3 -c 'import json,sys; print(type(json.load(sys.stdin)[0]["id"]).__name__)')"
k todo >"$T/todo.txt"
ok "todo: text lists Dana's item" grep -q "^$dana  *promise  *me  *dana.okafor" "$T/todo.txt"

# --- kith remind ---------------------------------------------------------------
k remind --format tsv >"$T/remind.tsv"
eq "remind: TSV header" "$(printf 'kind\tid\tcontact\tname\tdate\tdays\twhat\ttext')" \
	"$(head -n 1 "$T/remind.tsv")"
eq "remind: I owe Dana, 11 days overdue" "owe 2026-11-09 11" \
	"$(awk -F'\t' -v i="$dana" '$2 == i { print $1, $5, $6 }' "$T/remind.tsv")"
eq "remind: Marcus is past due, follow up" "waiting 2026-11-11 9" \
	"$(awk -F'\t' -v i="$marcus" '$2 == i { print $1, $5, $6 }' "$T/remind.tsv")"
eq "remind: Greg never answered (the auto-reply does not count): 6 business days" \
	"unanswered 2026-11-12 6" \
	"$(awk -F'\t' -v i="$greg" '$2 == i { print $1, $5, $6 }' "$T/remind.tsv")"
eq "remind: Leah's need" "need leah@tidepool.example" \
	"$(awk -F'\t' '$1 == "need" { print $1, $3 }' "$T/remind.tsv")"
eq "remind: nobody to reconnect with at the default cadences" "" \
	"$(awk -F'\t' '$1 == "reconnect"' "$T/remind.tsv")"
eq "remind: no newsletter or notification sender anywhere" "" \
	"$(grep -i 'staffweekly\|linkwise' "$T/remind.tsv")"

# --- kith contact ----------------------------------------------------------------
k contact ben@carterworks.example --role mentor --cadence 60 --tag friend \
	--tag harbor --note "met at Harbor" >"$T/ben.out" 2>&1
ok "contact: role, cadence, tags and note are set" \
	grep -q "^role  *mentor" "$T/ben.out"
eq "contact: stored" "mentor|60|met at Harbor|friend,harbor" "$(sqlite3 "$DB" \
	"SELECT role, cadence, note, (SELECT group_concat(tag) FROM (SELECT tag FROM tags t
	 WHERE t.contact_id = c.id ORDER BY tag)) FROM contacts c JOIN addresses a ON
	 a.contact_id = c.id WHERE a.addr = 'ben@carterworks.example'")"
eq "remind: Ben is due a reconnect at 60 days (79 days quiet)" "reconnect 2026-09-02 79" \
	"$(k remind --format tsv | awk -F'\t' '$3 == "ben@carterworks.example" { print $1, $5, $6 }')"
k contact ben@carterworks.example --role boss >/dev/null 2>"$T/err"
eq "contact: an unknown role is a usage error" 64 "$?"
ok "contact: ... that names the roles" grep -q "role-model" "$T/err"
k contact leah.brooks@home.example --name "Leah B." >/dev/null
k contact merge leah@tidepool.example leah.brooks@home.example >"$T/merge.out"
eq "contact merge: one contact with both addresses" "2" "$(sqlite3 "$DB" \
	"SELECT count(*) FROM addresses WHERE contact_id = (SELECT contact_id FROM addresses
	 WHERE addr = 'leah@tidepool.example')")"
eq "contact merge: the name set by hand wins" "Leah B." "$(sqlite3 "$DB" \
	"SELECT name FROM contacts c JOIN addresses a ON a.contact_id = c.id
	 WHERE a.addr = 'leah.brooks@home.example'")"
eq "contact merge: Leah's item stays hers (listed under her first address)" \
	"leah.brooks@home.example" \
	"$(k todo --format tsv | col /dev/stdin 1 "$leah" 4)"
k show leah@tidepool.example >"$T/show.out"
ok "show: a Needs section with her need" grep -q "staff engineer" "$T/show.out"
ok "show: a give-and-take line" grep -q "^give/take  gave [0-9]*, took [0-9]*" "$T/show.out"

# --- todo done, snooze, dismiss ------------------------------------------------------
eq "todo done: says so" "#$dana done" "$(k todo done "$dana")"
ok "todo done: no longer listed" test -z "$(k todo --format tsv | col /dev/stdin 1 "$dana" 1)"
eq "todo --all: listed as done" "done" "$(k todo --all --format tsv | col /dev/stdin 1 "$dana" 6)"
eq "todo snooze: until today + 3" "#$leah snoozed until 2026-11-23" "$(k todo snooze "#$leah" 3)"
ok "todo snooze: hidden until then" test -z "$(k todo --format tsv | col /dev/stdin 1 "$leah" 1)"
eq "todo snooze: back on the day" "snoozed" \
	"$("$KITH" --db "$DB" --me "$ME" --now 2026-11-23 todo --format tsv | col /dev/stdin 1 "$leah" 6)"
k todo dismiss "$marcus" >/dev/null
items=$(sqlite3 "$DB" "SELECT count(*) FROM items")
k filter --strict <"$SAMPLE/cur/1794322020.M31P1.sample:2,S"
k scan --maildir "$SAMPLE" >/dev/null 2>&1
eq "todo dismiss: the message again does not bring it back" "dismissed $items" \
	"$(k todo --all --format tsv | col /dev/stdin 1 "$marcus" 6) $(sqlite3 "$DB" "SELECT count(*) FROM items")"
k todo done 99999 2>"$T/err"
eq "todo done: an unknown id is exit 64" 64 "$?"
ok "todo done: ... saying so" grep -q "no item #99999" "$T/err"
k todo snooze "$greg" soon 2>/dev/null
eq "todo snooze: DAYS must be a number" 64 "$?"

# --- kith digest --text / --print ------------------------------------------------------
k digest --text >"$T/digest.txt"
ok "digest --text: a title" grep -q "^kith digest for 2026-11-20$" "$T/digest.txt"
# Dana's item is done, Leah's snoozed, Marcus's dismissed: nothing owed
ok "digest --text: nothing owed, no You owe section" sh -c "! grep -q '^You owe' '$T/digest.txt'"
"$KITH" --db "$DB" --me "$ME" --now 2026-11-23 digest --text >"$T/digest-23.txt"
ok "digest --text: You owe, Leah's item back from its snooze" \
	grep -q "^You owe (1)" "$T/digest-23.txt"
ok "digest --text: ... under her item id" grep -q "^  #$leah  *Leah B\. " "$T/digest-23.txt"
ok "digest --text: Unanswered, with Greg's item id" grep -q "^  #$greg  *Greg Mills" "$T/digest.txt"
ok "digest --text: Reconnect with Ben" grep -q "^Reconnect with (1)" "$T/digest.txt"
ok "digest --text: their needs" grep -q "^Their needs you could help with (1)" "$T/digest.txt"
ok "digest --text: the why, quoted" \
	grep -q 'why: "Would you be willing to act as a reference for me?"' "$T/digest.txt"
ok "digest --text: totals" grep -q "^Totals: " "$T/digest.txt"
k digest --print >"$T/digest.eml"
ok "digest --print: marked" grep -q "^X-Kith-Digest: 1$" "$T/digest.eml"
ok "digest --print: multipart/alternative" grep -q "^Content-Type: multipart/alternative" "$T/digest.eml"
header "$T/digest.eml" Subject >"$T/subject"
ok "digest --print: a subject saying what is inside" \
	grep -q "^kith: 1 unanswered, 1 to reconnect, 1 need$" "$T/subject"
ok "digest --print: dated by --now" grep -q "^Date: Fri, 20 Nov 2026" "$T/digest.eml"
k digest --send --print >/dev/null 2>&1
eq "digest: --send with --print is a usage error" 64 "$?"

# --- delivery through sendmail into Dovecot, read back over IMAP -----------------------
if dovecot_start; then
	cat >"$T/sendmail" <<EOF
#!/bin/sh
# A sendmail for the test: drops sendmail's flags, hands the message to LDA.
echo "\$*" >>"$T/sendmail.args"
exec /usr/lib/dovecot/dovecot-lda -c "$DOVECOT_DIR/dovecot.conf" -d $DOVECOT_USER -f kith@vale.example
EOF
	chmod 755 "$T/sendmail"
	cat >"$T/kith.conf" <<EOF
[identity]
addresses = $ME

[digest]
to = $DOVECOT_USER@localhost
sendmail = "$T/sendmail" -t -i
EOF
	kc() { "$KITH" --config "$T/kith.conf" --db "$DB" --now "$NOW" "$@"; }
	kc digest --send >"$T/send.out" 2>&1
	eq "digest --send: exit 0, quiet" "0 " "$? $(cat "$T/send.out")"
	eq "digest --send: sendmail run with -t -i, without a shell" "-t -i" "$(cat "$T/sendmail.args")"
	eq "digest --send: one message in the INBOX" 1 "$(dovecot_count INBOX)"
	imap_get 1 "$T/fetched"
	ok "IMAP: the digest arrived, marked" grep -q "^X-Kith-Digest: 1" "$T/fetched"
	ok "IMAP: To as configured" grep -q "^To: $DOVECOT_USER@localhost" "$T/fetched"
	ok "IMAP: the plain part lists Greg's item" grep -q "#$greg" "$T/fetched"
	ok "IMAP: the HTML part is there" grep -q "<h2>Unanswered (1)</h2>" "$T/fetched"
	mid=$(sed -n 's/^Message-I[dD]: <\(.*\)>$/\1/p' "$T/fetched" | head -n 1)
	eq "IMAP: the Message-ID is recorded" 1 \
		"$(sqlite3 "$DB" "SELECT count(*) FROM digests WHERE message_id = '$mid'")"

	# A reply to it closes Greg's item; it is no interaction.
	cat >"$T/reply.eml" <<EOF
From: Robin Vale <$ME>
To: $ME
Subject: Re: kith: digest
Date: Fri, 20 Nov 2026 09:15:00 +0100
Message-ID: <reply-1@vale.example>
In-Reply-To: <$mid>
References: <$mid>
Content-Type: text/plain; charset=utf-8

done $greg

On Fri, 20 Nov 2026, kith wrote:
> dismiss $leah
EOF
	before=$(sqlite3 "$DB" "SELECT count(*) FROM interactions")
	"$KITH" --config "$T/kith.conf" --db "$DB" --now "$NOW" filter <"$T/reply.eml"
	eq "reply: 'done ID' closes the item" "done" \
		"$(k todo --all --format tsv | col /dev/stdin 1 "$greg" 6)"
	eq "reply: the quoted command is not applied" "snoozed" \
		"$(k todo --all --format tsv | col /dev/stdin 1 "$leah" 6)"
	eq "reply: recorded as a kith control message, no interaction" "kith control $before" \
		"$(sqlite3 "$DB" "SELECT automated FROM messages WHERE message_id = 'reply-1@vale.example'") $(sqlite3 "$DB" "SELECT count(*) FROM interactions")"

	# An empty digest is not sent, unless --always.
	rm -f "$T/sendmail.args"
	"$KITH" --config "$T/kith.conf" --db "$T/empty.db" --now "$NOW" digest --send
	eq "empty digest: exit 0, nothing sent" "0 no" "$? $(test -f "$T/sendmail.args" && echo yes || echo no)"
	"$KITH" --config "$T/kith.conf" --db "$T/empty.db" --now "$NOW" digest --send --always
	eq "empty digest --always: sent" "2" "$(dovecot_count INBOX)"
	imap_get 2 "$T/fetched2"
	eq "empty digest --always: subject 'kith: nothing due'" "kith: nothing due" \
		"$(header "$T/fetched2" Subject)"
else
	fail "dovecot did not start"
fi

# A failing sendmail: non-zero exit with its message.
cat >"$T/badmail" <<'EOF'
#!/bin/sh
cat >/dev/null
echo "badmail: relay refused" >&2
exit 75
EOF
chmod 755 "$T/badmail"
printf '[identity]\naddresses = %s\n[digest]\nsendmail = %s -t\n' "$ME" "$T/badmail" >"$T/bad.conf"
"$KITH" --config "$T/bad.conf" --db "$DB" --now "$NOW" digest --send 2>"$T/err"
eq "failing sendmail: exit 69 (unavailable)" 69 "$?"
ok "failing sendmail: its message" grep -q "exited 75: badmail: relay refused" "$T/err"
printf '[identity]\naddresses = %s\n[digest]\nsendmail = /nonexistent/sendmail -t\n' "$ME" >"$T/none.conf"
"$KITH" --config "$T/none.conf" --db "$DB" --now "$NOW" digest --send 2>"$T/err"
eq "missing sendmail: exit 69" 69 "$?"
ok "missing sendmail: says which" grep -q "/nonexistent/sendmail" "$T/err"

# --- forget -------------------------------------------------------------------------
grep_db() { cat "$DB" "$DB-wal" 2>/dev/null | grep -a -c -i "$1"; }
ok "forget: Greg is in the store before" test "$(grep_db greg.mills@harbor.example)" -gt 0
k contact forget greg.mills@harbor.example >"$T/forget.out" 2>&1
eq "forget: says so" "forgot greg.mills@harbor.example (1 address)" "$(cat "$T/forget.out")"
eq "forget: his address is nowhere in the file or the log" 0 "$(grep_db greg.mills@harbor.example)"
eq "forget: nor his name" 0 "$(grep_db 'Greg Mills')"
eq "forget: a tombstone, hashed" "1 0" "$(sqlite3 "$DB" "SELECT count(*) FROM tombstones") \
$(sqlite3 "$DB" "SELECT count(*) FROM tombstones WHERE hash LIKE '%greg%'")"
for f in "$SAMPLE/cur/1794474360.M33P1.sample:2,S" "$SAMPLE/.Sent/cur/1794474300.M32P1.sample:2,S"; do
	k filter --strict <"$f"
done
k filter --sent <"$SAMPLE/.Sent/cur/1794474300.M32P1.sample:2,S"
k spool drain >/dev/null 2>&1
eq "forget: his mail again brings nothing back" "0 0" \
	"$(k contacts --format tsv | grep -c greg) $(grep_db greg.mills@harbor.example)"
