// Node's open flag strings (lib/internal/fs/utils.js stringToFlags; the
// fs docs' "File system flags") open as they do under Node's fs on
// /dev/shm: whether the open succeeds on a missing and on an existing
// file, whether the descriptor writes and reads, where a write lands,
// and what the file holds after. Their O_* values are Node's (O_SYNC is
// not observable, so the values are compared too).
import { test, after } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { createVFS, openFlagStrings, VFSError } from "../dist/index.js";

const { O_RDONLY, O_WRONLY, O_RDWR, O_CREAT, O_EXCL, O_TRUNC, O_APPEND, O_SYNC } = fs.constants;
const vfs = await createVFS();
vfs.mkdir("/tmp/flags");
const shm = fs.mkdtempSync(path.join(fs.existsSync("/dev/shm") ? "/dev/shm" : os.tmpdir(), "vfscope-flags-"));
after(() => fs.rmSync(shm, { recursive: true, force: true }));

// [flag string, its value in Node's docs]
const flags = [
  ["r", O_RDONLY],
  ["rs", O_RDONLY | O_SYNC],
  ["sr", O_RDONLY | O_SYNC],
  ["r+", O_RDWR],
  ["rs+", O_RDWR | O_SYNC],
  ["sr+", O_RDWR | O_SYNC],
  ["w", O_TRUNC | O_CREAT | O_WRONLY],
  ["wx", O_TRUNC | O_CREAT | O_WRONLY | O_EXCL],
  ["xw", O_TRUNC | O_CREAT | O_WRONLY | O_EXCL],
  ["w+", O_TRUNC | O_CREAT | O_RDWR],
  ["wx+", O_TRUNC | O_CREAT | O_RDWR | O_EXCL],
  ["xw+", O_TRUNC | O_CREAT | O_RDWR | O_EXCL],
  ["a", O_APPEND | O_CREAT | O_WRONLY],
  ["ax", O_APPEND | O_CREAT | O_WRONLY | O_EXCL],
  ["xa", O_APPEND | O_CREAT | O_WRONLY | O_EXCL],
  ["as", O_APPEND | O_CREAT | O_WRONLY | O_SYNC],
  ["sa", O_APPEND | O_CREAT | O_WRONLY | O_SYNC],
  ["a+", O_APPEND | O_CREAT | O_RDWR],
  ["ax+", O_APPEND | O_CREAT | O_RDWR | O_EXCL],
  ["xa+", O_APPEND | O_CREAT | O_RDWR | O_EXCL],
  ["as+", O_APPEND | O_CREAT | O_RDWR | O_SYNC],
  ["sa+", O_APPEND | O_CREAT | O_RDWR | O_SYNC],
];

// The same steps with Node's fs and with the VFS.
const nodeSide = {
  code: (e) => e.code,
  put: (p, s) => fs.writeFileSync(p, s),
  open: (p, f) => fs.openSync(p, f),
  pwrite: (fd, s) => fs.writeSync(fd, s, 0),
  pread: (fd) => {
    const b = Buffer.alloc(16);
    return b.subarray(0, fs.readSync(fd, b, 0, 16, 0)).toString();
  },
  close: (fd) => fs.closeSync(fd),
  get: (p) => (fs.existsSync(p) ? fs.readFileSync(p, "utf8") : null),
};
const vfsSide = {
  code: (e) => (e instanceof VFSError ? e.code : `not a VFSError: ${e}`),
  put: (p, s) => vfs.writeFile(p, s),
  open: (p, f) => vfs.open(p, f),
  pwrite: (fd, s) => vfs.pwrite(fd, s, 0),
  pread: (fd) => new TextDecoder().decode(vfs.pread(fd, 16, 0)),
  close: (fd) => vfs.close(fd),
  get: (p) => (vfs.exists(p) ? vfs.readFile(p, "utf8") : null),
};

function outcome(side, dir, flag, existing) {
  const p = `${dir}/${flag}-${existing ? "old" : "new"}`;
  if (existing) side.put(p, "abc");
  const out = {};
  const step = (name, fn) => {
    try {
      out[name] = fn();
    } catch (e) {
      out[name] = side.code(e);
    }
  };
  let fd;
  step("open", () => ((fd = side.open(p, flag)), "ok"));
  if (fd !== undefined) {
    step("write", () => side.pwrite(fd, "Z"));
    step("read", () => side.pread(fd));
    side.close(fd);
  }
  out.after = side.get(p);
  return out;
}

for (const [flag, value] of flags) {
  test(`open flag "${flag}" is Node's`, () => {
    assert.equal(openFlagStrings[flag], value, "O_* value");
    for (const existing of [false, true]) {
      assert.deepEqual(outcome(vfsSide, "/tmp/flags", flag, existing), outcome(nodeSide, shm, flag, existing), existing ? "existing file" : "missing file");
    }
  });
}

test("a string that is no flag is a TypeError, inherited names included", () => {
  for (const f of ["", "rw", "toString", "constructor", "__proto__", "R"]) {
    assert.throws(() => vfs.open("/tmp/flags/x", f), TypeError, JSON.stringify(f));
  }
});
