// What a TypeScript caller writes, checked by tsc --strict against the
// declarations in dist (types.test.mjs): the options Node's fs takes for
// readdirSync and readlinkSync (@types/node fs.d.ts) type as they run.
// A line under @ts-expect-error must fail to type, or tsc fails.
import { createVFS, type DirEntry, type ReaddirOptions } from "../../dist/index.js";

const vfs = await createVFS();
const flag: boolean = Math.random() > 0.5;

// readdir: names, entries or bytes, by the options.
export const names: string[][] = [
  vfs.readdir("/"),
  vfs.readdir("/", {}),
  vfs.readdir("/", undefined),
  vfs.readdir("/", { encoding: "utf8" }),
  vfs.readdir("/", { encoding: "utf-8" }),
  vfs.readdir("/", { withFileTypes: false }),
  vfs.readdir("/", { withFileTypes: false, encoding: "utf8" }),
];
export const entries: DirEntry[][] = [vfs.readdir("/", { withFileTypes: true }), vfs.readdir("/", { withFileTypes: true, encoding: "utf8" })];
export const raw: Uint8Array[][] = [vfs.readdir("/", { encoding: "buffer" }), vfs.readdir("/", { encoding: "buffer", withFileTypes: false })];
export const either: (string[] | DirEntry[])[] = [vfs.readdir("/", { withFileTypes: flag }), vfs.readdir("/", { withFileTypes: flag, encoding: "utf8" })];
const opts: ReaddirOptions = flag ? { encoding: "buffer" } : { withFileTypes: true };
export const any: (string[] | DirEntry[] | Uint8Array[])[] = [vfs.readdir("/", opts)];

// readlink: text or bytes.
export const targets: string[] = [vfs.readlink("/x"), vfs.readlink("/x", {}), vfs.readlink("/x", { encoding: "utf8" }), vfs.readlink("/x", { encoding: "utf-8" })];
export const rawTarget: Uint8Array = vfs.readlink("/x", { encoding: "buffer" });
const enc: "utf8" | "buffer" = flag ? "utf8" : "buffer";
export const eitherTarget: string | Uint8Array = vfs.readlink("/x", { encoding: enc });

// Node's open flag strings are OpenFlags.
export const fds: number[] = ["as", "sa+", "xw", "xa+"].map((f) => vfs.open("/tmp/f", f));

// What must not type.
// @ts-expect-error entries are not names
export const wrong1: string[] = vfs.readdir("/", { withFileTypes: true });
// @ts-expect-error bytes are not names
export const wrong2: string[] = vfs.readdir("/", { encoding: "buffer" });
// @ts-expect-error an encoding readdir does not take
vfs.readdir("/", { encoding: "utf16le" });
// @ts-expect-error a boolean may give entries
export const wrong3: string[] = vfs.readdir("/", { withFileTypes: flag });
// @ts-expect-error a buffer target is not text
export const wrong4: string = vfs.readlink("/x", { encoding: "buffer" });
