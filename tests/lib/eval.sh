#!/bin/sh
# eval.sh [KITH] - scores `kith detect --lines` on the labelled sentences in
# ../shared/eval (see ../shared/README.md): requests on parakweet-train,
# requests and promises on lin-dev.  Skips, and succeeds, when ../shared is
# absent.  Only the shipped rules are used (an empty XDG config home).
KITH=${1:-./kith}
case "$KITH" in /*) ;; *) KITH="$PWD/$KITH" ;; esac
cd "$(dirname "$0")/../.." || exit 1
S=../shared/eval
if [ ! -x "$S/score" ] || [ ! -f "$S/parakweet-train.tsv" ]; then
	echo "eval: skipped: $S is not here"
	exit 0
fi
cfg=$(mktemp -d "${TMPDIR:-/tmp}/kith-eval.XXXXXX") || exit 1
trap 'rm -rf "$cfg"' EXIT
export XDG_CONFIG_HOME="$cfg"
status=0
echo "parakweet-train.tsv (positive: request)"
"$S/score" "$S/parakweet-train.tsv" -- "$KITH" detect --lines || status=1
echo "lin-dev.tsv (positive: request or promise)"
"$S/score" --positive any "$S/lin-dev.tsv" -- "$KITH" detect --lines || status=1
exit $status
