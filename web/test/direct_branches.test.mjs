// web/scripts/direct-branches.mjs: forward jumps of Go's dispatch loop
// become direct branches, backward ones keep the dispatch, and a function
// computes what it computed before; and the vfscope.wasm make builds has
// been through it.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import binaryen from "binaryen";
import { directBranches, rewrite } from "../scripts/direct-branches.mjs";

// collatz is laid out as Go lays out a function: the resume point in
// local 0, one loop, a br_table on it, and every jump a store to local 0
// and a branch to the loop. It counts the steps of n's Collatz sequence
// until n is 1, in four Go blocks:
//   0: steps = 0; jump 1
//   1: if n == 1 jump 3 (forward); if n is even jump 2 (forward); n = 3n+1; steps++; jump 1 (backward)
//   2: n /= 2; steps++; jump 1 (backward)
//   3: return steps
// plus resume points 4 and 5, which land on blocks 1 and 3 the way a
// resume after a call lands inside a Go block.
const collatz = `
(module
  (func $collatz (export "collatz") (param $0 i32) (param $n i32) (result i32)
    (local $steps i32)
    (loop $L
      (block $b3
        (block $b2
          (block $b1
            (block $b0
              (br_table $b0 $b1 $b2 $b3 $b1 $b3 $b3 (local.get $0)))
            (local.set $steps (i32.const 0))
            (local.set $0 (i32.const 1))
            (br $L))
          (if (i32.eq (local.get $n) (i32.const 1))
            (then (local.set $0 (i32.const 3)) (br $L)))
          (if (i32.eqz (i32.and (local.get $n) (i32.const 1)))
            (then (local.set $0 (i32.const 5)) (br $L)))
          (local.set $n (i32.add (i32.mul (local.get $n) (i32.const 3)) (i32.const 1)))
          (local.set $steps (i32.add (local.get $steps) (i32.const 1)))
          (local.set $0 (i32.const 4))
          (br $L))
        (if (i32.eq (local.get $n) (i32.const 1))
          (then (local.set $0 (i32.const 9)) (br $L)))
        (local.set $n (i32.shr_u (local.get $n) (i32.const 1)))
        (local.set $steps (i32.add (local.get $steps) (i32.const 1)))
        (local.set $0 (i32.const 1))
        (br $L))
      (return (local.get $steps)))
    (unreachable)))
`;
// Resume point 5 is block 3 in the table, so the "even" jump of block 1
// goes to the return, not to block 2: a wrong rewrite (to $b2, by
// position instead of by table) changes the results. Resume point 9 is
// past the table (its default, $b3): left to the dispatch.

async function run(bytes, inputs) {
  const { instance } = await WebAssembly.instantiate(bytes);
  return inputs.map((n) => instance.exports.collatz(0, n));
}

test("forward jumps become direct, backward ones and out-of-table ones keep the dispatch", async () => {
  const m = binaryen.parseText(collatz);
  const before = m.emitBinary();
  const stats = directBranches(m);
  assert.ok(m.validate());
  const text = m.emitText();
  const after = m.emitBinary();
  m.dispose();
  // Forward: block 0's jump to 1, block 1's to 3 and to 5 (both $b3).
  // Left: block 1's jump to 4 ($b1, backward), block 2's to 1
  // (backward) and to 9 (past the table).
  assert.deepEqual(stats, { functions: 1, direct: 3, dispatched: 3 });
  assert.match(text, /br \$b3/);
  const inputs = [1, 2, 3, 6, 7, 27, 97, 871];
  assert.deepEqual(await run(after, inputs), await run(before, inputs));
  assert.deepEqual(await run(before, [1, 2, 4, 3]), [0, 0, 0, 1]);
});

// chain is a module whose function "chain" is laid out as Go lays one
// out, with n blocks, each block's code counting and jumping forward to
// the next, the last returning the count: as deep as a Go function with
// n calls (one block per resume point). It is encoded byte by byte:
// binaryen's builder API takes minutes for so deep a nest.
function chain(n) {
  const leb = (v) => {
    const out = [];
    do {
      let b = v & 0x7f;
      v >>>= 7;
      if (v) b |= 0x80;
      out.push(b);
    } while (v);
    return out;
  };
  const sleb = (v) => {
    const out = [];
    for (;;) {
      const b = v & 0x7f;
      v >>= 7;
      if ((v === 0 && !(b & 0x40)) || (v === -1 && b & 0x40)) return [...out, b];
      out.push(b | 0x80);
    }
  };
  const code = [0x01, 0x01, 0x7f]; // one local: the count (local 1)
  code.push(0x03, 0x40); // loop
  for (let k = 0; k < n; k++) code.push(0x02, 0x40); // block b(n-1) ... block b0
  // br_table on local 0: resume point k to block k, the last the default.
  code.push(0x20, 0x00, 0x0e, ...leb(n));
  for (let k = 0; k < n; k++) code.push(...leb(k));
  code.push(...leb(n - 1));
  for (let k = 0; k < n - 1; k++) {
    code.push(0x0b); // end of block k: its code follows
    code.push(0x20, 0x01, 0x41, 0x01, 0x6a, 0x21, 0x01); // count++
    code.push(0x41, ...sleb(k + 1), 0x21, 0x00); // local 0 = k+1
    code.push(0x0c, ...leb(n - 1 - k)); // br to the loop
  }
  code.push(0x0b, 0x20, 0x01, 0x0f); // end of the last block; return the count
  code.push(0x0b, 0x00, 0x0b); // end of the loop; unreachable; end
  const section = (id, body) => [id, ...leb(body.length), ...body];
  const name = [...new TextEncoder().encode("chain")];
  return new Uint8Array([
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
    ...section(1, [0x01, 0x60, 0x01, 0x7f, 0x01, 0x7f]), // (i32) -> i32
    ...section(3, [0x01, 0x00]),
    ...section(7, [0x01, name.length, ...name, 0x00, 0x00]),
    ...section(10, [0x01, ...leb(code.length), ...code]),
  ]);
}

test("a function thousands of blocks deep is rewritten, not a stack overflow", async () => {
  const n = 20000;
  const before = chain(n);
  const m = binaryen.readBinary(before);
  const stats = directBranches(m);
  assert.ok(m.validate());
  const after = m.emitBinary();
  m.dispose();
  // The code of block k-1 jumps to block k, whose label encloses it:
  // every jump is forward.
  assert.deepEqual(stats, { functions: 1, direct: n - 1, dispatched: 0 });
  const run = async (bytes) => (await WebAssembly.instantiate(bytes)).instance.exports.chain(0);
  assert.equal(await run(before), n - 1);
  assert.equal(await run(after), n - 1);
});

test("a module without Go's dispatch is left as it is", () => {
  const m = binaryen.parseText(`(module (func $f (export "f") (param i32) (result i32)
    (block $a (br_if $a (local.get 0))) (local.get 0)))`);
  const text = m.emitText();
  assert.deepEqual(directBranches(m), { functions: 0, direct: 0, dispatched: 0 });
  assert.equal(m.emitText(), text);
  m.dispose();
});

test("the vfscope.wasm make builds has its forward jumps direct", () => {
  // A second pass finds nothing left to rewrite, only backward jumps.
  const { stats } = rewrite(readFileSync(new URL("../dist/vfscope.wasm", import.meta.url)));
  assert.ok(stats.functions > 1000, `${stats.functions} functions with a dispatch loop`);
  assert.equal(stats.direct, 0, "forward jumps still through the dispatch");
  assert.ok(stats.dispatched > 0);
});
