# SPDX-License-Identifier: Apache-2.0
# tdx-unlock — build, test, install. `make check` and `make demo` install missing
# Debian packages first (make deps), so a fresh Debian 12 needs only these commands.

CC       ?= cc
BUILD    ?= build
PREFIX   ?= /usr/local
DESTDIR  ?=
SAN      ?=
FUZZ_SECONDS ?= 60
# libcurl for the client: "static" (default) builds a static HTTPS-only libcurl from
# Debian's curl source package (tools/build-libcurl.sh, cached in .cache/curl, a copy in
# $(BUILD)/curl); "system" links Debian's libcurl4-openssl-dev (offline builds). The choice
# is remembered per build directory in $(BUILD)/curl-mode (so scripts that run make keep
# it), and the client relinks when it changes.
CURL_MODE := $(BUILD)/curl-mode
ifeq ($(origin CURL),undefined)
CURL     := $(or $(shell cat $(CURL_MODE) 2>/dev/null),static)
else ifeq ($(origin CURL)$(filter static system,$(CURL)),environment)
CURL     := static# an unrelated CURL in the environment
endif

CFLAGS   ?= -O2 -g
WARN     := -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes -Wmissing-prototypes \
            -Wformat=2 -Wno-format-nonliteral -Wundef -Wvla
PKG_INC  := $(shell pkg-config --cflags json-c libcryptsetup fuse3 2>/dev/null)
ALL_CFLAGS = -std=c11 -D_GNU_SOURCE -D_FILE_OFFSET_BITS=64 $(WARN) $(CFLAGS) $(CURL_INC) $(PKG_INC) \
             -fPIC -fstack-protector-strong -Isrc -MMD -MP
ifeq ($(SAN),1)
ALL_CFLAGS += -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
LDSAN      := -fsanitize=address,undefined
else
ALL_CFLAGS += -D_FORTIFY_SOURCE=2
endif
LDFLAGS  ?=
ALL_LDFLAGS = $(LDFLAGS) $(LDSAN)

# One concern per folder; each folder becomes a static library.
MODULES  := common tdx kbs luks verify server measure
lib_srcs  = $(wildcard src/$(1)/*.c)
lib_objs  = $(patsubst %.c,$(BUILD)/obj/%.o,$(call lib_srcs,$(1)))
$(foreach m,$(MODULES),$(eval LIB_$(m) := $(BUILD)/lib$(m).a))

SIM_SRCS := $(filter-out tests/sim/sim_main.c,$(wildcard tests/sim/*.c))
LIB_sim  := $(BUILD)/libsim.a

# The client's libcurl: the static archive is a prerequisite of everything that links the
# client libraries (it comes last among the archives in $^), OpenSSL follows it.
ifeq ($(CURL),system)
CURL_INC  :=
CURL_A    :=
CURL_LIBS := -lcurl
CURL_PREP :=
else ifeq ($(CURL),static)
CURL_DIR  := $(BUILD)/curl
CURL_INC  := -I$(CURL_DIR)/include
CURL_A    := $(CURL_DIR)/lib/libcurl.a
CURL_LIBS := -lssl -lcrypto
CURL_PREP := $(CURL_A)
else
$(error CURL must be static or system, not '$(CURL)')
endif
ifeq ($(filter clean distclean deps,$(MAKECMDGOALS)),)
$(shell mkdir -p $(BUILD) && { [ "$$(cat $(CURL_MODE) 2>/dev/null)" = $(CURL) ] || echo $(CURL) >$(CURL_MODE); })
endif
# Link inputs without the mode file.
LINK_IN  = $(filter-out $(CURL_MODE),$^)
LINK_ALL = $(filter-out $(CURL_MODE),$+)

# External libraries: the client side uses mbedTLS (and libcurl), the server side
# OpenSSL's libcrypto.
LIBS_CLIENT := -lcryptsetup $(CURL_LIBS) -lmbedtls -lmbedx509 -lmbedcrypto -ljson-c
LIBS_SERVER := -lmicrohttpd -lcrypto -ljson-c -lpthread
LIBS_SIM    := -lfuse3 -lmicrohttpd -lcrypto -ljson-c -lpthread

CLIENT_CLI := src/cli/tdx-unlock.c $(wildcard src/cli/cmd_*.c)
SERVER_CLI := $(wildcard src/cli/tdx-keyserver.c src/cli/ks_*.c)

BINS := $(BUILD)/tdx-unlock $(BUILD)/tdx-sim
ifneq ($(SERVER_CLI),)
BINS += $(BUILD)/tdx-keyserver
endif
ifneq ($(wildcard src/plugin/*.c),)
BINS += $(BUILD)/libcryptsetup-token-tdx-unlock.so
endif

# The release version, one place (VERSION): --version of both programs and the token plugin's
# cryptsetup_token_version() (src/common/version.h).
VERSION       := $(shell cat VERSION)
VERSION_USERS := $(BUILD)/obj/src/cli/tdx-unlock.o $(BUILD)/obj/src/cli/tdx-keyserver.o \
                 $(BUILD)/obj/src/plugin/tdx_unlock_token.o
$(VERSION_USERS): ALL_CFLAGS += -DTDX_UNLOCK_VERSION='"$(VERSION)"'
$(VERSION_USERS): VERSION

UNIT_SRCS  := $(wildcard tests/unit/test_*.c)
UNIT_BINS  := $(patsubst tests/unit/%.c,$(BUILD)/tests/%,$(UNIT_SRCS))
UNIT_HELP  := $(filter-out $(UNIT_SRCS),$(wildcard tests/unit/*.c))

.SECONDARY:
.PHONY: all deps check unit-tests test-sanitizers fuzz bench demo install clean distclean qemu-check lint FORCE
all: $(BINS)

# Runs every time; does nothing (no network) when $(BUILD)/curl is current, so make relinks
# only when the archive really changed. The first run downloads Debian's curl source.
ifneq ($(CURL_A),)
$(CURL_A): FORCE
	@tools/build-libcurl.sh $(CURL_DIR)
endif
$(CURL_MODE):
	@mkdir -p $(@D); echo $(CURL) >$@
# The sources that include <curl/curl.h> need the headers before their first compile.
CURL_USERS := $(shell grep -rl --include='*.c' 'include <curl/curl.h>' src bench tests/unit tests/fuzz tests/sim 2>/dev/null)
$(patsubst %.c,$(BUILD)/obj/%.o,$(CURL_USERS)): $(CURL_MODE) | $(CURL_PREP)

$(BUILD)/obj/%.o: %.c
	@mkdir -p $(dir $@)
	@echo "  CC      $<"
	@$(CC) $(ALL_CFLAGS) -c $< -o $@

$(foreach m,$(MODULES),$(eval $(LIB_$(m)): $(call lib_objs,$(m)) ; @mkdir -p $$(dir $$@); rm -f $$@; $$(AR) rcs $$@ $$^))
$(LIB_sim): $(patsubst %.c,$(BUILD)/obj/%.o,$(SIM_SRCS))
	@mkdir -p $(dir $@); rm -f $@; $(AR) rcs $@ $^

CLIENT_LIBS_A := $(LIB_luks) $(LIB_kbs) $(LIB_tdx) $(LIB_common) $(CURL_A) $(CURL_MODE)
SERVER_LIBS_A := $(LIB_server) $(LIB_verify) $(LIB_measure) $(LIB_tdx) $(LIB_common)

$(BUILD)/tdx-unlock: $(patsubst %.c,$(BUILD)/obj/%.o,$(CLIENT_CLI)) $(CLIENT_LIBS_A)
	$(CC) $(ALL_LDFLAGS) -o $@ $(LINK_IN) $(LIBS_CLIENT)

# libcurl only for fetching collateral from Intel PCS / a PCCS (src/server/pcs_client.c).
$(BUILD)/tdx-keyserver: $(patsubst %.c,$(BUILD)/obj/%.o,$(SERVER_CLI)) $(SERVER_LIBS_A) $(CURL_A) $(CURL_MODE)
	$(CC) $(ALL_LDFLAGS) -o $@ $(LINK_IN) $(CURL_LIBS) $(LIBS_SERVER)

$(BUILD)/tdx-sim: $(BUILD)/obj/tests/sim/sim_main.o $(LIB_sim) $(LIB_measure) $(LIB_tdx) $(LIB_common)
	$(CC) $(ALL_LDFLAGS) -o $@ $^ $(LIBS_SIM)

$(BUILD)/libcryptsetup-token-tdx-unlock.so: $(patsubst %.c,$(BUILD)/obj/%.o,$(wildcard src/plugin/*.c)) $(CLIENT_LIBS_A)
	$(CC) $(ALL_LDFLAGS) -shared -Wl,--version-script=src/plugin/plugin.map -Wl,-soname,$(notdir $@) -o $@ $(LINK_IN) $(LIBS_CLIENT)

# Unit tests link every library (and the simulator's) so any module can be tested.
$(BUILD)/tests/%: $(BUILD)/obj/tests/unit/%.o $(patsubst %.c,$(BUILD)/obj/%.o,$(UNIT_HELP)) \
		$(LIB_sim) $(SERVER_LIBS_A) $(CLIENT_LIBS_A)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_LDFLAGS) -o $@ $(LINK_ALL) $(LIBS_CLIENT) $(LIBS_SERVER) $(LIBS_SIM) -lcmocka

unit-tests: $(UNIT_BINS)

deps:
	@tools/install-deps.sh

# The README's test command: every unit and integration test, then the runner's summary.
check: deps
	$(MAKE) all unit-tests
	BUILD=$(BUILD) CURL=$(CURL) tests/run-tests.sh

# shellcheck over every shell script, the SPDX line in every source file (CI runs this).
lint: deps
	tools/shellcheck.sh
	tools/check-spdx.sh

# Unit tests again under AddressSanitizer + UndefinedBehaviorSanitizer (CI runs this too).
SAN_BUILD ?= build-san
test-sanitizers:
	$(MAKE) BUILD=$(SAN_BUILD) SAN=1 all unit-tests
	BUILD=$(SAN_BUILD) SAN=1 tests/run-tests.sh --unit-only

FUZZ_SRCS := $(wildcard tests/fuzz/fuzz_*.c)
fuzz:
	@command -v clang >/dev/null || { echo "make fuzz needs clang (make deps)"; exit 2; }
	$(MAKE) BUILD=build-fuzz CC=clang CFLAGS="-O1 -g -fsanitize=fuzzer-no-link,address,undefined" \
		LDSAN="-fsanitize=address,undefined" $(patsubst tests/fuzz/%.c,build-fuzz/fuzz/%,$(FUZZ_SRCS))
	tests/fuzz/run.sh $(FUZZ_SECONDS)

$(BUILD)/fuzz/%: $(BUILD)/obj/tests/fuzz/%.o $(LIB_sim) $(SERVER_LIBS_A) $(CLIENT_LIBS_A)
	@mkdir -p $(dir $@)
	$(CC) -fsanitize=fuzzer,address,undefined -o $@ $(LINK_ALL) $(LIBS_CLIENT) $(LIBS_SERVER) $(LIBS_SIM)

bench: deps all
	bench/run.sh

# KBS flow load generator (bench/run.sh, tests/integration/kbs_load.sh).
$(BUILD)/bench/kbs_load: $(BUILD)/obj/bench/kbs_load.o $(LIB_sim) $(SERVER_LIBS_A) $(LIB_kbs) $(LIB_tdx) $(LIB_common) $(CURL_A) $(CURL_MODE)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_LDFLAGS) -o $@ $(LINK_ALL) $(LIBS_CLIENT) $(LIBS_SERVER) $(LIBS_SIM)

# The kernel's TCP share of one flow, replayed without TLS/HTTP (bench/kbs_flow.sh).
$(BUILD)/bench/tcp_floor: $(BUILD)/obj/bench/tcp_floor.o
	@mkdir -p $(dir $@)
	$(CC) $(ALL_LDFLAGS) -o $@ $^ -lpthread

DRACUTMODDIR ?= $(shell pkg-config --variable=dracutmodulesdir dracut 2>/dev/null || echo /usr/lib/dracut/modules.d)
UNITDIR      ?= $(shell pkg-config --variable=systemdsystemunitdir systemd 2>/dev/null || echo /lib/systemd/system)
TOKENDIR     ?= $(shell pkg-config --variable=libdir libcryptsetup 2>/dev/null || echo /usr/lib/x86_64-linux-gnu)/cryptsetup

SYSUSERSDIR  ?= $(shell pkg-config --variable=sysusersdir systemd 2>/dev/null || echo /usr/lib/sysusers.d)
MANDIR       ?= $(PREFIX)/share/man
DOCDIR       ?= $(PREFIX)/share/doc/tdx-unlock

# The simulator (build/tdx-sim) is test-only and never installed. tdx-unlock goes to bin
# (the dracut module finds it there, also under /usr/local), the key server to sbin.
install: all
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/sbin
	install -m 0755 $(BUILD)/tdx-unlock $(DESTDIR)$(PREFIX)/bin/
	install -m 0755 $(BUILD)/tdx-keyserver $(DESTDIR)$(PREFIX)/sbin/
	install -D -m 0755 $(BUILD)/libcryptsetup-token-tdx-unlock.so $(DESTDIR)$(TOKENDIR)/libcryptsetup-token-tdx-unlock.so
	install -d $(DESTDIR)$(DRACUTMODDIR)/50tdx-unlock
	install -m 0755 dracut-module/50tdx-unlock/module-setup.sh dracut-module/50tdx-unlock/tdx-unlock-generator.sh \
		$(DESTDIR)$(DRACUTMODDIR)/50tdx-unlock/
	install -m 0644 systemd/tdx-unlock.service systemd/tdx-unlock-cryptsetup-network.conf \
		systemd/tdx-unlock-cryptsetup-after-service.conf $(DESTDIR)$(DRACUTMODDIR)/50tdx-unlock/
	install -d $(DESTDIR)$(UNITDIR)
	sed 's|/usr/sbin/|$(PREFIX)/sbin/|' systemd/tdx-keyserver.service >$(DESTDIR)$(UNITDIR)/tdx-keyserver.service
	install -D -m 0644 systemd/tdx-keyserver.sysusers $(DESTDIR)$(SYSUSERSDIR)/tdx-keyserver.conf
	install -d $(DESTDIR)$(MANDIR)/man5 $(DESTDIR)$(MANDIR)/man8
	install -m 0644 man/*.5 $(DESTDIR)$(MANDIR)/man5/
	install -m 0644 man/*.8 $(DESTDIR)$(MANDIR)/man8/
	install -d $(DESTDIR)$(DOCDIR)/examples
	install -m 0644 README.md LICENSE $(DESTDIR)$(DOCDIR)/
	install -m 0644 examples/* keys-example/policy.json $(DESTDIR)$(DOCDIR)/examples/
	sed 's|/usr/sbin/|$(PREFIX)/sbin/|' systemd/tdx-keyserver-collateral.service >$(DESTDIR)$(UNITDIR)/tdx-keyserver-collateral.service
	install -m 0644 systemd/tdx-keyserver-collateral.timer $(DESTDIR)$(UNITDIR)/

# The QEMU boot scenarios alone (make check runs them too, via tests/integration/qemu_boot.sh).
qemu-check: all
	tests/qemu/run.sh

# tests/qemu/work (kernel, root file system, images: the boot tests' cache) and
# tests/nspawn/work (the systemd test's Debian root) survive clean.
clean:
	rm -rf build build-san build-fuzz build-clang

distclean: clean
	rm -rf tests/qemu/work tests/nspawn/work .cache/curl

-include $(shell find $(BUILD)/obj -name '*.d' 2>/dev/null)

demo: deps all
	tests/demo.sh
