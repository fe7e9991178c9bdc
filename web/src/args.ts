// Checks of scalar arguments, made in JavaScript before an operation is
// encoded: a bad argument throws at the call that passed it, and a batch
// holding one never crosses into Go, so none of its operations run.

import { textDecoder } from "./text.js";

// The intrinsic length getter and set of typed arrays: a subclass's
// overrides (user code) would otherwise run while a request is encoded or
// a response read, and a VFS call from them would overwrite both, or a
// length that lies would send bytes the array does not hold.
export const typedLength = Object.getOwnPropertyDescriptor(Object.getPrototypeOf(Uint8Array.prototype), "length")!.get! as (this: Uint8Array) => number;
export const typedSet = Uint8Array.prototype.set;

/**
 * Returns v if it is a safe integer (|v| <= 2^53 - 1): the numbers the
 * bridge carries exactly. A number that is not an integer is a
 * TypeError; an integer beyond 2^53 a RangeError (as Node's fs gives
 * ERR_OUT_OF_RANGE): above it, neighbouring integers share one double,
 * so 2^53 + 1 would silently become 2^53.
 */
export function int(v: number, what: string): number {
  if (typeof v !== "number" || !Number.isInteger(v)) {
    throw new TypeError(`${what} must be an integer, got ${typeof v === "number" ? v : typeof v}`);
  }
  if (!Number.isSafeInteger(v)) {
    throw new RangeError(`${what} out of range: ${v} is beyond ±(2^53 - 1), where numbers lose integer precision`);
  }
  return v;
}

/**
 * Returns v if it is an integer in [0, 2^32 - 1]: a mode or flags
 * argument, which Linux takes in 32 bits. Past them it is a RangeError
 * naming the argument (as Node's fs gives ERR_OUT_OF_RANGE), not its
 * low bits: mode 2^32 + 0o600 is not 0o600.
 */
export function u32(v: number, what: string): number {
  int(v, what);
  if (v < 0 || v > 0xffffffff) throw new RangeError(`${what} out of range: ${v} is not in [0, 2^32 - 1]`);
  return v;
}

/** Returns v if it is a uid or gid: an integer in [-1, 2^32 - 1], -1 leaving the id unchanged. */
export function id32(v: number, what: string): number {
  int(v, what);
  if (v < -1 || v > 0xffffffff) throw new RangeError(`${what} out of range: ${v} is not in [-1, 2^32 - 1] (-1: unchanged)`);
  return v;
}

/** Whether s holds a NUL character, which a C string (a path, a mount argument) cannot. */
export function hasNul(s: string): boolean {
  return typeof s === "string" && s.includes("\0");
}

/**
 * A path: a string, written as UTF-8, or a Uint8Array, its bytes as they
 * are (as Node's fs takes a Buffer): a name that is not valid UTF-8 can
 * be reached only that way.
 */
export type PathLike = string | Uint8Array;

/** A path as text, for error messages (bytes that are not UTF-8 show as U+FFFD). */
export function pathText(p: PathLike): string {
  return p instanceof Uint8Array ? textDecoder.decode(p) : p;
}

/**
 * Throws a TypeError (code ERR_INVALID_ARG_VALUE, as Node's fs gives it)
 * if s, a path or a mount argument, holds a NUL: a C string ends there,
 * so the kernel would see a different one. Returns s.
 */
export function noNul<T>(s: T, what: string): T {
  if ((typeof s === "string" && s.includes("\0")) || (s instanceof Uint8Array && s.includes(0))) {
    const e = new TypeError(`The argument '${what}' must be a string or Uint8Array without null bytes. Received ${JSON.stringify(pathText(s as PathLike))}`);
    (e as TypeError & { code: string }).code = "ERR_INVALID_ARG_VALUE";
    throw e;
  }
  return s;
}

/** A path argument: checked for a NUL (noNul), and its text for error messages. */
export function pathArg(p: PathLike, what = "path"): string {
  return pathText(noNul(p, what));
}
