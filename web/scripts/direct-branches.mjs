// direct-branches rewrites the forward jumps of a Go-compiled WebAssembly
// module into direct branches (RATIONALE.md, "Why is vfscope.wasm
// rewritten after go build?").
//
// Go's wasm backend lays every function out as one dispatch loop:
//
//	loop $L
//	  block $bN ... block $b1 block $b0
//	    br_table $b0 $b1 ... $bN (local.get $0)   ;; $0 is PC_B, the resume point
//	  end  <code of Go block 0>
//	  end  <code of Go block 1>
//	  ...
//	end
//
// and compiles a jump to Go block K as `local.set $0 (i32.const K); br $L`:
// back to the loop head and through the br_table, an indirect jump that
// every jump of the function shares. A jump forward, from the code of
// block J to block K > J, is inside block $bK (whose end is where block K's
// code starts), so `br $bK` reaches the same code directly. That is the
// whole rewrite: the `br $L` of such a jump becomes `br $bK`; the store to
// $0 stays (it is dead, and the engine drops it). Backward jumps, loops
// included, keep the dispatch: no label lies before their target. Nothing
// else changes: functions, their order and the table stay as they were,
// so the program counters Go keeps for stack unwinding, tracebacks and
// goroutine switches (function index, resume point) mean what they meant.
//
//   node web/scripts/direct-branches.mjs IN.wasm [OUT.wasm]   (OUT: IN)
import binaryen from "binaryen";
import { readFileSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

// The features go build's wasm uses (GOWASM's defaults: sign extension,
// saturating conversions, bulk memory), which binaryen must accept on
// reading and keep on writing; nothing more, so the output runs wherever
// the input did.
export const FEATURES =
  binaryen.Features.MutableGlobals |
  binaryen.Features.SignExt |
  binaryen.Features.NontrappingFPToInt |
  binaryen.Features.BulkMemory |
  (binaryen.Features.BulkMemoryOpt ?? 0);

/**
 * Rewrites, in place, the forward jumps of every function of m (a
 * binaryen module read from Go's output) into direct branches.
 * Returns {functions, direct, dispatched}: the functions with a dispatch
 * loop, the jumps made direct, and the jumps left to the dispatch
 * (backward ones). onDispatched(fn, block, c), if given, is called for
 * each jump left, the c-th child of block in function fn (bench/calls.mjs
 * counts them); it returns how many expressions it inserted before that
 * child.
 */
export function directBranches(m, onDispatched) {
  const id = binaryen.getExpressionId;
  const stats = { functions: 0, direct: 0, dispatched: 0 };
  for (let i = 0; i < m.getNumFunctions(); i++) {
    const body = binaryen.getFunctionInfo(m.getFunctionByIndex(i)).body;
    if (!body) continue; // an import
    // The dispatch: the first br_table on local 0 inside a loop; targets
    // holds its labels by resume point, loop the loop's name.
    let targets = null;
    let loop = null;
    // The labels of the blocks and loops around the walk (a function's
    // labels are unique).
    const enclosing = new Set();
    // jumpTo returns the resume point a `local.set $0 (i32.const K)`
    // stores, or -1 for anything else.
    const jumpTo = (e) => {
      if (id(e) !== binaryen.LocalSetId || binaryen.LocalSet.getIndex(e) !== 0 || binaryen.LocalSet.isTee(e)) return -1;
      const v = binaryen.LocalSet.getValue(e);
      return id(v) === binaryen.ConstId ? binaryen.Const.getValueI32(v) : -1;
    };
    // rewrite handles the c-th child of block b if it is a jump through
    // the dispatch (the child before it storing the resume point), and
    // returns the index of the next child to look at, or -1 when the
    // child is something else, to be walked.
    const rewrite = (b, c) => {
      const child = binaryen.Block.getChildAt(b, c);
      if (!targets || c === 0 || id(child) !== binaryen.BreakId || binaryen.Break.getName(child) !== loop ||
          binaryen.Break.getCondition(child) || binaryen.Break.getValue(child)) return -1;
      const k = jumpTo(binaryen.Block.getChildAt(b, c - 1));
      if (k < 0) return -1;
      const target = k < targets.length ? targets[k] : undefined;
      if (target !== undefined && target !== loop && enclosing.has(target)) {
        binaryen.Break.setName(child, target);
        stats.direct++;
        return c + 1;
      }
      stats.dispatched++;
      return c + 1 + (onDispatched ? onDispatched(i, b, c) : 0);
    };
    // The walk keeps its own stack: Go nests one block per resume point,
    // so a function with thousands of calls is thousands of blocks deep,
    // past what recursion in JavaScript can take. A frame is an
    // expression, the loop it is in, the next child to visit (blocks)
    // and whether it pushed a label.
    const stack = [{ e: body, inLoop: null, next: 0, named: false, entered: false }];
    while (stack.length > 0) {
      const f = stack[stack.length - 1];
      const e = f.e;
      switch (id(e)) {
        case binaryen.BlockId: {
          if (!f.entered) {
            f.entered = true;
            const name = binaryen.Block.getName(e);
            if (name) {
              enclosing.add(name);
              f.named = true;
            }
          }
          let c = f.next;
          let child = null;
          while (c < binaryen.Block.getNumChildren(e)) {
            const next = rewrite(e, c);
            if (next < 0) {
              child = binaryen.Block.getChildAt(e, c);
              c++;
              break;
            }
            c = next;
          }
          f.next = c;
          if (child) {
            stack.push({ e: child, inLoop: f.inLoop, next: 0, named: false, entered: false });
            continue;
          }
          if (f.named) enclosing.delete(binaryen.Block.getName(e));
          stack.pop();
          continue;
        }
        case binaryen.LoopId:
          if (!f.entered) {
            f.entered = true;
            const name = binaryen.Loop.getName(e);
            enclosing.add(name);
            f.named = true;
            stack.push({ e: binaryen.Loop.getBody(e), inLoop: name, next: 0, named: false, entered: false });
            continue;
          }
          enclosing.delete(binaryen.Loop.getName(e));
          stack.pop();
          continue;
        case binaryen.IfId: {
          stack.pop();
          // The arms in order: the false one goes on the stack first.
          for (const arm of [binaryen.If.getIfFalse(e), binaryen.If.getIfTrue(e)]) {
            if (arm) stack.push({ e: arm, inLoop: f.inLoop, next: 0, named: false, entered: false });
          }
          continue;
        }
        case binaryen.SwitchId: {
          const c = binaryen.Switch.getCondition(e);
          if (!targets && f.inLoop && id(c) === binaryen.LocalGetId && binaryen.LocalGet.getIndex(c) === 0 &&
              !binaryen.Switch.getValue(e)) {
            targets = [];
            for (let j = 0; j < binaryen.Switch.getNumNames(e); j++) targets.push(binaryen.Switch.getNameAt(e, j));
            loop = f.inLoop;
          }
          break;
        }
      }
      stack.pop();
    }
    if (targets) stats.functions++;
  }
  return stats;
}

/** Reads a Go wasm binary, rewrites it, validates it and returns the bytes and the counts. */
export function rewrite(bytes) {
  const m = binaryen.readBinary(bytes);
  try {
    m.setFeatures(FEATURES);
    const stats = directBranches(m);
    if (!m.validate()) throw new Error("direct-branches: the rewritten module does not validate");
    return { bytes: m.emitBinary(), stats };
  } finally {
    m.dispose();
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const [inp, out = inp] = process.argv.slice(2);
  if (!inp) {
    console.error("usage: node direct-branches.mjs IN.wasm [OUT.wasm]");
    process.exit(2);
  }
  const { bytes, stats } = rewrite(readFileSync(inp));
  writeFileSync(out, bytes);
  console.log(`${out}: ${stats.direct} forward jumps made direct in ${stats.functions} functions (${stats.dispatched} backward jumps keep the dispatch)`);
}
