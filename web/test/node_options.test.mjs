// Node-style options arguments, normalised once (src/options.ts): a
// string is the encoding, null is no options, an object its fields.
// Each row runs the same call on vfscope and on Node's fs (the host's
// tmpfs, /dev/shm), and wants the same result; an option vfscope does
// not implement is a TypeError, never silently ignored.
import { test } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import { createVFS } from "../dist/index.js";

const vfs = await createVFS();
const host = fs.mkdtempSync("/dev/shm/vfscope-options-");
process.on("exit", () => fs.rmSync(host, { recursive: true, force: true }));
for (const [v, root] of [[vfs, "/tmp/o"], [null, host]]) {
  const w = v ?? { mkdir: (p) => fs.mkdirSync(p), writeFile: (p, d) => fs.writeFileSync(p, d), symlink: (t, p) => fs.symlinkSync(t, p) };
  if (v) w.mkdir(root);
  w.mkdir(`${root}/d`);
  w.writeFile(`${root}/d/g`, "x\u00e9");
  w.symlink("tgt", `${root}/ln`);
}
const plain = (x) => (x instanceof Uint8Array ? { bytes: Array.from(x) } : Array.isArray(x) ? x.map(plain) : x);

const same = [
  // [name, call(fsLike, root)]: vfs and node:fs must agree
  ["readFile with { flag: 'r' } is bytes", (f, r) => f.readFileSync(`${r}/d/g`, { flag: "r" })],
  ["readFile with null is bytes", (f, r) => f.readFileSync(`${r}/d/g`, null)],
  ["readFile 'hex'", (f, r) => f.readFileSync(`${r}/d/g`, "hex")],
  ["readFile { encoding: 'base64' }", (f, r) => f.readFileSync(`${r}/d/g`, { encoding: "base64" })],
  ["readFile 'latin1'", (f, r) => f.readFileSync(`${r}/d/g`, "latin1")],
  ["readFile 'utf8'", (f, r) => f.readFileSync(`${r}/d/g`, "utf8")],
  ["readdir 'buffer'", (f, r) => f.readdirSync(`${r}/d`, "buffer")],
  ["readdir { encoding: 'hex' }", (f, r) => f.readdirSync(`${r}/d`, { encoding: "hex" })],
  ["readdir { recursive: false }", (f, r) => f.readdirSync(`${r}/d`, { recursive: false })],
  ["readlink 'buffer'", (f, r) => f.readlinkSync(`${r}/ln`, "buffer")],
  ["readlink { encoding: 'buffer' }", (f, r) => f.readlinkSync(`${r}/ln`, { encoding: "buffer" })],
  ["writeFile with null, read back", (f, r) => (f.writeFileSync(`${r}/w`, "hi", null), f.readFileSync(`${r}/w`, "utf8"))],
  ["writeFile 'hex', read back", (f, r) => (f.writeFileSync(`${r}/w`, "6869", "hex"), f.readFileSync(`${r}/w`, "utf8"))],
  ["writeFile { encoding: 'base64' }, read back", (f, r) => (f.writeFileSync(`${r}/w`, "aGk=", { encoding: "base64" }), f.readFileSync(`${r}/w`, "utf8"))],
  ["stat { bigint: false }", (f, r) => f.statSync(`${r}/d`, { bigint: false }).isDirectory()],
  ["mkdir { mode }", (f, r) => (f.mkdirSync(`${r}/m`, { mode: 0o700 }), (f.statSync(`${r}/m`).mode & 0o777).toString(8))],
  ["rmdir { recursive: false }", (f, r) => f.rmdirSync(`${r}/m`, { recursive: false })],
];
const asFs = {
  readFileSync: (...a) => vfs.readFile(...a),
  readdirSync: (...a) => vfs.readdir(...a),
  readlinkSync: (...a) => vfs.readlink(...a),
  writeFileSync: (...a) => vfs.writeFile(...a),
  statSync: (...a) => vfs.stat(...a),
  mkdirSync: (...a) => vfs.mkdir(...a),
  rmdirSync: (...a) => vfs.rmdir(...a),
};
for (const [name, call] of same) {
  test(`${name}: as Node's fs`, () => {
    assert.deepEqual(plain(call(asFs, "/tmp/o")), plain(call(fs, host)));
  });
}

const unsupported = [
  // [name, call]: a TypeError, with nothing done
  ["readFile 'buffer', as Node's", () => vfs.readFile("/tmp/o/d/g", "buffer")],
  ["readFile 'utf16le'", () => vfs.readFile("/tmp/o/d/g", "utf16le")],
  ["readFile { flag: 'a+' }", () => vfs.readFile("/tmp/o/new", { flag: "a+" })],
  ["readdir { recursive: true }", () => vfs.readdir("/tmp/o", { recursive: true })],
  ["readdir withFileTypes 'hex'", () => vfs.readdir("/tmp/o", { withFileTypes: true, encoding: "hex" })],
  ["stat { bigint: true }", () => vfs.stat("/tmp/o", { bigint: true })],
  ["lstat { throwIfNoEntry: false }", () => vfs.lstat("/tmp/o/nope", { throwIfNoEntry: false })],
  ["rmdir { recursive: true }", () => vfs.rmdir("/tmp/o/d", { recursive: true })],
  ["mkdir { recursive: true }", () => vfs.mkdir("/tmp/o/r/s", { recursive: true })],
  ["writeFile 'ucs2'", () => vfs.writeFile("/tmp/o/new", "hi", "ucs2")],
  ["writeFile options 5", () => vfs.writeFile("/tmp/o/new", "hi", 5)],
];
for (const [name, call] of unsupported) {
  test(`${name} is a TypeError`, () => {
    assert.throws(call, TypeError);
    assert.deepEqual(vfs.readdir("/tmp/o").sort(), ["d", "ln", "w"]);
    assert.deepEqual(vfs.readdir("/tmp/o/d"), ["g"]);
  });
}
