// Batches (many calls, one crossing) and shell sessions.
import { test } from "node:test";
import assert from "node:assert/strict";
import { createVFS, VFSError, RENAME_NOREPLACE } from "../dist/index.js";

const vfs = await createVFS();

test("a batch runs every call in one crossing, failures in place", () => {
  const rt = vfs.runtime;
  const before = rt.crossings;
  const res = vfs
    .batch()
    .mkdir("/tmp/b")
    .writeFile("/tmp/b/f", "data")
    .mkdir("/tmp/b")
    .stat("/tmp/b/f")
    .rename("/tmp/b/f", "/tmp/b/f", RENAME_NOREPLACE)
    .readFile("/tmp/b/f")
    .readdir("/tmp/b")
    .open("/tmp/b/nope")
    .run();
  assert.equal(rt.crossings - before, 1, "one crossing");
  assert.deepEqual(res.map((r) => r.ok), [true, true, false, true, false, true, true, false]);
  assert.equal(res[2].error.code, "EEXIST");
  assert.ok(res[2].error instanceof VFSError);
  assert.equal(res[3].value.size, 4);
  assert.equal(res[4].error.code, "EEXIST");
  assert.equal(new TextDecoder().decode(res[5].value), "data");
  assert.deepEqual(res[6].value, ["f"]);
  assert.equal(res[7].error.code, "ENOENT");
  assert.equal(res[7].error.path, "/tmp/b/nope");
});

// A bad argument throws and runs nothing; the batch keeps its good calls
// (web/README.md, "Batches").
for (const [name, bad, cls, atCall] of [
  ["a path that is a number, found by run()", (b) => b.stat(123), TypeError, false],
  ["a lone surrogate, found by run()", (b) => b.mkdir("/tmp/bad\ud800"), TypeError, false],
  ["a mode past 2^32, thrown by the call", (b) => b.chmod("/tmp", 2 ** 32), RangeError, true],
]) {
  test(`a batch with ${name} keeps its good calls`, () => {
    const d = `/tmp/keep-${name.replace(/\W+/g, "-")}`;
    const b = vfs.batch().mkdir(d);
    if (atCall) assert.throws(() => bad(b), cls);
    else bad(b);
    b.mkdir(`${d}/sub`);
    if (!atCall) {
      assert.equal(b.length, 3);
      assert.throws(() => b.run(), cls);
      assert.throws(() => vfs.stat(d), { code: "ENOENT" }, "nothing ran");
    }
    assert.equal(b.length, 2, "the good calls stay queued");
    assert.deepEqual(b.run().map((r) => r.ok), [true, true]);
    assert.equal(vfs.stat(`${d}/sub`).isDirectory(), true);
  });
}

test("a batch of a thousand creates, then a thousand stats", () => {
  const b = vfs.batch();
  b.mkdir("/tmp/many");
  for (let i = 0; i < 1000; i++) b.writeFile(`/tmp/many/f${i}`, `${i}`);
  assert.equal(b.length, 1001);
  assert.ok(b.run().every((r) => r.ok));
  assert.equal(b.length, 0, "run empties the batch");
  for (let i = 0; i < 1000; i++) b.stat(`/tmp/many/f${i}`);
  const sizes = b.runOrThrow().map((st) => st.size);
  assert.equal(sizes[999], 3);
  assert.equal(vfs.readdir("/tmp/many").length, 1000);
});

test("runOrThrow throws the first failure", () => {
  assert.throws(() => vfs.batch().stat("/").stat("/nope").runOrThrow(), (e) => e.code === "ENOENT");
});

test("a descriptor opened in a batch is used by the next batch", () => {
  const [fd] = vfs.batch().open("/tmp/b/f", "r+").runOrThrow();
  const [n, data] = vfs.batch().pwrite(fd, "DA", 0).pread(fd, 4, 0).close(fd).runOrThrow();
  assert.equal(n, 2);
  assert.equal(new TextDecoder().decode(data), "DAta");
});

test("shell: commands, output, status, state kept between lines", () => {
  const sh = vfs.shell();
  let r = sh.run("mkdir -p /tmp/s/d && cd /tmp/s && echo hi > d/f && cat d/f");
  assert.deepEqual(r, { stdout: "hi\n", stderr: "", status: 0, exited: false });
  assert.equal(sh.prompt, "vfscope:/tmp/s# ");
  r = sh.run("ls d");
  assert.equal(r.stdout, "f\n");
  r = sh.run("cat nope");
  assert.equal(r.status, 1);
  assert.equal(r.stderr, "cat: nope: No such file or directory\n");
  r = sh.run("echo $?");
  assert.equal(r.stdout, "1\n");
  r = sh.run("cat > from-stdin", { stdin: "typed\n" });
  assert.equal(r.status, 0);
  assert.equal(vfs.readFile("/tmp/s/from-stdin", "utf8"), "typed\n");
  r = sh.run("exit 3");
  assert.equal(r.exited, true);
  assert.equal(r.status, 3);
  r = sh.run("echo after");
  assert.equal(r.stdout, "", "an exited shell runs nothing");
  sh.close();
  assert.throws(() => sh.run("true"), /closed/);
});

test("shell: two sessions have their own working directories", () => {
  const a = vfs.shell();
  const b = vfs.shell();
  a.run("cd /tmp");
  assert.equal(a.run("pwd").stdout, "/tmp\n");
  assert.equal(b.run("pwd").stdout, "/\n");
  assert.equal(vfs.getcwd(), "/", "the API's task is not moved");
  a.close();
  b.close();
});

test("shell: split parses a line as run would, with the shell's working directory", () => {
  const sh = vfs.shell();
  sh.run("mkdir -p /tmp/split && cd /tmp/split && false");
  const cases = [
    [`busybox echo "hello world" 'a  b' $? > out`, {
      commands: [{ args: ["busybox", "echo", "hello world", "a  b", "1"], redirects: [{ fd: 1, op: ">", target: "out" }] }],
      error: "", cwd: "/tmp/split",
    }],
    [`x.wasm >>"o f" 2>&1 < in`, {
      commands: [{ args: ["x.wasm"], redirects: [
        { fd: 1, op: ">>", target: "o f" }, { fd: 2, op: ">&", target: "1" }, { fd: 0, op: "<", target: "in" }] }],
      error: "", cwd: "/tmp/split",
    }],
    ["a && b | c", { commands: [{ args: ["a"], redirects: [] }, { args: ["b"], redirects: [] }, { args: ["c"], redirects: [] }], error: "", cwd: "/tmp/split" }],
    [`echo "open`, { commands: [], error: "incomplete command", cwd: "/tmp/split" }],
  ];
  for (const [line, want] of cases) assert.deepEqual(sh.split(line), want, line);
  assert.equal(sh.run("pwd").stdout, "/tmp/split\n", "split runs nothing");
  sh.close();
  assert.throws(() => sh.split("ls"), /closed/);
});

test("shell: what it changes is what the API sees, and /proc", () => {
  const sh = vfs.shell();
  sh.run("mkdir /tmp/seen; ln -s seen /tmp/seen-link; mount -t tmpfs -o size=2m none /tmp/seen");
  assert.equal(vfs.readlink("/tmp/seen-link"), "seen");
  assert.match(vfs.readFile("/proc/mounts", "utf8"), /none \/tmp\/seen tmpfs/);
  assert.match(sh.run("cat /proc/mounts").stdout, /none \/tmp\/seen tmpfs/);
  sh.close();
});

test("preadInto in a batch fills each buffer in one crossing", () => {
  vfs.writeFile("/tmp/into", "0123456789");
  const fd = vfs.open("/tmp/into");
  const bufs = [new Uint8Array(4), new Uint8Array(4), new Uint8Array(4)];
  const b = vfs.batch();
  bufs.forEach((buf, i) => b.preadInto(fd, buf, i * 4));
  assert.deepEqual(b.runOrThrow(), [4, 4, 2]);
  assert.deepEqual(bufs.map((x) => new TextDecoder().decode(x)), ["0123", "4567", "89\0\0"]);
  vfs.close(fd);
});

// Each batch call takes the options its VFS call takes and gives the
// value it gives: the VFS call is the oracle.
test("a batch call takes the VFS call's options and gives its value", async () => {
  const v = await createVFS();
  v.writeFile("/tmp/f", "hi");
  v.symlink("tgt", "/tmp/l");
  const calls = [
    // [name, the call on a VFS or a batch (x)]
    ["readFile utf8", (x) => x.readFile("/tmp/f", "utf8")],
    ["readFile {encoding: hex}", (x) => x.readFile("/tmp/f", { encoding: "hex" })],
    ["readlink buffer", (x) => x.readlink("/tmp/l", "buffer")],
    ["readlink base64", (x) => x.readlink("/tmp/l", { encoding: "base64" })],
    ["readdir", (x) => x.readdir("/tmp")],
    ["readdir buffer", (x) => x.readdir("/tmp", { encoding: "buffer" })],
    ["readdir latin1", (x) => x.readdir("/tmp", "latin1")],
    ["exists", (x) => x.exists("/tmp/f")],
    ["exists of a missing file", (x) => x.exists("/tmp/nope")],
    ["mkdir {mode}", (x) => x.mkdir(`/tmp/m${x === v ? 1 : 2}`, { mode: 0o700 })],
    ["appendFile", (x) => x.appendFile(`/tmp/a${x === v ? 1 : 2}`, "ab", "latin1")],
  ];
  for (const [name, call] of calls) {
    const want = call(v);
    const [got] = call(v.batch()).runOrThrow();
    assert.deepEqual(got, want, name);
  }
  assert.equal(v.stat("/tmp/m2").mode & 0o777, 0o700);
  assert.equal(v.readFile("/tmp/a2", "utf8"), "ab");
  // Options a VFS call refuses, a batch call refuses too, queueing nothing.
  for (const [name, call] of [
    ["stat bigint", (x) => x.stat("/tmp/f", { bigint: true })],
    ["lstat throwIfNoEntry false", (x) => x.lstat("/tmp/nope", { throwIfNoEntry: false })],
    ["rmdir recursive", (x) => x.rmdir("/tmp/m1", { recursive: true })],
    ["mkdir recursive", (x) => x.mkdir("/tmp/r/s", { recursive: true })],
    ["readFile flag w", (x) => x.readFile("/tmp/f", { flag: "w" })],
    ["readFile buffer", (x) => x.readFile("/tmp/f", "buffer")],
  ]) {
    assert.throws(() => call(v), TypeError, name);
    const b = v.batch();
    assert.throws(() => call(b), TypeError, `${name}, in a batch`);
    assert.equal(b.length, 0, name);
  }
  v.dispose();
});

// A readInto whose buffer is detached or shrunk before run() fails with
// EFAULT (read(2) into memory that cannot be written), and the batch's
// other results, before and after it, are all there.
test("a batch readInto whose buffer went away fails with EFAULT, and no other result is lost", async () => {
  const v = await createVFS();
  v.writeFile("/tmp/f", "hello world");
  const cases = [
    // [name, the buffer, what to do to it after queueing]
    ["detached", () => new Uint8Array(new ArrayBuffer(4)), (buf) => structuredClone(buf.buffer, { transfer: [buf.buffer] })],
    ["shrunk", () => new Uint8Array(new ArrayBuffer(4, { maxByteLength: 64 })), (buf) => buf.buffer.resize(2)],
  ];
  for (const [name, make, spoil] of cases) {
    const buf = make();
    const fd = v.open("/tmp/f");
    const b = v.batch().open("/tmp/f").readInto(fd, buf).preadInto(fd, buf, 0).open("/tmp/f").read(fd, 3);
    spoil(buf);
    const res = b.run();
    assert.deepEqual(res.map((r) => r.ok), [true, false, false, true, true], name);
    for (const r of res.slice(1, 3)) {
      assert.ok(r.error instanceof VFSError, name);
      assert.equal(r.error.code, "EFAULT", name);
    }
    assert.equal(res[1].error.syscall, "read");
    assert.equal(res[2].error.syscall, "pread");
    assert.equal(new TextDecoder().decode(res[4].value), "o w", `${name}: the read after went on from where the failed one left`);
    for (const d of [fd, res[0].value, res[3].value]) v.close(d);
  }
  v.dispose();
});
