# keepwatch: the two commands of the quick start, and a few more.
#   make run    install missing Debian packages, build, start the daemon (built-in config, or
#               CONFIG=FILE); as root it first creates the keepwatch user and gives it ./var
#   make test   make run's build (gcc, -O2, -Werror), then the whole suite under
#               AddressSanitizer + UndefinedBehaviorSanitizer (clang)
#   make fuzz   longer libFuzzer runs (FUZZ_SECONDS per target, default 60)
#   make bench  bench/host.sh, bench/net.sh, bench/logs.sh, bench/notify.sh, bench/http.sh, bench/store.sh, bench/snmp.sh, bench/agent.sh (each installs the peers it compares with)
BUILD      ?= build
TEST_BUILD ?= build-test
ARGS       ?=
CONFIG     ?=
KW_USER    ?= keepwatch
FUZZ_SECONDS ?= 60
NPROC := $(shell nproc 2>/dev/null || echo 2)

.PHONY: all deps build run test fuzz bench install clean user

all: build

deps:
	@scripts/deps.sh build

build: deps
	@cmake -S . -B $(BUILD) -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
	@cmake --build $(BUILD)

# The system user the daemon becomes after opening what needs root (daemon.user), in adm to
# read rotated logs. Only as root, and only when it is missing.
user:
	@if [ "$$(id -u)" = 0 ] && ! getent passwd $(KW_USER) >/dev/null; then \
	  echo "creating the system user $(KW_USER)"; \
	  useradd --system --no-create-home --home-dir /nonexistent --shell /usr/sbin/nologin $(KW_USER); \
	fi
	@if [ "$$(id -u)" = 0 ] && getent group adm >/dev/null && ! id -nG $(KW_USER) | grep -qw adm; then \
	  usermod -a -G adm $(KW_USER); \
	fi

# With the built-in configuration the state is ./var: as root it is given to $(KW_USER), and
# when a directory above it is closed to that user (a checkout in /root) the daemon keeps root
# for this run, saying so.
run: build user
	@user=""; if [ -z "$(CONFIG)" ] && [ "$$(id -u)" = 0 ]; then \
	  mkdir -p var && chown $(KW_USER): var && chmod 0750 var; \
	  if ! runuser -u $(KW_USER) -- test -w var -a -x var; then \
	    echo "make run: $(KW_USER) cannot reach $$(pwd)/var (a directory above it is closed to it):" \
	         "keeping root for this run; move the checkout or use CONFIG=FILE with another daemon.state_dir" >&2; \
	    chown root: var; user="--user="; \
	  fi; \
	fi; \
	set -x; ./$(BUILD)/keepwatch serve $(if $(CONFIG),-c $(CONFIG)) $$user $(ARGS)

test: build
	@scripts/deps.sh test
	@CC=clang cmake -S . -B $(TEST_BUILD) -G Ninja -DCMAKE_BUILD_TYPE=Debug \
	    -DKW_SANITIZE=ON -DKW_FUZZ=ON -DKW_WERROR=ON >/dev/null
	@cmake --build $(TEST_BUILD)
	cd $(TEST_BUILD) && ctest --output-on-failure -j$(NPROC) --timeout 300

fuzz: test
	@for f in $(TEST_BUILD)/fuzz_*; do \
	  n=$$(basename $$f); mkdir -p fuzz-corpus-$$n; \
	  echo "== $$n ($(FUZZ_SECONDS)s)"; \
	  $$f -max_total_time=$(FUZZ_SECONDS) -max_len=65536 fuzz-corpus-$$n fuzz/corpus/$${n#fuzz_} || exit 1; \
	done

bench: build
	bench/host.sh
	bench/net.sh
	bench/logs.sh
	bench/notify.sh
	bench/http.sh
	bench/store.sh
	bench/snmp.sh
	bench/agent.sh
	bench/scan.sh
	bench/scan_ident.sh
	bench/scan_pkg.sh
	bench/findings.sh
	bench/web.sh

install: build user
	install -D -m 0755 $(BUILD)/keepwatch $(DESTDIR)/usr/local/bin/keepwatch
	install -D -m 0755 $(BUILD)/keepwatch-agent $(DESTDIR)/usr/local/bin/keepwatch-agent
	install -D -m 0644 doc/keepwatch.1 $(DESTDIR)/usr/local/share/man/man1/keepwatch.1
	install -D -m 0644 dist/keepwatch.service $(DESTDIR)/etc/systemd/system/keepwatch.service
	test -e $(DESTDIR)/etc/keepwatch/keepwatch.yaml || install -D -m 0640 dist/keepwatch.example.yaml $(DESTDIR)/etc/keepwatch/keepwatch.yaml
	# the daemon reads its configuration as $(KW_USER) (User= in the unit); root keeps it writable
	chgrp $(KW_USER) $(DESTDIR)/etc/keepwatch/keepwatch.yaml

clean:
	rm -rf $(BUILD) $(TEST_BUILD)
