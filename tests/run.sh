#!/bin/sh
# run.sh [TEST...] - runs the unit tests (cmocka binaries in $BUILD/tests)
# and the integration tests (tests/integration/*.sh), and prints the tally
# as its last line: "N passed, N failed".
# Each integration script prints "PASS: what" or "FAIL: what" per check.
# TEST names a unit binary (test_message) or a script (procmail) to run
# only those.
cd "$(dirname "$0")/.." || exit 1
: "${KITH:=$PWD/kith}" "${BUILD:=$PWD/build}"
export KITH BUILD
export KITH_TOP="$PWD"
passed=0 failed=0
log=$(mktemp)
trap 'rm -f "$log"' EXIT

want() {
	[ -z "$SELECTED" ] && return 0
	for t in $SELECTED; do [ "$t" = "$1" ] && return 0; done
	return 1
}
SELECTED="$*"

for bin in "$BUILD"/tests/test_*; do
	[ -x "$bin" ] || continue
	name=$(basename "$bin")
	want "$name" || continue
	if [ "${KITH_VALGRIND:-0}" != 0 ]; then
		# make valgrind: memcheck errors and definite leaks fail the binary
		KITH_PCRE2_NO_JIT=1 valgrind -q --error-exitcode=99 --leak-check=full \
			--errors-for-leak-kinds=definite --show-leak-kinds=definite \
			--suppressions=tests/lib/valgrind.supp "$bin" >"$log" 2>&1
	else
		"$bin" >"$log" 2>&1
	fi
	rc=$?
	p=$(grep -c '^\[       OK \]' "$log")
	f=$(grep -c '^\[  FAILED  \] [^0-9]' "$log")
	if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then f=1; fi
	passed=$((passed + p)) failed=$((failed + f))
	if [ "$f" -ne 0 ]; then
		echo "FAIL: $name"; grep -v '^\[ *\(OK\|RUN\) *\]' "$log" | tail -n 40
	else
		echo "ok:   $name ($p)"
	fi
done

for script in tests/integration/*.sh; do
	[ -f "$script" ] || continue
	name=$(basename "$script" .sh)
	want "$name" || continue
	sh "$script" >"$log" 2>&1
	rc=$?
	p=$(grep -c '^PASS: ' "$log")
	f=$(grep -c '^FAIL: ' "$log")
	if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
		f=1; echo "FAIL: $name exited $rc" >>"$log"
	fi
	passed=$((passed + p)) failed=$((failed + f))
	if [ "$f" -ne 0 ]; then
		echo "FAIL: $name"; grep -v '^PASS: ' "$log" | tail -n 40
	else
		echo "ok:   $name ($p)"
	fi
done
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
