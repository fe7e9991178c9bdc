// How many Go functions each operation calls in vfscope.wasm: every
// defined function of a build gets a call to a counting import at its
// entry (binaryen), and the workload's per-file phases run on it through
// the library, one call per crossing and through the WASI imports. The
// counts are exact and do not depend on the machine's load, which moves
// a phase's time by 2x here: a change that removes calls from a hot path
// shows at once, one that adds them too. Under GOOS=js every Go call
// saves and checks a resumable frame, so the count is a large part of an
// operation's cost (each call costs about 10-40 ns in V8).
//
//   GOOS=js GOARCH=wasm go build -trimpath -o /tmp/x.wasm ./wasm   (keeps the names)
//   node bench/calls.mjs /tmp/x.wasm [TOP]
//   JUMPS=1 node bench/calls.mjs /tmp/x.wasm [TOP]
//
// With JUMPS=1 it counts, instead of calls, the jumps that still go
// through a function's dispatch loop once scripts/direct-branches.mjs
// has made the forward ones direct: the backward jumps, a loop's
// iterations (RATIONALE.md, "Why is vfscope.wasm rewritten after go
// build?").
//
// binaryen is the dev dependency the build uses; BINARYEN=path/to/index.js
// names another copy.
//
// Prints, per phase, the calls (or jumps) per operation and the functions
// making the most. The instrumented module is slower (a JavaScript call
// per count): its times mean nothing.
import { readFileSync } from "node:fs";
import { pathToFileURL } from "node:url";

const { default: binaryen } = await import(process.env.BINARYEN ? pathToFileURL(process.env.BINARYEN).href : "binaryen").catch((e) => {
  console.error(`calls.mjs needs binaryen (see the comment at the top): ${e.message}`);
  process.exit(2);
});

const { directBranches, FEATURES } = await import("../scripts/direct-branches.mjs");
const JUMPS = !!process.env.JUMPS;
const UNIT = JUMPS ? "dispatched jumps" : "Go calls";

const [src, topArg] = process.argv.slice(2);
if (!src) {
  console.error("usage: node bench/calls.mjs VFSCOPE_WASM [TOP]  (an unstripped build: go build without -s)");
  process.exit(2);
}
const TOP = +(topArg ?? 25);

// instrument returns the module's bytes with a call to vfscope.cnt(i) at
// the entry of defined function i, and the functions' names.
function instrument(bytes) {
  const m = binaryen.readBinary(bytes);
  // What Go's wasm port emits; binaryen must not write newer encodings.
  m.setFeatures(FEATURES);
  const names = [];
  // slot maps a function's index in the module to its counter.
  const slot = new Map();
  for (let i = 0, n = m.getNumFunctions(); i < n; i++) {
    const info = binaryen.getFunctionInfo(m.getFunctionByIndex(i));
    if (info.module) continue; // an import
    slot.set(i, names.length);
    names.push(info.name.replace(/^github\.com_vfscope_vfscope_/, ""));
  }
  const count = (i) => m.call("__vfscope_cnt", [m.i32.const(slot.get(i))], binaryen.none);
  if (JUMPS) {
    directBranches(m, (i, block, c) => {
      binaryen.Block.insertChildAt(block, c, count(i));
      return 1;
    });
  } else {
    for (const i of slot.keys()) {
      const f = m.getFunctionByIndex(i);
      const info = binaryen.getFunctionInfo(f);
      binaryen.Function.setBody(f, m.block(null, [count(i), info.body], info.results));
    }
  }
  // The import goes in last: it renumbers the defined functions.
  m.addFunctionImport("__vfscope_cnt", "vfscope", "cnt", binaryen.i32, binaryen.none);
  if (!names.some((n) => n.includes("vfs."))) throw new Error(`${src}: no function names (build it without -ldflags=-s)`);
  const out = m.emitBinary();
  m.dispose();
  return { bytes: out, names };
}

const { bytes, names } = instrument(readFileSync(src));
// cur is the counts of the phase being counted, if any.
let cur = null;
// The loader instantiates vfscope.wasm with its "vfscope" imports: add
// the counter to them.
const instantiate = WebAssembly.instantiate;
WebAssembly.instantiate = (mod, imports) => {
  if (imports?.vfscope) imports.vfscope.cnt = (i) => void (cur && cur[i]++);
  return instantiate(mod, imports);
};
const { createVFS, wasiImports } = await import("../dist/index.js");
const wasm = await WebAssembly.compile(bytes);

const N = 2000;
const DIRS = 20;
const FILE = Array.from({ length: N }, (_, i) => `/w/d${i % DIRS}/f${i}`);
const MOVED = Array.from({ length: N }, (_, i) => `/w/d${(i + 1) % DIRS}/m${i}`);
const data = new Uint8Array(4096).fill(7);

function report(name, counts, ops) {
  const total = counts.reduce((a, b) => a + b, 0);
  console.log(`\n${name}: ${(total / ops).toFixed(1)} ${UNIT} per operation`);
  const idx = [...counts.keys()].filter((i) => counts[i] > 0).sort((a, b) => counts[b] - counts[a]);
  for (const i of idx.slice(0, TOP)) console.log(`${(counts[i] / ops).toFixed(2).padStart(9)}  ${names[i]}`);
}

// counted runs fn with the calls counted into counts.
function counted(counts, fn) {
  cur = counts;
  try {
    return fn();
  } finally {
    cur = null;
  }
}

function phase(name, ops, fn) {
  const counts = new Float64Array(names.length);
  counted(counts, fn);
  report(name, counts, ops);
}

// A first pass warms what a first call does once (the runtime's
// spans, the VFS's caches); the second is counted.
const vfs = await createVFS({ wasm });
for (let pass = 0; pass < 2; pass++) {
  const c = pass === 1;
  const run = (name, fn) => (c ? phase(`API ${name}`, N, fn) : fn());
  vfs.mkdir(`/w`);
  for (let d = 0; d < DIRS; d++) vfs.mkdir(`/w/d${d}`);
  run("writeFile (create 4 KiB)", () => FILE.forEach((f) => vfs.writeFile(f, data)));
  run("stat", () => FILE.forEach((f) => vfs.stat(f)));
  run("readFile", () => FILE.forEach((f) => vfs.readFile(f)));
  run("rename", () => FILE.forEach((f, i) => vfs.rename(f, MOVED[i])));
  run("unlink", () => MOVED.forEach((f) => vfs.unlink(f)));
  // The 64 MiB append of bench/peers.mjs, a quarter of it: 64 KiB writes
  // to one descriptor, as its append phase does them.
  const chunk = new Uint8Array(64 << 10).fill(5);
  const fd = vfs.open("/w/big", "w");
  if (c) phase("API write 64 KiB (append)", 256, () => { for (let i = 0; i < 256; i++) vfs.write(fd, chunk); });
  else for (let i = 0; i < 256; i++) vfs.write(fd, chunk);
  vfs.close(fd);
  vfs.unlink("/w/big");
  for (let d = 0; d < DIRS; d++) vfs.rmdir(`/w/d${d}`);
  vfs.rmdir(`/w`);
}

// The same through the WASI imports, as a guest's calls (paths staged
// in the guest's memory first, as a guest's own data).
const w = wasiImports(vfs, { args: ["calls"] });
const memory = new WebAssembly.Memory({ initial: 16 });
w.attach({ exports: { memory } });
const W = w.imports.wasi_snapshot_preview1;
const dv = new DataView(memory.buffer);
const u8 = new Uint8Array(memory.buffer);
const enc = new TextEncoder();
let top = 1 << 19;
const at = new Map();
const path = (p) => {
  let a = at.get(p);
  if (!a) {
    const { written } = enc.encodeInto(p.slice(1), u8.subarray(top));
    at.set(p, (a = [top, written]));
    top += written;
  }
  return a;
};
const ok = (what, e) => {
  if (e !== 0) throw new Error(`${what}: errno ${e}`);
};
const ALL = 0x1fffffffn;
const IOV = 8192, RES = 8256, BUF = 65536;
u8.fill(7, BUF, BUF + 4096);
dv.setUint32(IOV, BUF, true);
dv.setUint32(IOV + 4, 4096, true);
// Each file is created, written and closed in turn (the descriptors
// are few), each call counted into its own phase.
const kinds = ["path_open O_CREAT", "fd_write 4 KiB", "fd_close", "path_filestat_get", "fd_fdstat_get", "path_rename", "path_unlink_file"];
for (let pass = 0; pass < 2; pass++) {
  const k = Object.fromEntries(kinds.map((n) => [n, new Float64Array(names.length)]));
  const call = (kind, fn) => (pass === 1 ? counted(k[kind], fn) : fn());
  ok("mkdir", W.path_create_directory(3, ...path("/w")));
  for (let d = 0; d < DIRS; d++) ok("mkdir", W.path_create_directory(3, ...path(`/w/d${d}`)));
  for (const f of FILE) {
    call("path_open O_CREAT", () => ok("open", W.path_open(3, 1, ...path(f), 9, ALL, ALL, 0, RES)));
    const fd = dv.getUint32(RES, true);
    call("fd_write 4 KiB", () => ok("write", W.fd_write(fd, IOV, 1, RES)));
    call("fd_close", () => ok("close", W.fd_close(fd)));
  }
  for (const f of FILE) call("path_filestat_get", () => ok("stat", W.path_filestat_get(3, 1, ...path(f), RES)));
  for (let i = 0; i < N; i++) call("fd_fdstat_get", () => ok("fdstat", W.fd_fdstat_get(1, RES)));
  FILE.forEach((f, i) => call("path_rename", () => ok("rename", W.path_rename(3, ...path(f), 3, ...path(MOVED[i])))));
  for (const f of MOVED) call("path_unlink_file", () => ok("unlink", W.path_unlink_file(3, ...path(f))));
  for (let d = 0; d < DIRS; d++) ok("rmdir", W.path_remove_directory(3, ...path(`/w/d${d}`)));
  ok("rmdir", W.path_remove_directory(3, ...path("/w")));
  if (pass === 1) for (const n of kinds) report(`WASI ${n}`, k[n], N);
}
w.close();
vfs.dispose();
process.exit(0);
