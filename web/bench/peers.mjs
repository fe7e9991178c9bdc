// The filesystem workload on @vfscope/web and on its peers, in
// the same process: @bjorn3/browser_wasi_shim (its in-memory
// PreopenDirectory through its WASI layer and fd objects) and @zenfs/core's
// InMemory backend (its sync node:fs API). vfscope runs it three ways:
// its JavaScript API one call per crossing, the same batched, and
// through its WASI imports exactly as the shim is driven. Then the Go
// workload guest (guests/workload, wasip1) on vfscope and on the shim.
//
//   node bench/peers.mjs [WORKLOAD_WASM]     (make bench-web)
//   node bench/browser.mjs                   (the same in headless Chromium)
//
// Every VFS lives in the library's one Go runtime (createVFS() without a
// wasm option), as in an application. The first pass is cold: V8
// compiles WebAssembly lazily and recompiles hot functions with its
// optimising compiler in the background, so it includes that (for
// vfscope.wasm, several megabytes of code) and the first growth of Go's
// heap; the JavaScript peers get their JIT warm-up the same way. Then
// WARM_PASSES warm passes, with the 64 MiB phases (long enough to be
// their own warm-up), and the table of their medians. Prints ops/s per
// phase, the ratios to the shim and to ZenFS, and a verdict for each of
// the targets. The Go guest runs in alternating pairs on vfscope
// and on the shim, because the guest's own code is compiled once and its
// first run pays for it. The module runs as a node script or, bundled, in
// a page (bench/browser/).
import { createVFS, wasiImports } from "../dist/index.js";
import { WASI as ShimWASI, PreopenDirectory, Directory, OpenFile, File, ConsoleStdout } from "@bjorn3/browser_wasi_shim";
import { fs as zfs, configureSingle, InMemory } from "@zenfs/core";

const FILES = 2000;
const DIRS = 20;
const SIZE = 4096;
const BIG = 64 << 20;
const CHUNK = 64 << 10;
const enc = new TextEncoder();
const data = new Uint8Array(SIZE).fill(7);
const chunk = new Uint8Array(CHUNK).fill(9);
const dir = (i) => `/w/d${i % DIRS}`;
// The workload's paths, made once: building a string per call would
// time the harness along with each system.
const FILE = Array.from({ length: FILES }, (_, i) => `${dir(i)}/f${i}`);
const MOVED = Array.from({ length: FILES }, (_, i) => `/w/d${(i + 1) % DIRS}/m${i}`);
const file = (i) => FILE[i];
const moved = (i) => MOVED[i];

function now() {
  return performance.now();
}

// quarters does the 64 MiB of 64 KiB appends with write and returns the
// time of each quarter (16 MiB) in ms: appends linear in the file's size
// take as long for the last quarter as for the first, quadratic ones
// seven times as long.
function quarters(write) {
  const q = [];
  for (let k = 0; k < 4; k++) {
    const s = now();
    for (let n = 0; n < BIG / 4; n += CHUNK) write(n);
    q.push(now() - s);
  }
  return q;
}

// Each driver does the workload's phases; results are {phase: ms}.
const phases = ["create", "stat", "read", "rename", "readdir2000", "unlink", "append64MiB", "readback64MiB"];
const counts = { create: FILES, stat: FILES, read: FILES, rename: FILES, readdir2000: 1, unlink: FILES, append64MiB: BIG / CHUNK, readback64MiB: BIG / CHUNK };

async function vfscopeAPI(big) {
  const vfs = await createVFS();
  const t = {};
  vfs.mkdir("/w");
  for (let d = 0; d < DIRS; d++) vfs.mkdir(`/w/d${d}`);
  let s = now();
  for (let i = 0; i < FILES; i++) vfs.writeFile(file(i), data);
  t.create = now() - s;
  s = now();
  for (let i = 0; i < FILES; i++) vfs.stat(file(i));
  t.stat = now() - s;
  s = now();
  for (let i = 0; i < FILES; i++) vfs.readFile(file(i));
  t.read = now() - s;
  s = now();
  for (let i = 0; i < FILES; i++) vfs.rename(file(i), moved(i));
  t.rename = now() - s;
  vfs.mkdir("/flat");
  const b = vfs.batch();
  for (let i = 0; i < 2000; i++) b.writeFile(`/flat/f${i}`, "");
  b.run();
  s = now();
  const names = vfs.readdir("/flat");
  t.readdir2000 = now() - s;
  if (names.length !== 2000) throw new Error(`readdir: ${names.length}`);
  s = now();
  for (let i = 0; i < FILES; i++) vfs.unlink(moved(i));
  t.unlink = now() - s;
  if (!big) {
    vfs.dispose();
    return t;
  }
  const fd = vfs.open("/big", "a");
  s = now();
  t.appendQuarters = quarters((n) => vfs.write(fd, chunk));
  vfs.close(fd);
  t.append64MiB = now() - s;
  const rfd = vfs.open("/big");
  // Into one buffer, as ZenFS's readSync and a WASI guest's fd_read do.
  const rbuf = new Uint8Array(CHUNK);
  s = now();
  for (let n = 0; n < BIG; n += CHUNK) if (vfs.readInto(rfd, rbuf) !== CHUNK) throw new Error("short read-back");
  t.readback64MiB = now() - s;
  vfs.close(rfd);
  vfs.dispose();
  return t;
}

async function vfscopeBatched() {
  const vfs = await createVFS();
  const t = {};
  const B = 100;
  const run = (f) => {
    for (let i = 0; i < FILES; i += B) {
      const b = vfs.batch();
      for (let j = i; j < i + B; j++) f(b, j);
      b.runOrThrow();
    }
  };
  vfs.mkdir("/w");
  for (let d = 0; d < DIRS; d++) vfs.mkdir(`/w/d${d}`);
  let s = now();
  run((b, i) => b.writeFile(file(i), data));
  t.create = now() - s;
  s = now();
  run((b, i) => b.stat(file(i)));
  t.stat = now() - s;
  s = now();
  run((b, i) => b.readFile(file(i)));
  t.read = now() - s;
  s = now();
  run((b, i) => b.rename(file(i), moved(i)));
  t.rename = now() - s;
  s = now();
  run((b, i) => b.unlink(moved(i)));
  t.unlink = now() - s;
  vfs.dispose();
  return t;
}

// A WASI driver over an import object (the shim's or vfscope's), with a
// guest memory of its own: what a guest's calls cost, without a guest.
// A guest's paths are bytes in its memory already (its data, or built by
// its code): the driver writes each path there once, before the timed
// phases (prepare), and passes its address and length.
function wasiDriver(imports, memory) {
  const m = new DataView(memory.buffer);
  const u8 = new Uint8Array(memory.buffer);
  const IOV = 8192, RES = 8256, BUF = 65536, DIRBUF = 262144, PATHS = 524288;
  const ALL = 0x1fffffffn;
  const at = new Map();
  let top = PATHS;
  // path gives the address and length of p's bytes, without its leading
  // slash (relative to the preopened root, fd 3).
  const path = (p) => {
    let a = at.get(p);
    if (a === undefined) {
      const { read, written } = enc.encodeInto(p.slice(1), u8.subarray(top, u8.length));
      if (read !== p.length - 1) throw new Error("wasiDriver: the guest memory has no room for " + p);
      a = [top, written];
      at.set(p, a);
      top += written;
    }
    return a;
  };
  const ok = (name, e) => {
    if (e !== 0) throw new Error(`${name}: errno ${e}`);
  };
  const w = imports;
  return {
    prepare(paths) {
      for (const p of paths) path(p);
    },
    mkdir(p) {
      const [a, n] = path(p);
      ok("mkdir " + p, w.path_create_directory(3, a, n));
    },
    open(p, oflags, fdflags = 0) {
      // A directory gets fd_readdir only (write rights on one are EISDIR).
      const rights = oflags & 2 ? 1n << 14n : ALL;
      const [a, n] = path(p);
      ok("open " + p, w.path_open(3, 1, a, n, oflags, rights, rights, fdflags, RES));
      return m.getUint32(RES, true);
    },
    write(fd, bytes) {
      u8.set(bytes, BUF);
      m.setUint32(IOV, BUF, true);
      m.setUint32(IOV + 4, bytes.length, true);
      ok("write", w.fd_write(fd, IOV, 1, RES));
      return m.getUint32(RES, true);
    },
    read(fd, n) {
      m.setUint32(IOV, BUF, true);
      m.setUint32(IOV + 4, n, true);
      ok("read", w.fd_read(fd, IOV, 1, RES));
      return m.getUint32(RES, true);
    },
    close(fd) {
      ok("close", w.fd_close(fd));
    },
    stat(p) {
      const [a, n] = path(p);
      ok("stat " + p, w.path_filestat_get(3, 1, a, n, RES));
    },
    rename(from, to) {
      const [a, n] = path(from);
      const [b, k] = path(to);
      ok("rename", w.path_rename(3, a, n, 3, b, k));
    },
    unlink(p) {
      const [a, n] = path(p);
      ok("unlink " + p, w.path_unlink_file(3, a, n));
    },
    readdirCount(p) {
      const fd = this.open(p, 2); // O_DIRECTORY
      let cookie = 0n;
      let count = 0;
      for (;;) {
        ok("readdir", w.fd_readdir(fd, DIRBUF, 65536, cookie, RES));
        const used = m.getUint32(RES, true);
        let off = 0;
        let last = cookie;
        while (off + 24 <= used) {
          last = m.getBigUint64(DIRBUF + off, true);
          const namlen = m.getUint32(DIRBUF + off + 16, true);
          if (off + 24 + namlen > used) break;
          count++;
          off += 24 + namlen;
        }
        if (used < 65536) break;
        cookie = last;
      }
      this.close(fd);
      return count;
    },
  };
}

function wasiWorkload(d, big) {
  const t = {};
  d.prepare([...FILE, ...MOVED, "/big", "/flat"]);
  d.mkdir("/w");
  for (let i = 0; i < DIRS; i++) d.mkdir(`/w/d${i}`);
  let s = now();
  for (let i = 0; i < FILES; i++) {
    const fd = d.open(file(i), 1 | 8); // O_CREAT|O_TRUNC
    d.write(fd, data);
    d.close(fd);
  }
  t.create = now() - s;
  s = now();
  for (let i = 0; i < FILES; i++) d.stat(file(i));
  t.stat = now() - s;
  s = now();
  for (let i = 0; i < FILES; i++) {
    const fd = d.open(file(i), 0);
    if (d.read(fd, SIZE) !== SIZE) throw new Error("short read");
    d.close(fd);
  }
  t.read = now() - s;
  s = now();
  for (let i = 0; i < FILES; i++) d.rename(file(i), moved(i));
  t.rename = now() - s;
  d.mkdir("/flat");
  for (let i = 0; i < 2000; i++) d.close(d.open(`/flat/f${i}`, 1));
  s = now();
  const n = d.readdirCount("/flat");
  t.readdir2000 = now() - s;
  if (n < 2000) throw new Error(`readdir saw ${n}`);
  s = now();
  for (let i = 0; i < FILES; i++) d.unlink(moved(i));
  t.unlink = now() - s;
  if (!big) return t;
  const fd = d.open("/big", 1, 1); // O_CREAT, FDFLAGS_APPEND
  s = now();
  t.appendQuarters = quarters((n) => d.write(fd, chunk));
  d.close(fd);
  t.append64MiB = now() - s;
  const rfd = d.open("/big", 0);
  s = now();
  for (let n = 0; n < BIG; n += CHUNK) d.read(rfd, CHUNK);
  t.readback64MiB = now() - s;
  d.close(rfd);
  return t;
}

async function vfscopeWASI(big) {
  const vfs = await createVFS();
  const w = wasiImports(vfs, { args: ["bench"] });
  const memory = new WebAssembly.Memory({ initial: 16 });
  w.attach({ exports: { memory } });
  const t = wasiWorkload(wasiDriver(w.imports.wasi_snapshot_preview1, memory), big);
  w.close();
  vfs.dispose();
  return t;
}

function shim(big) {
  const root = new PreopenDirectory("/", new Map());
  const fds = [new OpenFile(new File([])), ConsoleStdout.lineBuffered(() => {}), ConsoleStdout.lineBuffered(() => {}), root];
  const w = new ShimWASI(["bench"], [], fds, { debug: false });
  const memory = new WebAssembly.Memory({ initial: 16 });
  w.inst = { exports: { memory } };
  return wasiWorkload(wasiDriver(w.wasiImport, memory), big);
}

async function zenfs(big) {
  await configureSingle({ backend: InMemory });
  const t = {};
  zfs.mkdirSync("/w");
  for (let d = 0; d < DIRS; d++) zfs.mkdirSync(`/w/d${d}`);
  let s = now();
  for (let i = 0; i < FILES; i++) zfs.writeFileSync(file(i), data);
  t.create = now() - s;
  s = now();
  for (let i = 0; i < FILES; i++) zfs.statSync(file(i));
  t.stat = now() - s;
  s = now();
  for (let i = 0; i < FILES; i++) zfs.readFileSync(file(i));
  t.read = now() - s;
  s = now();
  for (let i = 0; i < FILES; i++) zfs.renameSync(file(i), moved(i));
  t.rename = now() - s;
  zfs.mkdirSync("/flat");
  for (let i = 0; i < 2000; i++) zfs.writeFileSync(`/flat/f${i}`, "");
  s = now();
  zfs.readdirSync("/flat");
  t.readdir2000 = now() - s;
  s = now();
  for (let i = 0; i < FILES; i++) zfs.unlinkSync(moved(i));
  t.unlink = now() - s;
  if (!big) return t;
  // ZenFS's writeSync puts each write in the file's cache (a copy of the
  // 64 KiB) and writes the store when the file is synced or closed, so
  // the close is timed with the appends, for every system: the phase is
  // the file written.
  const fd = zfs.openSync("/big", "a");
  s = now();
  for (let n = 0; n < BIG; n += CHUNK) zfs.writeSync(fd, chunk);
  zfs.closeSync(fd);
  t.append64MiB = now() - s;
  const rfd = zfs.openSync("/big", "r");
  const buf = new Uint8Array(CHUNK);
  s = now();
  for (let n = 0; n < BIG; n += CHUNK) if (zfs.readSync(rfd, buf, 0, CHUNK, null) !== CHUNK) throw new Error("short read-back");
  t.readback64MiB = now() - s;
  zfs.closeSync(rfd);
  return t;
}

async function guestOnVfscope(mod, args) {
  const vfs = await createVFS();
  let out = "";
  const w = wasiImports(vfs, { args, stdout: (b) => (out += new TextDecoder().decode(b)) });
  const s = now();
  const code = w.start(new WebAssembly.Instance(mod, w.imports));
  const ms = now() - s;
  w.close();
  vfs.dispose();
  if (code !== 0) throw new Error(`workload on vfscope: exit ${code}\n${out}`);
  return { ms, out };
}

function guestOnShim(mod, args) {
  let out = "";
  const root = new PreopenDirectory("/", new Map([["tmp", new Directory(new Map())]]));
  const fds = [new OpenFile(new File([])), ConsoleStdout.lineBuffered((l) => (out += l + "\n")), ConsoleStdout.lineBuffered(() => {}), root];
  const sw = new ShimWASI(args, [], fds, { debug: false });
  const inst = new WebAssembly.Instance(mod, { wasi_snapshot_preview1: sw.wasiImport });
  const s = now();
  const code = sw.start(inst);
  const ms = now() - s;
  if (code !== 0) throw new Error(`workload on browser_wasi_shim: exit ${code}\n${out}`);
  return { ms, out };
}

// The guest in pairs, alternating vfscope and the shim. Its module is
// compiled once, so the first run (vfscope's) also pays for compiling the
// guest's hot code; the GUEST_PAIRS pairs after it compare warm runs.
async function guestRuns(bytes) {
  const mod = await WebAssembly.compile(bytes);
  const args = ["workload", "-dirs", String(DIRS), "-files", String(FILES / DIRS), "-size", String(SIZE)];
  const runs = [];
  for (let i = 0; i < 1 + GUEST_PAIRS; i++) runs.push({ v: await guestOnVfscope(mod, args), s: guestOnShim(mod, args) });
  return runs;
}

function row(name, t) {
  return name.padEnd(22) + phases.map((p) => (t[p] === undefined ? "-" : Math.round(counts[p] / (t[p] / 1000)).toLocaleString("en-US")).padStart(14)).join("");
}

// table prints the ops/s of results and the ratios ratio(ours, peer,
// phase) gives (by default, of results' own times).
function table(log, title, results, ratio = (a, b, p) => (results[a][p] && results[b][p] ? results[b][p] / results[a][p] : undefined)) {
  log(`\n${title}`);
  log(`ops/s (files: ${FILES} of ${SIZE} B in ${DIRS} dirs; readdir: listings/s of 2000 entries; append/readback: 64 KiB ops/s)`);
  log("".padEnd(22) + phases.map((p) => p.padStart(14)).join(""));
  for (const [k, t] of Object.entries(results)) log(row(k, t));
  log("ratios (time of the peer / time of vfscope; > 1 means vfscope is faster)");
  for (const [peer, pk] of [["browser_wasi_shim", "browser_wasi_shim"], ["ZenFS", "ZenFS InMemory"]]) {
    for (const ours of ["vfscope API", "vfscope API batched", "vfscope WASI imports"]) {
      log(`${ours} vs ${peer}`.padEnd(40) + phases.map((p) => (ratio(ours, pk, p)?.toFixed(2) ?? "-").padStart(14)).join(""));
    }
  }
}

// pairedRatio is the median over passes of the peer's time over ours in
// the same pass: the machine's speed drifts over a run, and both sides
// of a pass ran within a second or two of each other.
function pairedRatio(passes) {
  return (ours, peer, p) => median(passes.map((x) => (x[ours][p] && x[peer][p] ? x[peer][p] / x[ours][p] : undefined)));
}

// pass runs every system through the workload once; big adds the 64 MiB
// phases, bigShim for the shim too (its appends are quadratic: half a
// minute for 64 MiB, so one measurement of them is enough).
async function pass(big, bigShim = big) {
  return {
    "vfscope API": await vfscopeAPI(big),
    "vfscope API batched": await vfscopeBatched(),
    "vfscope WASI imports": await vfscopeWASI(big),
    "browser_wasi_shim": shim(bigShim),
    "ZenFS InMemory": await zenfs(big),
  };
}

// median of the numbers in xs (undefined entries skipped).
function median(xs) {
  const v = xs.filter((x) => x !== undefined).sort((a, b) => a - b);
  if (v.length === 0) return undefined;
  const m = v.length >> 1;
  return v.length % 2 ? v[m] : (v[m - 1] + v[m]) / 2;
}

// medianOf gives, for each system and phase, the median time over passes.
function medianOf(passes) {
  const out = {};
  for (const sys of Object.keys(passes[0])) {
    out[sys] = {};
    for (const ph of phases) out[sys][ph] = median(passes.map((p) => p[sys][ph]));
  }
  return out;
}

// WARM_PASSES is how many warm passes the medians are over: a phase of
// 2,000 operations lasts 5 to 50 ms, so one collection of Go's or V8's
// heap moves a single pass's ratio by a third, and the speed of the
// (virtual) machine drifts by as much between passes.
const WARM_PASSES = 7;
// GUEST_PAIRS is how many warm vfscope/shim pairs of the Go guest run.
const GUEST_PAIRS = 12;

// verdicts prints the targets against the warm medians: every
// workload at least as fast as browser_wasi_shim (stat at least half as
// fast) and at least 10x ZenFS, for the API one call per crossing and
// for the WASI imports; the guest's whole run no slower than on the shim.
function verdicts(log, ratio, guestRatio, passes) {
  log(`\ntargets (ratio = time of the peer / time of vfscope, median over ${WARM_PASSES} warm passes of each pass's ratio)`);
  for (const ours of ["vfscope API", "vfscope WASI imports"]) {
    for (const [peer, pk, need] of [
      ["browser_wasi_shim", "browser_wasi_shim", (p) => (p === "stat" ? 0.5 : 1)],
      ["ZenFS", "ZenFS InMemory", () => 10],
    ]) {
      const fails = [];
      const holds = [];
      for (const p of phases) {
        const x = ratio(ours, pk, p);
        if (x === undefined) continue;
        (x >= need(p) ? holds : fails).push(`${p} ${x.toFixed(2)}`);
      }
      log(`target ${ours} vs ${peer} (each phase >= ${peer === "ZenFS" ? "10" : "1, stat >= 0.5"}): ${fails.length ? "FAILS " + fails.join(", ") + "; holds " : "HOLDS "}${holds.join(", ")}`);
      // A failing phase's passes one by one, to tell a slow side from
      // a pass that went wrong.
      for (const f of fails) {
        const p = f.split(" ")[0];
        const ms = (sys) => passes.map((x) => (x[sys][p] === undefined ? "-" : x[sys][p].toFixed(1))).join(" ");
        log(`  ${p} by pass: ratio ${passes.map((x) => (x[ours][p] && x[pk][p] ? (x[pk][p] / x[ours][p]).toFixed(2) : "-")).join(" ")}; ${ours} ms ${ms(ours)}; ${peer} ms ${ms(pk)}`);
      }
    }
  }
  // Appends linear in file size: the last 16 MiB of the 64 MiB append
  // take no more than 1.5 times the first 16 MiB (median over the warm
  // passes; quadratic appends would take 7 times).
  for (const ours of ["vfscope API", "vfscope WASI imports"]) {
    const r = median(passes.map((x) => (x[ours].appendQuarters ? x[ours].appendQuarters[3] / x[ours].appendQuarters[0] : undefined)));
    if (r !== undefined) log(`target ${ours} appends linear in file size (last 16 MiB / first 16 MiB of the 64 MiB append <= 1.5): ${r <= 1.5 ? "HOLDS" : "FAILS"} (${r.toFixed(2)})`);
  }
  if (guestRatio !== undefined) log(`target Go guest's whole run no slower than on browser_wasi_shim: ${guestRatio >= 1 ? "HOLDS" : "FAILS"} (${guestRatio.toFixed(2)}, median of ${GUEST_PAIRS} warm pairs)`);
}

/** Runs everything, printing with log; workload is the Go guest's bytes (optional). */
export async function main(log, workload) {
  table(log, "first pass, cold (includes V8 compiling and optimising the code it runs)", await pass(false));
  const warm = [];
  for (let i = 0; i < WARM_PASSES; i++) warm.push(await pass(true, i === 0));
  const med = medianOf(warm);
  const ratio = pairedRatio(warm);
  table(log, `warm, median of ${WARM_PASSES} passes (the shim's 64 MiB phases: one pass); ratios: median of each pass's`, med, ratio);
  let guestRatio;
  if (workload) {
    const runs = await guestRuns(workload);
    log(`\nGo workload guest (${FILES} files), whole run in ms, alternating vfscope and browser_wasi_shim:`);
    log(`  first pair (vfscope first: also compiles the guest): vfscope ${runs[0].v.ms.toFixed(1)}, browser_wasi_shim ${runs[0].s.ms.toFixed(1)}`);
    const warmRuns = runs.slice(1);
    const v = median(warmRuns.map((x) => x.v.ms));
    const s = median(warmRuns.map((x) => x.s.ms));
    guestRatio = median(warmRuns.map((x) => x.s.ms / x.v.ms));
    log(`  warm pairs (${warmRuns.length}): vfscope median ${v.toFixed(1)}, browser_wasi_shim median ${s.toFixed(1)}; median ratio ${guestRatio.toFixed(2)} (each: ${warmRuns.map((x) => (x.s.ms / x.v.ms).toFixed(2)).join(" ")})`);
    const last = runs[runs.length - 1];
    log("vfscope (last run):\n" + last.v.out + "browser_wasi_shim (last run):\n" + last.s.out);
  }
  verdicts(log, ratio, guestRatio, warm);
}

const isNodeMain = typeof process !== "undefined" && process.argv?.[1] && import.meta.url === (await import("node:url")).pathToFileURL(process.argv[1]).href;
if (isNodeMain) {
  const { readFile } = await import("node:fs/promises");
  const wl = process.argv[2];
  await main(console.log, wl ? await readFile(wl) : undefined);
  process.exit(0);
}
