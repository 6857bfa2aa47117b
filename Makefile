# meshline: one non-recursive GNU Makefile.

VERSION = 0.1.0

PREFIX  ?= /usr/local
BINDIR  ?= $(PREFIX)/bin
MANDIR  ?= $(PREFIX)/share/man
DATADIR ?= $(PREFIX)/share
PKG_CONFIG ?= pkg-config
BUILD   ?= build
CFLAGS  ?= -O2 -g

WARN    = -std=c11 -Wall -Wextra -Wpedantic -Wshadow -Wstrict-prototypes \
          -Wmissing-prototypes -Wwrite-strings -Wvla -Wformat=2
PKGS    = yaml-0.1 libcyaml libcurl openssl
ifdef SANITIZE
SAN     = -fsanitize=address,undefined -fno-sanitize-recover=all \
          -fno-omit-frame-pointer
BUILD   = build-san
endif
ifdef WERROR
WARN   += -Werror
endif

MESH_CPPFLAGS = -D_POSIX_C_SOURCE=200809L -DMESH_VERSION='"$(VERSION)"' \
                -pthread -Icommon $(shell $(PKG_CONFIG) --cflags $(PKGS) 2>/dev/null)
MESH_LDFLAGS  = -Wl,--as-needed -pthread
MESH_LIBS     = $(shell $(PKG_CONFIG) --libs $(PKGS) 2>/dev/null)

# Every program present in cmd/ is built: a file cmd/mesh-x.c, or a
# folder cmd/mesh-x/ of files over a private header.
DIRCMDS = $(patsubst cmd/%/,%,$(sort $(dir $(wildcard cmd/mesh-*/*.c))))
CMDS    = $(sort $(patsubst cmd/%.c,%,$(wildcard cmd/mesh-*.c)) $(DIRCMDS))
PROGS   = $(addprefix $(BUILD)/,$(CMDS))
LIBOBJS = $(patsubst %.c,$(BUILD)/%.o,$(wildcard common/*.c)) \
          $(BUILD)/gen/templates.o
TEMPLATES = $(sort $(wildcard templates/*/*.yaml))
UNITS   = $(patsubst tests/unit/%.c,$(BUILD)/unit/%,$(wildcard tests/unit/*.c))

DEBS    = libyaml-dev libcyaml-dev libssl-dev libcurl4-openssl-dev pkg-config \
          bats bats-assert bats-support python3 python3-yaml jq openssl curl \
          groff-base mandoc

all: $(PROGS)

$(BUILD)/libmesh.a: $(LIBOBJS)
	$(AR) rcs $@ $^

$(BUILD)/%.o: %.c
	@mkdir -p $(@D)
	$(CC) $(MESH_CPPFLAGS) $(CPPFLAGS) $(WARN) $(SAN) $(CFLAGS) -MMD -MP -c -o $@ $<

# The templates, built in as C strings.
$(BUILD)/gen/templates.c: $(TEMPLATES) tools/embed.awk
	@mkdir -p $(@D)
	awk -f tools/embed.awk $(TEMPLATES) < /dev/null > $@

$(BUILD)/gen/templates.o: $(BUILD)/gen/templates.c
	$(CC) $(MESH_CPPFLAGS) $(CPPFLAGS) $(WARN) $(SAN) $(CFLAGS) -c -o $@ $<

$(BUILD)/mesh-%: $(BUILD)/cmd/mesh-%.o $(BUILD)/libmesh.a
	$(CC) $(SAN) $(CFLAGS) $(MESH_LDFLAGS) $(LDFLAGS) -o $@ $^ $(MESH_LIBS) $(LDLIBS)

define dircmd
$$(BUILD)/$(1): $$(patsubst %.c,$$(BUILD)/%.o,$$(wildcard cmd/$(1)/*.c)) \
    $$(BUILD)/libmesh.a
	$$(CC) $$(SAN) $$(CFLAGS) $$(MESH_LDFLAGS) $$(LDFLAGS) -o $$@ $$^ \
	  $$(MESH_LIBS) $$(LDLIBS)
endef
$(foreach c,$(DIRCMDS),$(eval $(call dircmd,$(c))))

$(BUILD)/unit/%: $(BUILD)/tests/unit/%.o $(BUILD)/libmesh.a
	@mkdir -p $(@D)
	$(CC) $(SAN) $(CFLAGS) $(MESH_LDFLAGS) $(LDFLAGS) -o $@ $^ $(MESH_LIBS) $(LDLIBS)

units: $(UNITS)

# bats' TAP output is summed into one plain line, the last one printed.
check: all units
	@PATH="$(CURDIR)/$(BUILD):$$PATH" MESH_BUILD="$(CURDIR)/$(BUILD)" \
	  bats --formatter tap tests 2>&1 | awk -f tests/summary.awk

check-valgrind: all units
	@MESH_TEST_WRAPPER="valgrind -q --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite" \
	  MESH_WAIT_TIMEOUT=5s \
	  $(MAKE) --no-print-directory check

deps:
	@missing=""; for p in $(DEBS); do \
	  dpkg-query -W -f='$${Status}\n' $$p 2>/dev/null | grep -q '^install ok installed' \
	    || missing="$$missing $$p"; done; \
	if [ -z "$$missing" ]; then echo "all dependencies are installed"; exit 0; fi; \
	if [ "$$(id -u)" != 0 ]; then \
	  echo "run as root: apt-get update && apt-get install -y$$missing"; exit 1; fi; \
	apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y$$missing

# On a fresh machine: install what is missing, build, run the examples.
demo: deps all
	examples/demo.sh $(BUILD)

install: all
	mkdir -p $(DESTDIR)$(BINDIR) $(DESTDIR)$(MANDIR)/man1 $(DESTDIR)$(MANDIR)/man7 \
	  $(DESTDIR)$(DATADIR)/bash-completion/completions \
	  $(DESTDIR)$(DATADIR)/zsh/site-functions \
	  $(DESTDIR)$(DATADIR)/fish/vendor_completions.d
	for c in $(CMDS); do \
	  install -m 0755 $(BUILD)/$$c $(DESTDIR)$(BINDIR)/$$c; \
	  k=kubectl-$$(echo $$c | tr - _); \
	  ln -sf $$c $(DESTDIR)$(BINDIR)/$$k; \
	  if [ -f completions/kubectl_complete-$$(echo $$c | tr - _) ]; then \
	    install -m 0755 completions/kubectl_complete-$$(echo $$c | tr - _) \
	      $(DESTDIR)$(BINDIR)/kubectl_complete-$$(echo $$c | tr - _); fi; \
	  [ ! -f man/$$c.1 ] || install -m 0644 man/$$c.1 $(DESTDIR)$(MANDIR)/man1/$$c.1; \
	  [ ! -f completions/$$c.bash ] || install -m 0644 completions/$$c.bash \
	    $(DESTDIR)$(DATADIR)/bash-completion/completions/$$c; \
	  [ ! -f completions/_$$c ] || install -m 0644 completions/_$$c \
	    $(DESTDIR)$(DATADIR)/zsh/site-functions/_$$c; \
	  [ ! -f completions/$$c.fish ] || install -m 0644 completions/$$c.fish \
	    $(DESTDIR)$(DATADIR)/fish/vendor_completions.d/$$c.fish; \
	done
	[ ! -f man/mesh.7 ] || install -m 0644 man/mesh.7 $(DESTDIR)$(MANDIR)/man7/mesh.7
	mkdir -p $(DESTDIR)$(DATADIR)/meshline/helm/mesh-overlay
	install -m 0644 helm/mesh-overlay/plugin.yaml \
	  $(DESTDIR)$(DATADIR)/meshline/helm/mesh-overlay/plugin.yaml
	install -m 0644 examples/mesh.mk $(DESTDIR)$(DATADIR)/meshline/mesh.mk

uninstall:
	for c in $(CMDS); do k=$$(echo $$c | tr - _); \
	  rm -f $(DESTDIR)$(BINDIR)/$$c $(DESTDIR)$(BINDIR)/kubectl-$$k \
	    $(DESTDIR)$(BINDIR)/kubectl_complete-$$k $(DESTDIR)$(MANDIR)/man1/$$c.1 \
	    $(DESTDIR)$(DATADIR)/bash-completion/completions/$$c \
	    $(DESTDIR)$(DATADIR)/zsh/site-functions/_$$c \
	    $(DESTDIR)$(DATADIR)/fish/vendor_completions.d/$$c.fish; done
	rm -f $(DESTDIR)$(MANDIR)/man7/mesh.7
	rm -f $(DESTDIR)$(DATADIR)/meshline/helm/mesh-overlay/plugin.yaml \
	  $(DESTDIR)$(DATADIR)/meshline/mesh.mk
	rmdir $(DESTDIR)$(DATADIR)/meshline/helm/mesh-overlay \
	  $(DESTDIR)$(DATADIR)/meshline/helm $(DESTDIR)$(DATADIR)/meshline 2>/dev/null || :

# ---- dist: a release archive for this platform, and krew manifests -------
# make dist [DIST=dist] [DIST_URL=...]: build the five programs with
# libcyaml and libyaml linked in (OpenSSL and libcurl stay shared: every
# distribution has them), pack them with their man pages, completions and
# README as DIST/meshline-VERSION-OS-ARCH.tar.gz (reproducibly: sorted,
# owner 0, fixed dates), and write DIST/krew/mesh-*.yaml, one krew plugin
# manifest per program with the archive's sha256.  Run it on each platform
# a release is for.
DIST      ?= dist
DIST_URL  ?= https://github.com/meshline/meshline/releases/download/v$(VERSION)
DIST_OS   := $(shell uname -s | tr A-Z a-z)
DIST_ARCH := $(shell uname -m | sed 's/^x86_64$$/amd64/; s/^aarch64$$/arm64/; s/^armv7l$$/arm/')
DIST_TOP   = meshline-$(VERSION)-$(DIST_OS)-$(DIST_ARCH)
DIST_LIBS  = -Wl,-Bstatic -lcyaml -lyaml -Wl,-Bdynamic \
             $(shell $(PKG_CONFIG) --libs libcurl openssl 2>/dev/null)
DIST_DATE  = 2026-01-01 00:00:00Z

dist:
	$(MAKE) --no-print-directory BUILD=build-dist MESH_LIBS='$(DIST_LIBS)' all
	rm -rf $(DIST)/$(DIST_TOP) $(DIST)/krew
	mkdir -p $(DIST)/$(DIST_TOP)/bin $(DIST)/$(DIST_TOP)/man \
	  $(DIST)/$(DIST_TOP)/completions $(DIST)/krew
	for c in $(CMDS); do install -m 0755 build-dist/$$c $(DIST)/$(DIST_TOP)/bin/; done
	install -m 0644 man/*.1 man/*.7 $(DIST)/$(DIST_TOP)/man/
	install -m 0644 completions/* $(DIST)/$(DIST_TOP)/completions/
	chmod 0755 $(DIST)/$(DIST_TOP)/completions/kubectl_complete-*
	install -m 0644 README.md $(DIST)/$(DIST_TOP)/
	mkdir -p $(DIST)/$(DIST_TOP)/helm/mesh-overlay
	install -m 0644 helm/mesh-overlay/plugin.yaml \
	  $(DIST)/$(DIST_TOP)/helm/mesh-overlay/
	install -m 0644 examples/mesh.mk $(DIST)/$(DIST_TOP)/
	tar -C $(DIST) --sort=name --owner=0 --group=0 --numeric-owner \
	  --mtime='$(DIST_DATE)' -cf - $(DIST_TOP) | gzip -9n > $(DIST)/$(DIST_TOP).tar.gz
	rm -rf $(DIST)/$(DIST_TOP)
	for c in $(CMDS); do tools/krew-manifest $$c $(VERSION) \
	  $(DIST)/$(DIST_TOP).tar.gz $(DIST_URL) $(DIST_OS) $(DIST_ARCH) \
	  $(DIST_TOP) > $(DIST)/krew/$$c.yaml || exit 1; done

clean:
	rm -rf build build-san build-fuzz build-dist dist

format:
	clang-format -i cmd/*.c cmd/*/*.[ch] common/*.c common/*.h tests/unit/*.c

.PHONY: all units check check-valgrind deps demo dist install uninstall clean format
.SECONDARY:
-include $(wildcard $(BUILD)/*/*.d $(BUILD)/*/*/*.d)

# ---- fuzz: libFuzzer targets (clang); not part of check -------------------
# make fuzz [FUZZ_SECONDS=60]: build build-fuzz/fuzz_stream and
# build-fuzz/fuzz_path, run each once over tests/fuzz/regress/, then fuzz
# each for FUZZ_SECONDS on a copy of its corpus.
FUZZ_CC       ?= clang
FUZZ_SECONDS  ?= 60
FUZZ_TARGETS   = stream path
FUZZ_SAN       = -fsanitize=fuzzer,address,undefined \
                 -fno-sanitize-recover=undefined -fno-omit-frame-pointer
FUZZ_CPPFLAGS  = -D_POSIX_C_SOURCE=200809L -DMESH_VERSION='"fuzz"' -Icommon \
                 $(shell $(PKG_CONFIG) --cflags $(PKGS) 2>/dev/null)
FUZZ_OBJS      = $(patsubst %.c,build-fuzz/%.o,$(wildcard common/*.c))
FUZZ_OPTS      = -max_total_time=$(FUZZ_SECONDS) -rss_limit_mb=2048 \
                 -timeout=10 -close_fd_mask=2

build-fuzz/common/%.o: common/%.c
	@mkdir -p $(@D)
	$(FUZZ_CC) $(FUZZ_CPPFLAGS) -g -O1 $(FUZZ_SAN) -MMD -MP -c -o $@ $<

# An archive, so that a target links only the modules it reaches.
build-fuzz/libmesh.a: $(FUZZ_OBJS)
	$(AR) rcs $@ $^

build-fuzz/fuzz_%: tests/fuzz/fuzz_%.c build-fuzz/libmesh.a
	$(FUZZ_CC) $(FUZZ_CPPFLAGS) -g -O1 $(FUZZ_SAN) -o $@ $< \
	  build-fuzz/libmesh.a $(MESH_LIBS)

fuzz: $(addprefix build-fuzz/fuzz_,$(FUZZ_TARGETS))
	@set -e; for t in $(FUZZ_TARGETS); do \
	  d=build-fuzz/corpus/$$t; rm -rf $$d; mkdir -p $$d; \
	  cp tests/fuzz/corpus/$$t/* $$d/; \
	  if [ -n "$$(ls tests/fuzz/regress/$$t 2>/dev/null)" ]; then \
	    cp tests/fuzz/regress/$$t/* $$d/; \
	    build-fuzz/fuzz_$$t -close_fd_mask=2 tests/fuzz/regress/$$t/*; fi; \
	  echo "fuzz_$$t: fuzzing for $(FUZZ_SECONDS)s"; \
	  build-fuzz/fuzz_$$t $(FUZZ_OPTS) -artifact_prefix=build-fuzz/$$t- $$d; \
	done

.PHONY: fuzz
-include $(wildcard build-fuzz/common/*.d)
# ---- end fuzz -------------------------------------------------------------
