#!/bin/sh
# threads.sh - the ledger on whole conversations (tests/data/threads):
# items open with the right owner, contact and due date, and close when
# the owing party delivers (an attachment, a promised introduction, a
# reply, "as promised"); an auto-reply closes nothing.  Each thread goes
# through the filter one message at a time, through a scan, and through
# scans in every other arrival order; made-up conversations too.
. "$(dirname "$0")/../lib/testlib.sh"

items() {
	sql "SELECT i.kind, i.owner, (SELECT min(addr) FROM addresses a WHERE a.contact_id = i.contact_id),
		coalesce(i.due, '-'), i.status FROM items i ORDER BY i.id" | tr '|' ' '
}

# orders N: every order of 1..N but the first and the last, as 1-3-2;
# for more than five messages, 60 of them (the same 60 every run)
orders() {
	python3 -c 'import itertools, random, sys
n = int(sys.argv[1])
orders = list(itertools.permutations(range(1, n + 1)))[1:-1]
random.Random(n).shuffle(orders)
for p in sorted(orders[:60]):
    print("-".join(map(str, p)))' "$1"
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

	# The other arrival orders (an old archive imported after the
	# inbox, a Sent folder scanned late): a scan of a maildir whose file
	# names give that order.  The orders that differ are named.
	n=$(ls "$dir"[0-9]*.eml | wc -l)
	wrong=""
	for order in $(orders "$n"); do
		DB="$T/$name-$order.db"
		rm -rf "$T/perm"
		mkdir -p "$T/perm/cur" "$T/perm/new" "$T/perm/tmp"
		i=0
		for k in $(echo "$order" | tr '-' ' '); do
			i=$((i + 1))
			cp "$(ls "$dir"[0-9]*.eml | sed -n "${k}p")" "$T/perm/cur/$i.kith:2,S"
		done
		"$KITH" -q --db "$DB" --me me@example.org scan --maildir "$T/perm"
		[ "$(items | sort)" = "$(sort "$dir/EXPECT")" ] || wrong="$wrong $order"
	done
	eq "$name: the same items in other arrival orders" "" "$wrong"
done

# Made-up conversations with two contacts (requests and promises both
# ways, deliveries to one or both, replies), each scanned in date order
# and in eight other orders: the same items, in the same states.
mkdir -p "$T/orders"
eq "made-up conversations: the same ledger in every arrival order" "" \
	"$(python3 "$KITH_TOP/tests/lib/ledger_orders.py" "$KITH" "$T/orders" 40 8 2>&1)"
