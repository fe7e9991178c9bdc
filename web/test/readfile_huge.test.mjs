// readFile of a file too large for one response: a VFSError EFBIG from
// its read, never a panic that ends the runtime (and every VFS in it),
// and never fewer bytes than the file holds. Node's readFileSync throws
// ERR_FS_FILE_TOO_LARGE past its largest Buffer (2 GiB) the same way;
// vfscope's bound is 1 GiB (the bridge's one read, wasm/bridge maxIO).
// The files are sparse (truncate(2) allocates nothing).
import { test } from "node:test";
import assert from "node:assert/strict";
import { createVFS, VFSError } from "../dist/index.js";

const a = await createVFS();
const b = await createVFS();
b.writeFile("/tmp/keep", "keep");

const GiB = 2 ** 30;
const sizes = [
  // [name, size]
  ["5 GiB (past a wasm32 heap)", 5 * GiB],
  ["3 GiB (past MAX_RW_COUNT: the first read is short)", 3 * GiB],
  ["2 GiB", 2 * GiB],
  ["one byte past 1 GiB", GiB + 1],
];

function efbig(e) {
  assert.ok(e instanceof VFSError, `not a VFSError: ${e}`);
  assert.equal(e.code, "EFBIG");
  assert.equal(e.errno, 27);
  assert.equal(e.syscall, "read");
  assert.equal(e.path, "/tmp/sparse");
  return true;
}

for (const [name, size] of sizes) {
  test(`readFile of a ${name} file fails with EFBIG, and everything goes on`, () => {
    a.writeFile("/tmp/sparse", "");
    a.truncate("/tmp/sparse", size);
    assert.throws(() => a.readFile("/tmp/sparse"), efbig);
    assert.throws(() => a.readFile("/tmp/sparse", "utf8"), efbig);
    const [r] = a.batch().readFile("/tmp/sparse").run();
    assert.equal(r.ok, false);
    efbig(r.error);
    // The VFS, the other VFS and the runtime go on.
    assert.equal(a.stat("/tmp/sparse").size, size);
    assert.equal(b.readFile("/tmp/keep", "utf8"), "keep");
  });
}

test("readFile of a sparse 8 MiB file is read whole", () => {
  a.writeFile("/tmp/sparse", "");
  a.truncate("/tmp/sparse", 8 << 20);
  a.pwrite(a.open("/tmp/sparse", "r+"), "end", (8 << 20) - 3);
  const got = a.readFile("/tmp/sparse");
  assert.equal(got.length, 8 << 20);
  assert.equal(new TextDecoder().decode(got.subarray(got.length - 3)), "end");
});

test("a new VFS boots after the failures", async () => {
  const c = await createVFS();
  assert.deepEqual(c.readdir("/").sort(), ["dev", "proc", "tmp"]);
  c.dispose();
});
