/* status.c - the single mapping from kith_status to exit codes. */
#include <stdarg.h>
#include <sysexits.h>

#include "kith.h"

kith_status
kith_fail(char **errstr, kith_status status, const char *fmt, ...)
{
	va_list ap;

	if (errstr != NULL) {
		va_start(ap, fmt);
		g_free(*errstr);
		*errstr = g_strdup_vprintf(fmt, ap);
		va_end(ap);
	}
	return status;
}

int
kith_exit_code(kith_status status)
{
	switch (status) {
	case KITH_OK:            return 0;
	case KITH_E_USAGE:       return EX_USAGE;
	case KITH_E_DATA:        return EX_DATAERR;
	case KITH_E_NOINPUT:     return EX_NOINPUT;
	case KITH_E_NOHOST:      return EX_NOHOST;
	case KITH_E_UNAVAILABLE: return EX_UNAVAILABLE;
	case KITH_E_SOFTWARE:    return EX_SOFTWARE;
	case KITH_E_OS:          return EX_OSERR;
	case KITH_E_CANTCREAT:   return EX_CANTCREAT;
	case KITH_E_IO:          return EX_IOERR;
	case KITH_E_TEMPFAIL:    return EX_TEMPFAIL;
	case KITH_E_PROTOCOL:    return EX_PROTOCOL;
	case KITH_E_NOPERM:      return EX_NOPERM;
	case KITH_E_CONFIG:      return EX_CONFIG;
	case KITH_E_INTERRUPTED: return 130;
	}
	return EX_SOFTWARE;
}

const char *
kith_status_name(kith_status status)
{
	switch (status) {
	case KITH_OK:            return "ok";
	case KITH_E_USAGE:       return "usage";
	case KITH_E_DATA:        return "data";
	case KITH_E_NOINPUT:     return "noinput";
	case KITH_E_NOHOST:      return "nohost";
	case KITH_E_UNAVAILABLE: return "unavailable";
	case KITH_E_SOFTWARE:    return "software";
	case KITH_E_OS:          return "oserr";
	case KITH_E_CANTCREAT:   return "cantcreat";
	case KITH_E_IO:          return "ioerr";
	case KITH_E_TEMPFAIL:    return "tempfail";
	case KITH_E_PROTOCOL:    return "protocol";
	case KITH_E_NOPERM:      return "noperm";
	case KITH_E_CONFIG:      return "config";
	case KITH_E_INTERRUPTED: return "interrupted";
	}
	return "unknown";
}
