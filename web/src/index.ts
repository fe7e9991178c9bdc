/**
 * @vfscope/web: the Linux VFS of vfscope (Go, compiled to WebAssembly) in
 * browsers and Node.js.
 *
 *   import { createVFS } from "@vfscope/web";
 *   const vfs = await createVFS();
 *   vfs.mkdir("/tmp/d");
 *   vfs.writeFile("/tmp/d/f", "hello\n");
 *   vfs.readFile("/proc/mounts", "utf8");
 */
export { createVFS, VFS, Batch, type VFSOptions, type BatchResult, type SubscribeOptions, type ReaddirOptions, type StatOptions, type TextEncoding } from "./vfs.js";
export type { Encoding } from "./options.js";
export type * from "./trace.js";
export { VFSError } from "./errors.js";
export { Stats, DirEntry } from "./stats.js";
export { Shell, type ShellResult, type ShellSplit, type ShellCommand, type ShellRedirect } from "./shell.js";
export { WASI, WASIExit, type WASIOptions } from "./wasi.js";
export { BridgeError, loadRuntime, Runtime, type WasmSource } from "./runtime.js";
export type { Data, OpenFlags, TimeArg, WriteFileOptions } from "./ops.js";
export type { PathLike } from "./args.js";
export * as constants from "./constants.js";
export * from "./constants.js";

import type { VFS } from "./vfs.js";
import type { WASI, WASIOptions } from "./wasi.js";

/** WASI preview1 imports for a guest on vfs (the same as vfs.wasiImports(options)). */
export function wasiImports(vfs: VFS, options: WASIOptions = {}): WASI {
  return vfs.wasiImports(options);
}
