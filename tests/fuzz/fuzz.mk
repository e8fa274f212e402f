# libFuzzer targets with ASan and UBSan, built by tests/fuzz/run.sh (make fuzz):
#     make -f tests/fuzz/fuzz.mk [FUZZ_CC=clang] [TARGETS="fuzz_money ..."]
# Each tests/fuzz/fuzz_<what>.c becomes build/fuzz/fuzz_<what>, linked with
# every core/ object plus the sources listed in fuzz_<what>_SRC below. The
# project's own objects are not reused: these need clang's fuzzer coverage hooks.

FUZZ_CC ?= clang
B       := build/fuzz

SAN      := -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
WARNINGS := -std=c11 -Wall -Wextra -Wshadow -Wformat=2 -Wstrict-prototypes \
            -Wmissing-prototypes -Wvla -Wno-missing-field-initializers
CPPFLAGS := -I. -D_GNU_SOURCE -DLOCALEDIR='"/nonexistent"'
OPT      := -g -O1

# What core/ and the parsers need. Targets that run whole server handlers add the
# server's libraries (the system SQLite); nothing here links SQLCipher.
PKGS       := libcjson libsodium zlib
PKG_CF     := $(shell pkg-config --cflags $(PKGS) libmicrohttpd sqlite3 2>/dev/null)
PKG_LD     := $(shell pkg-config --libs $(PKGS) 2>/dev/null) -lm
SERVER_LD  := $(shell pkg-config --libs libmicrohttpd sqlite3 2>/dev/null) -lpthread
SERVER_SRC := $(sort $(filter-out server/main.c,$(wildcard server/*.c)))

CORE_SRC := $(sort $(wildcard core/*.c))
ALL_TARGETS := $(patsubst tests/fuzz/%.c,%,$(sort $(wildcard tests/fuzz/fuzz_*.c)))
TARGETS ?= $(ALL_TARGETS)

# Extra sources per target beyond core/ (add the module a new target fuzzes).
fuzz_csv_SRC     := server/csv.c server/buf.c
fuzz_gzip_SRC    := server/gz.c server/buf.c
fuzz_cursor_SRC  := server/cursor.c
fuzz_reqjson_SRC := server/reqjson.c
fuzz_config_SRC  := client/config.c client/paths.c
fuzz_retry_SRC   := sync/retry.c
fuzz_sync_SRC    := sync/proto.c sync/dynbuf.c store/sync_types.c
fuzz_api_SRC     := $(SERVER_SRC) tests/fuzz/client_view.c sync/proto.c sync/dynbuf.c \
                    store/sync_types.c
fuzz_api_LIBS    := $(SERVER_LD)
fuzz_http_SRC    := $(SERVER_SRC)
fuzz_http_LIBS   := $(SERVER_LD)
fuzz_import_SRC  := $(SERVER_SRC)
fuzz_import_LIBS := $(SERVER_LD)

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

# The project's sources are built for gcc's -Werror; clang may warn where gcc does not,
# which must not stop fuzzing. The targets themselves get -Werror.
$(B)/obj/tests/fuzz/%.o: tests/fuzz/%.c
	$(quiet) CLANG $<
	@mkdir -p $(dir $@)
	$(Q)$(FUZZ_CC) $(CPPFLAGS) $(PKG_CF) $(WARNINGS) -Werror $(OPT) $(SAN) \
		-fsanitize=fuzzer-no-link -MMD -MP -c -o $@ $<

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
