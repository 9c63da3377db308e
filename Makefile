# spacexnet: GNU make + pkg-config. `make` builds ./spacexnet; `make test` runs
# every suite; `make asan` and `make memcheck` run them under sanitizers.

# The kernel (src/*.c but l_*.c and main.c) and its tests use KERNEL_PKGS
# only: a kernel file that includes a Lua header does not compile.
KERNEL_PKGS := igraph zlib erfa
PKGS      := $(KERNEL_PKGS) lua5.4
APT_PKGS  := build-essential pkg-config liblua5.4-dev libigraph-dev zlib1g-dev \
             libreadline-dev gnuplot-nox parallel valgrind clang libclang-rt-14-dev strace \
             liberfa-dev python3-sgp4 gnuplot-doc
BUILD     ?= build
CC        ?= cc
WARN      := -Wall -Wextra -Wshadow -Wundef -Wwrite-strings -Wmissing-prototypes \
             -Wstrict-prototypes
OPT       ?= -O2 -g
pkg_cflags = $(shell pkg-config --cflags $(1) 2>/dev/null | sed "s/-I/-isystem /g")
COMMON_CFLAGS := -std=c11 -D_DEFAULT_SOURCE -pthread $(OPT) $(WARN) $(SAN) -MMD -MP \
                 -iquote $(BUILD)
KERNEL_CFLAGS := $(CFLAGS) $(COMMON_CFLAGS) $(call pkg_cflags,$(KERNEL_PKGS))
KERNEL_LDLIBS := $(LDLIBS) $(shell pkg-config --libs $(KERNEL_PKGS) 2>/dev/null) -lm -pthread
CFLAGS    += $(COMMON_CFLAGS) $(call pkg_cflags,$(PKGS))
LDLIBS    += $(shell pkg-config --libs $(PKGS) 2>/dev/null) -lm -pthread
LDFLAGS   += $(SAN)
ifeq ($(shell pkg-config --exists readline 2>/dev/null && echo yes),yes)
  CFLAGS  += -DXNET_USE_READLINE
  LDLIBS  += $(shell pkg-config --libs readline)
endif

KERNEL_SRC  := $(filter-out src/l_% src/main.c,$(wildcard src/*.c))
BINDING_SRC := $(wildcard src/l_*.c) src/main.c
KERNEL_OBJ  := $(KERNEL_SRC:src/%.c=$(BUILD)/%.o)
BINDING_OBJ := $(BINDING_SRC:src/%.c=$(BUILD)/%.o)
CTEST_SRC   := $(wildcard tests/c/test_*.c)
CTEST_BIN   := $(CTEST_SRC:tests/c/%.c=$(BUILD)/tests/%)
# Fuzz harnesses (fuzz/fuzz.h): fuzz/fuzz_<name>.c each; `make test` replays
# fuzz/regressions/<name>/ and fuzz/corpus/<name>/ through $(BUILD)/tests/fuzz_<name>.
FUZZ_NAMES  := $(patsubst fuzz/fuzz_%.c,%,$(wildcard fuzz/fuzz_*.c))
FUZZ_LINK   := $(filter-out $(BUILD)/main.o,$(BINDING_OBJ)) $(BUILD)/libxnet.a
FUZZ_CFLAGS  = $(filter-out -MMD -MP,$(CFLAGS)) -iquote src -DFUZZ_ROOT='"$(CURDIR)"'
FUZZ_SECONDS ?= 60
CTEST_BIN   += $(FUZZ_NAMES:%=$(BUILD)/tests/fuzz_%)
BIN         := $(if $(filter build,$(BUILD)),spacexnet,$(BUILD)/spacexnet)

.PHONY: all deps libs test run bench figures serve-figures docs memcheck asan fuzz fuzz-run clean FORCE
all: libs $(BIN)

# The default goal never installs anything: it says what is missing.
libs:
	@pkg-config --exists $(PKGS) 2>/dev/null || { \
	  echo "missing libraries (pkg-config: $(PKGS)); run: make deps (installs the Debian" \
	  "packages with apt-get) or: sudo apt-get install -y $(APT_PKGS)"; exit 1; }

# Install the Debian packages when root on a machine that lacks them;
# otherwise say exactly what to run.
deps:
	@missing=$$(for p in $(APT_PKGS); do \
	  dpkg-query -W -f='$${Status}\n' $$p 2>/dev/null | grep -q "ok installed" || echo $$p; \
	done); \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    echo "installing:" $$missing; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing; \
	  elif pkg-config --exists $(PKGS) 2>/dev/null; then \
	    echo "note: optional packages missing (plots, parallel runs, sanitizers, line editing):"; \
	    echo "  sudo apt-get install -y" $$missing; \
	  else \
	    echo "missing libraries; run: sudo apt-get install -y" $$missing; exit 1; \
	  fi; \
	fi

$(BIN): $(BINDING_OBJ) $(BUILD)/libxnet.a
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

$(BUILD)/libxnet.a: $(KERNEL_OBJ)
	$(AR) rcs $@ $^

$(KERNEL_OBJ): $(BUILD)/%.o: src/%.c Makefile | $(BUILD)
	$(CC) $(KERNEL_CFLAGS) -c -o $@ $<

$(BINDING_OBJ): $(BUILD)/%.o: src/%.c Makefile | $(BUILD)
	$(CC) $(CFLAGS) -c -o $@ $<

# The git revision the binary reports (src/version.h): the header is
# rewritten only when `git describe` changes, so what includes it is rebuilt
# exactly when HEAD (or the dirty state) moves, never left stale.
$(BUILD)/git_rev.h: FORCE | $(BUILD)
	@rev=$$(git describe --always --dirty 2>/dev/null || echo unknown); \
	line="#define XNET_GIT_REV \"$$rev\""; \
	if [ ! -f $@ ] || [ "$$(cat $@)" != "$$line" ]; then \
	  echo "$$line" > $@; \
	  [ "$$rev" = unknown ] && echo "note: not a git checkout (or no git): results record" \
	    "the revision as \"unknown\""; true; \
	fi
$(BUILD)/main.o $(BUILD)/l_xnet.o: $(BUILD)/git_rev.h

$(BUILD)/tests/%: tests/c/%.c tests/c/check.h tests/c/make_network.h $(BUILD)/libxnet.a Makefile | $(BUILD)
	@mkdir -p $(BUILD)/tests
	$(CC) $(KERNEL_CFLAGS) -Isrc -o $@ $< $(BUILD)/libxnet.a $(LDFLAGS) $(KERNEL_LDLIBS)

$(BUILD):
	@mkdir -p $@

test: all $(CTEST_BIN)
	@tests/run $(BIN) $(CTEST_BIN)

run: all
	./spacexnet experiments/paper_table2.lua

BENCH_BIN := $(patsubst bench/%.c,$(BUILD)/bench/%,$(wildcard bench/*.c))

$(BUILD)/bench/%: bench/%.c $(BUILD)/libxnet.a Makefile | $(BUILD)
	@mkdir -p $(BUILD)/bench
	$(CC) $(KERNEL_CFLAGS) -Isrc -o $@ $< $(BUILD)/libxnet.a $(LDFLAGS) $(KERNEL_LDLIBS)

bench: all $(BENCH_BIN)
	@for b in $(BENCH_BIN); do echo "== $$b"; $$b || exit 1; done
	@for b in bench/*.lua; do echo "== $$b"; ./spacexnet $$b || exit 1; done

figures: all
	./spacexnet experiments/figures.lua

# Serving under load only (experiments/serve_load.lua): the study, its figures and tables.
serve-figures: all
	./spacexnet experiments/figures.lua --only serve_load

# The README's API tables, written from lua/xnet/doc.lua (test_doc.lua checks them).
docs: all
	./spacexnet -e 'local f = xnet.root .. "/README.md"; local doc = require "xnet.doc"; assert(xnet.write_file(f, doc.readme(assert(xnet.read_file(f)))))'

asan:
	UBSAN_OPTIONS=print_stacktrace=1 $(MAKE) BUILD=build/asan \
	  OPT="-O1 -g -fno-omit-frame-pointer" \
	  SAN="-fsanitize=address,undefined -fno-sanitize-recover=undefined" test

memcheck: all $(CTEST_BIN)
	@XNET_WRAP="valgrind -q --leak-check=full --errors-for-leak-kinds=definite \
	  --error-exitcode=99" tests/run $(BIN) $(CTEST_BIN)

$(BUILD)/tests/fuzz_%: fuzz/fuzz_%.c fuzz/support.c fuzz/replay.c fuzz/fuzz.h $(FUZZ_LINK) Makefile
	@mkdir -p $(BUILD)/tests
	$(CC) $(FUZZ_CFLAGS) -o $@ $< fuzz/support.c fuzz/replay.c $(FUZZ_LINK) $(LDFLAGS) $(LDLIBS)

# libFuzzer with ASan and UBSan (clang): each harness gets FUZZ_SECONDS / n.
fuzz:
	@command -v clang >/dev/null || { echo "make fuzz needs clang and libFuzzer:" \
	  "apt-get install -y clang libclang-rt-14-dev"; exit 1; }
	UBSAN_OPTIONS=print_stacktrace=1 $(MAKE) BUILD=build/fuzz CC=clang \
	  OPT="-O1 -g -fno-omit-frame-pointer" \
	  SAN="-fsanitize=fuzzer-no-link,address,undefined -fno-sanitize-recover=undefined" fuzz-run

fuzz-run: $(FUZZ_NAMES:%=$(BUILD)/fuzz/%)
	@fuzz/run $(FUZZ_SECONDS) $^

$(BUILD)/fuzz/%: fuzz/fuzz_%.c fuzz/support.c fuzz/fuzz.h $(FUZZ_LINK) Makefile
	@mkdir -p $(BUILD)/fuzz
	$(CC) $(FUZZ_CFLAGS) -fsanitize=fuzzer -o $@ $< fuzz/support.c $(FUZZ_LINK) $(LDFLAGS) $(LDLIBS)

clean:
	rm -rf $(BUILD) $(BIN)

-include $(KERNEL_OBJ:.o=.d) $(BINDING_OBJ:.o=.d)
