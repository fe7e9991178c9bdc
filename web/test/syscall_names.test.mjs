// A VFSError of readFile and writeFile names the call that failed, as
// Node's fs names it: readFileSync and writeFileSync on /dev/shm are the
// oracle where /dev/shm can show the failure; a full filesystem fails
// writeFileSync's write (lib/fs.js writeSync: syscall "write"; Linux's
// ENOSPC comes from the write, mm/shmem.c shmem_write_begin), not its open.
import { test, after } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { createVFS, VFSError } from "../dist/index.js";

const vfs = await createVFS();
const shm = fs.mkdtempSync(path.join(fs.existsSync("/dev/shm") ? "/dev/shm" : os.tmpdir(), "vfscope-names-"));
after(() => fs.rmSync(shm, { recursive: true, force: true }));
vfs.mkdir("/tmp/names");
vfs.mkdir("/tmp/names/dir");
fs.mkdirSync(path.join(shm, "dir"));
vfs.writeFile("/tmp/names/f", "x");
fs.writeFileSync(path.join(shm, "f"), "x");
vfs.mkdir("/tmp/names/small");
vfs.mount("none", "/tmp/names/small", "tmpfs", 0, "size=64k");

// [name, the call on a root, made with node fs's names (fs, or asNode for the VFS)]
const cases = [
  ["readFile of a missing file", (f, r) => f.readFileSync(`${r}/nope`)],
  ["readFile of a directory", (f, r) => f.readFileSync(`${r}/dir`)],
  ["writeFile in a missing directory", (f, r) => f.writeFileSync(`${r}/nope/f`, "x")],
  ["writeFile of a directory", (f, r) => f.writeFileSync(`${r}/dir`, "x")],
  ["writeFile wx of an existing file", (f, r) => f.writeFileSync(`${r}/f`, "x", { flag: "wx" })],
  ["appendFile of a directory", (f, r) => f.appendFileSync(`${r}/dir`, "x")],
  ["readdir of a missing directory", (f, r) => f.readdirSync(`${r}/nope`)],
  ["readdir of a file", (f, r) => f.readdirSync(`${r}/f`)],
  ["readdir names of a file, as bytes", (f, r) => f.readdirSync(`${r}/f`, "buffer")],
  ["readdir withFileTypes of a missing directory", (f, r) => f.readdirSync(`${r}/nope`, { withFileTypes: true })],
  ["utimes of a missing file", (f, r) => f.utimesSync(`${r}/nope`, 1, 1)],
  ["truncate of a missing file", (f, r) => f.truncateSync(`${r}/nope`)],
  ["truncate of a directory", (f, r) => f.truncateSync(`${r}/dir`)],
  ["chmod of a missing file", (f, r) => f.chmodSync(`${r}/nope`, 0o644)],
  ["chown of a missing file", (f, r) => f.chownSync(`${r}/nope`, 0, 0)],
  ["readlink of a file", (f, r) => f.readlinkSync(`${r}/f`)],
  ["rmdir of a file", (f, r) => f.rmdirSync(`${r}/f`)],
  ["unlink of a directory", (f, r) => f.unlinkSync(`${r}/dir`)],
  ["mkdir of an existing directory", (f, r) => f.mkdirSync(`${r}/dir`)],
  ["open of a directory for writing", (f, r) => f.openSync(`${r}/dir`, "w")],
  ["access of a missing file", (f, r) => f.accessSync(`${r}/nope`)],
  ["lstat of a missing file", (f, r) => f.lstatSync(`${r}/nope`)],
  ["symlink over a file", (f, r) => f.symlinkSync("x", `${r}/f`)],
  ["link of a directory", (f, r) => f.linkSync(`${r}/dir`, `${r}/d2`)],
  ["rename of a directory over a file", (f, r) => f.renameSync(`${r}/dir`, `${r}/f`)],
];

// The VFS with node fs's names, for the table.
const asNode = {
  readFileSync: (p) => vfs.readFile(p),
  writeFileSync: (p, d, o = {}) => vfs.writeFile(p, d, o),
  appendFileSync: (p, d) => vfs.appendFile(p, d),
  readdirSync: (p, o) => vfs.readdir(p, o),
  utimesSync: (p, a, m) => vfs.utimes(p, a * 1000, m * 1000),
  truncateSync: (p, n) => vfs.truncate(p, n),
  chmodSync: (p, m) => vfs.chmod(p, m),
  chownSync: (p, u, g) => vfs.chown(p, u, g),
  readlinkSync: (p) => vfs.readlink(p),
  rmdirSync: (p) => vfs.rmdir(p),
  unlinkSync: (p) => vfs.unlink(p),
  mkdirSync: (p) => vfs.mkdir(p),
  openSync: (p, fl) => vfs.open(p, fl),
  accessSync: (p) => vfs.access(p),
  lstatSync: (p) => vfs.lstat(p),
  symlinkSync: (t, p) => vfs.symlink(t, p),
  linkSync: (a, b) => vfs.link(a, b),
  renameSync: (a, b) => vfs.rename(a, b),
};

function nodeError(fn) {
  try {
    fn();
  } catch (e) {
    return e;
  }
  assert.fail("node fs did not fail");
}

for (const [name, call] of cases) {
  test(`${name}: the syscall Node names`, () => {
    const want = nodeError(() => call(fs, shm));
    assert.throws(() => call(asNode, "/tmp/names"), (e) => {
      assert.ok(e instanceof VFSError, String(e));
      assert.equal(e.code, want.code);
      assert.equal(e.syscall, want.syscall, `${e.code}: syscall`);
      return true;
    });
  });
}

test("writeFile past a full tmpfs fails in write, alone and in a batch", () => {
  const big = new Uint8Array(1 << 20);
  const check = (e) => {
    assert.ok(e instanceof VFSError, String(e));
    assert.equal(e.code, "ENOSPC");
    assert.equal(e.syscall, "write");
    assert.equal(e.path, "/tmp/names/small/f");
    return true;
  };
  assert.throws(() => vfs.writeFile("/tmp/names/small/f", big), check);
  assert.throws(() => vfs.appendFile("/tmp/names/small/f", big), check);
  const [r, s] = vfs.batch().writeFile("/tmp/names/small/f", big).readFile("/tmp/names/dir").run();
  assert.equal(r.ok, false);
  check(r.error);
  assert.equal(s.ok, false);
  assert.equal(s.error.code, "EISDIR");
  assert.equal(s.error.syscall, "read");
});
