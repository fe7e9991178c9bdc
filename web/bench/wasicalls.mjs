// What WASI calls cost through wasiImports, in Node, per kind of call:
// the per-file phases a guest makes (path_open with O_CREAT, a 4 KiB
// fd_write, fd_close, path_filestat_get, path_open read-only with a 4 KiB
// fd_read and fd_close, path_unlink_file, and a trivial call), called
// from JavaScript as a guest's imports are; then, given the Go workload
// guest (guests/workload, GOOS=wasip1), its whole run and the
// time in each WASI function.
//
//   node bench/wasicalls.mjs [workload.wasm]
//
// VFSCOPE_WASM=a.wasm,b.wasm compares builds of vfscope.wasm in one
// process, alternating them round by round (each on a runtime of its
// own), so that the machine's load weighs on both alike. Times are CPU
// time (process.cpuUsage), medians of the rounds after three warm-up
// rounds; ROUNDS sets how many.
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { createVFS, wasiImports } from "../dist/index.js";

const builds = (process.env.VFSCOPE_WASM ?? "").split(",").filter(Boolean);
const sources = builds.length ? builds.map((b) => pathToFileURL(resolve(b))) : [undefined];
const labels = builds.length ? builds : ["vfscope.wasm"];
const ROUNDS = +(process.env.ROUNDS ?? 15);
const WARM = 3;
const N = 2000;
const DIRS = 20;
const ALL = 0x1fffffffn;

const cpu = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};
const median = (a) => [...a].sort((x, y) => x - y)[a.length >> 1];

// One guest per build, its memory a bare WebAssembly.Memory: the path at
// 0, an iovec of 4 KiB at 8192 pointing at 65536, results at 8256.
async function callsGuest(wasm) {
  const vfs = await createVFS(wasm ? { wasm } : {});
  vfs.mkdir("/w");
  for (let d = 0; d < DIRS; d++) vfs.mkdir(`/w/d${d}`);
  const w = wasiImports(vfs, { args: ["bench"] });
  const memory = new WebAssembly.Memory({ initial: 4 });
  w.attach({ exports: { memory } });
  const m = new DataView(memory.buffer);
  const u8 = new Uint8Array(memory.buffer);
  u8.fill(7, 65536, 65536 + 4096);
  m.setUint32(8192, 65536, true);
  m.setUint32(8196, 4096, true);
  return { vfs, wasi: w.imports.wasi_snapshot_preview1, m, u8 };
}

const enc = new TextEncoder();
const names = Array.from({ length: N }, (_, i) => enc.encode(`w/d${i % DIRS}/f${i}`));

function check(name, errno) {
  if (errno !== 0) throw new Error(`${name}: errno ${errno}`);
}

// One round: every phase over N files; CPU ms per phase.
function callsRound({ wasi, m, u8 }) {
  const t = { path_open: 0, fd_write: 0, fd_close: 0 };
  for (let i = 0; i < N; i++) {
    const name = names[i];
    u8.set(name, 0);
    let s = cpu();
    check("path_open", wasi.path_open(3, 1, 0, name.length, 1 | 8, ALL, ALL, 0, 8256));
    let e = cpu();
    t.path_open += e - s;
    const fd = m.getUint32(8256, true);
    check("fd_write", wasi.fd_write(fd, 8192, 1, 8256));
    s = cpu();
    t.fd_write += s - e;
    check("fd_close", wasi.fd_close(fd));
    t.fd_close += cpu() - s;
  }
  let s = cpu();
  for (let i = 0; i < N; i++) {
    u8.set(names[i], 0);
    check("path_filestat_get", wasi.path_filestat_get(3, 1, 0, names[i].length, 8300));
  }
  t.path_filestat_get = cpu() - s;
  // The read phase: open read-only, read the 4 KiB into the iovec's
  // buffer, close.
  t["open (read)"] = 0;
  t.fd_read = 0;
  t["fd_close (read)"] = 0;
  for (let i = 0; i < N; i++) {
    const name = names[i];
    u8.set(name, 0);
    let s = cpu();
    check("path_open", wasi.path_open(3, 1, 0, name.length, 0, ALL, ALL, 0, 8256));
    let e = cpu();
    t["open (read)"] += e - s;
    const fd = m.getUint32(8256, true);
    check("fd_read", wasi.fd_read(fd, 8192, 1, 8256));
    s = cpu();
    t.fd_read += s - e;
    if (m.getUint32(8256, true) !== 4096) throw new Error("fd_read: short read");
    check("fd_close", wasi.fd_close(fd));
    t["fd_close (read)"] += cpu() - s;
  }
  s = cpu();
  for (let i = 0; i < N; i++) check("fd_fdstat_set_flags", wasi.fd_fdstat_set_flags(3, 0));
  t.fd_fdstat_set_flags = cpu() - s;
  s = cpu();
  for (let i = 0; i < N; i++) {
    u8.set(names[i], 0);
    check("path_unlink_file", wasi.path_unlink_file(3, 0, names[i].length));
  }
  t.path_unlink_file = cpu() - s;
  return t;
}

const guests = [];
for (const src of sources) guests.push(await callsGuest(src));
const rounds = guests.map(() => []);
for (let r = 0; r < ROUNDS; r++) {
  guests.forEach((g, k) => {
    const t = callsRound(g);
    if (r >= WARM) rounds[k].push(t);
  });
}
console.log(`WASI calls from JavaScript, µs per call (CPU, median of ${ROUNDS - WARM} rounds of ${N} files)`);
console.log("call".padEnd(22) + labels.map((l) => l.slice(-24).padStart(26)).join(""));
for (const phase of Object.keys(rounds[0][0])) {
  console.log(phase.padEnd(22) + rounds.map((rs) => ((1000 * median(rs.map((t) => t[phase]))) / N).toFixed(3).padStart(26)).join(""));
}

// The Go workload guest: its whole run, and each WASI function's share.
const workload = process.argv[2];
if (workload) {
  const mod = await WebAssembly.compile(readFileSync(workload));
  const runs = guests.map(() => []);
  const perFunc = guests.map(() => ({ counts: {}, times: {} }));
  for (let r = 0; r < Math.max(ROUNDS >> 1, WARM + 3); r++) {
    guests.forEach((g, k) => {
      const args = ["workload", "-dirs", "20", "-files", "100", "-size", "4096", "-root", `/tmp/run${r}`];
      // The last run of each build counts calls and their times (which
      // costs a clock read around each).
      const counted = r === Math.max(ROUNDS >> 1, WARM + 3) - 1;
      const w = wasiImports(g.vfs, { args, stdout: () => {} });
      if (counted) {
        const { counts, times } = perFunc[k];
        const im = w.imports.wasi_snapshot_preview1;
        for (const name of Object.keys(im)) {
          const f = im[name];
          im[name] = (...a) => {
            counts[name] = (counts[name] ?? 0) + 1;
            const s = performance.now();
            try {
              return f(...a);
            } finally {
              times[name] = (times[name] ?? 0) + performance.now() - s;
            }
          };
        }
      }
      const inst = new WebAssembly.Instance(mod, w.imports);
      const s = cpu();
      const code = w.start(inst);
      const ms = cpu() - s;
      w.close();
      if (code !== 0) throw new Error(`workload exited ${code}: ${w.stderr}`);
      if (r >= WARM && !counted) runs[k].push(ms);
    });
  }
  console.log(`\nthe Go workload guest (2,000 files), whole run: ms (CPU, median of ${runs[0].length})`);
  labels.forEach((l, k) => console.log(`  ${l}: ${median(runs[k]).toFixed(1)} ms`));
  labels.forEach((l, k) => {
    const { counts, times } = perFunc[k];
    console.log(`\n${l}: time in each WASI function (one run, wall clock)`);
    for (const name of Object.keys(counts).sort((a, b) => times[b] - times[a])) {
      const us = (1000 * times[name]) / counts[name];
      console.log(`  ${name.padEnd(24)} ${String(counts[name]).padStart(7)} calls ${times[name].toFixed(1).padStart(8)} ms ${us.toFixed(2).padStart(9)} µs/call`);
    }
  });
}
