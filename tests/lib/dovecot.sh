# dovecot.sh - a private Dovecot on 127.0.0.1 for integration tests.
# Source it after tests/lib/testlib.sh (which provides $T and on_exit).
#
# Everything lives under $T/dovecot: the configuration, the run and state
# directories, the log, the certificates and the mail.  Nothing of the
# system's Dovecot is used or touched.
#
#   dovecot_start            make certificates, config, passwd file; start;
#                            wait until IMAP answers (stopped on exit)
#   dovecot_stop             stop the instance (SIGTERM to the master)
#   dovecot_restart          stop and start again, keeping the ports
#   dovecot_pause / dovecot_resume
#                            stop (SIGSTOP) and continue the instance's imap
#                            processes: a server that stalls mid-scan
#   dovecot_stall_after LOG N
#                            for a client that has just started: pause its
#                            session as soon as it logs in, then let it run
#                            a few milliseconds at a time until the client's
#                            -vv LOG shows N UID FETCHes, and leave it paused
#   dovecot_use_cert KIND    serve another certificate and reload:
#                            good       localhost/127.0.0.1 by the test CA
#                            otherhost  mail.example.org by the test CA
#                            unknownca  localhost by a CA nobody trusts
#                            expired    localhost by the test CA, expired
#                            selfsigned localhost, self-signed
#   dovecot_deliver USER [-m MAILBOX] < MSG
#                            deliver through dovecot-lda (runs Sieve)
#   dovecot_append MAILBOX FILE
#                            APPEND over IMAP (curl)
#   dovecot_fill USER MAILBOX COUNT [PREFIX]
#                            write COUNT generated messages straight into
#                            the Maildir (fast; fine before or after start)
#   dovecot_imap MAILBOX COMMAND
#                            run one IMAP command as $DOVECOT_USER after
#                            selecting MAILBOX (curl -X); prints the reply
#   dovecot_flags MAILBOX    "UID FLAGS" lines for every message, sorted
#   dovecot_set_flags MAILBOX UIDSET FLAGS
#                            e.g. dovecot_set_flags INBOX 1:3 '\Seen \Flagged'
#   dovecot_count MAILBOX    number of messages (STATUS MESSAGES)
#   dovecot_maildir USER [MAILBOX]
#                            prints the Maildir directory of a mailbox
#   dovecot_log_count REGEX  lines of the Dovecot log matching REGEX
#
# Variables set by dovecot_start (read them, do not change them):
#   DOVECOT_DIR        $T/dovecot
#   DOVECOT_HOST       127.0.0.1
#   DOVECOT_IMAP_PORT  plain IMAP with STARTTLS offered
#   DOVECOT_IMAPS_PORT implicit TLS
#   DOVECOT_USER       alice
#   DOVECOT_PASS       her password (also in $DOVECOT_DIR/password)
#   DOVECOT_CA         the test CA certificate (PEM), for `cafile`
#   DOVECOT_UNKNOWN_CA the CA that signed the "unknownca" certificate
#   DOVECOT_LOG        the log file (logins, auth failures, LDA, Sieve)
#   DOVECOT_SIEVE_BIN  the directory for Sieve extprograms (see below)
#   DOVECOT_MAIL_USER  the user that owns the mail and runs Sieve programs
#
# Users: alice (password $DOVECOT_PASS) and bob (password "bob-secret").
# Mailboxes: INBOX, Sent (\Sent special-use), Drafts, Trash, Junk, created
# on first login.  A message's token for XOAUTH2 is the user's password.
#
# Sieve (generic, for tests that deliver through LDA or save over IMAP):
#   - dovecot-lda runs the user's active script $DOVECOT_DIR/home/USER/.dovecot.sieve
#     (write it before delivering; no script means plain delivery to INBOX).
#   - The extprograms extensions vnd.dovecot.pipe, .filter and .execute are
#     enabled; programs must be executable files in $DOVECOT_SIEVE_BIN.
#     They receive the message with CRLF line ends, and run as the mail
#     user ($DOVECOT_MAIL_USER: nobody when the tests run as root), so what
#     they write must go somewhere that user can write.  Scripts need
#     `require ["vnd.dovecot.pipe", "copy"];` for `pipe :copy "prog";`.
#   - IMAPSieve is loaded: to run a script when a client stores a message
#     into a mailbox (APPEND or COPY), write the script to
#     $DOVECOT_DIR/imapsieve/NAME.sieve and call
#     dovecot_imapsieve MAILBOX NAME before dovecot_start.
#
# Runs as root (mail owned by nobody, the login process as dovenull) or as
# an ordinary user (everything as that user).

DOVECOT_DIR="$T/dovecot"
DOVECOT_HOST=127.0.0.1
DOVECOT_USER=alice
DOVECOT_PASS="al1ce-Pa55-$$"
DOVECOT_CA="$DOVECOT_DIR/tls/ca.crt"
DOVECOT_UNKNOWN_CA="$DOVECOT_DIR/tls/unknown-ca.crt"
DOVECOT_LOG="$DOVECOT_DIR/dovecot.log"
DOVECOT_SIEVE_BIN="$DOVECOT_DIR/sieve-bin"
DOVECOT_IMAP_PORT=""
DOVECOT_IMAPS_PORT=""
DOVECOT_MAIL_USER=""
_dovecot_pid=""
_dovecot_imapsieve=""
_dovecot_lda=/usr/lib/dovecot/dovecot-lda

# --- ports ---------------------------------------------------------------

# _dovecot_port_free PORT: TRUE when nothing listens on 127.0.0.1:PORT.
_dovecot_port_free() {
	if command -v ss >/dev/null 2>&1; then
		[ -z "$(ss -Htln "sport = :$1" 2>/dev/null)" ]
	else
		! (netstat -ltn 2>/dev/null | grep -q "[:.]$1 ")
	fi
}

# _dovecot_pick_ports: two free ports, starting from a per-process base.
_dovecot_pick_ports() {
	_p=$((20000 + ($$ * 13 + ${1:-0} * 101) % 40000))
	DOVECOT_IMAP_PORT="" DOVECOT_IMAPS_PORT=""
	while [ -z "$DOVECOT_IMAPS_PORT" ]; do
		[ "$_p" -ge 65000 ] && _p=20000
		if _dovecot_port_free "$_p"; then
			if [ -z "$DOVECOT_IMAP_PORT" ]; then DOVECOT_IMAP_PORT=$_p
			else DOVECOT_IMAPS_PORT=$_p; fi
		fi
		_p=$((_p + 1))
	done
}

# --- certificates --------------------------------------------------------

# _dovecot_ca NAME: a CA certificate NAME.crt / NAME.key.
_dovecot_ca() {
	openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
		-keyout "$1.key" -out "$1.crt" -days 30 -subj "/CN=kith test $(basename "$1")" \
		-addext basicConstraints=critical,CA:TRUE \
		-addext keyUsage=critical,keyCertSign,cRLSign 2>/dev/null
}

# _dovecot_leaf NAME CA SAN DAYS: a server certificate NAME.crt / NAME.key
# for the subjectAltName SAN, signed by CA (or self-signed when CA is "").
_dovecot_leaf() {
	_cn=$(echo "$3" | sed 's/^DNS:\([^,]*\).*/\1/')
	printf 'subjectAltName=%s\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n' \
		"$3" >"$1.ext"
	if [ -z "$2" ]; then
		openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
			-keyout "$1.key" -out "$1.crt" -days "$4" -subj "/CN=$_cn" \
			-addext "subjectAltName=$3" 2>/dev/null
		return
	fi
	openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
		-keyout "$1.key" -out "$1.csr" -subj "/CN=$_cn" 2>/dev/null &&
	openssl x509 -req -in "$1.csr" -CA "$2.crt" -CAkey "$2.key" \
		-CAcreateserial -days "$4" -extfile "$1.ext" -out "$1.crt" 2>/dev/null
}

_dovecot_certs() {
	_d="$DOVECOT_DIR/tls"
	mkdir -p "$_d" || return 1
	_dovecot_ca "$_d/ca" && _dovecot_ca "$_d/unknown-ca" &&
	_dovecot_leaf "$_d/good" "$_d/ca" "DNS:localhost,IP:127.0.0.1" 30 &&
	_dovecot_leaf "$_d/otherhost" "$_d/ca" "DNS:mail.example.org" 30 &&
	_dovecot_leaf "$_d/unknownca" "$_d/unknown-ca" "DNS:localhost,IP:127.0.0.1" 30 &&
	_dovecot_leaf "$_d/expired" "$_d/ca" "DNS:localhost,IP:127.0.0.1" -1 &&
	_dovecot_leaf "$_d/selfsigned" "" "DNS:localhost,IP:127.0.0.1" 30 || return 1
	# The files Dovecot reads; dovecot_use_cert swaps them.
	cp "$_d/good.crt" "$_d/server.crt" && cp "$_d/good.key" "$_d/server.key"
	chmod 644 "$_d"/*.crt
	chmod 600 "$_d"/*.key
}

# dovecot_fingerprint KIND: SHA-256 fingerprint (AA:BB:...) of a served cert.
dovecot_fingerprint() {
	openssl x509 -in "$DOVECOT_DIR/tls/$1.crt" -noout -fingerprint -sha256 |
		sed 's/^.*=//'
}

# --- configuration -------------------------------------------------------

_dovecot_users() {
	if [ "$(id -u)" = 0 ]; then
		_dc_internal=dovecot _dc_group=dovecot _dc_login=dovenull
		_dc_uid=$(id -u nobody) _dc_gid=$(id -g nobody)
		DOVECOT_MAIL_USER=nobody
	else
		_dc_internal=$(id -un) _dc_group=$(id -gn) _dc_login=$(id -un)
		_dc_uid=$(id -u) _dc_gid=$(id -g)
		DOVECOT_MAIL_USER=$(id -un)
	fi
}

# dovecot_imapsieve MAILBOX NAME: run $DOVECOT_DIR/imapsieve/NAME.sieve when
# a message is stored into MAILBOX by APPEND or COPY.  Call before start.
dovecot_imapsieve() {
	_n=$(($(echo "$_dovecot_imapsieve" | grep -c .) + 1))
	_dovecot_imapsieve="$_dovecot_imapsieve
  imapsieve_mailbox${_n}_name = $1
  imapsieve_mailbox${_n}_causes = APPEND COPY
  imapsieve_mailbox${_n}_before = file:$DOVECOT_DIR/imapsieve/$2.sieve"
}

_dovecot_config() {
	_dovecot_users
	_D=$DOVECOT_DIR
	printf '%s:{PLAIN}%s\n' "$DOVECOT_USER" "$DOVECOT_PASS" >"$_D/passwd"
	printf 'bob:{PLAIN}bob-secret\n' >>"$_D/passwd"
	printf '%s\n' "$DOVECOT_PASS" >"$_D/password"
	chmod 644 "$_D/passwd"
	cat >"$_D/dovecot.conf" <<EOF
# Private test instance; see tests/lib/dovecot.sh.
base_dir = $_D/run
state_dir = $_D/state
log_path = $DOVECOT_LOG
info_log_path = $DOVECOT_LOG
debug_log_path = $DOVECOT_LOG
instance_name = kith-test-$$
protocols = imap
listen = $DOVECOT_HOST
# No address-space cap: IMAPSieve runs kith inside the imap process, and
# the sanitizer build (make asan) reserves terabytes of shadow memory.
default_vsz_limit = 0
default_internal_user = $_dc_internal
default_internal_group = $_dc_group
default_login_user = $_dc_login
first_valid_uid = 1
first_valid_gid = 0
mail_location = maildir:$_D/mail/%u/Maildir
auth_mechanisms = plain login xoauth2
disable_plaintext_auth = no
auth_verbose = yes
auth_failure_delay = 0 secs
verbose_proctitle = no
login_greeting = kith test imap
postmaster_address = postmaster@localhost
lda_mailbox_autocreate = yes
lda_mailbox_autosubscribe = yes

ssl = yes
ssl_cert = <$_D/tls/server.crt
ssl_key = <$_D/tls/server.key

passdb {
  driver = passwd-file
  args = scheme=PLAIN username_format=%u $_D/passwd
}
userdb {
  driver = static
  args = uid=$_dc_uid gid=$_dc_gid home=$_D/home/%u
}

namespace inbox {
  inbox = yes
  mailbox Sent {
    special_use = \\Sent
    auto = subscribe
  }
  mailbox Drafts {
    special_use = \\Drafts
    auto = subscribe
  }
  mailbox Trash {
    special_use = \\Trash
    auto = subscribe
  }
  mailbox Junk {
    special_use = \\Junk
    auto = subscribe
  }
}

service imap-login {
  chroot =
  inet_listener imap {
    port = $DOVECOT_IMAP_PORT
  }
  inet_listener imaps {
    port = $DOVECOT_IMAPS_PORT
    ssl = yes
  }
}
service anvil {
  # Without this one failed login delays the next from 127.0.0.1 by seconds.
  unix_listener anvil-auth-penalty {
    mode = 0
  }
}
service stats {
  unix_listener stats-reader {
    mode = 0666
  }
  unix_listener stats-writer {
    mode = 0666
  }
}

# Sieve: LDA runs the user's script; IMAP runs IMAPSieve scripts.
protocol lda {
  mail_plugins = \$mail_plugins sieve
}
protocol imap {
  mail_plugins = \$mail_plugins imap_sieve
}
plugin {
  sieve = file:$_D/home/%u/sieve;active=$_D/home/%u/.dovecot.sieve
  sieve_plugins = sieve_imapsieve sieve_extprograms
  sieve_extensions = +vnd.dovecot.pipe +vnd.dovecot.filter +vnd.dovecot.execute
  sieve_pipe_bin_dir = $DOVECOT_SIEVE_BIN
  sieve_filter_bin_dir = $DOVECOT_SIEVE_BIN
  sieve_execute_bin_dir = $DOVECOT_SIEVE_BIN$_dovecot_imapsieve
}
EOF
}

_dovecot_dirs() {
	mkdir -p "$DOVECOT_DIR/run" "$DOVECOT_DIR/state" "$DOVECOT_DIR/mail" \
		"$DOVECOT_DIR/home" "$DOVECOT_SIEVE_BIN" "$DOVECOT_DIR/imapsieve" || return 1
	for _u in "$DOVECOT_USER" bob; do
		mkdir -p "$DOVECOT_DIR/home/$_u" "$DOVECOT_DIR/mail/$_u/Maildir"
	done
	chmod 755 "$DOVECOT_DIR"
	if [ "$(id -u)" = 0 ]; then
		chown -R "$_dc_uid:$_dc_gid" "$DOVECOT_DIR/mail" "$DOVECOT_DIR/home" \
			"$DOVECOT_DIR/imapsieve"
	fi
}

# --- start and stop ------------------------------------------------------

# _dovecot_wait_banner PORT: until the port answers with a greeting.
_dovecot_wait_banner() {
	_i=0
	while [ "$_i" -lt 100 ]; do
		if curl -s --max-time 2 "imap://$DOVECOT_HOST:$1/" \
			-u "$DOVECOT_USER:$DOVECOT_PASS" -X CAPABILITY >/dev/null 2>&1; then
			return 0
		fi
		_i=$((_i + 1))
		sleep 0.1
	done
	return 1
}

dovecot_start() {
	if ! command -v dovecot >/dev/null 2>&1 && [ ! -x /usr/sbin/dovecot ]; then
		echo "dovecot.sh: dovecot is not installed" >&2
		return 1
	fi
	if [ ! -f "$DOVECOT_DIR/tls/server.crt" ]; then
		_dovecot_users
		mkdir -p "$DOVECOT_DIR" && _dovecot_dirs && _dovecot_certs || {
			echo "dovecot.sh: cannot prepare $DOVECOT_DIR" >&2; return 1; }
	fi
	_try=0
	while [ "$_try" -lt 5 ]; do
		# A restart keeps its ports while they are free.
		if [ "$_try" -gt 0 ] || [ -z "$DOVECOT_IMAP_PORT" ] ||
		   ! _dovecot_port_free "$DOVECOT_IMAP_PORT" ||
		   ! _dovecot_port_free "$DOVECOT_IMAPS_PORT"; then
			_dovecot_pick_ports "$_try"
		fi
		_dovecot_config
		_dovecot_dirs
		if PATH="/usr/sbin:$PATH" dovecot -c "$DOVECOT_DIR/dovecot.conf" \
			>>"$DOVECOT_DIR/start.log" 2>&1 &&
		   _dovecot_wait_banner "$DOVECOT_IMAP_PORT"; then
			_dovecot_pid=$(cat "$DOVECOT_DIR/run/master.pid" 2>/dev/null)
			[ -n "$_dovecot_pid" ] && on_exit dovecot_stop
			# A test killed by a signal still stops its Dovecot.
			trap 'exit 129' HUP
			trap 'exit 130' INT
			trap 'exit 143' TERM
			return 0
		fi
		_dovecot_pid=$(cat "$DOVECOT_DIR/run/master.pid" 2>/dev/null)
		dovecot_stop
		_try=$((_try + 1))
	done
	echo "dovecot.sh: dovecot did not start; see $DOVECOT_DIR/start.log and $DOVECOT_LOG" >&2
	cat "$DOVECOT_DIR/start.log" >&2 2>/dev/null
	tail -n 20 "$DOVECOT_LOG" >&2 2>/dev/null
	return 1
}

dovecot_stop() {
	[ -n "$_dovecot_pid" ] || return 0
	# a paused session would hold the master's shutdown up
	pkill -CONT -P "$_dovecot_pid" -x imap 2>/dev/null
	kill -TERM "$_dovecot_pid" 2>/dev/null
	_i=0
	while kill -0 "$_dovecot_pid" 2>/dev/null && [ "$_i" -lt 50 ]; do
		sleep 0.1; _i=$((_i + 1))
	done
	_dovecot_pid=""
}

# dovecot_restart: stop and start again on the same ports (when free),
# e.g. after changing files under the Maildir behind Dovecot's back.
dovecot_restart() {
	dovecot_stop
	dovecot_start
}

# dovecot_pause / dovecot_resume: SIGSTOP / SIGCONT the imap processes of
# this instance (children of its master), so a client sees a stalled server.
dovecot_pause() {
	[ -n "$_dovecot_pid" ] || return 1
	pkill -STOP -P "$_dovecot_pid" -x imap
}
dovecot_resume() {
	[ -n "$_dovecot_pid" ] || return 0
	pkill -CONT -P "$_dovecot_pid" -x imap
}
dovecot_stall_after() {
	_i=0
	until pgrep -P "$_dovecot_pid" -x imap >/dev/null || [ "$_i" -ge 1000 ]; do
		_i=$((_i + 1))
		sleep 0.005
	done
	dovecot_pause
	_i=0
	while [ "$(grep -c 'fetching UIDs' "$1" 2>/dev/null)" -lt "$2" ] && [ "$_i" -lt 1000 ]; do
		pkill -CONT -P "$_dovecot_pid" -x imap
		sleep 0.005
		dovecot_pause
		sleep 0.02
		_i=$((_i + 1))
	done
}

# dovecot_use_cert KIND: serve $DOVECOT_DIR/tls/KIND.crt from now on.
dovecot_use_cert() {
	_d="$DOVECOT_DIR/tls"
	[ -f "$_d/$1.crt" ] || { echo "dovecot.sh: no certificate $1" >&2; return 1; }
	cp "$_d/$1.crt" "$_d/server.crt" && cp "$_d/$1.key" "$_d/server.key" || return 1
	[ -n "$_dovecot_pid" ] || return 0
	kill -HUP "$_dovecot_pid"
	_want=$(openssl x509 -in "$_d/$1.crt" -noout -fingerprint -sha256)
	_i=0
	while [ "$_i" -lt 50 ]; do
		_got=$(openssl s_client -connect "$DOVECOT_HOST:$DOVECOT_IMAPS_PORT" \
			</dev/null 2>/dev/null | openssl x509 -noout -fingerprint -sha256 2>/dev/null)
		[ "$_got" = "$_want" ] && return 0
		sleep 0.1; _i=$((_i + 1))
	done
	echo "dovecot.sh: certificate $1 not served after reload" >&2
	return 1
}

# --- mail ----------------------------------------------------------------

# dovecot_maildir USER [MAILBOX]: the Maildir++ directory of a mailbox.
dovecot_maildir() {
	_m="$DOVECOT_DIR/mail/$1/Maildir"
	case "${2:-INBOX}" in
	INBOX) echo "$_m" ;;
	*) echo "$_m/.$(echo "$2" | sed 's|/|.|g')" ;;
	esac
}

# dovecot_deliver USER [-m MAILBOX] < MSG: deliver through dovecot-lda.
dovecot_deliver() {
	_u=$1; shift
	"$_dovecot_lda" -c "$DOVECOT_DIR/dovecot.conf" -d "$_u" \
		-f sender@example.org "$@"
}

# dovecot_append MAILBOX FILE: APPEND FILE (LF or CRLF) over IMAP.
dovecot_append() {
	curl -sS --max-time 30 -u "$DOVECOT_USER:$DOVECOT_PASS" \
		-T "$2" "imap://$DOVECOT_HOST:$DOVECOT_IMAP_PORT/$(_dovecot_urlbox "$1")"
}

_dovecot_urlbox() {
	echo "$1" | sed 's/ /%20/g'
}

# dovecot_fill USER MAILBOX COUNT [PREFIX]: COUNT distinct small messages
# written into the Maildir's new/ (Dovecot assigns UIDs on its next look).
# Message N has Message-ID <PREFIX-N@kith.test> and subject "PREFIX N".
dovecot_fill() {
	_dir=$(dovecot_maildir "$1" "$2")
	_pre=${4:-msg}
	mkdir -p "$_dir/new" "$_dir/cur" "$_dir/tmp"
	[ "$2" = INBOX ] || : >"$_dir/maildirfolder"
	_now=$(date +%s)
	awk -v n="$3" -v pre="$_pre" -v dir="$_dir/new" -v now="$_now" -v pid="$$" '
	BEGIN {
		for (i = 1; i <= n; i++) {
			f = sprintf("%s/%d.M%dP%d.kithtest", dir, now, i, pid)
			printf "From: Person %d <person%d@example.org>\n", i % 50, i % 50 > f
			printf "To: Alice <alice@example.com>\n" > f
			printf "Subject: %s %d\n", pre, i > f
			printf "Date: Mon, 2 Mar 2026 10:%02d:00 +0000\n", i % 60 > f
			printf "Message-ID: <%s-%d@kith.test>\n", pre, i > f
			printf "MIME-Version: 1.0\nContent-Type: text/plain; charset=utf-8\n\n" > f
			printf "Hello Alice,\n\nCould you send me the report %d by Friday?\n\nPerson %d\n", i, i % 50 > f
			close(f)
		}
	}'
	if [ "$(id -u)" = 0 ]; then
		_dovecot_users
		chown -R "$_dc_uid:$_dc_gid" "$DOVECOT_DIR/mail/$1"
	fi
}

# dovecot_imap MAILBOX COMMAND: one command after SELECT MAILBOX.
dovecot_imap() {
	curl -sS --max-time 60 -u "$DOVECOT_USER:$DOVECOT_PASS" \
		"imap://$DOVECOT_HOST:$DOVECOT_IMAP_PORT/$(_dovecot_urlbox "$1")" -X "$2"
}

# dovecot_flags MAILBOX: "UID (FLAGS)" per message, sorted by UID.
dovecot_flags() {
	dovecot_imap "$1" 'UID FETCH 1:* (FLAGS)' | tr -d '\r' |
		sed -n 's/^\* [0-9]* FETCH (\(.*\))$/\1/p' |
		sed 's/.*UID \([0-9]*\).*FLAGS (\([^)]*\)).*/\1 \2/; s/.*FLAGS (\([^)]*\)).*UID \([0-9]*\).*/\2 \1/' |
		sed "s| *\\\\Recent||; s| *\$||" | sort -n
}

# dovecot_set_flags MAILBOX UIDSET FLAGS
dovecot_set_flags() {
	dovecot_imap "$1" "UID STORE $2 +FLAGS ($3)" >/dev/null
}

# dovecot_count MAILBOX: the number of messages.
dovecot_count() {
	curl -sS --max-time 30 -u "$DOVECOT_USER:$DOVECOT_PASS" \
		"imap://$DOVECOT_HOST:$DOVECOT_IMAP_PORT/" -X "STATUS \"$1\" (MESSAGES)" |
		tr -d '\r' | sed -n 's/.*(MESSAGES \([0-9]*\)).*/\1/p'
}

# dovecot_log_count REGEX: matching lines in the Dovecot log so far.
dovecot_log_count() {
	grep -c -- "$1" "$DOVECOT_LOG" 2>/dev/null || true
}
