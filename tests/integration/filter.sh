#!/bin/sh
# filter.sh - `kith filter` in the delivery path: real procmail with both
# recipe forms, byte-for-byte pass-through on every test message, one
# message whether seen by filter or scan, concurrency, and the spool.
. "$(dirname "$0")/../lib/testlib.sh"

DB="$T/kith.db"
K() { "$KITH" --db "$DB" --me me@example.org "$@"; }
msg="$DATA/threads/cv-attachment/01.eml"

# --- procmail: copy recipe, then delivery to a Maildir -----------------
mkdir -p "$T/md/cur" "$T/md/new" "$T/md/tmp"
cat >"$T/copy.rc" <<RC
SHELL=/bin/sh
LOCKSLEEP=1
:0 Wc: $T/kith.lock
| "$KITH" --db "$DB" --me me@example.org filter
:0
$T/md/
RC
procmail -m "$T/copy.rc" <"$msg"
eq "procmail copy recipe exits 0" 0 $?
delivered=$(ls "$T/md/new" | head -n 1)
ok "procmail copy recipe delivers the message intact" cmp -s "$msg" "$T/md/new/$delivered"
eq "copy recipe: the sender is a contact" "hr@acme.example" \
	"$(K contacts --format tsv | awk -F'\t' 'NR==2 {print $1}')"

# --- procmail: filter recipe with --pass --------------------------------
rm -f "$T/md/new/"*
msg2="$DATA/threads/reply-answers/01.eml"
cat >"$T/fw.rc" <<RC
SHELL=/bin/sh
:0 fw
| "$KITH" --db "$DB" --me me@example.org filter --pass
:0
$T/md/
RC
procmail -m "$T/fw.rc" <"$msg2"
eq "procmail filter recipe exits 0" 0 $?
delivered=$(ls "$T/md/new" | head -n 1)
# procmail appends a newline to what it hands a program, and a :0 fw
# filter's output replaces the message: kith passes exactly what it got.
{ cat "$msg2"; echo; } >"$T/expected"
ok "procmail :0 fw with --pass delivers the message unchanged" cmp -s "$T/expected" "$T/md/new/$delivered"
ok "filter recipe: the sender is a contact" sh -c "'$KITH' --db '$DB' contacts --format tsv | grep -q '^kim@dockside.example'"

# --- --pass is byte-identical and exits 0 for every message -------------
bad=0 n=0
for f in "$DATA"/*.eml "$DATA"/threads/*/*.eml; do
	n=$((n + 1))
	if ! K filter --pass <"$f" >"$T/out" 2>"$T/err"; then bad=$((bad + 1)); echo "exit $?: $f: $(cat "$T/err")"; continue; fi
	cmp -s "$f" "$T/out" || { bad=$((bad + 1)); echo "changed: $f"; }
done
eq "--pass: $n tests/data messages byte-identical, exit 0" 0 "$bad"
if have_shared; then
	bad=0 n=0
	for f in $(find "$SHARED/mail-corpus" -type f ! -path '*/LICENSES/*' ! -name '*.tsv'); do
		n=$((n + 1))
		if ! K filter --pass <"$f" >"$T/out" 2>"$T/err"; then bad=$((bad + 1)); echo "exit $?: $f: $(cat "$T/err")"; continue; fi
		cmp -s "$f" "$T/out" || { bad=$((bad + 1)); echo "changed: $f"; }
	done
	eq "--pass: $n shared corpus files byte-identical, exit 0" 0 "$bad"
fi
K spool drain 2>"$T/drain.err"
eq "no message waits in the spool after a drain" 0 "$(K spool list | grep -c '^waiting')"
# (recorded by the background drain or by this one)
eq "non-messages are set aside in failed/" "$(K spool list | grep -c '^failed')" \
	"$(cat "$DB.spool/drain.log" "$T/drain.err" 2>/dev/null | grep -c 'no header block\|not a message\|empty')"

# --- the same message through filter and scan is one message ------------
DB="$T/one.db"
mkdir -p "$T/one/cur" "$T/one/new" "$T/one/tmp"
cp "$msg" "$T/one/cur/1.x:2,S"
K filter <"$msg"
K scan --maildir "$T/one"
K scan --maildir "$T/one"
# CRLF and an mbox From_ line (as dovecot-lda and some MDAs hand it over)
{ echo "From hr@acme.example Mon Mar 30 09:00:00 2026"; sed 's/$/\r/' "$msg"; } | K filter
eq "filter + scan + rescan + CRLF copy: one message" 1 "$(sql 'SELECT count(*) FROM messages')"
eq "... and one interaction" 1 "$(sql 'SELECT count(*) FROM interactions')"

# --- a message without a Message-ID, LF and CRLF, is one message ---------
DB="$T/noid.db"
K filter <"$DATA/msg-no-message-id.eml"
sed 's/$/\r/' "$DATA/msg-no-message-id.eml" | K filter
K spool drain
eq "no Message-ID: LF and CRLF copies are one message" 1 "$(sql 'SELECT count(*) FROM messages')"

# --- 20 concurrent filters lose nothing ---------------------------------
DB="$T/conc.db"
i=0
while [ $i -lt 20 ]; do
	sed "s/^Message-ID: .*/Message-ID: <conc-$i@example.org>/; s/^From: .*/From: Person $i <p$i@example.org>/" \
		"$msg" >"$T/conc-$i.eml"
	i=$((i + 1))
done
i=0
while [ $i -lt 20 ]; do K filter <"$T/conc-$i.eml" & i=$((i + 1)); done
wait
eq "20 concurrent filters: 20 contacts" 21 "$(K contacts --format tsv | wc -l)"
eq "20 concurrent filters: 20 messages" 20 "$(sql 'SELECT count(*) FROM messages')"
ok "20 concurrent filters: spool empty" test -z "$(K spool list)"
eq "integrity_check" ok "$(sql 'PRAGMA integrity_check')"

# --- one background drainer records a burst, then leaves ----------------
DB="$T/bg.db"
printf '[store]\ndrain_linger = 2\n' >"$XDG_CONFIG_HOME/bg.conf"
BG() { "$KITH" --config "$XDG_CONFIG_HOME/bg.conf" --db "$DB" --me me@example.org "$@"; }
deliver() { sed "s/^Message-ID: .*/Message-ID: <bg-$1@example.org>/" "$msg" | BG filter; }
drainers() { pgrep -f -- "--db $DB --me me@example.org spool drain" | wc -l; }
no_drainer() { [ "$(drainers)" = 0 ]; }
# a recorder holds the spool's "drainer" lock (read from /proc/locks, so
# looking does not take the lock from it)
present() {
	_ino=$(stat -c %i "$DB.spool/drainer" 2>/dev/null) || return 1
	grep -q "FLOCK.*:$_ino " /proc/locks
}
# wait_for N CMD...: up to N tenths of a second (ten times as long under
# valgrind) for CMD to succeed
slow=1
[ "${KITH_VALGRIND:-0}" != 0 ] && slow=10
wait_for() {
	_n=$(($1 * slow)); shift
	while [ "$_n" -gt 0 ] && ! "$@"; do sleep 0.1; _n=$((_n - 1)); done
	"$@"
}
recorded() { [ "$(sql 'SELECT count(*) FROM messages')" = "$1" ]; }
deliver 0
ok "a delivery starts a background recorder" wait_for 100 present
i=1 most=0
while [ $i -lt 6 ]; do
	deliver $i
	sleep 0.3
	d=$(drainers); [ "$d" -gt "$most" ] && most=$d
	i=$((i + 1))
done
eq "... and it is the only one running while five more arrive" 1 "$most"
ok "... which records them all without any other command" wait_for 100 recorded 6
ok "... and exits after drain_linger seconds of quiet" wait_for 100 no_drainer
deliver late
ok "a later delivery starts a new one, which records it" wait_for 100 recorded 7
ok "... and leaves too" wait_for 100 no_drainer
printf '[store]\ndrain_linger = 0\n' >"$XDG_CONFIG_HOME/bg.conf"
deliver nolinger
ok "drain_linger = 0: recorded" wait_for 100 recorded 8
# well before the default linger of 5 s
ok "... and the drainer exits at once" wait_for 20 no_drainer

# --- the store cannot be written: exit 0, message spooled, later ingested --
mkdir -p "$T/ro"
DB="$T/ro/kith.db"
K contacts >/dev/null
chmod 500 "$T/ro"
if [ "$(id -u)" = 0 ]; then
	# root ignores permissions: make the database itself unusable instead
	chmod 700 "$T/ro"; mv "$DB" "$DB.real"; mkdir "$DB"
fi
cat >"$XDG_CONFIG_HOME/spool.conf" <<CONF
[store]
db = $DB
spool = $T/spool
CONF
"$KITH" --config "$XDG_CONFIG_HOME/spool.conf" --me me@example.org filter --strict <"$msg" 2>"$T/err"
eq "--strict exits 75 when the store cannot be written" 75 $?
ok "--strict says why" grep -q "kith: " "$T/err"
"$KITH" --config "$XDG_CONFIG_HOME/spool.conf" --me me@example.org filter --pass <"$msg" >"$T/out" 2>"$T/err"
eq "filter exits 0 when the store cannot be written" 0 $?
ok "... and still passes the message through" cmp -s "$msg" "$T/out"
sleep 1
ok "... and keeps it in the spool" test -n "$(ls "$T/spool/new")"
if [ "$(id -u)" = 0 ]; then rmdir "$DB"; mv "$DB.real" "$DB"; else chmod 700 "$T/ro"; fi
"$KITH" --config "$XDG_CONFIG_HOME/spool.conf" contacts --format tsv >"$T/out"
ok "the next command ingests the spool" grep -q '^hr@acme.example' "$T/out"
ok "... and empties it" test -z "$(ls "$T/spool/new")"

# --- files are private -------------------------------------------------
eq "the database is 0600" 600 "$(stat -c %a "$T/one.db")"
eq "the spool is 0700" 700 "$(stat -c %a "$T/kith.db.spool")"

# --- empty input and errors ---------------------------------------------
: | K filter --pass >"$T/out"
eq "empty input: exit 0" 0 $?

# --- a typo in the recipe costs no mail ----------------------------------
cat >"$T/typo.rc" <<RC
SHELL=/bin/sh
:0 f
| "$KITH" --db "$T/typo.db" filter --pass --snet
:0
$T/typo-md/
RC
mkdir -p "$T/typo-md/cur" "$T/typo-md/new" "$T/typo-md/tmp"
procmail -m "$T/typo.rc" <"$msg" 2>"$T/err"
eq "procmail :0 f recipe with a mistyped option exits 0" 0 $?
{ cat "$msg"; echo; } >"$T/expected"	# procmail's newline, as above
ok "... delivers the message intact" cmp -s "$T/expected" "$T/typo-md/new/$(ls "$T/typo-md/new" | head -n 1)"
"$KITH" --db "$T/typo.db" filter --pass --snet <"$msg" >"$T/out" 2>"$T/err"
eq "filter with an unknown option exits 0" 0 $?
ok "... passes the message through byte for byte" cmp -s "$msg" "$T/out"
ok "... and says which option and that nothing was recorded" \
	grep -q "filter: Unknown option --snet.*the message was not recorded" "$T/err"
ok "... and records nothing" sh -c "test -z \"\$(ls '$T/typo.db.spool/new' 2>/dev/null)\" && test ! -e '$T/typo.db'"
"$KITH" --bogus --db "$T/typo.db" filter -p <"$msg" >"$T/out" 2>"$T/err"
eq "an unknown global option before filter exits 0" 0 $?
ok "... and passes the message through" cmp -s "$msg" "$T/out"
"$KITH" --db "$T/typo.db" filter --strict --snet <"$msg" >"$T/out" 2>"$T/err"
eq "with --strict, an unknown option exits 64" 64 $?
"$KITH" --db "$DB" scan -q --maildir "$T/md" 2>"$T/err"
eq "a global option after the command exits 64" 64 $?
ok "... and says to put it before the command" \
	grep -q "scan: Unknown option -q; --quiet is a global option: put it before the command, as in kith -q scan" "$T/err"
touch "$T/afile"
"$KITH" --db "$T/afile/x.db" contacts 2>"$T/err"
eq "a store that cannot be created exits 73 (EX_CANTCREAT)" 73 $?
ok "... and says what and why" grep -q "kith: cannot create directory $T/afile: Not a directory" "$T/err"
"$KITH" frobnicate 2>"$T/err"
eq "unknown command exits 64" 64 $?
ok "unknown command says so" grep -q "unknown command 'frobnicate'" "$T/err"
ok "--version" sh -c "'$KITH' --version | grep -q '^kith [0-9]'"
