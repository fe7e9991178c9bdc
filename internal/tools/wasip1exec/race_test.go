//go:build race

package main

// raceEnabled: under the race detector, compiling a Go wasm binary with wazero
// takes about a minute, so the end-to-end tests skip themselves there; the
// Makefile runs them without -race as the runner's self-check.
const raceEnabled = true
