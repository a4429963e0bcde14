#!/bin/sh
# docs.sh - the man page matches the program: every command and every
# long option that `kith --help` and `kith COMMAND --help` list is in
# doc/kith.1, and the man pages render without warnings.
. "$(dirname "$0")/../lib/testlib.sh"

man1="$KITH_TOP/doc/kith.1"
cmds=$("$KITH" --help | awk '/^Commands:/ {on=1; next} on && /^  [a-z]/ {print $1}')
ok "kith --help lists commands" test -n "$cmds"
missing=""
for c in $cmds; do
	grep -q "^\.SS kith $c\b" "$man1" || missing="$missing $c"
done
eq "every command has a section in kith(1)" "" "$missing"

missing=""
for opt in $("$KITH" --help | grep -o -- '--[a-z][a-z-]*' | sort -u); do
	case "$opt" in --help*) continue ;; esac
	grep -q -- "$(printf '%s' "$opt" | sed 's/-/\\\\-/g')" "$man1" || missing="$missing $opt"
done
eq "every global option is in kith(1)" "" "$missing"

missing=""
for c in $cmds; do
	for opt in $("$KITH" "$c" --help 2>/dev/null | grep -o -- ' --[a-z][a-z-]*' | sort -u); do
		case "$opt" in *--help*) continue ;; esac
		grep -q -- "$(printf '%s' "$opt" | sed 's/^ //; s/-/\\\\-/g')" "$man1" || missing="$missing $c$opt"
	done
done
eq "every command option is in kith(1)" "" "$missing"

for page in "$KITH_TOP"/doc/*.[15]; do
	warnings=$(LC_ALL=C.UTF-8 MANROFFSEQ='' man --warnings -l "$page" 2>&1 >/dev/null)
	eq "$(basename "$page") renders without warnings" "" "$warnings"
done
