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
const FEATURES =
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
    const enclosing = []; // labels of the blocks and loops around the walk
    // jumpTo returns the resume point a `local.set $0 (i32.const K)`
    // stores, or -1 for anything else.
    const jumpTo = (e) => {
      if (id(e) !== binaryen.LocalSetId || binaryen.LocalSet.getIndex(e) !== 0 || binaryen.LocalSet.isTee(e)) return -1;
      const v = binaryen.LocalSet.getValue(e);
      return id(v) === binaryen.ConstId ? binaryen.Const.getValueI32(v) : -1;
    };
    const walk = (e, inLoop) => {
      if (!e) return;
      switch (id(e)) {
        case binaryen.BlockId: {
          const name = binaryen.Block.getName(e);
          if (name) enclosing.push(name);
          for (let c = 0; c < binaryen.Block.getNumChildren(e); c++) {
            const child = binaryen.Block.getChildAt(e, c);
            if (targets && c > 0 && id(child) === binaryen.BreakId && binaryen.Break.getName(child) === loop &&
                !binaryen.Break.getCondition(child) && !binaryen.Break.getValue(child)) {
              const k = jumpTo(binaryen.Block.getChildAt(e, c - 1));
              if (k >= 0) {
                const target = k < targets.length ? targets[k] : undefined;
                if (target !== undefined && target !== loop && enclosing.includes(target)) {
                  binaryen.Break.setName(child, target);
                  stats.direct++;
                } else {
                  stats.dispatched++;
                  if (onDispatched) c += onDispatched(i, e, c);
                }
                continue;
              }
            }
            walk(child, inLoop);
          }
          if (name) enclosing.pop();
          break;
        }
        case binaryen.LoopId:
          enclosing.push(binaryen.Loop.getName(e));
          walk(binaryen.Loop.getBody(e), binaryen.Loop.getName(e));
          enclosing.pop();
          break;
        case binaryen.IfId:
          walk(binaryen.If.getIfTrue(e), inLoop);
          walk(binaryen.If.getIfFalse(e), inLoop);
          break;
        case binaryen.SwitchId: {
          const c = binaryen.Switch.getCondition(e);
          if (!targets && inLoop && id(c) === binaryen.LocalGetId && binaryen.LocalGet.getIndex(c) === 0 &&
              !binaryen.Switch.getValue(e)) {
            targets = [];
            for (let j = 0; j < binaryen.Switch.getNumNames(e); j++) targets.push(binaryen.Switch.getNameAt(e, j));
            loop = inLoop;
          }
          break;
        }
      }
    };
    walk(body, null);
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
