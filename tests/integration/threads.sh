#!/bin/sh
# threads.sh - the ledger on whole conversations (tests/data/threads):
# items open with the right owner, contact and due date, and close when
# the owing party delivers (an attachment, a promised introduction, a
# reply, "as promised"); an auto-reply closes nothing.  Each thread goes
# through the filter one message at a time, and through a scan.
. "$(dirname "$0")/../lib/testlib.sh"

items() {
	sql "SELECT i.kind, i.owner, (SELECT min(addr) FROM addresses a WHERE a.contact_id = i.contact_id),
		coalesce(i.due, '-'), i.status FROM items i ORDER BY i.id" | tr '|' ' '
}

for dir in "$DATA"/threads/*/; do
	name=$(basename "$dir")
	DB="$T/$name.db"
	for f in "$dir"[0-9]*.eml; do
		"$KITH" --db "$DB" --me me@example.org filter <"$f"
		# one message at a time, in order, as they would arrive
		"$KITH" --db "$DB" spool drain
	done
	eq "$name: items after filtering each message" "$(cat "$dir/EXPECT")" "$(items)"

	DB="$T/$name-scan.db"
	mkdir -p "$T/$name/cur" "$T/$name/new" "$T/$name/tmp"
	i=0
	for f in "$dir"[0-9]*.eml; do
		i=$((i + 1)); cp "$f" "$T/$name/cur/$i.kith:2,S"
	done
	"$KITH" --db "$DB" --me me@example.org scan --maildir "$T/$name"
	eq "$name: items after a scan" "$(cat "$dir/EXPECT")" "$(items)"

	# Newest first (a Sent folder scanned after the inbox, a late
	# delivery): the same items, in the same states.
	DB="$T/$name-reversed.db"
	for f in $(ls -r "$dir"[0-9]*.eml); do
		"$KITH" --db "$DB" --me me@example.org filter <"$f"
		"$KITH" --db "$DB" spool drain
	done
	eq "$name: items when the messages arrive newest first" \
		"$(sort "$dir/EXPECT")" "$(items | sort)"
done
