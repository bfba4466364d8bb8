# galley — plain GNU make.  `make help` lists every target, one line each:
# the text after "## " on the target's rule line.  A .PHONY target without
# one fails `make help-check`, which `make check` runs.
#
# Variables: CFLAGS (default -O3 -g), LTO (link-time optimisation flags; LTO=
# turns it off), XCFLAGS / XLIBS (extra), V=1 (show commands), B (build
# directory, default build), CI=true (warnings are errors), ASAN=0 (make
# check without its ASan pass), PREFIX and DESTDIR (install), FUZZ_TIME
# (seconds per target of fuzz-run).

.SUFFIXES:
.DELETE_ON_ERROR:
SHELL := /bin/bash

VERSION := 0.1.0
B := build
CC ?= cc
# -O3 and LTO: 5-10% less CPU on a book than -O2 (the hot paths cross
# files: UTF-8 decoding, font lookups, buffers).  Fat LTO objects keep
# libgalley.a usable by a linker without the LTO plugin.
CFLAGS ?= -O3 -g
LTO ?= -flto=auto -ffat-lto-objects
ifeq ($(origin CC),default)
CC := gcc
endif

# ---------------------------------------------------------------- dependencies
# Debian packages: what a build needs, and what the tests need on top.
DEB_BUILD := gcc make pkg-config libhpdf-dev libharfbuzz-dev libfreetype-dev libfontconfig-dev libicu-dev \
             libxml2-dev libzip-dev libhyphen-dev hyphen-en-us check \
             libcmark-gfm-dev libcmark-gfm-extensions-dev libyaml-dev libpng-dev libdeflate-dev
DEB_TEST  := qpdf poppler-utils mupdf-tools python3 unicode-data libxml2-utils epubcheck default-jre-headless \
             fonts-urw-base35 fonts-dejavu-core fonts-noto-cjk parallel strace time \
             calibre  # tests/e2e/35-epub-reader.sh: a real EPUB engine (installs in ~45 s)
# Installed fonts that fontconfig finds (tests/unit/test_font.c,
# tests/e2e/15-fonts.sh): DejaVu (families by name), and for fallback
# Extension B ideographs (HanaMin), monochrome emoji and symbols (Symbola),
# Arabic (Scheherazade).
DEB_TEST  += fonts-dejavu-core fonts-dejavu-extra fonts-hanazono fonts-symbola fonts-sil-scheherazade

# Libraries with a .pc file go through pkg-config; libharu and libhyphen ship none.
PC_MODULES := harfbuzz harfbuzz-subset freetype2 fontconfig icu-uc libxml-2.0 libzip libcmark-gfm yaml-0.1 libpng libdeflate
PKG_CONFIG ?= pkg-config

Q := $(if $(V),,@)
say = $(if $(V),,@printf '  %-6s %s\n' $(1) $(2);)

# Resolved lazily so that `make deps` can run before pkg-config knows the modules.
PC_CFLAGS = $(shell $(PKG_CONFIG) --cflags $(PC_MODULES) 2>/dev/null)
PC_LIBS = $(shell $(PKG_CONFIG) --libs $(PC_MODULES) 2>/dev/null)
CHECK_CFLAGS = $(shell $(PKG_CONFIG) --cflags check 2>/dev/null)
CHECK_LIBS = $(shell $(PKG_CONFIG) --libs check 2>/dev/null)

WARN := -std=c11 -Wall -Wextra -Wshadow -Wno-missing-field-initializers
# Warnings are errors in CI (CI=true).
ifeq ($(CI),true)
WARN += -Werror
endif
ALL_CFLAGS = $(WARN) $(CFLAGS) $(LTO) $(XCFLAGS) -Iinclude -Isrc -fPIC -fvisibility=hidden \
             -DGALLEY_BUILDING -DGALLEY_FONT_DIR='"$(FONT_DIR)"' $(PC_CFLAGS) -MMD -MP
# libcmark-gfm-extensions (GFM tables etc.) ships no .pc file either.
LIBS = $(PC_LIBS) -lcmark-gfm-extensions -lhpdf -lhyphen -lm $(XLIBS)

# Where the library looks for its bundled fonts: the source tree's fonts/
# (absolute), or $(PREFIX)/share/galley/fonts for an installed copy.
FONT_DIR ?= $(abspath fonts)

LIB_SRC := $(filter-out src/cli.c,$(wildcard src/*.c))
LIB_OBJ := $(LIB_SRC:src/%.c=$(B)/obj/%.o)
CLI_OBJ := $(B)/obj/cli.o
TEST_SRC := $(wildcard tests/unit/*.c)
TEST_OBJ := $(TEST_SRC:tests/unit/%.c=$(B)/obj/test/%.o)

.PHONY: all lib demo check test unit e2e deps deps-test clean help help-check man-check
all: deps-quiet $(B)/libgalley.a $(B)/libgalley.so $(B)/galley ## build build/libgalley.a, build/libgalley.so and build/galley (the default)
lib: deps-quiet $(B)/libgalley.a $(B)/libgalley.so ## build the libraries only

help: ## list the targets and variables
	@echo 'Usage: make [TARGET]... [VARIABLE=value]...'
	@echo
	@echo 'Targets:'
	@sed -nE 's/^([a-z][a-z0-9-]*):([^=#][^#]*)?## (.*)/\1\t\3/p' $(firstword $(MAKEFILE_LIST)) | \
	  awk -F'\t' '{ printf "  %-14s %s\n", $$1, $$2 }'
	@echo
	@sed -n '/^# Variables:/,/^$$/p' $(firstword $(MAKEFILE_LIST)) | sed 's/^# \{0,1\}//'

# Every .PHONY target (as make itself reads them) is in `make help`, and
# help lists nothing else.
help-check: ## check that make help lists every .PHONY target (part of check)
	$(Q)phony=$$($(MAKE) -pRrq -f $(firstword $(MAKEFILE_LIST)) : 2>/dev/null | \
	  sed -n 's/^\.PHONY: //p' | tr ' ' '\n' | sed '/^$$/d' | sort -u); \
	listed=$$($(MAKE) --no-print-directory -s -f $(firstword $(MAKEFILE_LIST)) help | sed -nE 's/^  ([a-z][a-z0-9-]*) .*/\1/p' | sort -u); \
	[ -n "$$phony" ] || { echo "FAIL help-check: cannot read the .PHONY targets"; exit 1; }; \
	missing=$$(comm -23 <(echo "$$phony") <(echo "$$listed") | tr '\n' ' '); \
	extra=$$(comm -13 <(echo "$$phony") <(echo "$$listed") | tr '\n' ' '); \
	[ -z "$$missing" ] || echo "FAIL make help does not list: $$missing(add '## text' to the rule line)"; \
	[ -z "$$extra" ] || echo "FAIL make help lists targets that are not .PHONY: $$extra"; \
	[ -z "$$missing$$extra" ] && echo "ok   make help lists all $$(echo "$$phony" | wc -l) .PHONY targets"

# ---------------------------------------------------------------- set-up
# Installs what is missing when run as root; otherwise prints the exact
# apt-get line and stops.
define need_pkgs
	@missing=""; for p in $(1); do \
	  dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q 'install ok installed' || missing="$$missing $$p"; \
	done; \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = 0 ]; then \
	    echo "installing Debian packages:$$missing"; \
	    export DEBIAN_FRONTEND=noninteractive; \
	    apt-get update -qq && apt-get install -y -qq --no-install-recommends $$missing >/dev/null || { echo "apt-get install failed" >&2; exit 1; }; \
	  else \
	    echo "galley needs these Debian packages; run as root:" >&2; \
	    echo "  apt-get install -y$$missing" >&2; exit 1; \
	  fi; \
	fi
endef

deps: ## install the missing Debian build dependencies (as root; else print the apt-get line)
	$(call need_pkgs,$(DEB_BUILD))
deps-test: deps ## the same for what the tests need on top
	$(call need_pkgs,$(DEB_TEST))
# `make` alone does not install; it only says what is missing.
deps-quiet: ## (run by all and lib) stop when a build dependency is missing, saying how to get it
	@command -v $(PKG_CONFIG) >/dev/null && $(PKG_CONFIG) --exists $(PC_MODULES) && [ -e /usr/include/hpdf.h ] && [ -e /usr/include/hyphen.h ] || \
	  { echo "missing build dependencies: run 'make deps' as root (or 'make demo')" >&2; exit 1; }
.PHONY: deps-quiet

# ---------------------------------------------------------------- build
$(B)/obj/%.o: src/%.c
	@mkdir -p $(@D)
	$(call say,CC,$<)
	$(Q)$(CC) $(ALL_CFLAGS) -c $< -o $@

$(B)/libgalley.a: $(LIB_OBJ)
	$(call say,AR,$@)
	$(Q)rm -f $@ && ar rcs $@ $^

$(B)/libgalley.so: $(LIB_OBJ)
	$(call say,LD,$@)
	$(Q)$(CC) $(CFLAGS) $(LTO) -shared -Wl,-soname,libgalley.so.0 -o $@ $^ $(LIBS)

$(B)/galley: $(CLI_OBJ) $(B)/libgalley.a
	$(call say,LD,$@)
	$(Q)$(CC) $(CFLAGS) $(LTO) -o $@ $(CLI_OBJ) $(B)/libgalley.a $(LIBS)

# ---------------------------------------------------------------- demo
DEMO_IN := tests/data/seed-article.txt
demo: deps ## install what is missing, build, publish the sample to build/demo/
	$(Q)$(MAKE) --no-print-directory all
	@mkdir -p $(B)/demo
	$(B)/galley $(DEMO_IN) -o $(B)/demo/seed-article.pdf -o $(B)/demo/seed-article.epub
	@ls -l $(B)/demo/seed-article.pdf $(B)/demo/seed-article.epub

# ---------------------------------------------------------------- tests
$(B)/obj/test/%.o: tests/unit/%.c
	@mkdir -p $(@D)
	$(call say,CC,$<)
	$(Q)$(CC) $(ALL_CFLAGS) $(CHECK_CFLAGS) -c $< -o $@

$(B)/unit-tests: $(TEST_OBJ) $(B)/libgalley.a
	$(call say,LD,$@)
	$(Q)$(CC) $(CFLAGS) $(LTO) -o $@ $(TEST_OBJ) $(B)/libgalley.a $(LIBS) $(CHECK_LIBS)

# ---------------------------------------------------------------- golden layout dumps
# tests/golden/dump-layout.c prints the frames dump (src/dump.h) of a
# document; tests/golden/run.sh lists the documents and compares.
$(B)/obj/golden/%.o: tests/golden/%.c
	@mkdir -p $(@D)
	$(call say,CC,$<)
	$(Q)$(CC) $(ALL_CFLAGS) -c $< -o $@

$(B)/dump-layout: $(B)/obj/golden/dump-layout.o $(B)/libgalley.a
	$(call say,LD,$@)
	$(Q)$(CC) $(CFLAGS) $(LTO) -o $@ $^ $(LIBS)

.PHONY: golden golden-update
golden: $(B)/dump-layout ## compare layout dumps (pages, lines, runs) with tests/golden/*.dump (part of check)
	$(Q)bash tests/golden/run.sh $(B)/dump-layout $(B)/golden
golden-update: $(B)/dump-layout ## rewrite tests/golden/*.dump after an intended layout change
	$(Q)bash tests/golden/run.sh --update $(B)/dump-layout $(B)/golden

unit: $(B)/unit-tests ## run the Check unit tests (CK_RUN_SUITE=name selects a suite)
	@mkdir -p $(B)/test
	cd tests && CK_DEFAULT_TIMEOUT=120 ../$(B)/unit-tests

e2e: all ## run the end-to-end scripts tests/e2e/[0-9]*.sh on build/galley
	GALLEY=$(abspath $(B)/galley) OUT=$(abspath $(B)/test) bash tests/e2e/run.sh

# The man page against --help and cli.c's option table; e2e runs it too.
man-check: all ## check src/galley.1 against galley --help and cli.c's options (part of e2e)
	GALLEY=$(abspath $(B)/galley) OUT=$(abspath $(B)/test) bash tests/e2e/12-manpage.sh

check: deps-test ## install what the tests need, build, run every test (ASAN=0: no ASan pass)
	$(Q)$(MAKE) --no-print-directory all $(B)/unit-tests
	$(Q)$(MAKE) --no-print-directory help-check install-check
	$(Q)$(MAKE) --no-print-directory unit golden e2e fuzz-replay
	$(if $(filter 1,$(ASAN)),$(Q)$(MAKE) --no-print-directory check-asan)

test: check ## the same as check

# ---------------------------------------------------------------- robustness
# Fuzzing, sanitizers and leak checks.  check-asan, part of `make check`
# (ASAN=0 skips it), took 4.7 min on top of 4.5 min for the plain pass,
# measured on the 2-core machine when idle (twice that when loaded).
# leakcheck fails on any valgrind error or definitely lost block.
FUZZ_TARGETS := reader_text reader_md linebreak pipeline
FUZZ_CC ?= clang-14
FUZZ_TIME ?= 60
SAN_FLAGS := -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all
ASAN ?= 1
FUZZ_OBJ_DIR := $(B)/obj/fuzz
DEB_FUZZ := clang-14 libclang-rt-14-dev
DEB_LEAK := valgrind

.PHONY: fuzz fuzz-run fuzz-replay check-asan leakcheck
.SECONDARY: $(FUZZ_TARGETS:%=$(FUZZ_OBJ_DIR)/fuzz_%.o) $(FUZZ_OBJ_DIR)/replay.o \
            $(FUZZ_TARGETS:%=$(B)/fuzz/obj/fuzz_%.o) $(LIB_SRC:src/%.c=$(B)/fuzz/obj/%.o)

# --- replay with the ordinary compiler
$(FUZZ_OBJ_DIR)/%.o: tests/fuzz/%.c tests/fuzz/fuzz.h
	@mkdir -p $(@D)
	$(call say,CC,$<)
	$(Q)$(CC) $(ALL_CFLAGS) -c $< -o $@

$(B)/fuzz-replay/%: $(FUZZ_OBJ_DIR)/fuzz_%.o $(FUZZ_OBJ_DIR)/replay.o $(B)/libgalley.a
	@mkdir -p $(@D)
	$(call say,LD,$@)
	$(Q)$(CC) $(CFLAGS) $(LTO) -o $@ $^ $(LIBS)

fuzz-replay: $(FUZZ_TARGETS:%=$(B)/fuzz-replay/%) ## replay tests/fuzz/corpus/ through the fuzz targets, built with CC: no clang needed (part of check)
	$(Q)for t in $(FUZZ_TARGETS); do \
	  printf '  %-6s %s: ' REPLAY $$t; $(B)/fuzz-replay/$$t tests/fuzz/corpus/$$t || exit 1; \
	done

# --- the same tests in an ASan+UBSan build (objects under build/asan)
check-asan: ## unit, e2e and fuzz-replay again in an ASan+UBSan build under build/asan (part of check)
	$(Q)$(MAKE) --no-print-directory B=$(B)/asan CFLAGS='-O1 -g $(SAN_FLAGS)' LTO= \
	  all $(B)/asan/unit-tests $(FUZZ_TARGETS:%=$(B)/asan/fuzz-replay/%)
	$(Q)ASAN_OPTIONS=detect_leaks=1:abort_on_error=0 UBSAN_OPTIONS=print_stacktrace=1 ROBUST_DIVIDE=10 \
	  LSAN_OPTIONS=suppressions=$(abspath tests/fuzz/lsan.supp):print_suppressions=0 \
	  $(MAKE) --no-print-directory B=$(B)/asan CFLAGS='-O1 -g $(SAN_FLAGS)' LTO= unit e2e fuzz-replay

# --- libFuzzer builds with clang: the library is instrumented for coverage
FUZZ_B := $(B)/fuzz
FUZZ_CFLAGS = $(filter-out $(LTO),$(ALL_CFLAGS)) -O1 -g $(SAN_FLAGS)
$(FUZZ_B)/obj/%.o: src/%.c
	@mkdir -p $(@D)
	$(call say,CLANG,$<)
	$(Q)$(FUZZ_CC) $(FUZZ_CFLAGS) -fsanitize=fuzzer-no-link -c $< -o $@
$(FUZZ_B)/obj/fuzz_%.o: tests/fuzz/fuzz_%.c tests/fuzz/fuzz.h
	@mkdir -p $(@D)
	$(call say,CLANG,$<)
	$(Q)$(FUZZ_CC) $(FUZZ_CFLAGS) -fsanitize=fuzzer-no-link -c $< -o $@
$(FUZZ_B)/%: $(FUZZ_B)/obj/fuzz_%.o $(LIB_SRC:src/%.c=$(FUZZ_B)/obj/%.o)
	$(call say,LD,$@)
	$(Q)$(FUZZ_CC) -fsanitize=fuzzer $(SAN_FLAGS) -o $@ $^ $(LIBS)

fuzz: ## build the libFuzzer targets with clang (build/fuzz/<target>)
	$(call need_pkgs,$(DEB_FUZZ))
	$(Q)$(MAKE) --no-print-directory $(FUZZ_TARGETS:%=$(FUZZ_B)/%)

# Findings land in build/fuzz/artifacts/<target>/; copy each into
# tests/fuzz/corpus/<target>/ once fixed, so `make check` replays it.
fuzz-run: fuzz ## run each fuzz target for FUZZ_TIME seconds (default 60) on a copy of its corpus
	$(Q)for t in $(FUZZ_TARGETS); do \
	  mkdir -p $(FUZZ_B)/corpus/$$t $(FUZZ_B)/artifacts/$$t; \
	  cp -n tests/fuzz/corpus/$$t/* $(FUZZ_B)/corpus/$$t/ 2>/dev/null; \
	  echo "fuzzing $$t for $(FUZZ_TIME) s"; \
	  $(FUZZ_B)/$$t -max_total_time=$(FUZZ_TIME) -max_len=$(if $(FUZZ_MAXLEN),$(FUZZ_MAXLEN),8192) \
	    -timeout=30 -rss_limit_mb=2048 -print_final_stats=1 \
	    -artifact_prefix=$(FUZZ_B)/artifacts/$$t/ $(FUZZ_B)/corpus/$$t \
	    2>&1 | tee $(FUZZ_B)/$$t.log | grep -E '^(#[0-9]+ +DONE|stat::|==[0-9]+==ERROR|SUMMARY)' ; \
	done

# --- valgrind memcheck over the end-to-end samples and the OOM test
VALGRIND = valgrind -q --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite \
           --show-leak-kinds=definite
leakcheck: all $(B)/unit-tests ## valgrind over the CLI on the samples and a sample of the out-of-memory test
	$(call need_pkgs,$(DEB_LEAK))
	@mkdir -p $(B)/leak
	$(Q)set -e; for in in tests/data/seed-article.txt tests/data/zh-article.txt tests/data/markdown/all.md; do \
	  n=$$(basename $${in%.*}); echo "  VALGRIND galley $$in"; \
	  $(VALGRIND) $(B)/galley -q $$in -o $(B)/leak/$$n.pdf -o $(B)/leak/$$n.epub; \
	done
	$(Q)echo "  VALGRIND unit-tests (api: out-of-memory sample)"; \
	  cd tests && CK_FORK=no CK_RUN_SUITE=api CK_RUN_CASE=oom GALLEY_OOM_SAMPLE=25 \
	  $(VALGRIND) ../$(B)/unit-tests

# ---------------------------------------------------------------- install
# The fonts go to $(PREFIX)/share/galley/fonts, where an installed library
# finds them by itself (galley.h, "Fonts").
PREFIX ?= /usr/local
BINDIR ?= $(PREFIX)/bin
LIBDIR ?= $(PREFIX)/lib
INCDIR ?= $(PREFIX)/include
MANDIR ?= $(PREFIX)/share/man
DATADIR ?= $(PREFIX)/share/galley
FONT_FILES := $(wildcard fonts/*.ttf fonts/*.ttc fonts/README.md)
SOVERSION := 0

.PHONY: install install-check bench
install: all ## install the CLI, libraries, header, galley.pc, man page and fonts under PREFIX (/usr/local)
	$(call say,INSTALL,$(DESTDIR)$(PREFIX))
	$(Q)install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(LIBDIR)/pkgconfig $(DESTDIR)$(INCDIR) \
	  $(DESTDIR)$(MANDIR)/man1 $(DESTDIR)$(DATADIR)/fonts/licenses
	$(Q)install -m 755 $(B)/galley $(DESTDIR)$(BINDIR)/galley
	$(Q)install -m 644 $(B)/libgalley.a $(DESTDIR)$(LIBDIR)/libgalley.a
	$(Q)install -m 755 $(B)/libgalley.so $(DESTDIR)$(LIBDIR)/libgalley.so.$(VERSION)
	$(Q)ln -sf libgalley.so.$(VERSION) $(DESTDIR)$(LIBDIR)/libgalley.so.$(SOVERSION)
	$(Q)ln -sf libgalley.so.$(SOVERSION) $(DESTDIR)$(LIBDIR)/libgalley.so
	$(Q)install -m 644 include/galley.h $(DESTDIR)$(INCDIR)/galley.h
	$(Q)sed -e 's|@PREFIX@|$(PREFIX)|; s|@LIBDIR@|$(LIBDIR)|; s|@INCDIR@|$(INCDIR)|' \
	  -e 's|@DATADIR@|$(DATADIR)|; s|@VERSION@|$(VERSION)|; s|@PC_MODULES@|$(PC_MODULES)|' \
	  -e 's|@LIBS_PRIVATE@|$(filter-out $(PC_LIBS),$(LIBS))|' \
	  src/galley.pc.in > $(DESTDIR)$(LIBDIR)/pkgconfig/galley.pc
	$(Q)sed -e 's|@VERSION@|$(VERSION)|; s|@DATADIR@|$(DATADIR)|' src/galley.1 \
	  > $(DESTDIR)$(MANDIR)/man1/galley.1
	$(Q)install -m 644 $(FONT_FILES) $(DESTDIR)$(DATADIR)/fonts/
	$(Q)cp -R fonts/licenses/. $(DESTDIR)$(DATADIR)/fonts/licenses/

# The example is built only from what the install put in place: the header,
# galley.pc and the libraries under build/install-test, found by pkg-config.
# It goes to PREFIX/bin, as a program linked with libgalley.a would be
# installed: the library finds PREFIX/share/galley/fonts from there.
INSTALL_TEST := $(abspath $(B)/install-test)
install-check: ## install into build/install-test and build tests/examples/publish.c with it (part of check)
	$(Q)rm -rf $(INSTALL_TEST)
	$(Q)$(MAKE) --no-print-directory install PREFIX=$(INSTALL_TEST)
	$(Q)set -e; export PKG_CONFIG_PATH=$(INSTALL_TEST)/lib/pkgconfig; \
	  out=$(INSTALL_TEST)/out; mkdir -p $$out; \
	  libdir=$$($(PKG_CONFIG) --variable=libdir galley); \
	  echo "  CC     tests/examples/publish.c (pkg-config galley: shared)"; \
	  $(CC) $(WARN) -O2 tests/examples/publish.c $$($(PKG_CONFIG) --cflags --libs galley) \
	    -Wl,-rpath,$$libdir -o $(INSTALL_TEST)/bin/publish-shared; \
	  echo "  CC     tests/examples/publish.c (pkg-config --static galley)"; \
	  $(CC) $(WARN) -O2 tests/examples/publish.c $$($(PKG_CONFIG) --cflags galley) \
	    $$libdir/libgalley.a $$($(PKG_CONFIG) --static --libs galley | sed 's/-lgalley//') \
	    -o $(INSTALL_TEST)/bin/publish-static; \
	  for v in shared static; do \
	    env -u GALLEY_FONT_DIR $(INSTALL_TEST)/bin/publish-$$v tests/data/brief/01-federalist-01.txt $$out > $$out/$$v.log; \
	    grep -qx "font directory: $(INSTALL_TEST)/share/galley/fonts" $$out/$$v.log || \
	      { echo "FAIL publish-$$v does not take the installed fonts:"; cat $$out/$$v.log; exit 1; }; \
	    [ $$(grep -c 'same as in memory' $$out/$$v.log) = 2 ] || { cat $$out/$$v.log; exit 1; }; \
	    ldd $(INSTALL_TEST)/bin/publish-$$v | grep -q libgalley && [ $$v = static ] && { echo "FAIL static links libgalley.so"; exit 1; }; \
	    echo "ok   publish-$$v: $$(grep -c bytes $$out/$$v.log) outputs via the installed library and fonts"; \
	  done; \
	  ldd $(INSTALL_TEST)/bin/publish-shared | grep -q "$(INSTALL_TEST)/lib/libgalley.so" || { echo "FAIL publish-shared does not use the installed libgalley.so"; exit 1; }; \
	  env -u GALLEY_FONT_DIR $(INSTALL_TEST)/bin/galley -q tests/data/seed-article.txt -o $$out/cli.pdf; \
	  man -l $(INSTALL_TEST)/share/man/man1/galley.1 2>/dev/null | grep -q -- '--batch' || \
	    groff -man -Tutf8 $(INSTALL_TEST)/share/man/man1/galley.1 2>/dev/null | grep -q -- 'batch' || \
	    grep -q '^\.SH EXIT STATUS' $(INSTALL_TEST)/share/man/man1/galley.1; \
	  echo "ok   installed galley CLI, galley.pc, galley(1)"

# Benchmarks (tests/bench/RESULTS.md): galley against Typst 0.14 and Pandoc.
# It installs the programs it compares with; never part of `make check`.
bench: all ## the benchmark against Typst and Pandoc (tests/bench/run.sh)
	bash tests/bench/run.sh

clean: ## remove build/
	rm -rf $(B)

-include $(wildcard $(B)/obj/*.d $(B)/obj/test/*.d $(B)/obj/golden/*.d $(B)/obj/fuzz/*.d $(B)/fuzz/obj/*.d)
