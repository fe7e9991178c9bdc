// The cost of crossing between JavaScript and Go in @vfscope/web, in
// Node: the same operations one call per crossing and batched, and WASI
// calls. Run: make bench-web (or node bench/crossing.mjs after make web).
import { createVFS, wasiImports, O_RDWR, O_CREAT } from "../dist/index.js";

const vfs = await createVFS();
const rt = vfs.runtime;

function time(name, ops, fn) {
  fn(Math.min(ops, 1000)); // warm up
  const t0 = performance.now();
  fn(ops);
  const ms = performance.now() - t0;
  const us = (ms * 1000) / ops;
  console.log(`${name.padEnd(44)} ${String(ops).padStart(8)} ops  ${us.toFixed(3).padStart(8)} µs/op  ${Math.round(ops / (ms / 1000)).toLocaleString("en-US").padStart(12)} ops/s`);
  return us;
}

const N = 200_000;
vfs.mkdir("/tmp/bench");
vfs.writeFile("/tmp/bench/f", "x");

const single = time("getcwd, one per crossing", N, (n) => {
  for (let i = 0; i < n; i++) vfs.getcwd();
});
const batched = time("getcwd, 100 per crossing", N, (n) => {
  for (let i = 0; i < n; i += 100) {
    const b = vfs.batch();
    for (let j = 0; j < 100; j++) b.getcwd();
    b.run();
  }
});
const raw = time("empty crossing (a batch of 0 operations)", N, (n) => {
  for (let i = 0; i < n; i++) {
    rt.begin();
    rt.exec();
  }
});
time("stat, one per crossing", N, (n) => {
  for (let i = 0; i < n; i++) vfs.stat("/tmp/bench/f");
});
time("stat, 100 per crossing", N, (n) => {
  for (let i = 0; i < n; i += 100) {
    const b = vfs.batch();
    for (let j = 0; j < 100; j++) b.stat("/tmp/bench/f");
    b.run();
  }
});
let k = 0;
time("writeFile (create 4 KiB), one per crossing", 20_000, (n) => {
  const data = new Uint8Array(4096);
  for (let i = 0; i < n; i++) vfs.writeFile(`/tmp/bench/c${k++}`, data);
});
const fd = vfs.open("/tmp/bench/big", O_RDWR | O_CREAT);
const chunk = new Uint8Array(64 << 10);
const wus = time("pwrite 64 KiB, one per crossing", 2_000, (n) => {
  for (let i = 0; i < n; i++) vfs.pwrite(fd, chunk, (i % 256) * chunk.length);
});
console.log(`  = ${((64 / 1024) / (wus / 1e6)).toFixed(0)} MiB/s`);
const rus = time("pread 64 KiB, one per crossing", 2_000, (n) => {
  for (let i = 0; i < n; i++) vfs.pread(fd, chunk.length, (i % 256) * chunk.length);
});
console.log(`  = ${((64 / 1024) / (rus / 1e6)).toFixed(0)} MiB/s`);

// WASI calls straight from JavaScript, as a guest's imports are called:
// a guest memory of one page, fd_write of 8 bytes to the file. On a
// runtime of its own, so that the page cache filled above does not
// weigh on its garbage collections.
const fresh = await createVFS({ wasm: new URL("../dist/vfscope.wasm", import.meta.url) });
fresh.mkdir("/tmp/bench");
fresh.writeFile("/tmp/bench/f", "x");
const w = wasiImports(fresh, { args: ["bench"] });
const memory = new WebAssembly.Memory({ initial: 2 });
w.attach({ exports: { memory } });
const m = new DataView(memory.buffer);
const wasi = w.imports.wasi_snapshot_preview1;
new Uint8Array(memory.buffer).set(new TextEncoder().encode("tmp/bench/w"), 100);
if (wasi.path_open(3, 0, 100, 11, 1, 0x1fffffffn, 0x1fffffffn, 0, 200) !== 0) throw new Error("path_open");
const wfd = m.getUint32(200, true);
m.setUint32(300, 1024, true);
m.setUint32(304, 8, true);
time("WASI fd_write 8 bytes (one call)", N, (n) => {
  for (let i = 0; i < n; i++) wasi.fd_write(wfd, 300, 1, 400);
});
time("WASI fd_pread 8 bytes (one call)", N, (n) => {
  for (let i = 0; i < n; i++) wasi.fd_pread(wfd, 300, 1, 0n, 400);
});
time("WASI fd_fdstat_set_flags (a trivial call)", N, (n) => {
  for (let i = 0; i < n; i++) wasi.fd_fdstat_set_flags(wfd, 0);
});
time("WASI fd_close of a bad descriptor (EBADF)", N, (n) => {
  for (let i = 0; i < n; i++) wasi.fd_close(99);
});
new Uint8Array(memory.buffer).set(new TextEncoder().encode("tmp/bench/f"), 500);
time("WASI path_filestat_get (one call)", N, (n) => {
  for (let i = 0; i < n; i++) wasi.path_filestat_get(3, 0, 500, 11, 600);
});
w.close();

console.log(`\ncrossing: ${raw.toFixed(3)} µs for an empty batch; getcwd ${single.toFixed(3)} µs alone vs ${batched.toFixed(3)} µs batched (${(single / batched).toFixed(1)}x)`);
