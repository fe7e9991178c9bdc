// The busybox guest (guests/busybox, GOOS=wasip1) for the tests that run
// it: VFSCOPE_BUSYBOX names it (make test-web builds it into
// .bin/busybox.wasm and sets it); without the variable, .bin/busybox.wasm
// of the repository if it is there. Without either, test() registers
// each test skipped with the reason, so `npm test` runs the rest.
import { test as nodeTest } from "node:test";
import { existsSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

const fallback = fileURLToPath(new URL("../../.bin/busybox.wasm", import.meta.url));

/** The guest's path, or undefined when there is none. */
export const busyboxPath = process.env.VFSCOPE_BUSYBOX || (existsSync(fallback) ? fallback : undefined);

/** Why the tests are skipped, or undefined when they run. */
export const skipReason =
  busyboxPath === undefined ? "no busybox guest: set VFSCOPE_BUSYBOX, or build .bin/busybox.wasm (make test-web does both)" : undefined;

/** The compiled guest, undefined when it is skipped. */
export const mod = busyboxPath === undefined ? undefined : await WebAssembly.compile(readFileSync(busyboxPath));

/** node:test's test, each test skipped with skipReason when there is no guest. */
export const test = skipReason === undefined ? nodeTest : (name) => nodeTest(name, { skip: skipReason }, () => undefined);
