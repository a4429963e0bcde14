#!/bin/sh
# sendmail.sh - `kith sendmail [--] ARGS...` in front of a sendmail shim:
# the shim gets the same arguments and the same bytes, kith exits with the
# shim's status, the message is recorded as sent only when the shim took
# it, and a kith that cannot record still sends.
. "$(dirname "$0")/../lib/testlib.sh"

DB="$T/kith.db"
K() { "$KITH" --db "$DB" --me alice@example.com "$@"; }

# The shim: records its arguments (one per line) and its input, exits
# $SHIM_EXIT (0 by default).
cat >"$T/shim" <<EOF
#!/bin/sh
: >"$T/args"
for a in "\$@"; do printf '%s\n' "\$a" >>"$T/args"; done
cat >"$T/got"
exit \${SHIM_EXIT:-0}
EOF
chmod 755 "$T/shim"
export KITH_SENDMAIL="$T/shim"

mail() {
	cat <<EOF
From: Alice <alice@example.com>
To: Bo Novak <bo@client.example>
Subject: $2
Date: Tue, 3 Mar 2026 09:00:00 +0000
Message-ID: <$1@example.com>
MIME-Version: 1.0
Content-Type: text/plain; charset=utf-8

Hi Bo,

Could you send me the signed contract by Friday?

Alice
EOF
}
count() { sql "SELECT count(*) FROM messages WHERE message_id = '$1@example.com'"; }

# --- the mutt case ------------------------------------------------------------
mail m1 "contract" >"$T/m1"
K sendmail -oem -oi -- bo@client.example <"$T/m1" 2>"$T/err"
eq "sendmail: exits with the shim's status (0)" 0 $?
ok "sendmail: the shim got the message byte for byte" cmp -s "$T/m1" "$T/got"
eq "sendmail: the shim got the same arguments" "-oem -oi -- bo@client.example" \
	"$(tr '\n' ' ' <"$T/args" | sed 's/ $//')"
eq "sendmail: the message is recorded, as sent" "1|1" \
	"$(sql "SELECT count(*), max(direction) FROM messages WHERE message_id = 'm1@example.com'")"
eq "sendmail: Bo counts one message sent" "1	0" \
	"$("$KITH" --db "$DB" contacts --format tsv | awk -F'\t' '$1 == "bo@client.example" {print $5 "\t" $6}')"
eq "sendmail: my request to Bo is an item Bo owes" "them" \
	"$(sql "SELECT owner FROM items i JOIN messages m ON m.id = i.message WHERE m.message_id = 'm1@example.com'")"

# --- a leading -- is kith's; options after it are the real sendmail's -------
mail m2 "second" >"$T/m2"
K sendmail -- -t -i <"$T/m2"
eq "sendmail --: the leading -- is dropped, the rest passed on" "-t -i" \
	"$(tr '\n' ' ' <"$T/args" | sed 's/ $//')"
ok "sendmail --: input byte for byte" cmp -s "$T/m2" "$T/got"

# --- the real sendmail fails: its status, and nothing recorded --------------
mail m3 "refused" >"$T/m3"
SHIM_EXIT=3 K sendmail -oi bo@client.example <"$T/m3" 2>"$T/err"
eq "sendmail: exits with the shim's status (3)" 3 $?
ok "sendmail, shim fails: it still got the message byte for byte" cmp -s "$T/m3" "$T/got"
K spool drain >/dev/null 2>&1
eq "sendmail, shim fails: the message is not counted as sent" 0 "$(count m3)"
SHIM_EXIT=75 K sendmail -oi bo@client.example <"$T/m3" 2>/dev/null
eq "sendmail: exits with the shim's status (75, try again)" 75 $?

# --- bytes kith does not care about pass through untouched ------------------
{ mail m4 "binary"; printf 'caf\351 \r\n\000nul\377\n'; head -c 3000000 /dev/urandom; } >"$T/m4"
K sendmail -oi bo@client.example <"$T/m4" 2>/dev/null
eq "sendmail: 3 MB of 8-bit, CRLF, NUL bytes: exit 0" 0 $?
ok "sendmail: ... byte for byte" cmp -s "$T/m4" "$T/got"
: >"$T/empty"
K sendmail -oi bo@client.example <"$T/empty" 2>/dev/null
eq "sendmail: empty input still reaches the real sendmail" "0 0" "$? $(wc -c <"$T/got")"

# --- kith cannot record: the mail goes out all the same ---------------------
: >"$T/notadir"
mail m5 "unrecorded" >"$T/m5"
"$KITH" --db "$T/notadir/kith.db" sendmail -oi bo@client.example <"$T/m5" 2>"$T/err"
eq "sendmail, store unwritable: exit 0" 0 $?
ok "sendmail, store unwritable: the shim got the message byte for byte" cmp -s "$T/m5" "$T/got"
ok "sendmail, store unwritable: kith says it was not recorded" grep -q 'not recorded' "$T/err"

# --- the real sendmail from the config, and a missing one -------------------
mkdir -p "$XDG_CONFIG_HOME/kith"
printf '[sendmail]\ncommand = %s --from-config "two words"\n' "$T/shim" \
	>"$XDG_CONFIG_HOME/kith/config"
mail m6 "config" >"$T/m6"
KITH_SENDMAIL= K sendmail -oi bo@client.example <"$T/m6"
eq "sendmail: [sendmail] command is split into words, without a shell" \
	"--from-config|two words|-oi|bo@client.example" "$(tr '\n' '|' <"$T/args" | sed 's/|$//')"
rm "$XDG_CONFIG_HOME/kith/config"
KITH_SENDMAIL="$T/no-such-sendmail" K sendmail -oi bo@client.example <"$T/m6" 2>"$T/err"
eq "sendmail: a missing real sendmail exits 69 (EX_UNAVAILABLE)" 69 $?
ok "... and says so" grep -q 'cannot run' "$T/err"

# --- modes other than sending: passed through, nothing read or recorded -----
before=$(sql 'SELECT count(*) FROM messages')
K sendmail -bv bo@client.example </dev/null
eq "sendmail -bv: passed through" "-bv bo@client.example" "$(tr '\n' ' ' <"$T/args" | sed 's/ $//')"
eq "sendmail -bv: nothing recorded" "$before" "$(sql 'SELECT count(*) FROM messages')"
