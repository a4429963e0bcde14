# fuzz.mk - builds the libFuzzer harnesses into build-fuzz/ (run by
# fuzz/run.sh; `make fuzz` is the way in).  The library is compiled again
# with clang, coverage instrumentation, ASan and UBSan; the harnesses link
# it with libFuzzer's main.
FUZZ_CC  ?= clang-14
BUILD     = build-fuzz
PKGS      = gmime-3.0 libetpan sqlite3 libpcre2-8 libxml-2.0 gnutls
SAN       = -fsanitize=address,undefined -fno-sanitize-recover=undefined \
	-fno-omit-frame-pointer
CFLAGS_F  = -std=c11 -D_GNU_SOURCE -g -O1 -Wall -Wextra -Wno-unused-parameter \
	-Iinclude -Ifuzz -DKITH_LIBEXECDIR='"/nonexistent"' -DKITH_DATADIR='"/nonexistent"' \
	$(SAN) $(shell pkg-config --cflags $(PKGS))
LIBS_F    = $(shell pkg-config --libs $(PKGS) | sed 's|-specs=[^ ]*||g')

SRCS      = $(filter-out filter/launcher.c filter/main.c filter/pending.c,$(wildcard filter/*.c))
OBJS      = $(SRCS:filter/%.c=$(BUILD)/obj/%.o)
HARNESSES = $(patsubst fuzz/%.c,$(BUILD)/%,$(wildcard fuzz/fuzz_*.c))
HEADERS   = $(wildcard include/*.h) fuzz/fuzzutil.h

all: $(HARNESSES)

$(BUILD)/obj/%.o: filter/%.c $(HEADERS)
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(CFLAGS_F) -fsanitize=fuzzer-no-link -c $< -o $@

# Weak stand-ins for commands not written yet (filter/pending.c), if any.
$(BUILD)/libpending.a: $(wildcard filter/pending.c) $(HEADERS)
	@mkdir -p $(dir $@)
	@rm -f $@
	$(if $(wildcard filter/pending.c),$(FUZZ_CC) $(CFLAGS_F) -c filter/pending.c -o $(BUILD)/pending.o && ar rcs $@ $(BUILD)/pending.o,ar rcs $@)

$(BUILD)/libkith.a: $(OBJS)
	@rm -f $@
	ar rcs $@ $^

$(BUILD)/fuzz_%: fuzz/fuzz_%.c $(BUILD)/libkith.a $(BUILD)/libpending.a $(HEADERS)
	$(FUZZ_CC) $(CFLAGS_F) -fsanitize=fuzzer -o $@ $< $(BUILD)/libkith.a \
		$(BUILD)/libpending.a $(LIBS_F)

.PHONY: all
