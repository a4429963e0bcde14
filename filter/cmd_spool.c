/* cmd_spool.c - `kith spool [list|drain]`: the delivery queue. */
#include <sched.h>
#include <stdio.h>
#include <sys/resource.h>
#include <string.h>

#include "cmdutil.h"
#include "commands.h"
#include "drain.h"
#include "log.h"
#include "spool.h"

static void
print_dir(const char *spool_dir, const char *sub, const char *label)
{
	char *dir = g_build_filename(spool_dir, sub, NULL);
	GDir *d = g_dir_open(dir, 0, NULL);
	const char *name;

	while (d != NULL && (name = g_dir_read_name(d)) != NULL)
		printf("%s\t%s/%s\n", label, dir, name);
	if (d != NULL)
		g_dir_close(d);
	g_free(dir);
}

kith_status
cmd_spool(kith_config *cfg, int argc, char **argv, char **errstr)
{
	kith_store *store = NULL;
	kith_status status;
	guint n = 0;
	const char *action;
	gboolean if_idle = FALSE;
	GOptionEntry entries[] = {
		{ "if-idle", 0, 0, G_OPTION_ARG_NONE, &if_idle,
		  "drain: the background drain (returns at once if another one "
		  "is running; waits [store] drain_linger seconds for more mail)", NULL },
		{ NULL, 0, 0, 0, NULL, NULL, NULL },
	};

	status = cmd_parse_options(&argc, &argv, entries, "[list|drain]",
		"List the messages waiting in the spool, or record them now.", errstr);
	if (status != KITH_OK)
		return status;
	action = argc > 1 ? argv[1] : "list";
	if (strcmp(action, "list") == 0) {
		print_dir(cfg->spool_dir, "new", "waiting");
		print_dir(cfg->spool_dir, "failed", "failed");
		return KITH_OK;
	}
	if (strcmp(action, "drain") != 0)
		return kith_fail(errstr, KITH_E_USAGE, "spool: unknown action '%s'", action);
	if (if_idle) {
		/* The background drain started by `kith filter`: it must never
		 * slow the deliveries that follow it, so it takes only the CPU
		 * nothing else wants. */
		struct sched_param sp = { 0 };

		if (sched_setscheduler(0, SCHED_IDLE, &sp) != 0 &&
		    setpriority(PRIO_PROCESS, 0, 19) != 0)
			log_debug("spool drain: cannot lower its priority");
	}
	status = store_open(cfg->db_path, &store, errstr);
	if (status != KITH_OK)
		return status;
	if (if_idle)
		status = drain_spool_background(cfg, store, &n, errstr);
	else
		status = drain_spool(cfg, store, TRUE, &n, errstr);
	if (status == KITH_OK)
		log_info("recorded %u spooled message%s", n, n == 1 ? "" : "s");
	store_close(store);
	return status;
}
