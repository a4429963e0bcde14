#!/bin/sh
# valgrind.sh LOGDIR PROGRAM ARGS... - runs PROGRAM under valgrind memcheck
# the way `make valgrind` wants it: errors make the exit status 99, definite
# leaks count as errors, kith's own children (kith-core, the detached spool
# drainer) are followed, programs from the system (sh, cat, sendmail...)
# are not.  A child forked without exec (the launcher's double fork for
# the detached drainer) only calls _exit: it is not checked, the drainer it
# execs is.  Each process writes LOGDIR/vg.PID.log; with -q a log is empty
# unless something was found, so a non-empty log is a failure (testlib.sh
# checks them when a test ends: vg_check).
dir=$1; shift
# PCRE2 JIT code is opaque to memcheck: run the rules interpreted (rules.c).
export KITH_PCRE2_NO_JIT=1
mkdir -p "$dir"
exec valgrind -q --tool=memcheck --error-exitcode=99 \
	--leak-check=full --errors-for-leak-kinds=definite --show-leak-kinds=definite \
	--track-fds=no --num-callers=30 --child-silent-after-fork=yes \
	--trace-children=yes --trace-children-skip='/usr/*,/bin/*,/sbin/*' \
	--suppressions="$(dirname "$0")/valgrind.supp" \
	--log-file="$dir/vg.%p.log" "$@"
