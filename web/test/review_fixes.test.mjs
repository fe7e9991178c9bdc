// What a node:fs user expects of details the API once got wrong: a
// leading U+FEFF is data, a batch takes the API's defaults, a wrong type
// is a TypeError, wasiImports checks its options and names the preopen
// that failed, and a WASI guest used after close() is told so.
import { test } from "node:test";
import assert from "node:assert/strict";
import { createVFS, VFSError } from "../dist/index.js";

const vfs = await createVFS();

test("a leading U+FEFF stays in names, link targets and text", () => {
  vfs.mkdir("/tmp/bom");
  vfs.writeFile("/tmp/bom/\uFEFFname", "x");
  assert.deepEqual(vfs.readdir("/tmp/bom"), ["\uFEFFname"]);
  assert.deepEqual(vfs.readdir("/tmp/bom", { withFileTypes: true }).map((d) => d.name), ["\uFEFFname"]);
  assert.ok(vfs.exists("/tmp/bom/\uFEFFname"));
  vfs.symlink("\uFEFFtarget", "/tmp/bom/link");
  assert.equal(vfs.readlink("/tmp/bom/link"), "\uFEFFtarget");
  vfs.writeFile("/tmp/bom/text", new Uint8Array([0xef, 0xbb, 0xbf, 0x41]));
  assert.equal(vfs.readFile("/tmp/bom/text", "utf8"), "\uFEFFA");
});

test("a batch's seek takes SEEK_SET by default, as the API's", () => {
  vfs.writeFile("/tmp/seek", "hello");
  const fd = vfs.open("/tmp/seek");
  const [pos] = vfs.batch().seek(fd, 3).runOrThrow();
  assert.equal(pos, 3);
  assert.equal(new TextDecoder().decode(vfs.read(fd, 10)), "lo");
  vfs.close(fd);
});

test("utimes: a time of the wrong type is a TypeError, one out of range a RangeError", () => {
  vfs.writeFile("/tmp/times", "");
  for (const bad of ["123", null, {}, true]) {
    assert.throws(() => vfs.utimes("/tmp/times", bad, 0), TypeError, String(bad));
  }
  for (const bad of [NaN, Infinity, -1, new Date(NaN)]) {
    assert.throws(() => vfs.utimes("/tmp/times", bad, 0), RangeError, String(bad));
  }
});

test("wasiImports checks root, preopens, args and env before making anything", () => {
  for (const [opts, msg] of [
    [{ root: "/tm\0p" }, /root/],
    [{ preopens: ["/", "/t\0"] }, /preopens\[1\]/],
    [{ preopens: [7] }, /preopens\[0\]/],
    [{ preopens: "/" }, /preopens must be an array/],
    [{ args: "prog" }, /args must be an array/],
    [{ env: 5 }, /env must be/],
  ]) {
    assert.throws(() => vfs.wasiImports(opts), (e) => e instanceof TypeError && msg.test(e.message), JSON.stringify(opts));
  }
});

test("a preopen that cannot be opened is named in the error", () => {
  vfs.mkdir("/tmp/pre");
  for (const [opts, code, syscall, path] of [
    [{ preopens: ["/tmp/pre", "/nope"] }, "ENOENT", "open", "/nope"],
    [{ preopens: ["/proc/meminfo"] }, "ENOTDIR", "open", "/proc/meminfo"],
    [{ root: "/nope" }, "ENOENT", "wasi", "/nope"],
  ]) {
    assert.throws(() => vfs.wasiImports(opts), (e) => {
      assert.ok(e instanceof VFSError, String(e));
      assert.equal(e.code, code);
      assert.equal(e.syscall, syscall);
      assert.equal(e.path, path);
      return true;
    });
  }
});

test("a WASI guest used after close() or dispose() is told so", async () => {
  const other = await createVFS();
  for (const end of ["close", "dispose"]) {
    const v2 = await createVFS();
    const w = v2.wasiImports();
    const memory = new WebAssembly.Memory({ initial: 1 });
    w.attach({ exports: { memory } });
    const want = end === "close" ? /this WASI guest is closed/ : /this VFS is closed/;
    if (end === "close") w.close();
    else v2.dispose();
    // close() also drops the exchange block, which Go freed with the
    // guest: the import stages this path into nothing.
    const path = new TextEncoder().encode("/tmp/x");
    new Uint8Array(memory.buffer).set(path, 64);
    const imp = w.imports.wasi_snapshot_preview1;
    assert.throws(() => imp.path_unlink_file(3, 64, path.length), want, end);
    assert.throws(() => w.attach({ exports: { memory } }), want, end);
    if (end === "close") v2.dispose();
  }
  // The shared runtime works on.
  other.writeFile("/tmp/still", "ok");
  assert.equal(other.readFile("/tmp/still", "utf8"), "ok");
  other.dispose();
});

test("a Uint8Array subclass whose length lies sends the bytes it holds", () => {
  class Liar extends Uint8Array {
    get length() {
      return 1 << 20;
    }
  }
  vfs.writeFile("/tmp/liar", new Liar([1, 2, 3]));
  assert.deepEqual([...vfs.readFile("/tmp/liar")], [1, 2, 3]);
  vfs.writeFile(new Liar(new TextEncoder().encode("/tmp/liar2")), "x");
  assert.equal(vfs.readFile("/tmp/liar2", "utf8"), "x");
});
