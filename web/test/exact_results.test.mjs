// A result JavaScript cannot hold exactly (2^53 or more) is an EOVERFLOW
// VFSError, as Linux fails a caller whose types cannot hold it
// (fs/read_write.c ksys_lseek: "LFS: should only happen on 32 bit
// platforms", after moving the position; fs/stat.c cp_new_stat), never a
// neighbouring number. Below 2^53 results are exact.
import { test } from "node:test";
import assert from "node:assert/strict";
import { createVFS, SEEK_CUR, SEEK_END, SEEK_SET, VFSError } from "../dist/index.js";

const vfs = await createVFS();
const MAX = Number.MAX_SAFE_INTEGER; // 2^53 - 1

function eoverflow(syscall) {
  return (e) => {
    assert.ok(e instanceof VFSError, String(e));
    assert.equal(e.code, "EOVERFLOW");
    assert.equal(e.errno, 75);
    assert.equal(e.syscall, syscall);
    return true;
  };
}

// [name, bytes written at 2^53 - 1 (the size becomes 2^53 - 1 + that), exact]
const cases = [
  ["2^53 - 1", 0, true],
  ["2^53", 1, false],
  ["2^53 + 1", 2, false],
];

for (const [name, extra, fits] of cases) {
  test(`a file of size ${name}: stat, fstat and lseek ${fits ? "are exact" : "fail with EOVERFLOW"}`, () => {
    const p = "/tmp/huge";
    vfs.writeFile(p, "");
    vfs.truncate(p, MAX);
    const fd = vfs.open(p, "r+");
    if (extra) assert.equal(vfs.pwrite(fd, "xy".slice(0, extra), MAX), extra);
    if (fits) {
      assert.equal(vfs.stat(p).size, MAX);
      assert.equal(vfs.fstat(fd).size, MAX);
      assert.equal(vfs.seek(fd, 0, SEEK_END), MAX);
    } else {
      assert.throws(() => vfs.stat(p), eoverflow("stat"));
      assert.throws(() => vfs.lstat(p), eoverflow("lstat"));
      assert.throws(() => vfs.fstat(fd), eoverflow("fstat"));
      assert.throws(() => vfs.seek(fd, 0, SEEK_END), eoverflow("lseek"));
      // The position moved all the same, as on Linux.
      assert.throws(() => vfs.seek(fd, 0, SEEK_CUR), eoverflow("lseek"));
      assert.equal(vfs.seek(fd, 0, SEEK_SET), 0);
      const [s, f] = vfs.batch().stat(p).fstat(fd).run();
      assert.equal(s.ok, false);
      eoverflow("stat")(s.error);
      assert.equal(f.ok, false);
      eoverflow("fstat")(f.error);
      // What was written is there.
      assert.deepEqual(vfs.pread(fd, 4, MAX - 1), Uint8Array.from([0, 0x78, 0x79].slice(0, 1 + extra)));
    }
    vfs.close(fd);
    vfs.unlink(p);
  });
}
