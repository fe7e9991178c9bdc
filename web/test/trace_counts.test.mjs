// dentry.count, inode.count and inode.size through the library: every
// reference taken or dropped and every size change arrives as an event
// carrying the value after it, so a view stepping through the events
// shows the true d_count, i_count and i_size at each step.
import { test } from "node:test";
import assert from "node:assert/strict";
import { createVFS } from "../dist/index.js";

/** Runs fn with a subscriber and returns the events it caused. */
function eventsOf(vfs, fn) {
  const got = [];
  const unsubscribe = vfs.subscribe((evs) => got.push(...evs), { intervalMs: 0 });
  fn();
  vfs.flushEvents();
  unsubscribe();
  return got;
}

test("snapshots speak schema 2", async () => {
  const vfs = await createVFS();
  assert.equal(vfs.snapshot().schema, "vfscope.trace/2");
  vfs.dispose();
});

test("open and close: one dentry.count per change of d_count", async () => {
  const vfs = await createVFS();
  vfs.writeFile("/tmp/f", "x");
  const dentry = vfs.snapshot().dentries.find((d) => d.name === "f");
  assert.ok(dentry, "f in the snapshot");
  const base = dentry.count;
  let fd1, fd2;
  const steps = [
    ["open", () => { fd1 = vfs.open("/tmp/f", "a+"); }, [base + 1]],
    ["open again", () => { fd2 = vfs.open("/tmp/f", "r"); }, [base + 2]],
    ["stat (a lock-free walk takes no reference)", () => vfs.stat("/tmp/f"), []],
    ["readFile (open, read, close)", () => vfs.readFile("/tmp/f"), [base + 3, base + 2]],
    ["close the second", () => vfs.close(fd2), [base + 1]],
    ["close the first", () => vfs.close(fd1), [base]],
  ];
  for (const [name, fn, want] of steps) {
    const evs = eventsOf(vfs, fn).filter((e) => e.kind === "dentry.count" && e.dentry === dentry.id);
    assert.deepEqual(evs.map((e) => e.count ?? 0), want, name);
    for (const e of evs) assert.equal(e.name, "f", `${name}: the event names the dentry`);
  }
  assert.equal(vfs.snapshot().dentries.find((d) => d.id === dentry.id).count, base);
  vfs.dispose();
});

test("append and truncate: inode.size with each new i_size", async () => {
  const vfs = await createVFS();
  vfs.writeFile("/tmp/g", "y");
  const inode = vfs.snapshot().dentries.find((d) => d.name === "g").inode;
  const sizes = (fn) => eventsOf(vfs, fn)
    .filter((e) => e.kind === "inode.size" && e.inode === inode)
    .map((e) => e.size ?? 0);
  const fd = vfs.open("/tmp/g", "a");
  assert.deepEqual(sizes(() => vfs.write(fd, new Uint8Array(10000))), [4096, 8192, 10001], "append of 10000 bytes to 1");
  assert.deepEqual(sizes(() => vfs.pwrite(fd, "z", 0)), [10002], "O_APPEND writes at the end");
  assert.deepEqual(sizes(() => vfs.ftruncate(fd, 100)), [100]);
  assert.deepEqual(sizes(() => vfs.truncate("/tmp/g", 100)), [], "the same size: no change, no event");
  assert.deepEqual(sizes(() => vfs.truncate("/tmp/g", 0)), [0], "truncated to 0: size absent, that is 0");
  vfs.close(fd);
  vfs.dispose();
});

test("link and unlink: one inode.count per change of i_count", async () => {
  const vfs = await createVFS();
  vfs.writeFile("/tmp/h", "z");
  const inode = vfs.snapshot().dentries.find((d) => d.name === "h").inode;
  const counts = (fn) => eventsOf(vfs, fn)
    .filter((e) => e.kind === "inode.count" && e.inode === inode)
    .map((e) => e.count ?? 0);
  assert.deepEqual(counts(() => vfs.link("/tmp/h", "/tmp/h2")), [2], "a second name holds the inode");
  assert.deepEqual(counts(() => vfs.unlink("/tmp/h2")), [3, 2, 1], "unlink's own reference, then the name's and its own go");
  assert.equal(vfs.snapshot().inodes.find((i) => i.id === inode).count, 1);
  vfs.dispose();
});
