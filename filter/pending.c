/*
 * pending.c - commands whose files have not landed yet.  Weak, and linked
 * after libkith.a, so a real cmd_NAME.c replaces each one.  Delete an entry
 * when its command lands; delete the file when it is empty.
 */
#include "commands.h"
#include "items.h"
#include "source.h"

#define PENDING(fn) \
	__attribute__((weak)) kith_status fn(kith_config *cfg, int argc, \
		char **argv, char **errstr) \
	{ return kith_fail(errstr, KITH_E_SOFTWARE, "%s: not available in this build", argv[0]); }

PENDING(cmd_detect)
PENDING(cmd_rules)

static kith_status
imap_pending(const kith_account *acct, kith_ingest *ing, char **errstr)
{
	return kith_fail(errstr, KITH_E_SOFTWARE, "IMAP is not available in this build");
}

__attribute__((weak)) const source_ops source_imap_ops = { "imap", imap_pending };
