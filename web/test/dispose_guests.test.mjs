// dispose() releases what the VFS's WASI guests hold in the shared
// runtime: the slot of each guest's memory (which keeps the memory
// reachable), whether or not the guest was closed first.
import { test } from "node:test";
import assert from "node:assert/strict";
import { createVFS } from "../dist/index.js";

const attached = (vfs) => {
  const w = vfs.wasiImports();
  w.attach({ exports: { memory: new WebAssembly.Memory({ initial: 1 }) } });
  return w;
};
const cases = [
  // [name, make the guests of vfs]
  ["one attached guest", (vfs) => [attached(vfs)]],
  ["three attached guests", (vfs) => [attached(vfs), attached(vfs), attached(vfs)]],
  ["a guest attached twice", (vfs) => {
    const w = attached(vfs);
    w.attach({ exports: { memory: new WebAssembly.Memory({ initial: 1 }) } });
    return [w];
  }],
  ["a guest closed before, one not", (vfs) => {
    const a = attached(vfs);
    a.close();
    return [a, attached(vfs)];
  }],
  ["a guest never attached", (vfs) => [vfs.wasiImports()]],
];

for (const [name, make] of cases) {
  test(`dispose releases the guest memories: ${name}`, async () => {
    const other = await createVFS();
    const kept = attached(other);
    const vfs = await createVFS();
    const slots = vfs.runtime.hooks.guests;
    const before = slots.size;
    const guests = make(vfs);
    assert.ok(slots.size >= before);
    vfs.dispose();
    assert.equal(slots.size, before, "slots left after dispose");
    for (const g of guests) g.close();
    // The other VFS's guest keeps its slot.
    assert.ok([...slots.values()].length === before && before >= 1);
    kept.close();
    assert.equal(slots.size, before - 1);
    other.dispose();
  });
}
