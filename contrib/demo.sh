#!/bin/sh
# demo.sh KITH - the README's `make demo`: scans the bundled sample Maildir
# (the invented mail of Robin Vale, Sept-Nov 2026) into a temporary store
# and prints what kith knows, as of 2026-11-20, after saying that Ben is a
# mentor to keep in touch with every 60 days.
set -eu
kith=${1:-./kith}
top=$(cd "$(dirname "$0")/.." && pwd)
tmp=$(mktemp -d "${TMPDIR:-/tmp}/kith-demo.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
# A private config and store: the demo never touches yours.
export XDG_CONFIG_HOME="$tmp/config" XDG_DATA_HOME="$tmp/data"
run() { "$kith" --db "$tmp/kith.db" --me robin@vale.example --now 2026-11-20 "$@"; }

echo "== kith scan --maildir contrib/sample/Maildir"
run -v scan --maildir "$top/contrib/sample/Maildir"
echo
echo "== kith contacts"
run contacts
echo
echo "== kith contact ben@carterworks.example --role mentor --cadence 60"
# Ben was last heard from 79 days ago: within the default 90-day cadence,
# past a mentor's 60.
run contact ben@carterworks.example --role mentor --cadence 60
for step in "todo" "remind" "digest --print --text"; do
	# Later stages print when this build has them.
	# shellcheck disable=SC2086
	if out=$(run $step 2>&1); then
		echo
		echo "== kith $step"
		printf '%s\n' "$out"
	fi
done
