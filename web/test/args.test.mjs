// Scalar arguments are checked in JavaScript, before anything crosses
// into Go: integers past 2^53 (which a double cannot hold exactly),
// times the VFS cannot represent, mount arguments holding a NUL, and a
// WASI guest's argv and environment. A batch holding a bad argument
// throws before any of it runs.
import { test } from "node:test";
import assert from "node:assert/strict";
import { createVFS, VFSError } from "../dist/index.js";

const vfs = await createVFS();
vfs.mkdir("/tmp/args");
vfs.writeFile("/tmp/args/f", "hello");
const fd = vfs.open("/tmp/args/f", "r+");

const big = 2 ** 60; // an integer, but past 2^53
const cases = [
  // [name, call, error class]
  ["read of 2^60 bytes", () => vfs.read(fd, big), RangeError],
  ["pread at 2^60", () => vfs.pread(fd, 1, big), RangeError],
  ["pread at 2^53", () => vfs.pread(fd, 1, 2 ** 53), RangeError],
  ["preadInto at -2^60", () => vfs.preadInto(fd, new Uint8Array(1), -big), RangeError],
  ["seek to 2^60", () => vfs.seek(fd, big, 0), RangeError],
  ["close of fd 2^54", () => vfs.close(2 ** 54), RangeError],
  ["truncate to 2^60", () => vfs.truncate("/tmp/args/f", big), RangeError],
  ["ftruncate to 2^60", () => vfs.ftruncate(fd, big), RangeError],
  ["mkdir with mode 2^60", () => vfs.mkdir("/tmp/args/m", big), RangeError],
  ["chown to uid 2^60", () => vfs.chown("/tmp/args/f", big, 0), RangeError],
  ["open with flags 2^60", () => vfs.open("/tmp/args/f", big), RangeError],
  ["writeFile with mode 2^60", () => vfs.writeFile("/tmp/args/w", "x", { mode: big }), RangeError],
  // 32-bit arguments: past 2^32 a RangeError, not their low bits.
  ["chown to uid 2^32 + 5", () => vfs.chown("/tmp/args/f", 2 ** 32 + 5, 0), RangeError],
  ["chown to gid -2", () => vfs.chown("/tmp/args/f", 0, -2), RangeError],
  ["lchown to uid 2^32", () => vfs.lchown("/tmp/args/f", 2 ** 32, 0), RangeError],
  ["chmod to 2^32 + 0o600", () => vfs.chmod("/tmp/args/f", 2 ** 32 + 0o600), RangeError],
  ["rename with flags 2^32", () => vfs.rename("/tmp/args/f", "/tmp/args/g", 2 ** 32), RangeError],
  ["mount with flags 2^40", () => vfs.mount("none", "/tmp/args", "tmpfs", 2 ** 40), RangeError],
  ["umount with flags 2^32", () => vfs.umount("/tmp/args", 2 ** 32), RangeError],
  ["open with mode 2^32", () => vfs.open("/tmp/args/n", "w", 2 ** 32), RangeError],
  ["open with flags -1", () => vfs.open("/tmp/args/f", -1), RangeError],
  ["access with mode 2^32", () => vfs.access("/tmp/args/f", 2 ** 32), RangeError],
  ["read of 1.5 bytes", () => vfs.read(fd, 1.5), TypeError],
  ["seek to NaN", () => vfs.seek(fd, NaN, 0), TypeError],
  ["seek to Infinity", () => vfs.seek(fd, Infinity, 0), TypeError],
  ["close of a string fd", () => vfs.close("3"), TypeError],
  ["utimes after 2262", () => vfs.utimes("/tmp/args/f", "omit", new Date(1e13)), RangeError],
  ["utimes at the last Date", () => vfs.utimes("/tmp/args/f", "omit", new Date(8.64e15)), RangeError],
  ["utimes at 2^63 + 5 ns", () => vfs.utimes("/tmp/args/f", 2n ** 63n + 5n, "omit"), RangeError],
  ["utimes at 2^64 - 1 ns", () => vfs.utimes("/tmp/args/f", 2n ** 64n - 1n, "omit"), RangeError],
  ["utimes before the epoch", () => vfs.utimes("/tmp/args/f", -1, "omit"), RangeError],
  ["utimes with an invalid Date", () => vfs.utimes("/tmp/args/f", new Date(NaN), "omit"), RangeError],
  ["shell.run with stdin 42", () => vfs.shell().run("cat", { stdin: 42 }), TypeError],
  ["shell.run with stdin {length: 4}", () => vfs.shell().run("cat", { stdin: { length: 4 } }), TypeError],
  ["wasiImports with stdin 42", () => vfs.wasiImports({ stdin: 42 }), TypeError],
  ["write of a number", () => vfs.write(fd, 42), TypeError],
];
for (const [name, call, cls] of cases) {
  test(`${name}: ${cls.name}, and nothing changes`, () => {
    const before = vfs.fstat(fd);
    assert.throws(call, (e) => e instanceof cls && !(e instanceof VFSError));
    const after = vfs.fstat(fd);
    assert.equal(after.size, before.size);
    assert.equal(after.mtimeMs, before.mtimeMs);
    assert.equal(after.atimeMs, before.atimeMs);
    assert.equal(vfs.seek(fd, 0, 1), 0, "the file position moved");
  });
}

test("a 32-bit argument's error names it; uid and gid -1 leave the ids", () => {
  assert.throws(() => vfs.chmod("/tmp/args/f", 2 ** 32 + 0o600), { name: "RangeError", message: /^mode out of range: 4294967680/ });
  assert.throws(() => vfs.chown("/tmp/args/f", 2 ** 32 + 5, 0), { name: "RangeError", message: /^uid out of range/ });
  const st = vfs.stat("/tmp/args/f");
  vfs.chown("/tmp/args/f", -1, -1);
  const after = vfs.stat("/tmp/args/f");
  assert.equal(after.uid, st.uid);
  assert.equal(after.gid, st.gid);
});

test("the largest safe integers and times are accepted", () => {
  // 2^53 - 1 reaches the VFS, which answers as Linux would.
  assert.equal(vfs.pread(fd, 1, 2 ** 53 - 1).length, 0);
  assert.equal(vfs.seek(fd, 2 ** 53 - 1, 0), 2 ** 53 - 1);
  vfs.seek(fd, 0, 0);
  // 2^63 - 1 ns, the last time the bridge carries: no RangeError.
  vfs.utimes("/tmp/args/f", "omit", 2n ** 63n - 1n);
  assert.ok(vfs.stat("/tmp/args/f").mtimeMs > Date.UTC(2262, 0, 1));
  const d = new Date(Date.UTC(2262, 3, 11));
  vfs.utimes("/tmp/args/f", "omit", d);
  assert.equal(vfs.stat("/tmp/args/f").mtimeMs, d.getTime());
});

test("a batch with a bad argument throws before running any of it", () => {
  for (const bad of [
    (b) => b.seek(fd, big, 0),
    (b) => b.read(fd, 2 ** 53),
    (b) => b.utimes("/tmp/args/f", "omit", new Date(1e13)),
    (b) => b.close(0.5),
  ]) {
    const b = vfs.batch().mkdir("/tmp/args/b1").writeFile("/tmp/args/b1/x", "data");
    assert.throws(() => bad(b).mkdir("/tmp/args/b2").run(), (e) => e instanceof RangeError || e instanceof TypeError);
    assert.equal(vfs.exists("/tmp/args/b1"), false, "an operation before the bad one ran");
    assert.equal(vfs.exists("/tmp/args/b2"), false, "an operation after the bad one ran");
    // The bad operation was never queued: the rest still runs.
    assert.equal(b.length, 2);
    assert.deepEqual(b.run().map((r) => r.ok), [true, true]);
    vfs.unlink("/tmp/args/b1/x");
    vfs.rmdir("/tmp/args/b1");
  }
});

test("paths and mount arguments holding a NUL are a TypeError, as Node's ERR_INVALID_ARG_VALUE, and nothing is made", () => {
  vfs.mkdir("/tmp/args/mnt");
  const nul = (e) => e instanceof TypeError && e.code === "ERR_INVALID_ARG_VALUE" && /null bytes/.test(e.message);
  const calls = [
    // [name, call on the VFS or a batch (v)]
    ["writeFile", (v) => v.writeFile("/tmp/args/a\0b", "x")],
    ["writeFile of a byte path", (v) => v.writeFile(new Uint8Array([47, 116, 109, 112, 47, 99, 0, 100]), "x")],
    ["mkdir", (v) => v.mkdir("/tmp/args/d\0e")],
    ["stat", (v) => v.stat("/tmp\0")],
    ["open", (v) => v.open("/tmp/args/o\0", "w")],
    ["symlink target", (v) => v.symlink("/x\0y", "/tmp/args/sl")],
    ["rename's new path", (v) => v.rename("/tmp/args/f", "/tmp/args/g\0")],
    ["mount source", (v) => v.mount("no\0ne", "/tmp/args/mnt", "tmpfs")],
    ["mount fstype", (v) => v.mount("none", "/tmp/args/mnt", "tmpfs\0x")],
    ["mount data", (v) => v.mount("none", "/tmp/args/mnt", "tmpfs", 0, "size=1m\0junk")],
    ["mount target", (v) => v.mount("none", "/tmp/args/mnt\0", "tmpfs")],
  ];
  for (const [name, call] of calls) {
    assert.throws(() => call(vfs), nul, name);
    assert.throws(() => call(vfs.batch()), nul, `${name}, in a batch`);
  }
  for (const p of ["/tmp/args/a", "/tmp/args/c", "/tmp/args/d", "/tmp/args/o", "/tmp/args/sl", "/tmp/args/g"]) assert.equal(vfs.exists(p), false, p);
  assert.ok(!vfs.readFile("/proc/mounts", "utf8").includes("/tmp/args/mnt"));
  vfs.mount("none", "/tmp/args/mnt", "tmpfs", 0, "size=1m");
  assert.match(vfs.readFile("/proc/mounts", "utf8"), /^none \/tmp\/args\/mnt tmpfs /m);
  vfs.umount("/tmp/args/mnt");
  vfs.rmdir("/tmp/args/mnt");
});

test("wasiImports rejects argv with a NUL and environment entries without '='", () => {
  for (const [opts, msg] of [
    [{ args: ["prog", "a\0b"] }, /args\[1\].*NUL/],
    [{ env: ["A=1", "NOEQUALS"] }, /env\[1\].*KEY=value/],
    [{ env: ["A=1\0B=2"] }, /env\[0\].*NUL/],
    [{ env: { "A\0": "1" } }, /env\[0\].*NUL/],
  ]) {
    assert.throws(() => vfs.wasiImports(opts), (e) => e instanceof TypeError && msg.test(e.message));
  }
  const w = vfs.wasiImports({ args: ["prog", ""], env: ["A=", "=x", "B=1"] });
  w.close();
});

test("a stdin that is not bytes never grows Go's memory", () => {
  const sh = vfs.shell();
  sh.run("true");
  const before = vfs.runtime.goMemory.buffer.byteLength;
  for (let i = 0; i < 20; i++) {
    assert.throws(() => sh.run("true", { stdin: 42 }), TypeError);
    assert.throws(() => vfs.wasiImports({ stdin: 42 }), TypeError);
  }
  assert.equal(vfs.runtime.goMemory.buffer.byteLength, before);
  assert.equal(sh.run("echo ok").stdout, "ok\n");
  sh.close();
});
