# vfscope build and test entry points. `make test` is what CI runs (.ci/run).
#
#   make test        installs what the tests need (make deps), then vet, gofmt,
#                    go test -race ./... with lockdep on, the portable packages
#                    (./vfs/..., ./wasm/bridge) built, vetted and tested for
#                    GOOS=wasip1 (under wazero) and GOOS=js (under node), the
#                    npm library's node tests and the playground's in headless
#                    Chromium
#   make test-short  the same without -race and without the browser tests,
#                    for quick local loops
#   make build       go build ./... plus the two wasm cross-builds
#   make run         build the wasm VFS and the playground, then serve it
#                    (vfscope serve) and print its URL
#   make shell       go run ./host/cmd/vfscope (the interactive shell)
#   make playground  the playground app (playground/dist/app, embedded by
#                    vfscope serve; also a static site for any web host)
#   make test-browser  the playground in Debian's chromium (playwright-core);
#                    UPDATE_SCREENSHOT=1 also rewrites docs/playground.png
#   make bench       all benchmarks, to stdout
#   make wasm        the GOOS=js build (web/dist/vfscope.wasm + wasm_exec.js)
#                    with its forward jumps made direct,
#                    printing its size stripped and gzipped
#   make web         wasm, then the npm library compiled with tsc (web/dist)
#   make test-web    web, the busybox guest, and the library's node tests
#   make pgo         regenerates wasm/default.pgo, the CPU profile go build
#                    optimises vfscope.wasm with (the bridge's workloads, natively)
#   make bench-web   the library: JavaScript-Go crossing costs, and the
#                    workload against browser_wasi_shim and ZenFS in node
#                    and in headless Chromium (also run by make bench)
#   make fuzz        every fuzz target for $(FUZZTIME)
#   make conformance Go's os, io/fs, path/filepath, testing/fstest tests under
#                    `vfscope run`, both WASI paths, verbose
#   make bench-wasi  the guest workload on vfscope (both WASI paths) and on
#                    wazero's DirFS, ratios printed
#
# Knobs: GO, TESTFLAGS (extra go test flags, e.g. TESTFLAGS='-run Foo -v'),
# PORTABLE_PKGS, LOCKDEP (1 = lock validator on in tests), WASM_TEST_TIMEOUT (per
# wasm test binary, default 10m), BENCHTIME, FUZZTIME.

SHELL := bash
.SHELLFLAGS := -euo pipefail -c
.DEFAULT_GOAL := test
# The steps of `make test` are meant to run in order, even under make -j.
.NOTPARALLEL:

GO ?= go
TESTFLAGS ?=
PORTABLE_PKGS ?= ./vfs/... ./wasm/bridge
LOCKDEP ?= 1
BENCHTIME ?= 1s
FUZZTIME ?= 20s
WASIP1EXEC := $(CURDIR)/.bin/wasip1exec

export GO TESTFLAGS PORTABLE_PKGS WASIP1EXEC FUZZTIME

TEST_TARGETS := test test-short test-go test-go-short test-wasm test-wasip1 test-js \
	test-runner fuzz

# The core switches its lock-order validator on when VFSCOPE_LOCKDEP=1.
$(TEST_TARGETS): export VFSCOPE_LOCKDEP := $(LOCKDEP)

.PHONY: test test-short test-go test-go-short test-wasm test-wasip1 test-js test-runner wasm web test-web bench-web \
	playground test-browser shell \
	deps node-deps vet fmt-check build build-wasm run bench pgo bench-wasi conformance fuzz clean FORCE

test: deps vet fmt-check test-go test-wasm test-web test-browser
	@echo "make test: all checks passed"

test-short: node-deps vet fmt-check test-go-short test-wasm test-web
	@echo "make test-short: all checks passed"

deps:
	scripts/install-deps

# What building the library and the playground needs (Go modules, the npm
# workspaces), without the browser the browser tests drive.
node-deps:
	scripts/install-deps --no-browser

vet:
	$(GO) vet ./...

fmt-check:
	scripts/check-gofmt

# Then the vfs package's tests again with billyfs as the root filesystem
# (vfstest.RootFSEnv): every operation table on a disk-like filesystem.
# Skipped there: TestStatfs and the Linux oracle, which expect tmpfs's
# f_type.
ROOTFS_TESTS := VFSCOPE_TEST_ROOTFS=billyfs:store=mem
ROOTFS_SKIP := -skip 'TestStatfs|TestOracleLinux'

# The tests of the validator switched off (the production default):
# VFSCOPE_LOCKDEP=1, which every other test run sets, would force it on.
LOCKDEP_OFF_TESTS := -run 'TestLockdepOff|TestLockdepABBA' ./vfs/ ./vfs/procfs/ ./host/shell/

# The page-cache writes that stream with non-temporal stores, which a
# -race build never takes (vfs/pagecopy_amd64.go): the same tests once
# without -race.
STREAM_TESTS := -run 'TestPageCopyStream|TestWriteStreams|TestStreamedWrites|TestChunkRecycle|TestPageChunk' ./vfs/

test-go:
	$(GO) test -race $(TESTFLAGS) ./...
	$(ROOTFS_TESTS) $(GO) test -race $(ROOTFS_SKIP) $(TESTFLAGS) ./vfs/
	VFSCOPE_LOCKDEP= $(GO) test -race $(TESTFLAGS) $(LOCKDEP_OFF_TESTS)
	$(GO) test $(TESTFLAGS) $(STREAM_TESTS)

test-go-short:
	$(GO) test $(TESTFLAGS) ./...
	$(ROOTFS_TESTS) $(GO) test $(ROOTFS_SKIP) $(TESTFLAGS) ./vfs/
	VFSCOPE_LOCKDEP= $(GO) test $(TESTFLAGS) $(LOCKDEP_OFF_TESTS)

test-wasm: test-runner test-wasip1 test-js

# The wasip1 runner's own end-to-end tests (they skip themselves under -race).
test-runner:
	$(GO) test ./internal/tools/wasip1exec

test-wasip1: $(WASIP1EXEC)
	scripts/portable test wasip1

test-js:
	scripts/portable test js

$(WASIP1EXEC): FORCE
	$(GO) build -o $@ ./internal/tools/wasip1exec

build:
	$(GO) build ./...
	$(MAKE) --no-print-directory build-wasm

build-wasm:
	scripts/portable build wasip1
	scripts/portable build js

shell:
	$(GO) run ./host/cmd/vfscope

# The browser build: wasm/ for GOOS=js, stripped, with Go's wasm_exec.js,
# where the npm package (web/) and the playground load it from. Go's
# forward jumps are then made direct branches (web/scripts/direct-branches.mjs;
# RATIONALE.md, "Why is vfscope.wasm rewritten after go build?").
WEB_DIST := web/dist
BUSYBOX_WASM := $(CURDIR)/.bin/busybox.wasm
WASM_MAX_GZ := 3000000

# The module is built and checked in a temporary directory and moved into
# place last, so a failed build or an oversized module leaves the
# previous one, not a half-made one.
wasm: node-deps
	mkdir -p $(WEB_DIST)
	tmp=$$(mktemp -d); trap 'rm -rf "$$tmp"' EXIT; \
	GOOS=js GOARCH=wasm $(GO) build -trimpath -ldflags='-s -w' -o "$$tmp/go.wasm" ./wasm && \
	node web/scripts/direct-branches.mjs "$$tmp/go.wasm" "$$tmp/vfscope.wasm" && \
	raw=$$(wc -c <"$$tmp/vfscope.wasm") && gz=$$(gzip -9 -c "$$tmp/vfscope.wasm" | wc -c) && \
	echo "vfscope.wasm: $$raw bytes stripped, $$gz bytes gzipped (limit $(WASM_MAX_GZ))" && \
	if [[ $$gz -gt $(WASM_MAX_GZ) ]]; then echo "vfscope.wasm is over the size limit" >&2; exit 1; fi && \
	cp "$$(GOOS= GOARCH= $(GO) env GOROOT)/lib/wasm/wasm_exec.js" $(WEB_DIST)/wasm_exec.js && \
	mv "$$tmp/vfscope.wasm" $(WEB_DIST)/vfscope.wasm

# Profile-guided optimisation of vfscope.wasm: go build uses the main
# package's default.pgo, a CPU profile of the same operations run natively
# (wasm/bridge's BenchmarkWorkload, the JavaScript API's calls one per
# batch, and BenchmarkWASIWorkload, the Go workload guest's WASI calls
# through CallWASI). Inlining and code layout follow where that profile
# spends its time; RATIONALE.md, "Why is vfscope.wasm built with a
# profile?". Regenerate it when the hot paths change.
PGO_BENCHTIME ?= 4500000x
# The 64 KiB appends (BenchmarkWorkloadAppend), profiled on their own and
# merged in: about a minute of samples, a sixth of the profile, so that
# the write path is hot without the per-file paths turning cold.
PGO_APPEND_BENCHTIME ?= 3000000x

pgo: export VFSCOPE_LOCKDEP :=
pgo:
	tmp=$$(mktemp -d); trap 'rm -rf "$$tmp"' EXIT; \
	$(GO) test -run '^$$' -bench '^Benchmark(WASI)?Workload$$' -benchtime $(PGO_BENCHTIME) \
		-o "$$tmp/bridge.test" -cpuprofile "$$tmp/files.pprof" ./wasm/bridge && \
	$(GO) test -run '^$$' -bench '^BenchmarkWorkloadAppend$$' -benchtime $(PGO_APPEND_BENCHTIME) \
		-o "$$tmp/bridge.test" -cpuprofile "$$tmp/append.pprof" ./wasm/bridge && \
	$(GO) tool pprof -proto "$$tmp/files.pprof" "$$tmp/append.pprof" >"$$tmp/cpu.pprof" && \
	cp "$$tmp/cpu.pprof" wasm/default.pgo
	@echo "wasm/default.pgo: $$(wc -c <wasm/default.pgo) bytes"

web: node-deps wasm
	cd web && ../node_modules/.bin/tsc -p tsconfig.json

$(BUSYBOX_WASM): FORCE
	GOOS=wasip1 GOARCH=wasm $(GO) build -trimpath -o $@ ./guests/busybox

WORKLOAD_WASM := $(CURDIR)/.bin/workload.wasm

$(WORKLOAD_WASM): FORCE
	GOOS=wasip1 GOARCH=wasm $(GO) build -trimpath -o $@ ./guests/workload

# The library: the cost of crossing between JavaScript and Go (node), then
# the issue's workload against @bjorn3/browser_wasi_shim and @zenfs/core and
# the Go workload guest on vfscope and on the shim, in node and in headless
# Chromium (Debian's, through the playground's playwright-core).
bench-web: deps web $(WORKLOAD_WASM)
	cd web && node bench/crossing.mjs
	cd web && node bench/peers.mjs $(WORKLOAD_WASM)
	cd web && node bench/browser.mjs $(WORKLOAD_WASM)

test-web: web $(BUSYBOX_WASM)
	cd web && VFSCOPE_BUSYBOX=$(BUSYBOX_WASM) node --test --test-concurrency=1 test/

# The playground: the app bundles the library's vfscope.wasm and ships the
# busybox guest beside it; vfscope serve embeds the result, so the binary is
# built after it.
ADDR ?= 127.0.0.1:8080
VFSCOPE_BIN := $(CURDIR)/.bin/vfscope

playground: web $(BUSYBOX_WASM)
	mkdir -p playground/public
	cp $(BUSYBOX_WASM) playground/public/busybox.wasm
	cd playground && npm run --silent check && npm run --silent build -- --logLevel warn

$(VFSCOPE_BIN): playground FORCE
	$(GO) build -o $@ ./host/cmd/vfscope

test-browser: deps $(VFSCOPE_BIN)
	cd playground && VFSCOPE_BIN=$(VFSCOPE_BIN) node --test --test-concurrency=1 test/

run: $(VFSCOPE_BIN)
	$(VFSCOPE_BIN) serve --addr $(ADDR)

# Lockdep off: benchmarks measure the production configuration.
bench: export VFSCOPE_LOCKDEP :=
bench:
	$(GO) test -run '^$$' -bench . -benchmem -benchtime=$(BENCHTIME) -timeout 60m $(TESTFLAGS) ./...
	$(MAKE) --no-print-directory bench-web

fuzz:
	scripts/fuzz

conformance:
	$(GO) test -count=1 -v -run 'TestStdlib|TestBusyboxGuest|TestWorkloadGuest' -timeout 30m ./host/conformance

bench-wasi: export VFSCOPE_LOCKDEP :=
bench-wasi:
	$(GO) test -run '^$$' -bench Workload -benchtime=$(BENCHTIME) -timeout 30m ./host/conformance

clean:
	rm -rf .bin

FORCE:
