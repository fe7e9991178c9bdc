// User code that runs while a call's arguments are encoded (a getter, an
// overridden method of a Uint8Array subclass) must not be able to start
// another call in the middle: that would overwrite the request being
// written. readInto's buffer is checked and measured when the call is
// made, without running its own length getter; any other nested call is
// a clear Error, and the VFS goes on.
import { test } from "node:test";
import assert from "node:assert/strict";
import { createVFS } from "../dist/index.js";

const vfs = await createVFS();
vfs.writeFile("/tmp/f", "hello");
let nested = 0;
const meddle = () => {
  nested++;
  vfs.mkdir(`/tmp/nested${nested}`);
};
class EvilBuffer extends Uint8Array {
  get length() {
    meddle();
    return super.length;
  }
  set(...a) {
    meddle();
    return super.set(...a);
  }
}
class EvilPath extends Uint8Array {
  get length() {
    meddle();
    return super.length;
  }
}

const cases = [
  // [name, call, want: the value, or a function checking the error]
  ["readInto of a Uint8Array subclass reads without its getters", (v, fd) => v.readInto(fd, new EvilBuffer(5)), 5],
  ["preadInto of a Uint8Array subclass reads without its getters", (v, fd) => v.preadInto(fd, new EvilBuffer(5), 0), 5],
  ["batch readInto of a Uint8Array subclass", (v, fd) => v.batch().readInto(fd, new EvilBuffer(5)).runOrThrow()[0], 5],
  ["readInto of null", (v, fd) => v.readInto(fd, null), (e) => e instanceof TypeError],
  ["batch readInto of null throws when queued", (v, fd) => v.batch().readInto(fd, null), (e) => e instanceof TypeError],
  ["preadInto of an array", (v, fd) => v.preadInto(fd, [0, 0], 0), (e) => e instanceof TypeError],
  ["a call from a path's getter", (v) => v.stat(new EvilPath(new TextEncoder().encode("/tmp/f"))), (e) => e instanceof Error && /while another call's arguments were being encoded/.test(e.message)],
  ["a call from a path's getter, in a batch", (v) => v.batch().stat(new EvilPath(new TextEncoder().encode("/tmp/f"))).run(), (e) => e instanceof Error && /while another call's arguments were being encoded/.test(e.message)],
];

for (const [name, call, want] of cases) {
  test(name, () => {
    const fd = vfs.open("/tmp/f", "r");
    const before = vfs.readdir("/tmp").sort();
    if (typeof want === "function") assert.throws(() => call(vfs, fd), want);
    else assert.equal(call(vfs, fd), want);
    vfs.close(fd);
    // Nothing was made by a nested call, and the VFS goes on.
    assert.deepEqual(vfs.readdir("/tmp").sort(), before);
    assert.equal(vfs.stat("/tmp/f").size, 5);
  });
}
