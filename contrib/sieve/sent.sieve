# sent.sieve - IMAPSieve: runs when a mail client stores a message into the
# Sent folder (APPEND after sending, or COPY/MOVE), and hands a copy to kith
# as one I sent.  See dovecot-kith.conf for the imapsieve_mailbox settings.
require ["vnd.dovecot.pipe", "copy", "imapsieve"];

pipe :copy "kith" ["--sent"];
