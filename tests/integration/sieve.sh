#!/bin/sh
# sieve.sh - the shipped Sieve snippets in a real Dovecot: dovecot-lda runs
# contrib/sieve/kith.sieve (pipe :copy) and kith-execute.sieve (execute
# :pipe) through the contrib/sieve/kith wrapper in sieve_pipe_bin_dir; kith
# gets CRLF input without the mbox From_ line and records the message, which
# is delivered intact; a kith that cannot record, or a wrapper that fails,
# never costs the delivery.  IMAPSieve: a message APPENDed to Sent over IMAP
# runs contrib/sieve/sent.sieve and is recorded as one I sent.
. "$(dirname "$0")/../lib/testlib.sh"
. "$KITH_TOP/tests/lib/dovecot.sh"

# The store must be writable by the mail user (nobody when run as root).
KD="$T/kithstore"
mkdir -p "$KD"
chmod 777 "$KD"
DB="$KD/kith.db"
K() { "$KITH" --db "$DB" "$@"; }

# The wrapper as shipped, pointed at this build and this store.  No --me:
# the direction of a saved message must come from --sent alone.
wrapper() {
	sed "s|^exec /usr/local/bin/kith filter|exec \"$KITH\" --db \"$1\" filter|" \
		"$KITH_TOP/contrib/sieve/kith" >"$DOVECOT_SIEVE_BIN/kith"
	chmod 755 "$DOVECOT_SIEVE_BIN/kith"
}

mkdir -p "$DOVECOT_DIR/imapsieve"
cp "$KITH_TOP/contrib/sieve/sent.sieve" "$DOVECOT_DIR/imapsieve/sent.sieve"
dovecot_imapsieve Sent sent
if ! dovecot_start; then
	fail "dovecot starts"
	exit 1
fi
HOMEDIR="$DOVECOT_DIR/home/$DOVECOT_USER"
INBOX=$(dovecot_maildir "$DOVECOT_USER" INBOX)
grep -q 'exec /usr/local/bin/kith filter "\$@"' "$KITH_TOP/contrib/sieve/kith"
eq "contrib/sieve/kith execs kith filter with the script's arguments" 0 $?
wrapper "$DB"

# use_script FILE: the user's active Sieve script.
use_script() {
	cp "$1" "$HOMEDIR/.dovecot.sieve"
	rm -f "$HOMEDIR/.dovecot.svbin"
	[ "$(id -u)" = 0 ] && chown -R "$(id -u nobody):$(id -g nobody)" "$HOMEDIR"
	return 0
}

# message N: a distinct LF message, with an mbox From_ line first.
message() {
	cat <<EOF
From ann@partner.example Mon Mar  2 10:00:00 2026
From: Ann Lee <ann@partner.example>
To: Alice <alice@example.com>
Subject: sieve test $1
Date: Mon, 2 Mar 2026 10:0$1:00 +0000
Message-ID: <sieve-$1@partner.example>
MIME-Version: 1.0
Content-Type: text/plain; charset=utf-8

Hello Alice,

Could you send me the slides from test $1 by Friday?

Ann
EOF
}

# delivered N: the INBOX holds message N exactly once, intact: Dovecot
# adds its own header lines at the top and drops the From_ line.
delivered() {
	message "$1" | sed 1d >"$T/orig"
	_n=0
	for _f in "$INBOX"/new/* "$INBOX"/cur/*; do
		[ -f "$_f" ] || continue
		grep -q "^Message-ID: <sieve-$1@" "$_f" || continue
		_n=$((_n + 1))
		tail -c "$(wc -c <"$T/orig")" "$_f" | cmp -s - "$T/orig" || return 1
	done
	[ "$_n" -eq 1 ]
}

recorded() {
	K spool drain >/dev/null 2>&1
	sql "SELECT count(*) FROM messages WHERE message_id = 'sieve-$1@partner.example'"
}

# --- pipe :copy ------------------------------------------------------------
use_script "$KITH_TOP/contrib/sieve/kith.sieve"
message 1 | dovecot_deliver "$DOVECOT_USER"
eq "pipe :copy: dovecot-lda exits 0" 0 $?
ok "pipe :copy: delivered intact" delivered 1
eq "pipe :copy: kith recorded it" 1 "$(recorded 1)"
eq "... as received, with Ann as a contact" "0 Ann Lee" \
	"$(sql "SELECT m.direction, c.name FROM messages m, addresses a JOIN contacts c ON c.id = a.contact_id WHERE m.message_id = 'sieve-1@partner.example' AND a.addr = 'ann@partner.example'" | tr '|' ' ')"
# What the program got: CRLF line ends, no From_ line.  kith takes both.
cat >"$DOVECOT_SIEVE_BIN/kith" <<EOF
#!/bin/sh
cat >"$T/piped"
EOF
chmod 755 "$DOVECOT_SIEVE_BIN/kith"
chmod 777 "$T"
message 2 | dovecot_deliver "$DOVECOT_USER"
ok "the program's input has CRLF line ends" grep -q "$(printf 'Subject: sieve test 2\r')" "$T/piped"
ok "the program's input has no mbox From_ line" sh -c "! head -n 1 '$T/piped' | grep -q '^From '"
K filter <"$T/piped"
eq "kith records that CRLF input (same Message-ID, one message)" 1 "$(recorded 2)"
wrapper "$DB"

# --- execute :pipe ---------------------------------------------------------
use_script "$KITH_TOP/contrib/sieve/kith-execute.sieve"
message 3 | dovecot_deliver "$DOVECOT_USER"
eq "execute :pipe: dovecot-lda exits 0" 0 $?
ok "execute :pipe: delivered intact" delivered 3
eq "execute :pipe: kith recorded it" 1 "$(recorded 3)"

# --- kith cannot record: the store is unwritable ----------------------------
: >"$T/notadir"
wrapper "$T/notadir/kith.db"
use_script "$KITH_TOP/contrib/sieve/kith.sieve"
message 4 | dovecot_deliver "$DOVECOT_USER"
eq "store unwritable, pipe :copy: dovecot-lda exits 0" 0 $?
ok "store unwritable, pipe :copy: delivered intact" delivered 4
eq "... and not recorded" 0 "$(recorded 4)"
use_script "$KITH_TOP/contrib/sieve/kith-execute.sieve"
message 5 | dovecot_deliver "$DOVECOT_USER"
ok "store unwritable, execute :pipe: delivered intact" delivered 5

# --- the program itself fails (kith missing, or a temporary failure) -------
printf '#!/bin/sh\ncat >/dev/null\nexit 75\n' >"$DOVECOT_SIEVE_BIN/kith"
use_script "$KITH_TOP/contrib/sieve/kith.sieve"
message 6 | dovecot_deliver "$DOVECOT_USER"
eq "failing program, pipe :copy: dovecot-lda exits 0" 0 $?
ok "failing program, pipe :copy: delivered intact" delivered 6
rm -f "$DOVECOT_SIEVE_BIN/kith"
message 7 | dovecot_deliver "$DOVECOT_USER"
ok "missing program, pipe :copy: delivered intact" delivered 7
use_script "$KITH_TOP/contrib/sieve/kith-execute.sieve"
message 8 | dovecot_deliver "$DOVECOT_USER"
ok "missing program, execute :pipe: delivered intact" delivered 8
wrapper "$DB"

# --- IMAPSieve: APPEND to Sent ----------------------------------------------
# wait_recorded ID: the IMAPSieve pipe runs as the IMAP command completes;
# give it up to five seconds to reach the spool, then drain.
wait_recorded() {
	_i=0
	while [ "$_i" -lt 50 ]; do
		K spool drain >/dev/null 2>&1
		[ "$(sql "SELECT count(*) FROM messages WHERE message_id = '$1'")" = 1 ] && return 0
		sleep 0.1; _i=$((_i + 1))
	done
	return 1
}
cat >"$T/sent.eml" <<'EOF'
From: Alice <alice@example.com>
To: Bo Novak <bo@client.example>
Subject: the proposal
Date: Tue, 3 Mar 2026 09:00:00 +0000
Message-ID: <sent-1@example.com>
MIME-Version: 1.0
Content-Type: text/plain; charset=utf-8

Hi Bo,

I'll send you the revised proposal by Thursday.

Alice
EOF
sed 's/$/\r/' "$T/sent.eml" >"$T/sent.crlf"
dovecot_append Sent "$T/sent.crlf"
eq "IMAP APPEND to Sent succeeds" 0 $?
eq "the message is in Sent" 1 "$(dovecot_count Sent)"
wait_recorded sent-1@example.com
eq "IMAPSieve: the APPENDed message is recorded" 1 \
	"$(sql "SELECT count(*) FROM messages WHERE message_id = 'sent-1@example.com'")"
eq "... as sent (--sent from sent.sieve)" 1 \
	"$(sql "SELECT direction FROM messages WHERE message_id = 'sent-1@example.com'")"
eq "... so Bo counts one message sent to him" "1	0" \
	"$(K contacts --format tsv 2>"$T/contacts.err" | awk -F'\t' '$1 == "bo@client.example" {print $5 "\t" $6}')"
eq "... and my promise to Bo is an open item owed by me" "me" \
	"$(sql "SELECT owner FROM items i JOIN messages m ON m.id = i.message WHERE m.message_id = 'sent-1@example.com'")"
# COPY into Sent runs it too (a client that saves a draft and copies it).
sed -e 's/sent-1@/sent-2@/' -e 's/the proposal/the budget/' "$T/sent.crlf" >"$T/sent2.crlf"
dovecot_append INBOX "$T/sent2.crlf" >/dev/null
dovecot_imap INBOX 'UID COPY * Sent' >/dev/null
wait_recorded sent-2@example.com
eq "IMAPSieve: a message COPYed to Sent is recorded as sent" 1 \
	"$(sql "SELECT direction FROM messages WHERE message_id = 'sent-2@example.com'")"
eq "no Sieve errors in the Dovecot log" 0 "$(dovecot_log_count 'sieve.*[Ee]rror')"
