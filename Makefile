# vfscope build and test entry points. `make test` is what CI runs (.ci/run).
#
#   make test        vet, gofmt, go test -race ./... with lockdep on, then the
#                    portable packages (./vfs/...) built, vetted and tested for
#                    GOOS=wasip1 (under wazero) and GOOS=js (under node)
#   make test-short  the same without -race, for quick local loops
#   make build       go build ./... plus the two wasm cross-builds
#   make run         go run ./host/cmd/vfscope (interactive shell)
#   make bench       all benchmarks, to stdout
#   make fuzz        every fuzz target for $(FUZZTIME)
#   make conformance Go's os, io/fs, path/filepath, testing/fstest tests under
#                    `vfscope run`, both WASI paths, verbose
#   make bench-wasi  the guest workload on vfscope (both WASI paths) and on
#                    wazero's DirFS, ratios printed
#
# Knobs: GO, TESTFLAGS (extra go test flags, e.g. TESTFLAGS='-run Foo -v'),
# PORTABLE_PKGS, LOCKDEP (1 = lock validator on in tests), WASM_TEST_TIMEOUT (per
# wasm test binary, default 5m), BENCHTIME, FUZZTIME.

SHELL := bash
.SHELLFLAGS := -euo pipefail -c
.DEFAULT_GOAL := test
# The steps of `make test` are meant to run in order, even under make -j.
.NOTPARALLEL:

GO ?= go
TESTFLAGS ?=
PORTABLE_PKGS ?= ./vfs/...
LOCKDEP ?= 1
BENCHTIME ?= 1s
FUZZTIME ?= 20s
WASIP1EXEC := $(CURDIR)/.bin/wasip1exec

export GO TESTFLAGS PORTABLE_PKGS WASIP1EXEC FUZZTIME

TEST_TARGETS := test test-short test-go test-go-short test-wasm test-wasip1 test-js \
	test-runner fuzz

# The core switches its lock-order validator on when VFSCOPE_LOCKDEP=1.
$(TEST_TARGETS): export VFSCOPE_LOCKDEP := $(LOCKDEP)

.PHONY: test test-short test-go test-go-short test-wasm test-wasip1 test-js test-runner \
	deps vet fmt-check build build-wasm run bench bench-wasi conformance fuzz clean FORCE

test: deps vet fmt-check test-go test-wasm
	@echo "make test: all checks passed"

test-short: deps vet fmt-check test-go-short test-wasm
	@echo "make test-short: all checks passed"

deps:
	scripts/install-deps

vet:
	$(GO) vet ./...

fmt-check:
	scripts/check-gofmt

test-go:
	$(GO) test -race $(TESTFLAGS) ./...

test-go-short:
	$(GO) test $(TESTFLAGS) ./...

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

run:
	$(GO) run ./host/cmd/vfscope

# Lockdep off: benchmarks measure the production configuration.
bench: export VFSCOPE_LOCKDEP :=
bench:
	$(GO) test -run '^$$' -bench . -benchmem -benchtime=$(BENCHTIME) -timeout 60m $(TESTFLAGS) ./...

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
