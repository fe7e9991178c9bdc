// The bridge's request limits. A request over 1 GiB (wasm/main.go's
// maxRequest) is a RangeError before anything changes, so the runtime,
// which every VFS of the page shares, goes on. A path (or a symlink's
// target) of PATH_MAX bytes or more is Linux's ENAMETOOLONG from getname,
// and no more than PATH_MAX + 1 bytes of it are copied into Go: its
// memory does not grow by the path's size.
import { test } from "node:test";
import assert from "node:assert/strict";
import { createVFS, VFSError } from "../dist/index.js";

const GiB = 2 ** 30;

test("a request over 1 GiB is a RangeError, and every VFS of the runtime goes on", async () => {
  const a = await createVFS();
  const b = await createVFS();
  b.writeFile("/tmp/keep", "keep");
  const big = new Uint8Array(GiB + 1);
  const cases = [
    // [name, call]
    ["writeFile of 1 GiB + 1 bytes", () => a.writeFile("/tmp/big", big)],
    ["a batch of two 600 MiB writes", () => a.batch().writeFile("/tmp/x", big.subarray(0, 600 << 20)).writeFile("/tmp/y", big.subarray(0, 600 << 20)).run()],
  ];
  for (const [name, call] of cases) {
    assert.throws(call, RangeError, name);
    // Both VFSes, and requests that need the buffer to grow, go on.
    assert.equal(b.readFile("/tmp/keep", "utf8"), "keep", name);
    a.writeFile("/tmp/small", new Uint8Array(300_000));
    assert.equal(a.stat("/tmp/small").size, 300_000, name);
    assert.ok(a.stat("/").isDirectory(), name);
  }
  const c = await createVFS();
  assert.ok(c.stat("/tmp").isDirectory());
  for (const v of [a, b, c]) v.dispose();
});

const long = 200_000_000;
const enametoolong = (e) => e instanceof VFSError && e.code === "ENAMETOOLONG";
const paths = [
  // [name, call, want] (want: an errno code, or undefined for success)
  ["stat of a 200M-character path", (v) => v.stat("/" + "a".repeat(long)), "ENAMETOOLONG"],
  ["stat of a 200M-byte path given as bytes", (v) => v.stat(new Uint8Array(long).fill(0x61)), "ENAMETOOLONG"],
  ["mkdir of a 200M-character path of 3-byte characters", (v) => v.mkdir("/" + "\u20ac".repeat(long / 4)), "ENAMETOOLONG"],
  ["stat of a long path cut inside a surrogate pair", (v) => v.stat("/" + "\u{1F600}".repeat(long / 8)), "ENAMETOOLONG"],
  ["symlink to a 200M-character target", (v) => v.symlink("t".repeat(long), "/tmp/s"), "ENAMETOOLONG"],
  ["rename to a 200M-character path", (v) => v.rename("/tmp", "/" + "r".repeat(long)), "ENAMETOOLONG"],
  ["stat of a path of PATH_MAX bytes", (v) => v.stat("/" + "a".repeat(4095)), "ENAMETOOLONG"],
  ["stat of a path of PATH_MAX - 1 bytes is looked up", (v) => v.stat("/" + "a/".repeat(2047)), "ENOENT"],
  ["symlink to a target of PATH_MAX - 1 bytes", (v) => v.symlink("t".repeat(4095), "/tmp/s4095"), undefined],
];

test("a path of PATH_MAX bytes or more is ENAMETOOLONG without being copied into Go", async () => {
  // A runtime of its own: its memory is what this test measures.
  const v = await createVFS({ wasm: new URL("../dist/vfscope.wasm", import.meta.url) });
  const mem = v.runtime.goMemory;
  const before = mem.buffer.byteLength;
  for (const [name, call, want] of paths) {
    if (want === undefined) call(v);
    else assert.throws(() => call(v), (e) => e instanceof VFSError && e.code === want, name);
    assert.ok(mem.buffer.byteLength <= before + (64 << 20), `${name}: Go memory grew from ${before >> 20} MiB to ${mem.buffer.byteLength >> 20} MiB`);
  }
  assert.equal(v.readlink("/tmp/s4095").length, 4095);
  assert.throws(() => v.stat("/" + "a".repeat(5000)), enametoolong);
  assert.ok(v.stat("/").isDirectory());
  v.dispose();
});
