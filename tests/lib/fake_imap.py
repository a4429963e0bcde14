#!/usr/bin/env python3
"""fake_imap.py PORTFILE [BAD_UID] - a tiny scripted IMAP server on 127.0.0.1
for tests of what a real server will not do on request: it answers the
FETCH of BAD_UID with a reply that cannot be parsed.

It serves one user (any name, password "fake-pass") and one folder, INBOX,
of three messages (UIDs 1..3; $FAKE_IMAP_COUNT sets how many).  With
$FAKE_IMAP_SESSIONS set, a LOGIN while that many sessions are logged in
is refused, as servers that limit each user's connections do.  With
$FAKE_IMAP_REORDER set, a UID FETCH followed within a moment by another
is answered after it, as servers that run commands at once may.  With
$FAKE_IMAP_CUT set to a UID, the connection is closed half way through
that message's literal.  With $FAKE_IMAP_HUGE set to a UID, that message
is announced as a literal of 4,000,000,000 bytes (and is 200 long).  With
$FAKE_IMAP_GREETING set, that line (a CRLF is added) is the greeting.  With
$FAKE_IMAP_DROP set to words KIND#N (KIND one of LIST, EXAMINE, SIZES for
a UID FETCH of sizes, BODY for one of messages), the Nth command of that
kind, counted over all sessions, is answered "* BYE" and the connection
closed, as when an administrator kicks the user.  It listens
on a free port, writes the port number to PORTFILE, and serves until
killed.  Plain text only: use it with `tls = none` on 127.0.0.1.
"""
import os
import select
import socketserver
import sys
import threading

PASSWORD = "fake-pass"
BAD_UID = int(sys.argv[2]) if len(sys.argv) > 2 else 2
COUNT = int(os.environ.get("FAKE_IMAP_COUNT", "3"))
SESSIONS = int(os.environ.get("FAKE_IMAP_SESSIONS", "0"))
REORDER = bool(os.environ.get("FAKE_IMAP_REORDER"))
CUT_UID = int(os.environ.get("FAKE_IMAP_CUT", "0"))
HUGE_UID = int(os.environ.get("FAKE_IMAP_HUGE", "0"))
GREETING = os.environ.get("FAKE_IMAP_GREETING",
                          "* OK [CAPABILITY IMAP4rev1 AUTH=PLAIN] fake ready")
DROP = set(os.environ.get("FAKE_IMAP_DROP", "").split())
logged_in = 0
logged_in_lock = threading.Lock()
seen = {}


def message(uid):
    return (
        "From: Fake Sender {0} <fake{0}@example.org>\r\n"
        "To: alice@example.com\r\n"
        "Subject: fake message {0}\r\n"
        "Date: Mon, 2 Mar 2026 10:00:00 +0000\r\n"
        "Message-ID: <fake-{0}@kith.test>\r\n"
        "\r\n"
        "Could you call me back about item {0}?\r\n"
    ).format(uid).encode()


MESSAGES = {uid: message(uid) for uid in range(1, COUNT + 1)}


def parse_set(text):
    """UIDs named by an IMAP sequence set ("1:3,5", "4:*")."""
    top = max(MESSAGES)
    out = set()
    for item in text.split(","):
        if ":" in item:
            a, b = item.split(":", 1)
            a = top if a == "*" else int(a)
            b = top if b == "*" else int(b)
            out.update(range(min(a, b), max(a, b) + 1))
        else:
            out.add(top if item == "*" else int(item))
    return sorted(u for u in out if u in MESSAGES)


class Handler(socketserver.StreamRequestHandler):
    rbufsize = 0

    def send(self, data):
        if isinstance(data, str):
            data = data.encode()
        self.wfile.write(data)
        self.wfile.flush()

    def fetch(self, tag, args):
        uids, items = args.split(" ", 1)
        for uid in parse_set(uids):
            if "BODY.PEEK[]" in items.upper():
                if uid == BAD_UID:
                    # Not a string, literal or NIL: a parse error.
                    self.send("* %d FETCH (UID %d BODY[] ((broken)))\r\n" % (uid, uid))
                    continue
                body = MESSAGES[uid]
                if uid == CUT_UID:
                    self.send(b"* %d FETCH (UID %d BODY[] {%d}\r\n" % (uid, uid, len(body))
                              + body[:len(body) // 2])
                    raise ConnectionAbortedError("cut")
                size = 4000000000 if uid == HUGE_UID else len(body)
                self.send(b"* %d FETCH (UID %d BODY[] {%d}\r\n" % (uid, uid, size)
                          + body + b")\r\n")
            else:
                self.send("* %d FETCH (UID %d RFC822.SIZE %d)\r\n"
                          % (uid, uid, len(MESSAGES[uid])))
        self.send("%s OK UID FETCH done\r\n" % tag)

    def drop_here(self, kind):
        """Counts a command of `kind`; says BYE and hangs up on one of
        those DROP names."""
        with logged_in_lock:
            seen[kind] = seen.get(kind, 0) + 1
            n = seen[kind]
        if "%s#%d" % (kind, n) in DROP:
            sys.stderr.write("dropped at %s#%d\n" % (kind, n))
            sys.stderr.flush()
            self.send("* BYE dropped by the test\r\n")
            raise ConnectionAbortedError("drop")

    def log_in(self):
        global logged_in
        with logged_in_lock:
            if SESSIONS and logged_in >= SESSIONS:
                return False
            logged_in += 1
            self.counted = True
            return True

    def finish(self):
        global logged_in
        if getattr(self, "counted", False):
            with logged_in_lock:
                logged_in -= 1
        super().finish()

    def next_line(self):
        """The next command line, b"" at the end; with REORDER, a UID
        FETCH is held back while the command after it comes first."""
        if self.held_back:
            return self.held_back.pop()
        line = self.rfile.readline()
        if not (REORDER and b" UID FETCH " in line.upper() + b" "):
            return line
        # rfile is unbuffered (rbufsize), so select sees all that waits
        if not select.select([self.request], [], [], 0.2)[0]:
            return line
        later = self.rfile.readline()
        if not later:
            return line
        self.held_back.append(line)
        return later

    def handle(self):
        try:
            self.converse()
        except ConnectionAbortedError:
            pass

    def converse(self):
        self.held_back = []
        self.send(GREETING + "\r\n")
        while True:
            line = self.next_line()
            if not line:
                return
            line = line.decode(errors="replace").rstrip("\r\n").rstrip(" ")
            if os.environ.get("FAKE_IMAP_DEBUG"):
                sys.stderr.write("C: %s\n" % line)
            parts = line.split(" ", 2)
            if len(parts) < 2:
                continue
            tag, cmd = parts[0], parts[1].upper()
            rest = parts[2] if len(parts) > 2 else ""
            if cmd == "CAPABILITY":
                self.send("* CAPABILITY IMAP4rev1 AUTH=PLAIN\r\n%s OK done\r\n" % tag)
            elif cmd == "LOGIN":
                if rest.split(" ")[-1].strip('"') == PASSWORD:
                    if not self.log_in():
                        self.send("%s NO [LIMIT] too many connections\r\n" % tag)
                        continue
                    self.send("%s OK logged in\r\n" % tag)
                else:
                    self.send("%s NO [AUTHENTICATIONFAILED] bad password\r\n" % tag)
            elif cmd == "LIST":
                self.drop_here("LIST")
                self.send('* LIST (\\HasNoChildren) "/" INBOX\r\n%s OK done\r\n' % tag)
            elif cmd in ("EXAMINE", "SELECT"):
                self.drop_here("EXAMINE")
                self.send("* %d EXISTS\r\n* 0 RECENT\r\n"
                          "* OK [UIDVALIDITY 42] ok\r\n* OK [UIDNEXT %d] ok\r\n"
                          "%s OK [READ-ONLY] done\r\n"
                          % (len(MESSAGES), max(MESSAGES) + 1, tag))
            elif cmd == "UID" and rest.upper().startswith("FETCH "):
                self.drop_here("BODY" if "BODY" in rest.upper() else "SIZES")
                self.fetch(tag, rest[6:])
            elif cmd == "LOGOUT":
                self.send("* BYE bye\r\n%s OK done\r\n" % tag)
                return
            elif cmd == "NOOP":
                self.send("%s OK done\r\n" % tag)
            else:
                self.send("%s BAD unknown command\r\n" % tag)


class Server(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True


def main():
    server = Server(("127.0.0.1", 0), Handler)
    with open(sys.argv[1] + ".tmp", "w") as f:
        f.write("%d\n" % server.server_address[1])
    os.rename(sys.argv[1] + ".tmp", sys.argv[1])
    server.serve_forever()


if __name__ == "__main__":
    main()
