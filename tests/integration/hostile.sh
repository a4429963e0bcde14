#!/bin/sh
# hostile.sh - hostile input: every test message and every file of
# ../shared/mail-corpus through `kith filter --pass` (under `make asan`,
# the sanitizer build): exit 0, the same bytes out, no sanitizer report;
# names, subjects and bodies full of HTML, CR/LF, NUL, escape sequences,
# right-to-left overrides and a 100 KB name, printed safely by contacts,
# show, query and the digest; and the modes of every file kith creates.
. "$(dirname "$0")/../lib/testlib.sh"

NOW="2026-03-10 09:00"
DB="$T/kith.db"
K() { "$KITH" --now "$NOW" --db "$DB" --me me@example.org "$@"; }
# Sanitizer (ASan, UBSan, LSan) and valgrind reports.
SANRE='Sanitizer|runtime error:|^==[0-9]+== |^[[:space:]]+#[0-9]+ 0x'

# --- every message through filter --pass ----------------------------------------
passthrough() {   # passthrough LABEL FILE...
	_label=$1; shift
	_n=0 _exit=0 _diff=0 _san=0
	for _f in "$@"; do
		[ -f "$_f" ] || continue
		_n=$((_n + 1))
		K filter --pass <"$_f" >"$T/out" 2>"$T/err"
		_rc=$?
		[ "$_rc" -eq 0 ] || { _exit=$((_exit + 1)); echo "exit $_rc: $_f"; }
		cmp -s "$_f" "$T/out" || { _diff=$((_diff + 1)); echo "changed: $_f"; }
		if grep -a -q -E "$SANRE" "$T/err"; then
			_san=$((_san + 1)); echo "sanitizer: $_f"; head -n 20 "$T/err"
		fi
	done
	eq "$_label: $_n messages exit 0 through filter --pass" 0 "$_exit"
	eq "$_label: output byte-identical" 0 "$_diff"
	eq "$_label: no sanitizer report" 0 "$_san"
}
passthrough "tests/data" $(find "$DATA" -type f | sort)
if have_shared; then
	passthrough "shared mail-corpus" $(find "$SHARED/mail-corpus" -type f \
		! -path '*/LICENSES/*' ! -name '*.tsv' ! -name '*.md' | sort)
fi
K spool drain 2>"$T/err"
eq "draining them all exits 0" 0 $?
ok "the drain had no sanitizer report" sh -c "! grep -a -q -E '$SANRE' '$T/err' '$DB.spool/drain.log'"
grep -a -E "$SANRE" "$DB.spool/drain.log" | head -n 20
ok "nothing is left waiting" test -z "$(K spool list | grep '^waiting')"
eq "integrity_check after the corpus" ok "$(sql 'PRAGMA integrity_check')"

# --- hostile strings -------------------------------------------------------------
DB="$T/hostile.db"
b64() { printf '%b' "$1" | base64 -w0; }
# The payloads: markup, terminal escapes, CR/LF header injection, NUL,
# bidi overrides (U+202E, U+2066) and a C1 control (U+009B, CSI).
HTML='<script>alert(1)</script><img src=x onerror=alert(2)>'
NAME1="=?UTF-8?B?$(b64 "Mallory $HTML \\033[2J\\033]0;pwned\\007 \\342\\200\\256gnp.exe")?="
NAME2="=?UTF-8?B?$(b64 "Eve\\r\\nBcc: victim@example.org\\r\\n\\000NUL \\302\\233 31m \\342\\201\\246iso")?="
SUBJ="=?UTF-8?B?$(b64 "Re: $HTML \\033[31mred\\r\\nX-Injected: 1 \\342\\200\\256txt.exe")?="
BIG=$(head -c 102400 /dev/zero | tr '\0' 'A')

hostile_msg() {   # hostile_msg N FROM-NAME ADDR
	printf 'From: %s <%s>\nTo: Me <me@example.org>\nSubject: %s\n' "$2" "$3" "$SUBJ"
	printf 'Date: Mon, 9 Mar 2026 10:0%s:00 +0000\nMessage-ID: <hostile-%s@example.org>\n' "$1" "$1"
	printf 'MIME-Version: 1.0\nContent-Type: text/plain; charset=utf-8\n\n'
	printf 'Hi,\n\nCould you send me %s the \033[2J contract \342\200\256 by Friday?\n' "$HTML"
	printf 'I will call you tomorrow \r\n about it.\000 Thanks!\n'
}
hostile_msg 1 "$NAME1" mallory@evil.example >"$T/h1.eml"
hostile_msg 2 "$NAME2" eve@evil.example >"$T/h2.eml"
hostile_msg 3 "\"$BIG\"" big@evil.example >"$T/h3.eml"
# An address with markup in its local part (quoted, legal).
hostile_msg 4 "Quoted" '"<b>x</b>"@evil.example' >"$T/h4.eml"
for f in "$T"/h1.eml "$T"/h2.eml "$T"/h3.eml "$T"/h4.eml; do
	K filter --strict <"$f" 2>>"$T/hostile.err" ||
		fail "filter --strict records $(basename "$f")"
done
ok "hostile messages: no sanitizer report" sh -c "! grep -a -q -E '$SANRE' '$T/hostile.err'"
eq "hostile messages are recorded" 4 "$(sql "SELECT count(*) FROM messages WHERE message_id LIKE 'hostile-%'")"

# unsafe FILE: prints what is unsafe in FILE for a terminal: ESC, CR, NUL,
# other C0 controls except tab and LF, C1 controls, bidi overrides/isolates.
unsafe() {
	python3 - "$1" <<'PY'
import re, sys
data = open(sys.argv[1], 'rb').read()
text = data.decode('utf-8', 'replace')
bad = re.findall('[\x00-\x08\x0b-\x1f\x7f\x80-\x9f\u202a-\u202e\u2066-\u2069]', text)
if bad:
    print(sorted(set('U+%04X' % ord(c) for c in bad)))
PY
}
# safe_out WHAT FILE: FILE is printable, and shows the hostile contact.
safe_out() {
	eq "$1: no control characters or bidi overrides" "" "$(unsafe "$2")"
	ok "$1: shows the hostile name" grep -a -q 'alert(1)' "$2"
}
for fmt in text tsv json; do
	K contacts --format "$fmt" >"$T/contacts.$fmt" 2>"$T/err"
	eq "contacts --format $fmt exits 0" 0 $?
	safe_out "contacts --format $fmt" "$T/contacts.$fmt"
done
ok "contacts --format json is valid JSON" python3 -m json.tool "$T/contacts.json" >/dev/null
ok "contacts --format json keeps the 100 KB name" \
	python3 -c "import json,sys; d=json.load(open(sys.argv[1])); assert any(len(c.get('name') or '') >= 100000 for c in d)" "$T/contacts.json"
ok "contacts --format tsv: one line per contact" \
	test "$(wc -l <"$T/contacts.tsv")" -eq "$(($(sql 'SELECT count(*) FROM contacts') + 1))"
ok "contacts text: the 100 KB name is cut to fit" \
	test "$(awk '{ if (length($0) > m) m = length($0) } END { print m + 0 }' "$T/contacts.text")" -lt 1000

for addr in mallory@evil.example eve@evil.example big@evil.example; do
	K show "$addr" >"$T/show.$addr" 2>"$T/err"
	eq "show $addr exits 0" 0 $?
	eq "show $addr: no control characters or bidi overrides" "" "$(unsafe "$T/show.$addr")"
done
ok "show: the hostile request is listed, escaped of nothing" grep -a -q 'alert(1)' "$T/show.mallory@evil.example"
ok "show: no line is injected from a CR/LF in a name" sh -c "! grep -a -q '^Bcc: victim' '$T/show.eve@evil.example'"

# kith query (mutt's query_command) and its tables
K query evil >"$T/query" 2>"$T/err"
eq "query exits 0" 0 $?
safe_out "query" "$T/query"
ok "query: three fields per line, no injected lines" \
	sh -c "tail -n +2 '$T/query' | awk -F'\t' 'NF != 3 { bad = 1 } END { exit bad }'"
for fmt in tsv json; do
	K query --format "$fmt" evil >"$T/query.$fmt" 2>"$T/err"
	eq "query --format $fmt exits 0" 0 $?
	safe_out "query --format $fmt" "$T/query.$fmt"
done
ok "query --format json is valid JSON" python3 -m json.tool "$T/query.json" >/dev/null

# The digest: a mail message; its text part must be printable, its HTML
# part escaped, its headers single lines.
K --now "2026-03-13 08:00" digest --print --always >"$T/digest" 2>"$T/err"
eq "digest --print exits 0" 0 $?
python3 - "$T/digest" >"$T/digest.check" 2>&1 <<'PY'
import email, email.policy, re, sys
msg = email.message_from_binary_file(open(sys.argv[1], 'rb'), policy=email.policy.default)
bad = re.compile('[\x00-\x08\x0b-\x1f\x7f\x80-\x9f\u202a-\u202e\u2066-\u2069]')
for k, v in msg.items():
    if bad.search(str(v)):
        print('header', k, 'has a control character')
seen = {'text/plain': False, 'text/html': False}
for part in msg.walk():
    ctype = part.get_content_type()
    if ctype not in seen:
        continue
    text = part.get_content()
    if bad.search(text.replace('\r\n', '\n')):
        print(ctype, 'has control characters or bidi overrides:',
              sorted(set('U+%04X' % ord(c) for c in bad.findall(text))))
    if 'alert(1)' in text:
        seen[ctype] = True
    if ctype == 'text/html':
        # the payloads, raw (the digest's own markup is fine)
        for raw in ('<script', '<img src=x', '<b>x</b>'):
            if raw in text.lower():
                print('html part has a raw', raw)
        if '&lt;script&gt;' not in text:
            print('html part lacks the escaped hostile markup')
for ctype, s in seen.items():
    if not s:
        print(ctype, 'part does not show the hostile request')
PY
eq "digest: printable, escaped, hostile items shown" "" "$(cat "$T/digest.check")"

# --- modes of what kith creates ----------------------------------------------------
# Even with a permissive umask, the store, the spool and the logs are private.
(
	umask 000
	DB="$XDG_DATA_HOME/kith/kith.db"   # the default place: kith makes the directory
	"$KITH" --me me@example.org contacts >/dev/null
	spool="$DB.spool"
	"$KITH" --me me@example.org filter <"$T/h2.eml"
	"$KITH" --me me@example.org spool drain
	# Keep a message waiting: hold the drain lock while the filter spools it.
	flock "$spool/lock" "$KITH" --me me@example.org filter <"$T/h1.eml"
	printf 'not a message at all' >"$T/junk"
	flock "$spool/lock" "$KITH" --me me@example.org filter <"$T/junk"
	mode() { stat -c %a "$1" 2>/dev/null || echo missing; }
	eq "the store's directory is 0700" 700 "$(mode "$XDG_DATA_HOME/kith")"
	eq "the store is 0600" 600 "$(mode "$DB")"
	waiting=$(ls "$spool/new" | head -n 1)
	ok "a message waits in the spool" test -n "$waiting"
	eq "a spool file is 0600" 600 "$(mode "$spool/new/$waiting")"
	for d in "$spool" "$spool/new" "$spool/tmp" "$spool/failed"; do
		eq "spool directory ${d#"$XDG_DATA_HOME/"} is 0700" 700 "$(mode "$d")"
	done
	"$KITH" --me me@example.org spool drain 2>/dev/null
	eq "drain.log is 0600" 600 "$(mode "$spool/drain.log")"
	failed=$(ls "$spool/failed" | head -n 1)
	ok "the non-message is set aside" test -n "$failed"
	eq "a set-aside file is 0600" 600 "$(mode "$spool/failed/$failed")"
	# (the -wal and -shm files too, when they are still there)
	other=$(find "$XDG_DATA_HOME/kith" -perm /077 | head -n 5)
	eq "nothing kith made is open to group or others" "" "$other"
)
