#!/bin/sh
# install.sh - `make install` honours DESTDIR and PREFIX and installs the
# binaries, the rules and the man pages.
. "$(dirname "$0")/../lib/testlib.sh"

dest="$T/dest"
make -s -C "$KITH_TOP" install DESTDIR="$dest" >"$T/log" 2>&1
eq "make install DESTDIR=... succeeds" 0 $?
p="$dest/usr/local"
ok "kith is in bin" test -x "$p/bin/kith"
ok "kith-core is in libexec/kith" test -x "$p/libexec/kith/kith-core"
ok "kith-core runs" sh -c "'$p/libexec/kith/kith-core' --version | grep -q '^kith '"
n=$(ls "$KITH_TOP"/rules/*.rules | wc -l)
eq "every rule file is installed" "$n" "$(ls "$p/share/kith/rules/"*.rules | wc -l)"
eq "the installed rules check clean" 0 \
	"$(KITH_RULES_DIR="$p/share/kith/rules" "$KITH" rules check >/dev/null 2>&1; echo $?)"
ok "kith(1) is installed" test -f "$p/share/man/man1/kith.1"
ok "kith.conf(5) and kith-rules(5) are installed" \
	test -f "$p/share/man/man5/kith-rules.5" -a -f "$p/share/man/man5/kith-store.5"
eq "nothing is installed outside DESTDIR" "" \
	"$(grep -o 'install[^ ]* [^ ]*/usr/local[^ ]*' "$T/log" | grep -v "$dest" || true)"
