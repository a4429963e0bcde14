#!/usr/bin/env python3
"""ledger_orders.py KITH DIR SEEDS ORDERS - the ledger of a conversation
must not depend on the order its messages arrive in.

For each seed 1..SEEDS it makes up a small conversation of the user
me@example.org with two contacts: requests and promises both ways,
deliveries (an attachment) from and to one or both of them, and replies in
the threads, some with an attachment.  It scans the messages in date order and in ORDERS other
orders (a maildir whose file names give the order, under DIR), and prints
one line for each seed whose items differ in an order, with that order and
both ledgers.  Nothing printed: every order gave the same items.  The
conversations depend on the seed alone, so a failure is reproducible.
"""
import itertools
import os
import random
import shutil
import subprocess
import sys

PEOPLE = [("Priya Raman", "priya@north.example"), ("Omar Haddad", "omar@south.example")]
KINDS = ["request", "request", "delivery", "delivery", "reply", "my-promise",
         "their-promise", "their-delivery", "reply-delivery"]
ATTACHMENT = (
    "MIME-Version: 1.0\n"
    "Content-Type: multipart/mixed; boundary=\"b\"\n\n"
    "--b\nContent-Type: text/plain\n\nHere it is.\n\n"
    "--b\nContent-Type: application/pdf; name=\"r.pdf\"\n"
    "Content-Disposition: attachment; filename=\"r.pdf\"\n"
    "Content-Transfer-Encoding: base64\n\nJVBERi0xLjQK\n--b--\n")
DAYS = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"]


def message(rng, seed, i, threads):
    """One message of the conversation as (date key, text), or None."""
    day, hour = rng.randint(1, 20), rng.randint(0, 23)
    date = "%s, %d Mar 2026 %02d:00:00 +0000" % (DAYS[day % 7], day, hour)
    kind = rng.choice(KINDS)
    name, addr = rng.choice(PEOPLE)
    them = "%s <%s>" % (name, addr)
    head = "Date: %s\nMessage-ID: <m%d-%d@ledger.test>\nSubject: note %d\n" % (
        date, seed, i, i)
    mine = "From: Casey Morgan <me@example.org>\n"
    theirs = "From: %s\nTo: Casey Morgan <me@example.org>\n" % them
    if kind == "request":
        text = head + theirs + "\nHi Casey,\n\nCould you send me the report number %d?\n" % i
    elif kind == "their-promise":
        text = head + theirs + "\nHi Casey,\n\nI will send you the contract draft tomorrow.\n"
    elif kind == "my-promise":
        text = head + mine + "To: %s\n\nHi,\n\nI will send you the slides tomorrow.\n" % them
    elif kind == "delivery":
        to = rng.choice([them, ", ".join("%s <%s>" % p for p in PEOPLE)])
        return (day, hour, i), head + mine + "To: %s\n" % to + ATTACHMENT
    elif kind == "their-delivery":
        return (day, hour, i), head + theirs + ATTACHMENT
    else:
        if not threads:
            return None
        to = rng.choice(threads)
        text = head + mine + "To: %s\nIn-Reply-To: <%s>\nReferences: <%s>\n" % (
            them, to, to)
        if kind == "reply-delivery":
            return (day, hour, i), text + ATTACHMENT
        return (day, hour, i), text + "\nSure, noted.\n"
    threads.append("m%d-%d@ledger.test" % (seed, i))
    return (day, hour, i), text


def conversation(seed):
    """The messages of a seed's conversation, in date order."""
    rng = random.Random(seed)
    threads, out = [], []
    for i in range(rng.randint(3, 8)):
        m = message(rng, seed, i, threads)
        if m is not None:
            out.append(m)
    return [text for _, text in sorted(out)]


def ledger(kith, top, msgs, order):
    """The items after scanning msgs in `order`, one line each."""
    md, db = os.path.join(top, "md"), os.path.join(top, "ledger.db")
    shutil.rmtree(md, ignore_errors=True)
    if os.path.exists(db):
        os.remove(db)
    for sub in ("cur", "new", "tmp"):
        os.makedirs(os.path.join(md, sub))
    for pos, k in enumerate(order):
        with open(os.path.join(md, "cur", "%d.ledger:2,S" % (pos + 1)), "w") as f:
            f.write(msgs[k])
    subprocess.run([kith, "-q", "--db", db, "--me", "me@example.org", "scan",
                    "--maildir", md], check=True)
    return subprocess.run(
        ["sqlite3", db, "SELECT m.message_id, i.kind, i.owner, i.status FROM items i"
         " JOIN messages m ON m.id = i.message ORDER BY 1, 2, 3"],
        capture_output=True, text=True, check=True).stdout.replace("\n", " ").strip()


def main():
    kith, top, seeds, orders = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
    for seed in range(1, seeds + 1):
        msgs = conversation(seed)
        expect = ledger(kith, top, msgs, range(len(msgs)))
        others = list(itertools.permutations(range(len(msgs))))[1:]
        random.Random(seed).shuffle(others)
        for order in others[:orders]:
            got = ledger(kith, top, msgs, order)
            if got != expect:
                print("seed %d, order %s: [%s] in date order, [%s] in this" % (
                    seed, "-".join(str(k + 1) for k in order), expect, got))
                break


if __name__ == "__main__":
    main()
