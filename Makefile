# spacexnet: GNU make + pkg-config. `make` builds ./spacexnet; `make test` runs
# every suite; `make asan` and `make memcheck` run them under sanitizers.

PKGS      := igraph lua5.4 zlib
APT_PKGS  := build-essential pkg-config liblua5.4-dev libigraph-dev zlib1g-dev \
             libreadline-dev gnuplot-nox parallel valgrind clang
BUILD     ?= build
CC        ?= cc
GIT_REV   := $(shell git describe --always --dirty 2>/dev/null || echo unknown)
WARN      := -Wall -Wextra -Wshadow -Wundef -Wwrite-strings -Wmissing-prototypes \
             -Wstrict-prototypes
OPT       ?= -O2 -g
CFLAGS    += -std=c11 -D_DEFAULT_SOURCE $(OPT) $(WARN) $(SAN) -MMD -MP \
             $(shell pkg-config --cflags $(PKGS) 2>/dev/null | sed "s/-I/-isystem /g")
LDLIBS    += $(shell pkg-config --libs $(PKGS) 2>/dev/null) -lm
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
BIN         := $(if $(filter build,$(BUILD)),spacexnet,$(BUILD)/spacexnet)

.PHONY: all deps test run bench figures memcheck asan clean
all: deps $(BIN)

# Install the Debian packages when root on a machine that lacks them;
# otherwise say exactly what to run.
deps:
	@if ! pkg-config --exists $(PKGS) 2>/dev/null; then \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    echo "installing: $(APT_PKGS)"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $(APT_PKGS); \
	  else \
	    echo "missing libraries; run: sudo apt-get install -y $(APT_PKGS)"; exit 1; \
	  fi; \
	fi

$(BIN): $(BINDING_OBJ) $(BUILD)/libxnet.a
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

$(BUILD)/libxnet.a: $(KERNEL_OBJ)
	$(AR) rcs $@ $^

$(BUILD)/%.o: src/%.c Makefile | $(BUILD)
	$(CC) $(CFLAGS) -c -o $@ $<

$(BUILD)/main.o: CFLAGS += -DXNET_GIT_REV='"$(GIT_REV)"'
$(BUILD)/l_xnet.o: CFLAGS += -DXNET_GIT_REV='"$(GIT_REV)"'

$(BUILD)/tests/%: tests/c/%.c tests/c/check.h $(BUILD)/libxnet.a Makefile | $(BUILD)
	@mkdir -p $(BUILD)/tests
	$(CC) $(CFLAGS) -Isrc -o $@ $< $(BUILD)/libxnet.a $(LDFLAGS) $(LDLIBS)

$(BUILD):
	@mkdir -p $@

test: all $(CTEST_BIN)
	@tests/run $(BIN) $(CTEST_BIN)

run: all
	./spacexnet experiments/paper_table2.lua

bench: all
	@for b in bench/*.lua; do echo "== $$b"; ./spacexnet $$b || exit 1; done

figures: all
	./spacexnet experiments/figures.lua

asan:
	$(MAKE) BUILD=build/asan OPT="-O1 -g -fno-omit-frame-pointer" \
	  SAN="-fsanitize=address,undefined -fno-sanitize-recover=undefined" test

memcheck: all $(CTEST_BIN)
	@XNET_WRAP="valgrind -q --leak-check=full --errors-for-leak-kinds=definite \
	  --error-exitcode=99" tests/run $(BIN) $(CTEST_BIN)

clean:
	rm -rf build spacexnet

-include $(KERNEL_OBJ:.o=.d) $(BINDING_OBJ:.o=.d)
