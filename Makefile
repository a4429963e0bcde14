# kith - keeps your professional network warm, from your mail.
# Plain GNU make.  `make demo` and `make check` work from a clean clone on
# Debian 12: the `deps` step installs what is missing (as root) or names it.

PREFIX     ?= /usr/local
BINDIR     ?= $(PREFIX)/bin
LIBEXECDIR ?= $(PREFIX)/libexec/kith
DATADIR    ?= $(PREFIX)/share/kith
MANDIR     ?= $(PREFIX)/share/man
DESTDIR    ?=

CC      ?= cc
PKGS     = gmime-3.0 libetpan sqlite3 libpcre2-8 libxml-2.0 gnutls
# The fast delivery path links GLib only (see filter/launcher.c).
LAUNCHER_PKGS = glib-2.0

# libetpan's .pc file leaks -specs=/usr/share/dpkg/no-pie-link.specs, which
# fails to link without libdpkg-perl and makes a non-PIE binary with it.
pkg_cflags = $(shell pkg-config --cflags $(1) 2>/dev/null)
pkg_libs   = $(shell pkg-config --libs $(1) 2>/dev/null | sed 's|-specs=[^ ]*||g')

WARN     = -Wall -Wextra -Wno-unused-parameter -Wshadow -Wformat=2 -Wstrict-prototypes
BASEFLAGS = -std=c11 -D_GNU_SOURCE -g -O2 $(WARN) -Iinclude \
	-DKITH_LIBEXECDIR='"$(LIBEXECDIR)"' -DKITH_DATADIR='"$(DATADIR)"'

ifeq ($(SANITIZE),1)
BUILD    = build-asan
SANFLAGS = -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined
else
BUILD    = build
SANFLAGS =
endif

CFLAGS_CORE     = $(BASEFLAGS) $(SANFLAGS) $(call pkg_cflags,$(PKGS)) $(EXTRA_CFLAGS)
CFLAGS_LAUNCHER = $(BASEFLAGS) $(SANFLAGS) $(call pkg_cflags,$(LAUNCHER_PKGS)) $(EXTRA_CFLAGS)
LIBS_CORE       = $(call pkg_libs,$(PKGS))
LIBS_LAUNCHER   = $(call pkg_libs,$(LAUNCHER_PKGS))
# GLib (and the PCRE2 it needs) are linked into `kith` statically when
# their archives are installed (libglib2.0-dev ships them): resolving a
# shared GLib costs the loader half a millisecond of every delivery.
# STATIC_GLIB=0 links them dynamically.
GLIB_LIBDIR  := $(shell pkg-config --variable=libdir glib-2.0 2>/dev/null)
STATIC_GLIB  ?= $(if $(wildcard $(GLIB_LIBDIR)/libglib-2.0.a),1,0)
ifeq ($(STATIC_GLIB)$(SANITIZE),1)
LIBS_LAUNCHER   = -Wl,-Bstatic $(shell pkg-config --static --libs-only-l glib-2.0 2>/dev/null | \
	sed 's/-lm\b//; s/-pthread//') -Wl,-Bdynamic -lm -pthread
endif
LIBS_TEST       = $(call pkg_libs,cmocka)
# kith-core makes and frees a few hundred small blocks a message, across
# the scan's threads; with mimalloc as its malloc a scan takes about a tenth
# less CPU than with glibc's (bench/README.md).  MALLOC=libc keeps glibc's;
# the sanitizer builds always do, as ASan brings its own.
MALLOC ?= mimalloc
ifeq ($(MALLOC)$(SANITIZE),mimalloc)
LIBS_MALLOC     = -lmimalloc
MALLOC_DEBS     = libmimalloc-dev
endif

# The launcher's own objects: GLib only, compiled separately.
LAUNCHER_SRCS = filter/launcher.c filter/options.c filter/config.c filter/paths.c \
	filter/log.c filter/safe.c filter/spool.c filter/status.c filter/cmdutil.c \
	filter/output.c
CORE_SRCS  = $(filter-out filter/launcher.c filter/pending.c,$(wildcard filter/*.c))
CORE_OBJS  = $(CORE_SRCS:filter/%.c=$(BUILD)/core/%.o)
LIB_OBJS   = $(filter-out $(BUILD)/core/main.o,$(CORE_OBJS))
LAUNCHER_OBJS = $(LAUNCHER_SRCS:filter/%.c=$(BUILD)/launcher/%.o)
UNIT_SRCS  = $(wildcard tests/unit/test_*.c)
UNIT_BINS  = $(UNIT_SRCS:tests/unit/%.c=$(BUILD)/tests/%)
HEADERS    = $(wildcard include/*.h)

ifeq ($(SANITIZE),1)
KITH_BIN = $(BUILD)/kith
else
KITH_BIN = kith
endif

.PHONY: FORCE all build deps deps-test check unit integration demo install uninstall \
	clean asan eval bench fuzz valgrind
all: deps
	@$(MAKE) --no-print-directory build

build: $(KITH_BIN) $(dir $(KITH_BIN))kith-core $(UNIT_BINS)

# The install paths are compiled in: rebuild when they change.
$(BUILD)/paths.stamp: FORCE
	@mkdir -p $(dir $@)
	@echo '$(LIBEXECDIR) $(DATADIR) $(SANFLAGS) $(EXTRA_CFLAGS)' | cmp -s - $@ || \
		echo '$(LIBEXECDIR) $(DATADIR) $(SANFLAGS) $(EXTRA_CFLAGS)' >$@
# kith-core is linked again when the allocator changes.
$(BUILD)/malloc.stamp: FORCE
	@mkdir -p $(dir $@)
	@echo '$(LIBS_MALLOC)' | cmp -s - $@ || echo '$(LIBS_MALLOC)' >$@
FORCE:

$(BUILD)/core/%.o: filter/%.c $(HEADERS) $(BUILD)/paths.stamp
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_CORE) -c $< -o $@

$(BUILD)/launcher/%.o: filter/%.c $(HEADERS) $(BUILD)/paths.stamp
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_LAUNCHER) -DKITH_LAUNCHER -c $< -o $@

$(BUILD)/libkith.a: $(LIB_OBJS)
	@rm -f $@
	ar rcs $@ $^

# Weak stand-ins for commands still being written, linked last.
$(BUILD)/libpending.a: $(wildcard filter/pending.c) $(HEADERS)
	@mkdir -p $(dir $@)
	@rm -f $@
	$(if $(wildcard filter/pending.c),$(CC) $(CFLAGS_CORE) -c filter/pending.c -o $(BUILD)/pending.o && ar rcs $@ $(BUILD)/pending.o,ar rcs $@)

$(dir $(KITH_BIN))kith-core: $(BUILD)/core/main.o $(BUILD)/libkith.a $(BUILD)/libpending.a \
		$(BUILD)/malloc.stamp
	$(CC) $(SANFLAGS) -o $@ $(filter-out %.stamp,$^) $(LIBS_MALLOC) $(LIBS_CORE) $(LDFLAGS)

$(KITH_BIN): $(LAUNCHER_OBJS)
	$(CC) $(SANFLAGS) -o $@ $^ $(LIBS_LAUNCHER) $(LDFLAGS)

$(BUILD)/tests/%: tests/unit/%.c $(BUILD)/libkith.a $(BUILD)/libpending.a $(HEADERS)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_CORE) $(call pkg_cflags,cmocka) -Itests/unit -o $@ $< \
		$(BUILD)/libkith.a $(BUILD)/libpending.a $(LIBS_CORE) $(LIBS_TEST) $(LDFLAGS)

# --- dependencies ----------------------------------------------------------
BUILD_DEBS = gcc make pkg-config libglib2.0-dev libgmime-3.0-dev libetpan-dev \
	libsqlite3-dev libpcre2-dev libcmocka-dev libxml2-dev libgnutls28-dev $(MALLOC_DEBS)
TEST_DEBS  = dovecot-imapd dovecot-sieve procmail maildrop openssl curl \
	khard python3-icalendar python3 sqlite3 man-db procps
deps:
	@sh tests/lib/deps.sh $(BUILD_DEBS)
deps-test:
	@sh tests/lib/deps.sh $(BUILD_DEBS) $(TEST_DEBS)

# --- tests -------------------------------------------------------------------
# Every test prints PASS:/FAIL: lines; the runner's last line is the tally.
check: deps-test
	@$(MAKE) --no-print-directory build
	@KITH=$(abspath $(KITH_BIN)) BUILD=$(abspath $(BUILD)) sh tests/run.sh $(TESTS)

asan:
	@$(MAKE) --no-print-directory SANITIZE=1 check

# The tests again with every kith process under valgrind memcheck
# (tests/lib/valgrind.sh; suppressions in tests/lib/valgrind.supp).
valgrind: deps-test
	@sh tests/lib/deps.sh valgrind
	@$(MAKE) --no-print-directory build
	@KITH_VALGRIND=1 KITH=$(abspath $(KITH_BIN)) BUILD=$(abspath $(BUILD)) sh tests/run.sh $(TESTS)

# libFuzzer harnesses (fuzz/), each run for FUZZ_SECONDS; see fuzz/run.sh.
fuzz: deps
	@sh tests/lib/deps.sh clang-14 libclang-rt-14-dev
	@FUZZ_SECONDS=$(or $(FUZZ_SECONDS),60) sh fuzz/run.sh

# --- the README's demo -------------------------------------------------------
demo: all
	@sh contrib/demo.sh $(abspath $(KITH_BIN))

eval: all
	@sh tests/lib/eval.sh ./kith

bench: all
	@sh bench/run.sh

# --- install -----------------------------------------------------------------
install: all
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(LIBEXECDIR) $(DESTDIR)$(DATADIR)/rules \
		$(DESTDIR)$(MANDIR)/man1 $(DESTDIR)$(MANDIR)/man5
	install -m 755 $(KITH_BIN) $(DESTDIR)$(BINDIR)/kith
	install -m 755 $(dir $(KITH_BIN))kith-core $(DESTDIR)$(LIBEXECDIR)/kith-core
	install -m 644 rules/*.rules $(DESTDIR)$(DATADIR)/rules/
	install -m 644 doc/*.1 $(DESTDIR)$(MANDIR)/man1/
	install -m 644 doc/*.5 $(DESTDIR)$(MANDIR)/man5/

uninstall:
	rm -f $(DESTDIR)$(BINDIR)/kith $(DESTDIR)$(LIBEXECDIR)/kith-core
	rm -rf $(DESTDIR)$(DATADIR)/rules

clean:
	rm -rf build build-asan build-fuzz kith kith-core
