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
#   BENCH_NM_N      messages notmuch and kith are compared on [BENCH_N: all]
#   BENCH_LAT_RUNS  runs per latency measurement [500]
#   BENCH_SECTIONS  sections to run [floor notmuch kith latency imap]
#   BENCH_IMAP_N    messages in the mailbox the IMAP section serves [10000]
#   BENCH_WAN_MS    delay each way of the distant link in section imap [15]
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
NM_N=${BENCH_NM_N:-$N}
LAT_RUNS=${BENCH_LAT_RUNS:-500}
SECTIONS=${BENCH_SECTIONS:-floor notmuch kith latency imap}
IMAP_N=${BENCH_IMAP_N:-10000}
WAN_MS=${BENCH_WAN_MS:-15}
CACHE=${KITH_BENCH_DIR:-/tmp/kith-bench}
KITH=${KITH:-./kith}
case $KITH in /*) ;; *) KITH=$top/${KITH#./} ;; esac

BIN=$CACHE/bin
CORPUS=$CACHE/corpus-n$N-s$SEED-f$SENT
SUBSET=$CACHE/subset-$NM_N
IMAP_CORPUS=$CACHE/corpus-n$IMAP_N-s$SEED-f$SENT
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

# ratio A B: A / B, or nothing when either is empty
ratio() { if [ -n "$1" ] && [ -n "$2" ]; then calc "$1 / $2"; fi; }

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
			notmuch isync hyperfine time dovecot-imapd dovecot-sieve \
			sqlite3 curl openssl
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
	# Who "me" is comes from the config file, as in a real setup (a --me
	# on the command line would be kept beside each spooled message).
	mkdir -p "$XDG_CONFIG_HOME/kith"
	printf '[identity]\naddresses = %s\n' "$ME" >"$XDG_CONFIG_HOME/kith/config"
	snapshot_kith
}

# A build tree's kith is copied (with kith-core and rules/ beside it), so
# that rebuilding the tree during a run cannot mix two versions.
snapshot_kith() {
	d=$(dirname "$KITH")
	[ -x "$KITH" ] && [ -x "$d/kith-core" ] && [ -d "$d/rules" ] || return 0
	mkdir -p "$WORK/kith" &&
	cp -p "$KITH" "$d/kith-core" "$WORK/kith/" &&
	cp -pr "$d/rules" "$WORK/kith/" || die "cannot copy kith to $WORK/kith"
	note "running a copy of $KITH ($(cd "$d" && git describe --always --dirty 2>/dev/null || echo ?))"
	KITH=$WORK/kith/kith
	# outside a build tree kith looks for its rules where it is installed
	export KITH_RULES_DIR="$WORK/kith/rules"
}

# gen_corpus DIR COUNT: the generated maildir of COUNT messages in DIR,
# made once per (count, seed, sent share, generator source).
gen_corpus() {
	stamp="n=$2 seed=$SEED sent=$SENT gen=$(cksum <bench/gen-maildir.c | cut -d' ' -f1)"
	if [ -f "$1.stamp" ] && [ "$(cat "$1.stamp")" = "$stamp" ]; then
		note "reusing the corpus in $1"
		return 0
	fi
	note "generating $2 messages into $1"
	rm -rf "$1" "$1.stamp"
	"$BIN/gen-maildir" -n "$2" -s "$SEED" --sent-fraction "$SENT" "$1" || return 1
	printf '%s\n' "$stamp" >"$1.stamp"
}

# msgs_in MAILDIR: the number of message files in it and its subfolders
msgs_in() { find "$1" -type f \( -path '*/cur/*' -o -path '*/new/*' \) | wc -l; }

corpus() {
	gen_corpus "$CORPUS" "$N" || die "generating the corpus failed"
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

# notmuch_new_bracketed: notmuch new, then kith's scan of the same subset.
# With a kith scan before the first, each notmuch run has one just before
# and one just after it, and its ratio is taken to their mean: a notmuch
# run lasts half a minute, long enough for this kind of VM to change speed,
# and runs minutes away from the kith section's.
notmuch_new_bracketed() {
	notmuch_new_once || return 1
	kith_scan_nmpair
}

kith_scan_nmpair() {
	kith_missing && return 0
	kith_scan_once nmpair "$SUBSET" ||
		note "kith scan failed; see $LOGS/kith-scan-nmpair.log"
	return 0
}

section_notmuch() {
	say "== notmuch new: initial index of $SUBSET_MSGS messages"
	command -v notmuch >/dev/null 2>&1 || { note "notmuch is not installed; skipped"; return 0; }
	kith_scan_nmpair
	repeat notmuch_new_bracketed || {
		note "notmuch new failed; see $LOGS/notmuch-new.log"
		return 1
	}
	stats notmuch-new nm
	# kith-scan-nmpair.times has REPEAT + 1 lines: runs i and i+1 bracket
	# notmuch run i
	[ "$(wc -l <"$LOGS/kith-scan-nmpair.times" 2>/dev/null)" = $((REPEAT + 1)) ] &&
		nm_pair_ratio=$(awk 'NR == FNR { k[NR] = $1; next }
			{ print $1 / ((k[FNR] + k[FNR + 1]) / 2) }' \
			"$LOGS/kith-scan-nmpair.times" "$LOGS/notmuch-new.times" | median)
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
	timed "kith-scan-$1" "$KITH" --db "$WORK/kith-$1.db" scan --maildir "$2"
}

# kith_scan_paired MAILDIR: the parse floor, then kith's scan, back to back,
# so that their ratio is taken on a machine in the same state (this kind
# of VM drifts by a third within the hour, and the floor's own section
# runs minutes earlier).
kith_scan_paired() {
	warm "$1"
	timed floor-paired "$BIN/parse-floor" -q "$1" || return 1
	kith_scan_once full "$1"
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
	if ! repeat kith_scan_paired "$CORPUS"; then
		kith_note="kith scan failed (see $LOGS/kith-scan-full.log)"
		note "$kith_note:"
		tail -n 5 "$LOGS/kith-scan-full.log" >&2
		return 0
	fi
	stats kith-scan-full ks
	# the median of the paired runs' ratios: each pair ran back to back
	ks_floor_ratio=$(paste "$LOGS/floor-paired.times" "$LOGS/kith-scan-full.times" |
		awk 'NF >= 5 && $1 > 0 { print $5 / $1 }' | median)
	ks_rate=$(calc "$CORPUS_MSGS / $ks_wall")
	# a scan that detects nothing is not the scan a user runs
	ks_items=$(sqlite3 -batch -noheader "$WORK/kith-full.db" 'SELECT count(*) FROM items' 2>/dev/null)
	[ "${ks_items:-0}" -gt 0 ] || {
		kith_note="kith scan opened no items: its rules were not found"
		note "$kith_note"
	}
	if [ "$SUBSET_MSGS" = "$CORPUS_MSGS" ]; then
		# the subset is the whole corpus: the same scan
		kss_wall=$ks_wall kss_cpu=$ks_cpu kss_rss=$ks_rss kss_rate=$ks_rate
	elif repeat kith_scan_once subset "$SUBSET"; then
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
		# deliveries into the store of the whole corpus
		db=$WORK/kith-full.db
		[ -e "$db" ] || db=$WORK/kith-filter.db
		before=$(stored "$db")
		if ! latency_of filter "$KITH" --db "$db" filter; then
			filter_med=""
			filter_p99=""
			filter_cpu=""
			kith_note="kith filter failed (see $LOGS/latency-filter.err)"
			note "$kith_note:"
			tail -n 5 "$LOGS/latency-filter.err" >&2
		fi
		# What the background drain has not recorded yet is recorded
		# now, so that nothing of it runs during what follows.
		"$KITH" --db "$db" spool drain >>"$LOGS/latency-filter.err" 2>&1
		got=$(( $(stored "$db") - ${before:-0} ))
		want=$((LAT_RUNS + 5))
		[ "$got" = "$want" ] || note "kith recorded $got of the $want messages delivered"
	fi
	if command -v notmuch >/dev/null 2>&1; then
		# insert into the database of the same mail, as a delivery would
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

# --- IMAP -----------------------------------------------------------------
#
# A private Dovecot (tests/lib/dovecot.sh) on 127.0.0.1 serves a copy of
# the $IMAP_N-message corpus: its inbox as INBOX, its .Sent as Sent.  Each
# repeat runs, one after the other so that the machine's load falls on all
# alike: kith's full IMAP scan into a fresh store, kith's maildir scan of
# the same corpus into a fresh store, and mbsync pulling both folders over
# IMAPS into a fresh Maildir with its defaults (fsync on).  Then the
# no-change rescans of the mailbox into the last full scan's store.  One
# untimed run of each client first lets Dovecot build its indexes and
# caches, as any mailbox that has been read before has them.

# dovecot.sh needs testlib.sh's $T and on_exit; these are the bench's own.
_cleanups=""
on_exit() { _cleanups="$1; $_cleanups"; }
trap 'eval "$_cleanups"' EXIT

imap_dovecot() {
	T=$WORK/imap
	mkdir -p "$T" && chmod 755 "$T" || return 1
	# shellcheck source=../tests/lib/dovecot.sh
	. "$top/tests/lib/dovecot.sh"
	dovecot_start || return 1
	IMAP_MAILDIR=$(dovecot_maildir "$DOVECOT_USER")
	cp -r "$IMAP_CORPUS/." "$IMAP_MAILDIR/" || return 1
	if [ "$(id -u)" = 0 ]; then
		chown -R "$(id -u nobody):$(id -g nobody)" "$DOVECOT_DIR/mail"
	fi
	IMAP_URL="imaps://$DOVECOT_USER@$DOVECOT_HOST:$DOVECOT_IMAPS_PORT/INBOX,Sent"
	IMAP_PLAIN_URL="imap+plain://$DOVECOT_USER@$DOVECOT_HOST:$DOVECOT_IMAP_PORT/INBOX,Sent"
	IMAP_PASSCMD="cat $DOVECOT_DIR/password"
	n_in=$(dovecot_count INBOX)
	n_sent=$(dovecot_count Sent)
	[ "$((n_in + n_sent))" = "$IMAP_MSGS" ] || {
		note "Dovecot serves $n_in + $n_sent messages, not $IMAP_MSGS"
		return 1
	}
}

# The mbsync configurations: pull INBOX and Sent into $WORK/mbsync, over
# IMAPS (mbsyncrc) and over plain IMAP on loopback (mbsyncrc-plain).
imap_mbsyncrc() {
	mbsyncrc_for "$WORK/mbsyncrc" "$DOVECOT_IMAPS_PORT" "SSLType IMAPS
CertificateFile $DOVECOT_CA"
	mbsyncrc_for "$WORK/mbsyncrc-plain" "$DOVECOT_IMAP_PORT" "SSLType None"
}

# mbsyncrc_for FILE PORT TLS-LINES
mbsyncrc_for() {
	cat >"$1" <<EOF
IMAPAccount bench
# mbsync checks DNS names only; the certificate names localhost too
Host localhost
Port $2
User $DOVECOT_USER
PassCmd "$IMAP_PASSCMD"
$3

IMAPStore bench-far
Account bench

MaildirStore bench-near
Path $WORK/mbsync/
Inbox $WORK/mbsync/INBOX
SubFolders Verbatim

Channel bench
Far :bench-far:
Near :bench-near:
Patterns INBOX Sent
Sync Pull
Create Near
SyncState *
EOF
}

# kith_imap_scan NAME DB [URL]: kith scan --imap into DB, timed as NAME
kith_imap_scan() {
	timed "$1" "$KITH" --db "$2" scan --imap "${3:-$IMAP_URL}" \
		--cafile "$DOVECOT_CA" --passcmd "$IMAP_PASSCMD"
}

fresh_db() { rm -rf "$1" "$1".*; }

# stored DB: messages in a kith store
stored() { sqlite3 -batch -noheader "$1" 'SELECT count(*) FROM messages' 2>/dev/null; }

# ledger DB: the items' states, a line "STATUS COUNT" each
ledger() {
	sqlite3 -batch -noheader -separator ' ' "$1" \
		'SELECT status, count(*) FROM items GROUP BY status ORDER BY status' 2>/dev/null
}

# The CPU seconds Dovecot's processes have used and been reaped for (its
# per-session imap and imap-login processes end with the session).
dovecot_cpu() {
	awk -v hz="$(getconf CLK_TCK)" '{ printf "%.2f", ($14 + $15 + $16 + $17) / hz }' \
		"/proc/$_dovecot_pid/stat" 2>/dev/null
}

# server_timed NAME COMMAND...: COMMAND under timed, with the CPU Dovecot
# used meanwhile appended to $LOGS/NAME.server (the server runs on the
# same cores as the client, so its share bounds the client's speed).
server_timed() {
	_c0=$(dovecot_cpu)
	timed "$@" || return 1
	_i=0
	while pgrep -P "$_dovecot_pid" -x imap >/dev/null 2>&1 && [ $_i -lt 50 ]; do
		sleep 0.1; _i=$((_i + 1))
	done
	[ -n "$_c0" ] && calc "$(dovecot_cpu) - $_c0" >>"$LOGS/$1.server" &&
		echo >>"$LOGS/$1.server"
	return 0
}

imap_full_once() {
	fresh_db "$WORK/kith-imap.db"
	warm "$IMAP_MAILDIR"
	server_timed kith-imap-full "$KITH" --db "$WORK/kith-imap.db" scan --imap "$IMAP_URL" \
		--cafile "$DOVECOT_CA" --passcmd "$IMAP_PASSCMD"
}

imap_plain_once() {
	fresh_db "$WORK/kith-imap-plain.db"
	warm "$IMAP_MAILDIR"
	server_timed kith-imap-plain "$KITH" --db "$WORK/kith-imap-plain.db" scan \
		--imap "$IMAP_PLAIN_URL" --cafile "$DOVECOT_CA" --passcmd "$IMAP_PASSCMD"
}

imap_maildir_once() {
	fresh_db "$WORK/kith-imap-maildir.db"
	warm "$IMAP_CORPUS"
	timed kith-imap-maildir "$KITH" --db "$WORK/kith-imap-maildir.db" \
		scan --maildir "$IMAP_CORPUS"
}

# imap_floor_once NAME [-s] PORT: the IMAP fetch floor (bench/imap-floor.c):
# libetpan alone fetching both folders, 100 UIDs per UID FETCH, one
# command at a time, the mail thrown away.  A full scan does all that and
# parses, detects and stores the mail besides.
imap_floor_once() {
	_name=$1; shift
	warm "$IMAP_MAILDIR"
	server_timed "$_name" "$BIN/imap-floor" "$@" "$DOVECOT_USER" \
		"$DOVECOT_DIR/password" INBOX Sent
}

# mbsync_once [NAME RC]
mbsync_once() {
	rm -rf "$WORK/mbsync"
	mkdir -p "$WORK/mbsync"
	warm "$IMAP_MAILDIR"
	timed "${1:-mbsync}" mbsync -c "${2:-$WORK/mbsyncrc}" -q bench
}

# The first full scan of the mailbox: sets imap_full_*, imap_maildir_* and
# mbsync_*; the store of the last full scan is left for the rescans.
section_imap_full() {
	if kith_missing; then
		note "$kith_note; IMAP skipped"
		return 1
	fi
	have_mbsync=1
	command -v mbsync >/dev/null 2>&1 || { have_mbsync=""; note "mbsync is not installed; skipped"; }
	[ -n "$have_mbsync" ] && imap_mbsyncrc
	# untimed: Dovecot indexes the mailbox and caches what clients fetch
	fresh_db "$WORK/kith-imap-warmup.db"
	if ! kith_imap_scan kith-imap-warmup "$WORK/kith-imap-warmup.db"; then
		kith_note="kith scan --imap failed (see $LOGS/kith-imap-warmup.log)"
		note "$kith_note:"
		tail -n 5 "$LOGS/kith-imap-warmup.log" >&2
		return 1
	fi
	rm -f "$LOGS/kith-imap-warmup.times"
	if [ -n "$have_mbsync" ]; then
		mbsync_once || { have_mbsync=""; note "mbsync failed; see $LOGS/mbsync.log"; }
		rm -f "$LOGS/mbsync.times"
	fi
	i=0
	while [ $i -lt "$REPEAT" ]; do
		imap_full_once || { note "kith scan --imap failed; see $LOGS/kith-imap-full.log"; return 1; }
		imap_maildir_once || note "kith scan --maildir failed; see $LOGS/kith-imap-maildir.log"
		imap_plain_once || note "kith scan --imap (plain) failed; see $LOGS/kith-imap-plain.log"
		imap_floor_once imap-floor -s "$DOVECOT_HOST" "$DOVECOT_IMAPS_PORT" ||
			note "imap-floor failed; see $LOGS/imap-floor.log"
		imap_floor_once imap-floor-plain "$DOVECOT_HOST" "$DOVECOT_IMAP_PORT" ||
			note "imap-floor (plain) failed; see $LOGS/imap-floor-plain.log"
		if [ -n "$have_mbsync" ]; then
			mbsync_once || note "mbsync failed; see $LOGS/mbsync.log"
			mbsync_once mbsync-plain "$WORK/mbsyncrc-plain" ||
				note "mbsync (plain) failed; see $LOGS/mbsync-plain.log"
		fi
		i=$((i + 1))
	done
	stats kith-imap-full imap_full
	imap_full_rate=$(calc "$IMAP_MSGS / $imap_full_wall")
	[ -s "$LOGS/kith-imap-full.server" ] &&
		imap_full_server=$(median <"$LOGS/kith-imap-full.server")
	imap_stored=$(stored "$WORK/kith-imap.db")
	if [ -s "$LOGS/kith-imap-maildir.times" ]; then
		stats kith-imap-maildir imap_maildir
		imap_maildir_rate=$(calc "$IMAP_MSGS / $imap_maildir_wall")
		imap_maildir_stored=$(stored "$WORK/kith-imap-maildir.db")
		[ "$imap_stored" = "$imap_maildir_stored" ] ||
			note "the IMAP scan stored $imap_stored messages, the maildir scan $imap_maildir_stored"
		# the same mail in another order (INBOX, then Sent): the same ledger
		[ "$(ledger "$WORK/kith-imap.db")" = "$(ledger "$WORK/kith-imap-maildir.db")" ] ||
			note "the IMAP and maildir scans left different ledgers:" \
				"$(ledger "$WORK/kith-imap.db" | tr '\n' ' ')/" \
				"$(ledger "$WORK/kith-imap-maildir.db" | tr '\n' ' ')"
	fi
	if [ -s "$LOGS/kith-imap-plain.times" ]; then
		stats kith-imap-plain imap_plain
		imap_plain_rate=$(calc "$IMAP_MSGS / $imap_plain_wall")
		[ -s "$LOGS/kith-imap-plain.server" ] &&
			imap_plain_server=$(median <"$LOGS/kith-imap-plain.server")
	fi
	for _f in imap-floor:imap_floor imap-floor-plain:imap_floor_plain; do
		[ -s "$LOGS/${_f%:*}.times" ] || continue
		stats "${_f%:*}" "${_f#*:}"
		eval "${_f#*:}_rate=\$(calc \"\$IMAP_MSGS / \$${_f#*:}_wall\")"
	done
	if [ -n "$have_mbsync" ] && [ -s "$LOGS/mbsync-plain.times" ]; then
		stats mbsync-plain mbsync_plain
		mbsync_plain_rate=$(calc "$IMAP_MSGS / $mbsync_plain_wall")
	fi
	if [ -n "$have_mbsync" ] && [ -s "$LOGS/mbsync.times" ]; then
		stats mbsync mbsync
		mbsync_rate=$(calc "$IMAP_MSGS / $mbsync_wall")
		got=$(msgs_in "$WORK/mbsync")
		[ "$got" = "$IMAP_MSGS" ] || note "mbsync pulled $got messages of $IMAP_MSGS"
	fi
}

# Rescans of the unchanged mailbox into the last full scan's store.
section_imap_nochange() {
	[ -n "${imap_full_wall:-}" ] || return 0
	repeat kith_imap_scan kith-imap-nochange "$WORK/kith-imap.db" || {
		note "the no-change rescan failed; see $LOGS/kith-imap-nochange.log"
		return 1
	}
	stats kith-imap-nochange imap_nochange
	after=$(stored "$WORK/kith-imap.db")
	[ "$after" = "$imap_stored" ] ||
		note "the no-change rescan changed the store: $imap_stored -> $after messages"
}

# The same IMAPS mailbox behind bench/delay-proxy.py, which holds each byte
# WAN_MS in each direction: a server as far as a provider's.  kith (its
# default two sessions, commands sent ahead) and mbsync (which pipelines
# its own) each pull it whole, one after the other, REPEAT times.
section_imap_wan() {
	[ -n "${imap_full_wall:-}" ] || return 0
	command -v python3 >/dev/null 2>&1 || { note "python3 is needed for the distant link; skipped"; return 0; }
	rm -f "$WORK/wan.port"
	python3 "$top/bench/delay-proxy.py" "$WORK/wan.port" "$DOVECOT_IMAPS_PORT" "$WAN_MS" \
		>"$LOGS/delay-proxy.log" 2>&1 &
	wan_pid=$!
	on_exit "kill $wan_pid 2>/dev/null"
	_i=0
	while [ ! -s "$WORK/wan.port" ] && [ $_i -lt 100 ]; do sleep 0.1; _i=$((_i + 1)); done
	[ -s "$WORK/wan.port" ] || { note "the delay proxy did not start; see $LOGS/delay-proxy.log"; return 1; }
	wan_port=$(cat "$WORK/wan.port")
	if [ -n "${have_mbsync:-}" ]; then
		mbsyncrc_for "$WORK/mbsyncrc-wan" "$wan_port" "SSLType IMAPS
CertificateFile $DOVECOT_CA"
	fi
	i=0
	while [ $i -lt "$REPEAT" ]; do
		fresh_db "$WORK/kith-imap-wan.db"
		warm "$IMAP_MAILDIR"
		timed kith-imap-wan "$KITH" --db "$WORK/kith-imap-wan.db" scan --imap \
			"imaps://$DOVECOT_USER@$DOVECOT_HOST:$wan_port/INBOX,Sent" \
			--cafile "$DOVECOT_CA" --passcmd "$IMAP_PASSCMD" ||
			{ note "kith over the distant link failed; see $LOGS/kith-imap-wan.log"; break; }
		if [ -n "${have_mbsync:-}" ]; then
			mbsync_once mbsync-wan "$WORK/mbsyncrc-wan" ||
				note "mbsync over the distant link failed; see $LOGS/mbsync-wan.log"
		fi
		i=$((i + 1))
	done
	kill "$wan_pid" 2>/dev/null
	if [ -s "$LOGS/kith-imap-wan.times" ]; then
		stats kith-imap-wan imap_wan
		imap_wan_rate=$(calc "$IMAP_MSGS / $imap_wan_wall")
		got=$(stored "$WORK/kith-imap-wan.db")
		[ "$got" = "$imap_stored" ] || note "over the distant link kith stored $got messages, not $imap_stored"
	fi
	if [ -s "$LOGS/mbsync-wan.times" ]; then
		stats mbsync-wan mbsync_wan
		mbsync_wan_rate=$(calc "$IMAP_MSGS / $mbsync_wan_wall")
	fi
}

section_imap() {
	gen_corpus "$IMAP_CORPUS" "$IMAP_N" || { note "generating the IMAP corpus failed"; return 1; }
	IMAP_MSGS=$(msgs_in "$IMAP_CORPUS")
	IMAP_MB=$(du -sm "$IMAP_CORPUS" | cut -f1)
	imap_load=$(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null)
	say "== IMAP: $IMAP_MSGS messages ($IMAP_MB MB) from a local Dovecot, load $imap_load"
	imap_dovecot || { note "the IMAP server could not be set up; IMAP skipped"; return 1; }
	section_imap_full && section_imap_nochange && section_imap_wan
	dovecot_stop
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
	if [ -n "${IMAP_MSGS:-}" ]; then
		say ""
		printf '%-34s %9s %9s %10s %10s\n' "IMAPS, INBOX + Sent" \
			"wall s" "CPU s" "peak RSS" "msg/s"
		row "kith scan --imap ($IMAP_MSGS)" "${imap_full_wall:-}" "${imap_full_cpu:-}" \
			"${imap_full_rss:-}" "${imap_full_rate:-}"
		row "kith scan --imap, no change" "${imap_nochange_wall:-}" \
			"${imap_nochange_cpu:-}" "${imap_nochange_rss:-}" ""
		row "kith scan --maildir ($IMAP_MSGS)" "${imap_maildir_wall:-}" \
			"${imap_maildir_cpu:-}" "${imap_maildir_rss:-}" "${imap_maildir_rate:-}"
		row "mbsync pull ($IMAP_MSGS)" "${mbsync_wall:-}" "${mbsync_cpu:-}" \
			"${mbsync_rss:-}" "${mbsync_rate:-}"
		row "kith scan --imap, plain IMAP" "${imap_plain_wall:-}" "${imap_plain_cpu:-}" \
			"${imap_plain_rss:-}" "${imap_plain_rate:-}"
		row "mbsync pull, plain IMAP" "${mbsync_plain_wall:-}" "${mbsync_plain_cpu:-}" \
			"${mbsync_plain_rss:-}" "${mbsync_plain_rate:-}"
		row "libetpan fetch only, IMAPS" "${imap_floor_wall:-}" "${imap_floor_cpu:-}" \
			"${imap_floor_rss:-}" "${imap_floor_rate:-}"
		row "libetpan fetch only, plain IMAP" "${imap_floor_plain_wall:-}" \
			"${imap_floor_plain_cpu:-}" "${imap_floor_plain_rss:-}" "${imap_floor_plain_rate:-}"
		if [ -n "${imap_wan_wall:-}" ]; then
			row "kith scan --imap, $((2 * WAN_MS)) ms away" "${imap_wan_wall:-}" \
				"${imap_wan_cpu:-}" "${imap_wan_rss:-}" "${imap_wan_rate:-}"
			row "mbsync pull, $((2 * WAN_MS)) ms away" "${mbsync_wan_wall:-}" \
				"${mbsync_wan_cpu:-}" "${mbsync_wan_rss:-}" "${mbsync_wan_rate:-}"
		fi
		printf '%-34s %9s %9s\n' "Dovecot's own, during kith's scans" "IMAPS" "plain"
		printf '%-34s %9s %9s\n' "  server CPU s" "$(fmt %.2f "${imap_full_server:-}")" \
			"$(fmt %.2f "${imap_plain_server:-}")"
		say "(load when the IMAP runs began: $imap_load)"
	fi
	say ""

	r_nm=""; r_floor=""; r_ins=""; rss=""
	r_nm=${nm_pair_ratio:-}
	[ -z "$r_nm" ] && [ -n "${kss_rate:-}" ] && [ -n "${nm_rate:-}" ] &&
		r_nm=$(calc "$kss_rate / $nm_rate")
	r_floor=${ks_floor_ratio:-}
	[ -z "$r_floor" ] && [ -n "${ks_wall:-}" ] && [ -n "${floor_wall:-}" ] &&
		r_floor=$(calc "$ks_wall / $floor_wall")
	[ -n "${filter_med:-}" ] && [ -n "${insert_med:-}" ] && r_ins=$(calc "$filter_med / $insert_med")
	[ -n "${ks_rss:-}" ] && rss=$ks_rss
	[ -n "${kss_rss:-}" ] && [ -z "$rss" ] && rss=$kss_rss
	printf '%-40s %10s %10s  %s\n' "target" "measured" "goal" "result"
	printf '%-40s %10s %10s  %s\n' "kith scan msg/s / notmuch new (paired)" \
		"$(fmt %.1fx "$r_nm")" ">= 20x" "$(check "$r_nm" '>=' 20)"
	printf '%-40s %10s %10s  %s\n' "kith scan time / parse floor (paired)" \
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
	if [ -n "${IMAP_MSGS:-}" ]; then
		r_im=""; r_mb=""; c_im=""; c_mb=""
		[ -n "${imap_full_wall:-}" ] && [ -n "${imap_maildir_wall:-}" ] &&
			r_im=$(calc "$imap_full_wall / $imap_maildir_wall")
		[ -n "${imap_full_rate:-}" ] && [ -n "${mbsync_rate:-}" ] &&
			r_mb=$(calc "$imap_full_rate / $mbsync_rate")
		[ -n "${imap_full_cpu:-}" ] && [ -n "${imap_maildir_cpu:-}" ] &&
			c_im=$(calc "$imap_full_cpu / $imap_maildir_cpu")
		[ -n "${imap_full_cpu:-}" ] && [ -n "${mbsync_cpu:-}" ] &&
			c_mb=$(calc "$mbsync_cpu / $imap_full_cpu")
		printf '%-40s %10s %10s  %s\n' "IMAP no-change rescan ($IMAP_MSGS)" \
			"$(fmt '%.2f s' "${imap_nochange_wall:-}")" "< 1 s" \
			"$(check "${imap_nochange_wall:-}" '<' 1)"
		printf '%-40s %10s %10s  %s\n' "IMAP full scan time / maildir scan time" \
			"$(fmt %.2fx "$r_im")" "<= 1.25x" "$(check "$r_im" '<=' 1.25)"
		printf '%-40s %10s %10s  %s\n' "kith IMAP msg/s / mbsync msg/s" \
			"$(fmt %.1fx "$r_mb")" ">= 3x" "$(check "$r_mb" '>=' 3)"
		r_pim=$(ratio "${imap_plain_wall:-}" "${imap_maildir_wall:-}")
		r_pmb=$(ratio "${imap_plain_rate:-}" "${mbsync_plain_rate:-}")
		printf '%-40s %10s %10s  %s\n' "plain IMAP full scan / maildir scan" \
			"$(fmt %.2fx "$r_pim")" "<= 1.25x" "$(check "$r_pim" '<=' 1.25)"
		printf '%-40s %10s %10s  %s\n' "plain IMAP: kith msg/s / mbsync msg/s" \
			"$(fmt %.1fx "$r_pmb")" ">= 3x" "$(check "$r_pmb" '>=' 3)"
		r_wmb=$(ratio "${imap_wan_rate:-}" "${mbsync_wan_rate:-}")
		printf '%-40s %10s %10s  %s\n' "$((2 * WAN_MS)) ms away: kith msg/s / mbsync msg/s" \
			"$(fmt %.1fx "$r_wmb")" "" "info"
		printf '%-40s %10s %10s  %s\n' "(CPU) kith IMAP scan / maildir scan" \
			"$(fmt %.2fx "$c_im")" "" "info"
		printf '%-40s %10s %10s  %s\n' "(CPU) mbsync / kith IMAP scan" \
			"$(fmt %.1fx "$c_mb")" "" "info"
		# Client and server share the cores: even perfectly packed, a scan
		# takes (client CPU + server CPU) / cores.
		b_im=""; b_pim=""; cores=$(nproc 2>/dev/null || echo 1)
		[ -n "${imap_full_server:-}" ] && [ -n "${imap_maildir_wall:-}" ] &&
			b_im=$(calc "($imap_full_cpu + $imap_full_server) / $cores / $imap_maildir_wall")
		[ -n "${imap_plain_server:-}" ] && [ -n "${imap_maildir_wall:-}" ] &&
			b_pim=$(calc "($imap_plain_cpu + $imap_plain_server) / $cores / $imap_maildir_wall")
		# A client that only fetches, before any parsing
		f_im=$(ratio "${imap_floor_wall:-}" "${imap_maildir_wall:-}")
		f_pim=$(ratio "${imap_floor_plain_wall:-}" "${imap_maildir_wall:-}")
		printf '%-40s %10s %10s  %s\n' "IMAPS fetch only / maildir scan" \
			"$(fmt %.2fx "$f_im")" "" "info"
		printf '%-40s %10s %10s  %s\n' "plain fetch only / maildir scan" \
			"$(fmt %.2fx "$f_pim")" "" "info"
		printf '%-40s %10s %10s  %s\n' "(CPU) least IMAPS scan / maildir scan" \
			"$(fmt %.2fx "$b_im")" "" "info"
		printf '%-40s %10s %10s  %s\n' "(CPU) least plain scan / maildir scan" \
			"$(fmt %.2fx "$b_pim")" "" "info"
	fi
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
