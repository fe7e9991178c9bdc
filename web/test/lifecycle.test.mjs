// Closing what dispose() already ended does nothing, as close(2) of an
// already-closed shell or guest is not a caller's error worth a throw; a
// caller's mistake gets the error a direct call gets (an Error for a
// closed VFS, a RangeError for an argument), never a BridgeError, which
// means a malformed request (a bug).
import assert from "node:assert/strict";
import { BridgeError, createVFS, wasiImports } from "../dist/index.js";
import { mod, test } from "./busybox.mjs";


const closed = /vfscope: this VFS is closed$/;

// [name, what to make before dispose(), what to do after it]
const afterDispose = [
  ["shell.close()", (v) => v.shell(), (s) => s.close()],
  ["shell.close() twice", (v) => v.shell(), (s) => (s.close(), s.close())],
  ["wasi.close() of a guest that ran", (v) => {
    const w = wasiImports(v, { args: ["busybox", "true"] });
    assert.equal(w.start(new WebAssembly.Instance(mod, w.imports)), 0);
    return w;
  }, (w) => w.close()],
  ["wasi.close() of a guest never started", (v) => v.wasiImports(), (w) => w.close()],
];

for (const [name, make, close] of afterDispose) {
  test(`${name} after dispose() does nothing`, async () => {
    const v = await createVFS();
    const x = make(v);
    v.dispose();
    close(x);
    assert.throws(() => v.stat("/"), closed);
  });
}

test("shell.run() after dispose() says the shell is closed", async () => {
  const v = await createVFS();
  const s = v.shell();
  v.dispose();
  s.close();
  assert.throws(() => s.run("true"), /this shell is closed/);
});

test("Batch.run() on a disposed VFS says the VFS is closed", async () => {
  const v = await createVFS();
  const b = v.batch().stat("/").mkdir("/tmp/x");
  v.dispose();
  for (const run of [() => b.run(), () => b.runOrThrow(), () => v.batch().run()]) {
    assert.throws(run, (e) => {
      assert.ok(!(e instanceof BridgeError), `a BridgeError: ${e.message}`);
      assert.match(e.message, closed);
      return true;
    });
  }
});

// [options, what is wrong]
const badSubscribe = [
  [{ ring: -1 }, "ring"],
  [{ ring: 1.5 }, "ring"],
  [{ ring: 2 ** 22 + 1 }, "ring"],
  [{ ring: NaN }, "ring"],
  [{ ring: "64" }, "ring"],
  [{ intervalMs: -1 }, "intervalMs"],
  [{ intervalMs: NaN }, "intervalMs"],
  [{ intervalMs: Infinity }, "intervalMs"],
];

test("subscribe() with a bad option is a RangeError, and subscribes nothing", async () => {
  const v = await createVFS();
  for (const [opts, what] of badSubscribe) {
    assert.throws(() => v.subscribe(() => {}, opts), (e) => {
      assert.ok(e instanceof RangeError, `${JSON.stringify(opts)}: ${e}`);
      assert.match(e.message, new RegExp(`^subscribe: ${what} `));
      return true;
    });
  }
  // Still usable: a good subscription delivers.
  const got = [];
  const off = v.subscribe((evs) => got.push(...evs), { ring: 64, intervalMs: 0 });
  v.mkdir("/tmp/s");
  v.flushEvents();
  assert.ok(got.length > 0);
  off();
  v.dispose();
});
