// The Go heap of vfscope.wasm stays bounded when JavaScript calls in a
// loop and never yields to the event loop: Go's collector must be able
// to finish its cycles inside the calls (wasm/main.go yields to it).
import { test } from "node:test";
import assert from "node:assert/strict";
import { createVFS } from "../dist/index.js";

test("a loop of calls that creates and deletes 8 MiB fifty times keeps Go's memory bounded", async (t) => {
  // A runtime of its own, so other tests' files do not count.
  const vfs = await createVFS({ wasm: new URL("../dist/vfscope.wasm", import.meta.url) });
  const mem = vfs.runtime.goMemory;
  const data = new Uint8Array(4096).fill(7);
  vfs.mkdir("/tmp/m");
  const round = () => {
    for (let i = 0; i < 2000; i++) vfs.writeFile(`/tmp/m/f${i}`, data);
    for (let i = 0; i < 2000; i++) vfs.unlink(`/tmp/m/f${i}`);
  };
  // Linear memory never shrinks: its size is the heap's high-water mark.
  // Ten rounds bring the heap to its steady size (GOGC's multiple of
  // what stays live, within the memory wasm/main.go reserves); forty
  // more must then fit in it. Without collections that finish, it grew
  // by 0.7 MiB a round (5 MiB before that reserve and ballast).
  for (let r = 0; r < 10; r++) round();
  const after10 = mem.buffer.byteLength;
  for (let r = 0; r < 40; r++) round();
  const after50 = mem.buffer.byteLength;
  const mib = (n) => (n / 2 ** 20).toFixed(0);
  t.diagnostic(`Go memory ${mib(after10)} MiB after ten rounds, ${mib(after50)} MiB after fifty`);
  assert.ok(after50 <= after10 + (8 << 20), `Go memory grew from ${mib(after10)} MiB after ten rounds to ${mib(after50)} MiB after fifty`);
  vfs.dispose();
});
