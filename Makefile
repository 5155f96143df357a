# protokit: one non-recursive Makefile for every tool (see docs/style.md).
# `make` checks the Debian packages first (mk/deps.sh), then builds bin/pk-*.
# Sanitizers: make test SAN=address,undefined.  `make test` runs `make lint`.

PREFIX ?= /usr/local
DESTDIR ?=
CC ?= cc
CFLAGS ?= -O2 -g
LDFLAGS ?=
PKG_CONFIG ?= pkg-config

PKGS := nettle hogweed gmp
PK_CFLAGS = -std=c17 -D_GNU_SOURCE -Wall -Wextra -MMD -MP -Ilib \
    $(shell $(PKG_CONFIG) --cflags $(PKGS) 2>/dev/null)
PK_LIBS = $(shell $(PKG_CONFIG) --libs $(PKGS) 2>/dev/null)
ifneq ($(SAN),)
PK_CFLAGS += -fsanitize=$(SAN) -fno-omit-frame-pointer -fno-sanitize-recover=all
LDFLAGS += -fsanitize=$(SAN)
endif

# Objects depend on the flags they were built with, so that
# `make SAN=address` after a plain `make` rebuilds everything.
FLAGS_LINE = $(CC) $(PK_CFLAGS) $(CFLAGS) $(LDFLAGS)

LIB_SRC := $(wildcard lib/*.c)
LIB_OBJ := $(LIB_SRC:.c=.o)
LIB := lib/libprotokit.a

KEYGEN_OBJ := $(patsubst %.c,%.o,$(wildcard keygen/*.c))
WRAP_OBJ := $(patsubst %.c,%.o,$(wildcard wrap/*.c))
AES_OBJ := $(patsubst %.c,%.o,$(wildcard aes/*.c))
AES_COMMON := $(filter-out aes/aes-cbc.o aes/aes-cfb.o,$(AES_OBJ))
CKSUM_OBJ := $(patsubst %.c,%.o,$(wildcard cksum/*.c))
RELAY_OBJ := $(patsubst %.c,%.o,$(wildcard relay/*.c))
XFER_OBJ := $(patsubst %.c,%.o,$(wildcard xfer/*.c))
ATTACK_OBJ := $(patsubst %.c,%.o,$(wildcard attack/*.c))
MITM_OBJ := $(patsubst %.c,%.o,$(wildcard mitm/*.c))

TOOLS := bin/pk-keygen bin/pk-wrap bin/pk-aes-cbc bin/pk-aes-cfb bin/pk-cksum \
    bin/pk-relay bin/pk-xfer bin/pk-attack bin/pk-mitm
# Man pages: man/NAME.1 from man/NAME.1.scd, by `make` when scdoc is there
# (`make test` installs it), so that a box without it still builds the tools.
MAN := $(patsubst %.scd,%,$(wildcard man/*.scd))
SCDOC := $(shell command -v scdoc 2>/dev/null)
COMPLETIONS := protokit pk-keygen pk-wrap pk-aes-cbc pk-aes-cfb pk-cksum \
    pk-relay pk-xfer pk-attack pk-mitm

ALL_OBJ := $(LIB_OBJ) $(KEYGEN_OBJ) $(WRAP_OBJ) $(AES_OBJ) $(CKSUM_OBJ) \
    $(RELAY_OBJ) $(XFER_OBJ) $(ATTACK_OBJ) $(MITM_OBJ)

.PHONY: all deps tools man lint test bench fuzz clean install demo charts
.DEFAULT_GOAL := all

all: deps
	@$(MAKE) --no-print-directory tools $(if $(SCDOC),man)

deps:
	@mk/deps.sh

tools: $(TOOLS)

man: $(MAN)

man/%.1: man/%.1.scd
	scdoc < $< > $@.$$$$ && mv $@.$$$$ $@

.flags: FORCE
	@printf '%s\n' '$(FLAGS_LINE)' | cmp -s - $@ || \
	    printf '%s\n' '$(FLAGS_LINE)' > $@
FORCE:

%.o: %.c .flags
	$(CC) $(PK_CFLAGS) $(CFLAGS) -c -o $@ $<

$(LIB): $(LIB_OBJ)
	rm -f $@
	$(AR) rcs $@ $(LIB_OBJ)

bin/pk-keygen: $(KEYGEN_OBJ) $(LIB)
	$(CC) $(LDFLAGS) -o $@ $(KEYGEN_OBJ) $(LIB) $(PK_LIBS)
bin/pk-wrap: $(WRAP_OBJ) $(LIB)
	$(CC) $(LDFLAGS) -o $@ $(WRAP_OBJ) $(LIB) $(PK_LIBS)
bin/pk-aes-cbc: aes/aes-cbc.o $(AES_COMMON) $(LIB)
	$(CC) $(LDFLAGS) -o $@ aes/aes-cbc.o $(AES_COMMON) $(LIB) $(PK_LIBS)
bin/pk-aes-cfb: aes/aes-cfb.o $(AES_COMMON) $(LIB)
	$(CC) $(LDFLAGS) -o $@ aes/aes-cfb.o $(AES_COMMON) $(LIB) $(PK_LIBS)
bin/pk-cksum: $(CKSUM_OBJ) $(LIB)
	$(CC) $(LDFLAGS) -o $@ $(CKSUM_OBJ) $(LIB) -lisal $(PK_LIBS)
bin/pk-relay: $(RELAY_OBJ) $(LIB)
	$(CC) $(LDFLAGS) -o $@ $(RELAY_OBJ) $(LIB) -lsqlite3 -lisal $(PK_LIBS)
bin/pk-xfer: $(XFER_OBJ) $(LIB)
	$(CC) $(LDFLAGS) -o $@ $(XFER_OBJ) $(LIB) -lisal $(PK_LIBS)
bin/pk-attack: $(ATTACK_OBJ) $(LIB)
	$(CC) $(LDFLAGS) -o $@ $(ATTACK_OBJ) $(LIB) -lisal $(PK_LIBS)
bin/pk-mitm: $(MITM_OBJ) $(LIB)
	$(CC) $(LDFLAGS) -o $@ $(MITM_OBJ) $(LIB) $(PK_LIBS)

demo: all
	bin/protokit demo

# Each docs/NAME.md's sequence chart, from a real run: mscgen's source
# (tests/chart.bats compares its steps with a current run's) and the SVG.
CHARTS = vault keymanager chat e2e ca
charts: all
	@mkdir -p docs/charts
	@t=$$(mktemp -d) && trap 'rm -rf "$$t"' EXIT && \
	for p in $(CHARTS); do \
	    bin/protokit run $$p --trace-json "$$t/$$p.json" \
	    --chart "$$t/$$p.svg" >/dev/null 2>&1 && \
	    bin/protokit chart -o docs/charts/$$p.msc "$$t/$$p.json" && \
	    mscgen -T svg -o docs/charts/$$p.svg -i docs/charts/$$p.msc \
	    >/dev/null && echo "docs/charts/$$p.msc docs/charts/$$p.svg" || \
	    exit; \
	done

# Every C file against .clang-format, every script through shellcheck.
lint:
	@mk/deps.sh shellcheck clang-format
	mk/lint.sh

# Two test files at a time (GNU parallel), each file's tests in order:
# most tests wait on sockets and timeouts, not on a core.  TEST_JOBS=1
# runs the files one by one.  The files that capture the loopback with
# tcpdump run after the others, one by one: another file's traffic beside
# them makes tcpdump drop packets.
TEST_JOBS = 2
TEST_ALONE = tests/pcap.bats $(wildcard tests/dissect-*.bats)

test: all
	@mk/deps.sh socat scdoc man-db mscgen tcpdump tshark python3 parallel
	@$(MAKE) --no-print-directory man
	@$(MAKE) --no-print-directory lint
	@s=0; bats $(if $(filter 1,$(TEST_JOBS)),,--jobs $(TEST_JOBS) \
	    --no-parallelize-within-files) \
	    $(filter-out $(TEST_ALONE),$(wildcard tests/*.bats)) || s=$$?; \
	bats $(TEST_ALONE) && exit $$s

bench: all
	@mk/deps.sh socat ncat python3
	bench/run.sh

fuzz: deps
	@mk/deps.sh clang libclang-rt-14-dev
	fuzz/run.sh 60

install: all $(if $(SCDOC),man)
	install -d $(DESTDIR)$(PREFIX)/bin
	install -m 755 $(TOOLS) bin/protokit \
	    $(filter-out %.sh %.jq,$(wildcard bin/protokit-*)) $(DESTDIR)$(PREFIX)/bin
	install -m 644 bin/protokit-lib.sh bin/protokit-explain.sh \
	    bin/protokit-chart.jq bin/protokit-pcap.sh bin/protokit-attack.sh \
	    bin/protokit-attack-km.sh bin/protokit-attack-chat.sh \
	    bin/protokit-attack-e2e.sh \
	    bin/protokit-attack-ca.sh \
	    $(DESTDIR)$(PREFIX)/bin
	install -d $(DESTDIR)$(PREFIX)/share/protokit/wireshark
	install -m 644 wireshark/*.lua $(DESTDIR)$(PREFIX)/share/protokit/wireshark
	install -d $(DESTDIR)$(PREFIX)/bin/attacks
	install -m 755 bin/attacks/* $(DESTDIR)$(PREFIX)/bin/attacks
	install -d $(DESTDIR)$(PREFIX)/share/bash-completion/completions
	install -m 644 completion/protokit.bash \
	    $(DESTDIR)$(PREFIX)/share/bash-completion/completions/protokit
	for c in $(filter-out protokit,$(COMPLETIONS)); do \
	    ln -sf protokit \
	    $(DESTDIR)$(PREFIX)/share/bash-completion/completions/$$c || exit; \
	done
ifneq ($(SCDOC),)
	install -d $(DESTDIR)$(PREFIX)/share/man/man1
	install -m 644 $(MAN) $(DESTDIR)$(PREFIX)/share/man/man1
endif

clean:
	rm -f $(ALL_OBJ) $(ALL_OBJ:.o=.d) $(LIB) $(TOOLS) $(MAN) .flags

-include $(ALL_OBJ:.o=.d)
