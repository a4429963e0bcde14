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
_finish() { eval "$_cleanups"; [ -n "${KEEP:-}" ] || rm -rf "$T"; }
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
