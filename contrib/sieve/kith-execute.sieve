# kith-execute.sieve - the same with the execute extension: `:pipe` feeds
# the message to the program, which runs at once; as a test the result is
# ignored, so a failure of kith changes nothing about delivery.
require ["vnd.dovecot.execute"];

if execute :pipe "kith" {
	# recorded
}
