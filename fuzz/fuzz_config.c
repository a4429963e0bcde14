/*
 * fuzz_config.c - the config parser (kith.conf(5), GKeyFile): config_load
 * on arbitrary bytes, and the accessors on what it accepts.
 */
#include <stdint.h>

#include "config.h"
#include "fuzzutil.h"

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	fuzz_quiet();
	/* expand_home and the XDG defaults read these: keep them fixed. */
	g_setenv("HOME", "/nonexistent/fuzz-home", TRUE);
	g_setenv("XDG_CONFIG_HOME", "/nonexistent/fuzz-config", TRUE);
	g_setenv("XDG_DATA_HOME", "/nonexistent/fuzz-data", TRUE);
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *path;
	kith_config *cfg = NULL;
	char *err = NULL;
	int fd;

	if (size > 64 * 1024)
		return 0;
	fd = fuzz_memfile(data, size, &path);
	if (config_load(path, &cfg, &err) == KITH_OK) {
		(void)config_is_me(cfg, "someone@example.org");
		(void)config_account(cfg, "work");
		for (int r = 0; r < ROLE_COUNT; r++)
			(void)config_cadence_for_role(cfg, (kith_role)r);
		config_add_me(cfg, "Me@Example.org");
		config_set_db(cfg, "/nonexistent/fuzz.db");
		config_free(cfg);
	}
	g_free(err);
	close(fd);
	return 0;
}
