# libFuzzer targets with ASan and UBSan, built by tests/fuzz/run.sh (make fuzz):
#     make -f tests/fuzz/fuzz.mk [FUZZ_CC=clang] [TARGETS="fuzz_money ..."]
# Each tests/fuzz/fuzz_<what>.c becomes build/fuzz/fuzz_<what>, linked with
# every core/ object plus the sources listed in fuzz_<what>_SRC below. The
# project's own objects are not reused: these need clang's fuzzer coverage hooks.

FUZZ_CC ?= clang
B       := build/fuzz

SAN      := -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
WARNINGS := -std=c11 -Wall -Wextra -Werror -Wshadow -Wformat=2 -Wstrict-prototypes \
            -Wmissing-prototypes -Wvla -Wno-missing-field-initializers
CPPFLAGS := -I. -D_GNU_SOURCE -DLOCALEDIR='"/nonexistent"'
OPT      := -g -O1

# Parsers only need these; neither SQLite is linked in (no parser touches one).
PKGS   := libcjson libsodium zlib
PKG_CF := $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LD := $(shell pkg-config --libs $(PKGS) 2>/dev/null) -lm

CORE_SRC := $(sort $(wildcard core/*.c))
ALL_TARGETS := $(patsubst tests/fuzz/%.c,%,$(sort $(wildcard tests/fuzz/fuzz_*.c)))
TARGETS ?= $(ALL_TARGETS)

# Extra sources per target beyond core/ (add the module a new target fuzzes).
fuzz_csv_SRC     := server/csv.c server/buf.c
fuzz_gzip_SRC    := server/gz.c server/buf.c
fuzz_cursor_SRC  := server/cursor.c
fuzz_reqjson_SRC := server/reqjson.c

obj = $(patsubst %.c,$(B)/obj/%.o,$(1))

ifeq ($(V),1)
Q :=
quiet = @:
else
Q := @
quiet = @printf '  %-6s %s\n'
endif

.PHONY: all
all: $(addprefix $(B)/,$(TARGETS))

$(B)/obj/%.o: %.c
	$(quiet) CLANG $<
	@mkdir -p $(dir $@)
	$(Q)$(FUZZ_CC) $(CPPFLAGS) $(PKG_CF) $(WARNINGS) $(OPT) $(SAN) -fsanitize=fuzzer-no-link \
		-MMD -MP -c -o $@ $<

define target_rule
$(B)/$(1): $(call obj,tests/fuzz/$(1).c $(CORE_SRC) $($(1)_SRC))
	$$(quiet) LINK $$@
	$$(Q)$$(FUZZ_CC) $$(OPT) $$(SAN) -fsanitize=fuzzer -o $$@ $$^ $$(PKG_LD) $$($(1)_LIBS)
endef
$(foreach t,$(ALL_TARGETS),$(eval $(call target_rule,$(t))))

-include $(shell find $(B)/obj -name '*.d' 2>/dev/null)
