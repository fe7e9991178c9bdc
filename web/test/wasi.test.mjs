// The busybox guest (guests/busybox, GOOS=wasip1) under Node through
// wasiImports: its output, exit codes, and the files it leaves in the VFS.
import assert from "node:assert/strict";
import { BridgeError, createVFS, wasiImports, WASIExit } from "../dist/index.js";
import { mod, test } from "./busybox.mjs";

const vfs = await createVFS();

function busybox(args, opts = {}) {
  const w = wasiImports(vfs, { args: ["busybox", ...args], ...opts });
  const inst = new WebAssembly.Instance(mod, w.imports);
  const code = w.start(inst);
  w.close();
  return { code, stdout: w.stdout, stderr: w.stderr, exitCode: w.exitCode };
}

const steps = [
  // [args, code, stdout (string or RegExp), stderr]
  [["mkdir", "-p", "/tmp/bb/a/b"], 0, "", ""],
  [["echo", "hello", "guest"], 0, "hello guest\n", ""],
  [["cp", "/proc/mounts", "/tmp/bb/a/b/mounts"], 0, "", ""],
  [["ln", "-s", "b/mounts", "/tmp/bb/a/link"], 0, "", ""],
  [["cat", "/tmp/bb/a/link"], 0, /^none \/ tmpfs rw/, ""],
  [["touch", "/tmp/bb/t1", "/tmp/bb/t2"], 0, "", ""],
  [["mv", "/tmp/bb/t1", "/tmp/bb/a/moved"], 0, "", ""],
  [["rm", "/tmp/bb/t2"], 0, "", ""],
  [["ls", "/tmp/bb/a"], 0, "b\nlink\nmoved\n", ""],
  [["mkdir", "/tmp/bb/a"], 1, "", "mkdir: cannot create directory '/tmp/bb/a': File exists\n"],
  [["cat", "/tmp/bb/nope"], 1, "", "cat: /tmp/bb/nope: No such file or directory\n"],
  [["rm", "/tmp/bb/a"], 1, "", "rm: cannot remove '/tmp/bb/a': Is a directory\n"],
  [["nope"], 127, "", "busybox: applet not found: nope\n"],
];

for (const [args, code, stdout, stderr] of steps) {
  test(`busybox ${args.join(" ")} -> ${code}`, () => {
    const r = busybox(args);
    assert.equal(r.code, code, r.stderr);
    if (stdout instanceof RegExp) assert.match(r.stdout, stdout);
    else assert.equal(r.stdout, stdout);
    assert.equal(r.stderr, stderr);
  });
}

test("the files busybox left are in the VFS", () => {
  assert.deepEqual(vfs.readdir("/tmp/bb/a").sort(), ["b", "link", "moved"]);
  assert.equal(vfs.readlink("/tmp/bb/a/link"), "b/mounts");
  assert.equal(vfs.readFile("/tmp/bb/a/b/mounts", "utf8"), vfs.readFile("/proc/mounts", "utf8"));
  assert.ok(vfs.stat("/tmp/bb/a/moved").isFile());
  assert.equal(vfs.exists("/tmp/bb/t1"), false);
  assert.equal(vfs.exists("/tmp/bb/t2"), false);
});

test("a guest chrooted to a directory, reading stdin, with callbacks for output", () => {
  vfs.mkdir("/tmp/jail");
  vfs.writeFile("/tmp/jail/inside", "in the jail\n");
  const chunks = [];
  const w = wasiImports(vfs, {
    args: ["busybox", "cat", "/inside", "-"],
    root: "/tmp/jail",
    stdin: "from stdin\n",
    stdout: (d) => chunks.push(new TextDecoder().decode(d)),
  });
  const code = w.start(new WebAssembly.Instance(mod, w.imports));
  w.close();
  assert.equal(code, 0, w.stderr);
  assert.equal(chunks.join(""), "in the jail\nfrom stdin\n");
  const w2 = wasiImports(vfs, { args: ["busybox", "ls", "/"], root: "/tmp/jail" });
  assert.equal(w2.start(new WebAssembly.Instance(mod, w2.imports)), 0);
  assert.equal(w2.stdout, "inside\n", "the guest sees only its root");
  w2.close();
});

test("big files: 8 MiB through dd, one copy each way", () => {
  const big = new Uint8Array(8 << 20);
  for (let i = 0; i < big.length; i += 4096) big[i] = (i / 4096) & 0xff;
  vfs.writeFile("/tmp/bb/big", big);
  const r = busybox(["cp", "/tmp/bb/big", "/tmp/bb/big2"]);
  assert.equal(r.code, 0, r.stderr);
  const back = vfs.readFile("/tmp/bb/big2");
  assert.equal(back.length, big.length);
  for (let i = 0; i < big.length; i += 4096) assert.equal(back[i], big[i]);
});

test("proc_exit unwinds the guest as WASIExit and start returns the code", () => {
  const w = wasiImports(vfs, { args: ["busybox", "cat", "/nope"] });
  const inst = new WebAssembly.Instance(mod, w.imports);
  assert.equal(w.start(inst), 1);
  assert.equal(w.exitCode, 1);
  assert.throws(() => w.imports.wasi_snapshot_preview1.proc_exit(2), WASIExit);
  w.close();
});

test("the import object is the whole preview1 set", () => {
  const w = wasiImports(vfs);
  const names = Object.keys(w.imports.wasi_snapshot_preview1);
  for (const n of ["fd_read", "fd_write", "path_open", "path_rename", "proc_exit", "poll_oneoff", "random_get"]) {
    assert.ok(names.includes(n), n);
  }
  assert.equal(names.length, 46);
  w.close();
});

test("poll_oneoff with a clock waits inside the call (no timer can fire there)", () => {
  const w = wasiImports(vfs);
  const memory = new WebAssembly.Memory({ initial: 1 });
  w.attach({ exports: { memory } });
  const m = new DataView(memory.buffer);
  // One subscription at 0: userdata 5, tag clock, monotonic, 30 ms relative.
  m.setBigUint64(0, 5n, true);
  m.setUint8(8, 0);
  m.setUint32(16, 1, true);
  m.setBigUint64(24, 30_000_000n, true);
  m.setBigUint64(32, 0n, true);
  m.setUint16(40, 0, true);
  const t0 = performance.now();
  assert.equal(w.imports.wasi_snapshot_preview1.poll_oneoff(0, 1024, 1, 2048), 0);
  assert.ok(performance.now() - t0 >= 29, `waited ${performance.now() - t0} ms`);
  assert.equal(m.getUint32(2048, true), 1, "one event");
  assert.equal(m.getBigUint64(1024, true), 5n, "the clock's userdata");
  w.close();
});

// A guest whose memory is a bare WebAssembly.Memory, for calling the
// imports from JavaScript.
function bareGuest(opts = {}) {
  const w = wasiImports(vfs, opts);
  const memory = new WebAssembly.Memory({ initial: 1 });
  w.attach({ exports: { memory } });
  return { w, wasi: w.imports.wasi_snapshot_preview1, m: new DataView(memory.buffer), u8: new Uint8Array(memory.buffer) };
}

test("every import reaches its Go function with its signature's parameters", () => {
  const { w, wasi } = bareGuest();
  const funcs = vfs.runtime.wasiFuncs();
  for (const f of funcs) {
    if (f.noReturn) continue;
    // A bad descriptor first (or a null path for path_symlink), zeros
    // after; an i64 as a BigInt, as a guest passes it.
    const args = f.params.map((t, i) => (t === 1 ? 0n : i === 0 ? 99 : 0));
    const errno = wasi[f.name](...args);
    assert.ok(Number.isInteger(errno) && errno >= 0 && errno <= 76, `${f.name}: ${errno}`);
    // fd_filestat_set_times with no fst_flags succeeds before it looks
    // at the descriptor, as futimens(fd, UTIME_OMIT, UTIME_OMIT) does.
    if (f.name.startsWith("fd_") && !["fd_prestat_get", "fd_prestat_dir_name", "fd_filestat_set_times"].includes(f.name) && f.params.length > 0) {
      assert.equal(errno, 8, `${f.name}(99, ...) is EBADF`);
    }
  }
  assert.throws(() => wasi.proc_exit(4), (e) => e instanceof WASIExit && e.code === 4);
  assert.equal(w.exitCode, 4);
  w.close();
});

// preopens: absent gives the guest "/" as fd 3; an empty list gives it
// none (node's WASI with no preopens, wasmtime without --dir), so
// fd_prestat_get(3) is EBADF (8) and it can open no path.
for (const [name, opts, fd3, fd4] of [
  ["absent: the root", {}, 0, 8],
  ["empty: none", { preopens: [] }, 8, 8],
  ["two", { preopens: ["/", "/tmp"] }, 0, 0],
]) {
  test(`preopens ${name}`, () => {
    const { w, wasi } = bareGuest(opts);
    assert.equal(wasi.fd_prestat_get(3, 64), fd3, "fd 3");
    assert.equal(wasi.fd_prestat_get(4, 64), fd4, "fd 4");
    w.close();
  });
}

test("an i64 parameter may be a number when JavaScript calls an import", () => {
  const { w, wasi, m, u8 } = bareGuest({ preopens: ["/tmp"] });
  u8.set(new TextEncoder().encode("i64"), 0);
  assert.equal(wasi.path_open(3, 0, 0, 3, 1, 0x1fffffffn, 0x1fffffff, 0, 16), 0);
  const fd = m.getUint32(16, true);
  assert.equal(wasi.fd_seek(fd, 7, 0, 32), 0);
  assert.equal(m.getBigUint64(32, true), 7n);
  assert.equal(wasi.fd_seek(fd, -2n, 1, 32), 0);
  assert.equal(m.getBigUint64(32, true), 5n);
  assert.equal(wasi.fd_close(fd), 0);
  assert.equal(wasi.path_unlink_file(3, 0, 3), 0);
  w.close();
});

test("output reaches the callbacks before the write returns", () => {
  const got = [];
  const { w, wasi, m, u8 } = bareGuest({ stdout: (b) => got.push(["out", new TextDecoder().decode(b)]), stderr: (b) => got.push(["err", new TextDecoder().decode(b)]) });
  u8.set(new TextEncoder().encode("hi\n"), 100);
  m.setUint32(0, 100, true);
  m.setUint32(4, 3, true);
  assert.equal(wasi.fd_write(1, 0, 1, 8), 0);
  assert.deepEqual(got, [["out", "hi\n"]]);
  assert.equal(wasi.fd_write(2, 0, 1, 8), 0);
  assert.equal(m.getUint32(8, true), 3);
  assert.deepEqual(got, [["out", "hi\n"], ["err", "hi\n"]]);
  assert.equal(wasi.fd_write(1, 1 << 20, 1, 8), 21, "EFAULT, and no output");
  assert.equal(got.length, 2);
  w.close();
});

test("a call of a closed guest's import says the guest is closed (no bug of the bridge's)", () => {
  const { w, wasi } = bareGuest();
  w.close();
  assert.throws(() => wasi.fd_close(3), (e) => !(e instanceof BridgeError) && /this WASI guest is closed/.test(e.message));
  // The bridge still works.
  assert.equal(vfs.getcwd(), "/");
});

// The exchange block (wasm/bridge/guestmem.go): the imports stage what a
// call reads and apply what it queued; the guest must see its memory as
// if every access had crossed.
test("staged reads and queued writes: grown memory, many and large iovecs, overlapping results", () => {
  const w = wasiImports(vfs, { preopens: ["/tmp"] });
  const memory = new WebAssembly.Memory({ initial: 1, maximum: 64 });
  w.attach({ exports: { memory } });
  const wasi = w.imports.wasi_snapshot_preview1;
  const enc = new TextEncoder();
  const put = (at, s) => (new Uint8Array(memory.buffer).set(enc.encode(s), at), s.length);
  const dv = () => new DataView(memory.buffer);
  const ALL = 0x1fffffffn;
  // A grown memory detaches the views the imports hold.
  memory.grow(5);
  const end = memory.buffer.byteLength;
  const P = 70000;
  assert.equal(wasi.path_open(3, 0, P, put(P, "xchg"), 1 | 8, ALL, ALL, 0, P + 100), 0);
  const fd = dv().getUint32(P + 100, true);
  // Three iovecs: 5 bytes, 20 KiB (staged), 100 KiB (too large to stage).
  const sizes = [5, 20 << 10, 100 << 10];
  const src = [80000, 90000, 120000];
  const u8 = new Uint8Array(memory.buffer);
  sizes.forEach((n, i) => {
    for (let k = 0; k < n; k++) u8[src[i] + k] = (k * 7 + i) & 0xff;
  });
  const IOV = 75000;
  const iov = (bufs) => bufs.forEach(([p, n], i) => (dv().setUint32(IOV + 8 * i, p, true), dv().setUint32(IOV + 8 * i + 4, n, true)));
  iov(sizes.map((n, i) => [src[i], n]));
  assert.equal(wasi.fd_write(fd, IOV, 3, IOV + 64), 0);
  const total = sizes.reduce((a, b) => a + b);
  assert.equal(dv().getUint32(IOV + 64, true), total);
  // Read it back into other buffers, the count written over the iovec
  // array it read.
  const dst = [230000, 240000, 270000];
  iov(sizes.map((n, i) => [dst[i], n]));
  assert.equal(wasi.fd_pread(fd, IOV, 3, 0n, IOV), 0);
  assert.equal(dv().getUint32(IOV, true), total);
  const m8 = new Uint8Array(memory.buffer);
  sizes.forEach((n, i) => assert.deepEqual(m8.subarray(dst[i], dst[i] + n), m8.subarray(src[i], src[i] + n), `iovec ${i}`));
  assert.equal(wasi.fd_close(fd), 0);
  // A filestat written over its own path; then a rename of two staged
  // paths and a stat of the new name.
  const n = put(P, "xchg");
  assert.equal(wasi.path_filestat_get(3, 0, P, n, P), 0);
  assert.equal(dv().getBigUint64(P + 32, true), BigInt(total), "filestat.size");
  assert.equal(dv().getUint8(P + 16), 4, "a regular file");
  assert.equal(wasi.path_rename(3, P, put(P, "xchg"), 3, P + 200, put(P + 200, "xchg2")), 0);
  assert.equal(wasi.path_filestat_get(3, 0, P + 200, 5, P + 300), 0);
  assert.equal(dv().getBigUint64(P + 300 + 32, true), BigInt(total));
  // A path past the end of memory, and one that runs past it.
  assert.equal(wasi.path_unlink_file(3, end, 4), 21, "EFAULT");
  assert.equal(wasi.path_unlink_file(3, end - 2, 4), 21, "EFAULT");
  assert.equal(wasi.path_unlink_file(3, P + 200, 5), 0);
  w.close();
});

// More than IOV_MAX (1024) iovecs is EINVAL for reads and writes, as
// readv(2) says, whatever the iovecs hold; 1024 one-byte iovecs write
// 1024 bytes.
test("fd_write and fd_read take at most IOV_MAX iovecs", () => {
  const { w, wasi, m } = bareGuest();
  // 1025 iovecs at 0, each one byte at 16384; the result at 60000.
  for (let i = 0; i < 1025; i++) {
    m.setUint32(8 * i, 16384, true);
    m.setUint32(8 * i + 4, 1, true);
  }
  assert.equal(wasi.fd_write(1, 0, 1025, 60000), 28, "fd_write of 1025 iovecs is EINVAL");
  assert.equal(wasi.fd_read(0, 0, 1025, 60000), 28, "fd_read of 1025 iovecs is EINVAL");
  assert.equal(wasi.fd_write(2, 0, 1024, 60000), 0, "fd_write of 1024 iovecs");
  assert.equal(m.getUint32(60000, true), 1024);
  w.close();
});
