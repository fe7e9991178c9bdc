// readFile of a file that never ends (/dev/zero: read(2) of it always
// fills the buffer, drivers/char/mem.c) fails with EFBIG reported for the
// read, as node's readFileSync of an endless file fails
// (ERR_FS_FILE_TOO_LARGE), without growing Go's memory (which never
// shrinks) by more than a few times the bridge's bound for files that
// report no size. Files that report a size, and procfs' (size 0, short),
// are read whole.
import { test } from "node:test";
import assert from "node:assert/strict";
import { createVFS, VFSError } from "../dist/index.js";

test("readFile of endless and sized files", async () => {
  // A runtime of its own: its memory is what this test grows.
  const vfs = await createVFS({ wasm: new URL("../dist/vfscope.wasm", import.meta.url) });
  const mem = vfs.runtime.goMemory;
  vfs.writeFile("/tmp/big", new Uint8Array(9 << 20).fill(1));
  const start = mem.buffer.byteLength;
  const cases = [
    ["/dev/zero", "EFBIG", "read"],
    ["/dev/urandom", "EFBIG", "read"],
    ["/tmp", "EISDIR", "read"],
    ["/tmp/none", "ENOENT", "open"],
  ];
  for (const [path, code, syscall] of cases) {
    assert.throws(
      () => vfs.readFile(path),
      (e) => e instanceof VFSError && e.code === code && e.syscall === syscall && e.path === path && e.message.includes(`${syscall} '${path}'`),
      path,
    );
    const [r] = vfs.batch().readFile(path).run();
    assert.equal(r.ok, false);
    assert.equal(r.error.syscall, syscall, `${path} in a batch`);
  }
  const grown = mem.buffer.byteLength - start;
  assert.ok(grown <= 64 << 20, `Go memory grew by ${(grown / 2 ** 20).toFixed(0)} MiB`);
  assert.equal(vfs.readFile("/tmp/big").length, 9 << 20);
  assert.match(vfs.readFile("/proc/meminfo", "utf8"), /^MemTotal:/);
  vfs.dispose();
});
