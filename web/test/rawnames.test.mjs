// Names that are not valid UTF-8 (a WASI guest or a shell can make them):
// paths may be Uint8Arrays, taken as their bytes, and readdir and
// readlink give raw bytes with encoding "buffer", as Node's fs does with
// Buffers. A string holding a lone surrogate is a TypeError, not a name
// that aliases another.
import { test } from "node:test";
import assert from "node:assert/strict";
import { createVFS, VFSError } from "../dist/index.js";

const vfs = await createVFS();
vfs.mkdir("/tmp/raw");
const enc = new TextEncoder();
const bytes = (...parts) => {
  const chunks = parts.map((p) => (typeof p === "string" ? enc.encode(p) : Uint8Array.from(p)));
  const out = new Uint8Array(chunks.reduce((n, c) => n + c.length, 0));
  let at = 0;
  for (const c of chunks) out.set(c, (at += c.length) - c.length);
  return out;
};
const hex = (b) => Buffer.from(b).toString("hex");

test("files named by bytes that are not UTF-8 are distinct and reachable", () => {
  const names = [[0x66, 0xff], [0x66, 0xfe], [0x66, 0xed, 0xa0, 0x80], [0x66, 0xc0, 0xaf]];
  for (const [i, n] of names.entries()) vfs.writeFile(bytes("/tmp/raw/", n), `file ${i}`);
  const raw = vfs.readdir("/tmp/raw", { encoding: "buffer" });
  assert.ok(raw.every((b) => b instanceof Uint8Array));
  assert.deepEqual(raw.map(hex).sort(), names.map(hex).sort());
  for (const [i, n] of names.entries()) {
    // A raw name from readdir is a path again.
    const back = raw.find((b) => hex(b) === hex(n));
    assert.equal(vfs.readFile(bytes("/tmp/raw/", back), "utf8"), `file ${i}`);
    assert.equal(vfs.stat(bytes("/tmp/raw/", n)).size, `file ${i}`.length);
  }
  // The decoded names are lossy: they name none of the files.
  for (const s of vfs.readdir("/tmp/raw")) {
    assert.match(s, /\uFFFD/);
    assert.throws(() => vfs.stat("/tmp/raw/" + s), (e) => e instanceof VFSError && e.code === "ENOENT");
  }
  for (const n of names) vfs.unlink(bytes("/tmp/raw/", n));
  assert.deepEqual(vfs.readdir("/tmp/raw", { encoding: "buffer" }), []);
});

test("a UTF-8 name is the same file by string and by bytes", () => {
  vfs.writeFile("/tmp/raw/é", "x");
  assert.deepEqual(vfs.readdir("/tmp/raw", { encoding: "buffer" }).map(hex), [hex(enc.encode("é"))]);
  assert.equal(vfs.readFile(enc.encode("/tmp/raw/é"), "utf8"), "x");
  vfs.rename(enc.encode("/tmp/raw/é"), "/tmp/raw/e");
  assert.deepEqual(vfs.readdir("/tmp/raw"), ["e"]);
  vfs.unlink(enc.encode("/tmp/raw/e"));
});

test("readlink gives a target's bytes with encoding buffer", () => {
  const target = bytes("/tmp/raw/t", [0xff]);
  vfs.symlink(target, "/tmp/raw/l");
  assert.equal(hex(vfs.readlink("/tmp/raw/l", { encoding: "buffer" })), hex(target));
  assert.equal(vfs.readlink("/tmp/raw/l"), "/tmp/raw/t\uFFFD");
  vfs.unlink("/tmp/raw/l");
});

test("a string with a lone surrogate is a TypeError, not an alias", () => {
  for (const s of ["/tmp/raw/a\ud800", "/tmp/raw/a\udc00", "/tmp/raw/\udfff\ud800"]) {
    assert.throws(() => vfs.writeFile(s, "x"), TypeError);
    assert.throws(() => vfs.mkdir(s), TypeError);
    assert.throws(() => vfs.batch().mkdir("/tmp/raw/ok").mkdir(s).run(), TypeError);
  }
  assert.deepEqual(vfs.readdir("/tmp/raw"), []);
  // A well-formed pair is fine.
  vfs.writeFile("/tmp/raw/\ud83d\ude00", "x");
  assert.deepEqual(vfs.readdir("/tmp/raw"), ["\u{1F600}"]);
  vfs.unlink("/tmp/raw/\u{1F600}");
});
