// The runtime's answers: only Go marks a batch answered (wasm/main.go's
// call writes the batch's sequence number into state word 0, which
// JavaScript clears), so a vfscope_call that returns without answering
// is a BridgeError, never a stale response read as this batch's; once
// the Go program has exited (a fatal error) every call of every VFS of
// that runtime is Error("vfscope.wasm exited"); and a memory budget the
// shared wasm heap cannot hold is refused on both sides.
import { test } from "node:test";
import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import { BridgeError, createVFS } from "../dist/index.js";

// A runtime of its own for each test that breaks it.
const wasm = fileURLToPath(new URL("../dist/vfscope.wasm", import.meta.url));

test("a vfscope_call that returns without answering is a BridgeError", async () => {
  const v = await createVFS({ wasm });
  v.writeFile("/tmp/f", "x");
  const rt = v.runtime;
  const real = rt.ex;
  rt.ex = { ...real, vfscope_call() {} };
  try {
    for (const [name, call] of [
      ["stat", () => v.stat("/tmp/f")],
      ["a batch", () => v.batch().stat("/tmp/f").readFile("/tmp/f").run()],
    ]) {
      assert.throws(call, (e) => e instanceof BridgeError && /without answering/.test(e.message), name);
    }
  } finally {
    rt.ex = real;
  }
  assert.equal(v.readFile("/tmp/f", "utf8"), "x");
  v.dispose();
});

test("after the Go program exits, every call of a VFS of its runtime throws Error('vfscope.wasm exited')", async () => {
  const a = await createVFS({ wasm });
  const rt = a.runtime;
  const other = await createVFS();
  // What wasm_exec.js's runtime.wasmExit leaves: Go's exited flag set.
  rt.hooks.exited = () => true;
  for (const [name, call] of [
    ["stat", () => a.stat("/")],
    ["a batch", () => a.batch().stat("/").run()],
    ["shell", () => a.shell()],
    ["dispose", () => a.dispose()],
  ]) {
    assert.throws(call, (e) => e.constructor === Error && e.message === "vfscope.wasm exited", name);
  }
  assert.ok(other.stat("/").isDirectory(), "another runtime goes on");
});

test("a memory budget over 1 GiB is a RangeError, and Go refuses one too", async () => {
  for (const budget of [2 ** 30 + 1, 16 * 2 ** 30, 2 ** 53 - 1, -1, 1.5]) {
    await assert.rejects(createVFS({ memoryBudget: budget }), RangeError, String(budget));
  }
  const v = await createVFS({ memoryBudget: 2 ** 30 });
  assert.match(v.readFile("/proc/meminfo", "utf8"), /^MemTotal:\s+1048576 kB$/m);
  v.dispose();
  // The Go side's own check (a request built by hand, past createVFS's).
  const rt = v.runtime;
  rt.begin();
  rt.opName("vfsNew", 0);
  rt.num(0);
  rt.num(16 * 2 ** 30);
  rt.num(0);
  assert.throws(() => rt.exec(), (e) => e instanceof BridgeError && /memory budget .* is over/.test(e.message));
  assert.ok((await createVFS()).stat("/").isDirectory());
});
