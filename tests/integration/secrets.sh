#!/bin/sh
# secrets.sh - no password or token anywhere it should not be: after IMAP
# runs against a private Dovecot (passwords in the file and from commands,
# LOGIN, AUTHENTICATE PLAIN, XOAUTH2, with debug logging) and failed ones (wrong
# password, refused certificate), the test passwords appear in no output of
# any run and in no file kith wrote (store, WAL, spool, logs), and a scan
# killed with SIGSEGV leaves no core file holding them.
. "$(dirname "$0")/../lib/testlib.sh"
. "$KITH_TOP/tests/lib/dovecot.sh"

OUT="$T/out"
mkdir -p "$OUT"
NOW="2026-03-10 09:00"
CONF="$XDG_CONFIG_HOME/kith/config"
DB="$XDG_DATA_HOME/kith/kith.db"
WRONG="Wr0ng-pw-$$-x"          # a secret too: it must not leak either
run=0
k() {   # k NAME ARGS...: output in $OUT/NAME.out and .err, status in $rc
	_name=$1; shift
	"$KITH" --now "$NOW" "$@" >"$OUT/$_name.out" 2>"$OUT/$_name.err"
	rc=$?
	run=$((run + 1))
}

dovecot_fill alice INBOX 30 inbox
dovecot_fill alice Sent 3 sent
dovecot_fill bob INBOX 3000 bulk
if ! dovecot_start; then
	fail "dovecot starts"
	exit 1
fi
# bob's password is fixed by dovecot.sh; alice's is per run.
SECRETS="$DOVECOT_PASS bob-secret $WRONG"

acct() {   # acct NAME KEY=VALUE...
	printf '\n[account %s]\ntype = imap\nhost = 127.0.0.1\n' "$1"; shift
	for _kv in "$@"; do printf '%s = %s\n' "${_kv%%=*}" "${_kv#*=}"; done
}
mkdir -p "$XDG_CONFIG_HOME/kith"
{
	printf '[identity]\naddresses = alice@example.com\n'
	acct file user=alice tls=imaps "port=$DOVECOT_IMAPS_PORT" "password=$DOVECOT_PASS" \
		"cafile=$DOVECOT_CA"
	acct cmd user=alice tls=starttls "port=$DOVECOT_IMAP_PORT" \
		"passcmd=cat $DOVECOT_DIR/password" "cafile=$DOVECOT_CA"
	acct plain user=alice tls=imaps auth=plain "port=$DOVECOT_IMAPS_PORT" \
		"password=$DOVECOT_PASS" "cafile=$DOVECOT_CA"
	acct oauth user=alice tls=imaps auth=xoauth2 "port=$DOVECOT_IMAPS_PORT" \
		"password=$DOVECOT_PASS" "cafile=$DOVECOT_CA"
	acct env user=alice tls=imaps "port=$DOVECOT_IMAPS_PORT" "cafile=$DOVECOT_CA" \
		"passcmd=sh -c 'printf %s \"\$SECRET\"'"
	acct wrong user=alice tls=imaps "port=$DOVECOT_IMAPS_PORT" "password=$WRONG" \
		"cafile=$DOVECOT_CA"
	acct wrongplain user=alice tls=imaps auth=plain "port=$DOVECOT_IMAPS_PORT" \
		"password=$WRONG" "cafile=$DOVECOT_CA"
	acct badtls user=alice tls=imaps "port=$DOVECOT_IMAPS_PORT" "password=$DOVECOT_PASS"
	acct big user=bob tls=imaps "port=$DOVECOT_IMAPS_PORT" "passcmd=printf bob-secret" \
		"cafile=$DOVECOT_CA"
} >"$CONF"
chmod 600 "$CONF"

# --- runs that succeed, with debug logging ------------------------------------
k file -vv scan file
eq "scan with the password in the file exits 0" 0 "$rc"
k cmd -vv --db "$T/cmd.db" scan cmd
eq "scan with passcmd over STARTTLS exits 0" 0 "$rc"
k plain -vv --db "$T/plain.db" scan plain
eq "scan with AUTHENTICATE PLAIN exits 0" 0 "$rc"
k oauth -vv --db "$T/oauth.db" scan oauth
eq "scan with XOAUTH2 exits 0" 0 "$rc"
SECRET=$DOVECOT_PASS k env -vv --db "$T/env.db" scan env
eq "scan with a passcmd reading the environment exits 0" 0 "$rc"
ok "the scans recorded mail" test "$(sqlite3 "$DB" 'SELECT count(*) FROM messages')" -gt 30
k config config check
k contacts -vv contacts --format json

# --- runs that fail -------------------------------------------------------------
k wrong -vv --db "$T/wrong.db" scan wrong
eq "wrong password: exit 77" 77 "$rc"
k wrongplain -vv --db "$T/wrong.db" scan wrongplain
eq "wrong password with AUTHENTICATE PLAIN: exit 77" 77 "$rc"
SECRET=$WRONG k wrongenv -vv --db "$T/wrong.db" scan env
eq "wrong password from passcmd: exit 77" 77 "$rc"
k badtls -vv --db "$T/badtls.db" scan badtls
eq "certificate from an unknown CA: exit 76" 76 "$rc"
dovecot_use_cert expired
k expired -vv --db "$T/badtls.db" scan file
eq "expired certificate: exit 76" 76 "$rc"
dovecot_use_cert good
k badcmd -vv --db "$T/x.db" --config "$CONF" scan nosuch
ok "an unknown account fails" test "$rc" -ne 0

# --- a scan killed mid-way (SIGKILL: a WAL is left behind) ------------------------
# Four batches begun (two fetched, each session having begun its next),
# the server stalls: the scan commits what it has and
# waits, and is killed then.
"$KITH" --now "$NOW" -vv --db "$T/killed.db" scan big >"$OUT/killed.out" 2>"$OUT/killed.err" &
pid=$!
dovecot_stall_after "$OUT/killed.err" 4
i=0
while [ "$i" -lt 300 ]; do
	n=$(sqlite3 -batch -noheader "$T/killed.db" 'SELECT count(*) FROM messages' 2>/dev/null)
	[ "${n:-0}" -ge 100 ] && break
	i=$((i + 1)); sleep 0.05
done
kill -9 "$pid" 2>/dev/null
wait "$pid" 2>/dev/null
dovecot_resume
run=$((run + 1))

# --- a core dump of a scan that holds the password ----------------------------------
# Only with a plain build (a sanitizer build does not dump core, valgrind
# writes its own), and only when the kernel writes core files to the
# working directory.
core_kith=$KITH
case $(cat /proc/sys/kernel/core_pattern 2>/dev/null) in
'|'*|'') core_kith="" ;;   # cores go to a program (systemd-coredump, apport)
esac
if [ -n "$core_kith" ] && ! grep -q -a -e __asan_init -e __ubsan "$(dirname "$KITH")/kith-core" 2>/dev/null &&
   [ "${KITH_VALGRIND:-0}" = 0 ]; then
	mkdir -p "$T/core"
	# No password in this file: the secret only comes from passcmd.
	{
		printf '[identity]\naddresses = alice@example.com\n'
		acct big user=bob tls=imaps "port=$DOVECOT_IMAPS_PORT" \
			"passcmd=printf bob-secret" "cafile=$DOVECOT_CA"
	} >"$T/passcmd-only.conf"
	(
		cd "$T/core" || exit 1
		ulimit -c unlimited
		exec "$KITH" --now "$NOW" -vv --config "$T/passcmd-only.conf" \
			--db "$T/core.db" scan big >"$OUT/core.out" 2>"$OUT/core.err"
	) &
	pid=$!
	# stalled four batches in, as above, so it is mid-scan when it dies
	dovecot_stall_after "$OUT/core.err" 4
	i=0
	while [ "$i" -lt 300 ]; do
		n=$(sqlite3 -batch -noheader "$T/core.db" 'SELECT count(*) FROM messages' 2>/dev/null)
		[ "${n:-0}" -ge 100 ] && break
		i=$((i + 1)); sleep 0.05
	done
	ok "the scan to dump was logged in and running" test "${n:-0}" -ge 100
	kill -SEGV "$pid" 2>/dev/null
	wait "$pid" 2>/dev/null
	eq "SIGSEGV ended the scan" 139 $?
	dovecot_resume
	run=$((run + 1))
	core=$(find "$T/core" -name 'core*' -type f | head -n 1)
	if [ -n "$core" ]; then
		# A real dump holds what the process was reading.
		ok "the core file holds the scan's memory" grep -a -q 'bulk-[0-9]*@kith.test' "$core"
		grep -a -q -F bob-secret "$core" && leaked_core=yes || leaked_core=no
		eq "the core file does not hold the password" no "$leaked_core"
	else
		# kith made itself undumpable while it held a secret: no core at all.
		pass "no core file was written for a process holding a password"
	fi
fi

# --- the secrets are nowhere ----------------------------------------------------------
# Every file under $T except Dovecot's own (its passwd file) and the kith
# configs that hold passwords on purpose.
leaks=""
files=0
for f in $(find "$T" -type f ! -path "$DOVECOT_DIR/*" ! -path "$CONF" ! -name passcmd-only.conf); do
	files=$((files + 1))
	for s in $SECRETS; do
		if grep -a -q -F -- "$s" "$f"; then leaks="$leaks ${f#"$T"/}"; break; fi
	done
done
eq "no password in any of $files files: $run runs' output, stores, WAL, spool, logs" "" "$leaks"
ok "a WAL was left by the killed scan and checked" test -f "$T/killed.db-wal"
# The check can fail: the config and Dovecot's password file hold them.
ok "the check finds a password where it is" grep -q -F -- "$DOVECOT_PASS" "$CONF"
ok "the failed logins were refused by Dovecot" \
	test "$(dovecot_log_count 'auth failed\|Authentication failed\|password mismatch')" -gt 0
