#!/bin/sh
# stress.sh - kith under load and abuse: 32 filters delivering at once for
# 10 rounds; a new store made by two processes at once; a 5,000-message maildir scan killed with SIGKILL 10 times (and
# stopped with Ctrl-C 3 times between, so kills land on part-stored work) and
# finished; the store on a full filesystem.  After each, the store passes
# sqlite's integrity_check.
. "$(dirname "$0")/../lib/testlib.sh"

NOW="2026-03-10 09:00"
K() { "$KITH" --now "$NOW" --db "$DB" --me me@example.org "$@"; }
integrity() { eq "$1: integrity_check" ok "$(sql 'PRAGMA integrity_check')"; }
# Sanitizer reports, valgrind or kith errors in a file.
clean_log() { ! grep -a -q -E 'Sanitizer|runtime error|kith: (error|spool)|^==[0-9]+==' "$1" 2>/dev/null; }

# gen DIR N [PREFIX]: N small messages into the maildir DIR/cur: 300
# correspondents, a fifth of it written by me, threads (In-Reply-To and
# References), and sentences that open and close ledger items.
gen() {
	mkdir -p "$1/cur" "$1/new" "$1/tmp"
	awk -v dir="$1" -v n="$2" -v pre="${3:-m}" 'BEGIN {
		split("Could you send me the slides by Friday?|I will review your draft by next Tuesday.|Thanks so much for the introduction to Sam!|Attached is the report you asked for.|Can we meet on March 20 to go over the budget?|I am looking for a designer for the new site.|Happy to help with the launch if you need a hand.|Sounds good, talk soon.", s, "|")
		split("Jan Feb Mar", mon, " ")
		for (i = 1; i <= n; i++) {
			c = i % 300
			f = sprintf("%s/cur/17000%05d.M%dP1.gen:2,S", dir, i, i)
			id = sprintf("<%s-%d@stress.example>", pre, i)
			if (i % 5 == 0) {
				print "From: Me <me@example.org>" > f
				printf "To: Person %d <p%d@example.net>\n", c, c > f
			} else {
				printf "From: Person %d <p%d@example.net>\n", c, c > f
				print "To: Me <me@example.org>" > f
				if (i % 7 == 0) printf "Cc: Other %d <o%d@example.com>\n", c, c > f
			}
			printf "Subject: Topic %d\n", int(i / 3) > f
			printf "Date: %s, %d %s 2026 %02d:%02d:00 +0100\n", "Mon", 1 + (i % 28), mon[1 + int(i / 2000)], i % 24, i % 60 > f
			printf "Message-ID: %s\n", id > f
			if (i % 3 != 1 && i > 1) {
				printf "In-Reply-To: <%s-%d@stress.example>\n", pre, i - 1 > f
				printf "References: <%s-%d@stress.example>\n", pre, i - 1 > f
			}
			print "MIME-Version: 1.0" > f
			print "Content-Type: text/plain; charset=utf-8" > f
			print "" > f
			printf "Hi,\n\n%s %s\n\nBest,\nP%d\n", s[1 + (i % 8)], s[1 + (int(i / 8) % 8)], c > f
			if (i % 3 != 1 && i > 1) printf "\nOn Mon, someone wrote:\n> %s\n", s[1 + ((i - 1) % 8)] > f
			close(f)
		}
	}'
}

# --- (a) 32 concurrent filters, 10 rounds --------------------------------------
DB="$T/conc.db"
mkdir -p "$T/conc"
gen "$T/conc" 320 conc
set -- "$T"/conc/cur/*
round=0
while [ "$round" -lt 10 ]; do
	i=0
	while [ "$i" -lt 32 ]; do
		K filter <"$1" >/dev/null 2>>"$T/conc.err" &
		shift; i=$((i + 1))
	done
	wait
	round=$((round + 1))
done
K spool drain 2>>"$T/conc.err"
eq "32 filters x 10 rounds: 320 messages, each once" "320 320" \
	"$(sql "SELECT count(*) || ' ' || count(DISTINCT message_id) FROM messages")"
eq "... every message is the one delivered" 320 \
	"$(sql "SELECT count(*) FROM messages WHERE message_id LIKE 'conc-%@stress.example'")"
eq "... kith contacts lists every correspondent" \
	"$(sql "SELECT count(DISTINCT addr) FROM participants WHERE addr <> 'me@example.org'")" \
	"$(K contacts --format tsv | tail -n +2 | wc -l)"
ok "... nothing left in the spool" test -z "$(K spool list)"
ok "... drain.log has no error" clean_log "$DB.spool/drain.log"
ok "... the filters said nothing" test ! -s "$T/conc.err"
[ -s "$T/conc.err" ] && head -n 20 "$T/conc.err"
[ -s "$DB.spool/drain.log" ] && head -n 20 "$DB.spool/drain.log"
integrity "concurrent filters"

# --- (a2) a store that does not exist yet, opened by two at once ------------------
# The first delivery's background recorder and the commands that run
# next all create the store together: none may fail on a locked store.
round=0 bad=0
one=$(ls "$T"/conc/cur/* | head -n 1)
while [ "$round" -lt 40 ]; do
	DB="$T/fresh$round.db"
	# the filter's recorder starts in the background as the drain runs
	K filter <"$one" >/dev/null 2>>"$T/fresh.err"
	K spool drain 2>>"$T/fresh.err" || bad=$((bad + 1))
	[ "$(sql 'SELECT count(*) FROM messages')" = 1 ] || bad=$((bad + 1))
	round=$((round + 1))
done
eq "a new store made by a delivery's recorder and a command at once, 40 times: no failure" 0 "$bad"
ok "... and none of them said anything" test ! -s "$T/fresh.err"
[ -s "$T/fresh.err" ] && head -n 5 "$T/fresh.err"

# --- (b) a 5,000-message scan killed 10 times ----------------------------------
MD="$T/md"
gen "$MD" 5000 scan
# The store's content, without row ids or times of recording.
dump() {
	sqlite3 -batch -noheader "$1" "
		SELECT 'M', message_id, direction, from_addr, subject FROM messages ORDER BY 2;
		SELECT 'I', a.addr, m.message_id, i.direction
		FROM interactions i JOIN messages m ON m.id = i.message
		JOIN addresses a ON a.contact_id = i.contact_id ORDER BY 2, 3;
		SELECT 'T', m.message_id, it.kind, it.sentence, it.status,
			coalesce(cm.message_id, '-')
		FROM items it JOIN messages m ON m.id = it.message
		LEFT JOIN messages cm ON cm.id = it.closed_by ORDER BY 2, 4;
		SELECT 'E', m.message_id, e.kind, e.sentence
		FROM events e JOIN messages m ON m.id = e.message ORDER BY 2, 3, 4;"
}
DB="$T/clean.db"
start=$(date +%s%N)
K scan --maildir "$MD" 2>"$T/clean.err"
eq "uninterrupted scan exits 0" 0 $?
took_ms=$(( ($(date +%s%N) - start) / 1000000 ))
eq "uninterrupted scan records 5,000 messages" 5000 "$(sql 'SELECT count(*) FROM messages')"
integrity "uninterrupted scan"
# The kills below are timed against a scan's length: take the shorter of
# two, since the first may have run while the machine was busy (a scan
# that ends before its signal tests nothing).
start=$(date +%s%N)
"$KITH" --now "$NOW" --db "$T/timing.db" --me me@example.org scan --maildir "$MD" 2>/dev/null
again_ms=$(( ($(date +%s%N) - start) / 1000000 ))
[ "$again_ms" -lt "$took_ms" ] && took_ms=$again_ms
# and against a scan with nothing to record: starting up and listing the
# maildir.  A Ctrl-C must come after that, when the scan has its handler:
# a job started with & ignores SIGINT until then (POSIX), and under
# valgrind starting up takes seconds.
start=$(date +%s%N)
"$KITH" --now "$NOW" --db "$T/timing.db" --me me@example.org scan --maildir "$MD" 2>/dev/null
noop_ms=$(( ($(date +%s%N) - start) / 1000000 ))
[ "$noop_ms" -lt "$took_ms" ] || noop_ms=0
dump "$DB" >"$T/clean.dump"
ok "the scan made interactions and items" \
	test "$(grep -c '^I' "$T/clean.dump")" -gt 4000 -a "$(grep -c '^T' "$T/clean.dump")" -gt 1000

DB="$T/killed.db"
kills=0 midway=0 prev=0 progress="" interrupted=0
while [ "$kills" -lt 10 ]; do
	# Now and then a Ctrl-C first: it commits what was recorded, so the
	# kills that follow land on a store that holds part of the maildir.
	case $kills in
	2|5|8)
		"$KITH" --now "$NOW" --db "$DB" --me me@example.org scan --maildir "$MD" \
			>/dev/null 2>>"$T/killed.err" &
		pid=$!
		# a moment within what is left to record, once started
		left=$((5000 - $(sql 'SELECT count(*) FROM messages' 2>/dev/null || echo 0)))
		ms=$(awk -v seed="$$$kills" -v t="$took_ms" -v s="$noop_ms" -v f="$left" \
			'BEGIN { srand(seed + 7); t = (t - s) * f / 5000
				printf "%d", s + t / 8 + rand() * t / 6 }')
		sleep "$(awk -v ms="$ms" 'BEGIN { printf "%.3f", ms / 1000 }')"
		kill -INT "$pid" 2>/dev/null
		wait "$pid" 2>/dev/null
		[ $? -eq 130 ] && interrupted=$((interrupted + 1))
		progress="$progress ^C$(sql 'SELECT count(*) FROM messages' 2>/dev/null || echo 0)"
		;;
	esac
	# Not through K: $! must be kith itself, not a subshell around it.
	"$KITH" --now "$NOW" --db "$DB" --me me@example.org scan --maildir "$MD" \
		>/dev/null 2>>"$T/killed.err" &
	pid=$!
	# A random moment, early enough that ten kills leave work to finish.
	ms=$(awk -v seed="$$$kills" -v t="$took_ms" 'BEGIN { srand(seed); printf "%d", t / 10 + rand() * t / 6 }')
	sleep "$(awk -v ms="$ms" 'BEGIN { printf "%.3f", ms / 1000 }')"
	kill -9 "$pid" 2>/dev/null
	wait "$pid" 2>/dev/null
	[ $? -eq 137 ] && midway=$((midway + 1))
	kill -0 "$pid" 2>/dev/null && fail "the killed scan $pid is still running"
	kills=$((kills + 1))
	n=$(sql 'SELECT count(*) FROM messages' 2>/dev/null || echo 0)
	progress="$progress ${n:-0}"
	[ "$(sql 'PRAGMA integrity_check' 2>/dev/null || echo ok)" = ok ] || fail "integrity after kill $kills"
done
echo "messages stored after each kill (^C: after a Ctrl-C):$progress"
ok "SIGKILL hit running scans ($midway of 10)" test "$midway" -ge 5
ok "Ctrl-C stopped running scans, which kept what they had recorded ($interrupted of 3)" \
	test "$interrupted" -ge 2
K scan --maildir "$MD" 2>>"$T/killed.err"
eq "the scan after 10 kills exits 0" 0 $?
integrity "killed and finished scan"
dump "$DB" >"$T/killed.dump"
eq "killed and finished: 5,000 messages" 5000 "$(sql 'SELECT count(*) FROM messages')"
ok "killed and finished store equals one uninterrupted scan" cmp -s "$T/clean.dump" "$T/killed.dump"
cmp -s "$T/clean.dump" "$T/killed.dump" || diff "$T/clean.dump" "$T/killed.dump" | head -n 20
ok "scans reported no error" clean_log "$T/killed.err"
K scan --maildir "$MD" 2>/dev/null
eq "a rescan adds nothing" 5000 "$(sql 'SELECT count(*) FROM messages')"

# --- (c) the store on a full filesystem ----------------------------------------
# A small tmpfs (root can mount one; without that this part is skipped).
FULL="$T/full"
mkdir -p "$FULL"
if mount -t tmpfs -o size=1m,mode=0700 kith-stress "$FULL" 2>/dev/null; then
	on_exit "umount -l '$FULL' 2>/dev/null"
	DB="$FULL/kith.db"
	K contacts >/dev/null
	integrity "store on a small filesystem"
	# Fill it to the last block.
	dd if=/dev/zero of="$FULL/filler" bs=1k 2>/dev/null
	dd if=/dev/zero of="$FULL/filler2" bs=64 2>/dev/null
	gen "$T/full-msgs" 6 full
	set -- "$T"/full-msgs/cur/*

	K filter --pass <"$1" >"$T/out" 2>"$T/full.err"
	eq "full disk: filter exits 0" 0 $?
	ok "full disk: --pass output identical" cmp -s "$1" "$T/out"
	ok "full disk: the filter says the message was not recorded" \
		grep -q 'not recorded' "$T/full.err"
	K filter --strict <"$2" >/dev/null 2>"$T/full.err"
	eq "full disk: filter --strict exits 75" 75 $?

	# Room for a spool file or two, not for much else: each message is
	# either spooled (and recorded later) or, when the spool cannot take
	# it, passed through with a warning; never lost silently.
	truncate -s -40K "$FULL/filler"
	lost=""
	for m in "$3" "$4" "$5"; do
		K filter --pass <"$m" >"$T/out" 2>"$T/full.err"
		eq "nearly full: filter exits 0 ($(basename "$m"))" 0 $?
		ok "nearly full: --pass output identical" cmp -s "$m" "$T/out"
		if grep -q 'not recorded' "$T/full.err"; then
			lost="$lost $(sed -n 's/^Message-ID: <\(.*\)>$/\1/p' "$m")"
		fi
	done
	sleep 1
	echo "nearly full: not recorded:${lost:- none}"
	ok "nearly full: the spool took a message" test "$(echo $lost | wc -w)" -lt 3

	# Space again: the next command ingests the spool.
	rm -f "$FULL/filler" "$FULL/filler2"
	integrity "store after the disk was full"
	K filter <"$6" 2>>"$T/full.err"
	K contacts --format tsv >"$T/out" 2>>"$T/full.err"
	missing=""
	for m in "$3" "$4" "$5" "$6"; do
		id=$(sed -n 's/^Message-ID: <\(.*\)>$/\1/p' "$m")
		case " $lost " in *" $id "*) continue ;; esac
		[ "$(sql "SELECT count(*) FROM messages WHERE message_id = '$id'")" = 1 ] ||
			missing="$missing $id"
	done
	eq "after freeing space: every spooled message is recorded" "" "$missing"
	ok "... the spool is empty" test -z "$(K spool list | grep '^waiting')"
	ok "... and kith contacts shows them" grep -q '^p6@example.net' "$T/out"
	ok "... drain.log has no sanitizer report" \
		sh -c "! grep -a -q -E 'Sanitizer|runtime error' '$DB.spool/drain.log'"
	integrity "store after ingesting the spool"
	umount -l "$FULL" 2>/dev/null
fi
