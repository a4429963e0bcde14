/* paths.c - XDG locations of kith's files. */
#include <errno.h>
#include <limits.h>
#include <sys/stat.h>
#include <unistd.h>

#include "paths.h"

char *
paths_default_config(void)
{
	return g_build_filename(g_get_user_config_dir(), "kith", "config", NULL);
}

char *
paths_default_db(void)
{
	return g_build_filename(g_get_user_data_dir(), "kith", "kith.db", NULL);
}

char *
paths_spool_for_db(const char *db_path)
{
	return g_strconcat(db_path, ".spool", NULL);
}

char *
paths_user_rules_dir(void)
{
	return g_build_filename(g_get_user_config_dir(), "kith", "rules.d", NULL);
}

/* The directory of the running executable, or NULL. */
static char *
self_dir(void)
{
	char buf[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", buf, sizeof buf - 1);

	if (n <= 0)
		return NULL;
	buf[n] = '\0';
	return g_path_get_dirname(buf);
}

char *
paths_system_rules_dir(void)
{
	const char *env = g_getenv("KITH_RULES_DIR");
	char *dir, *candidate;

	if (env != NULL && *env != '\0')
		return g_strdup(env);
	/* A build tree: rules/ beside the binary (kith-core sits at the top,
	 * the sanitizer build one level down). */
	dir = self_dir();
	if (dir != NULL) {
		candidate = g_build_filename(dir, "rules", NULL);
		if (g_file_test(candidate, G_FILE_TEST_IS_DIR) &&
		    g_file_test(dir, G_FILE_TEST_EXISTS)) {
			char *mk = g_build_filename(dir, "Makefile", NULL);
			gboolean tree = g_file_test(mk, G_FILE_TEST_EXISTS);

			g_free(mk);
			if (tree) {
				g_free(dir);
				return candidate;
			}
		}
		g_free(candidate);
		candidate = g_build_filename(dir, "..", "rules", NULL);
		if (g_file_test(candidate, G_FILE_TEST_IS_DIR)) {
			char *mk = g_build_filename(dir, "..", "Makefile", NULL);
			gboolean tree = g_file_test(mk, G_FILE_TEST_EXISTS);

			g_free(mk);
			if (tree) {
				g_free(dir);
				return candidate;
			}
		}
		g_free(candidate);
		g_free(dir);
	}
#ifdef KITH_DATADIR
	return g_build_filename(KITH_DATADIR, "rules", NULL);
#else
	return g_strdup("/usr/local/share/kith/rules");
#endif
}

gboolean
paths_mkdir_p(const char *dir, int mode)
{
	return g_mkdir_with_parents(dir, mode) == 0;
}
