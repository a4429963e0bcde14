# kith.sieve - hand every incoming message to kith, then deliver as usual.
# Include it at the top of the user's active script (or make it a
# sieve_before script for everyone).  `:copy` is essential: without it a
# failing program would cancel the implicit keep and lose the message.
require ["vnd.dovecot.pipe", "copy"];

pipe :copy "kith";
