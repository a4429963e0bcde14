#!/bin/sh
# export.sh - kith out to other tools: `kith query` in mutt's query_command
# format, `kith export --vcard` read by khard (the Debian package) and
# round-tripped through `kith import --vcard`, vCard 3.0 written by khard
# imported, `kith export --ics` parsed by python3-icalendar, and
# --format json on the list commands.
. "$(dirname "$0")/../lib/testlib.sh"

DB="$T/kith.db"
NOW="2026-11-01 09:00"
K() { "$KITH" --db "$DB" --me me@example.org --now "$NOW" "$@"; }
PY=/usr/bin/python3

# msg-plain.eml brings contacts without a name.
for f in "$DATA"/threads/*/*.eml "$DATA"/msg-plain.eml; do K filter --strict <"$f"; done
NCONTACTS=$(sql 'SELECT count(*) FROM contacts')
[ "$NCONTACTS" -ge 5 ]
eq "the fixture store has contacts" 0 $?

# --- import: details for contacts that exist, and a new one -----------------
cat >"$T/details.vcf" <<'EOF'
BEGIN:VCARD
VERSION:4.0
FN:Kim Park
EMAIL:KIM@dockside.example
EMAIL:kim.park@home.example
CATEGORIES:mentor,sailing,hub
NOTE:Runs the harbour project\, knows everyone.
X-KITH-CADENCE:30
END:VCARD
BEGIN:VCARD
VERSION:4.0
FN:Tab	Person
EMAIL:tab@odd.example
END:VCARD
BEGIN:VCARD
VERSION:4.0
FN:No Address
END:VCARD
EOF
K import --vcard "$T/details.vcf" >"$T/out" 2>"$T/err"
eq "import: exit 0" 0 $?
eq "import: the summary line" "3 cards: 1 new contact, 1 updated, 1 skipped" "$(cat "$T/out")"
eq "import: Kim's role, cadence, note, fixed name" "mentor|30|Runs the harbour project, knows everyone.|1" \
	"$(sql "SELECT role, cadence, note, name_fixed FROM contacts c JOIN addresses a ON a.contact_id = c.id WHERE a.addr = 'kim@dockside.example'")"
eq "import: the first role is the role; the rest, a second role too, are tags" "hub,sailing" \
	"$(sql "SELECT group_concat(tag) FROM tags t JOIN addresses a ON a.contact_id = t.contact_id WHERE a.addr = 'kim@dockside.example'")"
eq "import: Kim's new address joins her contact" 1 \
	"$(sql "SELECT count(DISTINCT contact_id) FROM addresses WHERE addr IN ('kim@dockside.example', 'kim.park@home.example')")"
ok "import: a card without an address is skipped with a warning" grep -q 'No Address' "$T/err"

# --- query --------------------------------------------------------------------
K query lee >"$T/q"
eq "query: exit 0 on a match" 0 $?
eq "query: status line first" "kith: 2 matches" "$(head -n 1 "$T/q")"
eq "query: address<TAB>name<TAB>info lines" "lee@quill.example	Lee Ortiz	2026-07-15
hr@acme.example	Jordan Lee	2026-04-01" "$(sed 1d "$T/q")"
K query DOCKSIDE >"$T/q"
eq "query: case-insensitive address match; the role is the info" \
	"kim@dockside.example	Kim Park	mentor" "$(sed -n 2p "$T/q")"
K query tab >"$T/q"
eq "query: no tab or control character inside a field" 3 \
	"$(sed -n 2p "$T/q" | awk -F'\t' '{print NF}')"
K query zzz-nobody >"$T/q"
eq "query: no match exits 1 (lbdbq)" 1 $?
eq "query: ... with the status line" "kith: no matches" "$(cat "$T/q")"
# Strongest first: two-way exchanges before one-way ones.
K query example >"$T/q"
first=$(sed -n 2p "$T/q" | cut -f1)
eq "query: a two-way correspondent comes before one-way ones" 1 \
	"$(sql "SELECT (SELECT count(*) FROM interactions i JOIN addresses a ON a.contact_id = i.contact_id WHERE a.addr = '$first' AND direction = 0) > 0 AND (SELECT count(*) FROM interactions i JOIN addresses a ON a.contact_id = i.contact_id WHERE a.addr = '$first' AND direction = 1) > 0")"
eq "query: one line per matching address" "$(sql "SELECT count(*) FROM addresses WHERE addr LIKE '%example%'")" \
	"$(sed 1d "$T/q" | wc -l)"
K query --format json lee >"$T/q.json"
eq "query --format json: an array of objects" "lee@quill.example 1 1" \
	"$($PY -c 'import json,sys; d=json.load(open(sys.argv[1])); print(d[0]["address"], d[0]["sent"], d[0]["received"])' "$T/q.json")"

# --- vCard export, read by khard --------------------------------------------
K export --vcard "$T/all.vcf"
eq "export --vcard FILE: exit 0" 0 $?
eq "export --vcard: one card per contact with an address" \
	"$(sql 'SELECT count(DISTINCT contact_id) FROM addresses')" "$(grep -c '^BEGIN:VCARD' "$T/all.vcf")"
eq "export --vcard: the file is private (0600)" 600 "$(stat -c %a "$T/all.vcf")"
ok "export --vcard: CRLF line ends only" awk '!/\r$/ { bad++ } END { exit bad > 0 }' "$T/all.vcf"
ok "export --vcard: Kim's card has her role and tag, note and cadence" \
	grep -q "^CATEGORIES:mentor,hub,sailing" "$T/all.vcf"
ok "... note escaped" grep -q '^NOTE:Runs the harbour project\\, knows everyone\.' "$T/all.vcf"
ok "... cadence" grep -q '^X-KITH-CADENCE:30' "$T/all.vcf"
K export --vcard >"$T/stdout.vcf"
ok "export --vcard without FILE writes to standard output" cmp -s "$T/all.vcf" "$T/stdout.vcf"

K export --vcard "$T/vdir/"
eq "export --vcard DIR/: one .vcf per contact" "$(grep -c '^BEGIN:VCARD' "$T/all.vcf")" \
	"$(ls "$T/vdir" | grep -c '\.vcf$')"
mkdir -p "$XDG_CONFIG_HOME/khard"
cat >"$XDG_CONFIG_HOME/khard/khard.conf" <<EOF
[addressbooks]
[[kith]]
path = $T/vdir

[general]
debug = no
default_action = list
editor = /bin/true
merge_editor = /bin/true
EOF
khard email --parsable >"$T/khard.emails" 2>"$T/khard.err"
eq "khard reads the exported vCards: exit 0" 0 $?
eq "khard lists every exported address" "$(sql 'SELECT count(*) FROM addresses')" \
	"$(grep -c '@' "$T/khard.emails")"
ok "khard shows Kim Park with both addresses" sh -c \
	"grep -q '^kim@dockside.example	Kim Park' '$T/khard.emails' && grep -q '^kim.park@home.example	Kim Park' '$T/khard.emails'"
khard list >"$T/khard.list" 2>&1
eq "khard list: one entry per contact" "$(grep -c '^BEGIN:VCARD' "$T/all.vcf")" \
	"$(grep -c '^[0-9]' "$T/khard.list")"
khard show --format yaml "Kim Park" >"$T/khard.kim" 2>&1 </dev/null
ok "khard: Kim's categories (role and tag)" sh -c "grep -A3 '^Categories' '$T/khard.kim' | grep -q mentor"
ok "khard: Kim's note" grep -q 'Runs the harbour project, knows everyone' "$T/khard.kim"

# A contact that is gone loses its card; files kith did not write stay.
printf 'BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Mine\r\nEND:VCARD\r\n' >"$T/vdir/my-own.vcf"
cp "$T/vdir/$(ls "$T/vdir" | grep -v my-own | head -n 1)" "$T/vdir/0fe1eeb7-b1aa-89d4-85c3-cd6854033c96.vcf.bak"
# (on a copy of the store, without Sam)
sqlite3 "$DB" ".backup '$T/gone.db'"
sqlite3 "$T/gone.db" "PRAGMA foreign_keys = ON; DELETE FROM contacts WHERE id = (SELECT contact_id FROM addresses WHERE addr = 'sam@cobalt.example')"
"$KITH" --db "$T/gone.db" export --vcard "$T/vdir/"
eq "export --vcard DIR/ again: the gone contact's card is removed" 0 \
	"$(grep -l 'sam@cobalt.example' "$T/vdir"/*.vcf 2>/dev/null | wc -l)"
eq "... the others stay, and so do files kith did not write" \
	"$(($(grep -c '^BEGIN:VCARD' "$T/all.vcf") - 1 + 2))" "$(ls "$T/vdir" | wc -l)"
rm "$T/vdir/my-own.vcf" "$T/vdir/"*.bak
K export --vcard "$T/vdir/"

# --- round trip: export, import into an empty store, export again -----------
"$KITH" --db "$T/copy.db" import --vcard "$T/all.vcf" >/dev/null
"$KITH" --db "$T/copy.db" export --vcard "$T/again.vcf"
ok "vCard round trip: export, import into an empty store, export: identical" \
	cmp -s "$T/all.vcf" "$T/again.vcf"
"$KITH" --db "$T/copy.db" import --vcard "$T/vdir" >"$T/out"
eq "import of a vdir (the same cards again): all updated, none new" \
	"$(grep -c '^BEGIN:VCARD' "$T/all.vcf") cards: 0 new contacts, $(grep -c '^BEGIN:VCARD' "$T/all.vcf") updated, 0 skipped" \
	"$(cat "$T/out")"

# --- khard writes vCard 3.0; kith imports it ----------------------------------
mkdir -p "$T/kvdir"
sed -i "s|path = .*|path = $T/kvdir|" "$XDG_CONFIG_HOME/khard/khard.conf"
cat >"$T/zoe.yaml" <<'EOF'
Formatted name: Zoë Ölund
First name: Zoë
Last name: Ölund
Email:
  work:
    - zoe@lab.example
    - z.olund@uni.example
Categories:
  - role-model
  - climbing, club
Note: |
  Met at the summer school.
  Likes long walks; and commas, too.
EOF
khard new -a kith -i "$T/zoe.yaml" --vcard-version 3.0 </dev/null >/dev/null 2>&1
ok "khard wrote a vCard 3.0" grep -q '^VERSION:3.0' "$T/kvdir"/*.vcf
K import --vcard "$T/kvdir" >/dev/null
eq "import of khard's 3.0 card: name, role, note" "Zoë Ölund|role-model|Met at the summer school.
Likes long walks; and commas, too." \
	"$(sql "SELECT name, role, note FROM contacts c JOIN addresses a ON a.contact_id = c.id WHERE a.addr = 'zoe@lab.example'")"
eq "... both addresses on one contact, the tag with its comma" "2|climbing, club" \
	"$(sql "SELECT (SELECT count(*) FROM addresses a2 WHERE a2.contact_id = a.contact_id), (SELECT group_concat(tag) FROM tags t WHERE t.contact_id = a.contact_id) FROM addresses a WHERE a.addr = 'zoe@lab.example'")"
K query ÖLUND >"$T/q"
eq "query: Unicode case folding finds Zoë by ÖLUND" "kith: 2 matches" "$(head -n 1 "$T/q")"

# --- an abook-style vCard 2.1 export (quoted-printable, Latin-1, CRLF) ------
printf 'BEGIN:VCARD\r\nVERSION:2.1\r\nN;CHARSET=ISO-8859-1;ENCODING=QUOTED-PRINTABLE:M=FCller;J=FCrgen\r\nFN;CHARSET=ISO-8859-1;ENCODING=QUOTED-PRINTABLE:J=FCrgen M=\r\n=FCller\r\nEMAIL;INTERNET:jm@example.de\r\nEMAIL;INTERNET:juergen@example.de\r\nEND:VCARD\r\n' >"$T/abook.vcf"
K import --vcard "$T/abook.vcf" >/dev/null
eq "import of a 2.1 card: quoted-printable Latin-1 name, two addresses" "Jürgen Müller|2" \
	"$(sql "SELECT c.name, (SELECT count(*) FROM addresses a2 WHERE a2.contact_id = c.id) FROM contacts c JOIN addresses a ON a.contact_id = c.id WHERE a.addr = 'jm@example.de'")"
"$KITH" --db "$T/stdin.db" import --vcard - <"$T/abook.vcf" >"$T/out"
eq "import --vcard - reads standard input" "1 card: 1 new contact, 0 updated, 0 skipped" "$(cat "$T/out")"
printf 'not a vcard\n' >"$T/bad.vcf"
K import --vcard "$T/bad.vcf" 2>"$T/err"
eq "import of a file without vCards: exit 65 (data error)" 65 $?

# --- iCalendar export, parsed by python3-icalendar ----------------------------
OPEN=$(sql "SELECT count(*) FROM items WHERE status = 'open'")
[ "$OPEN" -ge 2 ]
eq "the fixture store has open items" 0 $?
K export --ics "$T/items.ics"
eq "export --ics: exit 0" 0 $?
cat >"$T/check.py" <<'EOF'
import sys, icalendar
cal = icalendar.Calendar.from_ical(open(sys.argv[1], 'rb').read())
todos = [c for c in cal.walk() if c.name == 'VTODO']
uids = set(str(t['UID']) for t in todos)
print(len(todos), len(uids),
      sum(1 for t in todos if 'DUE' in t),
      all(str(t['STATUS']) == 'NEEDS-ACTION' for t in todos),
      all(str(t['UID']).endswith('@kith') for t in todos))
for t in todos:
    due = t.get('DUE')
    print('%s\t%s\t%s' % (due.dt.isoformat() if due else '-', t['DESCRIPTION'], t['SUMMARY']))
EOF
$PY "$T/check.py" "$T/items.ics" >"$T/ics.out" 2>"$T/ics.err"
eq "icalendar parses it" 0 $?
DUE=$(sql "SELECT count(*) FROM items WHERE status = 'open' AND due IS NOT NULL")
eq "icalendar: every open item a VTODO, unique UIDs, DUE where due, NEEDS-ACTION" \
	"$OPEN $OPEN $DUE True True" "$(head -n 1 "$T/ics.out")"
eq "icalendar: DUE dates and sentences as stored" \
	"$(sql "SELECT coalesce(due, '-') || char(9) || sentence FROM items WHERE status = 'open' ORDER BY due IS NULL, due, id")" \
	"$(sed 1d "$T/ics.out" | cut -f1,2)"
ok "icalendar: summaries name who owes whom" grep -q '	Waiting on Pat Quinn: \|	Do for \|	Keep promise to ' "$T/ics.out"
K export --ics >"$T/again.ics"
ok "export --ics: stable (same UIDs and DTSTAMP with the same --now)" cmp -s "$T/items.ics" "$T/again.ics"
"$KITH" --db "$T/fresh.db" --me me@example.org --now "$NOW" export --ics >"$T/empty.ics"
eq "export --ics of an empty store: a calendar with no to-dos" "0 0 0 True True" \
	"$($PY "$T/check.py" "$T/empty.ics" | head -n 1)"
for f in "$DATA"/threads/*/*.eml "$DATA"/msg-plain.eml; do
	"$KITH" --db "$T/fresh.db" --me me@example.org filter --strict <"$f"
done
"$KITH" --db "$T/fresh.db" --me me@example.org --now "$NOW" export --ics >"$T/fresh.ics"
eq "item UIDs are the same from another store of the same mail" \
	"$(grep '^UID:' "$T/items.ics")" "$(grep '^UID:' "$T/fresh.ics")"

# --- --format json on the list commands ----------------------------------------
K contacts --format json >"$T/c.json"
eq "contacts --format json: one object per contact, with the documented keys" \
	"$(sql 'SELECT count(*) FROM contacts') address,first,last,name,received,sent" \
	"$($PY -c 'import json,sys; d=json.load(open(sys.argv[1])); print(len(d), ",".join(sorted(d[0])))' "$T/c.json")"

# The documented shape: an array of objects whose keys are the TSV header's
# columns, in order.
cat >"$T/shape.py" <<'EOF'
import json, sys
rows = json.load(open(sys.argv[1]))
header = open(sys.argv[2]).readline().rstrip('\n').split('\t')
ok = isinstance(rows, list) and len(rows) > 0 and all(list(r) == header for r in rows)
print(len(rows) if ok else 'bad shape: %r vs %r' % (rows[:1], header))
EOF
for c in contacts todo remind "query example"; do
	K $c --format json >"$T/l.json" 2>/dev/null
	K $c --format tsv >"$T/l.tsv" 2>/dev/null
	eq "$c --format json: one object per TSV row, keyed by the TSV header" \
		"$(($(wc -l <"$T/l.tsv") - 1))" "$($PY "$T/shape.py" "$T/l.json" "$T/l.tsv" 2>&1)"
done

# --- usage errors ----------------------------------------------------------------
K export 2>/dev/null
eq "export without --vcard or --ics: exit 64" 64 $?
K export --vcard --ics 2>/dev/null
eq "export with both: exit 64" 64 $?
K query 2>/dev/null
eq "query without STRING: exit 64" 64 $?
K import "$T/all.vcf" 2>/dev/null
eq "import without --vcard: exit 64" 64 $?
