// The VFS's clock under JavaScript: each crossing into vfscope.wasm (a
// batch, a WASI call) is a tick whose time is the Date.now() the library
// stores before it (wasm/bridge/clock.go), and no tick goes back in time.
import { test } from "node:test";
import assert from "node:assert/strict";
import { createVFS, wasiImports } from "../dist/index.js";

const vfs = await createVFS();
vfs.mkdir("/tmp/clock");

const realNow = Date.now;

/** Runs fn with Date.now() returning ms. */
function at(ms, fn) {
  Date.now = () => ms;
  try {
    return fn();
  } finally {
    Date.now = realNow;
  }
}

/** A WASI guest on vfs with a memory of the given size in 64 KiB pages. */
function guest(pages) {
  const w = wasiImports(vfs, { preopens: ["/"] });
  const memory = new WebAssembly.Memory({ initial: pages });
  w.attach({ exports: { memory } });
  return { w, memory, wasi: w.imports.wasi_snapshot_preview1 };
}

/** Creates path (relative to the guest's preopen, fd 3) through path_open. */
function wasiCreate(g, path) {
  const name = new TextEncoder().encode(path);
  new Uint8Array(g.memory.buffer).set(name, 0);
  const OFLAGS_CREAT = 1;
  const errno = g.wasi.path_open(3, 0, 0, name.length, OFLAGS_CREAT, 0x1fffffffn, 0x1fffffffn, 0, 1024);
  assert.equal(errno, 0, `path_open ${path}`);
  return new DataView(g.memory.buffer).getUint32(1024, true);
}

test("a file written through the API has the time of the call", () => {
  for (let i = 0; i < 20; i++) {
    const before = Date.now();
    vfs.writeFile(`/tmp/clock/now${i}`, "x");
    const after = Date.now();
    const m = vfs.stat(`/tmp/clock/now${i}`).mtimeMs;
    assert.ok(m >= before && m <= after, `mtime ${m} outside the call's ${before}..${after}`);
  }
});

test("writes in order get non-decreasing mtimes", () => {
  const fd = vfs.open("/tmp/clock/order", "w");
  let last = 0;
  for (let i = 0; i < 200; i++) {
    vfs.write(fd, "y");
    const m = vfs.fstat(fd).mtimeMs;
    assert.ok(m >= last, `write ${i}: mtime ${m} before the last write's ${last}`);
    last = m;
  }
  vfs.close(fd);
});

test("the time a call is given is the time its stamps take", () => {
  const ahead = Math.floor(realNow() / 1000) * 1000 + 3_600_000;
  at(ahead, () => vfs.writeFile("/tmp/clock/ahead", "z"));
  assert.equal(vfs.stat("/tmp/clock/ahead").mtimeMs, ahead);
  at(ahead + 7, () => vfs.batch().writeFile("/tmp/clock/ahead2", "z").mkdir("/tmp/clock/dir2").runOrThrow());
  assert.equal(vfs.stat("/tmp/clock/ahead2").mtimeMs, ahead + 7);
  assert.equal(vfs.stat("/tmp/clock/dir2").mtimeMs, ahead + 7);
});

test("a clock set back does not take timestamps back", () => {
  const ahead = Math.floor(realNow() / 1000) * 1000 + 7_200_000;
  at(ahead, () => vfs.writeFile("/tmp/clock/first", "1"));
  // The host's clock goes back a minute: the last tick's time holds.
  at(ahead - 60_000, () => vfs.writeFile("/tmp/clock/second", "2"));
  assert.equal(vfs.stat("/tmp/clock/second").mtimeMs, ahead);
  // A WASI call is a tick as a batch is.
  const g = guest(1);
  at(ahead - 30_000, () => wasiCreate(g, "tmp/clock/third"));
  assert.equal(vfs.stat("/tmp/clock/third").mtimeMs, ahead);
  at(ahead + 5, () => wasiCreate(g, "tmp/clock/fourth"));
  assert.equal(vfs.stat("/tmp/clock/fourth").mtimeMs, ahead + 5);
  g.w.close();
});

test("WASI calls keep their time after Go's memory grew in one", () => {
  // fd_write of a buffer larger than the exchange block, until Go's
  // memory grows inside a WASI call (the page cache holds the data).
  const g = guest(16 << 4); // 16 MiB
  const fd = wasiCreate(g, "tmp/clock/big");
  const dv = new DataView(g.memory.buffer);
  const DATA = 64 << 10;
  const LEN = (16 << 20) - DATA;
  dv.setUint32(2048, DATA, true);
  dv.setUint32(2052, LEN, true);
  const goMem = vfs.runtime.goMemory;
  const start = goMem.buffer.byteLength;
  for (let i = 0; goMem.buffer.byteLength === start; i++) {
    assert.ok(i < 64, `Go's memory did not grow after ${i * 16} MiB written`);
    assert.equal(g.wasi.fd_write(fd, 2048, 1, 4096), 0);
  }
  const ahead = Math.floor(realNow() / 1000) * 1000 + 10_800_000;
  at(ahead, () => wasiCreate(g, "tmp/clock/aftergrow"));
  assert.equal(vfs.stat("/tmp/clock/aftergrow").mtimeMs, ahead);
  g.w.close();
  vfs.unlink("/tmp/clock/big");
});
