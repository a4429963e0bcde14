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

# The commented example configuration is valid, and names every section.
out=$("$KITH" --config "$KITH_TOP/contrib/config.example" config check 2>&1)
eq "contrib/config.example passes kith config check" 0 $?
ok "... and says ok" sh -c "printf '%s' \"\$1\" | grep -q ': ok'" _ "$out"
for sec in identity store detect remind cadence digest; do
	ok "kith.conf(5) documents [$sec]" grep -qi "^\.SH $sec" "$KITH_TOP/doc/kith.conf.5"
done
