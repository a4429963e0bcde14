/*
 * paths.h - where kith keeps its files (XDG base directories).
 * Every function returns a new string (g_free).
 */
#ifndef KITH_PATHS_H
#define KITH_PATHS_H

#include <glib.h>

/* $XDG_CONFIG_HOME/kith/config */
char *paths_default_config(void);
/* $XDG_DATA_HOME/kith/kith.db */
char *paths_default_db(void);
/* The spool that belongs to a store: "DB.spool" beside the database. */
char *paths_spool_for_db(const char *db_path);
/* $XDG_CONFIG_HOME/kith/rules.d */
char *paths_user_rules_dir(void);
/* The shipped rules: $KITH_RULES_DIR if set, else rules/ beside the
 * running binary when it exists (a build tree), else the install path. */
char *paths_system_rules_dir(void);

/* mkdir -p with the given mode for the directories created. */
gboolean paths_mkdir_p(const char *dir, int mode);

#endif
