#!/bin/sh
# bench/run.sh - kith's benchmarks against a generated corpus, with the parse
# floor and notmuch as baselines.  `make bench` runs it from the top of the
# tree; it builds its own tools (bench/Makefile) into the cache directory.
#
# Environment (defaults in brackets):
#   BENCH_N         messages in the corpus [20000]; 2000 for a quick run
#   BENCH_SEED      generator seed [1]
#   BENCH_SENT      share of sent mail, in .Sent [0.2]
#   BENCH_REPEAT    repeats per timed measurement; medians are reported [3]
#   BENCH_NM_N      messages in the subset notmuch and kith are compared on [2000]
#   BENCH_LAT_RUNS  runs per latency measurement [500]
#   BENCH_SECTIONS  sections to run [floor notmuch kith latency imap]
#   KITH_BENCH_DIR  cache: tools, corpus, databases [/tmp/kith-bench]
#   KITH            the kith binary [./kith]
#
# The corpus is generated once per (N, seed, sent share, generator source)
# and reused.  Each section is a function (section_NAME) that leaves its
# figures in shell variables; summary() prints them with the targets.
# Figures are set through eval (stats, latency_of):
# shellcheck disable=SC2034,SC2154
set -u

top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top" || exit 1

N=${BENCH_N:-20000}
SEED=${BENCH_SEED:-1}
SENT=${BENCH_SENT:-0.2}
REPEAT=${BENCH_REPEAT:-3}
NM_N=${BENCH_NM_N:-2000}
LAT_RUNS=${BENCH_LAT_RUNS:-500}
SECTIONS=${BENCH_SECTIONS:-floor notmuch kith latency imap}
CACHE=${KITH_BENCH_DIR:-/tmp/kith-bench}
KITH=${KITH:-./kith}
case $KITH in /*) ;; *) KITH=$top/${KITH#./} ;; esac

BIN=$CACHE/bin
CORPUS=$CACHE/corpus-n$N-s$SEED-f$SENT
SUBSET=$CACHE/subset-$NM_N
ONE=$CACHE/one-s$SEED.eml
WORK=$CACHE/work
LOGS=$WORK/logs
TIME=/usr/bin/time
ME=me@example.org

say() { printf '%s\n' "$*"; }
note() { printf 'bench: %s\n' "$*" >&2; }
die() { note "$*"; exit 1; }

# --- numbers -------------------------------------------------------------

# median < numbers (one a line)
median() {
	sort -g | awk '{ a[NR] = $1 }
		END { if (!NR) exit 1; if (NR % 2) print a[(NR + 1) / 2];
		      else print (a[NR / 2] + a[NR / 2 + 1]) / 2 }'
}

# calc EXPR: floating-point arithmetic with awk
calc() { awk "BEGIN { printf \"%.6g\", $1 }"; }

# fmt FORMAT VALUE: "-" when VALUE is empty
fmt() { if [ -n "$2" ]; then awk -v v="$2" "BEGIN { printf \"$1\", v }"; else printf -- -; fi; }

# timed NAME COMMAND...: runs COMMAND under /usr/bin/time, appending
# "wall user sys maxrss_kb" to $LOGS/NAME.times; output goes to NAME.log.
timed() {
	name=$1
	shift
	"$TIME" -f '%e %U %S %M' -o "$LOGS/$name.t1" "$@" >>"$LOGS/$name.log" 2>&1
	rc=$?
	if [ $rc -eq 0 ]; then
		tail -n 1 "$LOGS/$name.t1" >>"$LOGS/$name.times"
	fi
	return $rc
}

# stats NAME PREFIX: sets PREFIX_wall, PREFIX_cpu (user+sys), PREFIX_rss (MB)
# to the medians of NAME's repeats.
stats() {
	f=$LOGS/$1.times
	w=$(awk '{ print $1 }' "$f" | median)
	c=$(awk '{ print $2 + $3 }' "$f" | median)
	r=$(awk '{ print $4 / 1024 }' "$f" | median)
	eval "$2_wall=\$w; $2_cpu=\$c; $2_rss=\$r"
}

# warm DIR...: reads every file so that timings start from a warm page cache
warm() { find "$@" -type f -exec cat {} + >/dev/null 2>&1; }

repeat() {
	i=0
	while [ $i -lt "$REPEAT" ]; do
		"$@" || return 1
		i=$((i + 1))
	done
}

# --- setup -----------------------------------------------------------------

ensure_debs() {
	missing=""
	for p in "$@"; do
		st=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null)
		case "$st" in *"ok installed") ;; *) missing="$missing $p" ;; esac
	done
	[ -z "$missing" ] && return 0
	if [ "$(id -u)" != 0 ]; then
		note "missing Debian packages:$missing (sections that need them are skipped)"
		return 0
	fi
	note "installing:$missing"
	export DEBIAN_FRONTEND=noninteractive
	# shellcheck disable=SC2086
	apt-get -o DPkg::Lock::Timeout=600 install -y -qq --no-install-recommends $missing >&2 ||
	{ apt-get -o DPkg::Lock::Timeout=600 update -qq >&2 &&
	  apt-get -o DPkg::Lock::Timeout=600 install -y -qq --no-install-recommends $missing >&2; } ||
	note "could not install:$missing"
}

setup() {
	command -v dpkg-query >/dev/null 2>&1 &&
		ensure_debs gcc make pkg-config libglib2.0-dev libgmime-3.0-dev \
			notmuch isync hyperfine time
	[ -x "$TIME" ] || die "$TIME (GNU time) is needed"
	mkdir -p "$BIN" || die "cannot create $BIN"
	make -s -f bench/Makefile O="$BIN" >&2 || die "building the bench tools failed"
	rm -rf "$WORK"
	mkdir -p "$LOGS"
	# kith and notmuch see only what the benchmark gives them
	export XDG_CONFIG_HOME="$WORK/xdg/config" XDG_DATA_HOME="$WORK/xdg/data" \
		XDG_STATE_HOME="$WORK/xdg/state" XDG_CACHE_HOME="$WORK/xdg/cache"
	export NOTMUCH_CONFIG="$WORK/notmuch-config"
	unset NOTMUCH_PROFILE NOTMUCH_DATABASE 2>/dev/null
}

corpus() {
	stamp="n=$N seed=$SEED sent=$SENT gen=$(cksum <bench/gen-maildir.c | cut -d' ' -f1)"
	if [ -f "$CORPUS.stamp" ] && [ "$(cat "$CORPUS.stamp")" = "$stamp" ]; then
		note "reusing the corpus in $CORPUS"
	else
		note "generating $N messages into $CORPUS"
		rm -rf "$CORPUS" "$CORPUS.stamp"
		"$BIN/gen-maildir" -n "$N" -s "$SEED" --sent-fraction "$SENT" "$CORPUS" ||
			die "generating the corpus failed"
		printf '%s\n' "$stamp" >"$CORPUS.stamp"
	fi
	"$BIN/gen-maildir" -s "$SEED" --one "$ONE" 2>/dev/null || die "generating $ONE failed"
	CORPUS_MSGS=$(find "$CORPUS" -type f -path '*/cur/*' -o -type f -path '*/new/*' | wc -l)
	CORPUS_MB=$(du -sm "$CORPUS" | cut -f1)

	# The subset: every k-th message (inbox and .Sent alike), hard-linked;
	# rebuilt each run because notmuch insert adds to it.
	rm -rf "$SUBSET"
	for d in cur new tmp .Sent/cur .Sent/new .Sent/tmp; do mkdir -p "$SUBSET/$d"; done
	: >"$SUBSET/.Sent/maildirfolder"
	k=$((CORPUS_MSGS / NM_N))
	[ $k -lt 1 ] && k=1
	(cd "$CORPUS" && find cur new .Sent/cur .Sent/new -type f | sort |
		awk -v k=$k -v n="$NM_N" 'NR % k == 0 && c < n { print; c++ }' |
		xargs cp -l --parents -t "$SUBSET" 2>/dev/null) ||
	(cd "$CORPUS" && find cur new .Sent/cur .Sent/new -type f | sort |
		awk -v k=$k -v n="$NM_N" 'NR % k == 0 && c < n { print; c++ }' |
		xargs cp --parents -t "$SUBSET") || die "building the subset failed"
	SUBSET_MSGS=$(find "$SUBSET" -type f -path '*/cur/*' -o -type f -path '*/new/*' | wc -l)
	SUBSET_MB=$(du -sm "$SUBSET" | cut -f1)
}

notmuch_config() {
	mkdir -p "$WORK/notmuch-db"
	cat >"$NOTMUCH_CONFIG" <<EOF
[database]
path=$WORK/notmuch-db
mail_root=$SUBSET
[user]
name=Sam Rivera
primary_email=$ME
[new]
tags=unread;inbox;
ignore=maildirfolder
[search]
exclude_tags=deleted;spam;
[maildir]
synchronize_flags=true
EOF
}

# --- sections ----------------------------------------------------------------

section_floor() {
	say "== parse floor: GMime parse + text extraction over $CORPUS_MSGS messages"
	warm "$CORPUS"
	repeat timed floor "$BIN/parse-floor" "$CORPUS" || {
		note "parse-floor failed; see $LOGS/floor.log"
		return 1
	}
	stats floor floor
	floor_msgs=$(sed -n 's/.*messages=\([0-9]*\).*/\1/p' "$LOGS/floor.log" | head -n 1)
	floor_rate=$(calc "$floor_msgs / $floor_wall")
}

notmuch_new_once() {
	rm -rf "$WORK/notmuch-db"
	notmuch_config
	warm "$SUBSET"
	timed notmuch-new notmuch new --quiet
}

section_notmuch() {
	say "== notmuch new: initial index of $SUBSET_MSGS messages"
	command -v notmuch >/dev/null 2>&1 || { note "notmuch is not installed; skipped"; return 0; }
	repeat notmuch_new_once || {
		note "notmuch new failed; see $LOGS/notmuch-new.log"
		return 1
	}
	stats notmuch-new nm
	nm_msgs=$(notmuch count '*' 2>/dev/null)
	[ "$nm_msgs" = "$SUBSET_MSGS" ] ||
		note "notmuch indexed $nm_msgs messages of $SUBSET_MSGS files"
	nm_rate=$(calc "$SUBSET_MSGS / $nm_wall")
}

# The commands kith is run with (global options come before the command).
kith_scan_once() {
	# kith_scan_once NAME MAILDIR
	rm -rf "$WORK/kith-$1.db" "$WORK/kith-$1.db".*
	warm "$2"
	timed "kith-scan-$1" "$KITH" --db "$WORK/kith-$1.db" --me "$ME" scan --maildir "$2"
}

kith_missing() {
	if [ ! -x "$KITH" ]; then
		kith_note="kith is not built ($KITH)"
		return 0
	fi
	return 1
}

section_kith() {
	say "== kith scan: $CORPUS_MSGS messages, and the $SUBSET_MSGS-message subset"
	if kith_missing; then
		note "$kith_note; skipped"
		return 0
	fi
	if ! repeat kith_scan_once full "$CORPUS"; then
		kith_note="kith scan failed (see $LOGS/kith-scan-full.log)"
		note "$kith_note:"
		tail -n 5 "$LOGS/kith-scan-full.log" >&2
		return 0
	fi
	stats kith-scan-full ks
	ks_rate=$(calc "$CORPUS_MSGS / $ks_wall")
	if repeat kith_scan_once subset "$SUBSET"; then
		stats kith-scan-subset kss
		kss_rate=$(calc "$SUBSET_MSGS / $kss_wall")
	else
		note "kith scan of the subset failed; see $LOGS/kith-scan-subset.log"
	fi
}

# latency_of NAME COMMAND...: sets NAME_med, NAME_p99 and NAME_cpu (the
# command's own median CPU time), in ms
latency_of() {
	name=$1
	shift
	out=$("$BIN/latency" -n "$LAT_RUNS" -u -i "$ONE" -- "$@" 2>"$LOGS/latency-$name.err")
	rc=$?
	printf '%s\n' "$out" >"$LOGS/latency-$name.log"
	med=$(printf '%s\n' "$out" | sed -n 's/.* median_ms=\([0-9.]*\).*/\1/p')
	p99=$(printf '%s\n' "$out" | sed -n 's/.* p99_ms=\([0-9.]*\).*/\1/p')
	cpu=$(printf '%s\n' "$out" | sed -n 's/.*cpu_median_ms=\([0-9.]*\).*/\1/p')
	eval "${name}_med=\$med; ${name}_p99=\$p99; ${name}_cpu=\$cpu"
	return $rc
}

section_latency() {
	say "== delivery latency: $LAT_RUNS runs each, a $(wc -c <"$ONE")-byte message on stdin"
	latency_of exec /bin/true || note "the exec floor failed"
	if kith_missing; then
		note "$kith_note; kith filter skipped"
	else
		db=$WORK/kith-subset.db
		[ -e "$db" ] || db=$WORK/kith-filter.db
		if ! latency_of filter "$KITH" --db "$db" --me "$ME" filter; then
			filter_med=""
			filter_p99=""
			filter_cpu=""
			kith_note="kith filter failed (see $LOGS/latency-filter.err)"
			note "$kith_note:"
			tail -n 5 "$LOGS/latency-filter.err" >&2
		fi
	fi
	if command -v notmuch >/dev/null 2>&1; then
		# insert into the subset's database, as a delivery would
		[ -d "$WORK/notmuch-db/xapian" ] || notmuch_new_once ||
			note "notmuch new failed; see $LOGS/notmuch-new.log"
		latency_of insert notmuch insert --folder=bench-insert --create-folder || {
			insert_med=""
			insert_p99=""
			insert_cpu=""
			note "notmuch insert failed; see $LOGS/latency-insert.err"
		}
	fi
}

# Hooks for the IMAP benchmarks (a local Dovecot serving $CORPUS): a full
# first scan, and a rescan with no changes.  Each should set
# imap_full_wall/_cpu/_rss/_rate and imap_nochange_wall/_cpu/_rss.
section_imap_full() {
	note "imap full scan: not written yet"
}
section_imap_nochange() {
	note "imap no-change rescan: not written yet"
}
section_imap() {
	say "== IMAP"
	section_imap_full
	section_imap_nochange
}

# --- summary -------------------------------------------------------------------

# check MEASURED OP TARGET: PASS/FAIL, or "-" without a measurement
check() {
	[ -n "$1" ] || { printf -- -; return; }
	awk -v m="$1" -v t="$3" "BEGIN { print (m $2 t) ? \"PASS\" : \"FAIL\" }"
}

row() {
	# row LABEL WALL CPU RSS RATE
	printf '%-34s %9s %9s %10s %10s\n' "$1" "$(fmt %.2f "$2")" "$(fmt %.2f "$3")" \
		"$(fmt '%.1f MB' "$4")" "$(fmt %.0f "$5")"
}

summary() {
	say ""
	say "kith benchmarks: $CORPUS_MSGS messages ($CORPUS_MB MB), subset $SUBSET_MSGS" \
		"($SUBSET_MB MB), medians of $REPEAT, $(nproc 2>/dev/null || echo ?) CPUs," \
		"load $(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null)"
	say ""
	printf '%-34s %9s %9s %10s %10s\n' "" "wall s" "CPU s" "peak RSS" "msg/s"
	row "parse floor ($CORPUS_MSGS)" "${floor_wall:-}" "${floor_cpu:-}" "${floor_rss:-}" "${floor_rate:-}"
	row "kith scan ($CORPUS_MSGS)" "${ks_wall:-}" "${ks_cpu:-}" "${ks_rss:-}" "${ks_rate:-}"
	row "notmuch new ($SUBSET_MSGS)" "${nm_wall:-}" "${nm_cpu:-}" "${nm_rss:-}" "${nm_rate:-}"
	row "kith scan ($SUBSET_MSGS)" "${kss_wall:-}" "${kss_cpu:-}" "${kss_rss:-}" "${kss_rate:-}"
	say ""
	printf '%-34s %9s %9s %10s\n' "delivery of one message" "median ms" "p99 ms" "CPU ms"
	for l in "exec floor (/bin/true):exec" "kith filter:filter" "notmuch insert:insert"; do
		v=${l##*:}
		eval "m=\${${v}_med:-}; p=\${${v}_p99:-}; c=\${${v}_cpu:-}"
		printf '%-34s %9s %9s %10s\n' "${l%:*}" "$(fmt %.2f "$m")" "$(fmt %.2f "$p")" \
			"$(fmt %.2f "$c")"
	done
	say ""

	r_nm=""; r_floor=""; r_ins=""; rss=""
	[ -n "${kss_rate:-}" ] && [ -n "${nm_rate:-}" ] && r_nm=$(calc "$kss_rate / $nm_rate")
	[ -n "${ks_wall:-}" ] && [ -n "${floor_wall:-}" ] && r_floor=$(calc "$ks_wall / $floor_wall")
	[ -n "${filter_med:-}" ] && [ -n "${insert_med:-}" ] && r_ins=$(calc "$filter_med / $insert_med")
	[ -n "${ks_rss:-}" ] && rss=$ks_rss
	[ -n "${kss_rss:-}" ] && [ -z "$rss" ] && rss=$kss_rss
	printf '%-40s %10s %10s  %s\n' "target" "measured" "goal" "result"
	printf '%-40s %10s %10s  %s\n' "kith scan msg/s / notmuch new msg/s" \
		"$(fmt %.1fx "$r_nm")" ">= 20x" "$(check "$r_nm" '>=' 20)"
	printf '%-40s %10s %10s  %s\n' "kith scan time / parse floor time" \
		"$(fmt %.2fx "$r_floor")" "<= 1.5x" "$(check "$r_floor" '<=' 1.5)"
	printf '%-40s %10s %10s  %s\n' "kith filter median" \
		"$(fmt '%.2f ms' "${filter_med:-}")" "< 5 ms" "$(check "${filter_med:-}" '<' 5)"
	printf '%-40s %10s %10s  %s\n' "kith filter / notmuch insert (median)" \
		"$(fmt %.3f "$r_ins")" "< 0.2" "$(check "$r_ins" '<' 0.2)"
	printf '%-40s %10s %10s  %s\n' "kith scan peak RSS" \
		"$(fmt '%.1f MB' "$rss")" "< 50 MB" "$(check "$rss" '<' 50)"
	# CPU time is steadier than wall time on a busy machine
	c_nm=""; c_floor=""
	[ -n "${kss_cpu:-}" ] && [ -n "${nm_cpu:-}" ] && c_nm=$(calc "$nm_cpu / $kss_cpu")
	[ -n "${ks_cpu:-}" ] && [ -n "${floor_cpu:-}" ] && c_floor=$(calc "$ks_cpu / $floor_cpu")
	printf '%-40s %10s %10s  %s\n' "(CPU) notmuch new / kith scan, same mail" \
		"$(fmt %.1fx "$c_nm")" "" "info"
	printf '%-40s %10s %10s  %s\n' "(CPU) kith scan / parse floor" \
		"$(fmt %.2fx "$c_floor")" "" "info"
	c_ins=""
	[ -n "${filter_cpu:-}" ] && [ -n "${insert_cpu:-}" ] && c_ins=$(calc "$filter_cpu / $insert_cpu")
	printf '%-40s %10s %10s  %s\n' "(CPU) kith filter / notmuch insert" \
		"$(fmt %.3f "$c_ins")" "" "info"
	[ -n "${kith_note:-}" ] && say "" && say "note: $kith_note"
	say ""
	say "logs: $LOGS"
}

# --- main ------------------------------------------------------------------------

setup
corpus
for s in $SECTIONS; do
	case $s in
	floor | notmuch | kith | latency | imap) "section_$s" ;;
	*) note "unknown section: $s" ;;
	esac
done
summary | tee "$CACHE/last-results.txt"
