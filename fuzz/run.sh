#!/bin/sh
# run.sh - builds the libFuzzer harnesses (fuzz/fuzz.mk, into build-fuzz/)
# and runs each for $FUZZ_SECONDS seconds (default 60).  `make fuzz` calls
# it.  Seeds: fuzz/seeds/, tests/data/, the shipped rules and, when it is
# present, ../shared/mail-corpus (copied into build-fuzz/, never into the
# tree).  New inputs accumulate in build-fuzz/corpus/NAME across runs.
# A crash leaves its input in build-fuzz/artifacts/ and fails the run:
# turn it into a file in tests/data/fuzz-regressions/ (see the README there).
#   FUZZ_SECONDS=N   time per harness
#   FUZZ_TARGETS="message rules"   only these harnesses
#   FUZZ_SEED=N      a fixed mutation seed (CI)
cd "$(dirname "$0")/.." || exit 1
: "${FUZZ_SECONDS:=60}"
B=build-fuzz
SHARED=../shared

if ! command -v "${FUZZ_CC:-clang-14}" >/dev/null 2>&1; then
	echo "fuzz: ${FUZZ_CC:-clang-14} is needed (apt-get install clang-14)" >&2
	exit 1
fi
jobs=$(nproc 2>/dev/null || echo 2)
make --no-print-directory -s -f fuzz/fuzz.mk -j"$jobs" || exit 1

# --- seeds ----------------------------------------------------------------
rm -rf "$B/seeds"
mkdir -p "$B/seeds/message" "$B/seeds/rules" "$B/seeds/dates" "$B/seeds/config" \
	"$B/seeds/vcard" "$B/seeds/imap" "$B/seeds/imap_guard" \
	"$B/artifacts"
n=0
for f in tests/data/*.eml tests/data/threads/*/*.eml tests/data/fuzz-regressions/message-*; do
	[ -f "$f" ] || continue
	n=$((n + 1)); cp "$f" "$B/seeds/message/t$n"
done
if [ -d "$SHARED/mail-corpus" ]; then
	find "$SHARED/mail-corpus" -type f ! -path '*/LICENSES/*' ! -name '*.tsv' \
		! -name '*.md' | while IFS= read -r f; do
		n=$((n + 1)); cp "$f" "$B/seeds/message/s$n-$(basename "$f" | tr -c 'A-Za-z0-9.\n-' _)"
	done
fi
cp rules/*.rules "$B/seeds/rules/"
cp fuzz/seeds/dates/* "$B/seeds/dates/"
cp fuzz/seeds/config/* "$B/seeds/config/"
cp fuzz/seeds/vcard/* "$B/seeds/vcard/"
cp fuzz/seeds/imap/* "$B/seeds/imap/"
cp fuzz/seeds/imap_guard/* "$B/seeds/imap_guard/"
for kind in rules dates config vcard imap imap_guard; do
	for f in tests/data/fuzz-regressions/"$kind"-*; do
		[ -f "$f" ] && cp "$f" "$B/seeds/$kind/"
	done
done

# --- run ------------------------------------------------------------------
export KITH_RULES_DIR="$PWD/rules"
# Leaks are errors; one-time library allocations are not reported as
# leaks by LeakSanitizer (they stay reachable).
export ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=0}"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}"
failed=""
for h in "$B"/fuzz_*; do
	[ -x "$h" ] || continue
	name=${h#"$B"/fuzz_}
	if [ -n "${FUZZ_TARGETS:-}" ]; then
		case " $FUZZ_TARGETS " in *" $name "*) ;; *) continue ;; esac
	fi
	case $name in
	message) maxlen=262144 ;;
	*) maxlen=8192 ;;
	esac
	# The guard's harness lets it pass literals of 1 MiB: an allocation
	# of more than 64 MB is libetpan reading one the guard missed.  The
	# replies libetpan fails to parse leak (suppressed, see the .supp
	# file) at thousands of runs a second, so its RSS limit is higher.
	malloc_limit=""
	[ "$name" = imap_guard ] && malloc_limit="-malloc_limit_mb=64 -rss_limit_mb=8192"
	dict=""
	[ -f "fuzz/$name.dict" ] && dict="-dict=fuzz/$name.dict"
	supp=""
	[ -f "fuzz/$name.lsan.supp" ] && supp="suppressions=$PWD/fuzz/$name.lsan.supp"
	mkdir -p "$B/corpus/$name"
	log="$B/fuzz-$name.log"
	echo "fuzz: $name for ${FUZZ_SECONDS}s"
	# FUZZ_SEED fixes the mutation sequence (CI sets it, so a run there
	# repeats the last one instead of exploring anew; explore locally).
	seed=""
	[ -n "${FUZZ_SEED:-}" ] && seed="-seed=$FUZZ_SEED"
	# shellcheck disable=SC2086
	LSAN_OPTIONS="${LSAN_OPTIONS:-}${supp:+:$supp}" \
	"$h" -max_total_time="$FUZZ_SECONDS" -timeout=20 -rss_limit_mb=2048 $malloc_limit $seed \
		-max_len="$maxlen" -print_final_stats=1 $dict \
		-artifact_prefix="$B/artifacts/$name-" \
		"$B/corpus/$name" "$B/seeds/$name" >"$log" 2>&1
	rc=$?
	grep -E '^stat::number_of_executed_units|^#[0-9]+ +DONE' "$log" | tail -n 2 | sed 's/^/fuzz:   /'
	if [ "$rc" -ne 0 ]; then
		failed="$failed $name"
		echo "fuzz: $name FAILED (exit $rc); the input is in $B/artifacts/:" >&2
		grep -E 'ERROR|SUMMARY|runtime error|Test unit written' "$log" | head -n 10 >&2
	fi
done
if [ -n "$failed" ]; then
	echo "fuzz: failures in:$failed (logs: $B/fuzz-NAME.log)" >&2
	exit 1
fi
echo "fuzz: no crash"
