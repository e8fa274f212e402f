# Doorstep: plain GNU Makefile (no configure step; Debian 12 is the target).
#
#   make            build/doorstep and build/doorstep-server
#   make check      install missing Debian packages (as root), build, run every test tier
#   make demo       start a loopback server with demo data and open the TUI
#   make lint       banned functions, layering, formatting, whitespace
#   make V=1        show full commands
#   make SANITIZE=1 ASan+UBSan build into build/asan

CC       ?= cc
BUILD    ?= build
PREFIX   ?= /usr/local

ifeq ($(SANITIZE),1)
BUILD    := build/asan
SANFLAGS := -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
endif

PKG_CLIENT := ncursesw sqlcipher libcurl libcjson libsodium zlib
PKG_SERVER := libmicrohttpd sqlite3 libcjson libsodium zlib

CFLAGS   ?= -O2 -g
WARNINGS := -std=c11 -Wall -Wextra -Werror -Wshadow -Wformat=2 -Wstrict-prototypes \
            -Wmissing-prototypes -Wvla -Wno-missing-field-initializers
CPPFLAGS += -I. -D_GNU_SOURCE -DLOCALEDIR='"$(LOCALEDIR)"'
DEPFLAGS  = -MMD -MP
LOCALEDIR ?= $(abspath $(BUILD))/locale

# pkg-config is asked lazily so that `make deps` can run before the -dev packages exist.
CLIENT_CFLAGS = $(shell pkg-config --cflags $(PKG_CLIENT) 2>/dev/null)
CLIENT_LIBS   = $(shell pkg-config --libs $(PKG_CLIENT) 2>/dev/null) -lm
SERVER_CFLAGS = $(shell pkg-config --cflags $(PKG_SERVER) 2>/dev/null)
SERVER_LIBS   = $(shell pkg-config --libs $(PKG_SERVER) 2>/dev/null) -lpthread -lm

ifeq ($(V),1)
Q :=
quiet = @:
else
Q := @
quiet = @printf '  %-6s %s\n'
endif

# Sources are found by directory so that a new file needs no Makefile edit.
# core/ is shared by both programs; server/ links the system SQLite, the client
# links SQLCipher, so the two never meet in one binary.
CORE_SRC   := $(sort $(wildcard core/*.c))
CLIENT_SRC := $(sort $(wildcard store/*.c sync/*.c tui/*.c client/*.c))
CLIENT_SRC := $(filter-out client/main.c,$(CLIENT_SRC))
SERVER_SRC := $(sort $(filter-out server/main.c,$(wildcard server/*.c)))

obj = $(patsubst %.c,$(BUILD)/obj/%.o,$(1))

CORE_OBJ   := $(call obj,$(CORE_SRC))
CLIENT_OBJ := $(call obj,$(CLIENT_SRC))
SERVER_OBJ := $(call obj,$(SERVER_SRC))

LIBCLIENT := $(BUILD)/libdoorstep.a
LIBSERVER := $(BUILD)/libdoorstep-server.a

UNIT_SRC        := $(sort $(wildcard tests/unit/test_*.c))
SERVER_UNIT_SRC := $(sort $(wildcard tests/server-unit/test_*.c))
UNIT_BIN        := $(patsubst tests/unit/%.c,$(BUILD)/tests/unit/%,$(UNIT_SRC))
SERVER_UNIT_BIN := $(patsubst tests/server-unit/%.c,$(BUILD)/tests/server-unit/%,$(SERVER_UNIT_SRC))
TOOL_SRC        := $(sort $(wildcard tests/tools/*.c))
TOOL_BIN        := $(patsubst tests/tools/%.c,$(BUILD)/tests/tools/%,$(TOOL_SRC))
BENCH_SRC       := $(sort $(wildcard bench/*.c))
BENCH_BIN       := $(patsubst bench/%.c,$(BUILD)/bench/%,$(BENCH_SRC))

PO_FILES := $(wildcard po/*.po)
MO_FILES := $(patsubst po/%.po,$(BUILD)/locale/%/LC_MESSAGES/doorstep.mo,$(PO_FILES))

.PHONY: all deps check check-unit check-asan check-integration lint demo bench fuzz \
        clean install tests pot

all: $(BUILD)/doorstep $(BUILD)/doorstep-server $(MO_FILES)

deps:
	$(Q)sh scripts/install-deps.sh

# Client-side objects see the client's libraries; server objects the server's.
$(BUILD)/obj/core/%.o: core/%.c
	$(quiet) CC $<
	@mkdir -p $(dir $@)
	$(Q)$(CC) $(CPPFLAGS) $(CLIENT_CFLAGS) $(WARNINGS) $(CFLAGS) $(SANFLAGS) $(DEPFLAGS) -c -o $@ $<

$(BUILD)/obj/server/%.o: server/%.c
	$(quiet) CC $<
	@mkdir -p $(dir $@)
	$(Q)$(CC) $(CPPFLAGS) $(SERVER_CFLAGS) $(WARNINGS) $(CFLAGS) $(SANFLAGS) $(DEPFLAGS) -c -o $@ $<

$(BUILD)/obj/%.o: %.c
	$(quiet) CC $<
	@mkdir -p $(dir $@)
	$(Q)$(CC) $(CPPFLAGS) $(CLIENT_CFLAGS) $(WARNINGS) $(CFLAGS) $(SANFLAGS) $(DEPFLAGS) -c -o $@ $<

$(LIBCLIENT): $(CORE_OBJ) $(CLIENT_OBJ)
	$(quiet) AR $@
	$(Q)rm -f $@ && $(AR) rcs $@ $^

$(LIBSERVER): $(CORE_OBJ) $(SERVER_OBJ)
	$(quiet) AR $@
	$(Q)rm -f $@ && $(AR) rcs $@ $^

$(BUILD)/doorstep: $(BUILD)/obj/client/main.o $(LIBCLIENT)
	$(quiet) LINK $@
	$(Q)$(CC) $(CFLAGS) $(SANFLAGS) -o $@ $^ $(CLIENT_LIBS)

$(BUILD)/doorstep-server: $(BUILD)/obj/server/main.o $(LIBSERVER)
	$(quiet) LINK $@
	$(Q)$(CC) $(CFLAGS) $(SANFLAGS) -o $@ $^ $(SERVER_LIBS)

$(BUILD)/tests/unit/%: tests/unit/%.c tests/unit/test.h $(LIBCLIENT)
	$(quiet) LINK $@
	@mkdir -p $(dir $@)
	$(Q)$(CC) $(CPPFLAGS) $(CLIENT_CFLAGS) $(WARNINGS) $(CFLAGS) $(SANFLAGS) $(DEPFLAGS) \
		-o $@ $< $(LIBCLIENT) $(CLIENT_LIBS)

$(BUILD)/tests/server-unit/%: tests/server-unit/%.c tests/unit/test.h $(LIBSERVER)
	$(quiet) LINK $@
	@mkdir -p $(dir $@)
	$(Q)$(CC) $(CPPFLAGS) $(SERVER_CFLAGS) $(WARNINGS) $(CFLAGS) $(SANFLAGS) $(DEPFLAGS) \
		-o $@ $< $(LIBSERVER) $(SERVER_LIBS)

$(BUILD)/tests/tools/%: tests/tools/%.c $(LIBCLIENT)
	$(quiet) LINK $@
	@mkdir -p $(dir $@)
	$(Q)$(CC) $(CPPFLAGS) $(CLIENT_CFLAGS) $(WARNINGS) $(CFLAGS) $(SANFLAGS) $(DEPFLAGS) \
		-o $@ $< $(LIBCLIENT) $(CLIENT_LIBS)

$(BUILD)/bench/%: bench/%.c $(LIBCLIENT)
	$(quiet) LINK $@
	@mkdir -p $(dir $@)
	$(Q)$(CC) $(CPPFLAGS) $(CLIENT_CFLAGS) $(WARNINGS) $(CFLAGS) $(SANFLAGS) $(DEPFLAGS) \
		-o $@ $< $(LIBCLIENT) $(CLIENT_LIBS)

$(BUILD)/locale/%/LC_MESSAGES/doorstep.mo: po/%.po
	$(quiet) MSGFMT $@
	@mkdir -p $(dir $@)
	$(Q)msgfmt --check -o $@ $<

tests: $(UNIT_BIN) $(SERVER_UNIT_BIN) $(TOOL_BIN) $(BENCH_BIN)

# --- test tiers --------------------------------------------------------------
# Each tier prints its own tally; tests/run adds them up into the final
# "N passed, N failed" line that CI reads.

check: deps
	$(Q)$(MAKE) --no-print-directory all tests
	$(Q)$(MAKE) --no-print-directory SANITIZE=1 all tests
	$(Q)$(MAKE) --no-print-directory lint
	$(Q)sh tests/run

check-unit: all tests
	$(Q)sh tests/run --only unit

lint:
	$(Q)sh scripts/lint.sh

demo: deps all
	$(Q)sh scripts/demo.sh

bench: all $(BENCH_BIN)
	$(Q)sh bench/run.sh

fuzz:
	$(Q)sh tests/fuzz/run.sh

pot:
	$(Q)sh scripts/update-po.sh

install: all
	install -d $(DESTDIR)$(PREFIX)/bin
	install -m 0755 $(BUILD)/doorstep $(BUILD)/doorstep-server $(DESTDIR)$(PREFIX)/bin/

clean:
	rm -rf build

-include $(shell find $(BUILD) -name '*.d' 2>/dev/null)
