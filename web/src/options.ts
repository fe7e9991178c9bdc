// Node-style options arguments: undefined or null for none, a string for
// { encoding }, or an object. One normaliser for every call that takes
// them, so that a string form, null, or an option vfscope does not
// implement is treated the same way everywhere: the unimplemented ones
// (readdir's recursive, stat's bigint, rmdir's recursive...) are a
// TypeError, never silently ignored.

import { textDecoder } from "./text.js";

/** The encodings vfscope converts: Node's names for them. */
const encodings = ["utf8", "utf-8", "hex", "latin1", "binary", "base64", "base64url"] as const;

/** An encoding of file data or names, or "buffer" for bytes. */
export type Encoding = (typeof encodings)[number] | "buffer";

/** A normalised options argument: its fields, each still to be checked. */
export type Options = Record<string, unknown>;

/**
 * The options object of an options argument. known lists the options
 * the call implements; unsupported, those Node's call takes that vfscope
 * does not, each with the value that asks nothing of it (as
 * { recursive: false }): any other value is a TypeError. Other keys are
 * ignored, as Node ignores them.
 */
export function options(call: string, arg: unknown, unsupported: Record<string, unknown> = {}): Options {
  if (arg === undefined || arg === null) return {};
  if (typeof arg === "string") return { encoding: arg };
  if (typeof arg !== "object") throw new TypeError(`${call}: options must be an object or an encoding string, not ${typeof arg}`);
  const o = arg as Options;
  for (const k of Object.keys(unsupported)) {
    const v = o[k];
    if (v !== undefined && v !== unsupported[k]) {
      throw new TypeError(`${call}: option ${k}: ${JSON.stringify(v)} is not supported by vfscope`);
    }
  }
  return o;
}

/**
 * The encoding option: undefined (none), "buffer", or one vfscope
 * converts ("utf-8" is returned as "utf8"); any other is a TypeError.
 */
export function encodingOf(call: string, o: Options): Encoding | undefined {
  const e = o.encoding;
  if (e === undefined || e === null) return undefined;
  if (e === "buffer") return e;
  if (typeof e === "string") {
    const lower = e.toLowerCase();
    if ((encodings as readonly string[]).includes(lower)) return lower === "utf-8" ? "utf8" : (lower as Encoding);
  }
  throw new TypeError(`${call}: encoding ${JSON.stringify(e)} is not supported (use one of ${encodings.join(", ")}, or "buffer")`);
}

const textEncoder = new TextEncoder();

function latin1(b: Uint8Array): string {
  let s = "";
  for (let i = 0; i < b.length; i += 0x8000) s += String.fromCharCode(...b.subarray(i, i + 0x8000));
  return s;
}

/** Bytes as text in an encoding (Buffer.prototype.toString's results). */
export function decode(b: Uint8Array, e: Exclude<Encoding, "buffer">): string {
  switch (e) {
    case "hex": {
      let s = "";
      for (let i = 0; i < b.length; i++) s += (b[i] < 16 ? "0" : "") + b[i].toString(16);
      return s;
    }
    case "latin1":
    case "binary":
      return latin1(b);
    case "base64":
      return btoa(latin1(b));
    case "base64url":
      return btoa(latin1(b)).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
    default:
      return textDecoder.decode(b);
  }
}

/**
 * Text in an encoding as bytes (Buffer.from(s, e)), for data given as a
 * string. Malformed hex or base64 is a TypeError rather than Node's
 * silent truncation.
 */
export function encode(s: string, e: Exclude<Encoding, "buffer">): Uint8Array {
  switch (e) {
    case "hex": {
      if (s.length % 2 !== 0 || /[^0-9a-fA-F]/.test(s)) throw new TypeError("data is not hex");
      const b = new Uint8Array(s.length / 2);
      for (let i = 0; i < b.length; i++) b[i] = parseInt(s.substr(2 * i, 2), 16);
      return b;
    }
    case "latin1":
    case "binary": {
      const b = new Uint8Array(s.length);
      for (let i = 0; i < s.length; i++) b[i] = s.charCodeAt(i);
      return b;
    }
    case "base64":
    case "base64url": {
      let t = s.replace(/-/g, "+").replace(/_/g, "/").replace(/=+$/, "");
      t += "=".repeat((4 - (t.length % 4)) % 4);
      let bin: string;
      try {
        bin = atob(t);
      } catch {
        throw new TypeError(`data is not ${e}`);
      }
      return encode(bin, "latin1");
    }
    default:
      return textEncoder.encode(s);
  }
}
