# keepwatch: the two commands of the quick start, and a few more.
#   make run    install missing Debian packages, build, start the daemon (default config)
#   make test   make run's build (gcc, -O2, -Werror), then the whole suite under
#               AddressSanitizer + UndefinedBehaviorSanitizer (clang)
#   make fuzz   longer libFuzzer runs (FUZZ_SECONDS per target, default 60)
#   make bench  bench/host.sh, bench/net.sh, bench/logs.sh, bench/notify.sh, bench/http.sh (each installs the peers it compares with)
BUILD      ?= build
TEST_BUILD ?= build-test
ARGS       ?=
FUZZ_SECONDS ?= 60
NPROC := $(shell nproc 2>/dev/null || echo 2)

.PHONY: all deps build run test fuzz bench install clean

all: build

deps:
	@scripts/deps.sh build

build: deps
	@cmake -S . -B $(BUILD) -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
	@cmake --build $(BUILD)

run: build
	./$(BUILD)/keepwatch serve $(ARGS)

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

install: build
	install -D -m 0755 $(BUILD)/keepwatch $(DESTDIR)/usr/local/bin/keepwatch
	install -D -m 0644 doc/keepwatch.1 $(DESTDIR)/usr/local/share/man/man1/keepwatch.1
	install -D -m 0644 dist/keepwatch.service $(DESTDIR)/etc/systemd/system/keepwatch.service
	test -e $(DESTDIR)/etc/keepwatch/keepwatch.yaml || install -D -m 0640 dist/keepwatch.example.yaml $(DESTDIR)/etc/keepwatch/keepwatch.yaml

clean:
	rm -rf $(BUILD) $(TEST_BUILD)
