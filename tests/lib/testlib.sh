# testlib.sh - sourced by tests/integration/*.sh.
# Gives each script a private temp dir ($T) with its own XDG dirs, and
# check helpers that print "PASS: what" / "FAIL: what" for tests/run.sh.
set -u
: "${KITH_TOP:=$(cd "$(dirname "$0")/../.." && pwd)}"
: "${KITH:=$KITH_TOP/kith}"
SHARED="$KITH_TOP/../shared"
T=$(mktemp -d "${TMPDIR:-/tmp}/kith-test.XXXXXX")
chmod 755 "$T"
export XDG_DATA_HOME="$T/data" XDG_CONFIG_HOME="$T/config" XDG_CACHE_HOME="$T/cache"
export HOME="$T/home"
mkdir -p "$XDG_DATA_HOME" "$XDG_CONFIG_HOME" "$HOME"
DATA="$KITH_TOP/tests/data"
_cleanups=""
on_exit() { _cleanups="$1; $_cleanups"; }
# A detached drainer (kith filter's) may still linger over this test's
# store: stop it before removing the directory it writes in.  It is known
# by $T in its command line or environment (the XDG directories).
_drainers() {
	for _p in $(pgrep -f "spool drain" 2>/dev/null); do
		if tr '\0' '\n' <"/proc/$_p/cmdline" 2>/dev/null | grep -q "$T" ||
		   tr '\0' '\n' <"/proc/$_p/environ" 2>/dev/null | grep -q "=$T/"; then
			echo "$_p"
		fi
	done
}
_stop_drainers() {
	_pids=$(_drainers)
	[ -n "$_pids" ] || return 0
	kill $_pids 2>/dev/null
	_i=0
	while [ "$_i" -lt 50 ] && [ -n "$(_drainers)" ]; do
		sleep 0.1; _i=$((_i + 1))
	done
}
_finish() { eval "$_cleanups"; _stop_drainers; [ -n "${KEEP:-}" ] || rm -rf "$T"; }
trap _finish EXIT

pass() { echo "PASS: $*"; }
fail() { echo "FAIL: $*"; }
# ok WHAT COMMAND...: passes when COMMAND succeeds.
ok() { _w=$1; shift; if "$@"; then pass "$_w"; else fail "$_w"; fi; }
# eq WHAT EXPECTED ACTUAL
eq() {
	if [ "$2" = "$3" ]; then pass "$1"
	else fail "$1 (expected '$2', got '$3')"; fi
}
# sql QUERY: runs a query on the test store ($DB).
sql() { sqlite3 -batch -noheader -cmd ".timeout 10000" "$DB" "$1"; }
have_shared() { [ -d "$SHARED/mail-corpus" ]; }

# KITH_VALGRIND=1 (make valgrind): $KITH becomes a wrapper running every kith
# process under memcheck (tests/lib/valgrind.sh).  When the script ends,
# after waiting for detached drainers, any process that reported an error
# or a definite leak fails the test.
if [ "${KITH_VALGRIND:-0}" != 0 ]; then
	_vg_dir="$T/.valgrind"
	mkdir -p "$_vg_dir/log"
	# kith run by Dovecot's delivery drops to another user: let it log too
	chmod 1777 "$_vg_dir/log"
	printf '#!/bin/sh\nexec sh "%s" "%s" "%s" "$@"\n' \
		"$KITH_TOP/tests/lib/valgrind.sh" "$_vg_dir/log" "$KITH" >"$_vg_dir/kith"
	chmod 755 "$_vg_dir/kith"
	KITH="$_vg_dir/kith"
	vg_check() {
		_i=0
		while pgrep -f "$_vg_dir/log" >/dev/null 2>&1 && [ "$_i" -lt 600 ]; do
			sleep 0.2; _i=$((_i + 1))
		done
		_n=0 _bad=0
		for _f in "$_vg_dir"/log/vg.*.log; do
			[ -f "$_f" ] || continue
			_n=$((_n + 1))
			# memcheck's reports are "==PID==" lines; "--PID--" lines are
			# valgrind's own notes (a syscall it does not know, such as
			# the pidfd_open GLib tries before falling back)
			if grep -q '^==[0-9]*==' "$_f"; then
				_bad=$((_bad + 1))
				echo "valgrind: $_f:"; head -n 60 "$_f"
			fi
		done
		eq "valgrind: no error or definite leak in any of $_n kith processes" 0 "$_bad"
	}
	on_exit vg_check
fi
