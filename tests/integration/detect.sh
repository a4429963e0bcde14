#!/bin/sh
# detect.sh - `kith detect`: the scorer's --lines format, --date with ISO
# and RFC 5322 dates (the zone kept), and who owes whom from --from/--to
# or the message's From and To.
. "$(dirname "$0")/../lib/testlib.sh"

TAB=$(printf '\t')

# --- --lines: exactly one KIND<TAB>DUE<TAB>RULE line per input line ----
out=$(printf 'Could you send me the deck by Friday?\nThe meeting went well.\nI will call you tomorrow.\n\nThanks!\n' |
	"$KITH" detect --lines --date 2026-03-30)
eq "--lines: one line per input line" 5 "$(printf '%s\n' "$out" | wc -l | tr -d ' ')"
eq "--lines: a request with its due date and rule" \
	"request${TAB}2026-04-03${TAB}req.modal-you" "$(printf '%s\n' "$out" | sed -n 1p)"
eq "--lines: a plain statement is none" "none${TAB}-${TAB}-" "$(printf '%s\n' "$out" | sed -n 2p)"
eq "--lines: a promise" "promise${TAB}2026-03-31${TAB}prom.will" "$(printf '%s\n' "$out" | sed -n 3p)"
eq "--lines: thanks print as none" "none${TAB}-${TAB}-" "$(printf '%s\n' "$out" | sed -n 5p)"
eq "--lines: three fields on every line" "" \
	"$(printf '%s\n' "$out" | awk -F'\t' 'NF != 3')"

# --- --date: RFC 5322 dates, resolved in the zone they carry -----------
due() { printf '%s\n' "$1" | "$KITH" detect --lines --date "$2" | cut -f2; }
eq "--date RFC 5322: tomorrow" 2026-03-31 \
	"$(due 'Please send it tomorrow.' 'Mon, 30 Mar 2026 09:00:00 +0200')"
eq "--date RFC 5322 late in a western zone: still that zone's day" 2026-03-31 \
	"$(due 'Please send it tomorrow.' 'Mon, 30 Mar 2026 23:30:00 -1100')"
eq "--date RFC 5322 early in an eastern zone" 2026-03-31 \
	"$(due 'Please send it tomorrow.' 'Mon, 30 Mar 2026 00:30:00 +1300')"
eq "--date ISO 8601 with a zone" 2026-04-03 \
	"$(due 'Please send it by Friday.' '2026-03-30T09:00:00+02:00')"
eq "--date YYYY-MM-DD" 2026-04-01 "$(due 'Can you call me on Wednesday?' 2026-03-30)"
"$KITH" detect --lines --date 'not a date' </dev/null 2>"$T/err"
eq "--date: a bad date is a usage error" 64 $?
ok "--date: the error names the option" grep -q "bad --date 'not a date'" "$T/err"

# --- without --lines: hits with who owes whom ---------------------------
cat >"$T/msg.eml" <<'EOF'
From: Ann Lee <Ann@Example.org>
To: Bob Ray <bob@example.net>, carol@example.com
Subject: the deck
Date: Fri, 27 Mar 2026 23:30:00 -1100
Message-ID: <detect-1@example.org>

Hi Bob,

Could you send me the deck tomorrow? I will call you on Monday.
Thanks for the notes.

Ann

> Please ignore this quoted request.
EOF
out=$("$KITH" detect <"$T/msg.eml")
eq "message: one line per hit, quotes left out" 3 "$(printf '%s\n' "$out" | wc -l | tr -d ' ')"
eq "message: a request is owed by the first recipient to the sender" \
	"request${TAB}2026-03-28${TAB}req.modal-you${TAB}bob@example.net${TAB}ann@example.org${TAB}Could you send me the deck tomorrow?" \
	"$(printf '%s\n' "$out" | sed -n 1p)"
eq "message: a promise is owed by the sender to the recipient" \
	"promise${TAB}2026-03-30${TAB}prom.will${TAB}ann@example.org${TAB}bob@example.net${TAB}I will call you on Monday." \
	"$(printf '%s\n' "$out" | sed -n 2p)"
eq "message: other kinds owe nothing" \
	"thanks${TAB}-${TAB}thanks.thanks${TAB}-${TAB}-${TAB}Thanks for the notes." \
	"$(printf '%s\n' "$out" | sed -n 3p)"

out=$("$KITH" detect --from 'Dee <DEE@example.org>' --to eve@example.net <"$T/msg.eml" | sed -n 1p)
eq "message: --from and --to override From and To" \
	"request${TAB}2026-03-28${TAB}req.modal-you${TAB}eve@example.net${TAB}dee@example.org${TAB}Could you send me the deck tomorrow?" \
	"$out"

# Plain text: four columns, or six when --from or --to names a party.
out=$(printf 'Please review the draft by Friday.\n' | "$KITH" detect --date 2026-03-30)
eq "plain text without parties: KIND DUE RULE SENTENCE" \
	"request${TAB}2026-04-03${TAB}req.please${TAB}Please review the draft by Friday." "$out"
out=$(printf 'Please review the draft by Friday.\n' | "$KITH" detect --date 2026-03-30 --to bob@example.net)
eq "plain text with --to only: the sender is '-'" \
	"request${TAB}2026-04-03${TAB}req.please${TAB}bob@example.net${TAB}-${TAB}Please review the draft by Friday." "$out"
