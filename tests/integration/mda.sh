#!/bin/sh
# mda.sh - the shipped snippets for local delivery agents, run by the real
# programs: contrib/procmailrc (copy recipe and filter recipe) and
# contrib/mailfilter (maildrop).  Every message is delivered intact to a
# Maildir and recorded by kith (from the default store, as installed);
# a kith that cannot record still lets the message through.
. "$(dirname "$0")/../lib/testlib.sh"

DB="$XDG_DATA_HOME/kith/kith.db"
BIN="$T/bin"
mkdir -p "$BIN"
ln -s "$KITH" "$BIN/kith"
# kith-core is found beside the real kith (readlink /proc/self/exe).
MSGS=$(ls "$DATA"/threads/*/*.eml "$DATA"/msg-plain.eml "$DATA"/msg-latin1.eml)
NMSG=$(echo "$MSGS" | wc -l)
NIDS=$(for f in $MSGS; do grep -i -m1 '^message-id:' "$f"; done | sort -u | wc -l)
K() { "$KITH" "$@"; }

maildir() { rm -rf "$1"; mkdir -p "$1/cur" "$1/new" "$1/tmp"; }

# delivered_intact DIR SUFFIX: DIR/new holds exactly the messages of
# $MSGS, byte for byte (plus SUFFIX: procmail's newline after a :0 f filter).
delivered_intact() {
	for _f in $MSGS; do { cat "$_f"; printf "$2"; } | md5sum; done |
		cut -c1-32 | sort >"$T/want.sums"
	md5sum "$1"/new/* | cut -c1-32 | sort >"$T/got.sums"
	cmp -s "$T/want.sums" "$T/got.sums" || { diff "$T/want.sums" "$T/got.sums"; return 1; }
}

# procmail_rc FORM: contrib/procmailrc with recipe form 1 (copy) or 2
# (filter) active, then delivery to $T/md.
procmail_rc() {
	if [ "$1" = 1 ]; then
		cat "$KITH_TOP/contrib/procmailrc"
	else
		sed -e 's/^:0 Wc: kith.lock$/#&/' -e 's/^| kith filter$/#&/' \
			-e 's/^#:0 fw$/:0 fw/' -e 's/^#| kith filter --pass$/| kith filter --pass/' \
			"$KITH_TOP/contrib/procmailrc"
	fi
	printf ':0\n%s/\n' "$T/md"
}

# run_procmail RC MSG: procmail clears the environment; pass what kith needs.
run_procmail() {
	procmail -m PATH="$BIN:/usr/bin:/bin" HOME="$HOME" XDG_DATA_HOME="$XDG_DATA_HOME" \
		XDG_CONFIG_HOME="$XDG_CONFIG_HOME" MAILDIR="$T" "$1" <"$2"
}

# --- procmail, form 1: :0 Wc: kith.lock / | kith filter ------------------
procmail_rc 1 >"$T/copy.rc"
grep -q '^:0 Wc: kith.lock$' "$T/copy.rc" && grep -q '^| kith filter$' "$T/copy.rc"
eq "contrib/procmailrc has the copy recipe active" 0 $?
maildir "$T/md"
rcs=""
for f in $MSGS; do run_procmail "$T/copy.rc" "$f"; rcs="$rcs$?"; done
eq "procmail copy recipe: every delivery exits 0" "$(echo "$MSGS" | sed 's/.*/0/' | tr -d '\n')" "$rcs"
ok "procmail copy recipe: $NMSG messages delivered intact" delivered_intact "$T/md" ""
K spool drain >/dev/null 2>&1
eq "procmail copy recipe: kith recorded every message" "$NIDS" \
	"$(sql 'SELECT count(*) FROM messages')"
eq "... with its people: Kim Park is a contact" "Kim Park" \
	"$(K contacts --format tsv | awk -F'\t' '$1 == "kim@dockside.example" {print $2}')"

# --- procmail, form 2: :0 fw / | kith filter --pass ------------------------
rm -rf "$XDG_DATA_HOME/kith"
procmail_rc 2 >"$T/fw.rc"
grep -q '^:0 fw$' "$T/fw.rc" && grep -q '^| kith filter --pass$' "$T/fw.rc" &&
	! grep -q '^:0 Wc' "$T/fw.rc"
eq "contrib/procmailrc has the filter recipe (commented) for form 2" 0 $?
maildir "$T/md"
for f in $MSGS; do run_procmail "$T/fw.rc" "$f"; done
# procmail appends a newline to what it gives a program; a :0 f filter's
# output replaces the message, and kith passes back exactly what it got.
ok "procmail filter recipe: $NMSG messages delivered intact (plus procmail's newline)" \
	delivered_intact "$T/md" '\n'
K spool drain >/dev/null 2>&1
eq "procmail filter recipe: kith recorded every message" "$NIDS" \
	"$(sql 'SELECT count(*) FROM messages')"

# --- procmail with a kith that cannot record -------------------------------
maildir "$T/md"
# A data directory under a regular file: no one can create the store,
# not even root.
: >"$T/locked"
for f in $MSGS; do
	procmail -m PATH="$BIN:/usr/bin:/bin" HOME="$HOME" MAILDIR="$T" \
		XDG_DATA_HOME="$T/locked/data" "$T/copy.rc" <"$f" 2>>"$T/locked.err"
done
ok "procmail copy recipe, store unwritable: still delivered intact" delivered_intact "$T/md" ""
eq "... and kith said why, once per message" "$NMSG" "$(grep -c 'not recorded' "$T/locked.err")"
maildir "$T/md"
for f in $MSGS; do
	procmail -m PATH="$BIN:/usr/bin:/bin" HOME="$HOME" MAILDIR="$T" \
		XDG_DATA_HOME="$T/locked/data" "$T/fw.rc" <"$f" 2>>"$T/locked.err"
done
ok "procmail filter recipe, store unwritable: still delivered intact" \
	delivered_intact "$T/md" '\n'

# --- maildrop: cc "| kith filter" -------------------------------------------
rm -rf "$XDG_DATA_HOME/kith"
maildir "$T/md"
grep -q '^cc "| kith filter"$' "$KITH_TOP/contrib/mailfilter"
eq "contrib/mailfilter has the cc recipe" 0 $?
{
	printf 'PATH="%s:/usr/bin:/bin"\n' "$BIN"
	sed "s|\\\$HOME/Maildir/|$T/md/|" "$KITH_TOP/contrib/mailfilter"
} >"$T/mailfilter"
chmod 600 "$T/mailfilter"
rcs=""
for f in $MSGS; do maildrop "$T/mailfilter" <"$f"; rcs="$rcs$?"; done
eq "maildrop: every delivery exits 0" "$(echo "$MSGS" | sed 's/.*/0/' | tr -d '\n')" "$rcs"
ok "maildrop: $NMSG messages delivered intact" delivered_intact "$T/md" ""
K spool drain >/dev/null 2>&1
eq "maildrop: kith recorded every message" "$NIDS" "$(sql 'SELECT count(*) FROM messages')"

maildir "$T/md"
for f in $MSGS; do
	XDG_DATA_HOME="$T/locked/data" maildrop "$T/mailfilter" <"$f" 2>>"$T/locked.err"
done
ok "maildrop, store unwritable: still delivered intact" delivered_intact "$T/md" ""
